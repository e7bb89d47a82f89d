"""Task deadlines in the store: parsed at import, corrected by hand, cached on the task."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlmodel import Session

from tui.clock import now
from tui.domain.deadlines import Deadline, parse_deadline_override, task_deadlines
from tui.domain.plan_context import PlanContext
from tui.domain.schedule import Schedule, schedule_of
from tui.errors import DubanError
from tui.store.audit import record
from tui.store.bulk import insert_many, update_rows
from tui.store.models import Plan, Task, TaskDeadline


def plan_context(plan: Plan) -> PlanContext | None:
    if plan.period_start is None:
        return None
    return PlanContext(plan.period_start, plan.period_end or plan.period_start, plan.period_source)


def _period(plan: Plan) -> tuple[int, int] | None:
    if plan.period_start is None:
        return None
    return plan.period_start, plan.period_end or plan.period_start


def _row(task_id: int, d: Deadline, source: str, actor: str, reason: str = "") -> dict:
    return dict(
        task_id=task_id,
        source=source,
        kind=d.kind,
        due=d.due,
        rrule=d.rrule,
        text=d.text,
        span_start=d.start,
        span_end=d.end,
        note=d.note,
        reason=reason,
        active=True,
        created_at=now(),
        created_by=actor,
    )


def _as_deadline(r: TaskDeadline) -> Deadline:
    return Deadline(r.kind, r.due, r.rrule, r.text, r.span_start, r.span_end, r.note)


def apply_schedule(task: Task, sched: Schedule) -> None:
    """Cache the schedule on the task row, where status queries read it."""
    for attr, value in _schedule_columns(sched).items():
        setattr(task, attr, value)


_SCHEDULE_ATTRS = ("due_kind", "due_dates", "due_recurring", "due_first")


def _schedule_columns(sched: Schedule) -> dict:
    return {
        "due_kind": sched.kind,
        "due_dates": sched.encode(),
        "due_recurring": sched.recurring,
        "due_first": sched.dates[0].isoformat() if sched.dates else "",
    }


def refresh_plan_deadlines(session: Session, plan: Plan, actor: str) -> None:
    """Re-parse the deadlines of every active task of a plan; manual corrections stay.

    Core statements, not ORM objects: a plan may hold tens of thousands of tasks.
    """
    ctx = plan_context(plan)
    conn = session.connection()
    live = select(Task.id).where(Task.plan_id == plan.id, Task.active.is_(True))
    tasks = conn.execute(
        select(Task.id, Task.text, Task.deadline_text).where(
            Task.plan_id == plan.id, Task.active.is_(True)
        )
    ).all()
    table = TaskDeadline.__table__
    conn.execute(
        update(table)
        .where(
            table.c.task_id.in_(live.scalar_subquery()),
            table.c.source != "manual",
            table.c.active.is_(True),
        )
        .values(active=False)
    )
    manual: dict[int, list[Deadline]] = {}
    for r in session.exec(
        select(TaskDeadline).where(
            TaskDeadline.task_id.in_(live.scalar_subquery()),
            TaskDeadline.source == "manual",
            TaskDeadline.active.is_(True),
        )
    ).scalars():
        manual.setdefault(r.task_id, []).append(_as_deadline(r))
    rows: list[dict] = []
    updates: list[dict] = []
    period = _period(plan)
    for task_id, text, deadline_text in tasks:
        found = task_deadlines(text, ctx, deadline_text or None)
        for d in found:
            rows.append(_row(task_id, d, "default" if d.kind == "default" else "parsed", actor))
        sched = (
            schedule_of(manual[task_id], period, manual=True, issued=plan.issue_date)
            if task_id in manual
            else schedule_of(found, period, issued=plan.issue_date)
        )
        updates.append({"id": task_id, **_schedule_columns(sched)})
    insert_many(conn, table, rows)
    update_rows(conn, Task.__table__, updates)
    # Task objects already in the session must not keep stale due dates.
    session.flush()
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Task) and obj.plan_id == plan.id:
            session.expire(obj, list(_SCHEDULE_ATTRS))


@dataclass
class DeadlineView:
    source: str
    kind: str
    due: date | None
    rrule: str | None
    text: str
    start: int
    end: int
    note: str
    reason: str
    created_by: str
    created_at: str
    active: bool


def _view(r: TaskDeadline) -> DeadlineView:
    return DeadlineView(
        r.source,
        r.kind,
        r.due,
        r.rrule,
        r.text,
        r.span_start,
        r.span_end,
        r.note,
        r.reason,
        r.created_by,
        r.created_at.isoformat(timespec="seconds"),
        r.active,
    )


def task_deadline_views(
    session: Session, task_id: int, *, include_inactive_manual: bool = True
) -> list[DeadlineView]:
    """A task's deadlines for display: the live ones, and superseded manual corrections."""
    q = select(TaskDeadline).where(TaskDeadline.task_id == task_id).order_by(TaskDeadline.id)
    return [
        _view(r)
        for r in session.exec(q).scalars()
        if r.active or (include_inactive_manual and r.source == "manual")
    ]


def deadlines_by_task(session: Session, task_ids: list[int]) -> dict[int, list[DeadlineView]]:
    out: dict[int, list[DeadlineView]] = {}
    q = (
        select(TaskDeadline)
        .where(TaskDeadline.task_id.in_(task_ids), TaskDeadline.active.is_(True))
        .order_by(TaskDeadline.id)
    )
    for r in session.exec(q).scalars():
        out.setdefault(r.task_id, []).append(_view(r))
    return out


def set_manual_deadline(
    session: Session, task: Task, value: str, reason: str, actor: str
) -> Deadline:
    """Correct a task's deadline by hand; the parsed ones stay visible beside it."""
    if not reason.strip():
        raise DubanError("更正期限必须写明原因（--reason）")
    plan = session.get(Plan, task.plan_id)
    d = parse_deadline_override(value, plan_context(plan))
    before = {"due_kind": task.due_kind, "due_dates": task.due_dates}
    table = TaskDeadline.__table__
    session.connection().execute(
        update(table)
        .where(table.c.task_id == task.id, table.c.source == "manual")
        .values(active=False)
    )
    session.add(TaskDeadline(**_row(task.id, d, "manual", actor, reason.strip())))
    sched = schedule_of([d], _period(plan), manual=True, issued=plan.issue_date)
    apply_schedule(task, sched)
    record(
        session,
        actor,
        "deadline.set",
        "task",
        task.id,
        before,
        {"due_kind": task.due_kind, "due_dates": task.due_dates, "value": value, "reason": reason},
    )
    session.flush()
    return d
