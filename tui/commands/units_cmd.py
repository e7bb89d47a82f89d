"""`duban units import FILE` / `duban units list`."""

from __future__ import annotations

from rich.markup import escape

from tui.commands.common import console, engine, print_json, print_rows


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
            escape(
                f"地区 {result.region}：新增单位 {len(result.units_added)} 个，"
                f"更新 {len(result.units_updated)} 个，新增单位组 {len(result.groups_added)} 个"
            )
        )
        return 0
    with Session(engine(args, readonly=True)) as session:
        rows = list_units(session, args.region)
        if args.region and not rows:
            from tui.errors import DubanError
            from tui.store.units import unit_regions

            known = "、".join(unit_regions(session)) or "无（尚未导入单位名录或计划）"
            raise DubanError(f"没有地区“{args.region}”的单位；已有的地区：{known}")
    if args.format == "json":
        print_json([r.__dict__ for r in rows])
        return 0
    headers = ("编号", "地区", "单位", "类别", "别名", "负责人", "联系人", "电话", "事项数")
    print_rows(
        headers,
        [
            (
                str(r.id),
                r.region,
                r.name + ("（示例）" if r.sample else ""),
                r.kind,
                "、".join(r.aliases),
                r.head,
                r.contact,
                r.phone,
                str(r.assignments),
            )
            for r in rows
        ],
    )
    return 0
