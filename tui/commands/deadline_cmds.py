"""`duban deadlines TASK`, `duban deadline TASK VALUE --reason R`, `duban progress A TEXT`."""

from __future__ import annotations

from rich.markup import escape

from tui.commands.common import console, engine, parse_date, print_json
from tui.errors import DubanError

KIND_CN = {
    "absolute": "固定日期",
    "recurring": "周期",
    "relative": "相对期限",
    "ongoing": "长期",
    "default": "默认期限",
    "manual": "人工设定",
    "none": "无",
}
SOURCE_CN = {"parsed": "原文", "default": "默认", "manual": "人工更正"}


def find_task(session, ref: str, plan: str | None):
    """A task by id, by its place in the outline (二、（一）), or by its number as written
    (（46） or 46) when that number names one task only."""
    from sqlalchemy import select

    from tui.store.models import Plan, Task
    from tui.store.queries import find_plan

    q = select(Task).where(Task.active.is_(True))
    if plan:
        q = q.where(Task.plan_id == find_plan(session, plan).id)
    if ref.isdigit() and not plan:
        task = session.get(Task, int(ref))
        if task is not None:
            return task
    key = "".join(ref.split())
    candidates = list(session.exec(q.order_by(Task.plan_id, Task.position)).scalars())
    hits = [t for t in candidates if t.key == key]
    if not hits:
        bare = key.strip("（）().．、")
        hits = [
            t
            for t in candidates
            if t.number == key or (key.isdigit() and t.number.strip("（）().．、") == bare)
        ]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise DubanError(f"找不到任务：{ref}")
    titles = dict(session.exec(select(Plan.id, Plan.title)).all())
    listed = "；".join(
        f"{t.id}（计划 {t.plan_id}《{titles.get(t.plan_id, '')}》{t.key or t.number}）"
        for t in hits[:8]
    )
    more = f" 等 {len(hits)} 项" if len(hits) > 8 else ""
    raise DubanError(
        f"任务编号 {ref} 对应多项任务：{listed}{more}。请写出章节编号（如 {hits[-1].key}）、"
        "用 --plan 指定计划，或直接使用任务 id"
    )


def deadline_dict(v) -> dict:
    return {
        "source": v.source,
        "kind": v.kind,
        "due": v.due.isoformat() if v.due else None,
        "rrule": v.rrule,
        "text": v.text,
        "span": [v.start, v.end] if v.start >= 0 else None,
        "note": v.note,
        "reason": v.reason or None,
        "by": v.created_by,
        "at": v.created_at,
        "active": v.active,
    }


def run_deadlines(args) -> int:
    from sqlmodel import Session

    from tui.store.deadlines import task_deadline_views

    with Session(engine(args, readonly=True)) as session:
        task = find_task(session, args.task, args.plan)
        views = task_deadline_views(session, task.id)
        if args.format == "json":
            print_json(
                {
                    "task_id": task.id,
                    "number": task.number,
                    "key": task.key,
                    "title": task.title,
                    "due_kind": task.due_kind,
                    "due_dates": task.due_dates.split(",") if task.due_dates else [],
                    "deadlines": [deadline_dict(v) for v in views],
                }
            )
            return 0
        from rich.text import Text

        out = console()
        out.print(Text.assemble((task.key or task.number, "bold"), " ", task.title))
        text = Text(task.text)
        for v in views:
            if v.source == "parsed" and v.start >= 0:
                text.stylize("bold reverse yellow", v.start, v.end)
        out.print(text)
        out.print()
        for v in views:
            when = (
                v.due.isoformat()
                if v.due
                else (v.rrule.replace("\n", " ") if v.rrule else "无日期")
            )
            state = "" if v.active else "（已被取代）"
            line = f"· [{SOURCE_CN[v.source]}] {KIND_CN.get(v.kind, v.kind)}：{when}"
            if v.text:
                line += f" ← “{v.text}”"
            if v.note:
                line += f"  {v.note}"
            if v.source == "manual":
                line += f"  （{v.created_by} {v.created_at}，原因：{v.reason}）{state}"
            out.print(Text(line), highlight=False)
        dates = task.due_dates.split(",") if task.due_dates else []
        shown = "、".join(dates[:6]) + ("…" if len(dates) > 6 else "")
        out.print(
            f"生效期限（{KIND_CN.get(task.due_kind, task.due_kind)}）：{shown or '无固定期限'}"
        )
    return 0


def run_deadline(args) -> int:
    from tui.store.db import operator_name, transaction
    from tui.store.deadlines import set_manual_deadline

    eng = engine(args)
    with transaction(eng) as session:
        task = find_task(session, args.task, args.plan)
        d = set_manual_deadline(session, task, args.value, args.reason or "", operator_name())
        number, dates = task.number, task.due_dates
    console().print(
        escape(
            f"已更正任务 {number} 的期限：{KIND_CN.get(d.kind, d.kind)} "
            f"{dates or '无固定期限'}（{d.note}）"
        )
    )
    return 0


def run_progress(args) -> int:
    from tui.store.db import operator_name, transaction
    from tui.store.progress import record_progress

    if not args.assignment.isdigit():
        raise DubanError(f"落实事项编号应为数字：{args.assignment}（见 duban overdue 的“事项”列）")
    as_of = getattr(args, "as_of", None)
    limit = parse_date(as_of, "--as-of")  # the date of view, or today
    on = parse_date(args.date, "--date") if args.date else limit
    if on > limit:
        what = f"查看日期 {limit.isoformat()}" if as_of else f"今天（{limit.isoformat()}）"
        raise DubanError(f"--date {on.isoformat()} 晚于{what}：进展不能记在将来的日期")
    with transaction(engine(args)) as session:
        record_progress(
            session, int(args.assignment), args.text, on, operator_name(), done=args.done
        )
    msg = f"已记录落实事项 {args.assignment} 的进展（{on.isoformat()}）"
    console().print(msg + ("，并已销号" if args.done else ""))
    return 0
