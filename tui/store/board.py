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


_FACTS_SQL = """
SELECT a.id, a.task_id, t.plan_id, p.title, t.number, t.title, a.unit_id,
       COALESCE(u.name, g.name, ''), COALESCE(u.kind, '待分解'), a.role,
       t.due_dates, t.due_recurring, t.due_kind, a.completed_on, a.due_override
FROM assignment a
JOIN task t ON t.id = a.task_id
JOIN plan p ON p.id = t.plan_id
LEFT JOIN unit u ON u.id = a.unit_id
LEFT JOIN unit_group g ON g.id = a.group_id
WHERE a.active = 1 AND t.active = 1
"""

_PROGRESS_SQL = """
SELECT pr.assignment_id, pr.reported_on, pr.text
FROM progress pr JOIN assignment a ON a.id = pr.assignment_id
WHERE a.active = 1
ORDER BY pr.assignment_id, pr.reported_on, pr.id
"""


def load_facts(conn, *, as_of: date | None = None) -> list[AssignmentFact]:
    """All live assignments; progress after `as_of` is left out (the world as of that date)."""
    cur = conn.cursor()
    due_cache: dict[str, tuple[date, ...]] = {}
    facts: list[AssignmentFact] = []
    by_id: dict[int, AssignmentFact] = {}
    cur.execute(_FACTS_SQL)
    for (
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
        dues,
        recurring,
        kind,
        completed,
        override,
    ) in cur.fetchall():
        if override:
            due = (_d(override),)
            recurring = False
        else:
            due = due_cache.get(dues)
            if due is None:
                due = due_cache[dues] = (
                    tuple(date.fromisoformat(x) for x in dues.split(",")) if dues else ()
                )
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
            bool(recurring),
            kind,
            _d(completed),
        )
        facts.append(fact)
        by_id[aid] = fact
    cur.execute(_PROGRESS_SQL)
    current = None
    dates: list[date] = []
    last = ""
    for aid, on, text in cur.fetchall():
        d = _d(on)
        if as_of is not None and d > as_of:
            continue
        if aid != current:
            if current in by_id:
                by_id[current].progress_dates = tuple(dates)
                by_id[current].last_progress = last
            current, dates = aid, []
        dates.append(d)
        last = text
    if current in by_id:
        by_id[current].progress_dates = tuple(dates)
        by_id[current].last_progress = last
    if as_of is not None:
        for f in facts:
            if f.completed_on is not None and f.completed_on > as_of:
                f.completed_on = None
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
