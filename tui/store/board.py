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
from datetime import date
from itertools import compress, islice
from operator import and_, lt

from tui.errors import DubanError
from tui.gc_pause import gc_paused

TYPE_CHECKING = False  # what typing.TYPE_CHECKING says at run time, without importing typing
if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tui.domain.board import ColumnVerdicts


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
_NO_COVERS = "NULL, NULL"
_COVERS = "pr.cover_from, pr.cover_to"


def _covers_sql(cur) -> str:
    """The cover columns, or NULLs on a store written before they existed (read-only
    connections do not migrate)."""
    if not isinstance(cur, sqlite3.Cursor):  # a server store: the engine migrated it
        return _COVERS
    cols = {row[1] for row in cur.execute("PRAGMA table_info(progress)").fetchall()}
    return _COVERS if "cover_to" in cols else _NO_COVERS


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


class BoardColumns:
    """The facts of `tui.store.facts.load_facts`, one list per field in assignment order,
    for the desk.

    At 200,000 rows one object per assignment costs more than the whole SQL read, so the desk
    keeps plain columns and builds an `AssignmentFact` only for a row it shows. Dates that
    repeat (closings, progress) are parsed once per distinct value. A plain slotted class,
    as everything `duban overdue` imports: the dataclasses module brings inspect, a
    twentieth of that whole process (see `tui.store.facts`).
    """

    __slots__ = (
        "ids",
        "task_ids",
        "unit_ids",
        "group_ids",
        "roles",
        "completed",
        "overrides",
        "last_progress",
        "recurring_progress",
        "recurring_covers",
        "letters",
        "tasks",
        "units",
        "groups",
    )

    def __init__(
        self,
        ids: list[int],
        task_ids: list[int],
        unit_ids: list[int | None],
        group_ids: list[int | None],
        roles: list[str],
        completed: list[date | None],  # as of the date: later closings are left out
        overrides: list[date | None],
        last_progress: list[date | None],  # the latest report up to the date
        recurring_progress: dict[int, tuple[date, ...]],  # id → report dates, recurring only
        recurring_covers: dict[int, tuple],  # id → reports naming their occurrences (few)
        letters: list[tuple[int, int] | None],  # (letters sent, highest rung) or None
        tasks: dict[int, tuple],  # id → (plan id, plan title, number, title, due, recurring, kind)
        units: dict[int, tuple[str, str]],  # id → (name, kind), merged units included
        groups: dict[int, str],
    ) -> None:
        self.ids, self.task_ids, self.unit_ids, self.group_ids = ids, task_ids, unit_ids, group_ids
        self.roles, self.completed, self.overrides = roles, completed, overrides
        self.last_progress, self.letters = last_progress, letters
        self.recurring_progress, self.recurring_covers = recurring_progress, recurring_covers
        self.tasks, self.units, self.groups = tasks, units, groups


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


class LedgerColumns:
    """What the ledger writes per row, as columns in assignment order: the board's columns
    (filtered), their verdicts, and the text of each row's latest report up to the date."""

    __slots__ = ("cols", "verdicts", "last_texts")

    def __init__(
        self,
        cols: BoardColumns,
        verdicts: ColumnVerdicts,
        last_texts: dict[int, str],  # id → text of the latest report up to the date
    ) -> None:
        self.cols, self.verdicts, self.last_texts = cols, verdicts, last_texts


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
