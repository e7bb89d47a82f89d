"""Open the Textual desk on a store."""

from __future__ import annotations

import sys

from tui.errors import DubanError


def open_desk(db: str | None, as_of: str | None) -> int:
    """The desk on the store at ``db``. A store that does not exist is never created
    silently: in a terminal the desk asks first; without one, or when the officer says no,
    one line says how to create it. The desk checkpoints the store when it quits.

    A SQLite file at this program's schema version (the everyday case) takes the quick
    way: its overview is read over the DB-API in a thread started before Textual is even
    imported, and the store is opened through SQLAlchemy after the counts are on screen
    (`tui.services.first_screen`). A PostgreSQL store takes the same way with psycopg
    (`tui.store.pg_first`); when it turns out not current, the quick read fails and the
    store is opened the ordinary way after all. Any other store (an older file) is opened
    first, as opening may have to upgrade it."""
    from tui.commands.common import parse_date
    from tui.services.store_target import locate
    from tui.store.location import missing_store_message
    from tui.store.schema_version import file_is_current

    day = parse_date(as_of, "--as-of")
    target = locate(db)
    terminal = sys.stdin.isatty() and sys.stdout.isatty()
    if not target.exists and not terminal:
        raise DubanError(missing_store_message(db))
    if not terminal:
        raise DubanError("督办台界面需要在终端中运行（当前没有终端）；脚本中请使用 duban 的子命令")
    current = file_is_current(db)
    if current is None and target.path is None and target.url.startswith("postgresql"):
        current = target.url  # the quick read checks the server store's version itself
    first = opener = None
    soon_days = None
    if current is not None:
        from tui.services.first_screen import start_first_screen
        from tui.services.settings import office_settings

        settings = office_settings()
        soon_days = settings.soon_days if settings else 15
        first = start_first_screen(current, day, soon_days=soon_days)

        def opener():
            from tui.services.store import open_store

            return open_store(target)

    from tui.app.app import DubanApp

    if opener is not None:
        app = DubanApp(
            None, as_of=day, target=target, opener=opener, first=first, soon_days=soon_days
        )
    else:
        from tui.services.store import open_store

        store = open_store(target) if target.exists else None
        app = DubanApp(store, as_of=day, target=target)
    from tui.app.prompt_frames import prompt_frames

    try:
        with prompt_frames():
            app.run()
    finally:
        if app.store is not None and not app.closed:
            from tui.services.store import close_store

            close_store(app.store)
    if app.failure:
        raise DubanError(app.failure)
    if app.store is None and opener is None:  # (the quick way: left before it opened)
        raise DubanError(missing_store_message(db))
    return app.return_code or 0
