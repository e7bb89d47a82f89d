"""`duban letters …`: the ladder's proposals, drafts, sign-off, rendering, printing, replies.

Every sub-command is one transaction (sign and print: see tui.store.letters); errors are
one line of Chinese with exit code 2 and nothing written.
"""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path

from tui.commands.common import console, engine, parse_date, print_json
from tui.errors import DubanError


def escape(text: str) -> str:
    """rich.markup.escape, imported when a letters command prints (the parser is built for
    every command: `duban overdue` should not load Rich for it)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


KIND_CHOICES = ("提示", "提醒", "督办")


def add_parser(sub, parser_class, add_db) -> None:
    """Register `letters` and its sub-commands on the main parser's sub-parsers."""
    p = sub.add_parser("letters", help="函件：发函建议、起草、签发、生成、打印、回复、作废")
    add_db(p)
    lsub = p.add_subparsers(dest="letters_command", parser_class=parser_class)

    def as_of(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--as-of",
            dest="as_of",
            metavar="日期",
            default=argparse.SUPPRESS,
            help="以某日为准（YYYY-MM-DD，默认今天；也可写在子命令之前）",
        )

    def fmt(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--format",
            choices=["table", "json"],
            default="table",
            help="输出格式：table 表格（默认），json 供程序读取",
        )

    def templates(q: argparse.ArgumentParser) -> None:
        q.add_argument(
            "--templates", metavar="目录", help="本单位函件模板目录（同名文件优先于内置模板）"
        )

    def letter_id(q: argparse.ArgumentParser) -> None:
        q.add_argument("id", metavar="函件", help="函件编号，或完整的发文字号")

    def letter_ids(q: argparse.ArgumentParser, nargs: str) -> None:
        q.add_argument("ids", nargs=nargs, metavar="函件", help="函件编号或发文字号，可写多个")

    def assignment(q: argparse.ArgumentParser) -> None:
        q.add_argument("assignment", type=int, metavar="事项", help="落实事项编号")

    def reason(q: argparse.ArgumentParser, what: str) -> None:
        q.add_argument("--reason", required=True, metavar="原因", help=f"{what}（记入审计记录）")

    q = lsub.add_parser("due", help="按督办阶梯列出应发函的事项（按单位分组）")
    as_of(q)
    q.add_argument("--unit", metavar="单位", help="只看某单位")
    fmt(q)
    add_db(q)

    q = lsub.add_parser("draft", help="起草函件：每个单位一封，列出该单位本级的全部事项")
    q.add_argument("--kind", required=True, choices=KIND_CHOICES, help="函件种类")
    q.add_argument("--unit", metavar="单位", help="只为某单位起草")
    as_of(q)
    fmt(q)
    templates(q)
    add_db(q)

    q = lsub.add_parser("edit", help="修改草稿的文字或事项")
    letter_id(q)
    q.add_argument("--title", metavar="标题", help="新标题（可用 {单位} 等占位符）")
    q.add_argument("--addressee", metavar="主送", help="新的主送")
    q.add_argument(
        "--body", action="append", metavar="段落", help="正文段落（可重复，按顺序替换全部正文）"
    )
    q.add_argument("--closing", metavar="结束语", help="结束语（如 特此函告。）")
    q.add_argument(
        "--remove", type=int, nargs="+", default=[], metavar="事项", help="移除的落实事项编号"
    )
    q.add_argument(
        "--add", type=int, nargs="+", default=[], metavar="事项", help="加入的落实事项编号"
    )
    templates(q)
    add_db(q)

    q = lsub.add_parser(
        "sign",
        help="签发：编发文字号、定发函日期和回复期限（先列出将编的号、日期和起草后有变化的事项）",
    )
    letter_ids(q, "*")
    q.add_argument("--batch", metavar="批次", help="签发整个起草批次（letters draft 显示的批次号）")
    q.add_argument("--by", required=True, metavar="签发人", help="签发人姓名")
    q.add_argument(
        "--date", metavar="日期", help="发函日期（默认今天）；函件日期和逾期天数按此日计算"
    )
    q.add_argument("--check", action="store_true", help="只列出签发将做什么，不签发")
    q.add_argument("--yes", action="store_true", help="起草后有事项报来进展或调整期限时，仍然签发")
    templates(q)
    add_db(q)

    q = lsub.add_parser("render", help="生成 Word 和 PDF 文件")
    letter_ids(q, "*")
    q.add_argument("--batch", metavar="批次", help="生成整个起草批次")
    q.add_argument("--out", required=True, metavar="目录", help="输出目录")
    q.add_argument(
        "--workers", type=int, metavar="进程数", help="并行进程数（默认按处理器核数，最多 4）"
    )
    templates(q)
    add_db(q)

    q = lsub.add_parser("print", help="送打印机打印（按给出的顺序）")
    letter_ids(q, "*")
    q.add_argument("--batch", metavar="批次", help="打印整个起草批次（按发文字号顺序）")
    q.add_argument("--printer", metavar="打印机", help="打印机队列名（默认用设置中的 printer）")
    q.add_argument(
        "--out", metavar="目录", help="尚未生成 PDF 时的输出目录（默认数据库旁的 letters 文件夹）"
    )
    templates(q)
    add_db(q)

    q = lsub.add_parser("reply", help="登记单位的书面回复")
    letter_id(q)
    q.add_argument("--date", required=True, metavar="日期", help="回复日期")
    q.add_argument("--text", required=True, metavar="内容", help="回复内容摘要")
    q.add_argument(
        "--settle", metavar="处理", help="done = 所列事项验收销号；日期 = 同意延期至该日"
    )
    q.add_argument("--items", type=int, nargs="+", metavar="事项", help="只处理其中这些落实事项")
    add_db(q)

    q = lsub.add_parser("void", help="作废函件（保留其发文字号）")
    letter_id(q)
    reason(q, "作废原因")
    add_db(q)

    q = lsub.add_parser("list", help="发文登记簿")
    q.add_argument("--status", metavar="状态", help="草稿/已签发/已打印/已回复/逾期未复/作废")
    q.add_argument("--kind", choices=KIND_CHOICES, help="函件种类")
    q.add_argument("--unit", metavar="单位", help="只看某单位")
    q.add_argument("--batch", metavar="批次", help="只看某起草批次")
    as_of(q)
    fmt(q)
    add_db(q)

    q = lsub.add_parser("show", help="在终端预览函件全文")
    letter_id(q)
    q.add_argument("--date", metavar="日期", help="草稿按此日签发时的样子预览（默认起草日期）")
    templates(q)
    add_db(q)

    q = lsub.add_parser("push", help="人工提级：把事项直接提到更高一级函件")
    assignment(q)
    q.add_argument("--rung", required=True, choices=KIND_CHOICES, help="提到哪一级函件")
    reason(q, "提级原因")
    add_db(q)

    q = lsub.add_parser("hold", help="暂缓：本事项暂不发函")
    assignment(q)
    reason(q, "暂缓原因")
    add_db(q)

    q = lsub.add_parser("release", help="取消人工提级或暂缓")
    assignment(q)
    reason(q, "取消原因")
    add_db(q)


