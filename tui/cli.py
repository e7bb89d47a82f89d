"""The `duban` command line.

Imports stay inside the command functions: `duban overdue` is measured as a whole process,
and pulling in Textual or python-docx for a table print would cost more than the query.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from types import SimpleNamespace

from tui.errors import DubanError

# typing.TYPE_CHECKING's run-time value: typing itself costs `duban overdue` 3 ms to import
TYPE_CHECKING = False
if TYPE_CHECKING:  # argparse is imported where a parser is built: `overdue_args`
    import argparse


FORMATS_HELP = "输出格式：table 表格（默认），json 供程序读取"


def _add_db(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    import argparse

    # Sub-commands suppress the default so `duban --db X tasks` and `duban tasks --db X` agree.
    p.add_argument(
        "--db",
        metavar="数据库",
        default=None if top else argparse.SUPPRESS,
        help="数据库文件路径或 SQLAlchemy 地址（默认读取 DUBAN_DB，否则用户数据目录中的 duban.db）",
    )


def _add_as_of(p: argparse.ArgumentParser, what: str, default: str = "今天") -> None:
    import argparse

    p.add_argument(
        "--as-of",
        dest="as_of",
        metavar="日期",
        default=argparse.SUPPRESS,
        help=f"{what}（YYYY-MM-DD，默认{default}；也可写在子命令之前）",
    )


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser; with ``only`` (a command of `_SMALL`: overdue, import), the top
    options and that command alone (building every command's parser, some importing their
    modules, is a tenth of a whole `duban overdue` or of a seed's `duban import`)."""
    import argparse

    from tui.argparse_zh import ChineseArgumentParser as _Parser
    from tui.commands.common import add_region

    parser = _Parser(
        prog="duban",
        description="督办台：依法治理办公室的督办工作台。不带子命令时打开督办台界面。",
    )
    _add_db(parser, top=True)
    parser.add_argument(
        "--as-of",
        metavar="日期",
        help="以某日为准查看（YYYY-MM-DD，默认今天）；只用于与日期有关的子命令",
    )
    sub = parser.add_subparsers(dest="command")
    if only is not None:
        _SMALL[only](sub)
        return parser

    p = sub.add_parser("init", help="新建空数据库；已存在时只检查并升级版本，不删除任何数据")
    _add_db(p)

    _add_import(sub)

    p = sub.add_parser("tasks", help="列出任务及其牵头、责任、配合单位")
    p.add_argument("--plan", metavar="计划", help="只列某计划的任务（计划编号或标题中的文字）")
    p.add_argument("--unit", metavar="单位", help="只列某单位承担的任务")
    add_region(p)
    p.add_argument("--format", choices=["table", "json"], default="table", help=FORMATS_HELP)
    _add_db(p)

    _add_overdue(sub)

    p = sub.add_parser("deadlines", help="显示任务的期限及其原文出处")
    p.add_argument(
        "task", metavar="任务", help="任务：数据库中的编号（纯数字），或原文中的编号（如 （46））"
    )
    p.add_argument("--plan", metavar="计划", help="编号在多个计划中出现时，指定计划")
    p.add_argument("--format", choices=["table", "json"], default="table", help=FORMATS_HELP)
    _add_db(p)

    p = sub.add_parser("deadline", help="人工设定或更正任务期限")
    p.add_argument(
        "task", metavar="任务", help="任务：数据库中的编号（纯数字），或原文中的编号（如 （46））"
    )
    p.add_argument(
        "value",
        metavar="期限",
        help="日期（2024-06-30）、周期（每年1月8日前 或 RRULE）或 none（无固定期限）",
    )
    p.add_argument("--reason", required=True, metavar="原因", help="更正原因（记入审计记录）")
    p.add_argument("--plan", metavar="计划", help="编号在多个计划中出现时，指定计划")
    _add_db(p)

    p = sub.add_parser("progress", help="记录单位报来的进展")
    p.add_argument("assignment", metavar="事项", help="落实事项编号（见 duban overdue 的“事项”列）")
    p.add_argument("text", metavar="进展", help="进展内容")
    p.add_argument("--done", action="store_true", help="同时验收销号")
    p.add_argument(
        "--date", metavar="日期", help="进展日期（默认为查看日期或今天，不能晚于查看日期）"
    )
    _add_as_of(p, "查看日期：进展日期的默认值和上限")
    _add_db(p)

    p = sub.add_parser("workdays", help="按国家法定节假日计算工作日（如回复期限）")
    p.add_argument("start", metavar="起始日期", help="起始日期 YYYY-MM-DD（当天不计）")
    p.add_argument(
        "days", type=int, metavar="天数", help="工作日数：正数向后数，负数向前数，0 为起始日当天"
    )

    p = sub.add_parser("units", help="单位名录：导入、列出")
    usub = p.add_subparsers(dest="units_command")
    pi = usub.add_parser("import", help="导入单位名录（TOML）")
    pi.add_argument(
        "file", metavar="文件", help="单位名录文件（.toml，格式见 data/units/README.md）"
    )
    pi.add_argument(
        "--update", action="store_true", help="用名录覆盖已有单位的负责人、联系人等信息"
    )
    _add_db(pi)
    pl = usub.add_parser("list", help="列出单位")
    pl.add_argument("--region", metavar="地区", help="只列某地区的单位")
    pl.add_argument("--format", choices=["table", "json"], default="table", help=FORMATS_HELP)
    _add_db(pl)

    p = sub.add_parser("demo", help="用示例计划建立演示库并打开督办台（不碰办公室的数据库）")
    p.add_argument(
        "--rebuild", action="store_true", help="重新生成演示库（只重建带演示库标记的数据库）"
    )
    p.add_argument("--no-open", action="store_true", help="只生成演示库，不打开界面")
    _add_as_of(p, "以某日为准打开", " 2024-11-15")
    p.add_argument(
        "--db",
        metavar="数据库",
        default=argparse.SUPPRESS,
        help="演示库文件（默认读取 DUBAN_DB，否则用户数据目录中的 demo.db）",
    )

    from tui.commands.letters_cmd import add_parser as add_letters
    from tui.config_cli import add_parsers as add_settings

    add_letters(sub, _Parser, _add_db)
    add_settings(sub, _Parser, _add_db)

    from tui.commands.reports_cmd import add_parsers as add_reports

    add_reports(sub, _Parser, _add_db, FORMATS_HELP)

    from tui.commands.circular_cmd import add_parser as add_circular

    add_circular(sub, _Parser, _add_db)

    p = sub.add_parser("backup", help="一致的数据库备份（督办台打开时也可以）")
    p.add_argument("dest", metavar="目标", help="备份文件路径，或放置备份的文件夹")
    _add_db(p)

    p = sub.add_parser("restore", help="从备份恢复数据库：先校验备份，原数据库改名保留")
    p.add_argument("file", metavar="备份文件", help="duban backup 写出的备份文件")
    _add_db(p)

    p = sub.add_parser("check", help="检查数据库是否完好：页面、外键、审计触发器和审计链")
    _add_db(p)

    from tui.commands.db_cmd import add_parser as add_db_parser

    add_db_parser(sub, _add_db)

    from tui.commands.import_store_cmd import add_parser as add_import_store

    add_import_store(sub, _add_db)

    p = sub.add_parser("audit", help="审计记录")
    asub = p.add_subparsers(dest="audit_command")
    pv = asub.add_parser("verify", help="逐条核对审计链，指出第一处被删除、改动或伪造的记录")
    _add_db(pv)
    return parser


