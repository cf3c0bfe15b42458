"""``python -m mptui`` is the ``mptui`` command."""

import sys

from mptui.cli import main

sys.exit(main())