# ----------------------------------------------------------------------------- helpers


def _out():
    """Output lines as they are: a long line stays one line for scripts and pipes."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def _ctx():
    from tui.config import load_settings
    from tui.domain.calendar import WorkCalendar

    settings = load_settings()
    return settings, WorkCalendar.from_dir(settings.holidays_dir or None)


def _actor(settings) -> str:
    from tui.store.location import operator_name

    return os.environ.get("DUBAN_USER") or settings.operator or operator_name()


def _templates(args) -> Path | None:
    value = getattr(args, "templates", None)
    if not value:
        from tui.config import load_settings

        value = load_settings().templates_dir
    if not value:
        return None
    path = Path(value)
    if not path.is_dir():
        raise DubanError(f"模板目录不存在：{path}")
    return path


def _as_of(args) -> date:
    return parse_date(getattr(args, "as_of", None), "--as-of")


def _ids(session, refs) -> list[int]:
    """Letter ids from ids or 发文字号 as printed."""
    from sqlmodel import select

    from tui.store.letter_models import Letter

    out: list[int] = []
    for ref in refs:
        ref = str(ref).strip()
        if ref.isdigit():
            out.append(int(ref))
            continue
        # this office's own register first: a county's merged letters may share a number
        hit = session.exec(
            select(Letter.id).where(Letter.number == ref).order_by(Letter.origin, Letter.id)
        ).first()
        if hit is None:
            raise DubanError(f"找不到函件：{ref}（请用函件编号或完整的发文字号）")
        out.append(int(hit))
    return out


def _warn(calendar) -> None:
    if calendar.warnings:
        err = console(stderr=True)
        for w in calendar.warnings:
            err.print(f"[yellow]提示：[/]{escape(w)}")


def _notes(notes) -> None:
    if notes:
        err = console(stderr=True)
        for n in notes:
            err.print(f"[yellow]提示：[/]{escape(n)}")


def _default_out(args) -> Path:
    from tui.store.letters import default_letters_dir

    return default_letters_dir(getattr(args, "db", None))


# ----------------------------------------------------------------------------- commands


def run_letters(args) -> int:
    """Dispatch `duban letters SUB`."""
    cmd = getattr(args, "letters_command", None)
    if cmd is None:
        raise DubanError(
            "请指定 letters 的子命令：due、draft、edit、sign、render、print、reply、void、"
            "list、show、push、hold、release"
        )
    return globals()[f"_run_{cmd}"](args)


def _run_due(args) -> int:
    from sqlmodel import Session

    from tui.store.letters import due_proposals

    settings, cal = _ctx()
    as_of = _as_of(args)
    with Session(engine(args, readonly=True)) as session:
        report = due_proposals(session, as_of, settings=settings, calendar=cal, unit=args.unit)
    if args.format == "json":
        print_json(
            {
                "as_of": as_of,
                "groups": [
                    {
                        "unit_id": g.unit_id,
                        "unit": g.unit_name,
                        "kind": g.kind,
                        "items": [
                            {
                                "assignment_id": p.assignment_id,
                                "task_number": p.task_number,
                                "task_title": p.task_title,
                                "role": p.role,
                                "status": p.status,
                                "due": p.due,
                                "days": p.days,
                                "reason": p.reason,
                                "draft_id": p.draft_id,
                            }
                            for p in g.items
                        ],
                    }
                    for g in report.groups
                ],
                "skipped": report.skipped,
                "warnings": report.warnings,
            }
        )
        return 0
    out = console()
    if not report.groups:
        out.print(f"截至 {as_of.isoformat()}，没有需要发函的事项")
    for g in report.groups:
        out.print(f"[bold]{escape(g.unit_name)}[/]　{g.kind}函　{len(g.items)} 项")
        for p in g.items:
            extra = f"　（已在草稿 {p.draft_id} 中）" if p.draft_id else ""
            out.print(
                escape(
                    f"  事项 {p.assignment_id}　{p.task_number} {p.task_title[:24]}　{p.reason}{extra}"
                )
            )
    n = sum(len(g.items) for g in report.groups)
    out.print(f"截至 {as_of.isoformat()}，应发函 {len(report.groups)} 封，涉及事项 {n} 项")
    _notes(report.notes)
    return 0


def _run_draft(args) -> int:
    from tui.store.db import transaction
    from tui.store.letters import draft_letters

    settings, cal = _ctx()
    as_of = _as_of(args)
    actor = _actor(settings)
    with transaction(engine(args)) as session:
        result = draft_letters(
            session,
            args.kind,
            as_of,
            args.unit,
            actor,
            settings=settings,
            calendar=cal,
            template_dir=_templates(args),
        )
        batch = session.info.get("batch", "")
        from sqlmodel import select

        from tui.store.models import Unit

        names = {
            u.id: u.name
            for u in session.exec(
                select(Unit).where(Unit.id.in_(list({x.unit_id for x in result})))
            ).all()
        }
        rows = [
            {
                "id": letter.id,
                "kind": letter.kind,
                "unit": names.get(letter.unit_id, ""),
                "items": result.item_counts.get(letter.id, 0),
            }
            for letter in result
        ]
    if args.format == "json":
        print_json(
            {
                "batch": batch if rows else None,
                "as_of": as_of,
                "ids": [r["id"] for r in rows],
                "letters": rows,
                "notes": result.notes,
            }
        )
        return 0
    out = _out()
    for r in rows:
        out.print(f"草稿 {r['id']}　{r['kind']}函　{escape(r['unit'])}　{r['items']} 项")
    if rows:
        out.print(
            f"已起草 {len(rows)} 封{args.kind}函（截至 {as_of.isoformat()}，批次 {batch[:8]}），"
            "签发前可用 letters show 预览、letters sign --check 核对"
        )
    else:
        out.print(f"截至 {as_of.isoformat()}，没有需要起草{args.kind}函的事项")
    _notes(result.notes)
    return 0


def _run_edit(args) -> int:
    from tui.store.db import transaction
    from tui.store.letters import edit_draft

    settings, _ = _ctx()
    with transaction(engine(args)) as session:
        (lid,) = _ids(session, [args.id])
        letter = edit_draft(
            session,
            lid,
            _actor(settings),
            title=args.title,
            addressee=args.addressee,
            body_paragraphs=args.body,
            closing=args.closing,
            remove=args.remove,
            add=args.add,
            template_dir=_templates(args),
            settings=settings,
        )
    console().print(f"已修改草稿 {letter.id}：{escape(letter.title)}")
    return 0


def _letter_ids(session, args) -> list[int]:
    """Ids from the command line, then (with --batch) the batch's letters."""
    from tui.store.letters import batch_ids

    ids = _ids(session, args.ids)
    if getattr(args, "batch", None):
        ids += [i for i in batch_ids(session, args.batch) if i not in ids]
    return ids


