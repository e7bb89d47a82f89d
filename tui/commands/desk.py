"""Open the Textual desk on a store."""

from __future__ import annotations

import sys

from tui.errors import DubanError


def open_desk(db: str | None, as_of: str | None) -> int:
    from tui.commands.common import parse_date
    from tui.store.sqlite_files import existing_file

    day = parse_date(as_of, "--as-of")
    existing_file(db)  # a store that does not exist is never created silently: say how instead
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise DubanError("督办台界面需要在终端中运行（当前没有终端）；脚本中请使用 duban 的子命令")
    from tui.app.app import DubanApp
    from tui.store.db import dispose_engine, make_engine

    engine = make_engine(db, create=False)
    try:
        DubanApp(engine, as_of=day).run()
    finally:
        dispose_engine(engine)  # checkpoint: the .db file alone holds everything after quitting
    return 0
