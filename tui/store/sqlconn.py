"""Plain SQL with ``:name`` parameters over two kinds of connection, for the import path.

`duban import` on a SQLite store at today's version runs without SQLAlchemy, SQLModel or
pydantic (importing them was two thirds of a seed import's time): its SQL goes straight to
``sqlite3`` (`LiteConn`). The desk, PostgreSQL stores, dry runs on a scratch copy and stores
that need migrating go through a SQLAlchemy connection (`AlchemyConn`, ``text()``). Both
speak the same small protocol (`SqlConn`), so the import's rules are written once
(tui.store.importer) and only the connection differs.

Values are stored as SQLAlchemy stores them: on SQLite a datetime is
``YYYY-MM-DD HH:MM:SS.ffffff`` (no zone), a date ``YYYY-MM-DD``, a boolean 0/1; read back
they are text (use `as_date`). On PostgreSQL the driver converts them both ways.

No SQLAlchemy import at module level: `AlchemyConn` receives a connection made elsewhere.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, Protocol

BUSY_TIMEOUT_MS = 10_000


def sqlite_pragmas(dbapi_conn, _record=None) -> None:
    """Every SQLite connection the store writes through: foreign keys, wait, WAL, FULL sync."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL: a commit (a letter number issued, a sign-off) survives a power cut. Measured on
    # this machine: 0.3–0.5 ms more per commit than NORMAL, nothing a desk officer notices.
    cur.execute("PRAGMA synchronous=FULL")
    cur.close()


