"""The schema version this program writes, for the readers that do not import the models.

`duban tasks --format json` and `duban overdue` read a store file over the DB-API without
SQLAlchemy (importing it costs a third of their budget); they take that fast path only for
a store at exactly this version and otherwise go through the engine, which migrates an
older store in memory and refuses a newer one. Kept equal to `tui.store.models.
SCHEMA_VERSION` (tests/test_task_listing.py fails when a schema step forgets it: the fast
path would silently stop being taken).
"""

from __future__ import annotations

from pathlib import Path

SCHEMA_VERSION = 10


def file_is_current(db: str | None) -> Path | None:
    """The SQLite file behind ``db`` when it exists and is at this program's schema
    version; None otherwise (a server URL, a missing, older, newer or unreadable store)."""
    from tui.store.location import resolve_db_url, sqlite_path
    from tui.store.sqlite_files import read_meta

    path = sqlite_path(resolve_db_url(db))
    if path is None or not path.is_file():
        return None
    version = read_meta(path, "schema_version")
    if version is None or not version.isdigit() or int(version) != SCHEMA_VERSION:
        return None
    return path
