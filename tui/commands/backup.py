"""`duban backup DEST`: SQLite's online backup, consistent while the desk is open.

Written to a temporary file beside the destination, checked (integrity and row counts),
then renamed into place: a backup that exists is a whole one. Files are 0600.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tui.commands.common import console
from tui.errors import DubanError, os_reason


def run_backup(args) -> int:
    from tui.store.db_errors import explain_sqlite
    from tui.store.location import describe, resolve_db_url, sqlite_path
    from tui.store.sqlite_files import existing_file, open_readonly

    if sqlite_path(resolve_db_url(getattr(args, "db", None))) is None:
        raise DubanError("backup 仅适用于 SQLite 数据库；其他数据库请使用其自带的备份工具")
    src_path = existing_file(getattr(args, "db", None))
    assert src_path is not None
    dest = Path(args.dest)
    if dest.is_dir():
        dest = dest / f"{src_path.stem}-backup.db"
    if dest.exists():
        raise DubanError(f"目标文件已存在，未覆盖：{dest}")
    if not dest.parent.is_dir():
        raise DubanError(f"无法写入备份：{dest}（文件夹 {dest.parent} 不存在）")
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
            _verify(src, out, dest)
        finally:
            out.close()
        os.replace(tmp, dest)
    except sqlite3.Error as exc:
        where = describe(getattr(args, "db", None))
        raise DubanError(f"备份失败，未留下任何文件：{explain_sqlite(exc, where)}") from exc
    except OSError as exc:
        raise DubanError(f"无法写入备份：{dest}（{os_reason(exc)}）") from exc
    finally:
        src.close()
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    console().print(f"已备份到 {dest}")
    return 0


def _verify(src: sqlite3.Connection, out: sqlite3.Connection, dest: Path) -> None:
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
