"""Engine, connection pragmas, schema creation and the one-transaction session.

Three ways to open a store: writable and created if missing (`import`, `init`, `demo`),
writable but only if it exists (every other writing command and the desk), and read-only
(listings: never a file, a folder or a schema change). A writable SQLite engine checkpoints
its WAL when it is disposed and at exit, so the `.db` file alone is always the whole store.
"""

from __future__ import annotations

import atexit
import sqlite3
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from tui.errors import DubanError
from tui.store import models
from tui.store.dialect import lock_for_write, sqlite_pragmas
from tui.store.location import (
    ENV_DB,
    default_db_path,
    describe,
    missing_store_message,
    operator_name,
    resolve_db_url,
    sqlite_path,
)

__all__ = [
    "ENV_DB",
    "upgrade_backup",
    "upgrade_store",
    "checkpoint",
    "default_db_path",
    "dispose_engine",
    "make_engine",
    "operator_name",
    "resolve_db_url",
    "scratch_engine",
    "transaction",
]

# Writable SQLite file engines still alive: checkpointed at exit if nobody disposed them.
_WRITABLE: weakref.WeakSet[Engine] = weakref.WeakSet()
# Engines whose open upgraded a SQLite store: the backup taken first.
_UPGRADE_BACKUPS: weakref.WeakKeyDictionary[Engine, Path] = weakref.WeakKeyDictionary()


def make_engine(
    db: str | None = None, *, create: bool = True, readonly: bool = False, check: bool = True
) -> Engine:
    """An engine on the store, schema created (or upgraded) and version checked.

    ``create=False`` opens only a store that exists; ``readonly=True`` opens an existing store
    for reading only, changes nothing (not even the schema version) and creates no file.
    """
    url = resolve_db_url(db)
    where = describe(db)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DubanError(f"数据库地址无法识别：{where}") from exc
    try:
        parsed.get_dialect()
    except NoSuchModuleError as exc:
        raise DubanError(
            f"不支持的数据库类型“{parsed.drivername}”：{where}（本地数据库请直接写文件路径）"
        ) from exc
    path = sqlite_path(url) if parsed.drivername.startswith("sqlite") else None
    created = False
    if path is not None:
        if (readonly or not create) and not path.is_file():
            raise DubanError(missing_store_message(db))
        if not readonly and not path.exists():
            created = _create_file(path)
    try:
        if readonly and path is not None:
            from tui.store.sqlite_files import open_readonly

            engine = create_engine(url, creator=lambda: open_readonly(path, shared=True))
        else:
            engine = create_engine(url)
    except ImportError as exc:
        from tui.store.db_errors import missing_driver

        raise DubanError(missing_driver(exc, where)) from exc
    if engine.dialect.name == "sqlite" and not readonly:
        event.listen(engine, "connect", sqlite_pragmas)
        if path is not None:
            _WRITABLE.add(engine)
    if not check:
        return engine  # the caller only peeks (see _peek_version)
    try:
        if readonly and _check_version(engine, where) < models.SCHEMA_VERSION:
            engine.dispose()
            if path is None:
                raise DubanError(
                    f"数据库是旧版本，请先运行 duban init 升级（只增加表和字段）：{where}"
                )
            # Reading cannot migrate the file: read a migrated copy in memory instead.
            return scratch_engine(db)
        if not readonly:
            if path is not None and not created:
                _refuse_damaged(engine, where, path)
                backup = _backup_if_behind(path)
                if backup is not None:
                    _UPGRADE_BACKUPS[engine] = backup
            elif path is None and engine.dialect.name == "postgresql":
                from tui.store.pg_dump import backup_if_behind  # pg_dump before migrating

                backup = backup_if_behind(engine)
                if backup is not None:
                    _UPGRADE_BACKUPS[engine] = backup
            _ensure_schema(engine, new_file=created)
    except (SQLAlchemyError, DubanError, sqlite3.Error) as exc:
        engine.dispose()
        _WRITABLE.discard(engine)
        if created and path is not None:  # never leave half a store behind
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        if isinstance(exc, DubanError):
            raise
        if isinstance(exc, sqlite3.Error):  # the schema script runs on the DB-API connection
            from tui.store.db_errors import explain_sqlite

            raise DubanError(explain_sqlite(exc, where)) from exc
        from tui.store.db_errors import explain

        raise DubanError(explain(exc, where) or f"无法打开数据库：{where}") from exc
    return engine


