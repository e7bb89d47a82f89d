"""The desk's first screen from a few aggregate queries: assignments counted by unit, plan
and light, without reading 200,000 rows into Python.

The desk shows these counts while the full board (`tui.store.desk.load_desk`) is still
being read behind them, so they must be the very numbers the board gives. A light that
depends only on dates is decided in SQL by the comparisons `assignment_status` makes (the
done branch: closed on or before the latest deadline; a one-off: that deadline before the
date is 逾期, within ``soon_days`` 临期); a recurring duty still open, whose light depends on
its reports, is judged row by row by `assignment_status` itself. Dates are ISO text in a
SQLite store, so comparing them as text compares the dates. PostgreSQL (a reader whose
``dialect_name`` says so: `tui.store.dialect`, `tui.store.pg_first`) compares date columns
and groups on the server (`_pg_counts`); any other database counts the full board instead
(`tally_from_columns`), so the numbers are equal there by construction.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from tui.domain.board import LIGHT_CODE, LIGHTS
from tui.domain.status import Status, assignment_status
from tui.store.board import _covers_sql, _d, judge_columns, load_columns

_DONE, _LATE = LIGHT_CODE[Status.DONE], LIGHT_CODE[Status.DONE_LATE]
_OVER, _SOON = LIGHT_CODE[Status.OVERDUE], LIGHT_CODE[Status.DUE_SOON]
_TRACK, _NONE = LIGHT_CODE[Status.ON_TRACK], LIGHT_CODE[Status.NO_DEADLINE]
_JUDGE = -1  # a recurring duty still open: judged in Python from its reports

# The latest deadline of a task: `due_dates` holds ISO dates, sorted, comma-separated.
_LAST = "substr(t.due_dates, length(t.due_dates) - 9)"


def _by_date(due: str) -> str:
    return (
        f"CASE WHEN {due} < :as_of THEN {_OVER} WHEN {due} <= :soon THEN {_SOON} ELSE {_TRACK} END"
    )


def _task_light_sql(last: str, no_last: str, recurring: str, active: str) -> str:
    """A task's own light, judged once per task (8,000 of them, not 200,000 assignments):
    what an assignment with no completion and no deadline of its own shows. ``last``: the
    task's latest deadline as the database compares it (``no_last`` when it has none);
    ``recurring`` and ``active``: the database's tests of those flags."""
    return f"""
SELECT id, plan_id, CASE WHEN due_dates = '' THEN {no_last} ELSE {last} END AS last,
       CASE WHEN due_dates = '' THEN {_NONE}
            WHEN {recurring} THEN {_JUDGE}
            ELSE {_by_date(last)} END AS light
FROM task t WHERE {active}"""


def _light_sql(no_last: str) -> str:
    """An assignment's light from its task's (``t``: `_task_light_sql`); ``no_last`` tests
    that the task has no deadline."""
    return f"""
CASE
  WHEN a.completed_on IS NULL AND a.due_override IS NULL THEN t.light
  WHEN a.completed_on IS NOT NULL AND a.completed_on <= :as_of THEN
    CASE WHEN a.due_override IS NOT NULL THEN
           CASE WHEN a.completed_on <= a.due_override THEN {_DONE} ELSE {_LATE} END
         WHEN {no_last} THEN {_DONE}
         WHEN a.completed_on <= t.last THEN {_DONE}
         ELSE {_LATE} END
  WHEN a.due_override IS NOT NULL THEN {_by_date("a.due_override")}
  ELSE t.light
END"""


# SQLite: dates are ISO text, compared as text. MATERIALIZED (below) keeps SQLite from
# folding the task CTE back into the scan, where it would be judged row by row again.
_TASK_LIGHT_SQL = _task_light_sql(_LAST, "''", "due_recurring = 1", "active = 1")
_LIGHT_SQL = _light_sql("t.last = ''")
# PostgreSQL: date columns; the task's latest deadline is cast from its text once per task.
_PG_TASK_LIGHT_SQL = _task_light_sql(f"CAST({_LAST} AS DATE)", "NULL", "due_recurring", "active")
_PG_LIGHT_SQL = _light_sql("t.last IS NULL")

