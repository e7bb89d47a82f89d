"""`duban db upgrade`: bring a store written by an older release to this program's schema."""

from __future__ import annotations

from tui.commands.common import console


def add_parser(sub, add_db) -> None:
    p = sub.add_parser("db", help="数据库维护：升级数据库结构")
    dsub = p.add_subparsers(dest="db_command", title="子命令", metavar="子命令")
    pu = dsub.add_parser(
        "upgrade",
        help="把旧版本的数据库升级到本程序的版本（SQLite 先自动备份；只增加表和字段，不删除数据）",
        description=(
            "把旧版本的数据库升级到本程序的版本。SQLite 数据库先在同一文件夹写一份校验过的"
            "备份（文件名含“升级前”），再在一个事务中逐步升级；任何一步失败都不留半个升级。"
            "打开旧数据库的其他命令也会自动这样升级。"
        ),
    )
    add_db(pu)


def run_db(args) -> int:
    from rich.markup import escape  # not at import: every command builds this parser

    from tui.errors import DubanError
    from tui.services.store import upgrade_store
    from tui.store.location import describe

    if getattr(args, "db_command", None) is None:
        raise DubanError("请指定 db 的子命令：upgrade（升级数据库结构）")
    db = getattr(args, "db", None)
    result = upgrade_store(db)
    where = describe(db)
    if result.before == result.after:
        console().print(escape(f"数据库已是最新版本（{result.after}）：{where}"))
        return 0
    line = f"数据库已从版本 {result.before} 升级到 {result.after}：{where}"
    if result.backup is not None:
        line += f"；升级前的备份：{result.backup}"
    console().print(escape(line))
    return 0
