"""A circular's (通报) counts per unit — items, done, overdue — are the desk's for the same
plan and date, recurring duties included: a report that names the occurrence it answers
(cover_from / cover_to) counts in the circular as it counts at the desk. The circular
judged recurring duties from report dates alone, and called overdue what the desk showed
as answered."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlmodel import Session

from bench.gen_store import build_store
from tui.domain.status import Status
from tui.reports.circular import build_figures
from tui.store.circulars import circular_facts
from tui.store.db import dispose_engine, make_engine
from tui.store.desk import load_desk

AS_OF = date(2024, 11, 15)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A generated store (recurring duties, reports, closings, extensions) where some open
    recurring duties with a missed occurrence have a report naming what it answers."""
    db = tmp_path_factory.mktemp("circ") / "store.db"
    build_store(db, assignments=3000, seed=5)
    day = AS_OF.isoformat()
    with sqlite3.connect(db) as c:
        recurring = [
            r[0]
            for r in c.execute(
                "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id "
                "WHERE a.active = 1 AND t.active = 1 AND t.due_recurring = 1 "
                "AND a.due_override IS NULL AND a.completed_on IS NULL AND a.unit_id IS NOT NULL "
                "AND t.due_first < ? ORDER BY a.id",
                (day,),
            )
        ]
        assert len(recurring) > 12
        far = (AS_OF + timedelta(days=400)).isoformat()
        for n, aid in enumerate(recurring[:12]):
            cover = ((None, day), (None, far), ("2024-01-01", far))[n % 3]
            c.execute(
                "INSERT INTO progress (assignment_id, reported_on, text, done, recorded_at, "
                "recorded_by, cover_from, cover_to) VALUES (?, ?, '按期报送', 0, ?, '测试', ?, ?)",
                (aid, day, f"{day} 10:00:00", *cover),
            )
    return db


def _desk_lines(data, plan_id: int) -> dict[int, tuple[int, int, int]]:
    """Per unit of the plan: (items, done, overdue) as the desk's board counts them."""
    plan_of = {t: x[0] for t, x in data.tasks.items()}
    lines: dict[int, Counter] = {}
    for uid, tid, st in zip(data.unit_ids, data.task_ids, data.lights, strict=True):
        if uid is None or plan_of[tid] != plan_id:
            continue
        c = lines.setdefault(uid, Counter())
        c["items"] += 1
        c["done"] += st in (Status.DONE, Status.DONE_LATE)
        c["overdue"] += st is Status.OVERDUE
    return {u: (c["items"], c["done"], c["overdue"]) for u, c in lines.items()}


@pytest.mark.parametrize("as_of", [AS_OF, date(2025, 2, 1)])
def test_the_circulars_counts_are_the_desks(store, as_of):
    engine = make_engine(str(store), create=False)
    try:
        data = load_desk(engine, as_of)
        with Session(engine) as s:
            plan_ids = sorted({p for p, *_ in data.tasks.values()})
            compared = 0
            for pid in plan_ids:
                facts = circular_facts(s, pid, as_of)
                figures = build_figures(
                    plan_id=pid,
                    plan_title="",
                    as_of=as_of,
                    tasks=facts.tasks,
                    items=facts.items,
                    unresolved=facts.unresolved,
                    letters=facts.letters,
                )
                got = {u.unit_id: (u.items, u.done, u.overdue) for u in figures.units}
                assert got == _desk_lines(data, pid), pid
                compared += len(got)
        assert compared > 50
    finally:
        dispose_engine(engine)
