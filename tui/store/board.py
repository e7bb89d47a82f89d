"""Every live assignment with what its status needs, read in a few flat queries.

This is the hot path of `duban overdue` and of the desk on a 200,000-assignment store, so it
uses the DB-API directly (sqlite3 for SQLite files, read-only) and imports no ORM: a whole
`duban overdue` process must stay well under half a second.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import chain, compress, islice, repeat, starmap
from operator import and_, is_, is_not, lt, ne, sub
from typing import TYPE_CHECKING

from tui.errors import DubanError
from tui.gc_pause import gc_paused

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tui.domain.board import ColumnVerdicts, Evaluated
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


def connect(db: str | None = None, *, shared: bool = False):
    """A DB-API connection for reading; a SQLite file is opened so nothing is created or written.

    ``shared`` lets other threads use it (the caller serialises access)."""
    from tui.store.sqlite_files import existing_file, open_readonly

    path = existing_file(db)
    if path is not None:
        conn = open_readonly(path, shared=shared)
        try:
            conn.execute("SELECT 1 FROM assignment LIMIT 1")
        except sqlite3.Error as exc:
            conn.close()
            from tui.store.db_errors import explain_sqlite

            raise DubanError(explain_sqlite(exc, str(path))) from exc
        return conn
    from tui.store.db import make_engine
    from tui.store.dialect import ServerReader

    return ServerReader(make_engine(db, create=False))


@contextmanager
def reading(engine: Engine) -> Iterator:
    """The board reader's handle on the store behind ``engine``, for one read.

    SQLite: the engine's own sqlite3 connection (the reader's fast path: joined strings,
    no row objects). A server store: the engine's connection in one REPEATABLE READ
    transaction, so the several queries of one read see one state of the store. Either way
    the connection comes from the engine's pool and goes back to it; no second handle on
    the store is opened from a URL.
    """
    from tui.store.dialect import board_reader

    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        yield board_reader(conn)


def _d(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


_TASKS_SQL = """
SELECT t.id, t.plan_id, p.title, t.number, t.title, t.due_dates, t.due_recurring, t.due_kind
FROM task t JOIN plan p ON p.id = t.plan_id WHERE t.active = TRUE
"""
_NAMES_SQL = "SELECT id, name, kind FROM unit"
_GROUPS_SQL = "SELECT id, name FROM unit_group"
# Only what can be overdue on a date: not closed by then, and some date already past.
_PAST_DUE_FILTER = """
  AND (a.completed_on IS NULL OR a.completed_on > :as_of)
  AND ((a.due_override IS NULL AND t.due_first <> '' AND t.due_first < :as_of_text)
       OR a.due_override < :as_of)
"""
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
_NO_COVERS = "NULL, NULL"
_COVERS = "pr.cover_from, pr.cover_to"


def _covers_sql(cur) -> str:
    """The cover columns, or NULLs on a store written before they existed (read-only
    connections do not migrate)."""
    if not isinstance(cur, sqlite3.Cursor):  # a server store: the engine migrated it
        return _COVERS
    cols = {row[1] for row in cur.execute("PRAGMA table_info(progress)").fetchall()}
    return _COVERS if "cover_to" in cols else _NO_COVERS


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


def letters_sent(
    cur, as_of: date | None, ids: Sequence[int] | None = None
) -> dict[int, tuple[int, int]]:
    """Per assignment (with ``ids``, of those only): letters already sent and the highest
    rung, once the register exists."""
    among, params = _among("li.assignment_id", ids)
    try:
        cur.execute(
            "SELECT li.assignment_id, COUNT(*), MAX(l.rung) FROM letter_item li "
            "JOIN letter l ON l.id = li.letter_id WHERE l.number IS NOT NULL AND l.status != '作废' "
            + ("AND l.issued_on <= :as_of " if as_of else "")
            + among.removeprefix(" ")
            + " GROUP BY li.assignment_id",
            {"as_of": as_of.isoformat(), **params} if as_of else params,
        )
    except Exception:  # noqa: BLE001 - no letter tables in this store yet
        return {}
    shared: dict[tuple[int, int], tuple[int, int]] = {}  # one tuple per distinct pair
    return {
        aid: shared.setdefault(pair, pair)
        for aid, pair in (
            (aid, (int(count), int(rung or 0))) for aid, count, rung in cur.fetchall()
        )
    }


# --------------------------------------------------------------------------- columns for the desk


@dataclass(slots=True)
class BoardColumns:
    """The facts of `load_facts`, one list per field in assignment order, for the desk.

    At 200,000 rows one object per assignment costs more than the whole SQL read, so the desk
    keeps plain columns and builds an `AssignmentFact` only for a row it shows. Dates that
    repeat (closings, progress) are parsed once per distinct value.
    """

    ids: list[int]
    task_ids: list[int]
    unit_ids: list[int | None]
    group_ids: list[int | None]
    roles: list[str]
    completed: list[date | None]  # as of the date: later closings are left out
    overrides: list[date | None]
    last_progress: list[date | None]  # the latest report up to the date
    recurring_progress: dict[int, tuple[date, ...]]  # id → report dates, recurring duties only
    recurring_covers: dict[int, tuple]  # id → reports naming their occurrences (few)
    letters: list[tuple[int, int] | None]  # (letters sent, highest rung) or None
    tasks: dict[int, tuple]  # id → (plan id, plan title, number, title, due, recurring, kind)
    units: dict[int, tuple[str, str]]  # id → (name, kind), merged units included
    groups: dict[int, str]


_COLUMNS_SQL = """
SELECT a.id, a.task_id, a.unit_id, a.group_id, a.role, a.completed_on, a.due_override
FROM assignment a JOIN task t ON t.id = a.task_id
WHERE a.active = TRUE AND t.active = TRUE
"""
# A region's assignments are its plans' (plan.region); appended to the reads above.
_REGION_TASKS = " AND p.region = :region"
_REGION_ASSIGNMENTS = " AND t.plan_id IN (SELECT id FROM plan WHERE region = :region)"
_CONCAT_SQL = """
SELECT count(*), group_concat(a.id), group_concat(a.task_id),
       group_concat(coalesce(a.unit_id, 0)), group_concat(coalesce(a.group_id, 0)),
       group_concat(a.role), group_concat(coalesce(a.completed_on, '')),
       group_concat(coalesce(a.due_override, ''))
