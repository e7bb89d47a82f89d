"""The desk's store queries and writes: board in memory, detail, units, groups, merges."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tui.domain.board import by_urgency, evaluate
from tui.domain.search import Filters, initials
from tui.domain.status import Status, assignment_status
from tui.domain.urgency import urgency
from tui.errors import DubanError
from tui.store.board import connect, load_columns
from tui.store.db import transaction
from tui.store.demo_history import DEMO_AS_OF
from tui.store.desk import (
    edit_unit,
    find_unit_by_name,
    load_desk,
    merge_units,
    needs_action,
    pending_groups,
    plan_figures,
    plan_tree,
    resolve_group,
    task_detail,
    unit_figures,
    unit_infos,
    unit_list,
)
from tui.store.facts import load_facts
from tui.store.letters import list_letters
from tui.store.models import (
    Assignment,
    AuditLog,
    Extension,
    Progress,
    TaskDeadline,
    Unit,
    UnitAlias,
)

pytestmark = pytest.mark.both_stores

AS_OF = DEMO_AS_OF


def engine_db(engine) -> str:
    """The engine's address, for the DB-API reader `connect` that commands use."""
    return engine.url.render_as_string(hide_password=False)


def load_desk_at(db: str, as_of: date, **kw):
    """`load_desk` on a store named by its address (an engine opened and let go)."""
    from tui.store.db import dispose_engine, make_engine

    engine = make_engine(db, create=False)
    try:
        return load_desk(engine, as_of, **kw)
    finally:
        dispose_engine(engine)


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    from tui.commands.demo import build_demo_store

    path = tmp_path_factory.mktemp("desk") / "demo.db"
    build_demo_store(str(path))
    return path


@pytest.fixture
def engine(demo_engine):
    return demo_engine


def test_demo_history_is_realistic(engine):
    with Session(engine) as s:
        assert s.exec(select(Progress)).scalars().first() is not None
        exts = list(s.exec(select(Extension)).scalars())
        assert sorted(e.granted for e in exts) == [False, True]
        manual = list(s.exec(select(TaskDeadline).where(TaskDeadline.source == "manual")).scalars())
        assert manual and all(m.reason for m in manual)
    data = load_desk(engine, AS_OF)
    counts = {s: 0 for s in Status}
    for r in data.rows:
        counts[r.status.status] += 1
    assert counts[Status.OVERDUE] > 50 and counts[Status.DONE] > 50 and counts[Status.DONE_LATE] > 5
    assert counts[Status.DUE_SOON] > 0 and counts[Status.ON_TRACK] > 0
    overdue_quiet = [
        r for r in data.rows if r.status.status is Status.OVERDUE and not r.fact.progress_dates
    ]
    assert overdue_quiet
    with Session(engine) as s:
        letters = list_letters(s, today=DEMO_AS_OF)
    statuses = {row.status for row in letters}
    assert {"已回复", "逾期未复", "作废", "草稿"} <= statuses
    assert {row.kind for row in letters} >= {"提醒", "督办"}
    numbers = [row.number for row in letters if row.number]
    assert len(numbers) == len(set(numbers)) and any("〔2024〕1号" in n for n in numbers)


def test_demo_history_is_deterministic(master, tmp_path):
    from tui.commands.demo import build_demo_store

    other = tmp_path / "again.db"
    build_demo_store(str(other))
    a = load_desk_at(f"{master}", AS_OF)
    b = load_desk_at(str(other), AS_OF)
    assert [(r.fact.id, r.status) for r in a.rows] == [(r.fact.id, r.status) for r in b.rows]


