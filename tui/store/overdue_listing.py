"""The rows `duban overdue` lists, read as columns: no object per assignment.

Only the rows that can be overdue on the date leave SQL (`board._PAST_DUE_FILTER`, a
superset: not closed by then, some deadline already past); the status rules then judge
them through `board.judge_columns`, the desk's one call into the column rules, and the rows
they call 逾期 are kept, most pressing first. Report texts are read only for those rows.

On SQLite every wide read comes back as comma-joined strings split in C (see
`board._read_columns`): a whole `duban overdue` is measured against Taskwarrior.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date
from itertools import compress, groupby, islice
from operator import lt

from tui.store.board import (
    _CONCAT_SQL,
    _GROUPS_SQL,
    _NAMES_SQL,
    _NO_COVERS,
    _PAST_DUE_FILTER,
    BoardColumns,
    _covers_sql,
    _d,
    _date_column,
    _int_column,
    _read_columns,
    _split_columns,
    judge_columns,
    letters_sent,
)

# Every report up to the date, unordered: sorting is cheaper in Python, on the rows that
# matter (`_reports`); the few that name their occurrences, apart.
_REPORTS_SQL = "SELECT assignment_id, reported_on, id FROM progress WHERE reported_on <= :as_of"
_REPORTS_CONCAT_SQL = """
SELECT count(*), group_concat(assignment_id), group_concat(reported_on), group_concat(id),
       {any_covers}
FROM progress WHERE +reported_on <= :as_of
"""
_COVERS_SQL = """
SELECT assignment_id, reported_on, id, cover_from, cover_to FROM progress
WHERE cover_to IS NOT NULL AND reported_on <= :as_of
"""
# `board._PAST_DUE_FILTER` as SQLite runs it fastest. A DATE column has numeric affinity, so
# comparing it with a text parameter tries to read the parameter as a number on every row
# (a tenth of the scan); the unary + drops the column's affinity and the comparison is the
# same one of two texts (a date that is not a number stays text either way). PostgreSQL has
# no unary + for dates: server stores take the board's filter.
_SQLITE_PAST_DUE_FILTER = """
  AND (a.completed_on IS NULL OR +a.completed_on > :as_of)
  AND ((a.due_override IS NULL AND t.due_first <> '' AND t.due_first < :as_of_text)
       OR +a.due_override < :as_of)
"""
# The items of the letters sent up to the date (`board.letters_sent`), read as two flat
# lists on SQLite: each item's row and its letter's rung (the letter found by its key).
_SENT_ITEMS_SQL = """
SELECT group_concat(li.assignment_id), group_concat(l.rung)
FROM letter_item li JOIN letter l ON l.id = li.letter_id
WHERE l.number IS NOT NULL AND l.status != '作废' AND +l.issued_on <= :as_of
"""
# Tasks, and their plans' titles apart: a plan looked up per task costs more than the
# handful of plans read once.
_TASKS_SQL = """
SELECT id, plan_id, number, title, due_dates, due_recurring, due_kind FROM task
WHERE active = TRUE
"""
_PLAN_TITLES_SQL = "SELECT id, title FROM plan"
_PAST_TASKS_SQL = _TASKS_SQL + "  AND due_first <> '' AND due_first < :as_of_text\n"
_TASKS_BY_ID_SQL = _TASKS_SQL + "  AND id IN ({marks})\n"

TYPE_CHECKING = False  # what typing.TYPE_CHECKING says at run time, without importing typing
if TYPE_CHECKING:
    from tui.domain.board import ColumnVerdicts

_TEXT_BATCH = 500  # report ids per query (well under every driver's parameter limit)


class OverdueListing:
    """The candidates as `BoardColumns`, and the positions among them of the overdue rows,
    most pressing first (ties in reading order, as `tui.domain.board.by_urgency`)."""

    __slots__ = ("cols", "order", "statuses", "urgencies", "texts")

    def __init__(
        self,
        cols: BoardColumns,
        order: list[int],
        statuses: list,  # StatusResult per candidate
        urgencies: list[float],
        texts: list[str | None],  # per listed row (in `order`): its latest report's text
    ) -> None:
        self.cols, self.order, self.statuses = cols, order, statuses
        self.urgencies, self.texts = urgencies, texts

    def unit(self, i: int) -> tuple[str, str]:
        """(name, kind) of row ``i``: its unit, or its unresolved group (kind 待分解)."""
        c = self.cols
        named = c.units.get(c.unit_ids[i])
        return named if named is not None else (c.groups.get(c.group_ids[i], ""), "待分解")


def read_overdue(
    conn,
    as_of: date,
    *,
    unit_ids: set[int] | None = None,
    plan_ids: set[int] | None = None,
) -> OverdueListing:
    """Every assignment overdue on ``as_of`` (with the unit and plan filters), judged by the
    status rules and ordered by urgency."""
    cols, verdicts, report_ids = judge_candidates(conn, as_of, unit_ids=unit_ids, plan_ids=plan_ids)
    urgencies = verdicts.urgencies
    order = sorted(overdue_positions(verdicts), key=urgencies.__getitem__, reverse=True)
    # the latest report's text, for the listed rows that have one
    shown = list(map(cols.ids.__getitem__, order))
    latest = list(map(report_ids.get, shown))
    text_of = _report_texts(conn, list(filter(None, latest)))
    texts = list(map(text_of.get, latest))  # None: no report
    return OverdueListing(cols, order, verdicts.statuses, urgencies, texts)


def judge_candidates(
    conn,
    as_of: date,
    *,
    unit_ids: set[int] | None = None,
    plan_ids: set[int] | None = None,
    soon_days: int = 15,
) -> tuple[BoardColumns, ColumnVerdicts, dict[int, int]]:
    """The rows that can be overdue on ``as_of`` as board columns, the rules' verdicts on
    them (`board.judge_columns`), and each row's latest report id up to the date."""
    cols, report_ids = _read_candidates(conn, as_of, unit_ids, plan_ids)
    return cols, judge_columns(cols, as_of, soon_days=soon_days), report_ids