def _run_sign(args) -> int:
    from sqlmodel import Session, select

    from tui.store.letter_models import DRAFT, Letter
    from tui.store.letters import sign_check, sign_letters

    settings, cal = _ctx()
    on = parse_date(args.date, "--date") if args.date else date.today()
    eng = engine(args)
    with Session(eng) as session:
        ids = _letter_ids(session, args)
        if args.batch:  # a batch: its drafts (signed or voided ones are left as they are)
            drafts = set(
                session.exec(select(Letter.id).where(Letter.id.in_(ids), Letter.status == DRAFT))
            )
            ids = [i for i in ids if i in drafts]
        if not ids:
            raise DubanError("请指定要签发的函件编号，或用 --batch 指定起草批次")
        previews = sign_check(session, ids, on, settings=settings, calendar=cal, by=args.by)
    out = _out()
    flagged = [p for p in previews if p.flags]
    problems = [m for p in previews for m in p.problems]
    lines = []  # one print for the whole batch: Rich's per-call cost adds up over 300 letters
    for p in previews:
        lines.append(escape(p.summary()))
        for f in p.flags:
            lines.append(f"  [yellow]起草后有变化：[/]{escape(f.describe())}")
    if lines:
        out.print("\n".join(lines))
    if args.check:
        for m in dict.fromkeys(problems):
            out.print(f"  [red]不能签发：[/]{escape(m)}")
        return 0
    if problems:
        raise DubanError(
            problems[0]
            + (f"（另有 {len(problems) - 1} 个问题，用 --check 查看）" if len(problems) > 1 else "")
        )
    if flagged and not args.yes:
        n = sum(len(p.flags) for p in flagged)
        raise DubanError(
            f"{len(flagged)} 件函件中有 {n} 项事项在起草后报来进展或调整了期限（见上），"
            "未签发：请核对后重新起草或修改草稿，确认仍按原稿签发请加 --yes"
        )
    signed = sign_letters(
        eng,
        ids,
        args.by,
        on=on,
        actor=_actor(settings),
        settings=settings,
        calendar=cal,
        template_dir=_templates(args),
    )
    done = [
        f"{letter.id}　{letter.number}　签发人 {escape(letter.signed_by or '')}　"
        f"发函 {letter.issued_on.isoformat()}　回复期限 {letter.reply_due.isoformat()}"
        for letter in signed
    ]
    out.print("\n".join([*done, f"已签发 {len(signed)} 件"]))
    _warn(cal)
    return 0


