"""The Lessons panel: every lesson (and the user's script), with the selected one explained.

The lessons are listed under their group's heading (Basics, Synchronisation, ...): a
heading is a disabled option, so the cursor, Enter and the mouse pass over it. Options
and entries therefore differ in index; entries are found by option id, never by index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from mptui.tui import glyphs
from mptui.tui.widgets import run_header
from mptui.tui.widgets.panel import Panel

if TYPE_CHECKING:
    from mptui.scenarios import Lesson

SCRIPT_KEY = "script"
"""Option id of the user's own program, listed first when there is one."""

HEADING_PREFIX = "group:"
"""Option ids of group headings (``group:pools``): no entry has one (lesson names have no
colon)."""


@dataclass(frozen=True)
class Entry:
    """One runnable thing in the list: a lesson, or the user's script (``lesson`` None)."""

    key: str
    """The lesson name, or :data:`SCRIPT_KEY`."""
    title: str
    explanation: str
    lesson: Lesson | None = None


def settings_text(lesson: Lesson, values: Mapping[str, object]) -> str:
    """``workers=4 rounds=3 hold=0.05``: every parameter, with the user's value if set."""
    return " ".join(f"{p.name}={values.get(p.name, p.default)}" for p in lesson.params)


class LessonList(OptionList):
    """The list itself; j and k move like down and up, as in vi and less."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]
    """Added to OptionList's arrows, Home, End, PageUp, PageDown and Enter."""


class LessonPanel(Panel):
    """The list of lessons; the highlighted one is explained below it."""

    TITLE = "Lessons"

    class Chosen(Message):
        """Enter was pressed on an entry: run it."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    class Highlighted(Message):
        """The cursor moved to an entry (its source can be shown before it runs)."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    def __init__(self, entries: Sequence[Entry], *, id: str) -> None:  # noqa: A002
        super().__init__(id=id)
        self.entries = tuple(entries)
        self.settings: Mapping[str, Mapping[str, object]] = {}
        """Parameter values chosen per lesson (shared with the app)."""
        self.start_method_label = "default"
        """The start method the next run will use."""
        self.running_key: str | None = None
        """The entry whose program is the current run (marked with ▶, or >)."""
        self.hint = "Enter runs it · r restarts · 1-9 jump to a lesson"
        """The last line of the details: what the keys do here."""

    def compose(self) -> ComposeResult:
        yield LessonList(*self._options(), id="lesson-list")
        with VerticalScroll(id="lesson-details", can_focus=False):
            yield Static(id="lesson-text")

    def on_mount(self) -> None:
        if self.entries:
            self.select(self.entries[0].key)
        self.refresh_details()

    @property
    def list(self) -> LessonList:
        return self.query_one(LessonList)

    @property
    def focus_target(self) -> Widget:
        return self.list

    @property
    def selected(self) -> Entry | None:
        index = self.list.highlighted
        if index is None or not self.entries:
            return None
        key = self.list.get_option_at_index(index).id
        return next((entry for entry in self.entries if entry.key == key), None)

    def select(self, key: str) -> Entry | None:
        """Highlight the entry ``key``; return it (None if there is no such entry)."""
        for entry in self.entries:
            if entry.key == key:
                self.list.highlighted = self.list.get_option_index(key)
                return entry
        return None

    def lesson_number(self, number: int) -> Entry | None:
        """The ``number``-th lesson (1-based; the script entry is not counted)."""
        lessons = [entry for entry in self.entries if entry.lesson is not None]
        return lessons[number - 1] if 0 < number <= len(lessons) else None

    def set_running(self, key: str | None) -> None:
        if key != self.running_key:
            self.running_key = key
            highlighted = self.list.highlighted
            self.list.set_options(self._options())
            self.list.highlighted = highlighted

    def _options(self) -> list[Option]:
        options = []
        number = 0
        group = None
        marks = glyphs.active()
        # Titles line up after the longest name (producer-consumer), one space apart.
        width = max((len(e.key) for e in self.entries if e.lesson is not None), default=0) + 1
        for entry in self.entries:
            if entry.lesson is not None and entry.lesson.group and entry.lesson.group != group:
                group = entry.lesson.group
                heading = Text(group.capitalize(), style="bold", no_wrap=True)
                options.append(Option(heading, id=HEADING_PREFIX + group, disabled=True))
            prompt = Text(no_wrap=True, overflow=marks.overflow)
            running = entry.key == self.running_key
            prompt.append(f"{marks.current} " if running else "  ", style="bold green")
            if entry.lesson is not None:
                number += 1
                prompt.append(f"{number} " if number < 10 else "  ", style="dim")
                prompt.append(f"{entry.key:<{width}}", style="bold")
                prompt.append(entry.title)
            else:
                prompt.append("0 ", style="dim")
                prompt.append(entry.title, style="bold")
            options.append(Option(prompt, id=entry.key))
        return options

    def refresh_details(self) -> None:
        entry = self.selected
        text = Text()
        if entry is None:
            text.append("No lessons found.", style="dim")
        else:
            text.append(entry.title, style="bold")
            text.append("\n\n")
            text.append(entry.explanation)
            text.append("\n\n")
            if entry.lesson is not None and entry.lesson.params:
                values = self.settings.get(entry.key, {})
                text.append("Settings (e): ", style="bold")
                text.append(settings_text(entry.lesson, values))
                text.append("\n")
            elif entry.lesson is not None:
                text.append("Settings: none\n", style="dim")
            else:
                # The dashboard owns the terminal: the program's stdin is /dev/null.
                text.append("Input (stdin): ", style="bold")
                text.append("not connected, input() gets end-of-file at once; "
                            "with --headless your program reads mptui's stdin\n")  # fmt: skip
            text.append("Start method (m): ", style="bold")
            text.append(self.start_method_label)
            text.append("\n")
            # Here as well as in the header, which leaves it out on narrow terminals.
            text.append("Python: ", style="bold")
            text.append(run_header.PYTHON_VERSION)
            text.append("\n")
            text.append(self.hint, style="dim")
        self.query_one("#lesson-text", Static).update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self.refresh_details()
        entry = self.selected
        if entry is not None:
            self.post_message(self.Highlighted(entry))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        entry = self.selected
        if entry is not None:
            self.post_message(self.Chosen(entry))
