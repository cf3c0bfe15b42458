"""Edit a lesson's parameters before running it; a bad value is refused with a message.

Under each field, a line says what the parameter means and the values it accepts (its
range or its choices), so an out-of-range value is no surprise; the message under a
refused field names the range again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from mptui.tui import glyphs

if TYPE_CHECKING:
    from mptui.scenarios import Lesson, Param


def describe(param: Param) -> str:
    """The help line under a field: what it means, what it accepts (its range or choices)."""
    accepts = param.accepts()
    allowed = f" ({accepts})" if accepts else ""
    return f"{param.help}{allowed}; default {param.default}"


class SettingsScreen(ModalScreen["dict[str, object] | None"]):
    """One field per parameter; returns the parsed values, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Run"),
        Binding("ctrl+r", "reset", "Defaults"),
    ]
    """Enter in a field also runs; Tab moves between fields."""
    AUTO_FOCUS = ".settings-input"
    """The first field, so the user can type at once (by default the scrolling box around
    the fields would take the focus: it is the first focusable widget)."""

    def __init__(self, lesson: Lesson, values: Mapping[str, object]) -> None:
        super().__init__()
        self.lesson = lesson
        self.values = dict(values)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="settings-box") as box:
            box.border_title = f"Settings · {self.lesson.name}"
            box.border_subtitle = "Enter runs · Esc cancels · Ctrl+R defaults"
            for param in self.lesson.params:
                yield Label(Text(param.name, style="bold"), classes="settings-label")
                value = self.values.get(param.name, param.default)
                field = Input(
                    str(value), id=f"param-{param.name}", classes="settings-input", compact=True
                )
                field.cursor_blink = False
                yield field
                yield Static(describe(param), classes="settings-help")
                yield Static("", id=f"error-{param.name}", classes="settings-error")
            with Horizontal(id="settings-buttons"):
                yield Button("Run with these", id="save", variant="primary", compact=True)
                yield Button("Defaults", id="reset", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        for error in self.query(".settings-error"):
            error.display = False

    def parse(self) -> dict[str, object] | None:
        """Every field's value, or None after marking the bad ones."""
        values: dict[str, object] = {}
        ok = True
        for param in self.lesson.params:
            field = self.query_one(f"#param-{param.name}", Input)
            error = self.query_one(f"#error-{param.name}", Static)
            try:
                values[param.name] = param.parse(field.value)
            except ValueError as bad:  # BadParam is a ValueError
                ok = False
                error.update(Text(f"{glyphs.active().failed} {bad}"))
                error.display = True
                field.add_class("-invalid")
            else:
                error.display = False
                field.remove_class("-invalid")
        return values if ok else None

    def action_save(self) -> None:
        values = self.parse()
        if values is not None:
            self.dismiss(values)
        else:
            invalid = self.query(".-invalid").first(Input)
            invalid.focus()

    def action_reset(self) -> None:
        for param in self.lesson.params:
            self.query_one(f"#param-{param.name}", Input).value = str(param.default)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"save": self.action_save, "reset": self.action_reset, "cancel": self.action_cancel}[
            event.button.id or "cancel"
        ]()
