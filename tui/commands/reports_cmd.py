"""`duban lists`, `duban ledger export|import`, `duban summary`: arguments → services → output.

Listings and exports open the store read-only; `lists` (which registers the lists it
issues) and `ledger import` write, each in one transaction. Text from the store or from a
returned file reaches Rich only as `rich.text.Text` or escaped, never as markup.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.commands.common import (
    _isatty,
    add_region,
    console,
    engine,
    parse_date,
    print_json,
    print_rows,
)
from tui.errors import DubanError
from tui.text import strip_controls


def _t(value, style: str = ""):
    """Printable text from the store or a returned file: never markup, never a terminal
    command (escape sequences and bidi overrides are removed)."""
    from rich.text import Text

    return Text(strip_controls(str(value)), style=style)


def add_parsers(sub, parser_class, add_db, formats_help: str) -> None:
    """Register `lists`, `ledger` and `summary` on the main parser's sub-parsers."""

    def as_of(q: argparse.ArgumentParser, what: str) -> None:
        q.add_argument(
            "--as-of",
            dest="as_of",
            metavar="日期",
            default=argparse.SUPPRESS,
            help=f"{what}（YYYY-MM-DD，默认今天；也可写在子命令之前）",
        )

    def templates(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--templates",
            metavar="目录",
            help="本单位模板目录（其中同名的 .txt 文件优先于内置模板）",
        )

    p = sub.add_parser("lists", help="为每个单位生成任务清单（Word、Excel，可加 PDF），并登记印发")
    p.add_argument(
        "--plan", metavar="计划", help="计划编号或标题中的文字（库中只有一个计划时可省略）"
    )
    p.add_argument("--unit", metavar="单位", help="只生成某单位的清单")
    add_region(p)
    p.add_argument(
        "--out",
        metavar="文件夹",
        help="清单文件保存到的文件夹（默认为数据库旁的“清单”文件夹，督办台也保存在这里）",
    )
    p.add_argument("--pdf", action="store_true", help="同时生成可打印的 PDF")
    p.add_argument("--date", metavar="日期", help="印发日期（YYYY-MM-DD，默认今天）")
    p.add_argument(
        "--draft",
        action="store_true",
        help="草稿：只生成文件（标题注明草稿），不登记为已印发",
    )
    templates(p)
    add_db(p)

    p = sub.add_parser("ledger", help="台账：导出 Excel，导入单位填报的台账")
    add_db(p)
    lsub = p.add_subparsers(dest="ledger_command", parser_class=parser_class)
    q = lsub.add_parser("export", help="导出台账（每个计划一个工作表，另有汇总表）")
    q.add_argument("file", metavar="文件", help="保存为的 .xlsx 文件")
    q.add_argument("--plan", metavar="计划", help="只导出某计划（计划编号或标题中的文字）")
    q.add_argument("--unit", metavar="单位", help="只导出某单位的事项（发给该单位填报）")
    add_region(q)
    as_of(q, "状态以某日为准")
    add_db(q)
    q = lsub.add_parser(
        "import", help="导入单位填报的台账（进展情况、是否完成、完成时间），先列出全部变更"
    )
    q.add_argument("file", metavar="文件", help="单位填好后交回的 .xlsx 台账")
    q.add_argument("--dry-run", action="store_true", help="只列出将要发生的变更，不写入数据库")
    as_of(q, "导入日期：新进展记在这一天，完成时间不能晚于它")
    add_db(q)

    p = sub.add_parser("summary", help="年度数字：任务、清单、函件、完成率等，并生成总结段落")
    p.add_argument("--year", required=True, type=int, metavar="年度", help="统计年度，如 2024")
    add_region(p)
    p.add_argument("--format", choices=["table", "json"], default="table", help=formats_help)
    as_of(p, "统计截至日期的上限（当年未过完时默认今天）")
    templates(p)
    add_db(p)


def _settings():
    from tui.config import load_settings

    return load_settings()


def _template_dir(args, settings) -> Path | None:
    value = getattr(args, "templates", None) or settings.templates_dir
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise DubanError(f"模板目录不存在：{path}")
    return path


class _Bar:
    """A Rich progress bar on a terminal; nothing when output is piped."""

    def __init__(self, label: str) -> None:
        self.progress = None
        self.task = None
        self.label = label
        if _isatty(sys.stdout):
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                console=console(),
                transient=True,
            )

    def __enter__(self) -> _Bar:
        if self.progress is not None:
            self.progress.start()
            self.task = self.progress.add_task(self.label, total=None)
        return self

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()

    def __call__(self, done: int, total: int, what: str) -> None:
        if self.progress is None:
            return
        from rich.markup import escape

        label = f"{self.label} {escape(strip_controls(what))}" if what else self.label
        self.progress.update(self.task, completed=done, total=total or None, description=label)


# ----------------------------------------------------------------------------- lists


