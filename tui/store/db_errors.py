"""Database failures in one line of Chinese: locked, read-only, full, corrupt, no driver.

The command line's error boundary and the store's openers call `explain`; nothing here
imports SQLAlchemy, so `duban overdue` stays fast (SQLAlchemy errors are recognised only
when SQLAlchemy is already loaded).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

# SQLite's primary result codes (the low byte of an extended code).
_PERM = 3
_BUSY = 5
_LOCKED = 6
_READONLY = 8
_IOERR = 10
_CORRUPT = 11
_FULL = 13
_CANTOPEN = 14
_NOTADB = 26

_BY_CODE = {
    _BUSY: "数据库正被其他程序占用（例如另一个督办台正在写入），请稍后重试：{where}",
    _LOCKED: "数据库正被其他程序占用（例如另一个督办台正在写入），请稍后重试：{where}",
    _READONLY: "数据库是只读的，无法写入：{where}（请检查文件权限，或所在磁盘是否只读）",
    _PERM: "没有权限访问数据库：{where}",
    _IOERR: "读写数据库时磁盘出错：{where}（请检查磁盘，本次操作未保存）",
    _CORRUPT: "数据库文件已损坏：{where}（不能写入；用 duban check 查看，用 duban restore 从备份恢复）",
    _NOTADB: "这个文件不是督办台数据库，或已损坏：{where}",
    _CANTOPEN: "无法打开数据库文件：{where}（请检查路径和权限）",
    _FULL: "磁盘已满，未能写入数据库：{where}（本次操作未保存，请腾出空间后重试）",
}

_BY_TEXT = (
    ("database is locked", _BUSY),
    ("database table is locked", _LOCKED),
    ("readonly database", _READONLY),
    ("disk is full", _FULL),
    ("disk image is malformed", _CORRUPT),
    ("file is not a database", _NOTADB),
    ("unable to open database", _CANTOPEN),
    ("disk i/o error", _IOERR),
)


def explain_sqlite(exc: sqlite3.Error, where: str) -> str:
    """The Chinese line for an error raised by the sqlite3 module."""
    code = getattr(exc, "sqlite_errorcode", None)
    found = code & 0xFF if code is not None and (code & 0xFF) in _BY_CODE else None
    if found is None:
        text = str(exc).lower()
        found = next((c for needle, c in _BY_TEXT if needle in text), None)
    if found is not None:
        if found == _CANTOPEN and _read_only_place(where):
            found = _READONLY  # a WAL store on a read-only disk cannot even be opened
        return _BY_CODE[found].format(where=where)
    text = str(exc).lower()
    if "no such table" in text or "no such column" in text:
        return f"数据库缺少督办台需要的表或字段，可能不是督办台数据库或版本不符：{where}（{exc}）"
    if isinstance(exc, sqlite3.IntegrityError):
        return f"数据库拒绝了这次写入（数据约束冲突），未作任何更改：{where}（{exc}）"
    return f"数据库出错，未作任何更改：{where}（{exc}）"


def _read_only_place(where: str) -> bool:
    """An existing store file whose folder cannot be written (read-only disk or mount):
    access(2) says so even to root."""
    path = Path(where)
    try:
        return path.is_file() and not os.access(path.parent, os.W_OK)
    except (OSError, ValueError):
        return False


def explain(exc: BaseException, where: str) -> str | None:
    """One Chinese line for a database failure, or None when ``exc`` is not one."""
    if isinstance(exc, sqlite3.Error):
        return explain_sqlite(exc, where)
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy import exc as sa

    if isinstance(exc, sa.NoSuchModuleError):
        scheme = str(exc).rsplit(":", 1)[-1].strip()
        return f"不支持的数据库类型“{scheme}”：{where}（本地数据库请直接写文件路径）"
    if isinstance(exc, sa.ArgumentError):
        return f"数据库地址无法识别：{where}"
    if isinstance(exc, sa.DBAPIError):
        orig = exc.orig
        if isinstance(orig, sqlite3.Error):
            return explain_sqlite(orig, where)
        if isinstance(exc, sa.OperationalError):
            return f"无法连接或使用数据库：{where}（{_first_line(orig)}）"
        return f"数据库出错，未作任何更改：{where}（{_first_line(orig)}）"
    if isinstance(exc, sa.SQLAlchemyError):
        return f"数据库出错，未作任何更改：{where}（{_first_line(exc)}）"
    return None


def missing_driver(exc: ImportError, where: str) -> str:
    """The line for a server URL whose Python driver is not installed."""
    name = exc.name or str(exc)
    if name.split(".")[0] in ("psycopg", "psycopg2", "psycopg_binary"):
        return (
            f"缺少数据库驱动 {name}，无法连接：{where}"
            "（PostgreSQL 需要安装：pip install 'duban[postgres]'）"
        )
    return f"缺少数据库驱动 {name}，无法连接：{where}（请先用 pip 安装该驱动）"


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__