def overdue_positions(verdicts: ColumnVerdicts) -> list[int]:
    """Positions of the rows the rules call 逾期, in reading order."""
    from tui.domain.board import LIGHT_CODE
    from tui.domain.status import Status

    code = LIGHT_CODE[Status.OVERDUE]
    return list(compress(range(len(verdicts.light_codes)), map(code.__eq__, verdicts.light_codes)))


def _read_candidates(conn, as_of: date, unit_ids, plan_ids) -> tuple[BoardColumns, dict]:
    """The rows that can be overdue, as board columns; and each one's latest report id."""
    cur = conn.cursor()
    tasks: dict[int, tuple] = {}
    fetched: set[int] = set()
    parsed_dues: dict[str, tuple] = {}
    plans = dict(cur.execute(_PLAN_TITLES_SQL).fetchall())

    def add_tasks(rows) -> None:
        for tid, pid, number, title, dues, recurring, kind in rows:
            fetched.add(tid)
            if (plan_ids is not None and pid not in plans_wanted) or pid not in plans:
                continue
            due = parsed_dues.get(dues)
            if due is None:
                due = parsed_dues[dues] = (
                    tuple(date.fromisoformat(x) for x in dues.split(",")) if dues else ()
                )
            tasks[tid] = (pid, plans[pid], number, title, due, bool(recurring), kind)

    plans_wanted = plan_ids or set()
    day = as_of.isoformat()
    # one value per column type: a server binds a name once (due_first is ISO text)
    params = {"as_of": day, "as_of_text": day}
    where = _SQLITE_PAST_DUE_FILTER if isinstance(conn, sqlite3.Connection) else _PAST_DUE_FILTER
    # The widest read, the rows' columns, runs in SQLite on a second connection while this
    # one reads the tasks, reports and letters (`_ColumnsAside`); None: here, in turn.
    aside = _ColumnsAside.start(conn, where, params)
    try:
        # The tasks whose first deadline has passed: only their rows can be overdue unless an
        # extension says otherwise; the tasks of such rows are read once the rows are known.
        add_tasks(cur.execute(_PAST_TASKS_SQL, {"as_of_text": day}).fetchall())
        units = {uid: (name, kind) for uid, name, kind in cur.execute(_NAMES_SQL).fetchall()}
        groups = dict(cur.execute(_GROUPS_SQL).fetchall())
        reports = _read_reports(cur, as_of)  # every row's, kept to the candidates below
        sent = _letters(cur, as_of)
        if aside is None:
            columns = _read_columns(conn, cur, where=where, params=params)
        else:
            import tui.domain.board  # noqa: F401  (the rules, loaded while SQLite reads)
    except BaseException:
        if aside is not None:  # its connection is closed before the error goes on
            aside.wait()
        raise
    if aside is not None:
        columns = aside.result()
    missing = set(columns[1]) - fetched
    if missing:
        add_tasks(_rows_by_id(cur, _TASKS_BY_ID_SQL, sorted(missing)))
    if plan_ids is not None or unit_ids is not None:
        keep = [
            tid in tasks and (unit_ids is None or uid in unit_ids)
            for tid, uid in zip(columns[1], columns[2], strict=True)
        ]
        columns = tuple(list(compress(col, keep)) for col in columns)
    ids, task_ids, uids, gids, roles, completed, overrides = columns
    completed = _date_column(completed, as_of)  # a closing after as_of is not seen yet
    overrides = _date_column(overrides)
    wanted = set(ids)
    recurs = {tid for tid, t in tasks.items() if t[5]}
    recurring_ids = set(compress(ids, map(recurs.__contains__, task_ids)))  # a pass in C
    last_on, last_id, recurring, covers = _candidates_reports(
        cur, as_of, reports, wanted, recurring_ids
    )
    cur.close()
    cols = BoardColumns(
        ids,
        task_ids,
        uids,
        gids,
        roles,
        completed,
        overrides,
        list(map(last_on.get, ids)),
        recurring,
        covers,
        list(map(sent.get, ids)) if sent else [None] * len(ids),
        tasks,
        units,
        groups,
    )
    return cols, last_id


