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
    loader never finishes: only the desk's own worker groups are waited for). A worker's
    result can start the next read (the overview's counts start the board's read after a
    refresh), so the desk is settled only when two rounds in a row find nothing under way
    and, on a store, the board has been read — however slow the machine."""
    app = pilot.app
    quiet = 0
    for _ in range(400):
        await pilot.pause()
        if app.reads_pending():  # reads that wait for the keys to be quiet (tabs.base)
            quiet = 0
            await pilot.pause(0.02)
            continue
        mine = [w for w in app.workers if w.group in DESK_GROUPS and not w.is_finished]
        if mine:
            quiet = 0
            await app.workers.wait_for_complete(mine)
            continue
        if getattr(app, "store", None) is not None and getattr(app, "board", 1) is None:
            quiet = 0
            await pilot.pause(0.02)
            continue
        quiet += 1
        if quiet >= 2:
            break
    await pilot.pause()


def _screen_lines(svg: str) -> list[str]:
    """The text of a snapshot's SVG, row by row (for a readable failure message)."""
    import html
    import re
    from collections import defaultdict

    rows: dict[float, list[tuple[float, str]]] = defaultdict(list)
    for m in re.finditer(r'<text[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        rows[float(m.group(2))].append((float(m.group(1)), html.unescape(m.group(3))))
    return [
        "".join(t for _x, t in sorted(r)).replace("\xa0", " ") for _y, r in sorted(rows.items())
    ]


@pytest.fixture
def snap_compare(snap_compare, request):
    """The plugin's comparison, plus the screen's text on a mismatch: CI keeps only the log,
    and a mismatch that cannot be read there cannot be fixed."""

    def compare(*args, **kw) -> bool:
        ok = snap_compare(*args, **kw)
        if not ok:
            import difflib
            import pickle

            from pytest_textual_snapshot import node_to_report_path

            data = pickle.loads(node_to_report_path(request.node).read_bytes())
            expected, actual = _screen_lines(str(data[1])), _screen_lines(str(data[2]))
            print("snapshot mismatch, screen text (expected → actual):")
            diff = list(difflib.unified_diff(expected, actual, "expected", "actual", lineterm=""))
            print("\n".join(diff) or "(the same text: only colours or styles differ)")
        return ok

    return compare
