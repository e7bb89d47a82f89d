"""`duban import FILE`: read, parse, resolve units, write in one transaction, report."""

from __future__ import annotations

import sys

from tui.commands.common import (
    _isatty,
    console,
    import_store,
    note_committed,
    print_json,
    scratch_engine,
)
from tui.services.office_vocab import office_vocabulary
from tui.store.importer import ImportReport, role_label

# Past this many tasks the report's table is printed as plain aligned columns: Rich measures
# every cell several times, which costs seconds on a 10,000-task plan.
RICH_TABLE_ROWS = 300
_ROLES = ("lead", "responsible", "supporting")

_STATUS = {
    "new": "新计划已导入",
    "revised": "已导入为新修订版",
    "unchanged": "与已导入的版本相同，未作任何更改",
}


def run_import(args) -> int:
    from tui.gc_pause import gc_paused

    # Reading, parsing and writing a large plan builds a few objects per line and row, none
    # in a cycle worth collecting: with the collector on, a fifth of a 10,000-task import
    # went to its passes (peak memory the same either way). See tui.gc_pause.
    with gc_paused():
        return _run_import(args)


def _run_import(args) -> int:
    from tui.ingest.parser import parse_document
    from tui.ingest.readers import read_document
    from tui.store.importer import check_has_tasks, import_parsed
    from tui.store.location import operator_name

    doc = read_document(args.file)
    parsed = parse_document(doc, office_vocabulary())
    check_has_tasks(parsed, args.file)  # before the store is even opened: nothing written
    # A dry run works on an in-memory copy: it creates and changes nothing on disk.
    eng = scratch_engine(args) if args.dry_run else import_store(args)
    options = dict(
        source=args.file,
        kind=doc.kind,
        encoding=doc.encoding,
        dry_run=args.dry_run,
        region=args.region,
        plan_year=args.plan_year,
        actor=operator_name(),
        new_plan=args.new_plan,
        revision_of=args.revision_of,
    )
    if args.format == "table" and _isatty(sys.stdout):
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
    if not report.dry_run and report.status != "unchanged":
        note_committed(f"计划 {report.plan_id}《{report.plan_title}》（第 {report.revision} 版）")
    if args.format == "json":
        print_json(report.to_dict())
    else:
        print_report(report)
    return 0


def print_report(report: ImportReport) -> None:
    """The import report; every text from the file or the store is data, never markup.

    On a terminal through Rich (colours, a boxed table up to RICH_TABLE_ROWS tasks); piped or
    redirected, plain lines and tab-separated task rows written directly — Rich is not even
    imported (a tenth of a second of a seed's import)."""
    terminal = _isatty(sys.stdout)
    lines = _report_lines(report)
    tasks_at = next(i for i, (_text, style) in enumerate(lines) if style == _TASKS)
    if not terminal:
        from tui.text import strip_controls  # nothing printed can steer the terminal

        out = sys.stdout
        out.write("".join(strip_controls(text) + "\n" for text, _style in lines[:tasks_at]))
        out.flush()
        _print_plain_tasks(report)
        out.write("".join(strip_controls(text) + "\n" for text, _s in lines[tasks_at + 1 :]))
        return
    from rich.text import Text

    con = console()
    for text, style in lines:
        if style != _TASKS:
            con.print(Text(text, style=style or ""))
        elif len(report.tasks) > RICH_TABLE_ROWS:
            _print_plain_tasks(report)
        else:
            con.print(_rich_tasks(report))


# Where the task table goes among the report's lines.
_TASKS = "tasks"


