"""Undo a change, read back from the audit trail.

The trail itself is append-only: an undo never removes audit rows, it writes new ``undo``
rows (one per reverted row, ``after.undone_batch`` naming the batch) and reverts the data.
A batch is one transaction (see ``store.db.transaction``), so a bulk 验收 is undone whole.

What can be undone, and what not (GUIDE §8):
- a change is undone whole or not at all; a change with any row that cannot be reverted
  (a letter signed, printed or voided, a reply registered, an import) is final;
- `undo_last` takes the operator's latest change and never reaches past it: if that change
  is final, nothing is undone and the error says so;
- any single change (from the 操作记录 view) can be reverted when nothing later touched
  what it changed (`later_changes`); undo of an undo is not offered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
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
    UnitGroup,
    UnitGroupMember,
)

UNDOABLE = (
    "progress.add",
    "assignment.close",
    "assignment.reopen",
    "extension.grant",
    "extension.refuse",
    "extension.supersede",
    "deadline.set",
    "unit.edit",
    "unit.create",
    "group.resolve",
    "unit.merge",
    "owner.add",
    "owner.remove",
    "owner.role",
)
# Rows that another row of the same change reverts (they only record a side effect).
COMPANIONS = ("assignment.resolve", "assignment.merge")

ROLE_LABEL = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}


def _j(s: str) -> dict:
    if not s:
        return {}
    v = json.loads(s)
    return v if isinstance(v, dict) else {}


def _d(v) -> date | None:
    return date.fromisoformat(v) if v else None


# --------------------------------------------------------------------------- describing


@dataclass
class ChangeInfo:
    """One change (an audit batch), as the desk shows it before undoing it."""

    batch: str
    at: datetime
    actor: str
    actions: list[str]  # audit actions, in order, each once
    rows: int
    first_id: int
    last_id: int
    lines: list[str] = field(default_factory=list)  # what it did, one line per row (capped)
    undone: bool = False

    @property
    def labels(self) -> list[str]:
        if "plan.import" in self.actions:  # its tasks, units, assignments are the import
            return [action_label("plan.import")]
        out: list[str] = []
        for a in self.actions:
            if a in COMPANIONS:
                continue
            label = action_label(a)
            if label not in out:
                out.append(label)
        return out

    @property
    def title(self) -> str:
        return "、".join(self.labels) or "操作"

    @property
    def final_actions(self) -> list[str]:
        """Actions of this change that cannot be undone."""
        return [a for a in self.actions if a not in UNDOABLE and a not in COMPANIONS]

    @property
    def undoable(self) -> bool:
        return not self.undone and not self.final_actions and "undo" not in self.actions

    @property
    def why_not(self) -> str:
        if self.undone:
            return f"“{self.title}”已经撤销过"
        if "undo" in self.actions:
            return "撤销本身不能再撤销"
        final = "、".join(dict.fromkeys(action_label(a) for a in self.final_actions))
        return f"“{final}”不能撤销" if final else ""


def _undone_batches(session: Session) -> set[str]:
    out = set()
    for after in session.exec(select(AuditLog.after).where(AuditLog.action == "undo")).scalars():
        b = _j(after).get("undone_batch")
        if b:
            out.add(b)
    return out


def _rows(session: Session, batch: str) -> list[AuditLog]:
    return list(
        session.exec(
            select(AuditLog).where(AuditLog.batch == batch).order_by(AuditLog.id)
        ).scalars()
    )


def describe_change(session: Session, batch: str, *, lines: int = 30) -> ChangeInfo:
    """A change by its batch id, with up to ``lines`` lines saying what it did."""
    rows = _rows(session, batch) if batch else []
    if not rows:
        raise DubanError("找不到这项操作记录")
    info = ChangeInfo(
        batch,
        rows[0].at,
        rows[0].actor,
        list(dict.fromkeys(r.action for r in rows)),
        len(rows),
        rows[0].id,
        rows[-1].id,
        undone=batch in _undone_batches(session),
    )
    shown = [r for r in rows if r.action not in COMPANIONS]
    if "plan.import" in info.actions:  # the import first, then what it created
        shown.sort(key=lambda r: r.action != "plan.import")
    names = _Names(session)
    for r in shown[:lines]:
        info.lines.append(_line(names, r))
    if len(shown) > lines:
        info.lines.append(f"……共 {len(shown)} 条")
    return info


def change_log(
    session: Session, *, limit: int = 300, before_id: int | None = None
) -> list[ChangeInfo]:
    """The audit trail as changes, newest first (one line each: the first thing it did)."""
    q = select(
        AuditLog.batch,
        func.min(AuditLog.id),
        func.max(AuditLog.id),
        func.count(),
    ).where(AuditLog.batch != "", AuditLog.origin == "")  # a county's merged history: not ours
    if before_id is not None:
        q = q.where(AuditLog.id < before_id)
    q = q.group_by(AuditLog.batch).order_by(func.max(AuditLog.id).desc()).limit(limit)
    batches = session.exec(q).all()
    undone = _undone_batches(session)
    names = _Names(session)
    out: list[ChangeInfo] = []
    for batch, first, last, n in batches:
        first_row = session.get(AuditLog, first)
        # every action of the change (not only its first rows): one final row makes it final
        actions = [
            a
            for a, _ in session.exec(
                select(AuditLog.action, func.min(AuditLog.id))
                .where(AuditLog.batch == batch)
                .group_by(AuditLog.action)
                .order_by(func.min(AuditLog.id))
            ).all()
        ]
        main = "plan.import" if "plan.import" in actions else None
        shown = first_row
        if main or shown.action in COMPANIONS:
            q = select(AuditLog).where(AuditLog.batch == batch)
            q = (
                q.where(AuditLog.action == main)
                if main
                else q.where(AuditLog.action.not_in(COMPANIONS))
            )
            shown = session.exec(q.order_by(AuditLog.id)).scalars().first() or first_row
        info = ChangeInfo(
            batch, first_row.at, first_row.actor, actions, n, first, last, undone=batch in undone
        )
        info.lines.append(_line(names, shown))
        out.append(info)
    return out


class _Names:
    """Names for audit lines, each looked up once."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._a: dict[int, str] = {}
        self._t: dict[int, str] = {}

    def task(self, tid) -> str:
        if tid not in self._t:
            t = self.s.get(Task, tid) if tid else None
            self._t[tid] = f"{t.number}{t.title}" if t else f"任务{tid}"
        return self._t[tid]

    def unit(self, uid) -> str:
        u = self.s.get(Unit, uid) if uid else None
        return u.name if u else f"单位{uid}"

    def assignment(self, aid) -> str:
        if aid not in self._a:
            a = self.s.get(Assignment, aid) if aid else None
            if a is None:
                self._a[aid] = f"落实事项{aid}"
            else:
                if a.unit_id is not None:
                    who = self.unit(a.unit_id)
                else:
                    g = self.s.get(UnitGroup, a.group_id)
                    who = g.name if g else "?"
                self._a[aid] = f"{who} {_short(self.task(a.task_id))}"
        return self._a[aid]


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _line(names: _Names, r: AuditLog) -> str:
    before, after = _j(r.before), _j(r.after)
    act, label = r.action, action_label(r.action)
    if r.entity == "assignment" and act in (
        "progress.add",
        "assignment.close",
        "assignment.reopen",
        "extension.grant",
        "extension.refuse",
        "extension.supersede",
    ):
        who = names.assignment(r.entity_id)
        if act == "progress.add":
            return f"{label}：{who}「{_short(after.get('text', ''), 30)}」"
        if act == "assignment.close":
            return f"{label}：{who}（{after.get('completed_on', '')}）"
        if act == "extension.grant":
            return f"{label}至 {after.get('new_due', '')}：{who}"
        if act == "extension.supersede":
            return f"{who}：延期至 {before.get('due_override', '')} 被期限更正取代"
        return f"{label}：{who}"
    if act == "deadline.set":
        return (
            f"{label}：{_short(names.task(r.entity_id))} → {after.get('value', '')}"
            f"（原因：{after.get('reason', '')}）"
        )
    if act in ("unit.edit", "unit.create", "unit.update"):
        return f"{label}：{after.get('name') or names.unit(r.entity_id)}"
    if act == "unit.merge":
        return f"{label}：{before.get('name', '')} 并入 {after.get('target', '')}"
    if act == "group.resolve":
        g = names.s.get(UnitGroup, r.entity_id)
        tasks = after.get("tasks")
        scope = f"{len(tasks)} 项任务" if tasks else "全部任务"
        return f"{label}：{g.name if g else ''}（{scope}）→ {'、'.join(after.get('units', []))}"
    if act in ("owner.add", "owner.remove"):
        role = ROLE_LABEL.get(after.get("role") or before.get("role"), "")
        unit = after.get("unit") or names.unit(after.get("unit_id"))
        task = after.get("task") or names.task(after.get("task_id") or before.get("task_id"))
        return f"{label}：{_short(task)}：{unit}" + (f"（{role}）" if role else "")
    if act == "owner.role":
        return (
            f"{label}：{_short(after.get('task', ''))}：{after.get('unit', '')} "
            f"{ROLE_LABEL.get(before.get('role'), '')} → {ROLE_LABEL.get(after.get('role'), '')}"
        )
    if act.startswith("letter."):
        number = after.get("number") or ""
        return f"{label}：{number or '函件' + str(r.entity_id)}"
    if act == "undo":
        return f"撤销：{action_label(after.get('undone_action', ''))}"
    if act == "plan.import":
        return f"{label}：{after.get('title', '') or r.entity_id}"
    return label