FROM assignment a JOIN task t ON t.id = a.task_id
WHERE a.active = TRUE AND t.active = TRUE
"""
# The latest report per assignment up to the date; every date only for recurring duties,
# whose status counts reports. Report texts are read per row when shown (`last_reports`).
_LAST_REPORT_SQL = """
SELECT assignment_id, max(reported_on) FROM progress
WHERE reported_on <= :as_of{rows} GROUP BY assignment_id
"""
_RECURRING_REPORTS_SQL = """
SELECT pr.assignment_id, pr.reported_on, {covers}
FROM progress pr JOIN assignment a ON a.id = pr.assignment_id
JOIN task t ON t.id = a.task_id
WHERE t.due_recurring = TRUE AND a.active = TRUE AND pr.reported_on <= :as_of{rows}
ORDER BY pr.assignment_id, pr.reported_on, pr.id
"""
_LAST_TEXT_SQL = """
SELECT text, reported_on FROM progress WHERE assignment_id = :id AND reported_on <= :as_of
ORDER BY reported_on DESC, id DESC LIMIT 1
"""


def judge_columns(cols: BoardColumns, as_of: date, *, soon_days: int = 15) -> ColumnVerdicts:
    """Status and urgency of every row of a board read as columns: the one way its columns
    are handed to the rules (`tui.domain.board.evaluate_columns`), for the desk, the first
    screen's fallback and the status bench alike."""
    from tui.domain.board import evaluate_columns

    return evaluate_columns(
        task_ids=cols.task_ids,
        dues={t: (x[4], x[5]) for t, x in cols.tasks.items()},
        overrides=cols.overrides,
        completed=cols.completed,
        recurring_progress=cols.recurring_progress,
        recurring_covers=cols.recurring_covers,
        ids=cols.ids,
        last_progress=cols.last_progress,
        roles=cols.roles,
        letters=cols.letters,
        as_of=as_of,
        soon_days=soon_days,
    )


_LAST_TEXTS_SQL = """
SELECT assignment_id, text FROM progress WHERE reported_on <= :as_of
ORDER BY assignment_id, reported_on, id
"""


@dataclass(slots=True)
class LedgerColumns:
    """What the ledger writes per row, as columns in assignment order: the board's columns
    (filtered), their verdicts, and the text of each row's latest report up to the date."""

    cols: BoardColumns
    verdicts: ColumnVerdicts
    last_texts: dict[int, str]  # id → text of the latest report up to the date