def test_load_desk_matches_board_evaluate(engine):
    data = load_desk(engine, AS_OF)
    conn = connect(engine_db(engine))
    facts = load_facts(conn, as_of=AS_OF)
    conn.close()
    memo = {e.fact.id: (e.status, e.urgency) for e in evaluate(facts, AS_OF)}
    plain = {
        f.id: (
            st := assignment_status(
                f.due_dates,
                AS_OF,
                completed_on=f.completed_on,
                progress_dates=f.progress_dates,
                recurring=f.recurring,
            ),
            urgency(
                st,
                role=f.role,
                letters_sent=f.letters_sent,
                highest_rung=f.highest_rung,
                days_since_progress=(AS_OF - f.progress_dates[-1]).days
                if f.progress_dates
                else None,
            ),
        )
        for f in facts
    }
    assert plain == memo  # the memoised evaluation changes nothing
    # The desk's columns give the very same board, row for row, in the same order: most
    # pressing first, equal urgency in id order (whatever order a server scanned them in).
    board = by_urgency(evaluate(sorted(facts, key=lambda f: f.id), AS_OF))
    assert len(data) == len(data.rows) == len(board)
    for mine, ref in zip(data.rows, board, strict=True):
        assert (mine.status, mine.urgency, mine.days_since_progress) == (
            ref.status,
            ref.urgency,
            ref.days_since_progress,
        )
        a, b = mine.fact, ref.fact
        assert (a.id, a.task_id, a.plan_id, a.task_number, a.unit_id, a.unit_name) == (
            b.id,
            b.task_id,
            b.plan_id,
            b.task_number,
            b.unit_id,
            b.unit_name,
        )
        assert (a.unit_kind, a.role, a.due_dates, a.recurring, a.completed_on) == (
            b.unit_kind,
            b.role,
            b.due_dates,
            b.recurring,
            b.completed_on,
        )
        assert (a.letters_sent, a.highest_rung, a.last_progress) == (
            b.letters_sent,
            b.highest_rung,
            b.last_progress,
        )
        # the desk keeps the latest report date, and every one for a recurring duty
        assert a.progress_dates[-1:] == b.progress_dates[-1:]
        if b.recurring:
            assert a.progress_dates == b.progress_dates
    assert {d.status.status for d in data.rows} >= {Status.OVERDUE, Status.DONE, Status.ON_TRACK}
    assert list(data.urgencies) == sorted(data.urgencies, reverse=True)
    assert len(data.plans) == 2
    assert data.by_id[board[5].fact.id].fact.id == board[5].fact.id
    assert board[5].fact.id in data.by_id and -1 not in data.by_id


def test_desk_search_finds_units_by_initials_and_tasks_by_text(engine):
    data = load_desk(engine, AS_OF)
    rows = data.rows
    hits = data.search("qsfj")
    assert hits and {rows[i].fact.unit_name for i in hits} == {"区司法局", "旗司法局"}
    assert hits == sorted(hits)  # urgency order kept
    title = next(r.fact.task_title for r in rows if r.fact.unit_name == "区司法局")[:5]
    by_title = data.search(title.lower())
    assert by_title and all(title in rows[i].fact.task_title for i in by_title)
    both = data.search(f"{title} qsfj")
    assert both == [i for i in by_title if i in set(hits)]
    assert data.search("qsfj", among=hits[1:3]) == hits[1:3]
    assert data.search("没有这个词") == []
    assert data.search("  ") == list(range(len(data)))


def test_desk_filters_and_sorts(engine):
    data = load_desk(engine, AS_OF)
    rows = data.rows
    over = data.filter(Filters(statuses=frozenset({"逾期"}), role="lead"))
    assert over and over == [
        i for i, r in enumerate(rows) if r.status.status is Status.OVERDUE and r.fact.role == "lead"
    ]
    pending = data.filter(Filters(unit_kind="待分解"))
    assert len(pending) == data.pending_count() > 0
    plan = next(iter(data.plans))
    assert data.filter(Filters(plan_id=plan, unit="sfj")) == [
        i
        for i, r in enumerate(rows)
        if r.fact.plan_id == plan and "sfj" in initials(r.fact.unit_name)
    ]
    rank = data.rank("deadline")
    dues = [rows[i].status.due or date.max for i in sorted(range(len(data)), key=rank.__getitem__)]
    assert dues == sorted(dues)
    # A sort change walks the precomputed order: the same rows as sorting by rank, for the
    # whole board and for a filtered part of it.
    for mode in ("deadline", "unit", "task"):
        key = data.rank(mode).__getitem__
        for part in (list(range(len(data))), over, pending, over[::-1]):
            assert data.sorted_rows(part, mode) == sorted(part, key=key)


def test_overview_figures(engine):
    data = load_desk(engine, AS_OF)
    units = unit_figures(data)
    assert units[0].overdue > 0  # laggards (units with overdue items) first
    shares = [u.overdue / u.total for u in units]
    assert shares == sorted(shares, reverse=True)
    assert sum(u.total for u in units) == sum(1 for r in data.rows if r.fact.unit_id)
    sfj = next(u for u in units if u.name == "区司法局")
    mine = [r for r in data.rows if r.fact.unit_id == sfj.unit_id]
    assert sfj.total == len(mine)
    assert sfj.overdue == sum(1 for r in mine if r.status.status is Status.OVERDUE)
    plans = plan_figures(data)
    assert sum(p.total for p in plans) == len(data.rows)
    assert all(0 <= p.rate <= 1 for p in plans)
    expected = dict.fromkeys(Status, 0)
    for r in data.rows:
        expected[r.status.status] += 1
    assert data.count_by_status() == expected
    triage = data.needs_action()
    assert triage == [i for i, r in enumerate(data.rows) if needs_action(r)]
    assert triage and all(
        data.rows[i].status.status in (Status.OVERDUE, Status.DUE_SOON) for i in triage
    )