# --------------------------------------------------------------------------- dependencies


def _footprint(r: AuditLog) -> set[tuple[str, int]]:
    """What a row changed: (entity, id) pairs, side effects named in its JSON included."""
    keys = {(r.entity, r.entity_id)} if r.entity_id is not None else set()
    after, before = _j(r.after), _j(r.before)
    if r.action == "group.resolve":
        for aid in after.get("created", []) + after.get("reactivated", []):
            keys.add(("assignment", aid))
        for aid in before.get("group_assignments", []):
            keys.add(("assignment", aid))
    elif r.action == "unit.merge":
        for aid in after.get("moved", []) + after.get("deactivated", []):
            keys.add(("assignment", aid))
        if after.get("merged_into"):
            keys.add(("unit", after["merged_into"]))
    elif r.action in ("owner.add", "owner.remove", "owner.role"):
        uid = after.get("unit_id") or before.get("unit_id")
        if uid:
            keys.add(("unit", uid))
    return keys


def later_changes(session: Session, batch: str) -> list[ChangeInfo]:
    """Changes made after this one that touched what it changed (and were not undone)."""
    rows = _rows(session, batch)
    if not rows:
        return []
    mine: set[tuple[str, int]] = set()
    for r in rows:
        mine |= _footprint(r)
    undone = _undone_batches(session)
    hits: dict[str, None] = {}
    for r in session.exec(
        select(AuditLog).where(AuditLog.id > rows[-1].id).order_by(AuditLog.id)
    ).scalars():
        if r.batch in hits or r.batch == batch or r.batch in undone or r.action == "undo":
            continue
        if _footprint(r) & mine:
            hits[r.batch] = None
    return [describe_change(session, b, lines=3) for b in hits]


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
    if act == "extension.supersede":
        a = _assignment(session, row.entity_id)
        if a.due_override is not None:
            raise DubanError(f"无法撤销：落实事项 {a.id} 之后又被修改过")
        a.due_override = _d(before.get("due_override"))
        return action_label(act)
    if act == "owner.add":
        a = _assignment(session, row.entity_id)
        if after.get("reactivated"):
            a.active = False
            return action_label(act)
        has_history = (
            session.exec(select(Progress.id).where(Progress.assignment_id == a.id)).first()
            or session.exec(select(Extension.id).where(Extension.assignment_id == a.id)).first()
        )
        if has_history:
            a.active = False
        else:
            session.delete(a)
        return action_label(act)
    if act == "owner.remove":
        _assignment(session, row.entity_id).active = True
        return action_label(act)
    if act == "owner.role":
        _assignment(session, row.entity_id).role = before["role"]
        return action_label(act)
    if act == "unit.create":
        return _revert_unit_create(session, row)
    raise DubanError(f"无法撤销的操作：{act}")


