"""Keep a DataTable equal to a set of rows by touching only the cells that changed.

Why not ``clear()`` and add everything again: ``clear()`` resets the cursor and the scroll
position (the user's selected process would jump to the top ten times a second), and
every ``update_cell`` re-renders all visible cells, so fewer calls mean less work
(notes/textual-engineering.md, section 5.4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

Cell = str | Text


def _set_quietly(table: DataTable, row_key: str, column_key: str, value: Cell) -> None:
    """``update_cell`` without its ``refresh()`` of the whole table (DataTable's own data
    structure: Textual is pinned to one version, and tests/tui/test_tui_costs.py checks
    that only the changed row is repainted)."""
    table._data[table.rows[row_key].key][table.columns[column_key].key] = value


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(cell)


class TableSync:
    """Mirrors ``{row_key: cells}`` into a DataTable with stable row keys."""

    def __init__(self, table: DataTable, columns: Sequence[tuple[str, Cell]]) -> None:
        self.table = table
        self.keys = [key for key, _ in columns]
        for key, label in columns:
            table.add_column(label, key=key)
        self._widths = [_width(label) for _, label in columns]
        self._rows: dict[str, tuple[Cell, ...]] = {}
        self.updates = 0
        """Cells written since creation (tests use it to check that nothing is redone)."""

    def __len__(self) -> int:
        return len(self._rows)

    def sync(self, rows: Mapping[str, Sequence[Cell]]) -> None:
        """Make the table show ``rows``, in their order: add new rows, update changed cells,
        remove rows no longer given. The cursor stays on the row it was on, if it is still
        given (else at its place: on the row that took it)."""
        table = self.table
        selected = self.selected_key()
        # The table only appends. Rows that are in their place stay; a row out of place
        # (rare: the Store lists a process whose pid was reused by a new one last, in start
        # order) is removed with every row after it, and they are added again in order.
        kept = [key for key in self._rows if key in rows]
        in_place = 0
        for key, wanted in zip(kept, rows, strict=False):  # new rows make ``rows`` longer
            if key != wanted:
                break
            in_place += 1
        stale = [key for key in self._rows if key not in rows] + kept[in_place:]
        for key in stale:
            table.remove_row(key)
            del self._rows[key]
        for key, cells in rows.items():
            cells = tuple(cells)
            old = self._rows.get(key)
            if old is None:
                table.add_row(*cells, key=key)
                self.updates += len(cells)
                for i, cell in enumerate(cells):
                    self._widths[i] = max(self._widths[i], _width(cell))
            else:
                changed = False
                for i, (before, after) in enumerate(zip(old, cells, strict=True)):
                    if before != after:
                        wider = _width(after) > self._widths[i]
                        if wider:
                            self._widths[i] = _width(after)
                            table.update_cell(key, self.keys[i], after, update_width=True)
                        else:
                            _set_quietly(table, key, self.keys[i], after)
                            changed = True
                        self.updates += 1
                if changed:
                    # update_cell repaints the whole table, and a terminal (over SSH) gets
                    # every row again; repainting the changed row sends only that line.
                    table._update_count += 1  # the rows' render cache is keyed by it
                    table.refresh_row(table.get_row_index(key))
            self._rows[key] = cells
        if stale and selected in self._rows:
            # A removed row above it would move the cursor to another row (and k or o
            # would act on another process): the cursor follows its row instead.
            index = table.get_row_index(selected)
            if index != table.cursor_row:
                table.move_cursor(row=index)

    def reset(self) -> None:
        """Forget every row: only when a new run starts, where a fresh cursor is right."""
        self.table.clear()
        self._rows.clear()
        self._widths = [column.label.cell_len for column in self.table.columns.values()]

    def selected_key(self) -> str | None:
        """The row key under the cursor, or None when the table is empty."""
        if not self._rows:
            return None
        try:
            row_key, _ = self.table.coordinate_to_cell_key(self.table.cursor_coordinate)
        except Exception:  # noqa: BLE001 - a cursor outside the rows means "none"
            return None
        return row_key.value
