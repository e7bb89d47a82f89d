"""The paths of `tui.store.overdue_listing`'s read that the generated store seldom takes:
a row that is overdue only through a granted extension whose task's own first deadline is
still ahead (its task is read after the rows, by id), and reports that do not come back in
entry order (a server store's rows: sorted by entry before by date). The object path
(`load_facts`, `evaluate`, `by_urgency`) is the reference, as in test_overdue_listing.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_store import AS_OF, build_store  # noqa: E402
from tui.commands import overdue as overdue_cmd  # noqa: E402
from tui.domain.board import by_urgency, evaluate  # noqa: E402
from tui.domain.status import Status  # noqa: E402
from tui.store import overdue_listing  # noqa: E402
from tui.store.board import connect  # noqa: E402
from tui.store.facts import load_facts  # noqa: E402
from tui.store.overdue_listing import read_overdue  # noqa: E402


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("paths") / "s.db", assignments=1500, seed=11)


def _reference_ids(db: Path, as_of: date) -> list[tuple[int, str | None]]:
    conn = connect(str(db))
    try:
        facts = load_facts(conn, as_of=as_of)
    finally:
        conn.close()
    rows = by_urgency([r for r in evaluate(facts, as_of) if r.status.status is Status.OVERDUE])
    return [(r.fact.id, r.fact.last_progress or None) for r in rows]


def _listed_ids(conn, as_of: date) -> list[tuple[int, str | None]]:
    records = overdue_cmd._records(read_overdue(conn, as_of), as_of)
    return [(r["assignment_id"], r["last_progress"]) for r in records]


def test_a_row_overdue_only_by_its_extension_is_listed_with_its_task(store, tmp_path):
    db = tmp_path / "ext.db"
    db.write_bytes(store.read_bytes())
    with sqlite3.connect(db) as c:
        # A task whose every deadline lies ahead of AS_OF; one open row of it given an
        # earlier deadline (a correction), so only the extension makes it overdue.
        tid, first = c.execute(
            "SELECT id, due_first FROM task WHERE active AND due_first > ? AND due_recurring = 0 "
            "ORDER BY id LIMIT 1",
            (AS_OF.isoformat(),),
        ).fetchone()
        aid = c.execute(
            "SELECT id FROM assignment WHERE task_id = ? AND active AND completed_on IS NULL "
            "ORDER BY id LIMIT 1",
            (tid,),
        ).fetchone()[0]
        c.execute("UPDATE assignment SET due_override = '2024-01-31' WHERE id = ?", (aid,))
    assert first > AS_OF.isoformat()
    want = _reference_ids(db, AS_OF)
    assert aid in {i for i, _ in want}
    conn = connect(str(db))
    try:
        listing = read_overdue(conn, AS_OF)
        assert tid in listing.cols.tasks
        assert _listed_ids(conn, AS_OF) == want
    finally:
        conn.close()


class _ShuffledReports:
    """sqlite3 underneath, but not a sqlite3 cursor (the generic path), and the reports come
    back newest entry first: the reader may not take the rows' order for entry order."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def cursor(self):
        return _Cursor(self._conn.cursor())


class _Cursor:
    def __init__(self, cur: sqlite3.Cursor) -> None:
        self._cur = cur
        self._rows: list | None = None

    def execute(self, sql: str, params=None):
        self._cur.execute(sql, params or {})
        rows = self._cur.fetchall()
        if sql == overdue_listing._REPORTS_SQL:
            rows.reverse()
        self._rows = rows
        return self

    def fetchall(self):
        return list(self._rows or [])

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def __iter__(self):
        return iter(self.fetchall())

    def close(self) -> None:
        self._cur.close()


def test_reports_out_of_entry_order_are_read_in_date_and_entry_order(store, tmp_path):
    db = tmp_path / "same-day.db"
    db.write_bytes(store.read_bytes())
    with sqlite3.connect(db) as c:
        aids = [
            aid
            for (aid,) in c.execute(
                "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id "
                "WHERE a.active AND a.completed_on IS NULL AND t.due_first <> '' "
                "AND t.due_first < '2024-06-01' ORDER BY a.id LIMIT 5"
            )
        ]
        for k, aid in enumerate(aids):
            for on, text in (("2024-10-20", f"先录{k}"), ("2024-10-20", f"后录{k}")):
                c.execute(
                    "INSERT INTO progress (assignment_id, reported_on, text, done, recorded_at, "
                    "recorded_by) VALUES (?, ?, ?, 0, '2024-11-01 08:00:00', '测试')",
                    (aid, on, text),
                )
    want = _reference_ids(db, AS_OF)
    assert {f"后录{k}" for k in range(len(aids))} <= {t for _, t in want}
    conn = connect(str(db))
    try:
        assert _listed_ids(_ShuffledReports(conn), AS_OF) == want
        assert _listed_ids(conn, AS_OF) == want
    finally:
        conn.close()