def _run_render(args) -> int:
    import sys

    from sqlmodel import Session

    from tui.store.letters import render_letters

    settings, cal = _ctx()
    eng = engine(args)
    with Session(eng) as session:
        ids = _letter_ids(session, args)
    if not ids:
        raise DubanError("请指定要生成的函件编号，或用 --batch 指定起草批次")
    kwargs = dict(
        actor=_actor(settings),
        settings=settings,
        calendar=cal,
        template_dir=_templates(args),
        workers=args.workers,
    )
    if sys.stderr.isatty() and len(ids) > 1:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console(stderr=True),
            transient=True,
        ) as bar:
            task = bar.add_task("生成函件", total=len(ids))
            done = render_letters(
                eng,
                ids,
                args.out,
                progress=lambda n, total: bar.update(task, completed=n),
                **kwargs,
            )
    else:
        done = render_letters(eng, ids, args.out, **kwargs)
    out = _out()
    if len(done) <= 20:
        for r in done:
            out.print(f"{r.letter_id}　{r.number or '草稿'}　{r.pdf}（{r.pages} 页）　{r.docx}")
    pages = sum(r.pages for r in done)
    out.print(f"已生成 {len(done)} 件函件（PDF 共 {pages} 页，另有 Word 文件）：{args.out}")
    out.print(escape(done.log))
    return 0


