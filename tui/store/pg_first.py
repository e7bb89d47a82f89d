"""The desk's first screen on a PostgreSQL store, read with psycopg before SQLAlchemy loads.

On SQLite the desk reads its first screen over the standard library's sqlite3 in a thread
started before Textual is imported (`tui.services.first_screen`). A server store gets the
same quick way here: psycopg alone (some tens of milliseconds to import, where SQLAlchemy,
the models and the store's opening checks take most of a second), the same aggregate
queries (`tui.store.overview`, grouped on the server), and only for a store at this
program's schema version — anything else (older, newer, unreachable, no driver) makes
`open_current` return None and the desk opens the store the ordinary way, which upgrades
or explains.

This is the one place a server store is read without an Engine: the quick first screen,
stated here and in `tui.services.first_screen`. Everything after it goes through the
store's Engine.
"""

from __future__ import annotations

import re

from tui.store.schema_version import SCHEMA_VERSION

_SCHEMES = ("postgresql+psycopg://", "postgresql://", "postgres://")
_PARAM = re.compile(r"(?<![:\w]):(\w+)")  # :name, not a ::cast


def libpq_address(url: str) -> str | None:
    """The libpq address of a ``postgresql+psycopg://`` store URL; None for any other."""
    for scheme in _SCHEMES:
        if url.startswith(scheme):
            return "postgresql://" + url[len(scheme) :]
    return None


class _Cursor:
    """The few cursor calls the first-screen readers make, with their ``:name`` parameters
    turned into psycopg's ``%(name)s``."""

    def __init__(self, cur) -> None:
        self._cur = cur

    def execute(self, sql: str, params: dict | None = None) -> _Cursor:
        self._cur.execute(_PARAM.sub(r"%(\1)s", sql), params or None)
        return self

    def fetchall(self) -> list[tuple]:
        return self._cur.fetchall()

    def fetchone(self) -> tuple | None:
        return self._cur.fetchone()

    def __iter__(self):
        return iter(self._cur.fetchall())

    def close(self) -> None:
        self._cur.close()


class QuickReader:
    """A read-only psycopg connection in one REPEATABLE READ transaction (one state of the
    store for every query of the first screen)."""

    dialect_name = "postgresql"

    def __init__(self, conn) -> None:
        self._conn = conn

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn.cursor())

    def execute(self, sql: str, params: dict | None = None) -> _Cursor:
        return self.cursor().execute(sql, params)

    def close(self) -> None:
        try:
            self._conn.rollback()  # nothing was written; end the read transaction
        finally:
            self._conn.close()


def open_current(url: str, *, timeout_s: int = 5) -> QuickReader | None:
    """A quick reader on the server store at ``url`` when it is at this program's schema
    version; None otherwise (see the module docstring)."""
    address = libpq_address(url)
    if address is None:
        return None
    try:
        import psycopg
    except ImportError:
        return None
    try:
        conn = psycopg.connect(address, connect_timeout=timeout_s)
    except Exception:  # noqa: BLE001 - the ordinary open says what is wrong
        return None
    try:
        conn.read_only = True
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass('meta') IS NOT NULL")
            if not cur.fetchone()[0]:
                raise LookupError("no store here")
            cur.execute("SELECT value FROM meta WHERE key = 'schema_version'")
            row = cur.fetchone()
        if row is None or not str(row[0]).isdigit() or int(row[0]) != SCHEMA_VERSION:
            raise LookupError("not at this program's schema")
    except Exception:  # noqa: BLE001
        conn.close()
        return None
    return QuickReader(conn)
