"""`duban circular draft|list|show|sign|render|print|void`: arguments → services → output.

Signing is an official act: it says the number it will take and signs only with `--yes`
or after the user answers 是 to that exact number at the terminal (if another desk signs
first, the number confirmed is refused rather than silently replaced). Text from the store
reaches Rich only as `rich.text.Text`, never as markup.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
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


def _t(value, style: str = ""):
    from rich.text import Text

    from tui.text import strip_controls

    return Text(strip_controls(str(value)), style=style)


def add_parser(sub, parser_class, add_db) -> None:
    p = sub.add_parser("circular", help="通报：起草、签发（编为本年下一期）、生成、打印、作废")
    add_db(p)
    csub = p.add_subparsers(dest="circular_command", parser_class=parser_class)

    def ref(q: argparse.ArgumentParser) -> None:
        q.add_argument("ref", metavar="通报", help="通报编号，或如“2024年第3期”的期号")

    def templates(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--templates", metavar="目录", help="本单位模板目录（其中的 通报.txt 优先于内置模板）"
        )

    q = csub.add_parser("draft", help="起草通报：按某日的数字统计各单位完成情况（存为草稿）")
    q.add_argument(
        "--as-of",
        dest="as_of",
        metavar="日期",
        default=argparse.SUPPRESS,
        help="数字截至某日（YYYY-MM-DD，默认今天）",
    )
    q.add_argument("--plan", metavar="计划", help="计划编号或标题中的文字（库中有多个计划时必填）")
    add_region(q)
    q.add_argument("--format", choices=["table", "json"], default="table", help="输出格式")
    templates(q)
    add_db(q)

    q = csub.add_parser("list", help="通报登记簿")
    add_region(q)
    q.add_argument("--format", choices=["table", "json"], default="table", help="输出格式")
    add_db(q)

    q = csub.add_parser("show", help="在终端预览通报全文")
    ref(q)
    templates(q)
    add_db(q)

    q = csub.add_parser("sign", help="签发：编为本年下一期（先说明将编的期号，需确认）")
    ref(q)
    q.add_argument("--by", required=True, metavar="签发人", help="签发人姓名")
    q.add_argument("--date", metavar="日期", help="签发日期（默认今天）；期号按此日所在年度编")
    q.add_argument("--yes", action="store_true", help="不再询问，直接签发")
    q.add_argument("--check", action="store_true", help="只说明签发将做什么，不签发")
    templates(q)
    add_db(q)

    q = csub.add_parser("render", help="生成 Word 文件（加 --pdf 同时生成 PDF）")
    ref(q)
    q.add_argument("--out", required=True, metavar="目录", help="输出目录")
    q.add_argument("--pdf", action="store_true", help="同时生成 PDF")
    templates(q)
    add_db(q)

    q = csub.add_parser("print", help="送打印机打印已签发的通报")
    ref(q)
    q.add_argument("--printer", metavar="打印机", help="打印机队列名（默认用设置中的 printer）")
    q.add_argument(
        "--out", metavar="目录", help="尚未生成 PDF 时的输出目录（默认为数据库旁的“通报”文件夹）"
    )
    templates(q)
    add_db(q)

    q = csub.add_parser("void", help="作废通报（保留其期号，不再使用）")
    ref(q)
    q.add_argument("--reason", required=True, metavar="原因", help="作废原因（记入审计记录）")
    add_db(q)


def _settings():
    from tui.config import load_settings

    return load_settings()


def _actor(settings) -> str:
    from tui.store.location import operator_name

    return os.environ.get("DUBAN_USER") or settings.operator or operator_name()


def _templates(args, settings) -> Path | None:
    value = getattr(args, "templates", None) or settings.templates_dir
    if not value:
        return None
    path = Path(value)
    if not path.is_dir():
        raise DubanError(f"模板目录不存在：{path}")
    return path


def run_circular(args) -> int:
    cmd = getattr(args, "circular_command", None)
    if cmd is None:
        raise DubanError("请指定 circular 的子命令：draft、list、show、sign、render、print、void")
    return globals()[f"_run_{cmd}"](args)


def _run_draft(args) -> int:
    from tui.services.circulars import draft_circular

    settings = _settings()
    as_of = parse_date(getattr(args, "as_of", None), "--as-of")
    result = draft_circular(
        engine(args),
        as_of=as_of,
        actor=_actor(settings),
        plan=args.plan,
        region=args.region,
        settings=settings,
        template_dir=_templates(args, settings),
    )
    row, f = result.circular, result.figures
    if args.format == "json":
        print_json({"circular": row.to_dict(), "batch": result.batch})
        return 0
    out = console()
    out.print(
        _t(
            f"草稿 {row.id}：{row.title}（数字截至 {as_of.isoformat()}：{len(f.units)} 个单位，"
            f"{f.items} 项事项，已办结 {f.done} 项，逾期 {f.overdue} 项）"
        )
    )
    out.print("签发前可用 circular show 预览、circular sign --check 核对将编的期号")
    return 0


def _run_list(args) -> int:
    from tui.services.circulars import list_circulars

    rows = list_circulars(engine(args, readonly=True), args.region)
    if args.format == "json":
        print_json([r.to_dict() for r in rows])
        return 0
    if not rows:
        where = f"地区“{args.region}”" if args.region else "登记簿中"
        console().print(_t(f"{where}还没有通报"))
        return 0
    print_rows(
        [
            "编号",
            "期号",
            "状态",
            "截至",
            "签发日期",
            "签发人",
            "单位",
            "事项",
            "已办结",
            "逾期",
            "标题",
        ],
        [
            [
                str(r.id),
                r.number,
                r.status,
                r.as_of.isoformat(),
                r.issued_on.isoformat() if r.issued_on else "",
                _t(r.signed_by),
                str(r.units),
                str(r.items),
                str(r.done),
                str(r.overdue),
                _t(r.title),
            ]
            for r in rows
        ],
    )
    return 0


def _run_show(args) -> int:
    from tui.services.circulars import circular_text

    settings = _settings()
    c, text = circular_text(
        engine(args, readonly=True),
        args.ref,
        settings=settings,
        template_dir=_templates(args, settings),
    )
    out = console()
    out.print(_t(text.issuer_mark, "bold red"))
    out.print(_t(text.number))
    out.print(_t(text.title, "bold"))
    out.print(_t(text.addressee.rstrip("：:") + "："))
    for i, s in enumerate(text.sections):
        out.print(_t(s.heading, "bold"))
        for p in s.paragraphs:
            out.print(_t("　　" + p))
        if i == text.table_after:
            from tui.reports.circular import TABLE_HEADER

            print_rows(list(TABLE_HEADER), [[_t(c) for c in row] for row in text.table_rows])
            out.print(_t(text.table_note))
    out.print(_t(text.signature))
    out.print(_t(text.date_text))
    return 0


def _confirm(question: str) -> bool:
    """Ask at the terminal; anything but 是 / y / yes is a no."""
    if not (_isatty(sys.stdin) and _isatty(sys.stdout)):
        return False
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("是", "y", "yes")


def _run_sign(args) -> int:
    from tui.services.circulars import sign_circular, sign_preview

    settings = _settings()
    on = parse_date(args.date, "--date") if args.date else date.today()
    eng = engine(args)
    preview = sign_preview(eng, args.ref, on, by=args.by, settings=settings)
    out = console()
    out.print(_t(preview.summary() + f"，签发人 {args.by}"))
    if args.check:
        for m in preview.problems:
            out.print(_t(f"  不能签发：{m}", "red"))
        return 0
    if preview.problems:
        raise DubanError(preview.problems[0])
    expect = None
    if not args.yes:
        if not _confirm(f"确认签发为 {preview.number}？签发后不能撤回，只能作废（输入“是”确认）："):
            raise DubanError(
                f"未签发：签发将占用期号 {preview.number}，请在终端输入“是”确认，或加 --yes"
            )
        expect = preview.number
    row = sign_circular(
        eng,
        args.ref,
        args.by,
        on=on,
        actor=_actor(settings),
        expect_number=expect,
        settings=settings,
        template_dir=_templates(args, settings),
    )
    out.print(
        _t(f"已签发：通报 {row.id} {row.number}，签发人 {row.signed_by}，日期 {on.isoformat()}")
    )
    return 0


def _run_render(args) -> int:
    from tui.services.circulars import render_circular

    settings = _settings()
    done = render_circular(
        engine(args),
        args.ref,
        args.out,
        actor=_actor(settings),
        pdf=args.pdf,
        settings=settings,
        template_dir=_templates(args, settings),
    )
    out = console()
    out.print(_t(f"已生成 {done.docx}"))
    if done.pdf:
        out.print(_t(f"已生成 {done.pdf}（{done.pages} 页）"))
    return 0


def _default_out(args) -> Path:
    from tui.services.circulars import default_circulars_dir

    return default_circulars_dir(getattr(args, "db", None))


def _run_print(args) -> int:
    from tui.services.circulars import print_circular

    settings = _settings()
    job = print_circular(
        engine(args),
        args.ref,
        _actor(settings),
        out_dir=args.out or _default_out(args),
        printer=args.printer,
        settings=settings,
        template_dir=_templates(args, settings),
    )
    console().print(_t(f"已送 {job.printer}　{job.path}　{job.job}"))
    return 0


def _run_void(args) -> int:
    from tui.services.circulars import void_circular

    settings = _settings()
    row = void_circular(engine(args), args.ref, args.reason, _actor(settings))
    console().print(_t(f"通报 {row.id} {row.number} 已作废，期号保留不再使用"))
    return 0