def _reports(cur, as_of: date, wanted: set[int], recurring_ids: set[int]):
    """Of the rows in ``wanted``: the latest report's date and id up to the date, and every
    report date (and named occurrences) of the recurring duties among them."""
    return _candidates_reports(cur, as_of, _read_reports(cur, as_of), wanted, recurring_ids)


def _read_reports(cur, as_of: date) -> tuple | None:
    """Every report up to the date, in the order the rules read them (by date, then by
    entry), as positions into its columns: (row ids, dates as text, report ids, positions,
    row id → its latest position, whether some report names its occurrences); None: no
    report. Asked before the candidates are known (their read runs meanwhile)."""
    params = {"as_of": as_of.isoformat()}
    covered = True  # whether some report names its occurrences (asked apart when unknown)
    if isinstance(cur, sqlite3.Cursor):
        has = _covers_sql(cur) != _NO_COVERS
        sql = _REPORTS_CONCAT_SQL.format(any_covers="max(cover_to IS NOT NULL)" if has else "0")
        n, joined_aids, joined_ons, joined_ids, covered = cur.execute(sql, params).fetchone()
        if not n:
            return None
        # integers parsed in C (`board._int_column`), the dates left as text until needed
        aids, ons, rids = _int_column(joined_aids), joined_ons.split(","), _int_column(joined_ids)
    else:
        rows = cur.execute(_REPORTS_SQL, params).fetchall()
        if not rows:
            return None
        aids, ons, rids = (list(c) for c in zip(*rows, strict=True))
        rids = list(map(int, rids))
    # Every report in the order the rules read them: by date, then by entry. A table scan
    # hands them over by entry already (checked in C, one comparison per report); only
    # otherwise are they sorted by entry first. Positions are sorted, keys looked up in C.
    order = list(range(len(aids)))
    if not all(map(lt, rids, islice(rids, 1, None))):
        order.sort(key=rids.__getitem__)
    order.sort(key=ons.__getitem__)  # stable: a day's reports stay in entry order
    last = dict(zip(map(aids.__getitem__, order), order, strict=True))  # latest per row wins
    return aids, ons, rids, order, last, covered


def _candidates_reports(
    cur, as_of: date, reports: tuple | None, wanted: set[int], recurring_ids: set[int]
):
    """`_read_reports` kept to the rows in ``wanted``: the latest report's date and id per
    row, every report date of the recurring duties among them, and their named occurrences."""
    if reports is None:
        return {}, {}, {}, {}
    aids, ons, rids, order, last, covered = reports
    params = {"as_of": as_of.isoformat()}
    rows_with = list(filter(wanted.__contains__, last))
    at = list(map(last.__getitem__, rows_with))
    last_text = list(map(ons.__getitem__, at))
    memo = {v: _d(v) for v in set(last_text)}
    last_on = dict(zip(rows_with, map(memo.__getitem__, last_text), strict=True))
    last_id = dict(zip(rows_with, map(rids.__getitem__, at), strict=True))
    recurring: dict[int, tuple] = {}
    if recurring_ids:
        # Whose reports are the recurring rows': asked of the set in the reports' own order
        # (in date order, the look-ups jump about memory and cost twice as much), then kept
        # in date order.
        theirs = list(map(recurring_ids.__contains__, aids))
        mine = list(compress(order, map(theirs.__getitem__, order)))
        mine.sort(key=aids.__getitem__)  # stable: each row's reports stay in date order
        for v in set(map(ons.__getitem__, mine)) - memo.keys():
            memo[v] = _d(v)
        recurring = {
            aid: tuple(map(memo.__getitem__, map(ons.__getitem__, positions)))
            for aid, positions in groupby(mine, key=aids.__getitem__)
        }
    return last_on, last_id, recurring, _covers(cur, params, recurring_ids) if covered else {}