def ledger_columns(
    conn,
    *,
    as_of: date,
    soon_days: int = 15,
    plan_ids: Collection[int] | None = None,
    unit_ids: Collection[int] | None = None,
) -> LedgerColumns:
    """Every live assignment (of the plans, of the units) as of a date, judged as the desk
    judges it (`judge_columns`, reports naming their occurrences included), and the latest
    report's text per row: all the ledger export writes, with no object per row."""
    with gc_paused():
        cols = load_columns(conn, as_of=as_of)
        if plan_ids is not None or unit_ids is not None:
            tasks = cols.tasks
            plans = None if plan_ids is None else set(plan_ids)
            units = None if unit_ids is None else set(unit_ids)
            keep_task = {t: plans is None or x[0] in plans for t, x in tasks.items()}
            keep = list(map(keep_task.__getitem__, cols.task_ids))
            if units is not None:
                keep = list(map(and_, keep, map(units.__contains__, cols.unit_ids)))
            cols = _select_rows(cols, keep)
        verdicts = judge_columns(cols, as_of, soon_days=soon_days)
        cur = conn.cursor()
        texts = dict(cur.execute(_LAST_TEXTS_SQL, {"as_of": as_of.isoformat()}).fetchall())
        cur.close()
        return LedgerColumns(cols, verdicts, texts)


def _select_rows(cols: BoardColumns, keep: Sequence[bool]) -> BoardColumns:
    """The rows of ``cols`` whose ``keep`` is true (the per-id maps are left whole: they are
    looked up by id)."""

    def pick(col):
        return list(compress(col, keep))

    return BoardColumns(
        pick(cols.ids),
        pick(cols.task_ids),
        pick(cols.unit_ids),
        pick(cols.group_ids),
        pick(cols.roles),
        pick(cols.completed),
        pick(cols.overrides),
        pick(cols.last_progress),
        cols.recurring_progress,
        cols.recurring_covers,
        pick(cols.letters),
        cols.tasks,
        cols.units,
        cols.groups,
    )


def load_columns(
    conn, *, as_of: date, region: str | None = None, ids: Sequence[int] | None = None
) -> BoardColumns:
    """Every live assignment as of a date, as columns (see `BoardColumns`); with ``region``,
    only the assignments of that region's plans (and only their tasks); with ``ids``, only
    those assignments that are still live (and their tasks): the rows a write touched."""
    cur = conn.cursor()
    tasks = {}
    where = ({"region": region}, _REGION_TASKS) if region is not None else ({}, "")
    only_rows, only_params = _among("a.id", ids)
    if ids is not None:
        only_tasks, task_params = _among("id", ids)
        where = (
            {**where[0], **task_params},
            where[1] + f" AND t.id IN (SELECT task_id FROM assignment WHERE TRUE{only_tasks})",
        )
    for tid, pid, ptitle, number, title, dues, recurring, kind in cur.execute(
        _TASKS_SQL + where[1], where[0]
    ).fetchall():
        due = tuple(date.fromisoformat(x) for x in dues.split(",")) if dues else ()
        tasks[tid] = (pid, ptitle, number, title, due, bool(recurring), kind)
    units = {uid: (name, kind) for uid, name, kind in cur.execute(_NAMES_SQL).fetchall()}
    groups = dict(cur.execute(_GROUPS_SQL).fetchall())
    wanted = ids
    ids, task_ids, unit_ids, group_ids, roles, completed, overrides = _in_id_order(
        _read_columns(conn, cur, region, only_rows, only_params)
    )
    limit = as_of.isoformat()
    completed = _date_column(completed, as_of)
    overrides = _date_column(overrides)
    of_rows, row_params = _among("assignment_id", wanted)
    last = cur.execute(
        _LAST_REPORT_SQL.format(rows=of_rows), {"as_of": limit, **row_params}
    ).fetchall()
    parsed = {v: _d(v) for v in {on for _aid, on in last}}
    last = {aid: parsed[on] for aid, on in last}
    last_progress = list(map(last.get, ids))
    del last
    recurring: dict[int, list[date]] = {}
    covers: dict[int, list[tuple]] = {}
    sql = _RECURRING_REPORTS_SQL.format(covers=_covers_sql(cur), rows=only_rows)
    for aid, on, lo, hi in cur.execute(sql, {"as_of": limit, **only_params}).fetchall():
        d = parsed.get(on) or _d(on)
        recurring.setdefault(aid, []).append(d)
        if hi is not None:
            covers.setdefault(aid, []).append((d, _d(lo), _d(hi)))
    sent = letters_sent(cur, as_of, wanted)
    letters = list(map(sent.get, ids)) if sent else [None] * len(ids)
    cur.close()
    return BoardColumns(
        ids,
        task_ids,
        unit_ids,
        group_ids,
        roles,
        completed,
        overrides,
        last_progress,
        {aid: tuple(dates) for aid, dates in recurring.items()},
        {aid: tuple(c) for aid, c in covers.items()},
        letters,
        tasks,
        units,
        groups,
    )


