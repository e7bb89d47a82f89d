"""Today's automatic backup, for the command line and the desk alike (light to import: the
command line calls it before every write)."""

from __future__ import annotations

from pathlib import Path


def auto_backup(path: Path | None) -> Path | None:
    """Today's automatic backup of a SQLite store, before its first write of the day, kept
    and rotated as the settings say (backup_daily / backup_weekly). A server store, a store
    not yet created, a demo store, or backups turned off: nothing."""
    if path is None or not path.is_file():
        return None
    from tui.clock import today
    from tui.config import load_settings
    from tui.store.backups import daily_backup
    from tui.store.demo_mark import is_demo_file

    if is_demo_file(path):  # a demo is rebuilt at will: nothing to keep
        return None
    settings = load_settings()
    return daily_backup(path, today(), settings.backup_daily, settings.backup_weekly)