def _covers(cur, params: dict, recurring_ids: set[int]) -> dict[int, tuple]:
    """The reports of recurring duties that name the occurrences they answer (few), per row
    in date and entry order; none on a store written before reports could name them."""
    if not recurring_ids or _covers_sql(cur) == _NO_COVERS:
        return {}
    rows = [r for r in cur.execute(_COVERS_SQL, params).fetchall() if r[0] in recurring_ids]
    covers: dict[int, list[tuple]] = {}
    for aid, on, _id, lo, hi in sorted(rows, key=lambda r: (r[0], _d(r[1]), r[2])):
        covers.setdefault(aid, []).append((_d(on), _d(lo), _d(hi)))
    return {aid: tuple(c) for aid, c in covers.items()}


class _ColumnsAside:
    """The rows' scan of `board._read_columns` on a second read-only connection to the same
    SQLite file, in a thread: SQLite lets go of the interpreter while it scans, so the widest
    read overlaps the tasks, reports and letters read on the first connection; the thread
    only runs the query (the columns are split on the reader's side, `result`). Each query
    on SQLite reads the store as it is when it runs, on one connection or two alike."""

    __slots__ = ("_done", "_box")

    def __init__(self) -> None:
        import _thread

        self._done = _thread.allocate_lock()
        self._done.acquire()
        self._box: list = []

    @classmethod
    def start(cls, conn, where: str, params: dict) -> _ColumnsAside | None:
        """Started on a SQLite file's connection with nothing uncommitted (a second
        connection would not see it); None otherwise (a server store, a memory store)."""
        if not isinstance(conn, sqlite3.Connection) or conn.in_transaction:
            return None
        files = [f for _seq, name, f in conn.execute("PRAGMA database_list") if name == "main"]
        if not files or not files[0]:
            return None
        import _thread

        aside = cls()
        _thread.start_new_thread(aside._run, (files[0], where, params))
        return aside

    def _run(self, path: str, where: str, params: dict) -> None:
        from pathlib import Path

        from tui.store.sqlite_files import open_readonly

        try:
            other = open_readonly(Path(path))
            try:
                self._box.append(other.execute(_CONCAT_SQL + where, params).fetchone())
            finally:
                other.close()
        except BaseException as exc:  # handed to the reader, raised there
            self._box.append(exc)
        finally:
            self._done.release()

    def wait(self) -> None:
        with self._done:
            pass

    def result(self) -> tuple[list, ...]:
        """The columns, as `board._read_columns` gives them: split and converted here, so
        the thread needs the interpreter only to hand over one row of joined strings."""
        self.wait()
        found = self._box[0]
        if isinstance(found, BaseException):
            raise found
        return _split_columns(found)


def _letters(cur, as_of: date) -> dict[int, tuple[int, int]]:
    """`board.letters_sent` (per assignment: letters sent up to the date, highest rung),
    counted here from the sent items' two columns on SQLite: a grouped join costs more, and
    reading every item with the sent letters apart costs a filter per item in Python."""
    if not isinstance(cur, sqlite3.Cursor):
        return letters_sent(cur, as_of)
    try:
        aids, levels = cur.execute(_SENT_ITEMS_SQL, {"as_of": as_of.isoformat()}).fetchone()
    except sqlite3.OperationalError:  # no letter tables in this store yet
        return {}
    if not aids:
        return {}
    aids, levels = _int_column(aids), _int_column(levels)  # integers parsed in C
    counts = Counter(aids)
    highest: dict[int, int] = {}
    for level in sorted(set(levels)):  # a few rungs, each a pass in C; the highest last
        highest.update(dict.fromkeys(compress(aids, map(level.__eq__, levels)), level))
    tops = map(highest.__getitem__, counts)
    return dict(zip(counts, zip(counts.values(), tops, strict=True), strict=True))


def _report_texts(conn, report_ids: list[int]) -> dict[int, str]:
    """Report id → text, for a few thousand reports."""
    cur = conn.cursor()
    out = dict(_rows_by_id(cur, "SELECT id, text FROM progress WHERE id IN ({marks})", report_ids))
    cur.close()
    return out


def _rows_by_id(cur, sql: str, ids: list[int]) -> list[tuple]:
    """The rows of ``sql`` whose id is among ``ids``, asked in batches (sqlite3 binds
    positional parameters at half the cost of named ones; a server store's driver takes
    names). ``sql`` marks where the list goes with ``{marks}``."""
    rows: list[tuple] = []
    positional = isinstance(cur, sqlite3.Cursor)
    for start in range(0, len(ids), _TEXT_BATCH):
        batch = ids[start : start + _TEXT_BATCH]
        if positional:
            rows += cur.execute(sql.format(marks=",".join("?" * len(batch))), batch).fetchall()
            continue
        names = {f"r{k}": rid for k, rid in enumerate(batch)}
        marks = ", ".join(f":{name}" for name in names)
        rows += cur.execute(sql.format(marks=marks), names).fetchall()
    return rows
