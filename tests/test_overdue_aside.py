"""`duban overdue` on a SQLite file reads the rows' columns on a second connection while the
first reads tasks, reports and letters (`overdue_listing._ColumnsAside`). The listing is the
same either way, and a connection holding uncommitted changes is read on itself alone (a
second connection would not see them)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_store import AS_OF, build_store  # noqa: E402
from tui.commands import overdue as overdue_cmd  # noqa: E402
from tui.store import overdue_listing  # noqa: E402
from tui.store.board import connect  # noqa: E402
from tui.store.overdue_listing import read_overdue  # noqa: E402


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("aside") / "s.db", assignments=1200, seed=5)


def _records(conn) -> list[dict]:
    return overdue_cmd._records(read_overdue(conn, AS_OF), AS_OF)


def test_the_columns_read_aside_list_what_the_one_connection_read_lists(store, monkeypatch):
    started = []
    start = overdue_listing._ColumnsAside.start

    def spy(*args):
        aside = start(*args)
        started.append(aside)
        return aside

    conn = connect(str(store))
    try:
        monkeypatch.setattr(overdue_listing._ColumnsAside, "start", spy)
        aside_read = _records(conn)
        monkeypatch.setattr(overdue_listing._ColumnsAside, "start", lambda *a: None)
        alone = _records(conn)
    finally:
        conn.close()
    assert started and started[0] is not None  # the second connection was used
    assert aside_read and aside_read == alone


def test_uncommitted_changes_are_read_on_their_own_connection(store, tmp_path):
    db = tmp_path / "open.db"
    db.write_bytes(store.read_bytes())
    conn = sqlite3.connect(db)
    try:
        listed = [r["assignment_id"] for r in _records(conn)]
        closed = listed[0]
        conn.execute("UPDATE assignment SET completed_on = '2024-01-02' WHERE id = ?", (closed,))
        assert conn.in_transaction
        after = [r["assignment_id"] for r in _records(conn)]
        assert after == [aid for aid in listed if aid != closed]
    finally:
        conn.rollback()
        conn.close()


def test_an_error_on_the_second_connection_reaches_the_reader(store, monkeypatch):
    monkeypatch.setattr(overdue_listing, "_CONCAT_SQL", "SELECT * FROM no_such_table WHERE 1")
    conn = connect(str(store))
    try:
        with pytest.raises(sqlite3.OperationalError, match="no_such_table"):
            read_overdue(conn, AS_OF)
    finally:
        conn.close()
