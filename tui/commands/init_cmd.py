"""`duban init`: create an empty store, or check and upgrade the one that is there."""

from __future__ import annotations

from rich.markup import escape

from tui.commands.common import console, engine


def run_init(args) -> int:
    from tui.store.db import schema_version
    from tui.store.location import describe, resolve_db_url, sqlite_path

    db = getattr(args, "db", None)
    path = sqlite_path(resolve_db_url(db))
    existed = path is None or path.exists()
    eng = engine(args, create=True)
    where = describe(db)
    if existed:
        console().print(
            escape(f"数据库已存在：{where}（版本 {schema_version(eng)}），未删除任何数据")
        )
    else:
        console().print(escape(f"已新建空数据库：{where}；下一步用 duban import 导入计划文件"))
    return 0