def _read_columns(
    conn, cur, region: str | None = None, where: str = "", params: dict | None = None
) -> tuple[list, ...]:
    """The assignment columns of `_COLUMNS_SQL`, one list each, in one scan: with ``region``,
    that region's plans only; ``where``, more conditions on ``a`` and ``t`` (``params``).

    sqlite3 builds a tuple per row (some 2 µs each, the bulk of the desk's start-up at
    200,000 rows), so on SQLite each column comes back as one comma-joined string, split
    and converted in C. Every aggregate walks the same scan, so the lists stay aligned.
    """
    params = dict(params or {})
    more = where
    if region is not None:
        params["region"] = region
        more = _REGION_ASSIGNMENTS + where
    if not isinstance(conn, sqlite3.Connection):
        rows = cur.execute(_COLUMNS_SQL + more, params).fetchall()
        if not rows:
            return tuple([] for _ in range(7))
        return tuple(list(col) for col in zip(*rows, strict=True))
    return _split_columns(cur.execute(_CONCAT_SQL + more, params).fetchone())


def _split_columns(joined_row: tuple) -> tuple[list, ...]:
    """`_CONCAT_SQL`'s one row (a count, then each column comma-joined) as the columns of
    `_read_columns`."""
    n, *joined = joined_row
    if not n:
        return tuple([] for _ in range(7))
    ids = _id_column(joined[0])
    task_ids, unit_ids, group_ids = map(_int_column, joined[1:4])
    roles, completed, overrides = (s.split(",") for s in joined[4:])
    return (
        ids,
        _shared_column(task_ids),
        _shared_column(unit_ids),
        _shared_column(group_ids),
        _shared_column(roles),
        completed,
        overrides,
    )


def _in_id_order(columns: tuple[list, ...]) -> tuple[list, ...]:
    """The columns in ascending id order: the order the desk ranks rows of equal urgency in,
    whatever order the database scanned them in (SQLite's scan already gives it)."""
    ids = columns[0]
    if all(map(lt, ids, islice(ids, 1, None))):
        return columns
    order = sorted(range(len(ids)), key=ids.__getitem__)
    return tuple(
        array(col.typecode, map(col.__getitem__, order))
        if isinstance(col, array)
        else list(map(col.__getitem__, order))
        for col in columns
    )


def _among(column: str, ids: Sequence[int] | None) -> tuple[str, dict]:
    """`` AND column IN (…)`` with one named parameter per id, and its parameters; nothing
    when ``ids`` is None (every row). An empty ``ids`` matches no row."""
    if ids is None:
        return "", {}
    if not ids:
        return " AND FALSE", {}
    params = {f"row{n}": int(i) for n, i in enumerate(ids)}
    return f" AND {column} IN ({', '.join(':' + k for k in params)})", params


def _id_column(joined: str) -> array:
    """The ids, distinct per row, parsed in C (the JSON decoder) and kept as machine values:
    the short-lived int objects go before any long-lived object of the read is made.
    (Sending them as fixed-width hex cost SQLite's printf more than this whole decoding.)"""
    return array("q", json.loads(f"[{joined}]"))


def _int_column(joined: str) -> list[int]:
    """A comma-joined column of integers, parsed in C by the JSON decoder: splitting it made
    a short-lived string per row, and those scattered among the board's long-lived objects
    kept the heap growing at every reload (and took longer)."""
    return json.loads(f"[{joined}]")


def _shared_column(values) -> list:
    """Each distinct value once (0 and '' are None), shared by its rows."""
    memo = {v: v or None for v in set(values)}
    return list(map(memo.__getitem__, values))


def _date_column(values: list, as_of: date | None = None) -> list:
    """ISO strings (or None) to dates, each distinct value parsed once; with `as_of`, a date
    after it reads as None (a closing the desk must not see yet)."""
    memo = {v: _d(v) for v in set(values)}
    if as_of is not None:
        memo = {v: (d if d is None or d <= as_of else None) for v, d in memo.items()}
    if not any(memo.values()):
        return [None] * len(values)
    return list(map(memo.__getitem__, values))


def last_reports(conn, ids: Sequence[int], as_of: date) -> dict[int, tuple[date, str]]:
    """The latest report (date, text) up to the date for each of a few assignments."""
    out = {}
    cur = conn.cursor()
    for aid in ids:
        row = cur.execute(_LAST_TEXT_SQL, {"id": aid, "as_of": as_of.isoformat()}).fetchone()
        if row is not None:
            out[aid] = (_d(row[1]), row[0])
    cur.close()
    return out
