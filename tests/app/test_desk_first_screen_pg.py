"""The desk's quick start on a PostgreSQL store: the overview read with psycopg alone
(`tui.store.pg_first`) before SQLAlchemy is imported, grouped on the server, equal to the
board's own numbers; a server store not at this schema takes the ordinary way. Runs against
the real server (DUBAN_TEST_PG)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.app.conftest import OPERATOR, settle
from tests.app.test_desk_first_screen import HEAVY
from tui.store.demo_history import DEMO_AS_OF


def _set_version(url: str, version: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": version}
            )
    finally:
        engine.dispose()


def test_the_quick_read_of_a_server_store_imports_nothing_heavy(pg_demo_db):
    code = (
        "import sys, datetime\n"
        "from tui.services.first_screen import read_first_screen\n"
        f"ov = read_first_screen({pg_demo_db!r}, datetime.date.fromisoformat("
        f"{DEMO_AS_OF.isoformat()!r}))\n"
        f"print(ov.total > 0, [m for m in {HEAVY!r} if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "True []"


def test_a_server_store_at_another_schema_takes_the_ordinary_way(pg_demo_db):
    from tui.services.first_screen import read_first_screen
    from tui.store.pg_first import open_current

    reader = open_current(pg_demo_db)
    assert reader is not None
    reader.close()
    _set_version(pg_demo_db, "9")
    assert open_current(pg_demo_db) is None
    with pytest.raises(LookupError):
        read_first_screen(pg_demo_db, DEMO_AS_OF)
    # nowhere to connect: None as well, the ordinary open says what is wrong
    assert open_current("postgresql+psycopg://nobody@127.0.0.1:1/none", timeout_s=1) is None


async def test_first_counts_on_postgresql_are_the_boards(pg_demo_db, monkeypatch):
    from tui.app.app import DubanApp
    from tui.app.tabs.overview import OverviewTab
    from tui.services.first_screen import start_first_screen
    from tui.services.store import open_store
    from tui.services.store_target import locate

    monkeypatch.setenv("DUBAN_CONFIG", "/dev/null")
    shown = []
    original = OverviewTab.show_overview

    def record(self, ov):
        letters = [(x.id, x.number, x.status) for x in ov.letters]
        shown.append((ov.counts, ov.total, ov.figures, ov.plans, letters, self.app.board is None))
        original(self, ov)

    monkeypatch.setattr(OverviewTab, "show_overview", record)
    target = locate(pg_demo_db)
    app = DubanApp(
        None,
        as_of=DEMO_AS_OF,
        target=target,
        operator=OPERATOR,
        opener=lambda: open_store(target),
        first=start_first_screen(pg_demo_db, DEMO_AS_OF),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.board is not None
        first = shown[0]
        assert first[-1] is True  # drawn from the quick read, before the board
        full = app.board.overview
        letters = [(x.id, x.number, x.status) for x in full.letters]
        assert first[:5] == (full.counts, full.total, full.figures, full.plans, letters)
        assert full.total > 1000 and first[4]
        await pilot.press("q")
        await settle(pilot)
    assert app.closed