def run_lists(args) -> int:
    from tui.services.reports import default_lists_dir, write_unit_lists
    from tui.store.db import operator_name

    settings = _settings()
    issued_on = parse_date(args.date, "--date")
    eng = engine(args, readonly=args.draft)
    with _Bar("生成清单") as bar:
        result = write_unit_lists(
            eng,
            out_dir=args.out or default_lists_dir(getattr(args, "db", None)),
            plan=args.plan,
            unit=args.unit,
            region=args.region,
            pdf=args.pdf,
            issued_on=issued_on,
            actor=operator_name(),
            office=settings.office,
            draft=args.draft,
            template_dir=_template_dir(args, settings),
            progress=bar,
        )
    if result.registered:
        from tui.commands.common import note_committed

        note_committed(f"{len(result.lists)} 份清单的印发登记")
    rows = [
        (
            _t(w.unit_name),
            str(w.items),
            _t("、".join(f["name"] for f in w.files)),
        )
        for w in result.lists
    ]
    print_rows(("单位", "事项", "文件"), rows)
    out = console()
    verb = "生成草稿" if args.draft else "印发并登记"
    out.print(
        _t(
            f"已为《{result.plan_title}》{verb} {len(result.lists)} 份清单"
            f"（{result.files} 个文件，保存在 {result.out_dir}），印发日期 {issued_on.isoformat()}"
        )
    )
    if result.unresolved:
        out.print(
            _t(
                f"注意：还有 {result.unresolved} 个落实事项仍是待分解的单位组，未列入任何清单；"
                "请先在督办台分解到具体单位"
            )
        )
    return 0


# ----------------------------------------------------------------------------- ledger


def run_ledger(args) -> int:
    if args.ledger_command is None:
        raise DubanError("请指定 ledger 的子命令：export（导出台账）或 import（导入填报的台账）")
    if args.ledger_command == "export":
        return _export(args)
    return _import(args)


def _export(args) -> int:
    from tui.services.reports import export_ledger

    as_of = parse_date(getattr(args, "as_of", None), "--as-of")
    settings = _settings()
    with _Bar("导出台账") as bar:
        result = export_ledger(
            engine(args, readonly=True),
            args.file,
            as_of=as_of,
            plan=args.plan,
            unit=args.unit,
            region=args.region,
            soon_days=settings.soon_days,
            progress=bar,
        )
    print_rows(
        ("计划编号", "计划", "事项"),
        [(str(pid), _t(title), str(n)) for pid, title, n in result.sheets],
    )
    lights = "，".join(f"{k} {v}" for k, v in sorted(result.statuses.items()))
    console().print(
        _t(
            f"已导出台账：{result.path}（截至 {as_of.isoformat()}，{result.rows} 条落实事项，"
            f"{len(result.sheets)} 个计划工作表；{lights}）"
        )
    )
    return 0


def _import(args) -> int:
    from tui.services.reports import apply_ledger_import, preview_ledger_import
    from tui.store.db import operator_name

    as_of = parse_date(getattr(args, "as_of", None), "--as-of")
    eng = engine(args, readonly=args.dry_run)
    plan = preview_ledger_import(eng, args.file, as_of=as_of)
    _print_plan(plan)
    out = console()
    if args.dry_run:
        out.print(_t("（试运行：未写入数据库）"))
        return 0
    if not plan.changes:
        out.print(_t("没有需要写入的变更，数据库未改动"))
        return 0
    done = apply_ledger_import(
        eng, args.file, as_of=as_of, actor=operator_name(), expect=plan.fingerprint()
    )
    from tui.commands.common import note_committed

    note_committed(f"台账 {done.file} 中的 {len(done.changes)} 项变更")
    progress = sum(1 for c in done.changes if c.kind == "progress")
    closed = sum(1 for c in done.changes if c.kind == "close")
    out.print(
        _t(
            f"已导入：{len(done.assignments)} 个落实事项，新增进展 {progress} 条，销号 {closed} 条"
            "（已记入审计记录）"
        )
    )
    return 0


def _print_plan(plan) -> None:
    out = console()
    if plan.changes:
        print_rows(
            ("位置", "事项", "单位", "任务编号", "变更"),
            [
                (
                    c.where,
                    str(c.assignment_id),
                    _t(c.unit),
                    _t(c.task_key),
                    _t(
                        f"新增进展：{c.text}"
                        if c.kind == "progress"
                        else f"销号：{c.on.isoformat()}" + (f"（{c.note}）" if c.note else "")
                    ),
                )
                for c in plan.changes
            ],
        )
    for p in plan.problems:
        out.print(_t("未导入：", "bold red").append_text(_t(p.describe())))
    for n in plan.notices:
        out.print(_t("提示：", "yellow").append_text(_t(n)))
    out.print(
        _t(
            f"台账 {plan.file}：读取 {plan.rows} 行，变更 {len(plan.changes)} 项"
            f"（涉及 {len(plan.assignments)} 个落实事项），无变化 {plan.unchanged} 行，"
            f"未导入 {len(plan.problems)} 行"
        )
    )


# ----------------------------------------------------------------------------- summary


def run_summary(args) -> int:
    from tui.services.reports import year_summary

    settings = _settings()
    today = parse_date(getattr(args, "as_of", None), "--as-of")
    figures = year_summary(
        engine(args, readonly=True),
        args.year,
        today=today,
        soon_days=settings.soon_days,
        template_dir=_template_dir(args, settings),
        region=args.region,
    )
    if args.format == "json":
        print_json(figures.as_dict())
        return 0
    from tui.reports.summary import table_rows

    rows = table_rows(figures)
    print_rows(("指标", f"{args.year}年"), [(k, _t(val)) for k, val in rows])
    out = console()
    out.print(_t("总结段落（可直接粘贴）：", "bold"))
    out.print(_t(figures.paragraph or "（所选年度没有可写入段落的数字）"))
    return 0
