"""What differs between SQLite and PostgreSQL, in one place.

Everything else in tui/store writes one SQL: SQLAlchemy Core or `text()` with named
parameters, ``TRUE``/``FALSE`` for booleans, ``ON CONFLICT`` for upserts, ``RETURNING`` —
all understood by SQLite (3.35+) and PostgreSQL alike. Here are the things that are not:
connection settings, how a writer takes the store's write lock, the triggers that keep the
audit trail append-only, and the file checks only SQLite has.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

# The connection settings are shared with the SQLAlchemy-free import path.
from tui.store.sqlconn import BUSY_TIMEOUT_MS, sqlite_pragmas  # noqa: E402,F401

# One lock for every writer on a PostgreSQL store (an arbitrary constant: "duban" in ASCII).
_PG_WRITE_LOCK = 0x6475_6261_6E

AUDIT_REFUSAL = {"update": "审计记录只能追加，不能修改", "delete": "审计记录只能追加，不能删除"}

# SQLite: the triggers that keep the audit trail append-only (created with the schema).
SQLITE_AUDIT_TRIGGERS = {
    "audit_log_no_update": """CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END""",
    "audit_log_no_delete": """CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能删除'); END""",
}

# PostgreSQL: the same two triggers over one trigger function.
_PG_AUDIT_FUNCTION = """
CREATE OR REPLACE FUNCTION duban_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION '审计记录只能追加，不能修改';
  END IF;
  RAISE EXCEPTION '审计记录只能追加，不能删除';
END $$
"""
_PG_AUDIT_TRIGGERS = {
    "audit_log_no_update": "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION duban_audit_append_only()",
    "audit_log_no_delete": "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION duban_audit_append_only()",
}
AUDIT_TRIGGER_NAMES = tuple(SQLITE_AUDIT_TRIGGERS)


def lock_for_write(conn: Connection) -> None:
    """Take the store's write lock at the start of a transaction.

    What a write decides from what it read — the plan it continues, the next letter number,
    the audit chain's tip — must not change under it. SQLite: BEGIN IMMEDIATE (a second desk
    waits for the busy timeout). PostgreSQL: a transaction-scoped advisory lock that every
    writer takes, released at commit or rollback, so writers queue the same way.
    """
    name = conn.dialect.name
    if name == "sqlite":
        if not conn.connection.dbapi_connection.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_WRITE_LOCK})


def create_audit_triggers(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for ddl in SQLITE_AUDIT_TRIGGERS.values():
            conn.execute(text(ddl))
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(_PG_AUDIT_FUNCTION)
        for name, ddl in _PG_AUDIT_TRIGGERS.items():
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON audit_log")
            conn.exec_driver_sql(ddl)


def audit_triggers_present(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
    elif conn.dialect.name == "postgresql":
        sql = (
            "SELECT tgname FROM pg_trigger "
            "WHERE tgrelid = to_regclass('audit_log') AND NOT tgisinternal"
        )
    else:
        return set(AUDIT_TRIGGER_NAMES)
    return {r[0] for r in conn.exec_driver_sql(sql)}


def quick_check(conn: Connection) -> list[str]:
    """SQLite's quick_check: [] when the file is sound, else what it found. A server
    database checks its own pages."""
    if conn.dialect.name != "sqlite":
        return []
    rows = [r[0] for r in conn.exec_driver_sql("PRAGMA quick_check(20)")]
    return [] if rows == ["ok"] else rows


def integrity_problems(conn: Connection, limit: int) -> list[str]:
    """SQLite's integrity_check ([] when sound); a server database checks its own pages."""
    if conn.dialect.name != "sqlite":
        return []
    rows = [r[0] for r in conn.exec_driver_sql(f"PRAGMA integrity_check({int(limit)})")]
    return [] if rows == ["ok"] else rows


def dangling_references(conn: Connection, limit: int) -> list[tuple]:
    """SQLite's foreign_key_check rows (table, rowid, parent); a server enforces its keys."""
    if conn.dialect.name != "sqlite":
        return []
    return list(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(limit))


def checkpoint(engine: Engine) -> None:
    """SQLite: move the WAL into the `.db` file (a no-op elsewhere)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def refresh_statistics(engine: Engine, tables: Iterable[str]) -> None:
    """PostgreSQL: have the server sample ``tables`` now (ANALYZE), after a bulk write.

    The planner reads its row counts from these samples. A store just filled by a merge
    still has the empty tables' (the server's autovacuum samples them some minutes later),
    and the desk's first read, planned on them, took several times longer (nested loops
    over 200,000 rows, JIT compilation). SQLite keeps no statistics unless asked, and its
    reads are planned without them: nothing to do there. Best effort after the commit: the
    rows are already safe, and a refusal (a role that does not own the tables) only leaves
    the sampling to the autovacuum, as before."""
    if engine.dialect.name != "postgresql":
        return
    quote = engine.dialect.identifier_preparer.quote
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in sorted(set(tables)):
                try:
                    conn.exec_driver_sql("ANALYZE " + quote(name))
                except SQLAlchemyError:
                    continue
    except SQLAlchemyError:
        pass


# ------------------------------------------------------------------ the fast reader's handle


class TextCursor:
    """The few cursor calls the board reader makes (execute, fetchall, fetchone, close), on a
    SQLAlchemy connection: the reader's SQL (named parameters, portable) runs through
    ``text()``, so a server database needs no second copy of it. SQLite files are read
    through sqlite3 directly (tui.store.board), which is faster at 200,000 rows."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._result = None

    def execute(self, sql: str, params: dict | None = None) -> TextCursor:
        self._result = self._conn.execute(text(sql), params or {})
        return self

    def fetchall(self) -> list[tuple]:
        return [tuple(r) for r in self._result]

    def __iter__(self):
        return (tuple(r) for r in self._result)

    def fetchone(self) -> tuple | None:
        row = self._result.first()
        return None if row is None else tuple(row)

    def close(self) -> None:
        self._result = None


class ServerReader:
    """A read handle on a server store for the board reader; `close` releases everything.

    Reads in one REPEATABLE READ transaction, so the several queries of one board load see
    one state of the store, as a SQLite read transaction does."""

    def __init__(self, engine: Engine, *, own_engine: bool = True) -> None:
        self.dialect_name = engine.dialect.name  # the readers' SQL may differ by it
        self._engine = engine
        self._own = own_engine
        self._conn = engine.connect().execution_options(isolation_level="REPEATABLE READ")

    def cursor(self) -> TextCursor:
        return TextCursor(self._conn)

    def execute(self, sql: str, params: dict | None = None) -> TextCursor:
        return self.cursor().execute(sql, params)

    def close(self) -> None:
        self._conn.close()
        if self._own:
            self._engine.dispose()


class _SessionReader:
    """The board reader inside an open session's transaction (reports read with it)."""

    def __init__(self, conn: Connection) -> None:
        self.dialect_name = conn.dialect.name
        self._conn = conn

    def cursor(self) -> TextCursor:
        return TextCursor(self._conn)

    def close(self) -> None:  # the session owns the connection
        pass


def board_reader(conn: Connection):
    """The board reader's handle inside a session: SQLite's own connection (fast path, same
    transaction), or the SQLAlchemy connection behind `TextCursor` elsewhere."""
    if conn.dialect.name == "sqlite":
        return conn.connection.dbapi_connection
    return _SessionReader(conn)
