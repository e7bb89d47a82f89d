"""`duban import-store OTHER.db`: merge a county's store into this one (a city's)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from tui.commands.common import console, engine, note_committed, print_json

if TYPE_CHECKING:  # the parser is built for every command: no SQLAlchemy at import
    from tui.store.merge import MergeReport


def add_parser(sub, add_db) -> None:
    p = sub.add_parser(
        "import-store",
        help="把一个县（旗、区）的督办台数据库合并进当前数据库（市级汇总）；可重复运行",
    )
    p.add_argument("file", metavar="数据库文件", help="要合并的县级数据库（.db 文件）")
    p.add_argument("--origin", metavar="地区", help="来源地区名（默认取该库计划所属的地区）")
    p.add_argument("--dry-run", action="store_true", help="只报告将合并什么，不写入数据库")
    p.add_argument("--format", choices=["table", "json"], default="table", help="输出格式")
    add_db(p)


def run_import_store(args) -> int:
    from tui.services.merge import import_store
    from tui.store.db import operator_name

    eng = engine(args)
    options = dict(origin=args.origin, actor=operator_name(), dry_run=args.dry_run)
    path = Path(args.file)
    if args.format == "table" and console().is_terminal:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            job = bar.add_task("合并中…", total=1)

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(job, completed=done, total=max(1, total), description=stage)

            report = import_store(eng, path, progress=progress, **options)
    else:
        report = import_store(eng, path, **options)
    if not args.dry_run and report.changed:
        note_committed(f"合并“{report.origin}”的数据库")
    if args.format == "json":
        print_json(_as_dict(report, args.dry_run))
    else:
        _print(report, args.dry_run)
    return 0


def _as_dict(report: MergeReport, dry_run: bool) -> dict:
    return {
        "origin": report.origin,
        "dry_run": dry_run,
        "changed": report.changed,
        "added": report.added,
        "matched": report.matched,
        "updated": report.updated,
        "plans_not_merged": report.plans_not_merged,
        "drafts_left": report.drafts_left,
    }


def _print(report: MergeReport, dry_run: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from tui.store.merge import LABELS

    out = console()
    who = f"“{report.origin}”"
    if not report.changed:
        out.print(Text(f"{who}的数据库已合并过，没有新内容，未作任何更改。"))
    else:
        head = "将合并（试运行，未写入）" if dry_run else "已合并"
        out.print(Text(f"{head}{who}的数据库："))
        table = Table("内容", "新增", "已有（对应上）", "县里有变化（已更新）")
        for name, label in LABELS.items():
            added, matched = report.added.get(name, 0), report.matched.get(name, 0)
            updated = report.updated.get(name, 0)
            if added or matched or updated:
                table.add_row(Text(label), str(added), str(matched), str(updated))
        out.print(table)
    for title in report.plans_not_merged:
        out.print(
            Text(
                f"未合并：{title} 与本库中同一计划的版本不同。请核对后在本库用 duban import "
                "导入新版本，再重新合并。"
            )
        )
    if report.drafts_left:
        out.print(Text(f"县里的草稿 {report.drafts_left} 份未合并（草稿只在起草的库中签发）。"))
