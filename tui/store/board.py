"""Every live assignment with what its status needs, read in a few flat queries.

This is the hot path of `duban overdue` and of the desk on a 200,000-assignment store, so it
uses the DB-API directly (sqlite3 for SQLite files, read-only) and imports no ORM: a whole
`duban overdue` process must stay well under half a second.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date

from tui.errors import DubanError
from tui.store.location import resolve_db_url, sqlite_path


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
    progress_dates: tuple[date, ...] = ()
    last_progress: str = ""
    letters_sent: int = 0
    highest_rung: int = 0

    @property
    def unresolved(self) -> bool:
        return self.unit_id is None


def connect(db: str | None = None):
    """A DB-API connection for reading; SQLite opens read-only and never creates a file."""
    url = resolve_db_url(db)
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            raise DubanError(f"数据库不存在：{path}（先用 duban import 导入计划）")
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
            conn.execute("SELECT 1 FROM assignment LIMIT 1")
        except sqlite3.Error as exc:
            raise DubanError(f"无法读取数据库：{path}（{exc}）") from exc
        return conn
    from tui.store.db import make_engine

    return make_engine(db).raw_connection()


def _d(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


_TASKS_SQL = """
SELECT t.id, t.plan_id, p.title, t.number, t.title, t.due_dates, t.due_recurring, t.due_kind
FROM task t JOIN plan p ON p.id = t.plan_id WHERE t.active = 1
"""
_NAMES_SQL = "SELECT id, name, kind FROM unit"
_GROUPS_SQL = "SELECT id, name FROM unit_group"
_ASSIGNMENTS_SQL = """
SELECT a.id, a.task_id, a.unit_id, a.group_id, a.role, a.completed_on, a.due_override
FROM assignment a JOIN task t ON t.id = a.task_id
WHERE a.active = 1 AND t.active = 1
"""
# Only what can be overdue on a date: not closed by then, and some date already past.
_PAST_DUE_FILTER = """
  AND (a.completed_on IS NULL OR a.completed_on > :as_of)
  AND ((a.due_override IS NULL AND t.due_first <> '' AND t.due_first < :as_of)
       OR a.due_override < :as_of)
"""
_PROGRESS_SQL = """
SELECT pr.assignment_id, pr.reported_on, pr.text
FROM progress pr JOIN assignment a ON a.id = pr.assignment_id
WHERE a.active = 1
ORDER BY pr.assignment_id, pr.reported_on, pr.id
"""


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
    status rules still decide); the unit and plan filters are applied while reading.
    """
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
    sql = _ASSIGNMENTS_SQL
    params: dict = {}
    if past_due_only:
        if as_of is None:
            raise ValueError("past_due_only needs as_of")
        sql += _PAST_DUE_FILTER
        params["as_of"] = as_of.isoformat()
    facts: list[AssignmentFact] = []
    by_id: dict[int, AssignmentFact] = {}
    for aid, tid, uid, gid, role, completed, override in cur.execute(sql, params).fetchall():
        task = tasks.get(tid)
        if task is None or (unit_ids is not None and uid not in unit_ids):
            continue
        pid, ptitle, number, title, due, recurring, kind = task
        if uid is not None:
            uname, ukind = units[uid]
        else:
            uname, ukind = groups.get(gid, ""), "待分解"
        if override:
            due, recurring = (_d(override),), False
        done = _d(completed)
        if as_of is not None and done is not None and done > as_of:
            done = None
        fact = AssignmentFact(
            aid,
            tid,
            pid,
            ptitle,
            number,
            title,
            uid,
            uname,
            ukind,
            role,
            due,
            recurring,
            kind,
            done,
        )
        facts.append(fact)
        by_id[aid] = fact
    cur.execute(_PROGRESS_SQL)
    current = None
    dates: list[date] = []
    last = ""
    for aid, on, text in cur.fetchall():
        if aid not in by_id:
            continue
        d = _d(on)
        if as_of is not None and d > as_of:
            continue
        if aid != current:
            if current is not None:
                by_id[current].progress_dates = tuple(dates)
                by_id[current].last_progress = last
            current, dates = aid, []
        dates.append(d)
        last = text
    if current is not None:
        by_id[current].progress_dates = tuple(dates)
        by_id[current].last_progress = last
    _load_letters(cur, by_id, as_of)
    cur.close()
    return facts


def _load_letters(cur, by_id: dict[int, AssignmentFact], as_of: date | None) -> None:
    """Letters already sent per assignment, once the letters register exists."""
    try:
        cur.execute(
            "SELECT li.assignment_id, COUNT(*), MAX(l.rung), MIN(l.issued_on) FROM letter_item li "
            "JOIN letter l ON l.id = li.letter_id WHERE l.number IS NOT NULL AND l.status != '作废' "
            + ("AND l.issued_on <= ? " if as_of else "")
            + "GROUP BY li.assignment_id",
            (as_of.isoformat(),) if as_of else (),
        )
    except Exception:  # noqa: BLE001 - no letter tables in this store yet
        return
    for aid, count, rung, _first in cur.fetchall():
        f = by_id.get(aid)
        if f is not None:
            f.letters_sent, f.highest_rung = int(count), int(rung or 0)