def _add_import(sub) -> None:
    p = sub.add_parser("import", help="导入计划文件（Word/PDF/Excel/文本）")
    p.add_argument("file", metavar="文件", help="计划文件：.docx、.pdf、.xlsx 或 .txt")
    p.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")
    p.add_argument("--plan-year", type=int, metavar="年度", help="计划年度（覆盖从标题识别的年度）")
    p.add_argument("--region", metavar="地区", help="单位名录所属地区（默认根据文件内容识别）")
    p.add_argument(
        "--new-plan",
        action="store_true",
        help="作为新计划导入（已有同名计划但并非同一计划时，例如另一地区的同名计划）",
    )
    p.add_argument(
        "--revision-of",
        metavar="计划",
        help="作为某计划（编号或标题）的新修订版导入",
    )
    p.add_argument("--format", choices=["table", "json"], default="table", help=FORMATS_HELP)
    _add_db(p)


def _add_overdue(sub) -> None:
    from tui.commands.common import add_region

    p = sub.add_parser("overdue", help="逾期未完成的落实事项，按紧迫程度排序")
    _add_as_of(p, "以某日为准")
    p.add_argument("--unit", metavar="单位", help="只看某单位")
    p.add_argument("--plan", metavar="计划", help="只看某计划（计划编号或标题中的文字）")
    add_region(p)
    p.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="输出格式：table 表格（默认），json 供程序读取，csv 供 Excel 打开",
    )
    _add_db(p)


