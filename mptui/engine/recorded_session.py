"""A Session that writes its run to a recording file (``--record FILE``).

The recorder is only one more collector listener (:class:`mptui.engine.recording.Recorder`);
this class exists so that whoever closes the session also closes the file, and so that
both front ends (dashboard and headless) record the same way.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from mptui.engine.collector import Listener
from mptui.engine.recording import Recorder
from mptui.engine.session import Program, Session, default_start_method
from mptui.engine.store import Store


class RecordingSession(Session):
    """A Session whose every folded batch is also written to ``path``."""

    def __init__(
        self,
        program: Program,
        path: str | os.PathLike,
        store: Store | None = None,
        *,
        listeners: Iterable[Listener] = (),
        **options: Any,
    ) -> None:
        """Opens ``path`` at once (raises OSError if it cannot be written)."""
        self.recorder = Recorder(
            path, program, start_method=program.start_method or default_start_method()
        )
        super().__init__(program, store, listeners=[self.recorder, *listeners], **options)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.recorder.close()
