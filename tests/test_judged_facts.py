"""`load_facts` and `judged_facts` build their facts from the board's column read and judge
them with the desk's one judge (`judge_columns`); every fact, status, urgency and silence
must stay what the earlier reader and `evaluate` gave. The earlier reader is kept below,
verbatim, as the oracle, and both are run on a generated store holding every case (recurring
deadlines and reports naming their occurrences, extensions, closings before and after the
date, progress out of order, letters, several regions and plans) at several dates, with each
filter, on sqlite3's fast path and on the generic (server) path. The callers moved off one
object per assignment (the demo's counts and reminder date, the letters' item choice) are
compared with what they computed before.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import date, timedelta
from itertools import compress, repeat
from operator import is_
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_store import AS_OF, build_store  # noqa: E402
from tests.test_overdue_listing import _RowsOnly  # noqa: E402
from tui.domain.board import evaluate  # noqa: E402
from tui.domain.status import Status, assignment_status  # noqa: E402
from tui.store.board import (  # noqa: E402
    _GROUPS_SQL,
    _NAMES_SQL,
    _PAST_DUE_FILTER,
    _TASKS_SQL,
    _covers_sql,
    _d,
    _date_column,
    _read_columns,
    connect,
    letters_sent,
)
from tui.store.facts import (  # noqa: E402
    _PAST_DUE_PROGRESS_SQL,
    _PROGRESS_SQL,
    AssignmentFact,
    judged_facts,
    load_facts,
)

DATES = [date(2024, 3, 31), AS_OF, date(2025, 6, 30), date(2026, 3, 1)]
OPEN = set(Status) - {Status.DONE, Status.DONE_LATE}


# ----------------------------------------------------------------- the earlier reader, verbatim


def _old_load_facts(conn, as_of, past_due_only, unit_ids, plan_ids) -> list[AssignmentFact]:
    cur = conn.cursor()
    tasks = {}
    for tid, pid, ptitle, number, title, dues, recurring, kind in cur.execute(
        _TASKS_SQL
    ).fetchall():
        if plan_ids is not None and pid not in plan_ids:
            continue
        due = tuple(date.fromisoformat(x) for x in dues.split(",")) if dues else ()
        tasks[tid] = (pid, ptitle, number, title, due, bool(recurring), kind)
    units = {uid: (name, kind) for uid, name, kind in cur.execute(_NAMES_SQL).fetchall()}
    groups = dict(cur.execute(_GROUPS_SQL).fetchall())
    where = ""
    params: dict = {}
    if past_due_only:
        if as_of is None:
            raise ValueError("past_due_only needs as_of")
        where = _PAST_DUE_FILTER
        # one value per column type: a server binds a name once (due_first is ISO text)
        params["as_of"] = params["as_of_text"] = as_of.isoformat()
    # The rows as columns (one scan, split in C: `_read_columns`), then one fact per row.
    columns = _read_columns(conn, cur, where=where, params=params)
    ids, task_ids, uids, gids = columns[:4]
    if plan_ids is not None or unit_ids is not None:
        keep = [
            tid in tasks and (unit_ids is None or uid in unit_ids)
            for tid, uid in zip(task_ids, uids, strict=True)
        ]
        columns = tuple(list(compress(col, keep)) for col in columns)
        ids, task_ids, uids, gids = columns[:4]
    roles, completed, overrides = columns[4:]
    completed = _date_column(completed, as_of)  # a closing after as_of is not seen yet
    overrides = _date_column(overrides)
    info = list(map(tasks.__getitem__, task_ids))
    if info:
        pids, ptitles, numbers, titles, dues, recurring, kinds = map(list, zip(*info, strict=True))
    else:
        pids = ptitles = numbers = titles = dues = recurring = kinds = []
    names = list(map(units.get, uids))
    rows = range(len(names))
    for i in compress(rows, map(is_, names, repeat(None))):  # unresolved groups (few)
        names[i] = (groups.get(gids[i], ""), "待分解")
    for i in compress(rows, overrides):  # granted extensions (few)
        dues[i], recurring[i] = (overrides[i],), False
    unames, ukinds = (list(c) for c in zip(*names, strict=True)) if names else ([], [])
    facts = list(
        map(
            AssignmentFact,
            ids,
            task_ids,
            pids,
            ptitles,
            numbers,
            titles,
            uids,
            unames,
            ukinds,
            roles,
            dues,
            recurring,
            kinds,
            completed,
        )
    )
    by_id = dict(zip(ids, facts, strict=True))
    if past_due_only:
        # Only the reports of the rows that can be overdue (a fifth of a large store).
        cur.execute(_PAST_DUE_PROGRESS_SQL.format(covers=_covers_sql(cur)), params)
    else:
        cur.execute(_PROGRESS_SQL.format(covers=_covers_sql(cur)))
    current = None
    dates: list[date] = []
    covers: list[tuple] = []
    last = ""
    parsed: dict = {}
    for aid, on, text, lo, hi in cur.fetchall():
        if aid not in by_id:
            continue
        d = parsed.get(on)
        if d is None:
            d = parsed[on] = _d(on)
        if as_of is not None and d > as_of:
            continue
        if aid != current:
            if current is not None:
                _old_set_reports(by_id[current], dates, covers, last)
            current, dates, covers = aid, [], []
        dates.append(d)
        if hi is not None:
            covers.append((d, _d(lo), _d(hi)))
        last = text
    if current is not None:
        _old_set_reports(by_id[current], dates, covers, last)
    _old_load_letters(cur, by_id, as_of)
    cur.close()
    return facts


def _old_set_reports(fact: AssignmentFact, dates: list, covers: list, last: str) -> None:
    fact.progress_dates = tuple(dates)
    fact.progress_covers = tuple(covers)
    fact.last_progress = last


def _old_load_letters(cur, by_id: dict[int, AssignmentFact], as_of: date | None) -> None:
    for aid, (count, rung) in letters_sent(cur, as_of).items():
        f = by_id.get(aid)
        if f is not None:
            f.letters_sent, f.highest_rung = count, rung


# ------------------------------------------------------------------------------------ the store


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    db = build_store(tmp_path_factory.mktemp("judged") / "s.db", assignments=6000, seed=5)
    with sqlite3.connect(db) as c:
        rows = c.execute(
            "SELECT pr.id, t.due_dates FROM progress pr JOIN assignment a ON a.id = pr.assignment_id "
            "JOIN task t ON t.id = a.task_id WHERE t.due_recurring = 1 ORDER BY pr.id LIMIT 40"
        ).fetchall()
        for n, (pid, dues) in enumerate(rows):
            occ = dues.split(",")
            c.execute(
                "UPDATE progress SET cover_from = ?, cover_to = ? WHERE id = ?",
                (None if n % 2 else occ[0], occ[min(len(occ) - 1, 1 + n % 3)], pid),
            )
        late = c.execute(
            "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id "
            "WHERE a.completed_on IS NULL AND t.due_first <> '' AND t.due_first < '2024-06-01' "
            "ORDER BY t.due_recurring DESC, a.id LIMIT 30"
        ).fetchall()
        for k, (aid,) in enumerate(late):
            for on, text in (("2024-10-20", f"十月第二次{k}"), ("2024-05-02", f"补录五月{k}")):
                c.execute(
                    "INSERT INTO progress (assignment_id, reported_on, text, done, recorded_at, "
                    "recorded_by) VALUES (?, ?, ?, 0, '2024-11-01 08:00:00', '测试')",
                    (aid, on, text),
                )
    return db


def _filters(store: Path) -> list[dict]:
    with sqlite3.connect(store) as c:
        plans = [p for (p,) in c.execute("SELECT id FROM plan ORDER BY id")]
        region = c.execute("SELECT region FROM plan ORDER BY id DESC LIMIT 1").fetchone()[0]
        in_region = {p for (p,) in c.execute("SELECT id FROM plan WHERE region = ?", (region,))}
        units = [u for (u,) in c.execute("SELECT id FROM unit ORDER BY id")]
    return [
        {},
        {"past_due_only": True},
        {"plan_ids": {plans[0]}},
        {"plan_ids": in_region},  # another region's plans
        {"unit_ids": set(units[::7])},
        {"unit_ids": set(units[1::5]), "plan_ids": set(plans[1:]), "past_due_only": True},
        {"plan_ids": set()},
    ]


def test_the_store_holds_every_case(store):
    with sqlite3.connect(store) as c:
        one = lambda sql: c.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM assignment WHERE due_override IS NOT NULL") > 0
        assert one("SELECT count(*) FROM assignment WHERE completed_on IS NOT NULL") > 0
        assert one("SELECT count(*) FROM assignment WHERE unit_id IS NULL") > 0
        assert one("SELECT count(*) FROM task WHERE due_recurring = 1") > 0
        assert one("SELECT count(*) FROM progress WHERE cover_to IS NOT NULL") > 0
        assert one("SELECT count(DISTINCT region) FROM plan") > 1
        assert one("SELECT count(*) FROM letter WHERE number IS NOT NULL") > 0
        assert one("SELECT count(*) FROM letter WHERE status = '作废'") > 0


def _both(conn, as_of, filters):
    old = _old_load_facts(
        conn,
        as_of,
        filters.get("past_due_only", False),
        filters.get("unit_ids"),
        filters.get("plan_ids"),
    )
    return old, load_facts(conn, as_of=as_of, **filters)


@pytest.mark.parametrize("as_of", DATES)
def test_load_facts_gives_the_very_facts_of_the_earlier_reader(store, as_of):
    conn = connect(str(store))
    try:
        for filters in _filters(store):
            old, new = _both(conn, as_of, filters)
            assert new == old, filters
            if not filters:
                assert len(new) > 5000
                assert any(f.progress_covers for f in new)
                assert as_of < AS_OF or any(f.letters_sent for f in new)
                assert any(f.unit_id is None for f in new)
    finally:
        conn.close()


def test_load_facts_without_a_date_is_the_earlier_reader(store):
    conn = connect(str(store))
    try:
        old, new = _both(conn, None, {})
        assert new == old
    finally:
        conn.close()


@pytest.mark.parametrize("as_of", DATES)
def test_judged_facts_are_evaluate_of_the_earlier_facts(store, as_of):
    conn = connect(str(store))
    try:
        for filters in _filters(store):
            old = evaluate(_both(conn, as_of, filters)[0], as_of, soon_days=10)
            assert judged_facts(conn, as_of=as_of, soon_days=10, **filters) == old, filters
            open_ = [e for e in old if e.status.status in OPEN]
            got = judged_facts(conn, as_of=as_of, soon_days=10, statuses=OPEN, **filters)
            assert got == open_, filters
            assert judged_facts(conn, as_of=as_of, statuses=(), **filters) == []
            if not filters.get("past_due_only"):  # closed rows left in SQL: the open ones
                got = judged_facts(conn, as_of=as_of, soon_days=10, open_only=True, **filters)
                assert [e for e in got if e.status.status in OPEN] == open_
                assert all(e.fact.completed_on is None for e in got)
    finally:
        conn.close()


def test_the_generic_reader_judges_the_same(store):
    conn = connect(str(store))
    try:
        for as_of in (AS_OF, date(2025, 6, 30)):
            for filters in ({}, {"past_due_only": True}):
                want = evaluate(_both(conn, as_of, filters)[0], as_of)
                assert judged_facts(_RowsOnly(conn), as_of=as_of, **filters) == want
                assert load_facts(_RowsOnly(conn), as_of=as_of, **filters) == [e.fact for e in want]
            every = evaluate(_both(conn, as_of, {})[0], as_of)
            got = judged_facts(_RowsOnly(conn), as_of=as_of, open_only=True, statuses=OPEN)
            assert got == [e for e in every if e.status.status in OPEN]
    finally:
        conn.close()


# ------------------------------------------------------------------- the demo's moved readers


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    from tui.commands.demo import build_demo_store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo_store(str(path))
    return path


def _old_demo_counts(engine, as_of):
    from tui.store.dialect import board_reader

    with engine.connect() as conn:
        facts = _old_load_facts(board_reader(conn), as_of, False, None, None)
    counts = dict.fromkeys(Status, 0)
    for f in facts:
        st = assignment_status(
            f.due_dates,
            as_of,
            completed_on=f.completed_on,
            progress_dates=f.progress_dates,
            recurring=f.recurring,
        )
        counts[st.status] += 1
    return counts


def _old_reminder_date(engine, as_of):
    from tui.store.dialect import board_reader

    with engine.connect() as conn:
        facts = _old_load_facts(board_reader(conn), as_of, False, None, None)
    window = [d for f in facts for d in f.due_dates if as_of - timedelta(days=60) < d <= as_of]
    return (max(window) if window else as_of) - timedelta(days=5)


def test_the_demo_counts_and_reminder_date_are_what_they_were(demo_engine):
    from tui.store.demo_history import DEMO_AS_OF, demo_status_counts
    from tui.store.demo_letters import _reminder_date

    for as_of in (DEMO_AS_OF, DEMO_AS_OF - timedelta(days=200), date(2026, 3, 1)):
        assert demo_status_counts(demo_engine, as_of) == _old_demo_counts(demo_engine, as_of)
        assert _reminder_date(demo_engine, as_of) == _old_reminder_date(demo_engine, as_of)
    assert sum(demo_status_counts(demo_engine).values()) > 0