def test_plan_tree_and_task_detail(engine):
    with Session(engine) as s:
        tree = plan_tree(s)
        assert len(tree) == 2

        def tasks(item):
            if item.kind == "task":
                yield item
            for c in item.children:
                yield from tasks(c)

        all_tasks = [t for p in tree for t in tasks(p)]
        assert len(all_tasks) == 111
        ext = s.exec(select(Extension).where(Extension.granted.is_(True))).scalars().first()
        a = s.get(Assignment, ext.assignment_id)
        d = task_detail(s, a.task_id)
    assert d.owners("lead")
    info = next(x for x in d.assignments if x.id == a.id)
    assert info.due_override == ext.new_due
    kinds = [h.kind for h in info.history]
    assert "延期申请" in kinds
    assert d.deadlines and all(0 <= st < en <= len(d.text) for st, en in d.highlight_spans())


def test_unit_list_and_infos(engine):
    with Session(engine) as s:
        sfj = find_unit_by_name(s, "区司法局")
        items = unit_list(s, sfj.id)
        assert items and all(i.unit_id == sfj.id for i in items)
        assert any(h.kind == "进展" for i in items for h in i.history)
        infos = {u.name: u for u in unit_infos(s)}
        assert "区司法局" in infos and infos["区司法局"].aliases
        alias = infos["区司法局"].aliases[0]
        assert find_unit_by_name(s, alias, region="东胜区").id == sfj.id
        with pytest.raises(DubanError):
            find_unit_by_name(s, "不存在的单位")


def test_edit_unit_audited_and_alias_conflict(engine):
    with transaction(engine) as s:
        u = find_unit_by_name(s, "区司法局")
        edit_unit(s, u.id, head="李四", contact="王五", phone="123", aliases=["法务局"], actor="甲")
    with Session(engine) as s:
        u = s.get(Unit, u.id)
        assert (u.head, u.contact, u.phone) == ("李四", "王五", "123")
        assert [
            a.alias for a in s.exec(select(UnitAlias).where(UnitAlias.unit_id == u.id)).scalars()
        ] == ["法务局"]
        row = s.exec(select(AuditLog).where(AuditLog.action == "unit.edit")).scalars().one()
        assert row.actor == "甲" and "李四" in row.after
        other = find_unit_by_name(s, "区财政局")
    with pytest.raises(DubanError, match="已属于"), transaction(engine) as s:
        edit_unit(s, other.id, head="", contact="", phone="", aliases=["法务局"], actor="甲")


def test_resolve_group_creates_unit_assignments(engine):
    with Session(engine) as s:
        g = pending_groups(s)[0]
        units = [u.id for u in unit_infos(s) if u.region == g.region][:3]
    with transaction(engine) as s:
        n = resolve_group(s, g.group_id, units, "甲")
    assert n >= g.assignments
    with Session(engine) as s:
        rows = list(
            s.exec(select(Assignment).where(Assignment.via_group_id == g.group_id)).scalars()
        )
        assert {a.unit_id for a in rows} == set(units)
        old = list(s.exec(select(Assignment).where(Assignment.group_id == g.group_id)).scalars())
        assert old and not any(a.active for a in old)  # kept for history
        assert all(p.group_id != g.group_id for p in pending_groups(s))
    with pytest.raises(DubanError), transaction(engine) as s:
        resolve_group(s, g.group_id, units, "甲")  # nothing left to resolve


def test_merge_units_moves_assignments_and_aliases(engine):
    with Session(engine) as s:
        src = find_unit_by_name(s, "区人大办")
        dst = find_unit_by_name(s, "区政协办")
        n_src = len(unit_list(s, src.id))
        n_dst = len(unit_list(s, dst.id))
    with transaction(engine) as s:
        moved = merge_units(s, src.id, dst.id, "甲")
    with Session(engine) as s:
        assert s.get(Unit, src.id).merged_into == dst.id
        assert len(unit_list(s, dst.id)) == n_dst + moved
        assert moved + (n_src - moved) == n_src
        assert find_unit_by_name(s, "区人大办").id == dst.id  # the old name is now an alias
    with pytest.raises(DubanError), transaction(engine) as s:
        merge_units(s, dst.id, dst.id, "甲")


