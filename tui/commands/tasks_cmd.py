"""`duban tasks`: the stored tasks with their owners by role."""

from __future__ import annotations

from tui.commands.common import console, engine, print_json, print_rows
from tui.ingest.parser import ROLES


def task_dict(row, deadlines=()) -> dict:
    owners = {}
    for role in ROLES:
        owners[role] = [
            {"name": o.name, "unresolved": o.unresolved, "via_group": o.via_group or None}
            for o in row.owners_of(role)
        ]
    return {
        "id": row.id,
        "plan_id": row.plan_id,
        "plan": row.plan,
        "number": row.number,
        "key": row.key,
        "section": row.section,
        "title": row.title,
        "text": row.text,
        "deadline_text": row.deadline_text,
        "owners": owners,
        "deadlines": [_deadline(v) for v in deadlines],
    }


def _deadline(v) -> dict:
    from tui.commands.deadline_cmds import deadline_dict

    d = deadline_dict(v)
    d.pop("active")
    return d


def run_tasks(args) -> int:
    from sqlmodel import Session

    from tui.store.deadlines import deadlines_by_task
    from tui.store.queries import list_tasks

    with Session(engine(args, readonly=True)) as session:
        rows = list_tasks(session, plan=args.plan, unit=args.unit)
        if args.format == "json":
            dls = deadlines_by_task(session, [r.id for r in rows])
            print_json([task_dict(r, dls.get(r.id, ())) for r in rows])
            return 0
    rows_out = []
    for r in rows:
        cols = []
        for role in ROLES:
            cols.append(
                "、".join(
                    f"{o.name}（待分解）" if o.unresolved else o.name for o in r.owners_of(role)
                )
            )
        rows_out.append(
            (
                r.plan,
                r.key,
                r.section.split(" / ")[-1] if r.section else "",
                r.title,
                *cols,
                r.deadline_text,
            )
        )
    headers = ("计划", "编号", "章节", "任务", "牵头单位", "责任单位", "配合单位", "完成时限")
    print_rows(headers, rows_out)
    console().print(f"共 {len(rows)} 项任务")
    return 0
