"""Open the Textual desk on a store."""

from __future__ import annotations

import sys

from tui.errors import DubanError


def open_desk(db: str | None, as_of: str | None) -> int:
    """The desk on the store at ``db``. A store that does not exist yet is not created
    here: the desk asks first (and the title bar always names the store that is open)."""
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise DubanError("督办台界面需要在终端中运行（当前没有终端）；脚本中请使用 duban 的子命令")
    from tui.app.app import DubanApp
    from tui.commands.common import parse_date
    from tui.services.store import close_store, locate, open_store

    target = locate(db)
    store = open_store(target) if target.exists else None
    app = DubanApp(store, as_of=parse_date(as_of, "--as-of"), target=target)
    try:
        app.run()
    finally:
        if app.store is not None and not app.closed:
            close_store(app.store)
    if app.store is None:
        print(f"未新建数据库：{target.label}", file=sys.stderr)
    return app.return_code or 0
