"""Open the Textual desk on a store."""

from __future__ import annotations

import sys

from tui.errors import DubanError


def open_desk(db: str | None, as_of: str | None) -> int:
    """The desk on the store at ``db``. A store that does not exist is never created
    silently: in a terminal the desk asks first; without one, or when the officer says no,
    one line says how to create it. The desk checkpoints the store when it quits."""
    from tui.commands.common import parse_date
    from tui.services.store import close_store, locate, open_store
    from tui.store.location import missing_store_message

    day = parse_date(as_of, "--as-of")
    target = locate(db)
    terminal = sys.stdin.isatty() and sys.stdout.isatty()
    if not target.exists and not terminal:
        raise DubanError(missing_store_message(db))
    if not terminal:
        raise DubanError("督办台界面需要在终端中运行（当前没有终端）；脚本中请使用 duban 的子命令")
    from tui.app.app import DubanApp

    store = open_store(target) if target.exists else None
    app = DubanApp(store, as_of=day, target=target)
    try:
        app.run()
    finally:
        if app.store is not None and not app.closed:
            close_store(app.store)
    if app.store is None:
        raise DubanError(missing_store_message(db))
    return app.return_code or 0
