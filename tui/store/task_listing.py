"""The records of `duban tasks --format json`: every active task with its owners by role
and its live deadlines, as plain dicts in plan order.

`records` builds them from three row streams (owners, deadlines, tasks), whoever runs the
queries: `tui.store.queries.task_records` with SQLAlchemy Core (any database, with the
plan and unit filters), `sqlite_records` straight over a read-only sqlite3 connection —
the whole listing of a 200,000-assignment store, where importing SQLAlchemy alone would
cost a third of the budget.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC

ROLES = ("lead", "responsible", "supporting")

OWNERS_SQL = """
SELECT a.task_id, a.role, u.name, g.name, via.name, a.unit_id
FROM assignment a
LEFT OUTER JOIN unit u ON u.id = a.unit_id
LEFT OUTER JOIN unit_group g ON g.id = a.group_id
LEFT OUTER JOIN unit_group via ON via.id = a.via_group_id
WHERE a.active = 1 AND a.task_id IN (SELECT id FROM task WHERE active = 1)
ORDER BY a.task_id, a.id
"""
DEADLINES_SQL = """
SELECT d.task_id, d.source, d.kind, d.due, d.rrule, d.text, d.span_start, d.span_end,
       d.note, d.reason, d.created_by, d.created_at
FROM task_deadline d
WHERE d.active = 1 AND d.task_id IN (SELECT id FROM task WHERE active = 1)
ORDER BY d.task_id, d.id
"""
TASKS_SQL = """
SELECT t.id, t.plan_id, p.title, t.number, t.key, t.section_path, t.title, t.text,
       t.deadline_text
FROM task t JOIN plan p ON p.id = t.plan_id
WHERE t.active = 1
ORDER BY t.plan_id, t.position
"""


def iso(value, seconds: bool = False) -> str | None:
    """A date or timestamp as ISO text, whether the driver gave an object or text."""
    if value is None:
        return None
    if isinstance(value, str):
        if seconds:  # stored in UTC (tui.clock)
            return value[:19].replace(" ", "T") + "+00:00"
        return value[:10] if len(value) >= 10 and value[4] == "-" else value
    if seconds:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return value.isoformat()


def records(
    owner_rows: Iterable[tuple], deadline_rows: Iterable[tuple], task_rows: Iterable[tuple]
) -> Iterator[dict]:
    """Task dicts from the rows of OWNERS_SQL, DEADLINES_SQL and TASKS_SQL (or their Core
    equivalents), read in that order. An owner's entry is one dict per distinct unit (or
    group) and route, shared by its tasks: 200,000 assignments name a few hundred units."""
    owners: dict[int, dict[str, list]] = {}
    entries: dict[tuple, dict] = {}
    for task_id, role, unit, group, via_name, unit_id in owner_rows:
        by_role = owners.get(task_id)
        if by_role is None:
            by_role = owners[task_id] = {"lead": [], "responsible": [], "supporting": []}
        key = (unit_id, unit, via_name) if unit_id is not None else (None, group, None)
        entry = entries.get(key)
        if entry is None:
            entry = entries[key] = (
                {"name": unit, "unresolved": False, "via_group": via_name}
                if unit_id is not None
                else {"name": group or "?", "unresolved": True, "via_group": None}
            )
        by_role.setdefault(role, []).append(entry)

    deadlines: dict[int, list[dict]] = {}
    for task_id, source, kind, due, rrule, words, start, end, note, reason, by, at in deadline_rows:
        deadlines.setdefault(task_id, []).append(
            {
                "source": source,
                "kind": kind,
                "due": iso(due),
                "rrule": rrule,
                "text": words,
                "span": [start, end] if start >= 0 else None,
                "note": note,
                "reason": reason or None,
                "by": by,
                "at": iso(at, seconds=True),
            }
        )

    empty = {"lead": [], "responsible": [], "supporting": []}
    for row in task_rows:
        yield {
            "id": row[0],
            "plan_id": row[1],
            "plan": row[2],
            "number": row[3],
            "key": row[4] or row[3],
            "section": row[5],
            "title": row[6],
            "text": row[7],
            "deadline_text": row[8],
            "owners": owners.get(row[0], empty),
            "deadlines": deadlines.get(row[0], []),
        }


def _rows(conn: sqlite3.Connection, sql: str) -> Iterator[tuple]:
    cur = conn.cursor()
    try:
        cur.execute(sql)
        while batch := cur.fetchmany(5000):
            yield from batch
    finally:
        cur.close()


def sqlite_records(conn: sqlite3.Connection) -> Iterator[dict]:
    """Every active task of a SQLite store read over the DB-API (see the module docstring).
    Owners and deadlines are read on the first record asked for, so an unreadable store
    fails before any output."""
    return records(_rows(conn, OWNERS_SQL), _rows(conn, DEADLINES_SQL), _rows(conn, TASKS_SQL))