def _backup_if_behind(path: Path) -> Path | None:
    """A verified copy of a SQLite store about to be upgraded, kept beside it; None if the
    store is current. No upgrade runs if the copy cannot be made."""
    from tui.store.backups import backup_before_upgrade
    from tui.store.sqlite_files import read_meta

    value = read_meta(path, "schema_version")
    if value is None or not value.isdigit() or int(value) >= models.SCHEMA_VERSION:
        return None
    return backup_before_upgrade(path, int(value))


def upgrade_backup(engine: Engine) -> Path | None:
    """The copy taken before this engine's open upgraded the store, if it did."""
    return _UPGRADE_BACKUPS.get(engine)


def _refuse_damaged(engine: Engine, where: str, path: Path) -> None:
    """Nothing is written into a damaged file: SQLite's quick_check runs before any write,
    unless the file is exactly as this program left it (tui.store.health)."""
    from tui.store.health import forget_checked, quick_check, unchanged_since_checked

    if unchanged_since_checked(path):
        return
    forget_checked(path)
    with engine.connect() as conn:
        problems = quick_check(conn)
    if problems:
        raise DubanError(
            f"数据库已损坏，不能写入（{problems[0][:60]}）：{where}。"
            "请运行 duban check 查看，用 duban restore 从备份恢复"
        )


def _create_file(path: Path) -> bool:
    from tui.store.lite import _create_file as create_file

    return create_file(path)


def scratch_engine(db: str | None = None) -> Engine:
    """An in-memory copy of the store (empty if there is none), schema upgraded: nothing on disk.

    For a dry run, and for reading a store written by an older release without migrating
    the file. A server database is used as is (a dry run rolls back its transaction there).
    """
    url = resolve_db_url(db)
    path = sqlite_path(url)
    if path is None and not url.startswith("sqlite"):
        return make_engine(db, create=False)
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    if path is not None and path.is_file():
        from tui.store.sqlite_files import open_readonly

        source = open_readonly(path)
        try:
            source.backup(memory)
        except sqlite3.Error as exc:
            memory.close()
            from tui.store.db_errors import explain_sqlite

            raise DubanError(explain_sqlite(exc, str(path))) from exc
        finally:
            source.close()
    engine = create_engine("sqlite://", creator=lambda: memory, poolclass=StaticPool)
    event.listen(engine, "connect", sqlite_pragmas)
    try:
        _ensure_schema(engine)
    except SQLAlchemyError as exc:
        from tui.store.db_errors import explain

        raise DubanError(explain(exc, describe(db)) or f"无法读取数据库：{describe(db)}") from exc
    return engine


def checkpoint(engine: Engine) -> None:
    """Move everything in the WAL into the `.db` file and truncate the WAL.

    If another process is reading or writing, the checkpoint stops short; its data is still
    safe in the WAL, so that is not an error.
    """
    if engine.dialect.name != "sqlite" or sqlite_path(str(engine.url)) is None:
        return
    try:
        from tui.store.dialect import checkpoint as wal_checkpoint

        wal_checkpoint(engine)
    except SQLAlchemyError:
        pass


def dispose_engine(engine: Engine) -> None:
    """Checkpoint (writable SQLite files) and close every pooled connection."""
    if engine in _WRITABLE:
        checkpoint(engine)
        _WRITABLE.discard(engine)
        engine.dispose()
        path = sqlite_path(str(engine.url))
        if path is not None:
            from tui.store.health import record_checked

            record_checked(path)
        return
    engine.dispose()


@atexit.register
def _dispose_all() -> None:
    for engine in list(_WRITABLE):
        dispose_engine(engine)


def _check_version(engine: Engine, where: str) -> int:
    """The store's schema version; a newer one than this program's is refused."""
    with engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).first()
        except OperationalError as exc:
            raise DubanError(f"这个文件不是督办台数据库：{where}") from exc
    version = int(row[0]) if row is not None else 0
    if version > models.SCHEMA_VERSION:
        raise DubanError(
            f"数据库版本（{version}）高于本程序支持的版本（{models.SCHEMA_VERSION}），请升级督办台"
        )
    return version


# Every table of the schema (kept in tui.store.lite, which opens stores without SQLAlchemy).
# The letters' and circulars' models (tui.store.letter_models, circular_models) are loaded by
# the code that uses them, or here when a table is missing: a command that never touches a
# letter does not pay for defining its classes at start. tests/test_startup_paths.py keeps
# this list equal to the models' metadata.
from tui.store.lite import ALL_TABLES  # noqa: E402


def load_every_model() -> None:
    """Define every table class, so SQLModel.metadata holds the whole schema."""
    from tui.store import circular_models, letter_models  # noqa: F401


