"""Open the Textual desk on a store."""

from __future__ import annotations

import sys

from tui.errors import DubanError


def open_desk(db: str | None, as_of: str | None) -> int:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise DubanError("督办台界面需要在终端中运行（当前没有终端）；脚本中请使用 duban 的子命令")
    from tui.app.app import DubanApp
    from tui.commands.common import parse_date
    from tui.store.db import make_engine

    app = DubanApp(make_engine(db), as_of=parse_date(as_of, "--as-of"))
    app.run()
    return 0
