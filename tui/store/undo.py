"""Undo the operator's last change, read back from the audit trail.

The trail itself is append-only: an undo never removes audit rows, it writes new ``undo``
rows (one per reverted row, ``after.undone_batch`` naming the batch) and reverts the data.
A batch is one transaction (see ``store.db.transaction``), so a bulk 验收 is undone whole.
Undo of an undo is not offered.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from tui.domain.schedule import schedule_of
from tui.errors import DubanError
from tui.store.audit import record
from tui.store.deadlines import _as_deadline, _period
from tui.store.desk import action_label, set_unit_aliases
from tui.store.models import (
    Assignment,
    AuditLog,
    Extension,
    Plan,
    Progress,
    Task,
    TaskDeadline,
    Unit,
    UnitAlias,
    UnitGroupMember,
)

UNDOABLE = (
    "progress.add",
    "assignment.close",
    "assignment.reopen",
    "extension.grant",
    "extension.refuse",
    "deadline.set",
    "unit.edit",
    "group.resolve",
    "unit.merge",
)


def _j(s: str) -> dict:
    if not s:
        return {}
    v = json.loads(s)
    return v if isinstance(v, dict) else {}


def _d(v) -> date | None:
    return date.fromisoformat(v) if v else None


def last_undoable_batch(session: Session, actor: str) -> tuple[str, list[AuditLog]] | None:
    undone = set()
    for a in session.exec(
        select(AuditLog.after).where(AuditLog.action == "undo", AuditLog.actor == actor)
    ).scalars():
        b = _j(a).get("undone_batch")
        if b:
            undone.add(b)
    q = (
        select(AuditLog.batch)
        .where(AuditLog.actor == actor, AuditLog.action.in_(UNDOABLE), AuditLog.batch != "")
        .order_by(AuditLog.id.desc())
    )
    for batch in session.exec(q).scalars():
        if batch in undone:
            continue
        rows = list(
            session.exec(
                select(AuditLog).where(AuditLog.batch == batch).order_by(AuditLog.id.desc())
            ).scalars()
        )
        return batch, [r for r in rows if r.action in UNDOABLE]
    return None


def _assignment(session: Session, aid: int) -> Assignment:
    a = session.get(Assignment, aid)
    if a is None:
        raise DubanError(f"无法撤销：落实事项 {aid} 已不存在")
    return a


def _revert(session: Session, row: AuditLog) -> str:
    before, after = _j(row.before), _j(row.after)
    act = row.action
    if act == "progress.add":
        p = session.get(Progress, after.get("progress_id"))
        if p is not None:
            session.delete(p)
        return "记录进展"
    if act in ("assignment.close", "assignment.reopen"):
        a = _assignment(session, row.entity_id)
        want_now = _d(after.get("completed_on"))
        if a.completed_on != want_now:
            raise DubanError(f"无法撤销：落实事项 {a.id} 之后又被修改过")
        a.completed_on = _d(before.get("completed_on"))
        return action_label(act)
    if act in ("extension.grant", "extension.refuse"):
        if act == "extension.grant":
            a = _assignment(session, row.entity_id)
            a.due_override = _d(before.get("due_override"))
        ext = session.get(Extension, after.get("extension_id"))
        if ext is not None:
            session.delete(ext)
        return action_label(act)
    if act == "deadline.set":
        return _revert_deadline(session, row)
    if act == "unit.edit":
        unit = session.get(Unit, row.entity_id)
        if unit is None:
            raise DubanError("无法撤销：单位已不存在")
        unit.head = before.get("head", "")
        unit.contact = before.get("contact", "")
        unit.phone = before.get("phone", "")
        set_unit_aliases(session, unit, before.get("aliases", []))
        return action_label(act)
    if act == "group.resolve":
        for aid in after.get("created", []):
            a = session.get(Assignment, aid)
            if a is None:
                continue
            has_history = (
                session.exec(select(Progress.id).where(Progress.assignment_id == aid)).first()
                or session.exec(select(Extension.id).where(Extension.assignment_id == aid)).first()
            )
            if has_history:
                a.active = False
            else:
                session.delete(a)
        for aid in after.get("reactivated", []):
            _assignment(session, aid).active = False
        session.flush()
        for aid in before.get("group_assignments", []):
            _assignment(session, aid).active = True
        for uid in after.get("members_added", []):
            m = session.get(UnitGroupMember, (row.entity_id, uid))
            if m is not None:
                session.delete(m)
        return action_label(act)
    if act == "unit.merge":
        src_id = row.entity_id
        target = after.get("merged_into")
        for aid in after.get("moved", []):
            _assignment(session, aid).unit_id = src_id
        for aid in after.get("deactivated", []):
            _assignment(session, aid).active = True
        for alid in after.get("aliases_moved", []):
            al = session.get(UnitAlias, alid)
            if al is not None:
                al.unit_id = src_id
        if after.get("name_alias"):
            al = session.get(UnitAlias, after["name_alias"])
            if al is not None:
                session.delete(al)
        for gid in after.get("groups", []):
            m = session.get(UnitGroupMember, (gid, target))
            if m is not None:
                session.delete(m)
            session.flush()
            session.add(UnitGroupMember(group_id=gid, unit_id=src_id))
        src = session.get(Unit, src_id)
        if src is not None:
            src.merged_into = None
        return action_label(act)
    raise DubanError(f"无法撤销的操作：{act}")


def _revert_deadline(session: Session, row: AuditLog) -> str:
    """Drop the correction made in that batch; the previous manual one, or the parsed ones, count again."""
    task = session.get(Task, row.entity_id)
    if task is None:
        raise DubanError("无法撤销：任务已不存在")
    manual = list(
        session.exec(
            select(TaskDeadline)
            .where(TaskDeadline.task_id == task.id, TaskDeadline.source == "manual")
            .order_by(TaskDeadline.id.desc())
        ).scalars()
    )
    if not manual or not manual[0].active:
        raise DubanError(f"无法撤销：任务 {task.number} 的期限之后又被修改过")
    session.delete(manual[0])
    previous = manual[1] if len(manual) > 1 else None
    plan = session.get(Plan, task.plan_id)
    period = _period(plan)
    if previous is not None:
        previous.active = True
        sched = schedule_of([_as_deadline(previous)], period, manual=True, issued=plan.issue_date)
    else:
        rows = list(
            session.exec(
                select(TaskDeadline)
                .where(
                    TaskDeadline.task_id == task.id,
                    TaskDeadline.source != "manual",
                    TaskDeadline.active.is_(True),
                )
                .order_by(TaskDeadline.id)
            ).scalars()
        )
        sched = schedule_of([_as_deadline(r) for r in rows], period, issued=plan.issue_date)
    task.due_kind, task.due_dates, task.due_recurring = sched.kind, sched.encode(), sched.recurring
    return action_label("deadline.set")


def undo_last(session: Session, actor: str) -> str:
    """Revert the latest not-yet-undone change by ``actor``; a Chinese line saying what."""
    found = last_undoable_batch(session, actor)
    if found is None:
        raise DubanError("没有可撤销的操作")
    batch, rows = found
    labels: list[str] = []
    for row in rows:  # newest first: a close after a progress is reverted before it
        label = _revert(session, row)
        session.flush()
        if label not in labels:
            labels.append(label)
        record(
            session,
            actor,
            "undo",
            row.entity,
            row.entity_id,
            _j(row.after),
            {"undone_batch": batch, "undone_action": row.action, "undone_id": row.id},
        )
    session.flush()
    n = len(rows)
    what = "、".join(reversed(labels))
    return f"已撤销：{what}" + (f"（{n} 条记录）" if n > 1 else "")
