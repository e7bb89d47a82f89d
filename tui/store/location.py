"""Where the store is and who is at the desk; no SQLAlchemy import, so fast commands stay fast."""

from __future__ import annotations

import os
from pathlib import Path

ENV_DB = "DUBAN_DB"


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("duban", appauthor=False)) / "duban.db"


def resolve_db_url(db: str | None = None) -> str:
    """`--db` beats DUBAN_DB beats the per-user data directory; a bare path means SQLite."""
    value = db or os.environ.get(ENV_DB) or str(default_db_path())
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def describe(db: str | None = None) -> str:
    """The store as the user should read it in a message: a path, or a URL without password."""
    url = resolve_db_url(db)
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def missing_store_message(db: str | None = None) -> str:
    """One line for a store that does not exist: where it was looked for and how to create one."""
    url = resolve_db_url(db)
    path = sqlite_path(url)
    where = f" --db {_quote(str(path))}" if db or os.environ.get(ENV_DB) else ""
    origin = "（路径来自环境变量 DUBAN_DB）" if not db and os.environ.get(ENV_DB) else ""
    return (
        f"数据库不存在：{path}{origin}。新建空库请运行 duban init{where}，"
        f"或直接导入计划：duban import 计划文件{where}；看演示请运行 duban demo"
    )


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite:/// URL, None for other databases or in-memory stores."""
    if not url.startswith("sqlite"):
        return None
    rest = url.split(":///", 1)[1] if ":///" in url else ""
    rest = rest.split("?", 1)[0]
    if not rest or rest == ":memory:":
        return None
    return Path(rest)


def operator_name() -> str:
    """Who is at the desk: DUBAN_USER, else the settings' operator, else the login name."""
    name = (os.environ.get("DUBAN_USER") or "").strip()
    if name:
        return name
    from tui.config import load_settings

    configured = (load_settings().operator or "").strip()
    if configured:
        return configured
    import getpass  # with it comes termios: only a desk with no name set needs it

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"
