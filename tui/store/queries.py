"""Read-side queries for the command line and the desk; they return plain dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlmodel import Session

from tui.errors import DubanError
from tui.store.bulk import stream_rows
from tui.store.models import Assignment, Plan, Task, Unit, UnitAlias, UnitGroup
from tui.store.task_listing import records


@dataclass
class Owner:
    assignment_id: int
    role: str
    name: str
    unresolved: bool = False  # an unresolved group (待分解)
    via_group: str = ""


@dataclass
class TaskRow:
    id: int
    plan_id: int
    plan: str
    number: str
    key: str  # place in the outline (tui.domain.identity)
    section: str
    title: str
    text: str
    deadline_text: str
    owners: list[Owner] = field(default_factory=list)

    def owners_of(self, role: str) -> list[Owner]:
        return [o for o in self.owners if o.role == role]


def find_plan(session: Session, ref: str) -> Plan:
    """A plan by id, or by a unique part of its title (tui.store.plan_rows.find_plan_id)."""
    from tui.store.plan_rows import find_plan_id
    from tui.store.sqlconn import SessionConn

    return session.get(Plan, find_plan_id(SessionConn(session), ref))


def find_units(session: Session, ref: str) -> list[Unit]:
    """Units whose name or alias equals ref, else contains it."""
    exact = list(session.exec(select(Unit).where(Unit.name == ref)).scalars())
    alias_ids = list(
        session.exec(select(UnitAlias.unit_id).where(UnitAlias.alias == ref)).scalars()
    )
    if exact or alias_ids:
        extra = [session.get(Unit, i) for i in alias_ids]
        return list({u.id: u for u in exact + extra if u}.values())
    units = list(session.exec(select(Unit).where(Unit.name.contains(ref))).scalars())
    if not units:
        raise DubanError(f"找不到单位：{ref}")
    return units


def known_regions(session: Session) -> list[str]:
    """Every region the store knows: of its plans and of its unit directories."""
    from tui.store.models import Region

    found = {r for (r,) in session.exec(select(Plan.region).distinct()).all() if r}
    found |= {r for (r,) in session.exec(select(Region.name)).all() if r}
    return sorted(found)


def region_plan_ids(session: Session, region: str) -> list[int]:
    """The plans of a region (a city store holds several counties'); an unknown region is
    one clear error naming the ones there are."""
    region = region.strip()
    ids = [i for (i,) in session.exec(select(Plan.id).where(Plan.region == region)).all()]
    if not ids and region not in known_regions(session):
        regions = "、".join(known_regions(session)) or "无"
        raise DubanError(f"没有这个地区：{region}（库中的地区：{regions}）")
    return ids


def list_tasks(
    session: Session, plan: str | None = None, unit: str | None = None, region: str | None = None
) -> list[TaskRow]:
    q = (
        select(Task, Plan.title)
        .join(Plan, Plan.id == Task.plan_id)
        .where(Task.active.is_(True))
        .order_by(Task.plan_id, Task.position)
    )
    if plan:
        q = q.where(Task.plan_id == find_plan(session, plan).id)
    if region:
        q = q.where(Task.plan_id.in_(region_plan_ids(session, region)))
    if unit:
        unit_ids = [u.id for u in find_units(session, unit)]
        q = q.where(
            Task.id.in_(
                select(Assignment.task_id).where(
                    Assignment.unit_id.in_(unit_ids), Assignment.active.is_(True)
                )
            )
        )
    rows: dict[int, TaskRow] = {}
    for task, title in session.exec(q).all():
        rows[task.id] = TaskRow(
            task.id,
            task.plan_id,
            title,
            task.number,
            task.key or task.number,
            task.section_path,
            task.title,
            task.text,
            task.deadline_text,
        )
    if not rows:
        return []
    groups = {g.id: g.name for g in session.exec(select(UnitGroup)).scalars()}
    units = {u.id: u.name for u in session.exec(select(Unit)).scalars()}
    aq = (
        select(Assignment)
        .where(Assignment.active.is_(True), Assignment.task_id.in_(list(rows)))
        .order_by(Assignment.id)
    )
    for a in session.exec(aq).scalars():
        if a.unit_id is not None:
            owner = Owner(a.id, a.role, units[a.unit_id], via_group=groups.get(a.via_group_id, ""))
        else:
            owner = Owner(a.id, a.role, groups.get(a.group_id, "?"), unresolved=True)
        rows[a.task_id].owners.append(owner)
    return list(rows.values())


def search_units(session: Session, text: str) -> list[Unit]:
    return list(
        session.exec(
            select(Unit).where(
                or_(
                    Unit.name.contains(text),
                    Unit.id.in_(select(UnitAlias.unit_id).where(UnitAlias.alias.contains(text))),
                )
            )
        ).scalars()
    )


def task_records(
    conn,
    plan_id: int | None = None,
    unit_ids: list[int] | None = None,
    plan_ids: list[int] | None = None,
):
    """Every active task as a plain dict — owners by role and live deadlines included — in
    plan order, from three Core queries (no ORM objects: 200,000 assignments must list in
    about a second).

    Yields dicts in the shape of `duban tasks --format json`.
    """
    from sqlalchemy import and_, literal

    from tui.store.models import TaskDeadline

    t, p = Task.__table__.c, Plan.__table__.c
    a, u, g = Assignment.__table__.c, Unit.__table__.c, UnitGroup.__table__.c
    via = UnitGroup.__table__.alias("via")
    where = [t.active.is_(True)]
    if plan_id is not None:
        where.append(t.plan_id == plan_id)
    if plan_ids is not None:  # a region's plans
        where.append(t.plan_id.in_(plan_ids))
    if unit_ids is not None:
        where.append(t.id.in_(select(a.task_id).where(a.unit_id.in_(unit_ids), a.active.is_(True))))
    live = select(t.id).where(*where)

    owners_q = (
        select(a.task_id, a.role, u.name, g.name, via.c.name, a.unit_id)
        .select_from(
            Assignment.__table__.outerjoin(Unit.__table__, u.id == a.unit_id)
            .outerjoin(UnitGroup.__table__, g.id == a.group_id)
            .outerjoin(via, via.c.id == a.via_group_id)
        )
        .where(a.active.is_(True), a.task_id.in_(live))
        .order_by(a.task_id, a.id)
    )
    d = TaskDeadline.__table__.c
    deadlines_q = (
        select(
            d.task_id,
            d.source,
            d.kind,
            d.due,
            d.rrule,
            d.text,
            d.span_start,
            d.span_end,
            d.note,
            d.reason,
            d.created_by,
            d.created_at,
        )
        .where(d.active.is_(True), d.task_id.in_(live))
        .order_by(d.task_id, d.id)
    )
    tasks_q = (
        select(
            t.id,
            t.plan_id,
            p.title,
            t.number,
            t.key,
            t.section_path,
            t.title,
            t.text,
            t.deadline_text,
        )
        .select_from(Task.__table__.join(Plan.__table__, p.id == t.plan_id))
        .where(and_(*where), literal(True))
        .order_by(t.plan_id, t.position)
    )
    return records(
        stream_rows(conn, owners_q), stream_rows(conn, deadlines_q), stream_rows(conn, tasks_q)
    )