# Commands read by a parser of their own (see build_parser): measured as whole processes.
_SMALL = {"overdue": _add_overdue, "import": _add_import}


def command_of(argv: Sequence[str]) -> str | None:
    """The sub-command ``argv`` names, read past the top options (--db, --as-of) wherever
    they stand; None when something else comes first (help, a mistake: the whole parser)."""
    rest = iter(argv)
    for arg in rest:
        if arg in _DESK_OPTIONS:
            if next(rest, None) is None:
                return None
        elif "=" in arg and arg.partition("=")[0] in _DESK_OPTIONS:
            continue
        else:
            return None if arg.startswith("-") else arg
    return None


def leaf_parser(parser: argparse.ArgumentParser, args: argparse.Namespace):
    """The (sub-)parser that parsed the innermost sub-command of ``args``."""
    import argparse

    current = parser
    while True:
        action = next(
            (a for a in current._actions if isinstance(a, argparse._SubParsersAction)), None
        )
        if action is None:
            return current
        name = getattr(args, action.dest, None)
        if name is None:
            return current
        current = action.choices[name]


def _check_as_of(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """`--as-of` only where a date of view means something; elsewhere it is refused, not ignored."""
    if getattr(args, "as_of", None) is None:
        return
    leaf = leaf_parser(parser, args)
    if any("--as-of" in a.option_strings for a in leaf._actions):
        return
    raise DubanError(f"--as-of 对 {leaf.prog} 没有意义（这个命令与查看日期无关），请去掉它")


def main(argv: Sequence[str] | None = None) -> int:
    # The office's data is private: every file the program makes (store, WAL, backups,
    # letters, lists) is readable by its owner only, whatever umask the shell had.
    os.umask(0o077)
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = command_of(args_list)
    only = command if command in _SMALL else None
    if argv is None and only:
        import gc

        # A short-lived listing over ~10^5 rows, or an import (its own work already runs
        # with the collector paused, tui.gc_pause): garbage collection is pure cost here,
        # also while the command's modules load.
        gc.disable()
    args = None
    try:
        args = _desk_only(args_list)
        if argv is None and args is not None:
            import gc

            # The desk's start-up builds only what lives for the whole session (modules,
            # classes, the screen): collecting it is pure cost. The desk collects again
            # once its first screen is drawn (DubanApp.on_mount).
            gc.disable()
        if args is None and only == "overdue":
            args = overdue_args(args_list)
        if args is None:
            parser = build_parser(only)
            args = parser.parse_args(args_list)
            _check_as_of(parser, args)
        else:
            parser = None  # the desk and a plain `overdue` need none (_desk_only, overdue_args)
        if args.command != "setup":  # a DUBAN_CONFIG naming no file: one line, exit 2
            from tui.config_file import require_config_file

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
        from tui.commands.common import committed_so_far

        done = committed_so_far()
        _fail("已中断" + (f"；中断前已保存：{'；'.join(done)}" if done else "；没有保存任何更改"))
        return 130
    except SystemExit as exc:  # -h / --help
        return int(exc.code or 0)
    except Exception as exc:  # noqa: BLE001 - the user never sees a traceback
        if os.environ.get("DUBAN_DEBUG"):
            raise
        known = _known_failure(exc, args)
        if known is not None:
            _fail(known)
            return 2
        _fail(f"内部错误：{type(exc).__name__}: {exc}（设置 DUBAN_DEBUG=1 可查看详细信息）")
        return 1
    finally:
        _close(args)


_DESK_OPTIONS = {"--db": "db", "--as-of": "as_of"}
_OVERDUE_OPTIONS = {
    "--db": "db",
    "--as-of": "as_of",
    "--unit": "unit",
    "--plan": "plan",
    "--region": "region",
    "--format": "format",
}
_OVERDUE_FORMATS = ("table", "json", "csv")


def overdue_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """`duban [--db X] [--as-of D] overdue [its options]` read without argparse (importing
    it and building even the small parser is a tenth of the listing's own work), when every
    argument is plain: an option of that place spelled out in full, each at most once there,
    with a value not starting with "-", and a known format. The values are what the parser
    reads (an option after `overdue` overrides the same one before it). Anything else —
    help, an abbreviation, a repeated option, a mistake — None: the parser decides, and
    words its errors, as always."""
    values: dict[str, str | None] = dict.fromkeys(("db", "as_of", "unit", "plan", "region"))
    values["format"] = "table"
    places: tuple[set[str], set[str]] = (set(), set())  # seen before / after the command
    after = False
    rest = list(argv)
    while rest:
        arg = rest.pop(0)
        if arg == "overdue" and not after:
            after = True
            continue
        option, eq, value = arg.partition("=")
        name = (_OVERDUE_OPTIONS if after else _DESK_OPTIONS).get(option)
        seen = places[after]
        if name is None or name in seen:
            return None
        if not eq:
            if not rest:
                return None
            value = rest.pop(0)
        if value.startswith("-"):
            return None
        seen.add(name)
        values[name] = value
    if not after or values["format"] not in _OVERDUE_FORMATS:
        return None
    return SimpleNamespace(command="overdue", **values)


def _desk_only(argv: list[str]) -> SimpleNamespace | None:
    """`duban` with at most --db and --as-of opens the desk: those arguments read without
    building the whole parser (its sub-commands import their modules, a sixth of the desk's
    start-up). Anything else, help included, goes through the parser as always."""
    values: dict[str, str | None] = {"db": None, "as_of": None}
    seen: set[str] = set()
    rest = list(argv)
    while rest:
        option, eq, inline = rest.pop(0).partition("=")
        name = _DESK_OPTIONS.get(option)
        if name is None or name in seen:
            return None
        if not eq:
            if not rest or rest[0].startswith("-"):
                return None
            inline = rest.pop(0)
        seen.add(name)
        values[name] = inline
    return SimpleNamespace(command=None, **values)


def _close(args) -> None:
    """Checkpoint and close the stores this command opened (a failure here is reported once)."""
    if "tui.commands.common" not in sys.modules:
        return
    from tui.commands.common import close_engines

    try:
        close_engines()
    except Exception as exc:  # noqa: BLE001
        known = _known_failure(exc, args)
        if known is not None:
            _fail(known)


def _known_failure(exc: BaseException, args) -> str | None:
    """One Chinese line for a failure of the database or of a file, None for a real bug."""
    from tui.store.db_errors import explain

    where = _store_name(args)
    message = explain(exc, where)
    if message is not None:
        return message
    if isinstance(exc, OSError) and exc.errno is not None:
        return _os_message(exc)
    return None


def _store_name(args) -> str:
    try:
        from tui.store.location import describe

        return describe(getattr(args, "db", None))
    except Exception:  # noqa: BLE001 - only for a message
        return "数据库"


def _os_message(exc: OSError) -> str:
    from tui.errors import os_reason

    name = exc.filename if exc.filename is not None else ""
    return (
        f"无法读写文件：{name}（{os_reason(exc)}）" if name else f"无法读写文件（{os_reason(exc)}）"
    )


def _fail(message: str) -> None:
    """One line on stderr. The message is text, never markup, and printing it cannot fail:
    a file name or plan line with [/x] in it is shown as written."""
    from tui.text import strip_controls

    line = "错误：" + strip_controls(str(message)).replace("\n", " ")
    try:
        from rich.console import Console
        from rich.text import Text

        text = Text("错误：", style="bold red")
        text.append(line[3:])
        Console(stderr=True, highlight=False, soft_wrap=True).print(text)
    except Exception:  # noqa: BLE001 - the error printer must never raise
        try:
            sys.stderr.write(line + "\n")
        except Exception:  # noqa: BLE001
            pass


def _dispatch(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    command = args.command
    if command is None:
        from tui.commands.desk import open_desk

        return open_desk(args.db, args.as_of)
    if command == "init":
        from tui.commands.init_cmd import run_init

        return run_init(args)
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
            raise DubanError("请指定 units 的子命令：import（导入名录）或 list（列出单位）")
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
    if command in ("lists", "ledger", "summary"):
        from tui.commands import reports_cmd

        return getattr(reports_cmd, f"run_{command}")(args)
    if command == "circular":
        from tui.commands.circular_cmd import run_circular

        return run_circular(args)
    if command == "import-store":
        from tui.commands.import_store_cmd import run_import_store

        return run_import_store(args)
    if command == "backup":
        from tui.commands.backup import run_backup

        return run_backup(args)
    if command == "restore":
        from tui.commands.backup import run_restore

        return run_restore(args)
    if command == "check":
        from tui.commands.check import run_check

        return run_check(args)
    if command == "db":
        from tui.commands.db_cmd import run_db

        return run_db(args)
    if command == "audit":
        from tui.commands.check import run_audit

        if getattr(args, "audit_command", None) is None:
            raise DubanError("请指定 audit 的子命令：verify（核对审计链）")
        return run_audit(args)
    raise DubanError(f"未知命令：{command}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
