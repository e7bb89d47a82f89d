"""`duban overdue`: every assignment past its deadline and not done, most pressing first.

Kept free of SQLAlchemy, SQLModel and Rich: it is measured as a whole process against
Taskwarrior's `task overdue` (bench/overdue_vs_taskwarrior.py).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from operator import attrgetter

from tui.errors import DubanError

ROLE_CN = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}


def _plan_ids(conn, ref: str) -> set[int]:
    rows = conn.cursor().execute("SELECT id, title FROM plan").fetchall()
    if ref.isdigit() and int(ref) in {pid for pid, _ in rows}:
        return {int(ref)}
    hits = {pid for pid, title in rows if ref in title}
    if not hits:
        raise DubanError(f"找不到计划：{ref}")
    return hits


def _region_plan_ids(conn, region: str) -> set[int]:
    """The plans of a region (a city store holds several counties')."""
    cur = conn.cursor()
    rows = cur.execute("SELECT id, region FROM plan").fetchall()
    ids = {pid for pid, r in rows if r == region}
    if not ids:
        known = {r for _pid, r in rows if r}
        known |= {r for (r,) in cur.execute("SELECT name FROM region").fetchall()}
        if region not in known:
            raise DubanError(
                f"没有这个地区：{region}（库中的地区：{'、'.join(sorted(known)) or '无'}）"
            )
    return ids


def _unit_ids(conn, ref: str) -> set[int]:
    cur = conn.cursor()
    names = cur.execute("SELECT id, name FROM unit").fetchall()
    ids = {uid for uid, name in names if name == ref}
    aliases = cur.execute("SELECT unit_id FROM unit_alias WHERE alias = :ref", {"ref": ref})
    ids |= {r[0] for r in aliases.fetchall()}
    if not ids:  # a part of the name (a directory has a few hundred units)
        ids = {uid for uid, name in names if ref in name}
    if not ids:
        raise DubanError(f"找不到单位：{ref}")
    return ids


def run_overdue(args) -> int:
    from tui.commands.common import parse_date
    from tui.domain.board import by_urgency, evaluate
    from tui.domain.status import Status
    from tui.store.board import connect, load_facts

    as_of = parse_date(args.as_of, "--as-of")
    conn = connect(args.db)
    try:
        units = _unit_ids(conn, args.unit) if args.unit else None
        plans = _plan_ids(conn, args.plan) if args.plan else None
        region = getattr(args, "region", None)
        if region:
            mine = _region_plan_ids(conn, region.strip())
            plans = mine if plans is None else plans & mine
        facts = load_facts(conn, as_of=as_of, past_due_only=True, unit_ids=units, plan_ids=plans)
    finally:
        conn.close()
    rows = [r for r in evaluate(facts, as_of) if r.status.status is Status.OVERDUE]
    rows = by_urgency(rows)
    if args.format == "json":
        json.dump([_record(r, as_of) for r in rows], sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    elif args.format == "csv":
        _write_csv(rows, as_of)
    else:
        from tui.commands.textable import print_table

        headers = ["事项", "计划", "任务", "任务名称", "单位", "角色", "期限", "逾期", "最近进展"]
        table = _table_rows(rows)
        styles = ["red"] * len(table)
        print_table(headers, table, max_widths=[8, 14, 8, 30, 16, 4, 10, 7, 24], styles=styles)
        sys.stdout.write(f"截至 {as_of.isoformat()}，逾期未完成 {len(rows)} 条\n")
    return 0


def _table_rows(rows) -> list[tuple[str, ...]]:
    """The table's cells, built a column at a time (tens of thousands of rows)."""
    facts = list(map(attrgetter("fact"), rows))
    statuses = list(map(attrgetter("status"), rows))
    units = [f.unit_name if f.unit_id is not None else f.unit_name + "（待分解）" for f in facts]
    roles = [ROLE_CN.get(r, r) for r in map(attrgetter("role"), facts)]
    return list(
        zip(
            map(str, map(attrgetter("id"), facts)),
            map(attrgetter("plan_title"), facts),
            map(attrgetter("task_number"), facts),
            map(attrgetter("task_title"), facts),
            units,
            roles,
            map(date.isoformat, map(attrgetter("due"), statuses)),
            map("{}天".format, map(attrgetter("days"), statuses)),
            (p or "—" for p in map(attrgetter("last_progress"), facts)),
            strict=True,
        )
    )


# CSV columns (in JSON key order) for people opening the file in Excel.
CSV_HEADERS = {
    "assignment_id": "事项编号",
    "plan_id": "计划编号",
    "plan": "计划",
    "task_id": "任务编号",
    "task_number": "原文编号",
    "task_title": "任务名称",
    "unit": "单位",
    "unit_kind": "单位类别",
    "unresolved_group": "待分解",
    "role": "角色",
    "due": "期限",
    "days_overdue": "逾期天数",
    "urgency": "紧迫度",
    "last_progress": "最近进展",
    "last_progress_on": "最近进展日期",
    "letters_sent": "已发函件",
    "as_of": "截至",
}


def _cell(key: str, value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    if key == "role":
        return ROLE_CN.get(value, value)
    return str(value)


def _write_csv(rows, as_of) -> None:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text as it is."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADERS.values())
    for r in rows:
        w.writerow([_cell(k, v) for k, v in _record(r, as_of).items()])
    data = ("\ufeff" + buf.getvalue()).encode("utf-8")
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    out.write(data)
    out.flush()


def _record(r, as_of) -> dict:
    f = r.fact
    return {
        "assignment_id": f.id,
        "plan_id": f.plan_id,
        "plan": f.plan_title,
        "task_id": f.task_id,
        "task_number": f.task_number,
        "task_title": f.task_title,
        "unit": f.unit_name,
        "unit_kind": f.unit_kind,
        "unresolved_group": f.unresolved,
        "role": f.role,
        "due": r.status.due.isoformat() if r.status.due else None,
        "days_overdue": r.status.days,
        "urgency": round(r.urgency, 2),
        "last_progress": f.last_progress or None,
        "last_progress_on": f.progress_dates[-1].isoformat() if f.progress_dates else None,
        "letters_sent": f.letters_sent,
        "as_of": as_of.isoformat(),
    }