def _run_print(args) -> int:
    from sqlmodel import Session

    from tui.store.letters import print_letters

    settings, cal = _ctx()
    eng = engine(args)
    with Session(eng) as session:
        ids = _letter_ids(session, args)
    if not ids:
        raise DubanError("请指定要打印的函件编号，或用 --batch 指定起草批次")
    if args.batch:
        from tui.store.letter_models import DRAFT, VOID, Letter

        with Session(eng) as session:
            ids = [i for i in ids if session.get(Letter, i).status not in (DRAFT, VOID)]
        if not ids:
            raise DubanError(f"批次 {args.batch} 中没有已签发的函件可打印")
    jobs = print_letters(
        eng,
        ids,
        _actor(settings),
        out_dir=args.out or _default_out(args),
        settings=settings,
        calendar=cal,
        template_dir=_templates(args),
        printer=args.printer,
    )
    out = console()
    for lid, job in zip(ids, jobs, strict=True):
        out.print(f"{lid}　已送 {job.printer}　{job.path}　{job.job}")
    return 0


def _run_reply(args) -> int:
    from tui.store.db import transaction
    from tui.store.letters import record_reply

    settings, _ = _ctx()
    on = parse_date(args.date, "--date")
    settle: str | date | None = None
    if args.settle:
        settle = "done" if args.settle == "done" else parse_date(args.settle, "--settle")
    with transaction(engine(args)) as session:
        (lid,) = _ids(session, [args.id])
        record_reply(session, lid, on, args.text, _actor(settings), settle=settle, items=args.items)
    what = (
        {None: "", "done": "，所列事项已验收销号"}.get(settle)
        if not isinstance(settle, date)
        else (f"，所列事项期限延至 {settle.isoformat()}")
    )
    console().print(f"已登记函件 {lid} 的回复（{on.isoformat()}）{what}")
    return 0


