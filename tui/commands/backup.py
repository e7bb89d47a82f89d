"""`duban backup DEST`: SQLite's online backup, consistent while the desk is open; on a
PostgreSQL store, pg_dump's custom format (tui/store/pg_dump.py).

Written to a temporary file beside the destination, checked (integrity and row counts),
then renamed into place: a backup that exists is a whole one. Files are 0600.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from rich.markup import escape

from tui.commands.common import console
from tui.errors import DubanError, os_reason


def run_backup(args) -> int:
    from tui.store.backups import copy_store
    from tui.store.db_errors import explain_sqlite
    from tui.store.location import describe, resolve_db_url, sqlite_path
    from tui.store.sqlite_files import existing_file

    if sqlite_path(resolve_db_url(getattr(args, "db", None))) is None:
        return _backup_server(args)
    src_path = existing_file(getattr(args, "db", None))
    assert src_path is not None
    dest = Path(args.dest)
    if dest.is_dir():
        dest = dest / f"{src_path.stem}-backup.db"
    if dest.exists():
        raise DubanError(f"目标文件已存在，未覆盖：{dest}")
    if not dest.parent.is_dir():
        raise DubanError(f"无法写入备份：{dest}（文件夹 {dest.parent} 不存在）")
    try:
        copy_store(src_path, dest)
    except sqlite3.Error as exc:
        where = describe(getattr(args, "db", None))
        raise DubanError(f"备份失败，未留下任何文件：{explain_sqlite(exc, where)}") from exc
    console().print(f"已备份到 {escape(str(dest))}")
    return 0


def _backup_server(args) -> int:
    """A PostgreSQL store: pg_dump (custom format), verified, then renamed into place."""
    from tui.commands.common import engine
    from tui.store.pg_dump import dump_store

    eng = engine(args, readonly=True)
    if eng.dialect.name != "postgresql":
        raise DubanError(
            "backup 仅适用于 SQLite 和 PostgreSQL 数据库；其他数据库请使用其自带的备份工具"
        )
    dest = Path(args.dest)
    if dest.is_dir():
        dest = dest / f"{eng.url.database or 'duban'}-backup.dump"
    if dest.exists():
        raise DubanError(f"目标文件已存在，未覆盖：{dest}")
    if not dest.parent.is_dir():
        raise DubanError(f"无法写入备份：{dest}（文件夹 {dest.parent} 不存在）")
    tables = dump_store(eng, dest)
    console().print(
        f"已备份到 {escape(str(dest))}（pg_dump 自定义格式，{len(tables)} 张表；"
        "用 pg_restore 恢复）"
    )
    return 0


def run_restore(args) -> int:
    """Replace the store with a backup, after checking the backup; the replaced store is
    kept beside it under a dated name, never deleted."""
    from datetime import datetime

    from tui.store.backups import fsync_path, verify_copy
    from tui.store.location import describe, resolve_db_url, sqlite_path
    from tui.store.sqlite_files import open_readonly

    target = sqlite_path(resolve_db_url(getattr(args, "db", None)))
    if target is None:
        return _restore_server(args)
    source = Path(args.file)
    if not source.is_file():
        raise DubanError(f"备份文件不存在：{source}")
    if target.exists() and source.resolve() == target.resolve():
        raise DubanError("备份文件就是当前数据库本身，无需恢复")
    src = open_readonly(source)
    try:
        try:
            sound = src.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        except sqlite3.Error:
            sound = False
        if not sound:
            raise DubanError(f"备份文件已损坏或不是数据库，未恢复，当前数据库未改动：{source}")
        try:
            version = src.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.Error:
            version = None
        if version is None:
            raise DubanError(f"这个文件不是督办台的数据库备份，未恢复：{source}")
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.restoring")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        try:
            out = sqlite3.connect(tmp)
            try:
                src.backup(out)
                out.execute("PRAGMA journal_mode=DELETE")
                verify_copy(src, out, target)
            finally:
                out.close()
            fsync_path(tmp)
            kept = None
            if target.exists():
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
                kept = target.with_name(f"{target.stem}.恢复前-{stamp}{target.suffix}")
                for suffix in ("", "-wal", "-shm"):
                    old = Path(f"{target}{suffix}")
                    if old.exists():
                        os.replace(old, f"{kept}{suffix}")
            os.replace(tmp, target)
            fsync_path(target.parent)
        finally:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    except sqlite3.Error as exc:
        from tui.store.db_errors import explain_sqlite

        raise DubanError(f"恢复失败，当前数据库未改动：{explain_sqlite(exc, str(source))}") from exc
    except OSError as exc:
        raise DubanError(
            f"恢复失败，当前数据库未改动：{describe(str(target))}（{os_reason(exc)}）"
        ) from exc
    finally:
        src.close()
    where = f"；原数据库已改名保留为 {kept}" if kept else ""
    console().print(escape(f"已从 {source} 恢复数据库 {target}{where}"))
    return 0


def _restore_server(args) -> int:
    """A PostgreSQL store: a `duban backup` (pg_dump custom format) verified, restored into
    the store's schema, the replaced schema kept under another name (tui/store/pg_dump.py)."""
    from tui.commands.common import engine
    from tui.store.db import operator_name
    from tui.store.location import describe
    from tui.store.pg_dump import restore_store

    source = Path(args.file)
    if not source.is_file():
        raise DubanError(f"备份文件不存在：{source}")
    eng = engine(args)
    if eng.dialect.name != "postgresql":
        raise DubanError(
            "restore 仅适用于 SQLite 和 PostgreSQL 数据库；其他数据库请使用其自带的恢复工具"
        )
    kept = restore_store(eng, source, operator_name())
    where = describe(getattr(args, "db", None))
    console().print(escape(f"已从 {source} 恢复数据库 {where}；原数据库已改名保留为 模式 {kept}"))
    return 0
