"""`duban backup DEST`: SQLite's online backup, consistent while the desk is open."""

from __future__ import annotations

from pathlib import Path

from tui.commands.common import console
from tui.errors import DubanError


def run_backup(args) -> int:
    import sqlite3

    from sqlalchemy.engine import make_url

    from tui.store.db import resolve_db_url

    url = make_url(resolve_db_url(getattr(args, "db", None)))
    if not url.drivername.startswith("sqlite"):
        raise DubanError("backup 仅适用于 SQLite 数据库；其他数据库请使用其自带的备份工具")
    src_path = Path(url.database or "")
    if not src_path.is_file():
        raise DubanError(f"数据库不存在：{src_path}")
    dest = Path(args.dest)
    if dest.is_dir():
        dest = dest / f"{src_path.stem}-backup.db"
    if dest.exists():
        raise DubanError(f"目标文件已存在，未覆盖：{dest}")
    src = sqlite3.connect(src_path)
    try:
        out = sqlite3.connect(dest)
        with out:
            src.backup(out)
        out.close()
    finally:
        src.close()
    console().print(f"已备份到 {dest}")
    return 0
