"""mptui: a live terminal dashboard for Python multiprocessing."""

__version__ = "0.1.0"
