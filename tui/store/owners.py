"""A task's owners (牵头/责任/配合单位), edited row by row from the desk.

A plan imported without owners (seed 000) is assigned here, and a wrong owner is corrected
here. The rules: no two live rows for one (task, unit, role); a unit that leads a task is not
also responsible or supporting for it; every change is audited (``owner.add``,
``owner.remove``, ``owner.role``) in the caller's transaction, so undo reverts it whole.
A removed row stays (inactive) with its history; adding the unit again brings it back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from tui.clock import now
from tui.errors import DubanError
from tui.store.audit import record
from tui.store.models import Assignment, Progress, Task, Unit, UnitGroup

ROLES = ("lead", "responsible", "supporting")
ROLE_LABEL = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}


@dataclass
class Owner:
    assignment_id: int
    unit_id: int | None
    group_id: int | None
    name: str
    role: str
    region: str
    reports: int  # progress reports recorded on the row (kept when it is removed)

    @property
    def unresolved(self) -> bool:
        return self.unit_id is None


@dataclass
class OwnerChange:
    """What to do to one task: rows to remove, roles to change, units to add."""

    remove: Sequence[int] = ()
    roles: Sequence[tuple[int, str]] = ()  # (assignment id, new role)
    add: Sequence[tuple[int, str]] = ()  # (unit id, role)


def _task(session: Session, task_id: int) -> Task:
    t = session.get(Task, task_id)
    if t is None or not t.active:
        raise DubanError(f"找不到任务：{task_id}")
    return t


def task_heading(session: Session, task_id: int) -> tuple[str, str]:
    """(number + title, the plan's region) of a live task."""
    from tui.store.models import Plan

    t = _task(session, task_id)
    plan = session.get(Plan, t.plan_id)
    return f"{t.number}{t.title}", plan.region if plan else ""


def task_owners(session: Session, task_id: int) -> list[Owner]:
    """The live owner rows of a task, leads first."""
    rows = session.exec(
        select(Assignment).where(Assignment.task_id == task_id, Assignment.active.is_(True))
    ).scalars()
    rows = list(rows)
    units = {
        u.id: u
        for u in session.exec(
            select(Unit).where(Unit.id.in_([a.unit_id for a in rows if a.unit_id]))
        ).scalars()
    }
    groups = {
        g.id: g
        for g in session.exec(
            select(UnitGroup).where(UnitGroup.id.in_([a.group_id for a in rows if a.group_id]))
        ).scalars()
    }
    counts: dict[int, int] = {}
    for aid in session.exec(
        select(Progress.assignment_id).where(Progress.assignment_id.in_([a.id for a in rows]))
    ).scalars():
        counts[aid] = counts.get(aid, 0) + 1
    out = []
    for a in rows:
        if a.unit_id is not None:
            u = units.get(a.unit_id)
            name, region = (u.name, u.region) if u else (str(a.unit_id), "")
        else:
            g = groups.get(a.group_id)
            name, region = (g.name, g.region) if g else ("?", "")
        out.append(Owner(a.id, a.unit_id, a.group_id, name, a.role, region, counts.get(a.id, 0)))
    out.sort(key=lambda o: (ROLES.index(o.role) if o.role in ROLES else 9, o.unresolved, o.name))
    return out


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise DubanError(f"角色只能是牵头、责任或配合：{role}")


def change_owners(session: Session, task_id: int, change: OwnerChange, actor: str) -> list[str]:
    """Apply one change to a task's owners; returns a Chinese line per effect.

    Everything is checked against the state the whole change leaves, so swapping a lead and
    a responsible unit in one change works; a change that would break a rule is refused
    whole with the reason."""
    task = _task(session, task_id)
    label = f"{task.number}{task.title}"
    live = {
        a.id: a
        for a in session.exec(
            select(Assignment).where(Assignment.task_id == task_id, Assignment.active.is_(True))
        ).scalars()
    }
    names = _unit_names(session, [a.unit_id for a in live.values()] + [u for u, _ in change.add])
    effects: list[str] = []
    state: dict[int, tuple[int | None, str]] = {
        aid: (a.unit_id, a.role) for aid, a in live.items() if a.group_id is None
    }
    for aid in change.remove:
        if aid not in live:
            raise DubanError(f"落实事项 {aid} 不是该任务当前的负责单位")
        state.pop(aid, None)
    for aid, role in change.roles:
        _check_role(role)
        if aid not in live or live[aid].group_id is not None or aid in change.remove:
            raise DubanError(f"落实事项 {aid} 不能改变角色")
        state[aid] = (live[aid].unit_id, role)
    adds: list[tuple[int, str]] = []
    for uid, role in change.add:
        _check_role(role)
        if uid not in names:
            raise DubanError(f"找不到单位：{uid}")
        adds.append((uid, role))
    wanted = list(state.values()) + [(u, r) for u, r in adds]
    seen: set[tuple[int | None, str]] = set()
    for key in wanted:
        if key in seen:
            raise DubanError(f"{names.get(key[0], key[0])}已是该任务的{ROLE_LABEL[key[1]]}单位")
        seen.add(key)
    leads = {u for u, r in wanted if r == "lead"}
    for u, r in wanted:
        if r != "lead" and u in leads:
            raise DubanError(
                f"{names.get(u, u)}是该任务的牵头单位，不能同时列为{ROLE_LABEL[r]}单位"
            )
    if not (change.remove or change.roles or change.add):
        raise DubanError("负责单位没有变化")

    for aid in change.remove:
        a = live[aid]
        a.active = False
        who = names.get(a.unit_id) if a.unit_id else _group_name(session, a.group_id)
        record(
            session,
            actor,
            "owner.remove",
            "assignment",
            a.id,
            {"active": True, "task_id": task_id, "unit_id": a.unit_id, "role": a.role},
            {"active": False, "task": label, "unit": who},
        )
        effects.append(f"移除 {who}（{ROLE_LABEL.get(a.role, a.role)}）")
    session.flush()
    for aid, role in change.roles:
        a = live[aid]
        if a.role == role:
            continue
        before = a.role
        a.role = role
        record(
            session,
            actor,
            "owner.role",
            "assignment",
            a.id,
            {"role": before, "task_id": task_id, "unit_id": a.unit_id},
            {"role": role, "task": label, "unit": names.get(a.unit_id)},
        )
        effects.append(f"{names.get(a.unit_id)}：{ROLE_LABEL[before]} → {ROLE_LABEL[role]}")
    session.flush()
    for uid, role in adds:
        old = (
            session.exec(
                select(Assignment)
                .where(
                    Assignment.task_id == task_id,
                    Assignment.unit_id == uid,
                    Assignment.group_id.is_(None),
                    Assignment.role == role,
                    Assignment.active.is_(False),
                )
                .order_by(Assignment.id.desc())
            )
            .scalars()
            .first()
        )
        if old is not None:
            old.active = True
            a, reactivated = old, True
        else:
            a = Assignment(task_id=task_id, unit_id=uid, role=role, created_at=now())
            session.add(a)
            session.flush()
            reactivated = False
        record(
            session,
            actor,
            "owner.add",
            "assignment",
            a.id,
            None,
            {
                "task_id": task_id,
                "unit_id": uid,
                "role": role,
                "reactivated": reactivated,
                "task": label,
                "unit": names[uid],
            },
        )
        effects.append(f"新增 {names[uid]}（{ROLE_LABEL[role]}）")
    session.flush()
    return effects


def _unit_names(session: Session, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = [i for i in set(ids) if i is not None]
    if not wanted:
        return {}
    return {
        u.id: u.name
        for u in session.exec(
            select(Unit).where(Unit.id.in_(wanted), Unit.merged_into.is_(None))
        ).scalars()
    }


def _group_name(session: Session, group_id: int | None) -> str:
    g = session.get(UnitGroup, group_id) if group_id else None
    return g.name if g else "?"
