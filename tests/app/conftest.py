"""A real demo store (sample plans + demo history) built once, copied per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tui.store.demo_history import DEMO_AS_OF

OPERATOR = "测试员"


def q(db, sql: str, *args) -> list[tuple]:
    """Rows of one query on a SQLite store file, read outside the desk."""
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory) -> Path:
    from tui.commands.demo import build_demo_store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo_store(str(path))
    return path


@pytest.fixture
def store(demo_master, tmp_path, store_kind, request) -> Path | str:
    """The desk's store: a copy of the demo file, or on the PostgreSQL half (tests marked
    `both_stores`) a copy of the demo database, as its URL."""
    if store_kind == "postgresql":
        return request.getfixturevalue("pg_demo_db")
    dest = tmp_path / "duban.db"
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(demo_master) + suffix)
        if src.exists():
            shutil.copy(src, str(dest) + suffix)
    return dest


@pytest.fixture
def make_app(store, monkeypatch, tmp_path):
    monkeypatch.setenv("DUBAN_CONFIG", os.devnull)  # an empty settings file: the defaults
    opened = []

    def make(**kw):
        from tui.app.app import DubanApp
        from tui.services.store import open_store

        handle = open_store(str(store))
        opened.append(handle)
        kw.setdefault("as_of", DEMO_AS_OF)
        kw.setdefault("operator", OPERATOR)
        return DubanApp(handle, **kw)

    yield make
    for handle in opened:
        handle.engine.dispose()


@pytest.fixture
def desk_on(monkeypatch):
    """A factory of desks on a given store file (default settings; closed after the test)."""
    monkeypatch.setenv("DUBAN_CONFIG", os.devnull)
    opened = []

    def make(db, *, create: bool = False, **kw):
        from tui.app.app import DubanApp
        from tui.services.store import open_store

        handle = open_store(str(db), create=create)
        opened.append(handle)
        kw.setdefault("operator", OPERATOR)
        return DubanApp(handle, **kw)

    yield make
    for handle in opened:
        handle.engine.dispose()


async def choose_import_file(pilot, path) -> None:
    """Press i, type the file's path into the import dialog and start the import."""
    from textual.widgets import Input

    await settle(pilot)
    await pilot.press("i")
    await pilot.pause()
    pilot.app.screen.query_one("#ip-path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await settle(pilot)


DESK_GROUPS = ("read", "write", "load", "detail")


async def settle(pilot) -> None:
    """Let the desk's workers finish and their results land on screen (a DirectoryTree's
    loader never finishes: only the desk's own worker groups are waited for)."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        for _ in range(100):  # reads that wait for the keys to be quiet (tui.app.tabs.base)
            if not app.reads_pending():
                break
            await pilot.pause(0.02)
        mine = [w for w in app.workers if w.group in DESK_GROUPS]
        if mine:  # (an empty list would mean every worker)
            await app.workers.wait_for_complete(mine)
    await pilot.pause()