def _has_every_table(conn: Connection) -> bool:
    """Does a SQLite store already hold every table of the schema? Then create_all, which
    only creates missing tables (and their indexes), has nothing to do — one query instead
    of its check per table, which every opening command would pay. Other databases: False
    (create_all decides)."""
    if conn.dialect.name != "sqlite":
        return False
    listed = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
    return ALL_TABLES <= {name for (name,) in listed}


def _is_empty(conn: Connection) -> bool:
    """A SQLite store with nothing in it yet (read under the write lock)."""
    if conn.dialect.name != "sqlite":
        return False
    return conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar() == 0


def _ensure_schema(engine: Engine, *, new_file: bool = False) -> None:
    """Tables created, a new store stamped, an older one upgraded (see schema_upgrade).

    All in one transaction under the write lock: a new store's tables, triggers and stamp
    appear together or not at all, two processes creating the same store queue instead of
    racing, and SQLite syncs its journal once instead of once per CREATE (each statement
    outside a transaction is a commit of its own — ~80 of them for a new store).

    ``new_file``: this process just created the SQLite file; while it is still empty it is
    filled from the checked-in script (tui.store.schema_script), the same schema without
    defining every model class or asking about each table first.
    """
    from tui.store import schema_upgrade
    from tui.store.dialect import lock_for_write

    with engine.begin() as conn:
        lock_for_write(conn)  # two desks opening an old store: one upgrades, one waits
        if new_file and _is_empty(conn):
            from tui.store.schema_script import create_store
            from tui.store.store_secret import META_KEY

            create_store(conn.connection.dbapi_connection, META_KEY)
            return
        if not _has_every_table(conn):
            load_every_model()
            SQLModel.metadata.create_all(conn)
        row = conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).first()
        if row is None:
            # A new store: its audit trail is append-only from the first row. In an existing
            # store a missing trigger is reported by `duban check`, never silently remade.
            from tui.store.dialect import create_audit_triggers

            create_audit_triggers(conn)
            conn.execute(
                text("INSERT INTO meta(key, value) VALUES ('schema_version', :v)"),
                {"v": str(models.SCHEMA_VERSION)},
            )
            from tui.store.store_secret import ensure_store_secret

            ensure_store_secret(conn, new_store=True)
            schema_upgrade.stamp_new(conn, models.SCHEMA_VERSION)
        elif int(row[0]) > models.SCHEMA_VERSION:
            raise DubanError(
                f"数据库版本（{row[0]}）高于本程序支持的版本（{models.SCHEMA_VERSION}），请升级督办台"
            )
        elif not schema_upgrade.is_current(conn, models.SCHEMA_VERSION):
            schema_upgrade.upgrade(conn, models.SCHEMA_VERSION)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits whole on success, rolls back whole on any error.

    Every audit row written inside carries the same batch id, so `undo` can revert one
    user action as a whole.
    """
    with Session(engine, expire_on_commit=False) as session:
        session.info["batch"] = uuid.uuid4().hex
        begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def begin_write(session: Session) -> None:
    """Take the write lock at the start of the transaction (see dialect.lock_for_write).

    What a write decides from what it read — the plan it continues, the next letter number,
    the audit chain's tip — must not change under it, so the lock comes first; a second desk
    waits (busy timeout) instead of failing half-way. Other databases lock the rows touched.
    """
    lock_for_write(session.connection())


def schema_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar_one()
        )


def _peek_version(db: str | None) -> int:
    """The store's schema version, read without opening it the usual way (nothing changes)."""
    url = resolve_db_url(db)
    path = sqlite_path(url)
    if path is not None:
        from tui.store.sqlite_files import read_meta

        if not path.is_file():
            raise DubanError(missing_store_message(db))
        raw = read_meta(path, "schema_version")
        if raw is None or not raw.isdigit():
            raise DubanError(f"这个文件不是督办台数据库：{describe(db)}")
        return int(raw)
    engine = make_engine(db, create=False, readonly=True, check=False)
    try:
        with engine.connect() as conn:
            raw = conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).first()
    except SQLAlchemyError as exc:
        from tui.store.db_errors import explain

        raise DubanError(
            explain(exc, describe(db)) or f"这不是督办台数据库：{describe(db)}"
        ) from exc
    finally:
        engine.dispose()
    return int(raw[0]) if raw else 0


def upgrade_store(db: str | None) -> tuple[int, Engine]:
    """`duban db upgrade`: the schema version before, and the store opened (and so upgraded,
    after a backup for a SQLite file) — the caller disposes the engine."""
    before = _peek_version(db)
    return before, make_engine(db, create=False)
