"""The desk's quick start (`duban` on a SQLite file at this schema version): the overview
is read over the DB-API before Textual is imported, the store opened and the other tabs
mounted after the first paint. The first screen must not lie, the desk must work fully
once the rest is in, and a store that cannot be opened then still ends in one line.

The quick start over sqlite3: these tests run on the demo SQLite file (the module is not
marked `both_stores`); the PostgreSQL quick start has its own: test_desk_first_screen_pg.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.app.conftest import OPERATOR, settle
from tui.store.demo_history import DEMO_AS_OF

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "sqlmodel", "pypinyin", "tui.store.models", "tui.app.tabs.items")


def test_nothing_heavy_is_imported_on_the_way_to_the_first_screen():
    code = (
        "import sys, tui.cli, tui.commands.desk, tui.services.first_screen, tui.app.app\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_building_the_desk_brings_in_nothing_the_first_screen_does_not_need(tmp_path):
    """The ladder and its working-day calendar are the triage tab's, built when it asks."""
    code = (
        "import sys\n"
        "from datetime import date\n"
        "from tui.app.app import DubanApp\n"
        "from tui.services.store_target import locate\n"
        f"app = DubanApp(None, as_of=date(2024, 11, 15), target=locate({str(tmp_path / 'x.db')!r}),"
        " opener=lambda: None)\n"
        "late = ('tui.domain.escalation', 'tui.domain.calendar', 'chinese_calendar')\n"
        "print([m for m in late + " + repr(HEAVY) + " if m in sys.modules])\n"
        "print(app.ladder_settings is not None, 'tui.domain.escalation' in sys.modules)"
    )
    env = {**os.environ, "DUBAN_CONFIG": str(ROOT / "data" / "settings.example.toml")}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "True True"  # and built when asked


def _quick_app(store: Path, opener=None):
    from tui.app.app import DubanApp
    from tui.services.first_screen import start_first_screen
    from tui.services.store import open_store
    from tui.services.store_target import locate

    target = locate(str(store))
    opened = []

    def open_it():
        s = open_store(target)
        opened.append(s)
        return s

    app = DubanApp(
        None,
        as_of=DEMO_AS_OF,
        target=target,
        operator=OPERATOR,
        opener=opener or open_it,
        first=start_first_screen(store, DEMO_AS_OF),
    )
    return app, opened


async def board_read(pilot) -> None:
    """Settled, with the whole board read behind the first screen (up to 10 s)."""
    await settle(pilot)
    for _ in range(200):
        if pilot.app.board is not None:
            break
        await pilot.pause(0.05)
    await settle(pilot)


async def test_first_counts_are_the_boards_and_the_desk_works_after(store, monkeypatch):
    from tui.app.tabs.overview import OverviewTab

    monkeypatch.setenv("DUBAN_CONFIG", "/dev/null")
    shown = []
    original = OverviewTab.show_overview

    def record(self, ov):
        shown.append((ov.counts, ov.total, ov.figures, ov.plans, self.app.board is None))
        original(self, ov)

    monkeypatch.setattr(OverviewTab, "show_overview", record)
    app, opened = _quick_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await board_read(pilot)
        assert app.board is not None and opened and app.store is opened[0]
        first, last = shown[0], shown[-1]
        assert first[-1] is True  # drawn before the board was read
        full = app.board.overview
        assert first[:4] == (full.counts, full.total, full.figures, full.plans)
        assert last[:4] == first[:4]
        assert f"共 {full.total} 项落实事项" in app.screen_text()
        await pilot.press("3")  # the tabs mounted after the first screen work as ever
        await settle(pilot)
        assert app.active_tab == "items"
        assert f"共 {full.total} 项" in app.screen_text()
        await pilot.press("q")
        await settle(pilot)
    assert app.closed


async def test_collecting_resumes_once_the_first_screen_is_drawn(store, monkeypatch):
    """`duban` pauses the garbage collector for the desk's start-up (tui.cli.main); the desk
    must resume it after its first screen, or a whole session would never collect. Its full
    collections come ten times rarer than by default: each walks the board's columns, and
    by default typing set one off every second (tui.app.collector)."""
    import gc

    from tui.app.collector import FULL_AFTER

    monkeypatch.setenv("DUBAN_CONFIG", "/dev/null")
    app, _opened = _quick_app(store)
    thresholds = gc.get_threshold()
    gc.disable()
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await board_read(pilot)
            assert gc.isenabled()
            assert gc.get_threshold() == (thresholds[0], thresholds[1], FULL_AFTER)
    finally:
        gc.set_threshold(*thresholds)
        gc.enable()


async def test_a_first_read_done_before_mount_is_in_the_first_layout(store, monkeypatch):
    """When the start-up read has finished by the time the screens are mounted, its counts go
    in at mount, before the first layout: drawn after it they cost a second whole-screen
    layout. It is shown once, not again when the worker waiting on it reports."""
    from tui.app.app import DubanApp
    from tui.app.tabs.overview import OverviewTab

    monkeypatch.setenv("DUBAN_CONFIG", "/dev/null")
    in_mount, shown = [], []
    original_show, original_mount = OverviewTab.show_overview, DubanApp.on_mount

    def record(self, ov):
        shown.append((bool(in_mount), self.app.board is None))
        original_show(self, ov)

    def mount(self):
        in_mount.append(True)
        try:
            original_mount(self)
        finally:
            in_mount.clear()

    import tui.app.board_flow as board_flow

    events: list[str] = []  # the first paint and the tabs' imports, in the order they came
    original_display, original_tabs = DubanApp._display, board_flow.tab_classes

    def display(self, screen, update):
        events.append("paint")
        return original_display(self, screen, update)

    def tabs():
        events.append("tabs")
        return original_tabs()

    monkeypatch.setattr(OverviewTab, "show_overview", record)
    monkeypatch.setattr(DubanApp, "on_mount", mount)
    monkeypatch.setattr(DubanApp, "_display", display)
    monkeypatch.setattr(board_flow, "tab_classes", tabs)
    app, _opened = _quick_app(store)
    app._first.result(timeout=30)  # the read is done before Textual mounts anything
    async with app.run_test(size=(120, 40)) as pilot:
        await board_read(pilot)
        # the other tabs' imports wait for the first screen: in a worker they would hold
        # the interpreter lock while it is laid out
        assert events.index("paint") < events.index("tabs")
        assert shown[0] == (True, True)  # at mount, before the board
        assert [s for s in shown if s[1]] == [(True, True)]  # once before the board
        total = app.board.overview.total
        assert f"共 {total} 项落实事项" in app.screen_text()
        await pilot.press("q")
        await settle(pilot)


async def test_a_store_that_cannot_be_opened_after_the_first_screen_ends_in_one_line(
    store, monkeypatch
):
    from tui.errors import DubanError

    monkeypatch.setenv("DUBAN_CONFIG", "/dev/null")

    def refuse():
        raise DubanError("数据库被另一个程序锁定：duban.db")

    app, _opened = _quick_app(store, opener=refuse)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
    assert app.return_code == 2
    assert app.failure == "数据库被另一个程序锁定：duban.db"
    assert app.store is None