def _revert_unit_create(session: Session, row: AuditLog) -> str:
    """A unit made at the desk goes again, while nothing refers to it."""
    unit = session.get(Unit, row.entity_id)
    if unit is None:
        return action_label("unit.create")
    session.flush()
    used = (
        session.exec(select(Assignment.id).where(Assignment.unit_id == unit.id)).first()
        or session.exec(select(UnitAlias.id).where(UnitAlias.unit_id == unit.id)).first()
        or session.exec(
            select(UnitGroupMember.group_id).where(UnitGroupMember.unit_id == unit.id)
        ).first()
        or session.exec(select(Unit.id).where(Unit.merged_into == unit.id)).first()
    )
    if used:
        raise DubanError(f"无法撤销：单位“{unit.name}”已被使用")
    from sqlalchemy import text

    letters = (
        session.connection()
        .execute(text("SELECT 1 FROM letter WHERE unit_id = :u LIMIT 1"), {"u": unit.id})
        .first()
    )
    if letters:
        raise DubanError(f"无法撤销：单位“{unit.name}”已有函件")
    session.delete(unit)
    return action_label("unit.create")


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


def undo_change(session: Session, batch: str, actor: str) -> str:
    """Revert one change whole; a Chinese line saying what. Refused, with the reason, when
    the change is final, already undone, or a later change touched what it changed."""
    info = describe_change(session, batch, lines=0)
    if not info.undoable:
        raise DubanError(f"无法撤销：{info.why_not}")
    later = later_changes(session, batch)
    if later:
        first = later[0]
        raise DubanError(
            f"无法撤销：之后的“{first.title}”（{first.actor}，{_when(first.at)}）修改了同一内容，"
            "请先撤销那一项"
        )
    rows = [r for r in reversed(_rows(session, batch)) if r.action in UNDOABLE]
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


def _when(at: datetime) -> str:
    from tui.clock import local

    return local(at).strftime("%Y-%m-%d %H:%M")


def latest_change(session: Session, actor: str) -> ChangeInfo | None:
    """The actor's latest change that is not an undo and was not undone."""
    undone = _undone_batches(session)
    q = (
        select(AuditLog.batch)
        .where(AuditLog.actor == actor, AuditLog.action != "undo", AuditLog.batch != "")
        .order_by(AuditLog.id.desc())
    )
    seen: set[str] = set()
    for batch in session.exec(q).scalars():
        if batch in seen:
            continue
        seen.add(batch)
        if batch in undone:
            continue
        return describe_change(session, batch)
    return None


def undo_last(session: Session, actor: str) -> str:
    """Revert the actor's latest change; never reaches past it (see the module docstring)."""
    info = latest_change(session, actor)
    if info is None:
        raise DubanError("没有可撤销的操作")
    if not info.undoable:
        raise DubanError(
            f"上一步操作{info.why_not}（{_when(info.at)}）；更早的操作请在操作记录中撤销"
        )
    return undo_change(session, info.batch, actor)
