"""`duban import FILE`: read, parse, resolve units, write in one transaction, report."""

from __future__ import annotations

from tui.commands.common import console, engine, print_json, print_rows, scratch_engine
from tui.store.importer import ImportReport, role_label

ROLE_ORDER = ("lead", "responsible", "supporting")

_STATUS = {
    "new": "新计划已导入",
    "revised": "已导入为新修订版",
    "unchanged": "与已导入的版本相同，未作任何更改",
}


def run_import(args) -> int:
    from tui.ingest.parser import parse_document
    from tui.ingest.readers import read_document
    from tui.store.db import operator_name
    from tui.store.importer import check_has_tasks, import_parsed

    doc = read_document(args.file)
    parsed = parse_document(doc)
    check_has_tasks(parsed, args.file)  # before the store is even opened: nothing written
    # A dry run works on an in-memory copy: it creates and changes nothing on disk.
    eng = scratch_engine(args) if args.dry_run else engine(args, create=True)
    options = dict(
        source=args.file,
        kind=doc.kind,
        encoding=doc.encoding,
        dry_run=args.dry_run,
        region=args.region,
        plan_year=args.plan_year,
        actor=operator_name(),
    )
    if args.format == "table" and console().is_terminal:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            job = bar.add_task("导入中…", total=max(1, len(parsed.tasks)))
            phase = {"tasks": "写入任务", "assignments": "分配单位", "done": "完成"}

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(
                    job, completed=done, total=max(1, total), description=phase.get(stage, stage)
                )

            report = import_parsed(eng, parsed, progress=progress, **options)
    else:
        report = import_parsed(eng, parsed, **options)
    if args.format == "json":
        print_json(report.to_dict())
    else:
        print_report(report)
    return 0


def print_report(report: ImportReport) -> None:
    from rich.text import Text

    out = console()
    head = "（试运行，未写入）" if report.dry_run else ""
    out.print(f"[bold]{report.plan_title}[/]{head}")
    period = f"{report.period[0]}–{report.period[1]}年" if report.period else "未识别"
    out.print(
        f"文件：{report.source}（{report.kind}{'，' + report.encoding if report.encoding else ''}）"
        f"  发文：{report.issuer or '—'} {report.issue_date or ''}  地区：{report.region or '未识别'}"
        f"  计划期：{period}"
    )
    status = _STATUS[report.status]
    if report.status == "revised":
        status += f"（第 {report.revision} 版）"
    out.print(f"[green]{status}[/]" if report.status != "unchanged" else f"[yellow]{status}[/]")
    out.print(
        f"章节 {report.sections} 个，子节 {report.subsections} 个，任务 {len(report.tasks)} 项，"
        f"落实事项 {report.assignments} 条"
    )
    if report.status == "revised":
        out.print(
            f"新增任务 {len(report.added)} 项：{'、'.join(report.added) or '无'}；"
            f"删除 {len(report.removed)} 项：{'、'.join(report.removed) or '无'}；"
            f"修改 {len(report.changed)} 项：{'、'.join(report.changed) or '无'}"
        )
    if not report.has_owners:
        out.print(
            "[yellow]注意：文件中没有写明牵头单位或责任单位，所有任务均无责任单位，请补充。[/]"
        )
    headers = ["编号", "任务", *(role_label(r) for r in ROLE_ORDER), "完成时限"]
    rows = []
    for t in report.tasks:
        cols = []
        for role in ROLE_ORDER:
            names = Text()
            for o in t.owners:
                if o.role != role:
                    continue
                if names:
                    names.append("、")
                if o.kind == "unresolved":
                    names.append(f"{o.name}（待分解）", style="yellow")
                elif o.kind == "group":
                    names.append(f"{o.name}（{o.members}个单位）")
                else:
                    names.append(o.name)
            cols.append(names)
        rows.append((t.number, t.title, *cols, t.deadline_text))
    print_rows(headers, rows)
    if report.unknown_units:
        out.print(
            f"[yellow]名录中没有的单位（已新建）{len(report.unknown_units)} 个：[/]"
            + "、".join(report.unknown_units)
        )
    if report.unresolved_groups:
        out.print(
            f"[yellow]待分解的单位组 {len(report.unresolved_groups)} 个：[/]"
            + "、".join(report.unresolved_groups)
        )
    if report.unplaced:
        out.print(f"[yellow]未能归入任务的文字 {len(report.unplaced)} 处：[/]")
        for no, text in report.unplaced:
            out.print(f"  第 {no} 行：{text[:60]}")
