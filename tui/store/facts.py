"""Live assignments as one `AssignmentFact` each, judged or not: what the letters, the
reports and the tests read, a row at a time.

Apart from `tui.store.board` (the same read kept as columns, for the desk and
`duban overdue`): a fact is a dataclass, and the dataclasses module brings inspect, which
`duban overdue` — timed as a whole process against Taskwarrior — has no need to import.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain, compress, repeat, starmap
from operator import is_, is_not, ne, sub
from typing import TYPE_CHECKING

from tui.gc_pause import gc_paused
from tui.store.board import (
    _GROUPS_SQL,
    _NAMES_SQL,
    _PAST_DUE_FILTER,
    _TASKS_SQL,
    BoardColumns,
    _covers_sql,
    _d,
    _date_column,
    _read_columns,
    judge_columns,
    letters_sent,
)

if TYPE_CHECKING:
    from tui.domain.board import Evaluated
    from tui.domain.status import Status


@dataclass(slots=True)
class AssignmentFact:
    id: int
    task_id: int
    plan_id: int
    plan_title: str
    task_number: str
    task_title: str
    unit_id: int | None
    unit_name: str  # the unit, or the unresolved group's name
    unit_kind: str  # 镇/苏木/街道/部门/其他, or 待分解 for an unresolved group
    role: str
    due_dates: tuple[date, ...]
    recurring: bool
    due_kind: str
    completed_on: date | None
    progress_dates: tuple[date, ...] = ()  # every report up to the date, oldest first
    last_progress: str = ""
    letters_sent: int = 0
    highest_rung: int = 0
    # Reports among progress_dates that name the occurrences they answer (recurring duties):
    # (report date, first occurrence or None, last occurrence); see tui.domain.status.
    progress_covers: tuple[tuple[date, date | None, date], ...] = ()

    @property
    def unresolved(self) -> bool:
        return self.unit_id is None


_PROGRESS_SQL = """
SELECT pr.assignment_id, pr.reported_on, pr.text, {covers}
FROM progress pr JOIN assignment a ON a.id = pr.assignment_id
WHERE a.active = TRUE
ORDER BY pr.assignment_id, pr.reported_on, pr.id
"""
# Every report, for a read of every live row: the reports of rows not read (closed tasks,
# withdrawn assignments) are dropped by id while grouping (`_group_reports`), which costs
# less than joining every report to its assignment in SQL.
_ALL_PROGRESS_SQL = """
SELECT pr.assignment_id, pr.reported_on, pr.text, {covers}
FROM progress pr ORDER BY pr.assignment_id, pr.reported_on, pr.id
"""
_PAST_DUE_PROGRESS_SQL = (
    """
SELECT pr.assignment_id, pr.reported_on, pr.text, {covers}
FROM progress pr JOIN assignment a ON a.id = pr.assignment_id JOIN task t ON t.id = a.task_id
WHERE a.active AND t.active AND pr.reported_on <= :as_of
"""
    + _PAST_DUE_FILTER
    + """
ORDER BY pr.assignment_id, pr.reported_on, pr.id
"""
)
# Only what is still open on a date: not closed by then (a closed row is done or done late).
_OPEN_FILTER = """
  AND (a.completed_on IS NULL OR a.completed_on > :as_of)
