"""The status rules have one home (tui.domain.status / urgency) and two ways of being applied:
one object per assignment (`load_facts` + `evaluate`: `duban overdue`, summary, letters, demo)
and columns (`load_columns` + `evaluate_columns`: the desk's board). Both must give the very
same status, urgency and silence for every assignment, on a generated store holding every
case the rules know: one-off and recurring deadlines, granted extensions, progress reports
(some naming the occurrences they answer), closings on time, late and after the date looked
from, no deadline at all, and letters already sent. (The demo store's board is compared in
tests/test_desk_store.py::test_load_desk_matches_board_evaluate.)
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
from tui.domain.board import LIGHTS, evaluate  # noqa: E402
from tui.domain.status import Status, assignment_status  # noqa: E402
from tui.domain.urgency import urgency  # noqa: E402
from tui.store.board import connect, judge_columns, load_columns  # noqa: E402
from tui.store.facts import load_facts  # noqa: E402

EARLY = date(2024, 3, 31)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    db = build_store(tmp_path_factory.mktemp("cols") / "s.db", assignments=6000, seed=5)
    # Reports that name the occurrences they answer ("the reports for January to June"):
    # the generator writes none, so a few recurring duties' latest reports get a range.
    with sqlite3.connect(db) as c:
        rows = c.execute(
            "SELECT pr.id, t.due_dates FROM progress pr JOIN assignment a ON a.id = pr.assignment_id "
            "JOIN task t ON t.id = a.task_id WHERE t.due_recurring = 1 ORDER BY pr.id LIMIT 40"
        ).fetchall()
        for n, (pid, dues) in enumerate(rows):
            occ = dues.split(",")
            lo = None if n % 2 else occ[0]
            hi = occ[min(len(occ) - 1, 1 + n % 3)]
            c.execute(
                "UPDATE progress SET cover_from = ?, cover_to = ? WHERE id = ?", (lo, hi, pid)
            )
    return db


def _by_facts(db: Path, as_of: date, **kw) -> dict[int, tuple]:
    conn = connect(str(db))
    try:
        facts = load_facts(conn, as_of=as_of, **kw)
    finally:
        conn.close()
    return {e.fact.id: (e.status, e.urgency, e.days_since_progress) for e in evaluate(facts, as_of)}


def _by_columns(db: Path, as_of: date) -> dict[int, tuple]:
    conn = connect(str(db))
    try:
        cols = load_columns(conn, as_of=as_of)
    finally:
        conn.close()
    v = judge_columns(cols, as_of)
    assert [LIGHTS[c] for c in v.light_codes] == [s.status for s in v.statuses]
    return dict(zip(cols.ids, zip(v.statuses, v.urgencies, v.since, strict=True), strict=True))


def test_the_generated_store_holds_every_case(store):
    with sqlite3.connect(store) as c:
        one = lambda sql: c.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM assignment WHERE due_override IS NOT NULL") > 0
        assert one("SELECT count(*) FROM assignment WHERE completed_on IS NOT NULL") > 0
        # looked at from EARLY, some closings and reports lie ahead
        assert one(f"SELECT count(*) FROM assignment WHERE completed_on > '{EARLY}'") > 0
        assert one(f"SELECT count(*) FROM progress WHERE reported_on > '{EARLY}'") > 0
        assert one("SELECT count(*) FROM task WHERE due_recurring = 1") > 0
        assert one("SELECT count(*) FROM task WHERE due_dates = ''") > 0
        assert one("SELECT count(*) FROM progress WHERE cover_to IS NOT NULL") > 0
        assert one("SELECT count(*) FROM letter_item") > 0
    lights = {st.status for st, _u, _s in _by_facts(store, AS_OF).values()}
    assert lights == set(Status)


@pytest.mark.parametrize("as_of", [AS_OF, EARLY, date(2025, 6, 30)])
def test_columns_and_objects_judge_every_assignment_alike(store, as_of):
    objects = _by_facts(store, as_of)
    columns = _by_columns(store, as_of)
    assert len(objects) == len(columns) == 6000
    differ = [aid for aid in objects if objects[aid] != columns[aid]]
    assert not differ, [(aid, objects[aid], columns[aid]) for aid in differ[:5]]


def test_the_memoised_evaluation_equals_the_plain_rules(store):
    """`evaluate` memoises per distinct input; applied row by row the rules give the same."""
    conn = connect(str(store))
    try:
        facts = load_facts(conn, as_of=AS_OF)
    finally:
        conn.close()
    for e in evaluate(facts, AS_OF):
        f = e.fact
        st = assignment_status(
            f.due_dates,
            AS_OF,
            completed_on=f.completed_on,
            progress_dates=f.progress_dates,
            recurring=f.recurring,
            covers=f.progress_covers if f.recurring else (),
        )
        since = (AS_OF - f.progress_dates[-1]).days if f.progress_dates else None
        u = urgency(
            st,
            role=f.role,
            letters_sent=f.letters_sent,
            highest_rung=f.highest_rung,
            days_since_progress=since,
        )
        assert (e.status, e.urgency, e.days_since_progress) == (st, u, since), f.id


def test_past_due_only_keeps_every_overdue_row(store):
    """`duban overdue` reads only the rows that can be overdue: none of them is lost."""
    every = _by_facts(store, AS_OF)
    some = _by_facts(store, AS_OF, past_due_only=True)
    overdue = {aid for aid, (st, _u, _s) in every.items() if st.status is Status.OVERDUE}
    assert overdue <= set(some)
    assert all(some[aid] == every[aid] for aid in overdue)
