"""Schema migrations: one function per version step, run inside the opening transaction.

A store written by an older release is upgraded in place; nothing is dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Connection

# STEPS[n] upgrades a store from version n to n + 1.
STEPS: dict[int, Callable[[Connection], None]] = {}


def migrate(conn: Connection, current: int, target: int) -> None:
    for version in range(current, target):
        step = STEPS.get(version)
        if step is not None:
            step(conn)
    conn.execute(
        text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(target)}
    )
