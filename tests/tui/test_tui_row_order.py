"""Rows of the tables keep their order (start order, never re-sorted), and the cursor stays
on the process the user selected while others start and end.

Found: when rows above the cursor were removed (ended processes the Store stops listing
past MAX_ENDED_PROCESSES), the DataTable kept the cursor's row *number*, so the cursor
jumped to another process and ``k`` or ``o`` acted on it. A pid reused by a new process
(which the Store lists last, in start order) kept the old row's place.
"""

from __future__ import annotations

import pytest
from real_engine import wait_for
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from mptui.engine import store as store_module
from mptui.engine.session import Program, Session
from mptui.tui.app import MptuiApp
from mptui.tui.widgets.table_sync import TableSync

CHURN = """
import multiprocessing as mp, os, sys, time

def short(n):
    print("short", n, flush=True)

def keeper():
    print("keeper up", flush=True)
    time.sleep(60)

def run(name, n):
    p = mp.Process(target=short, args=(n,), name=f"{name}-{n}")
    p.start()
    p.join()

if __name__ == "__main__":
    for n in range(3):
        run("early", n)
    mp.Process(target=keeper, name="keeper", daemon=True).start()
    time.sleep(0.5)  # its row comes first, then theirs: rows below it, where the cursor went
    for n in range(3):
        mp.Process(target=keeper, name=f"companion-{n}", daemon=True).start()
    while not os.path.exists(sys.argv[1]):  # the test selects the keeper first
        time.sleep(0.05)
    for n in range(8):
        run("late", n)
    print("all late ones ended", flush=True)
    time.sleep(60)
"""


def row_keys(table: DataTable) -> list[str]:
    return [row.key.value for row in table.ordered_rows]


@pytest.mark.timeout(90)
async def test_the_cursor_stays_on_its_process_while_others_start_and_end(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_ENDED_PROCESSES", 4)  # forget ended ones soon
    go = tmp_path / "go"
    script = tmp_path / "churn.py"
    script.write_text(CHURN)
    app = MptuiApp(session_factory=Session, script=Program.from_script(script, (str(go),)),
                   autostart="script")  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        dashboard = app.dashboard
        panel = dashboard.processes

        def snapshot():
            return app.session.store.snapshot()

        def keeper_pid() -> int | None:
            return next((p.pid for p in snapshot().processes if p.name == "keeper"), None)

        assert await wait_for(app, lambda: len(panel.table.rows) == 8)  # runner, 3 early, 4
        keeper = keeper_pid()
        dashboard.focus_panel("processes")
        for _ in range(8):  # as a user would: down until the keeper is selected
            if panel.selected_pid == keeper:
                break
            await pilot.press("down")
            await pilot.pause()
        assert panel.selected_pid == keeper
        go.write_text("")
        log = dashboard.log_panel.log_view
        assert await wait_for(app, lambda: any("all late ones ended" in x for x in log.lines))
        assert await wait_for(app, lambda: snapshot().processes_forgotten >= 3)
        app.refresh_now()
        await pilot.pause()
        # The early processes above the keeper are gone from the table...
        keys = row_keys(panel.table)
        assert keys == [str(p.pid) for p in snapshot().processes]  # the Store's order
        # ...and the cursor is still on the keeper.
        assert panel.selected_pid == keeper
        await app.action_quit()


class OneTable(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")


def rows(*keys: str) -> dict[str, tuple[str]]:
    return {key: (f"process {key}",) for key in keys}


async def test_table_sync_keeps_the_given_order_and_the_cursor_on_its_row():
    app = OneTable()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        sync = TableSync(table, [("name", "Process")])
        sync.sync(rows("1", "2", "3", "4"))
        table.move_cursor(row=2)
        assert sync.selected_key() == "3"
        # Rows above the cursor end and are forgotten; new ones start.
        sync.sync(rows("1", "3", "4", "5"))
        await pilot.pause()
        assert row_keys(table) == ["1", "3", "4", "5"]
        assert sync.selected_key() == "3"
        # Pid 3 is reused by a new process: the Store lists it last, as it started last.
        sync.sync(rows("1", "4", "5", "3"))
        await pilot.pause()
        assert row_keys(table) == ["1", "4", "5", "3"]
        assert sync.selected_key() == "3"
        # The selected row itself goes: the cursor stays at its place, on the next row.
        table.move_cursor(row=1)
        sync.sync(rows("1", "5", "3"))
        await pilot.pause()
        assert row_keys(table) == ["1", "5", "3"]
        assert sync.selected_key() == "5"
