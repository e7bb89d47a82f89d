"""Task deadlines in the store: parsed at import, corrected by hand, cached on the task."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from tui import clock
from tui.clock import local
from tui.domain.deadlines import Deadline, parse_deadline_override, task_deadlines
from tui.domain.plan_context import PlanContext
from tui.domain.schedule import Schedule, schedule_of
from tui.errors import DubanError
from tui.store.audit import record
from tui.store.sqlconn import as_date

if TYPE_CHECKING:  # the import path refreshes deadlines without SQLAlchemy
    from sqlmodel import Session

    from tui.store.models import Plan, Task, TaskDeadline
    from tui.store.sqlconn import SqlConn


def now():
    return clock.now()


def plan_context(plan: Plan) -> PlanContext | None:
    if plan.period_start is None:
        return None
    return PlanContext(plan.period_start, plan.period_end or plan.period_start, plan.period_source)


def _period(plan: Plan) -> tuple[int, int] | None:
    if plan.period_start is None:
        return None
    return plan.period_start, plan.period_end or plan.period_start


def _row(task_id: int, d: Deadline, source: str, actor: str, reason: str = "", at=None) -> dict:
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
        created_at=at or now(),
        created_by=actor,
    )


def _as_deadline(r: TaskDeadline) -> Deadline:
    return Deadline(r.kind, r.due, r.rrule, r.text, r.span_start, r.span_end, r.note)


def apply_schedule(task: Task, sched: Schedule) -> None:
    """Cache the schedule on the task row, where status queries read it."""
    for attr, value in _schedule_columns(sched).items():
        setattr(task, attr, value)


_SCHEDULE_ATTRS = ("due_kind", "due_dates", "due_recurring", "due_first")


@lru_cache(maxsize=1024)  # a plan's tasks share a few dozen schedules (read-only dicts)
def _schedule_columns(sched: Schedule) -> dict:
    return {
        "due_kind": sched.kind,
        "due_dates": sched.encode(),
        "due_recurring": sched.recurring,
        "due_first": sched.dates[0].isoformat() if sched.dates else "",
    }


def refresh_plan_deadlines(conn: SqlConn, plan, actor: str) -> None:
    """Re-parse the deadlines of every active task of a plan; manual corrections stay.

    ``plan``: anything with the plan's id, period_start/_end/_source and issue_date (a date).
    Plain SQL (tui.store.sqlconn): the import path runs without SQLAlchemy, and a plan may
    hold tens of thousands of tasks.
    """
    ctx = plan_context(plan)
    live = "SELECT id FROM task WHERE plan_id = :p AND active = TRUE"
    tasks = conn.rows(
        "SELECT id, text, deadline_text FROM task WHERE plan_id = :p AND active = TRUE ORDER BY id",
        {"p": plan.id},
    )
    conn.run(
        f"UPDATE task_deadline SET active = FALSE WHERE task_id IN ({live}) "
        "AND source != 'manual' AND active = TRUE",
        {"p": plan.id},
    )
    manual: dict[int, list[Deadline]] = {}
    for task_id, kind, due, rrule, text, start, end, note in conn.rows(
        "SELECT task_id, kind, due, rrule, text, span_start, span_end, note FROM task_deadline "
        f"WHERE task_id IN ({live}) AND source = 'manual' AND active = TRUE ORDER BY id",
        {"p": plan.id},
    ):
        manual.setdefault(task_id, []).append(
            Deadline(kind, as_date(due), rrule, text, start, end, note)
        )
    rows: list[tuple] = []
    updates: list[tuple] = []
    period = _period(plan)
    at = now()  # one time for the whole refresh: its rows share one converted timestamp
    # Reading deadlines is pure (text, cell, plan context): a text met before is not read
    # again — plans repeat 按要求完成 and whole tasks. → (deadlines, their schedule's columns)
    seen: dict[tuple[str, str], list] = {}
    for task_id, text, deadline_text in tasks:
        key = (text, deadline_text)
        known = seen.get(key)
        if known is None:
            known = seen[key] = [task_deadlines(text, ctx, deadline_text or None), None]
        found = known[0]
        for d in found:
            source = "default" if d.kind == "default" else "parsed"
            rows.append(
                (task_id, source, d.kind, d.due, d.rrule, d.text, d.start, d.end, d.note)
                + _NO_REASON_ACTIVE
                + (at, actor)
            )
        if task_id in manual:
            sched = schedule_of(manual[task_id], period, manual=True, issued=plan.issue_date)
            cols = _schedule_values(sched)
        else:
            if known[1] is None:
                known[1] = _schedule_values(schedule_of(found, period, issued=plan.issue_date))
            cols = known[1]
        updates.append((*cols, task_id))
    conn.many_values("task_deadline", _DEADLINE_COLUMNS, rows)
    conn.update_values("task", _SCHEDULE_ATTRS, updates)


# The columns of a parsed deadline row, in the order refresh_plan_deadlines builds them (as
# `_row` names them); reason and active are the same for every parsed row.
_DEADLINE_COLUMNS = (
    "task_id",
    "source",
    "kind",
    "due",
    "rrule",
    "text",
    "span_start",
    "span_end",
    "note",
    "reason",
    "active",
    "created_at",
    "created_by",
)
_NO_REASON_ACTIVE = ("", True)


def _schedule_values(sched: Schedule) -> tuple:
    """`_schedule_columns` as a tuple in _SCHEDULE_ATTRS order."""
    cols = _schedule_columns(sched)
    return tuple(cols[a] for a in _SCHEDULE_ATTRS)


@dataclass
class DeadlineView:
    """One deadline of a task or an assignment as the store has it, ready to show."""

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
    from sqlalchemy import select

    from tui.store.models import TaskDeadline

    q = select(TaskDeadline).where(TaskDeadline.task_id == task_id).order_by(TaskDeadline.id)
    return [
        _view(r)
        for r in session.exec(q).scalars()
        if r.active or (include_inactive_manual and r.source == "manual")
    ]


def deadlines_by_task(session: Session, task_ids: list[int]) -> dict[int, list[DeadlineView]]:
    from sqlalchemy import select

    from tui.store.models import TaskDeadline

    out: dict[int, list[DeadlineView]] = {}
    q = (
        select(TaskDeadline)
        .where(TaskDeadline.task_id.in_(task_ids), TaskDeadline.active.is_(True))
        .order_by(TaskDeadline.id)
    )
    for r in session.exec(q).scalars():
        out.setdefault(r.task_id, []).append(_view(r))
    return out


def _superseded(schedule: Schedule, override: date) -> bool:
    """Does a corrected schedule replace a granted extension? It does when the correction
    gives more time than the extension (its last date is later) or no fixed date at all."""
    return not schedule.dates or override < schedule.dates[-1]


@dataclass
class SupersededExtension:
    """A unit's granted extension that a corrected deadline would replace (it gives more time)."""

    assignment_id: int
    unit_id: int | None
    due_override: date
    unit_name: str = ""