def _report_lines(report: ImportReport) -> list[tuple[str, str | None]]:
    """The report as (plain text, style) lines, the task table as one (_TASKS) placeholder."""
    lines: list[tuple[str, str | None]] = []
    add = lines.append
    head = "（试运行，未写入）" if report.dry_run else ""
    add((f"{report.plan_title}{head}", "bold"))
    period = f"{report.period[0]}–{report.period[1]}年" if report.period else "未识别"
    encoding = "，" + report.encoding if report.encoding else ""
    if report.traditional:
        encoding += "，繁体字，已按简体识别"
    add(
        (
            f"文件：{report.source}（{report.kind}{encoding}）"
            f"  发文：{report.issuer or '—'} {report.issue_date or ''}"
            f"  地区：{report.region or '未识别'}  计划期：{period}",
            None,
        )
    )
    status = _STATUS[report.status]
    if report.status == "revised":
        status += f"（第 {report.revision} 版）"
    if report.plan_id is not None:
        status = f"计划 {report.plan_id}：{status}"
    add((status, "green" if report.status != "unchanged" else "yellow"))
    add(
        (
            f"章节 {report.sections} 个，子节 {report.subsections} 个，"
            f"任务 {len(report.tasks)} 项，落实事项 {report.assignments} 条",
            None,
        )
    )
    if report.status == "revised":
        add(
            (
                f"新增任务 {len(report.added)} 项：{'、'.join(report.added) or '无'}；"
                f"删除 {len(report.removed)} 项：{'、'.join(report.removed) or '无'}；"
                f"修改 {len(report.changed)} 项：{'、'.join(report.changed) or '无'}",
                None,
            )
        )
    if report.repaired:
        add(
            (
                f"按任务在提纲中的位置更正了 {len(report.repaired)} 条落实事项"
                "（旧版本把重复编号任务的单位记在了第一项同号任务上，进展和函件随之移动）：",
                "yellow",
            )
        )
        lines.extend((f"  {line}", None) for line in report.repaired)
    if not report.has_owners:
        add(
            (
                "注意：文件中没有写明牵头单位或责任单位，所有任务均无责任单位，请补充。",
                "yellow",
            )
        )
    add(("", _TASKS))
    if report.unknown_units:
        add(
            (
                f"名录中没有的单位（已新建）{len(report.unknown_units)} 个："
                + "、".join(report.unknown_units),
                "yellow",
            )
        )
    if report.unresolved_groups:
        add(
            (
                f"待分解的单位组 {len(report.unresolved_groups)} 个："
                + "、".join(report.unresolved_groups),
                "yellow",
            )
        )
    if report.unplaced:
        add((f"未能归入任务的文字 {len(report.unplaced)} 处：", "yellow"))
        lines.extend((f"  第 {no} 行：{text[:60]}", None) for no, text in report.unplaced)
    return lines


def _owner_names(t, role: str) -> list[tuple[str, str | None]]:
    """(name as shown, style) of a task's owners in one role."""
    out = []
    for o in t.owners:
        if o.role != role:
            continue
        if o.kind == "unresolved":
            out.append((f"{o.name}（待分解）", "yellow"))
        elif o.kind == "group":
            out.append((f"{o.name}（{o.members}个单位）", None))
        else:
            out.append((o.name, None))
    return out


def _rich_tasks(report: ImportReport):
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False, expand=False)
    table.add_column("编号", no_wrap=True)
    table.add_column("任务")
    for role in _ROLES:
        table.add_column(role_label(role))
    table.add_column("完成时限")
    for t in report.tasks:
        cols = []
        for role in _ROLES:
            cell = Text()
            for i, (name, style) in enumerate(_owner_names(t, role)):
                if i:
                    cell.append("、")
                cell.append(name, style=style or "")
            cols.append(cell)
        table.add_row(Text(t.key), Text(t.title), *cols, Text(t.deadline_text))
    return table


def _plain_owners(t) -> list[str]:
    """A task's owners as three cells (lead, responsible, supporting), in one pass."""
    cells: dict[str, list[str]] = {role: [] for role in _ROLES}
    for o in t.owners:
        names = cells.get(o.role)
        if names is None:
            continue
        if o.kind == "unresolved":
            names.append(f"{o.name}（待分解）")
        elif o.kind == "group":
            names.append(f"{o.name}（{o.members}个单位）")
        else:
            names.append(o.name)
    return ["、".join(cells[role]) for role in _ROLES]


def _print_plain_tasks(report: ImportReport) -> None:
    from tui.commands.textable import print_table

    rows = [[t.key, t.title, *_plain_owners(t), t.deadline_text] for t in report.tasks]
    print_table(
        ["编号", "任务", *(role_label(r) for r in _ROLES), "完成时限"],
        rows,
        max_widths=[24, 40, 30, 30, 30, 20],
    )
