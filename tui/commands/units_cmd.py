"""`duban units import FILE` / `duban units list`."""

from __future__ import annotations

from tui.commands.common import console, engine, print_json


def run_units(args) -> int:
    from sqlmodel import Session

    from tui.store.db import operator_name
    from tui.store.units import list_units, sync_directory

    if args.units_command == "import":
        from pathlib import Path

        from tui.domain.units import load_directory
        from tui.errors import DubanError

        if not Path(args.file).is_file():
            raise DubanError(f"文件不存在：{args.file}")
        directory = load_directory(args.file)
        eng = engine(args, create=True)
        with Session(eng) as session:
            result = sync_directory(session, directory, operator_name(), update=args.update)
            session.commit()
        console().print(
            f"地区 {result.region}：新增单位 {len(result.units_added)} 个，"
            f"更新 {len(result.units_updated)} 个，新增单位组 {len(result.groups_added)} 个"
        )
        return 0
    with Session(engine(args, readonly=True)) as session:
        rows = list_units(session, args.region)
    if args.format == "json":
        print_json([r.__dict__ for r in rows])
        return 0
    from rich.table import Table

    table = Table()
    for col in ("编号", "地区", "单位", "类别", "别名", "负责人", "联系人", "电话", "事项数"):
        table.add_column(col)
    for r in rows:
        name = r.name + ("（示例）" if r.sample else "")
        table.add_row(
            str(r.id),
            r.region,
            name,
            r.kind,
            "、".join(r.aliases),
            r.head,
            r.contact,
            r.phone,
            str(r.assignments),
        )
    console().print(table)
    return 0
