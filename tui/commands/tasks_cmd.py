"""`duban tasks`: the stored tasks with their owners by role."""

from __future__ import annotations

from tui.commands.common import console, engine, print_json_array, print_rows


def run_tasks(args) -> int:
    region = getattr(args, "region", None)
    if (
        args.format == "json"
        and not args.plan
        and not args.unit
        and not region
        and _json_from_file(args)
    ):
        return 0
    from sqlmodel import Session

    from tui.ingest.parser import ROLES
    from tui.store.queries import find_plan, find_units, list_tasks, region_plan_ids, task_records

    with Session(engine(args, readonly=True)) as session:
        if args.format == "json":
            plan_id = find_plan(session, args.plan).id if args.plan else None
            unit_ids = [u.id for u in find_units(session, args.unit)] if args.unit else None
            plan_ids = region_plan_ids(session, region) if region else None
            print_json_array(task_records(session.connection(), plan_id, unit_ids, plan_ids))
            return 0
        rows = list_tasks(session, plan=args.plan, unit=args.unit, region=region)
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


def _json_from_file(args) -> bool:
    """The whole listing of a SQLite store file at the current schema version, read over
    the DB-API without importing SQLAlchemy (`tui.store.task_listing`). False when the store
    is not such a file (another database, an older or newer version): the caller then
    reads it through the engine, which also explains what is wrong with it."""
    import sqlite3

    from tui.store.schema_version import file_is_current
    from tui.store.sqlite_files import open_readonly
    from tui.store.task_listing import sqlite_records

    path = file_is_current(getattr(args, "db", None))
    if path is None:
        return False
    conn = open_readonly(path)
    try:
        print_json_array(sqlite_records(conn))
    except sqlite3.Error:
        conn.close()
        raise
    conn.close()
    return True
