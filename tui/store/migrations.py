"""Schema migrations: one function per version step, run inside the opening transaction.

A store written by an older release is upgraded in place; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection


def _columns(conn: Connection, table: str) -> set[str]:
    if conn.dialect.name == "sqlite":
        return {row[1] for row in conn.execute(text(f"PRAGMA table_info({table})"))}
    from sqlalchemy import inspect

    return {c["name"] for c in inspect(conn).get_columns(table)}


def _progress_covers(conn: Connection) -> None:
    """2 → 3 (the desk): a progress report may name the occurrences it answers."""
    have = _columns(conn, "progress")
    for column in ("cover_from", "cover_to"):
        if column not in have:
            conn.execute(text(f"ALTER TABLE progress ADD COLUMN {column} DATE"))


# STEPS[n] upgrades a store from version n to n + 1.
STEPS: dict[int, Callable[[Connection], None]] = {2: _progress_covers}


def migrate(conn: Connection, current: int, target: int) -> None:
    for version in range(current, target):
        step = STEPS.get(version)
        if step is not None:
            step(conn)
    conn.execute(
        text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(target)}
    )
