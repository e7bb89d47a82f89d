"""A SQLite store opened for `duban import` without SQLAlchemy.

Importing SQLAlchemy, SQLModel and pydantic was two thirds of a seed import's time. A store
file at exactly this program's schema version (or a store this command creates) is opened
over ``sqlite3`` with the same connection settings, checks and file handling as
`tui.store.db.make_engine`: the PRAGMAs (tui.store.sqlconn.sqlite_pragmas), quick_check
unless the file is as this program left it, a new store filled from the checked-in schema
script in one transaction under the write lock (nothing left behind if that fails), and
on close the WAL checkpointed into the `.db` file. Anything else — an older or newer store,
a server URL, a dry run, a file that is not quite a store — returns None from `open_lite`,
and the caller takes the SQLAlchemy path, which upgrades, refuses or explains.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tui.errors import DubanError, os_reason
from tui.store.schema_version import SCHEMA_VERSION
from tui.store.sqlconn import LiteConn, _restore_cache, sqlite_pragmas

# Every table of the schema; tests/test_startup_paths.py keeps it equal to the models.
ALL_TABLES = frozenset(
    {
        # tui.store.models
        "meta",
        "plan",
        "import_correction",
        "plan_revision",
        "outline_node",
        "task",
        "task_deadline",
        "region",
        "unit",
        "unit_alias",
        "unit_group",
        "unit_group_member",
        "assignment",
        "progress",
        "extension",
        "audit_log",
        "list_issue",
        "merge_map",
        # tui.store.letter_models
        "letter",
        "letter_item",
        "letter_counter",
        "letter_reply",
        "ladder_override",
        # tui.store.circular_models
        "circular",
        "circular_counter",
    }
)

# tui.store.store_secret.META_KEY (that module imports SQLAlchemy; a test keeps them equal).
SECRET_KEY = "store_secret"
# tui.store.schema_upgrade.revision_for(SCHEMA_VERSION): the Alembic stamp of a current store.
CURRENT_REVISION = f"schema{SCHEMA_VERSION}"

_OPEN: weakref.WeakSet[LiteStore] = weakref.WeakSet()


class LiteStore:
    """An open SQLite store file, written through ``sqlite3`` (see tui.store.sqlconn)."""

    def __init__(self, path: Path, raw: sqlite3.Connection) -> None:
        self.path = path
        self.raw = raw
        _OPEN.add(self)

    @contextmanager
    def lite_transaction(
        self, batch: str, *, commit: bool = True, cache_kib: int = 0
    ) -> Iterator[LiteConn]:
        """One write transaction (BEGIN IMMEDIATE: the write lock first); see
        tui.store.sqlconn.write_transaction."""
        raw = self.raw
        raw.execute("BEGIN IMMEDIATE")
        before = None
        try:
            if cache_kib:
                before = raw.execute("PRAGMA cache_size").fetchone()[0]
                raw.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
            yield LiteConn(raw, batch)
            raw.execute("COMMIT" if commit else "ROLLBACK")
        except BaseException:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            raise
        finally:
            if before is not None:
                _restore_cache(raw.execute, int(before))

    def close(self) -> None:
        """Checkpoint the WAL into the file (the `.db` file alone is the whole store), close,
        and stamp the file as this program left it."""
        if self.raw is None:
            return
        raw, self.raw = self.raw, None
        _OPEN.discard(self)
        try:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass  # another process reads or writes: its data is safe in the WAL
        raw.close()
        from tui.store.checked_stamp import record_checked

        record_checked(self.path)


@atexit.register
def _close_all() -> None:
    for store in list(_OPEN):
        store.close()


def open_lite(db: str | None, *, create: bool = True) -> LiteStore | None:
    """The store behind ``db`` opened without SQLAlchemy, or None when it is not a SQLite
    file at this program's schema version (nor missing, with ``create``)."""
    from tui.store.location import describe, resolve_db_url, sqlite_path

    path = sqlite_path(resolve_db_url(db))
    if path is None:
        return None
    where = describe(db)
    if path.is_file():
        return _open_current(path, where)
    if not create or path.exists():
        return None
    if not _create_file(path):
        return None  # another process created it first: the general path takes over
    return _fill_new(path, where)


def _connect(path: Path, *, uri_mode: str) -> sqlite3.Connection:
    raw = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={uri_mode}",
        uri=True,
        isolation_level=None,  # transactions are begun and ended explicitly
        check_same_thread=False,
    )
    try:
        sqlite_pragmas(raw)
    except BaseException:
        raw.close()
        raise
    return raw


def _open_current(path: Path, where: str) -> LiteStore | None:
    from tui.store.sqlite_files import read_meta

    version = read_meta(path, "schema_version")
    if version is None or not version.isdigit() or int(version) != SCHEMA_VERSION:
        return None
    try:
        raw = _connect(path, uri_mode="rw")
    except sqlite3.Error as exc:
        from tui.store.db_errors import explain_sqlite

        raise DubanError(explain_sqlite(exc, where)) from exc
    try:
        if not _is_current(raw):
            raw.close()
            return None
        _refuse_damaged(raw, path, where)
    except BaseException:
        raw.close()
        raise
    return LiteStore(path, raw)


def _is_current(raw: sqlite3.Connection) -> bool:
    """Every table there, the meta version and the Alembic stamp this program's: nothing for
    the general path's schema check to do."""
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not ALL_TABLES <= tables or "alembic_version" not in tables:
        return False
    meta = raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    stamp = raw.execute("SELECT version_num FROM alembic_version").fetchall()
    return meta == (str(SCHEMA_VERSION),) and stamp == [(CURRENT_REVISION,)]


def _refuse_damaged(raw: sqlite3.Connection, path: Path, where: str) -> None:
    """As tui.store.db._refuse_damaged: quick_check before any write, unless the file is
    exactly as this program left it."""
    from tui.store.checked_stamp import forget_checked, unchanged_since_checked

    if unchanged_since_checked(path):
        return
    forget_checked(path)
    rows = [r[0] for r in raw.execute("PRAGMA quick_check(20)")]
    if rows != ["ok"]:
        raise DubanError(
            f"数据库已损坏，不能写入（{rows[0][:60]}）：{where}。"
            "请运行 duban check 查看，用 duban restore 从备份恢复"
        )


def _fill_new(path: Path, where: str) -> LiteStore:
    """A store file just created (empty): the schema script, stamp and secret in one
    transaction under the write lock; on any failure the files are removed."""
    from tui.store.schema_script import create_store

    raw = None
    try:
        raw = _connect(path, uri_mode="rw")
        raw.execute("BEGIN IMMEDIATE")
        if raw.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
            create_store(raw, SECRET_KEY)
        raw.execute("COMMIT")
    except BaseException as exc:
        if raw is not None:
            raw.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        if isinstance(exc, sqlite3.Error):
            from tui.store.db_errors import explain_sqlite

            raise DubanError(explain_sqlite(exc, where)) from exc
        raise
    return LiteStore(path, raw)


def _create_file(path: Path) -> bool:
    """A new, empty store file (SQLite fills it in), 0600 in a folder made 0700.

    False if another process created it first."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        why = "同名的文件已存在，不是文件夹" if isinstance(exc, FileExistsError) else os_reason(exc)
        raise DubanError(f"无法创建数据库文件夹：{path.parent}（{why}）") from exc
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise DubanError(f"无法创建数据库：{path}（{os_reason(exc)}）") from exc
    os.close(fd)
    return True