class SqlConn(Protocol):
    """One connection inside one write transaction. ``dialect``: sqlite / postgresql.
    ``audit_tip``: the audit chain's last hash as this transaction has it (None = unread)."""

    dialect: str
    batch: str
    audit_tip: str | None

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]: ...

    def one(self, sql: str, params: dict | None = None) -> tuple | None: ...

    def scalar(self, sql: str, params: dict | None = None) -> Any: ...

    def run(self, sql: str, params: dict | None = None) -> int: ...

    def insert(self, sql: str, params: dict | None = None) -> int: ...

    def many(self, sql: str, seq: Sequence[dict]) -> None: ...

    def many_values(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None: ...

    def update_values(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None: ...

    def new_ids(self, table: str, n: int) -> list[int]: ...


def _sqlite_value(value: Any) -> Any:
    """A Python value as SQLAlchemy's SQLite types store it."""
    if value is None or isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
        )
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    return value


def sqlite_params(params: dict | None) -> dict:
    if not params:
        return {}
    return {k: _sqlite_value(v) for k, v in params.items()}


# Values sqlite3 binds as SQLAlchemy would (a bool as the integer 0/1) need no conversion.
_PLAIN = frozenset({str, int, float, bool, type(None)})
_cached_value = lru_cache(maxsize=512, typed=True)(_sqlite_value)  # rows share few values


def _sqlite_many(seq: Sequence[dict]) -> Sequence[dict]:
    """Rows for executemany, converted as `sqlite_params` converts one row. Only the columns
    holding dates or timestamps are converted, each distinct value once, in C-level loops:
    an import writes tens of thousands of rows."""
    if not seq:
        return seq
    special = [k for k in seq[0] if not set(map(type, map(itemgetter(k), seq))) <= _PLAIN]
    if not special:
        return seq
    for k in special:
        converted = map(_cached_value, map(itemgetter(k), seq))
        seq = [{**row, k: v} for row, v in zip(seq, converted, strict=True)]
    return seq


def _sqlite_rows(rows: Sequence[tuple]) -> Sequence[tuple]:
    """`_sqlite_many` for rows as tuples: column by column, only the columns holding a date
    or a timestamp converted (each distinct value once), in C-level loops."""
    if not rows:
        return rows
    columns = list(zip(*rows, strict=True))
    special = [i for i, col in enumerate(columns) if not set(map(type, col)) <= _PLAIN]
    if not special:
        return rows
    for i in special:
        columns[i] = tuple(map(_cached_value, columns[i]))
    return list(zip(*columns, strict=True))


def _insert_sql(table: str, columns: Sequence[str], style: str) -> str:
    marks = ", ".join("?" for _ in columns) if style == "qmark" else _named(columns)
    return f"INSERT INTO {table} ({', '.join(_q(c) for c in columns)}) VALUES ({marks})"


def _update_sql(table: str, columns: Sequence[str], style: str) -> str:
    """UPDATE of ``columns`` WHERE id = the row's last value."""
    if style == "qmark":
        sets = ", ".join(f"{_q(c)} = ?" for c in columns)
        return f"UPDATE {table} SET {sets} WHERE id = ?"
    sets = ", ".join(f"{_q(c)} = :{c}" for c in columns)
    return f"UPDATE {table} SET {sets} WHERE id = :id"


def _named(columns: Sequence[str]) -> str:
    return ", ".join(":" + c for c in columns)


def as_date(value: Any) -> date | None:
    """A stored date as a date (SQLite hands back its text, PostgreSQL a date)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class LiteConn:
    """`SqlConn` over a ``sqlite3`` connection (autocommit mode: the transaction is ours)."""

    dialect = "sqlite"

    def __init__(self, raw: sqlite3.Connection, batch: str = "") -> None:
        self.raw = raw
        self.batch = batch
        self.audit_tip: str | None = None

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        return self.raw.execute(sql, sqlite_params(params)).fetchall()

    def one(self, sql: str, params: dict | None = None) -> tuple | None:
        return self.raw.execute(sql, sqlite_params(params)).fetchone()

    def scalar(self, sql: str, params: dict | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def run(self, sql: str, params: dict | None = None) -> int:
        return self.raw.execute(sql, sqlite_params(params)).rowcount

    def insert(self, sql: str, params: dict | None = None) -> int:
        return self.raw.execute(sql + " RETURNING id", sqlite_params(params)).fetchone()[0]

    def many(self, sql: str, seq: Sequence[dict]) -> None:
        if seq:
            self.raw.executemany(sql, _sqlite_many(seq))

    def many_values(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """INSERT rows given as tuples in ``columns`` order (no dict per row)."""
        if rows:
            self.raw.executemany(_insert_sql(table, columns, "qmark"), _sqlite_rows(rows))

    def update_values(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        """UPDATE ``columns`` of each row whose id is the tuple's last value."""
        if rows:
            self.raw.executemany(_update_sql(table, columns, "qmark"), _sqlite_rows(rows))

    def new_ids(self, table: str, n: int) -> list[int]:
        """Ids for ``n`` rows about to be inserted: inside the write transaction no other
        connection can take them (executemany cannot return ids in order)."""
        start = (self.scalar(f"SELECT max(id) FROM {table}") or 0) + 1
        return list(range(start, start + n))


class AlchemyConn:
    """`SqlConn` over a SQLAlchemy connection: ``text()`` with the same SQL. On SQLite the
    values are converted as LiteConn converts them (``text()`` has no column types) and
    executemany goes to the driver; on PostgreSQL ids come from the table's sequence."""

    def __init__(self, conn, batch: str = "", info: dict | None = None) -> None:
        from sqlalchemy import text

        self.conn = conn
        self.dialect = conn.dialect.name
        self.batch = batch
        self._text = text
        self._info = info  # a session's info: the audit tip is shared with its ORM writes
        self._tip: str | None = None

    @property
    def audit_tip(self) -> str | None:
        return self._tip

    @audit_tip.setter
    def audit_tip(self, value: str | None) -> None:
        self._tip = value

    def _params(self, params: dict | None) -> dict:
        return sqlite_params(params) if self.dialect == "sqlite" else (params or {})

    def rows(self, sql: str, params: dict | None = None) -> list[tuple]:
        return [tuple(r) for r in self.conn.execute(self._text(sql), self._params(params))]

    def one(self, sql: str, params: dict | None = None) -> tuple | None:
        row = self.conn.execute(self._text(sql), self._params(params)).first()
        return None if row is None else tuple(row)

    def scalar(self, sql: str, params: dict | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def run(self, sql: str, params: dict | None = None) -> int:
        return self.conn.execute(self._text(sql), self._params(params)).rowcount

    def insert(self, sql: str, params: dict | None = None) -> int:
        return self.conn.execute(self._text(sql + " RETURNING id"), self._params(params)).scalar()

    def many(self, sql: str, seq: Sequence[dict]) -> None:
        if not seq:
            return
        if self.dialect == "sqlite":
            self.conn.connection.dbapi_connection.executemany(sql, _sqlite_many(seq))
        else:
            self.conn.execute(self._text(sql), list(seq))

    def many_values(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        if not rows:
            return
        if self.dialect == "sqlite":
            raw = self.conn.connection.dbapi_connection
            raw.executemany(_insert_sql(table, columns, "qmark"), _sqlite_rows(rows))
        else:
            cols = list(columns)
            self.conn.execute(
                self._text(_insert_sql(table, cols, "named")),
                [dict(zip(cols, r, strict=True)) for r in rows],
            )

    def update_values(self, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
        if not rows:
            return
        if self.dialect == "sqlite":
            raw = self.conn.connection.dbapi_connection
            raw.executemany(_update_sql(table, columns, "qmark"), _sqlite_rows(rows))
        else:
            cols = [*columns, "id"]
            self.conn.execute(
                self._text(_update_sql(table, columns, "named")),
                [dict(zip(cols, r, strict=True)) for r in rows],
            )

    def new_ids(self, table: str, n: int) -> list[int]:
        if n <= 0:
            return []
        if self.dialect == "postgresql":
            return [
                r[0]
                for r in self.conn.execute(
                    self._text(
                        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "
                        "FROM generate_series(1, :n) ORDER BY 1"
                    ),
                    {"n": n},
                )
            ]
        start = (self.scalar(f"SELECT max(id) FROM {table}") or 0) + 1
        return list(range(start, start + n))


class SessionConn(AlchemyConn):
    """`SqlConn` inside an ORM session's transaction, for the desk's and commands' callers of
    the import helpers: pending ORM rows are flushed before each statement, and the audit
    chain's tip is the session's (tui.store.audit keeps it in ``session.info``)."""

    def __init__(self, session) -> None:
        super().__init__(session.connection(), session.info.get("batch", ""))
        self.session = session

    @property
    def audit_tip(self) -> str | None:
        from tui.store.audit import session_tip

        return session_tip(self.session)

    @audit_tip.setter
    def audit_tip(self, value: str | None) -> None:
        from tui.store.audit import set_session_tip

        if value is not None:
            set_session_tip(self.session, value)

    def rows(self, sql, params=None):
        self.session.flush()
        return super().rows(sql, params)

    def one(self, sql, params=None):
        self.session.flush()
        return super().one(sql, params)

    def run(self, sql, params=None):
        self.session.flush()
        return super().run(sql, params)

    def insert(self, sql, params=None):
        self.session.flush()
        return super().insert(sql, params)

    def many(self, sql, seq):
        self.session.flush()
        super().many(sql, seq)

    def many_values(self, table, columns, rows):
        self.session.flush()
        super().many_values(table, columns, rows)

    def update_values(self, table, columns, rows):
        self.session.flush()
        super().update_values(table, columns, rows)


def insert_rows(conn: SqlConn, table: str, rows: Sequence[dict]) -> list[int]:
    """Insert rows (all with the same keys, no ids) in one executemany; → their new ids in
    order. The caller holds the write transaction."""
    if not rows:
        return []
    ids = conn.new_ids(table, len(rows))
    cols = list(rows[0])
    conn.many_values(
        table, ["id", *cols], [(i, *r) for i, r in zip(ids, _values(rows, cols), strict=True)]
    )
    return ids


def insert_many(conn: SqlConn, table: str, rows: Sequence[dict]) -> None:
    """Insert rows (all with the same keys) whose ids nobody needs back."""
    if not rows:
        return
    cols = list(rows[0])
    conn.many_values(table, cols, _values(rows, cols))


def update_rows(conn: SqlConn, table: str, rows: Sequence[dict]) -> None:
    """UPDATE … WHERE id = :id for each row, in one executemany (same columns in every row)."""
    if not rows:
        return
    cols = [c for c in rows[0] if c != "id"]
    conn.update_values(table, cols, _values(rows, [*cols, "id"]))


def _values(rows: Sequence[dict], cols: list[str]) -> list[tuple]:
    """Each row's values in ``cols`` order (a missing key is a KeyError, as a named
    parameter missing from a row was)."""
    if len(cols) == 1:
        return [(r[cols[0]],) for r in rows]
    return list(map(itemgetter(*cols), rows))


_RESERVED = {"match", "key", "text", "at", "before", "after", "position", "source", "kind"}


def _q(column: str) -> str:
    return f'"{column}"' if column in _RESERVED else column


# ------------------------------------------------------------------ one write transaction


def new_batch_id() -> str:
    """A random (version 4) UUID as 32 hex digits: ``uuid.uuid4().hex``.

    A process that has `uuid` loaded anyway (the desk, SQLAlchemy, a test that fixes the
    ids) asks it; `duban import` does not import it for one identifier — with it comes
    `platform`, some 4 ms of a seed plan's whole import — and builds the same from 16
    random bytes, as uuid4 does."""
    loaded = sys.modules.get("uuid")
    if loaded is not None:
        return loaded.uuid4().hex
    n = int.from_bytes(os.urandom(16), "big")
    n = (n & ~(0xC000 << 48)) | (0x8000 << 48)  # the RFC 4122 variant
    n = (n & ~(0xF000 << 64)) | (4 << 76)  # version 4
    return f"{n:032x}"


class Store(Protocol):
    """Where an import writes: a SQLAlchemy ``Engine`` or a `tui.store.lite.LiteStore`."""


@contextmanager
def write_transaction(store, *, commit: bool = True, cache_kib: int = 0) -> Iterator[SqlConn]:
    """One write transaction on ``store`` under the write lock (BEGIN IMMEDIATE on SQLite,
    the advisory lock on PostgreSQL), committed on success when ``commit`` (else rolled
    back, as a dry run is), rolled back on any error. Every audit row written inside
    carries one batch id. ``cache_kib``: SQLite's page cache for the transaction."""
    batch = new_batch_id()
    lite = getattr(store, "lite_transaction", None)
    if lite is not None:
        with lite(batch, commit=commit, cache_kib=cache_kib) as conn:
            yield conn
        return
    from tui.store.dialect import lock_for_write

    with store.connect() as sa_conn:
        before = None
        try:
            lock_for_write(sa_conn)
            if cache_kib and sa_conn.dialect.name == "sqlite":
                before = sa_conn.exec_driver_sql("PRAGMA cache_size").scalar()
                sa_conn.exec_driver_sql(f"PRAGMA cache_size=-{int(cache_kib)}")
            yield AlchemyConn(sa_conn, batch)
            if commit:
                sa_conn.commit()
            else:
                sa_conn.rollback()
        except BaseException:
            sa_conn.rollback()
            raise
        finally:
            if before is not None:
                _restore_cache(lambda sql: sa_conn.exec_driver_sql(sql), int(before))


def _restore_cache(execute, size: int) -> None:
    """The connection goes back to the pool (a desk keeps it) with its usual cache."""
    try:
        execute(f"PRAGMA cache_size={size}")
    except Exception:  # noqa: BLE001 - the write's outcome is already decided
        pass