# Every row's unit, plan and light packed into one integer and comma-joined, counted in
# Python: a GROUP BY here sorts 200,000 rows in a temporary B-tree, three times slower than
# the scan and the split together (the same trick as `tui.store.board._read_columns`), and
# one packed column splits and counts at a fifth of the cost of three (no tuple per row).
# Unit 0 stands for an unresolved group (no unit); the light is stored plus one, so the
# code of a recurring duty to judge (-1) packs too.
_PLANS, _LIGHTS = 1 << 20, 8
_TALLY_SQL = f"""
WITH t AS MATERIALIZED ({_TASK_LIGHT_SQL})
SELECT count(*),
       group_concat((coalesce(a.unit_id, 0) * {_PLANS} + t.plan_id) * {_LIGHTS}
                    + ({_LIGHT_SQL}) + 1)
FROM assignment a JOIN t ON t.id = a.task_id
WHERE a.active = 1
"""
# The two reads below start from the few recurring tasks and reach their assignments and
# reports through their indexes (CROSS JOIN fixes that order: left to itself SQLite scans
# every assignment, five times slower).
_OPEN_RECURRING_SQL = """
SELECT a.id, a.unit_id, t.plan_id, t.due_dates
FROM task t CROSS JOIN assignment a ON a.task_id = t.id
WHERE a.active = 1 AND t.active = 1 AND t.due_recurring = 1 AND t.due_dates <> ''
  AND a.due_override IS NULL AND (a.completed_on IS NULL OR a.completed_on > :as_of)
"""
_REPORTS_SQL = """
SELECT pr.assignment_id, pr.reported_on, {covers}
FROM task t CROSS JOIN assignment a ON a.task_id = t.id
CROSS JOIN progress pr ON pr.assignment_id = a.id
WHERE t.due_recurring = 1 AND a.active = 1 AND t.active = 1 AND a.due_override IS NULL
  AND (a.completed_on IS NULL OR a.completed_on > :as_of) AND pr.reported_on <= :as_of
ORDER BY pr.assignment_id, pr.reported_on, pr.id
"""


# PostgreSQL groups on the server (its GROUP BY is fast; no row comes back per
# assignment), and has no CROSS JOIN … ON: the same reads in its words.
_PG_TALLY_SQL = f"""
WITH t AS MATERIALIZED ({_PG_TASK_LIGHT_SQL})
SELECT a.unit_id, t.plan_id, {_PG_LIGHT_SQL} AS row_light, count(*)
FROM assignment a JOIN t ON t.id = a.task_id
WHERE a.active
GROUP BY 1, 2, 3
"""
_PG_OPEN_RECURRING_SQL = """
SELECT a.id, a.unit_id, t.plan_id, t.due_dates
FROM task t JOIN assignment a ON a.task_id = t.id
WHERE a.active AND t.active AND t.due_recurring AND t.due_dates <> ''
  AND a.due_override IS NULL AND (a.completed_on IS NULL OR a.completed_on > :as_of)
"""
_PG_REPORTS_SQL = """
SELECT pr.assignment_id, pr.reported_on, {covers}
FROM task t JOIN assignment a ON a.task_id = t.id
JOIN progress pr ON pr.assignment_id = a.id
WHERE t.due_recurring AND a.active AND t.active AND a.due_override IS NULL
  AND (a.completed_on IS NULL OR a.completed_on > :as_of) AND pr.reported_on <= :as_of
ORDER BY pr.assignment_id, pr.reported_on, pr.id
"""


@dataclass
class Tally:
    """Live assignments counted by (unit id or None for an unresolved group, plan id, light
    code — a position in `tui.domain.board.LIGHTS`), with the names the figures show."""

    counts: dict[tuple[int | None, int, int], int]
    units: dict[int, tuple[str, str]]  # id → (name, kind), merged units included
    plans: dict[int, str]  # every plan, in id order