def preview_manual_deadline(
    session: Session, task: Task, value: str
) -> tuple[Schedule, list[SupersededExtension]]:
    """What a correction would set, and which units' extensions it would replace (no write)."""
    from tui.store.models import Plan

    plan = session.get(Plan, task.plan_id)
    d = parse_deadline_override(value, plan_context(plan))
    sched = schedule_of([d], _period(plan), manual=True, issued=plan.issue_date)
    return sched, _extensions_replaced(session, task.id, sched)


def _extensions_replaced(
    session: Session, task_id: int, sched: Schedule
) -> list[SupersededExtension]:
    from sqlalchemy import select

    from tui.store.models import Assignment

    rows = session.exec(
        select(Assignment)
        .where(
            Assignment.task_id == task_id,
            Assignment.active.is_(True),
            Assignment.due_override.is_not(None),
        )
        .order_by(Assignment.id)
    ).scalars()
    from tui.store.models import Unit

    out = []
    for a in rows:
        if _superseded(sched, a.due_override):
            u = session.get(Unit, a.unit_id) if a.unit_id else None
            out.append(SupersededExtension(a.id, a.unit_id, a.due_override, u.name if u else ""))
    return out


def _task_or_error(session: Session, task_id: int) -> Task:
    from tui.store.models import Task

    task = session.get(Task, task_id)
    if task is None or not task.active:
        raise DubanError(f"找不到任务：{task_id}")
    return task


def preview_task_deadline(
    session: Session, task_id: int, value: str
) -> tuple[Schedule, list[SupersededExtension]]:
    return preview_manual_deadline(session, _task_or_error(session, task_id), value)


