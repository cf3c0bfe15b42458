"""Ask before signalling a process: SIGTERM (may clean up) or SIGKILL (cannot be caught)."""

from __future__ import annotations

import signal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from mptui.text import printable


class KillScreen(ModalScreen[int | None]):
    """Returns the signal to send, or None when cancelled."""

    BINDINGS = [
        Binding("t,enter", "send_term", "SIGTERM"),
        Binding("9", "send_kill", "SIGKILL"),
        Binding("escape,n", "cancel", "Cancel"),
    ]
    """t or Enter: SIGTERM; 9 (as in kill -9): SIGKILL; Esc or n: cancel."""

    def __init__(self, name: str, pid: int) -> None:
        super().__init__()
        self.process_name = name
        self.pid = pid

    def compose(self) -> ComposeResult:
        with Vertical(id="kill-box") as box:
            box.border_title = "Kill a process"
            question = Text()
            question.append("Send a signal to ")
            question.append(printable(self.process_name), style="bold")
            question.append(f" (pid {self.pid})?\n\n")
            question.append("SIGTERM", style="bold")
            question.append(
                " asks it to stop: Python runs no cleanup for it by default, but a handler may.\n"
            )
            question.append("SIGKILL", style="bold")
            question.append(" ends it at once; it cannot be caught. A lock it holds stays held.")
            yield Static(question, id="kill-question")
            with Horizontal(id="kill-buttons"):
                yield Button("SIGTERM (t)", id="term", variant="warning", compact=True)
                yield Button("SIGKILL (9)", id="kill", variant="error", compact=True)
                yield Button("Cancel (Esc)", id="cancel", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        actions = {"term": signal.SIGTERM, "kill": signal.SIGKILL}
        self.dismiss(actions.get(event.button.id or ""))

    def action_send_term(self) -> None:
        self.dismiss(signal.SIGTERM)

    def action_send_kill(self) -> None:
        self.dismiss(signal.SIGKILL)

    def action_cancel(self) -> None:
        self.dismiss(None)
