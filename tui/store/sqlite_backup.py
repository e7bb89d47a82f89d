"""A whole, verified copy of a SQLite store: temporary file, online backup, check, rename.

Used by `duban backup` and by the automatic backup taken before a schema upgrade; a backup
file that exists is a whole one. No SQLAlchemy here.
"""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from tui.errors import DubanError, os_reason


def copy_store(src_path: Path, dest: Path) -> None:
    """Copy the store at ``src_path`` to ``dest`` (which must not exist), 0600, verified.

    Raises DubanError (nothing left behind) or sqlite3.Error (nothing left behind either).
    """
    from tui.store.sqlite_files import open_readonly

    for stale in dest.parent.glob(f".{dest.name}.*.partial*"):
        stale.unlink(missing_ok=True)  # left by a backup that was killed
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except OSError as exc:
        raise DubanError(f"无法写入备份：{dest}（{os_reason(exc)}）") from exc
    src = open_readonly(src_path)
    try:
        out = sqlite3.connect(tmp)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal
            verify_copy(src, out, dest)
        finally:
            out.close()
        fsync_path(tmp)
        os.replace(tmp, dest)
        fsync_path(dest.parent)
    except OSError as exc:
        raise DubanError(f"无法写入备份：{dest}（{os_reason(exc)}）") from exc
    finally:
        src.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)


def backup_before_upgrade(src_path: Path, version: int) -> Path:
    """The copy kept before a schema upgrade, beside the store: `NAME.升级前-v8-时间.db`."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = src_path.with_name(f"{src_path.stem}.升级前-v{version}-{stamp}{src_path.suffix}")
    try:
        copy_store(src_path, dest)
    except sqlite3.Error as exc:
        from tui.store.db_errors import explain_sqlite

        raise DubanError(
            f"升级前的备份失败，数据库未升级：{explain_sqlite(exc, str(src_path))}"
        ) from exc
    return dest


def verify_copy(src: sqlite3.Connection, out: sqlite3.Connection, dest: Path) -> None:
    """The copy passes SQLite's integrity check and holds as many rows as the store."""
    if out.execute("PRAGMA integrity_check").fetchone() != ("ok",):
        raise DubanError(f"备份校验未通过，未留下备份文件：{dest}")
    tables = [
        r[0]
        for r in src.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for table in tables:
        q = f'SELECT COUNT(*) FROM "{table}"'
        if src.execute(q).fetchone() != out.execute(q).fetchone():
            raise DubanError(f"备份校验未通过（表 {table} 行数不符），未留下备份文件：{dest}")


def fsync_path(path: Path) -> None:
    """Make a file, or a folder's entries, durable before we say it is done."""
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
