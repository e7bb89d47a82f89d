"""The office settings and who is at the desk, for the desk (read once at start-up)."""

from __future__ import annotations

from tui.errors import DubanError


def office_settings():
    """The settings file's values, or None when it cannot be read (the desk then says why
    and runs on the defaults)."""
    from tui.config import load_settings

    try:
        return load_settings()
    except DubanError:
        return None


def operator(configured: str = "") -> str:
    """DUBAN_USER, else the settings' operator, else the login name."""
    import os

    if os.environ.get("DUBAN_USER"):
        return os.environ["DUBAN_USER"]
    if configured:
        return configured
    from tui.store.location import operator_name

    return operator_name()