def _run_void(args) -> int:
    from tui.store.db import transaction
    from tui.store.letters import void_letter

    settings, _ = _ctx()
    with transaction(engine(args)) as session:
        (lid,) = _ids(session, [args.id])
        letter = void_letter(session, lid, args.reason, _actor(settings))
    console().print(f"函件 {lid} {letter.number or '（草稿）'} 已作废，发文字号保留")
    return 0


def _run_list(args) -> int:
    from sqlmodel import Session

    from tui.store.letters import letter_statuses, list_letters

    if args.status and args.status not in letter_statuses():
        raise DubanError(f"未知的函件状态：{args.status}（可选：{'、'.join(letter_statuses())}）")
    today = _as_of(args)
    with Session(engine(args, readonly=True)) as session:
        rows = list_letters(
            session,
            status=args.status,
            kind=args.kind,
            unit=args.unit,
            batch=args.batch,
            today=today,
        )
    if args.format == "json":
        print_json([r.to_dict() for r in rows])
        return 0
    import sys

    from tui.commands.textable import print_table

    table = [
        [
            str(r.id),
            r.number or "（草稿）",
            r.kind,
            r.unit,
            r.status,
            str(r.items),
            r.issued_on.isoformat() if r.issued_on else "",
            r.reply_due.isoformat() if r.reply_due else "",
            r.signed_by or "",
            "、".join(Path(f["path"]).suffix.lstrip(".") for f in r.files),
        ]
        for r in rows
    ]
    headers = [
        "编号",
        "发文字号",
        "种类",
        "单位",
        "状态",
        "事项",
        "发函日期",
        "回复期限",
        "签发人",
        "文件",
    ]
    print_table(headers, table, max_widths=[6, 24, 4, 16, 8, 4, 10, 10, 8, 10])
    sys.stdout.write(f"共 {len(rows)} 封\n")
    broken = [r.number or str(r.id) for r in rows if r.seal_broken]
    if broken:
        from rich.text import Text

        from tui.store.letter_seal import broken_seal_message

        console().print(Text("警告：" + broken_seal_message(broken), style="bold red"))
    return 0


def _run_show(args) -> int:
    from sqlmodel import Session

    from tui.letters.compose import preview_text
    from tui.letters.templates import template_warnings
    from tui.store.letters import effective_status, letter_model

    settings, cal = _ctx()
    on = parse_date(args.date, "--date") if args.date else None
    with Session(engine(args, readonly=True)) as session:
        (lid,) = _ids(session, [args.id])
        letter, model = letter_model(
            session, lid, settings=settings, calendar=cal, template_dir=_templates(args), on=on
        )
        status = effective_status(letter)
    import sys

    sys.stdout.write(f"函件 {lid}　状态：{status}\n")
    sys.stdout.write(preview_text(model))
    if not letter.number:
        _notes(template_warnings(letter.kind, _templates(args)))
    return 0


def _override(args, action: str) -> int:
    from tui.store import letters
    from tui.store.db import transaction

    settings, _ = _ctx()
    actor = _actor(settings)
    with transaction(engine(args)) as session:
        if action == "push":
            letters.push_item(session, args.assignment, args.rung, args.reason, actor)
            msg = f"事项 {args.assignment} 已人工提级为{args.rung}函"
        elif action == "hold":
            letters.hold_item(session, args.assignment, args.reason, actor)
            msg = f"事项 {args.assignment} 已暂缓发函"
        else:
            letters.release_item(session, args.assignment, args.reason, actor)
            msg = f"事项 {args.assignment} 已恢复按阶梯自动判断"
    console().print(msg)
    return 0


def _run_push(args) -> int:
    return _override(args, "push")


def _run_hold(args) -> int:
    return _override(args, "hold")


def _run_release(args) -> int:
    return _override(args, "release")
