"""The mark that says a store is a demo store, so `duban demo --rebuild` may replace it.

Kept in the `meta` table; a store without it (an office's real store, an unrelated file)
is never rebuilt or deleted by the demo.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # is_demo_file runs before every import's daily backup: no SQLAlchemy
    from sqlalchemy.engine import Engine

DEMO_KEY = "demo"


def mark_demo(engine: Engine, note: str) -> None:
    """Mark the store as a demo store (``note``: what it was built from)."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO meta(key, value) VALUES (:k, :v) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            ),
            {"k": DEMO_KEY, "v": note},
        )


def is_demo_file(path: Path) -> bool:
    """True only for a readable store carrying the demo mark; read without writing anything."""
    from tui.store.sqlite_files import read_meta

    return path.is_file() and read_meta(path, DEMO_KEY) is not None
