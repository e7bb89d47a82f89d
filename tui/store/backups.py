"""Backups of a SQLite store: one verified copy, and the daily copies kept automatically.

`copy_store` is SQLite's online backup (consistent while a desk is open) into a temporary
file beside the destination, checked (integrity and row counts), fsynced, then renamed:
a backup that exists is a whole one, and a killed backup leaves nothing at the destination.

`daily_backup` runs before the first write of each day (writing commands, the desk): a
copy named 督办台-YYYY-MM-DD.db in the `备份` folder beside the store, then rotation
keeps the newest `daily` days and, older than those, the newest copy of each of the
`weekly` most recent weeks. Only files with exactly that name pattern are ever removed.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from tui.errors import DubanError, os_reason

BACKUP_DIR = "备份"
_NAME = re.compile(r"^督办台-(\d{4}-\d{2}-\d{2})\.db$")


def copy_store(src_path: Path, dest: Path) -> None:
    """Back up the store at `src_path` to `dest` (which must not exist)."""
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


# ----------------------------------------------------------------------------- daily


def backup_folder(store: Path) -> Path:
    return store.parent / BACKUP_DIR


def dated_backups(folder: Path) -> dict[date, Path]:
    """The automatic backups in `folder`, by day (other files are not ours)."""
    found: dict[date, Path] = {}
    if not folder.is_dir():
        return found
    for p in folder.iterdir():
        m = _NAME.match(p.name)
        if m and p.is_file():
            try:
                found[date.fromisoformat(m.group(1))] = p
            except ValueError:
                continue
    return found


def to_keep(days: Iterable[date], daily: int, weekly: int) -> set[date]:
    """The days whose backups rotation keeps: the newest `daily`, then the newest of each of
    the `weekly` most recent ISO weeks among the older ones."""
    ordered = sorted(set(days), reverse=True)
    keep = set(ordered[:daily])
    weeks: list[tuple[int, int]] = []
    for d in ordered[daily:]:
        week = d.isocalendar()[:2]
        if week in weeks:
            continue
        if len(weeks) >= weekly:
            break
        weeks.append(week)
        keep.add(d)
    return keep


def daily_backup(store: Path, today: date, daily: int = 7, weekly: int = 4) -> Path | None:
    """Today's automatic backup of `store`, made if missing, then rotation. None when turned
    off (daily = 0) or when today's copy already exists."""
    if daily <= 0 or not store.is_file():
        return None
    folder = backup_folder(store)
    existing = dated_backups(folder)
    made = None
    if today not in existing:
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise DubanError(f"无法创建备份文件夹 {folder}（{os_reason(exc)}）") from exc
        made = folder / f"督办台-{today.isoformat()}.db"
        try:
            copy_store(store, made)
        except sqlite3.Error as exc:
            raise DubanError(f"自动备份失败：{exc}") from exc
        existing[today] = made
    keep = to_keep(existing, daily, weekly)
    for day, path in existing.items():
        if day not in keep and day <= today:
            path.unlink(missing_ok=True)
    return made
