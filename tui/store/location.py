"""Where the store is and who is at the desk; no SQLAlchemy import, so fast commands stay fast."""

from __future__ import annotations

import getpass
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
    name = os.environ.get("DUBAN_USER")
    if name:
        return name
    from tui.config import load_settings

    configured = load_settings().operator
    if configured:
        return configured
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"
