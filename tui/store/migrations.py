"""Schema migrations: one function per version step, run inside the opening transaction.

A store written by an older release is upgraded in place; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection


def _letter_item_columns(conn: Connection) -> None:
    """3 → 4 (letters): letter_item learns its task, the unit's role, the recurring
    occurrences missed and the date of the last progress, so a letter lists one row per
    task with the roles merged. Existing rows get their task and role from the assignment."""
    from sqlalchemy import inspect

    have = {c["name"] for c in inspect(conn).get_columns("letter_item")}
    for name, ddl in (
        ("task_id", "INTEGER"),
        ("role", "VARCHAR NOT NULL DEFAULT ''"),
        ("missed", "VARCHAR NOT NULL DEFAULT ''"),
        ("progress_on", "DATE"),
    ):
        if name not in have:
            conn.execute(text(f"ALTER TABLE letter_item ADD COLUMN {name} {ddl}"))
    conn.execute(
        text(
            "UPDATE letter_item SET "
            "task_id = (SELECT a.task_id FROM assignment a WHERE a.id = letter_item.assignment_id), "
            "role = COALESCE((SELECT a.role FROM assignment a "
            "WHERE a.id = letter_item.assignment_id), '') "
            "WHERE task_id IS NULL"
        )
    )


# STEPS[n] upgrades a store from version n to n + 1.
STEPS: dict[int, Callable[[Connection], None]] = {3: _letter_item_columns}


def migrate(conn: Connection, current: int, target: int) -> None:
    for version in range(current, target):
        step = STEPS.get(version)
        if step is not None:
            step(conn)
    conn.execute(
        text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(target)}
    )