def correct_task_deadline(
    session: Session, task_id: int, value: str, reason: str, actor: str
) -> str:
    """`set_manual_deadline` by task id; returns the task's number."""
    task = _task_or_error(session, task_id)
    set_manual_deadline(session, task, value, reason, actor)
    return task.number


def set_manual_deadline(
    session: Session, task: Task, value: str, reason: str, actor: str
) -> Deadline:
    """Correct a task's deadline by hand; the parsed ones stay visible beside it.

    A granted extension to an earlier date than the corrected deadline is superseded (the
    unit gets the task's new date like every other unit; audited as `extension.supersede`
    in the same change, so undo brings it back). A later extension still holds."""
    from sqlalchemy import update

    from tui.store.models import Assignment, Plan, TaskDeadline

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
    for ext in _extensions_replaced(session, task.id, sched):
        a = session.get(Assignment, ext.assignment_id)
        a.due_override = None
        record(
            session,
            actor,
            "extension.supersede",
            "assignment",
            a.id,
            {"due_override": ext.due_override},
            {"due_override": None, "task_id": task.id, "value": value, "reason": reason},
        )
    session.flush()
    return d


@dataclass
class DeadlineBasis:
    """Which rule gives an assignment the date in force, in words for the detail pane."""

    source: str  # extension / manual / parsed / default / none
    rule: str  # one line: the rule in force
    notes: list[str]  # earlier rules it replaced (superseded extensions, corrections)


def deadline_basis(session: Session, assignment_id: int) -> DeadlineBasis:
    from sqlalchemy import select

    from tui.store.models import Assignment, AuditLog, Extension, Task

    a = session.get(Assignment, assignment_id)
    if a is None:
        return DeadlineBasis("none", "", [])
    task = session.get(Task, a.task_id)
    notes: list[str] = []
    undone = set()
    for after in session.exec(
        select(AuditLog.after).where(
            AuditLog.action == "undo", AuditLog.entity == "assignment", AuditLog.entity_id == a.id
        )
    ).scalars():
        undone.add(_loads(after).get("undone_id"))
    for row in session.exec(
        select(AuditLog)
        .where(
            AuditLog.action == "extension.supersede",
            AuditLog.entity == "assignment",
            AuditLog.entity_id == a.id,
        )
        .order_by(AuditLog.id)
    ).scalars():
        if row.id in undone:
            continue
        was = _loads(row.before).get("due_override", "")
        on = local(row.at).date().isoformat()
        notes.append(f"延期至 {was} 已被 {on} 的期限更正取代（{row.actor}）")
    if a.due_override is not None:
        ext = (
            session.exec(
                select(Extension)
                .where(
                    Extension.assignment_id == a.id,
                    Extension.granted.is_(True),
                    Extension.new_due == a.due_override,
                )
                .order_by(Extension.id.desc())
            )
            .scalars()
            .first()
        )
        who = f"，{ext.decided_by}" if ext and ext.decided_by else ""
        asked = f"{ext.requested_on.isoformat()} 申请，" if ext else ""
        return DeadlineBasis(
            "extension", f"同意延期：{asked}延至 {a.due_override.isoformat()}{who}", notes
        )
    views = task_deadline_views(session, a.task_id) if task else []
    manual = [v for v in views if v.source == "manual"]
    live = [v for v in manual if v.active]
    if live:
        m = live[-1]
        when = m.created_at[:10]
        value = m.due.isoformat() if m.due else (m.text or "无固定期限")
        older = len(manual) - 1
        if older:
            notes.append(f"此前另有 {older} 次人工更正")
        return DeadlineBasis(
            "manual", f"人工更正：{value}（{when}，{m.created_by}；原因：{m.reason}）", notes
        )
    parsed = [v for v in views if v.active and v.source == "parsed"]
    if parsed:
        words = "；".join(f"「{v.text}」" for v in parsed[:3] if v.text) or "原文期限"
        return DeadlineBasis("parsed", f"计划原文：{words}", notes)
    default = [v for v in views if v.active and v.source == "default"]
    if default:
        return DeadlineBasis("default", "计划原文未写期限：按计划期末", notes)
    return DeadlineBasis("none", "无固定期限（原文未写明期限）", notes)


def _loads(s: str) -> dict:
    try:
        v = json.loads(s) if s else {}
    except ValueError:
        return {}
    return v if isinstance(v, dict) else {}
