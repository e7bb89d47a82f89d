"""The facts `load_facts` and `judged_facts` build cheaply must be the earlier reader's to the
type, not only equal: a dataclass compares its fields with ``==``, which takes 1 for True and
a list for nothing a tuple holds, so the oracle's comparison alone would let a cheaper build
change a field's type. And with every row read, the reports are read without joining them
to their assignments: those of withdrawn assignments and of closed tasks must still be left
out.
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import fields
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_store import AS_OF, build_store  # noqa: E402
from tests.test_judged_facts import _old_load_facts  # noqa: E402
from tests.test_overdue_listing import _RowsOnly  # noqa: E402
from tui.domain.board import evaluate  # noqa: E402
from tui.store.board import connect  # noqa: E402
from tui.store.facts import AssignmentFact, judged_facts, load_facts  # noqa: E402

NAMES = [f.name for f in fields(AssignmentFact)]


def _shape(value) -> object:
    """A value's type, and its items' types for a tuple (nested once more for covers)."""
    if isinstance(value, tuple):
        return (tuple, tuple(_shape(v) for v in value))
    return type(value)


def _shapes(fact) -> list:
    return [(name, _shape(getattr(fact, name))) for name in NAMES]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, set[int]]:
    """A generated store where some assignments with reports were withdrawn, one task with
    reports was closed, and some reports name their occurrences; returns the store and the
    ids of the rows no longer live."""
    db = build_store(tmp_path_factory.mktemp("facts") / "s.db", assignments=1500, seed=11)
    with sqlite3.connect(db) as c:
        with_reports = [
            a for (a,) in c.execute("SELECT DISTINCT assignment_id FROM progress ORDER BY 1")
        ]
        gone = set(with_reports[::9])
        c.executemany("UPDATE assignment SET active = 0 WHERE id = ?", [(a,) for a in gone])
        (task,) = c.execute(
            "SELECT a.task_id FROM progress pr JOIN assignment a ON a.id = pr.assignment_id "
            "WHERE a.active = 1 ORDER BY pr.id DESC LIMIT 1"
        ).fetchone()
        c.execute("UPDATE task SET active = 0 WHERE id = ?", (task,))
        gone |= {a for (a,) in c.execute("SELECT id FROM assignment WHERE task_id = ?", (task,))}
        rows = c.execute(
            "SELECT pr.id, t.due_dates FROM progress pr JOIN assignment a ON a.id = pr.assignment_id "
            "JOIN task t ON t.id = a.task_id WHERE t.due_recurring = 1 AND a.active = 1 "
            "ORDER BY pr.id LIMIT 20"
        ).fetchall()
        for n, (pid, dues) in enumerate(rows):
            occ = dues.split(",")
            c.execute(
                "UPDATE progress SET cover_from = ?, cover_to = ? WHERE id = ?",
                (None if n % 2 else occ[0], occ[-1], pid),
            )
    return db, gone


@pytest.mark.parametrize("as_of", [date(2024, 3, 31), AS_OF, None])
def test_the_facts_are_the_earlier_readers_to_the_type(store, as_of):
    db, gone = store
    conn = connect(str(db))
    try:
        for reader in (conn, _RowsOnly(conn)):
            old = _old_load_facts(reader, as_of, False, None, None)
            new = load_facts(reader, as_of=as_of)
            assert new == old
            assert [_shapes(f) for f in new] == [_shapes(f) for f in old]
            assert not gone & {f.id for f in new}
            assert any(f.progress_dates for f in new)
            if as_of is not None:
                judged = judged_facts(reader, as_of=as_of)
                assert judged == evaluate(old, as_of)
                assert [_shapes(e.fact) for e in judged] == [_shapes(f) for f in old]
                assert [type(e) for e in judged] == [type(e) for e in evaluate(old, as_of)]
    finally:
        conn.close()


def test_the_store_holds_what_the_test_needs(store):
    db, gone = store
    with sqlite3.connect(db) as c:
        withdrawn_reports = c.execute(
            "SELECT count(*) FROM progress pr JOIN assignment a ON a.id = pr.assignment_id "
            "JOIN task t ON t.id = a.task_id WHERE a.active = 0 OR t.active = 0"
        ).fetchone()[0]
        assert withdrawn_reports > 0
        assert c.execute("SELECT count(*) FROM progress WHERE cover_to IS NOT NULL").fetchone()[0]
    assert gone
