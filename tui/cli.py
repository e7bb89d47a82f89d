"""The `duban` command line.

Imports stay inside the command functions: `duban overdue` is measured as a whole process,
and pulling in Textual or python-docx for a table print would cost more than the query.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from tui.errors import DubanError


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese one-line errors and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise DubanError(f"命令参数有误：{message}（用 duban -h 查看用法）")


def _add_db(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    # Sub-commands suppress the default so `duban --db X tasks` and `duban tasks --db X` agree.
    p.add_argument(
        "--db",
        default=None if top else argparse.SUPPRESS,
        help="数据库文件路径或 SQLAlchemy 地址（默认读取 DUBAN_DB，否则用户数据目录）",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="duban", description="督办台：依法治理办公室的督办工作台")
    _add_db(parser, top=True)
    parser.add_argument("--as-of", help="以某日为准查看（YYYY-MM-DD，默认今天）")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    p = sub.add_parser("import", help="导入计划文件（Word/PDF/Excel/文本）")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")
    p.add_argument("--plan-year", type=int, help="计划年度（覆盖从标题识别的年度）")
    p.add_argument("--region", help="单位名录所属地区（默认根据文件内容识别）")
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_db(p)

    p = sub.add_parser("tasks", help="列出任务")
    p.add_argument("--plan")
    p.add_argument("--unit")
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_db(p)

    p = sub.add_parser("overdue", help="逾期未完成的落实事项")
    p.add_argument(
        "--as-of", dest="as_of", default=argparse.SUPPRESS, help="以某日为准（默认今天）"
    )
    p.add_argument("--unit")
    p.add_argument("--plan")
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    _add_db(p)

    p = sub.add_parser("deadlines", help="显示任务的期限及其原文出处")
    p.add_argument("task", help="任务 id 或编号（如 （46））")
    p.add_argument("--plan")
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_db(p)

    p = sub.add_parser("deadline", help="人工设定或更正任务期限")
    p.add_argument("task", help="任务 id 或编号")
    p.add_argument("value", help="日期（2024-06-30）、周期（每年1月8日前 或 RRULE）或 none")
    p.add_argument("--reason", required=True, help="更正原因")
    p.add_argument("--plan")
    _add_db(p)

    p = sub.add_parser("progress", help="记录单位报来的进展")
    p.add_argument("assignment", help="落实事项编号")
    p.add_argument("text")
    p.add_argument("--done", action="store_true", help="同时验收销号")
    p.add_argument("--date", help="进展日期（默认今天）")
    _add_db(p)

    p = sub.add_parser("workdays", help="按国家法定节假日计算工作日（如回复期限）")
    p.add_argument("start", help="起始日期 YYYY-MM-DD")
    p.add_argument("days", type=int, help="工作日数（起始日当天不计）")

    p = sub.add_parser("units", help="单位名录")
    usub = p.add_subparsers(dest="units_command", parser_class=_Parser)
    pi = usub.add_parser("import", help="导入单位名录（TOML）")
    pi.add_argument("file")
    pi.add_argument(
        "--update", action="store_true", help="用名录覆盖已有单位的负责人、联系人等信息"
    )
    _add_db(pi)
    pl = usub.add_parser("list", help="列出单位")
    pl.add_argument("--region")
    pl.add_argument("--format", choices=["table", "json"], default="table")
    _add_db(pl)

    p = sub.add_parser("demo", help="用示例计划建立演示库并打开督办台")
    p.add_argument("--rebuild", action="store_true", help="重新生成演示库")
    p.add_argument("--no-open", action="store_true", help="只生成演示库，不打开界面")
    p.add_argument(
        "--as-of", dest="as_of", default=argparse.SUPPRESS, help="以某日为准打开（默认 2024-11-15）"
    )
    _add_db(p)

    from tui.commands.letters_cmd import add_parser as add_letters
    from tui.config_cli import add_parsers as add_settings

    add_letters(sub, _Parser, _add_db)
    add_settings(sub, _Parser, _add_db)

    p = sub.add_parser("backup", help="在督办台运行时也能做一致的数据库备份")
    p.add_argument("dest")
    _add_db(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if argv is None and args_list[:1] == ["overdue"]:
        import gc

        # A short-lived listing over ~10^5 rows: garbage collection is pure cost here.
        gc.disable()
    try:
        parser = build_parser()
        args = parser.parse_args(args_list)
        if args.command != "setup":  # a DUBAN_CONFIG naming no file: one line, exit 2
            from tui.config import require_config_file

            require_config_file()
        return _dispatch(parser, args)
    except DubanError as exc:
        _fail(exc.message)
        return exc.exit_code
    except BrokenPipeError:
        # `duban overdue | head`: the reader left; stop quietly like any Unix filter.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        _fail("已中断")
        return 130
    except SystemExit as exc:  # -h / --help
        return int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - the user never sees a traceback
        if os.environ.get("DUBAN_DEBUG"):
            raise
        _fail(f"内部错误：{type(exc).__name__}: {exc}（设置 DUBAN_DEBUG=1 可查看详细信息）")
        return 1


def _fail(message: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"[bold red]错误：[/]{message}")


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    command = args.command
    if command is None:
        from tui.commands.desk import open_desk

        return open_desk(args.db, args.as_of)
    if command == "import":
        from tui.commands.import_cmd import run_import

        return run_import(args)
    if command == "tasks":
        from tui.commands.tasks_cmd import run_tasks

        return run_tasks(args)
    if command == "overdue":
        from tui.commands.overdue import run_overdue

        return run_overdue(args)
    if command in ("deadlines", "deadline", "progress"):
        from tui.commands import deadline_cmds

        return getattr(deadline_cmds, f"run_{command}")(args)
    if command == "workdays":
        from tui.commands.workdays import run_workdays

        return run_workdays(args)
    if command == "units":
        from tui.commands.units_cmd import run_units

        if args.units_command is None:
            raise DubanError("请指定 units 的子命令：import 或 list")
        return run_units(args)
    if command == "demo":
        from tui.commands.demo import run_demo

        return run_demo(args)
    if command == "letters":
        from tui.commands.letters_cmd import run_letters

        return run_letters(args)
    if command in ("setup", "settings"):
        from tui.config_cli import dispatch

        return dispatch(args)
    if command == "backup":
        from tui.commands.backup import run_backup

        return run_backup(args)
    raise DubanError(f"未知命令：{command}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