"""
_OPEN_PROGRESS_SQL = _PAST_DUE_PROGRESS_SQL.replace(_PAST_DUE_FILTER, _OPEN_FILTER)


def load_facts(
    conn,
    *,
    as_of: date | None = None,
    past_due_only: bool = False,
    unit_ids: set[int] | None = None,
    plan_ids: set[int] | None = None,
) -> list[AssignmentFact]:
    """Live assignments as of a date: progress and closing after `as_of` are left out.

    `past_due_only` keeps the rows that can be overdue on `as_of` (filtered in SQL; the
    status rules still decide); the unit and plan filters are applied while reading. The
    garbage collector is paused meanwhile (`tui.gc_pause`). A caller that judges the facts
    and keeps some of them reads them with `judged_facts` instead.
    """
    with gc_paused():
        read = _read_facts(conn, as_of, past_due_only, unit_ids, plan_ids)
        return _build_facts(read, None)


def judged_facts(
    conn,
    *,
    as_of: date,
    soon_days: int = 15,
    past_due_only: bool = False,
    open_only: bool = False,
    unit_ids: set[int] | None = None,
    plan_ids: set[int] | None = None,
    statuses: Collection[Status] | None = None,
) -> list[Evaluated]:
    """`evaluate(load_facts(...), as_of)` in one read, with a fact built only for the rows
    whose status is in ``statuses`` (every row when None), in store order. ``open_only``
    leaves out in SQL the rows closed by ``as_of`` (their status is done or done late),
    ``past_due_only`` keeps only those that can be overdue (see `load_facts`).

    The rows are judged as columns, before any object exists, by `judge_columns` (the
    desk's one judge): at 200,000 rows taking a hundred thousand objects apart again to
    judge them cost more than reading them. Each `Evaluated` and its fact are the same as
    `evaluate` gives (tests/test_judged_facts.py).
    """
    from tui.domain.board import LIGHT_CODE, Evaluated

    with gc_paused():
        read = _read_facts(conn, as_of, past_due_only, unit_ids, plan_ids, open_only)
        verdicts = judge_columns(read.cols, as_of, soon_days=soon_days)
        keep = None
        if statuses is not None:
            wanted = {LIGHT_CODE[s] for s in statuses}
            keep = list(
                compress(range(len(read.cols.ids)), map(wanted.__contains__, verdicts.light_codes))
            )
        facts = _build_facts(read, keep)
        columns = (verdicts.statuses, verdicts.urgencies, verdicts.since)
        if keep is not None:
            columns = tuple(list(map(c.__getitem__, keep)) for c in columns)
        return list(map(tuple.__new__, repeat(Evaluated), zip(facts, *columns, strict=True)))


@dataclass(slots=True)
class _FactsRead:
    """One read of `load_facts`: the board's columns (what `judge_columns` needs) and, per
    row in the same order, what a fact holds besides them (the rows' granted extensions and
    letters are the columns' own ``overrides`` and ``letters``)."""

    cols: BoardColumns
    reports: list[tuple[tuple, tuple, str] | None]  # (report dates, covers, last text)


def _read_facts(conn, as_of, past_due_only, unit_ids, plan_ids, open_only=False) -> _FactsRead:
    cur = conn.cursor()
    tasks = {}
    parsed: dict[str, tuple[date, ...]] = {"": ()}  # tasks share their deadlines: parsed once
    for tid, pid, ptitle, number, title, dues, recurring, kind in cur.execute(
        _TASKS_SQL
    ).fetchall():
        if plan_ids is not None and pid not in plan_ids:
            continue
        due = parsed.get(dues or "")
        if due is None:
            due = parsed[dues] = tuple(map(date.fromisoformat, dues.split(",")))
        tasks[tid] = (pid, ptitle, number, title, due, bool(recurring), kind)
    del parsed
    units = {uid: (name, kind) for uid, name, kind in cur.execute(_NAMES_SQL).fetchall()}
    groups = dict(cur.execute(_GROUPS_SQL).fetchall())
    where = ""
    params: dict = {}
    progress_sql = _ALL_PROGRESS_SQL
    if past_due_only or open_only:
        if as_of is None:
            raise ValueError("past_due_only and open_only need as_of")
        params["as_of"] = as_of.isoformat()
        where, progress_sql = _OPEN_FILTER, _OPEN_PROGRESS_SQL
    if past_due_only:
        where, progress_sql = _PAST_DUE_FILTER, _PAST_DUE_PROGRESS_SQL
        # one value per column type: a server binds a name once (due_first is ISO text)
        params["as_of_text"] = params["as_of"]
    # The rows as columns (one scan, split in C: `_read_columns`).
    columns = _read_columns(conn, cur, where=where, params=params)
    if plan_ids is not None or unit_ids is not None:
        keep = [
            tid in tasks and (unit_ids is None or uid in unit_ids)
            for tid, uid in zip(columns[1], columns[2], strict=True)
        ]
        columns = tuple(list(compress(col, keep)) for col in columns)
    ids, task_ids, uids, gids, roles, completed, overrides = columns
    completed = _date_column(completed, as_of)  # a closing after as_of is not seen yet
    overrides = _date_column(overrides)
    # With a filter, only the reports of the rows it keeps (a fifth of a large store for
    # the rows that can be overdue). Reports and letters are looked up per row in C: those
    # of rows not read (withdrawn, filtered out) are never looked up.
    cur.execute(progress_sql.format(covers=_covers_sql(cur)), params)
    by_id = _group_reports(cur.fetchall(), as_of)
    sent = letters_sent(cur, as_of)
    cur.close()
    n = len(ids)
    reports = list(map(by_id.get, ids)) if by_id else [None] * n
    del by_id
    # What the column judge reads: the latest report of every row, and every report (with
    # the occurrences named) of the rows whose task recurs, as `load_columns` gives them.
    recurring_tasks = {tid for tid, x in tasks.items() if x[5]}
    recurring_progress = {}
    recurring_covers = {}
    latest: list[date | None] = [None] * n
    for i in compress(range(n), reports):  # a tenth of the rows
        ds, cs, _text = reports[i]
        latest[i] = ds[-1]
        if task_ids[i] in recurring_tasks:
            recurring_progress[ids[i]] = ds
            if cs:
                recurring_covers[ids[i]] = cs
    cols = BoardColumns(
        ids,
        task_ids,
        uids,
        gids,
        roles,
        completed,
        overrides,
        latest,
        recurring_progress,
        recurring_covers,
        list(map(sent.get, ids)) if sent else [None] * n,
        tasks,
        units,
        groups,
    )
    return _FactsRead(cols, reports)


def _group_reports(rows: list, as_of: date | None) -> dict[int, tuple]:
    """Per assignment: its reports up to the date as (dates, covers, last text). ``rows``
    are (assignment, date, text, cover from, cover to), ordered by assignment, date and
    entry; each distinct date is parsed once and each assignment's run of rows is found and
    cut in C, so no Python runs per report or per assignment (bar the few covers)."""
    if not rows:
        return {}
    columns = tuple(zip(*rows, strict=True))
    parsed = {v: _d(v) for v in set(columns[1])}
    if as_of is not None and any(d > as_of for d in parsed.values()):
        seen = {v for v, d in parsed.items() if d <= as_of}  # later reports are not seen yet
        keep = list(map(seen.__contains__, columns[1]))
        columns = tuple(tuple(compress(c, keep)) for c in columns)
    aids, ons, texts, los, his = columns
    if not aids:
        return {}
    dates = tuple(map(parsed.__getitem__, ons))
    covers: dict[int, list[tuple]] = {}
    for i in compress(range(len(his)), map(is_not, his, repeat(None))):  # few
        covers.setdefault(aids[i], []).append((dates[i], _d(los[i]), _d(his[i])))
    # each assignment's first row: where the id differs from the row before
    starts = list(compress(range(len(aids)), map(ne, aids, chain((None,), aids))))
    ends = starts[1:]
    ends.append(len(aids))
    firsts = list(map(aids.__getitem__, starts))
    cover_tuples = {aid: tuple(c) for aid, c in covers.items()}
    return dict(
        zip(
            firsts,
            zip(
                map(dates.__getitem__, map(slice, starts, ends)),
                map(cover_tuples.get, firsts, repeat(())),
                map(texts.__getitem__, map(sub, ends, repeat(1))),
                strict=True,
            ),
            strict=True,
        )
    )


def _build_facts(read: _FactsRead, rows: Sequence[int] | None) -> list[AssignmentFact]:
    """One `AssignmentFact` per row, or per listed row position."""
    cols = read.cols
    columns = (
        cols.ids,
        cols.task_ids,
        cols.unit_ids,
        cols.roles,
        cols.completed,
        cols.overrides,
        read.reports,
        cols.letters,
    )
    if rows is not None:
        columns = tuple(list(map(c.__getitem__, rows)) for c in columns)
    ids, task_ids, uids, roles, completed, overrides, reports, letters = columns
    # one look-up per row, then the tuples taken apart in C (zip): cheaper than a look-up
    # per row and field
    info = list(map(cols.tasks.__getitem__, task_ids))
    names = list(map(cols.units.get, uids))
    for i in compress(range(len(names)), map(is_, names, repeat(None))):  # unresolved (few)
        at = i if rows is None else rows[i]
        names[i] = (cols.groups.get(cols.group_ids[at], ""), "待分解")
    if not info:
        return []
    pids, ptitles, numbers, titles, dues, recurring, kinds = zip(*info, strict=True)
    unames, ukinds = zip(*names, strict=True)
    del info, names
    # `starmap` over `zip` hands each row's arguments to the class as the one tuple zip
    # reuses: `map` with fourteen columns would allocate an argument array and a tuple per row
    facts = list(
        starmap(
            AssignmentFact,
            zip(
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
                strict=True,
            ),
        )
    )
    n = len(facts)
    for i in compress(range(n), overrides):  # granted extensions (few)
        facts[i].due_dates, facts[i].recurring = (overrides[i],), False
    for i in compress(range(n), reports):  # a tenth of the rows
        f = facts[i]
        f.progress_dates, f.progress_covers, f.last_progress = reports[i]
    for i in compress(range(n), letters):
        facts[i].letters_sent, facts[i].highest_rung = letters[i]
    return facts