def load_tally(conn, *, as_of: date, soon_days: int = 15) -> Tally:
    """The counts of the first screen, as `tally_from_columns` would give them from the
    whole board (see the module docstring)."""
    cur = conn.cursor()
    units = {
        uid: (name, kind) for uid, name, kind in cur.execute("SELECT id, name, kind FROM unit")
    }
    plans = dict(cur.execute("SELECT id, title FROM plan ORDER BY id").fetchall())
    if getattr(conn, "dialect_name", "") == "postgresql":
        counts = _pg_counts(cur, as_of, soon_days)
        cur.close()
        return Tally(counts, units, plans)
    if not isinstance(conn, sqlite3.Connection) or max(plans, default=0) >= _PLANS:
        cur.close()
        return tally_from_columns(load_columns(conn, as_of=as_of), as_of, soon_days, plans)
    params = {"as_of": as_of.isoformat(), "soon": (as_of + timedelta(days=soon_days)).isoformat()}
    counts: Counter = Counter()
    n, joined = cur.execute(_TALLY_SQL, params).fetchone()
    if n:
        for code, k in Counter(joined.split(",")).items():
            packed, light = divmod(int(code), _LIGHTS)
            if light:  # 0: the light was _JUDGE, judged below
                uid, pid = divmod(packed, _PLANS)
                counts[(uid or None, pid, light - 1)] += k
    rows = cur.execute(_OPEN_RECURRING_SQL, params).fetchall()
    if rows:
        _judge_recurring(cur, _REPORTS_SQL, params, rows, as_of, soon_days, counts)
    cur.close()
    return Tally(dict(counts), units, plans)


def _pg_counts(cur, as_of: date, soon_days: int) -> dict:
    """`load_tally`'s counts on PostgreSQL: grouped on the server by unit, plan and light;
    the open recurring duties judged here from their reports, as on SQLite."""
    params = {"as_of": as_of, "soon": as_of + timedelta(days=soon_days)}
    counts: Counter = Counter()
    for uid, pid, light, n in cur.execute(_PG_TALLY_SQL, params).fetchall():
        if light != _JUDGE:
            counts[(uid, pid, light)] += n
    rows = cur.execute(_PG_OPEN_RECURRING_SQL, params).fetchall()
    if rows:
        _judge_recurring(cur, _PG_REPORTS_SQL, params, rows, as_of, soon_days, counts)
    return dict(counts)


def _judge_recurring(cur, reports_sql, params, rows, as_of, soon_days, counts) -> None:
    """Count each open recurring duty of ``rows`` under the light its reports give it."""
    reports: dict[int, list] = {}
    covers: dict[int, list] = {}
    sql = reports_sql.format(covers=_covers_sql(cur))
    parsed: dict = {}
    for aid, on, lo, hi in cur.execute(sql, params).fetchall():
        d = parsed.get(on)
        if d is None:
            d = parsed[on] = _d(on)
        reports.setdefault(aid, []).append(d)
        if hi is not None:
            covers.setdefault(aid, []).append((d, _d(lo), _d(hi)))
    judged: dict = {}
    dues: dict[str, tuple[date, ...]] = {}
    for aid, uid, pid, text in rows:
        due = dues.get(text)
        if due is None:
            due = dues[text] = tuple(date.fromisoformat(x) for x in text.split(","))
        key = (due, tuple(reports.get(aid, ())), tuple(covers.get(aid, ())))
        light = judged.get(key)
        if light is None:
            st = assignment_status(
                due,
                as_of,
                progress_dates=key[1],
                recurring=True,
                soon_days=soon_days,
                covers=key[2],
            )
            light = judged[key] = LIGHT_CODE[st.status]
        counts[(uid, pid, light)] += 1


def tally_from_columns(cols, as_of: date, soon_days: int, plans: dict[int, str]) -> Tally:
    """The same counts from the whole board read as columns (any database)."""
    verdicts = judge_columns(cols, as_of, soon_days=soon_days)
    plan_of = {t: x[0] for t, x in cols.tasks.items()}
    counts = Counter(
        zip(
            cols.unit_ids,
            map(plan_of.__getitem__, cols.task_ids),
            verdicts.light_codes,
            strict=True,
        )
    )
    return Tally(dict(counts), cols.units, plans)