def test_load_desk_as_of_hides_later_closures(engine):
    early = load_desk(engine, date(2023, 1, 1))
    late = load_desk(engine, AS_OF)
    done = lambda d: sum(r.status.status in (Status.DONE, Status.DONE_LATE) for r in d.rows)  # noqa: E731
    assert done(early) < done(late)


def test_board_columns_without_the_sqlite_fast_path(engine):
    """A DB-API connection that is not sqlite3's (PostgreSQL's, say) is read row by row
    instead of as joined strings; both give the same columns."""
    conn = connect(engine_db(engine))

    class OtherDriver:  # the same connection, seen as some other driver
        def cursor(self):
            return conn.cursor()

    fast = load_columns(conn, as_of=AS_OF)
    plain = load_columns(OtherDriver(), as_of=AS_OF)
    conn.close()
    assert len(fast.ids) > 1000
    for name in ("ids", "task_ids", "unit_ids", "group_ids", "roles", "completed", "overrides"):
        assert list(getattr(fast, name)) == list(getattr(plain, name)), name
    assert fast.last_progress == plain.last_progress and fast.letters == plain.letters
    assert any(fast.completed) and any(fast.letters)


def _first_screen_equals_board(db: str, as_of: date, soon_days: int = 15) -> None:
    from tui.store.desk import plan_figures, tally_of
    from tui.store.overview import load_tally, status_counts

    conn = connect(db)
    try:
        tally = load_tally(conn, as_of=as_of, soon_days=soon_days)
    finally:
        conn.close()
    data = load_desk_at(db, as_of, soon_days=soon_days)
    assert tally.counts == tally_of(data).counts
    assert status_counts(tally) == data.count_by_status()
    assert unit_figures(tally) == unit_figures(data)
    assert plan_figures(tally) == plan_figures(data)


@pytest.mark.parametrize(
    "as_of", [AS_OF, date(2023, 3, 1), date(2024, 6, 30), date(2025, 1, 8), date(2026, 12, 31)]
)
def test_first_screen_counts_from_sql_are_the_boards(engine, as_of):
    """The desk draws the overview from aggregate queries before the board is read: every
    count, unit and plan figure must be the one the board then shows (demo store: closings,
    extensions, recurring duties with reports, unresolved groups)."""
    _first_screen_equals_board(engine_db(engine), as_of)
    _first_screen_equals_board(engine_db(engine), as_of, soon_days=40)


@pytest.mark.parametrize("as_of", [date(2024, 11, 15), date(2024, 2, 1), date(2025, 12, 1)])
def test_first_screen_counts_on_a_generated_store(tmp_path_factory, as_of):
    """The same on the bench's realistic store (5 % recurring, progress, overrides, letters)."""
    from bench.gen_store import build_store

    db = tmp_path_factory.getbasetemp() / "first-screen.db"
    if not db.exists():
        build_store(db, assignments=6000, seed=5)
    _first_screen_equals_board(str(db), as_of)


def test_overview_service_equals_the_board_overview(engine):
    from tui.services.board import load_board, load_overview
    from tui.services.store import Store, locate

    store = Store(engine, locate(engine_db(engine)))
    board = load_board(store, AS_OF)
    try:
        assert load_overview(store, AS_OF) == board.overview
    finally:
        board.close()


