"""SQLite store files on disk: open one for reading without creating anything.

No SQLAlchemy here: `duban overdue` and the desk's hot path read through these connections.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tui.errors import DubanError
from tui.store.location import missing_store_message, resolve_db_url, sqlite_path

BUSY_TIMEOUT_S = 10.0


def existing_file(db: str | None) -> Path | None:
    """The SQLite file behind ``db`` if it exists; None for a server URL; DubanError if missing."""
    path = sqlite_path(resolve_db_url(db))
    if path is None:
        return None
    if not path.is_file():
        raise DubanError(missing_store_message(db))
    return path


def open_readonly(path: Path, *, shared: bool = False) -> sqlite3.Connection:
    """A connection to an existing store file that cannot write and leaves no file behind.

    `mode=ro` looks like the obvious choice, but on a WAL store a read-only connection creates
    the `-wal` and `-shm` files and, unable to remove them, leaves them behind. `mode=rw` never
    creates the database file either; with `query_only` it cannot write, and as the last
    connection to close it removes the `-wal` and `-shm` it opened. SQLite itself opens a
    write-protected file read-only.
    """
    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=rw",
            uri=True,
            timeout=BUSY_TIMEOUT_S,
            check_same_thread=not shared,
        )
    except sqlite3.Error as exc:
        from tui.store.db_errors import explain_sqlite

        raise DubanError(explain_sqlite(exc, str(path))) from exc
    conn.execute("PRAGMA query_only=ON")
    return conn


def read_meta(path: Path, key: str) -> str | None:
    """One value of the store's `meta` table, read without writing; None if absent or unreadable."""
    try:
        conn = open_readonly(path)
    except DubanError:
        return None
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return None if row is None else str(row[0])