# --------------------------------------------------------------------------- figures
# Pure aggregations of a Tally, shared by the first screen and the board.

DONE_STATUSES = (Status.DONE, Status.DONE_LATE)


@dataclass
class UnitFigure:
    unit_id: int | None
    name: str
    kind: str
    total: int
    done: int
    overdue: int
    due_soon: int

    @property
    def rate(self) -> float:
        return self.done / self.total if self.total else 0.0


@dataclass
class PlanFigure:
    plan_id: int
    title: str
    total: int
    done: int
    overdue: int

    @property
    def rate(self) -> float:
        return self.done / self.total if self.total else 0.0


def unit_figures_of(tally: Tally) -> list[UnitFigure]:
    """Completion per unit, laggards first (most overdue by share, then the lowest rate)."""
    out: dict[int, UnitFigure] = {}
    for (uid, _pid, code), n in tally.counts.items():
        if uid is None:
            continue
        st = LIGHTS[code]
        u = out.get(uid)
        if u is None:
            name, kind = tally.units.get(uid, ("", ""))
            u = out[uid] = UnitFigure(uid, name, kind, 0, 0, 0, 0)
        u.total += n
        if st in DONE_STATUSES:
            u.done += n
        elif st is Status.OVERDUE:
            u.overdue += n
        elif st is Status.DUE_SOON:
            u.due_soon += n
    # Laggards are units with overdue items: most overdue (by share) first, then the lowest
    # completion rate; a unit whose few items are simply not due yet is not a laggard.
    return sorted(
        out.values(), key=lambda u: (-(u.overdue / u.total if u.total else 0), u.rate, u.name)
    )


def plan_figures_of(tally: Tally) -> list[PlanFigure]:
    out: dict[int, PlanFigure] = {
        pid: PlanFigure(pid, title, 0, 0, 0) for pid, title in tally.plans.items()
    }
    for (_uid, pid, code), n in tally.counts.items():
        p = out.get(pid)
        if p is None:
            continue
        st = LIGHTS[code]
        p.total += n
        if st in DONE_STATUSES:
            p.done += n
        elif st is Status.OVERDUE:
            p.overdue += n
    return [p for p in out.values() if p.total]


def status_counts(tally: Tally) -> dict[Status, int]:
    """Assignments per light (every light present, 0 when none)."""
    counts = dict.fromkeys(Status, 0)
    for (_uid, _pid, code), n in tally.counts.items():
        counts[LIGHTS[code]] += n
    return counts


def pending_total(tally: Tally) -> int:
    """Assignments still held by an unresolved group (待分解)."""
    return sum(n for (uid, _pid, _code), n in tally.counts.items() if uid is None)


# --------------------------------------------------------------------------- letters


@dataclass(frozen=True)
class LetterLine:
    """What the overview's letters panel shows of one letter (the fields of `LetterRow` it
    reads), read without the ORM for the first screen."""

    id: int
    number: str | None
    unit: str
    status: str  # effective: 逾期未复 when a signed or printed letter's reply is overdue
    reply_due: date | None


# `tui.store.letters.effective_status` in SQL; the statuses are `tui.store.letter_models`'.
_LETTERS_SQL = """
SELECT l.id, l.number, u.name,
       CASE WHEN l.status IN ('已签发', '已打印') AND l.reply_due IS NOT NULL
                 AND l.reply_due < :today THEN '逾期未复' ELSE l.status END,
       l.reply_due
FROM letter l JOIN unit u ON u.id = l.unit_id
ORDER BY l.id
"""


def letter_lines(conn, *, today: date) -> list[LetterLine]:
    """Every letter as the overview's panel needs it, in the register's order."""
    server = getattr(conn, "dialect_name", "") == "postgresql"  # a date column there
    rows = conn.execute(_LETTERS_SQL, {"today": today if server else today.isoformat()}).fetchall()
    return [LetterLine(i, number, unit, status, _d(due)) for i, number, unit, status, due in rows]