def test_first_screen_counts_at_every_date_boundary(engine):
    """Rows placed exactly on the boundaries the aggregate queries compare: due today, due
    yesterday, due at the edge of 临期 and one day past it; closed on the deadline and a
    day after it (by override and by the task's last date); closed after the desk's date;
    a recurring duty reported on the desk's date itself (plain and naming its occurrence)."""
    from datetime import datetime, time, timedelta

    from sqlalchemy import text

    db = engine_db(engine)
    as_of = AS_OF
    d = lambda n: (as_of + timedelta(days=n)).isoformat()  # noqa: E731
    day_of = lambda iso: None if iso is None else date.fromisoformat(iso)  # noqa: E731
    with engine.begin() as c:
        one_off = [
            r[0]
            for r in c.execute(
                text(
                    "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id "
                    "WHERE a.active = TRUE AND t.active = TRUE AND t.due_recurring = FALSE "
                    "AND t.due_dates <> '' ORDER BY a.id"
                )
            )
        ]
        # one-off rows whose task's own last deadline is already past on the desk's date
        past = [
            r[0]
            for r in c.execute(
                text(
                    "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id "
                    "WHERE a.active = TRUE AND t.active = TRUE AND t.due_recurring = FALSE "
                    "AND t.due_dates <> '' AND a.due_override IS NULL "
                    "AND a.completed_on IS NULL "
                    "AND substr(t.due_dates, length(t.due_dates) - 9) < :day ORDER BY a.id DESC"
                ),
                {"day": d(-2)},
            )
        ]
        # recurring duties with an occurrence already missed
        recurring = [
            r[0]
            for r in c.execute(
                text(
                    "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id "
                    "WHERE a.active = TRUE AND t.active = TRUE AND t.due_recurring = TRUE "
                    "AND a.due_override IS NULL AND a.completed_on IS NULL "
                    "AND t.due_first < :day ORDER BY a.id"
                ),
                {"day": d(0)},
            )
        ]
        assert len(one_off) > 20 and len(past) > 2 and len(recurring) > 4
        plan = [
            (None, d(0)),  # due today: 临期
            (None, d(-1)),  # due yesterday: 逾期
            (None, d(15)),  # the last day of 临期
            (None, d(16)),  # the first day of 正常
            (d(-10), d(-10)),  # closed on its deadline: 已完成
            (d(-9), d(-10)),  # closed a day late: 逾期完成
            (d(1), d(-10)),  # closed after the desk's date: still 逾期 on it
            (d(0), d(0)),  # closed today, due today
        ]
        for aid, (done, due) in zip(one_off, plan, strict=False):
            c.execute(
                text(
                    "UPDATE assignment SET completed_on = :done, due_override = :due WHERE id = :id"
                ),
                {"done": day_of(done), "due": day_of(due), "id": aid},
            )
        # closed exactly on the task's own last deadline, and a day after it
        for aid, late in ((past[0], 0), (past[1], 1)):
            (dues,) = c.execute(
                text(
                    "SELECT t.due_dates FROM task t JOIN assignment a ON a.task_id = t.id "
                    "WHERE a.id = :id"
                ),
                {"id": aid},
            ).fetchone()
            last = date.fromisoformat(dues.split(",")[-1]) + timedelta(days=late)
            c.execute(
                text(
                    "UPDATE assignment SET completed_on = :done, due_override = NULL WHERE id = :id"
                ),
                {"done": last, "id": aid},
            )
        for n, aid in enumerate(recurring[:6]):
            cover = ((None, d(0)), (None, None), (None, d(400)))[n % 3]
            c.execute(
                text(
                    "INSERT INTO progress (assignment_id, reported_on, text, done, recorded_at, "
                    "recorded_by, cover_from, cover_to) VALUES (:id, :on, '按期报送', FALSE, "
                    ":at, '测试', :lo, :hi)"
                ),
                {
                    "id": aid,
                    "on": as_of,
                    "at": datetime.combine(as_of, time(10)),
                    "lo": day_of(cover[0]),
                    "hi": day_of(cover[1]),
                },
            )
    for soon in (15, 16):
        _first_screen_equals_board(db, as_of, soon_days=soon)


def test_a_load_freezes_nothing_that_outlives_it(engine):
    """`gc.freeze()` after a load kept every earlier board alive past its reload (RSS grew
    at each reload): nothing a load builds stays in the permanent generation."""
    import gc

    gc.unfreeze()
    before = gc.get_freeze_count()
    data = load_desk(engine, AS_OF)
    assert len(data) > 0
    assert gc.get_freeze_count() == before == 0
    assert gc.isenabled()


@pytest.mark.parametrize("as_of", [AS_OF, date(2024, 12, 31)])
def test_first_screen_read_before_the_store_opens_is_the_boards(engine, as_of):
    """`duban` reads the first screen over the DB-API before SQLAlchemy is imported
    (tui.services.first_screen): counts, units, plans and the letters panel (effective
    statuses: 逾期未复 derived from the date) must be what the board then shows."""
    from tui.app.tabs.overview import letters_summary
    from tui.services.board import load_board
    from tui.services.first_screen import read_first_screen
    from tui.services.store import Store, locate

    if engine.dialect.name != "sqlite":
        pytest.skip(
            "the quick first screen over sqlite3; its PostgreSQL form: test_pg_first_screen_counts.py"
        )
    store = Store(engine, locate(engine_db(engine)))
    first = read_first_screen(Path(engine.url.database), as_of)
    board = load_board(store, as_of)
    try:
        full = board.overview
        assert (first.counts, first.total, first.pending) == (full.counts, full.total, full.pending)
        assert (first.figures, first.plans, first.plan_count) == (
            full.figures,
            full.plans,
            full.plan_count,
        )
        assert [(x.id, x.number, x.unit, x.status, x.reply_due) for x in first.letters] == [
            (x.id, x.number, x.unit, x.status, x.reply_due) for x in full.letters
        ]
        assert "逾期未复" in {x.status for x in first.letters}
        assert letters_summary(first.letters).plain == letters_summary(full.letters).plain
    finally:
        board.close()
