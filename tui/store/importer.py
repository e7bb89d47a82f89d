"""Write a parsed plan into the store, in one transaction, and say what happened.

Identity rules: a plan is known by its normalised title; a task by its number as written
(the k-th occurrence of that number, for tables that restart numbering); an assignment by
task × unit (or unresolved group) × role. An edited plan therefore becomes a new revision
of the same plan, tasks that keep their number keep their row, and assignments that persist
keep their id, so progress, letters and audit history stay attached.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tui.clock import now as clock_now
from tui.domain.units import Directory, detect_region, is_group_reference, split_owner_list
from tui.errors import DubanError
from tui.ingest.parser import ROLE_LABEL, ROLES, ParsedPlan, ParsedTask
from tui.store.audit import audit_rows, record
from tui.store.deadlines import refresh_plan_deadlines
from tui.store.models import (
    Assignment,
    AuditLog,
    OutlineNode,
    Plan,
    PlanRevision,
    Task,
    Unit,
    UnitAlias,
    UnitGroup,
)
from tui.store.units import directory_from_store, stored_regions, sync_directory

Progress = Callable[[str, int, int], None]


@dataclass
class OwnerRef:
    """One resolved owner of a task, as the report shows it."""

    role: str
    name: str
    kind: str  # unit / group (defined, expanded) / unresolved (待分解)
    members: int = 0


@dataclass
class TaskReport:
    number: str
    title: str
    section: str
    line: int
    deadline_text: str
    owners: list[OwnerRef] = field(default_factory=list)


@dataclass
class ImportReport:
    source: str
    kind: str
    encoding: str | None
    plan_title: str
    plan_id: int | None
    status: str  # new / revised / unchanged
    dry_run: bool
    revision: int
    region: str
    issuer: str
    issue_date: str | None
    sections: int
    subsections: int
    tasks: list[TaskReport]
    has_owners: bool
    assignments: int
    unknown_units: list[str]
    unresolved_groups: list[str]
    unplaced: list[tuple[int, str]]
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    period: tuple[int, int] | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["tasks_count"] = len(self.tasks)
        d["unplaced"] = [{"line": n, "text": t} for n, t in self.unplaced]
        d["period"] = list(self.period) if self.period else None
        return d


def plan_key(title: str) -> str:
    return "".join(title.split()).replace("<", "《").replace(">", "》")


def content_hash(parsed: ParsedPlan) -> str:
    """Hash of what was understood, not of the bytes: the same plan as GBK text, Word or
    PDF is the same content and re-imports as unchanged."""
    payload = {
        "title": parsed.title,
        "nodes": [(n.level, n.number, n.heading) for n in parsed.nodes],
        "tasks": [(t.number, t.text, t.owner_fields, t.deadline_text) for t in parsed.tasks],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def check_has_tasks(parsed: ParsedPlan, source: str) -> None:
    if not parsed.tasks:
        raise DubanError(
            f"文件中没有找到任何任务（未识别出“（一）”“（1）”等任务编号或任务表格）：{source}"
        )


def _guess_kind(name: str) -> str:
    if name.endswith("苏木"):
        return "苏木"
    if name.endswith("街道") or name.endswith("办事处"):
        return "街道"
    if name.endswith("镇") or name.endswith("乡"):
        return "镇"
    if name.endswith(("局", "委", "办", "部", "院", "室", "队", "中心", "厅", "会", "所", "站")):
        return "部门"
    return "其他"


class _Resolver:
    """Turns raw owner names into unit ids and groups, creating unknown units as it goes."""

    def __init__(self, session: Session, region: str, directory: Directory, actor: str) -> None:
        self.session = session
        self.region = region
        self.directory = directory
        self.actor = actor
        self.unit_ids: dict[str, int] = {
            u.name: u.id for u in session.exec(select(Unit).where(Unit.region == region)).scalars()
        }
        for alias, uid in session.exec(
            select(UnitAlias.alias, UnitAlias.unit_id).where(UnitAlias.region == region)
        ).all():
            self.unit_ids.setdefault(alias, uid)
        self.group_ids: dict[str, int] = {
            g.name: g.id
            for g in session.exec(select(UnitGroup).where(UnitGroup.region == region)).scalars()
        }
        self.unknown_units: list[str] = []
        self.unresolved_groups: list[str] = []

    def resolve(self, name: str) -> list[tuple[int | None, int | None, int | None, OwnerRef]]:
        """→ [(unit_id, group_id, via_group_id, ref)] for one owner name."""
        entry = self.directory.resolve(name)
        if entry is not None:
            return [(self.unit_ids[entry.name], None, None, OwnerRef("", entry.name, "unit"))]
        if is_group_reference(name):
            group = self.directory.resolve_group(name)
            if group is not None:
                members = self.directory.group_units(group)
                gid = self.group_ids[group.name]
                ref = OwnerRef("", group.name, "group", len(members))
                return [(self.unit_ids[m.name], None, gid, ref) for m in members]
            gid = self.group_ids.get(name)
            if gid is None:
                group_row = UnitGroup(region=self.region, name=name)
                self.session.add(group_row)
                self.session.flush()
                gid = self.group_ids[name] = group_row.id
            if name not in self.unresolved_groups:
                self.unresolved_groups.append(name)
            return [(None, gid, None, OwnerRef("", name, "unresolved"))]
        uid = self.unit_ids.get(name)
        if uid is None:
            unit = Unit(region=self.region, name=name, kind=_guess_kind(name))
            self.session.add(unit)
            self.session.flush()
            uid = self.unit_ids[name] = unit.id
            record(
                self.session,
                self.actor,
                "unit.create",
                "unit",
                uid,
                None,
                {"name": name, "region": self.region, "kind": unit.kind, "from": "import"},
            )
            self.unknown_units.append(name)
        return [(uid, None, None, OwnerRef("", name, "unit"))]


def _pick_region(
    session: Session, parsed: ParsedPlan, region: str | None, shipped: list[Directory]
) -> Directory | None:
    text = parsed.title + "\n" + parsed.issuer + "\n" + parsed.plan_text[:4000]
    if region:
        for d in shipped:
            if d.region == region:
                return d
        for r in stored_regions(session):
            if r.name == region:
                return None
        raise DubanError(f"未知的地区：{region}（可用：{'、'.join(d.region for d in shipped)}）")
    stored = {r.name: directory_from_store(session, r.name) for r in stored_regions(session)}
    candidates = list(stored.values()) + [d for d in shipped if d.region not in stored]
    return detect_region(text, candidates)


def import_parsed(
    engine: Engine,
    parsed: ParsedPlan,
    *,
    source: str,
    kind: str,
    encoding: str | None = None,
    dry_run: bool = False,
    region: str | None = None,
    plan_year: int | None = None,
    actor: str = "",
    shipped: list[Directory] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    check_has_tasks(parsed, source)
    if shipped is None:
        from tui.domain.units import load_shipped_directories

        shipped = load_shipped_directories()
    chash = content_hash(parsed)
    key = plan_key(parsed.title)
    session = Session(engine, expire_on_commit=False)
    session.info["batch"] = uuid.uuid4().hex
    try:
        report = _import(
            session,
            parsed,
            chash,
            key,
            source,
            kind,
            encoding,
            region,
            plan_year,
            actor,
            shipped,
            progress,
        )
        report.dry_run = dry_run
        if dry_run:
            session.rollback()
        else:
            session.commit()
        return report
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _period(parsed: ParsedPlan, plan_year: int | None) -> tuple[int, int, str] | None:
    try:
        from tui.domain.plan_context import plan_context_for_year, plan_context_from_text
    except ImportError:  # pragma: no cover - the deadline module ships with the package
        return None
    ctx = (
        plan_context_for_year(plan_year)
        if plan_year
        else plan_context_from_text(parsed.title, parsed.plan_text[:3000])
    )
    if ctx is None:
        return None
    return ctx.start_year, ctx.end_year, ctx.source


def _import(
    session, parsed, chash, key, source, kind, encoding, region, plan_year, actor, shipped, progress
) -> ImportReport:
    now = clock_now()
    plan = session.exec(select(Plan).where(Plan.key == key)).scalars().first()
    period = _period(parsed, plan_year)
    base = dict(
        source=source,
        kind=kind,
        encoding=encoding,
        plan_title=parsed.title,
        issuer=parsed.issuer,
        issue_date=parsed.issue_date,
        sections=len(parsed.sections),
        subsections=len(parsed.subsections),
        has_owners=parsed.has_owners,
        unplaced=parsed.unplaced,
        period=(period[0], period[1]) if period else None,
    )
    if (
        plan is not None
        and plan.content_hash == chash
        and (plan_year is None or plan.period_start == plan_year)
    ):
        n_assign = session.exec(
            select(Assignment.id)
            .join(Task)
            .where(Task.plan_id == plan.id, Assignment.active.is_(True))
        ).all()
        return ImportReport(
            **base,
            plan_id=plan.id,
            status="unchanged",
            dry_run=False,
            revision=plan.revision,
            region=plan.region,
            tasks=_task_reports_from_parsed(parsed),
            assignments=len(n_assign),
            unknown_units=[],
            unresolved_groups=[],
        )

    directory = _pick_region(session, parsed, region, shipped)
    region_name = directory.region if directory else (region or "")
    if directory is not None and directory.source != "store":
        sync_directory(session, directory, actor)
    directory = directory_from_store(session, region_name)
    resolver = _Resolver(session, region_name, directory, actor)

    status = "new" if plan is None else "revised"
    if plan is None:
        plan = Plan(
            key=key,
            title=parsed.title,
            content_hash=chash,
            imported_at=now,
            imported_by=actor,
            revision=1,
        )
        session.add(plan)
    else:
        plan.revision += 1
    plan.title = parsed.title
    plan.issuer = parsed.issuer
    plan.issue_date = date.fromisoformat(parsed.issue_date) if parsed.issue_date else None
    plan.region = region_name
    plan.source_name = Path(source).name
    plan.content_hash = chash
    plan.plan_text = parsed.plan_text
    plan.imported_at = now
    plan.imported_by = actor
    if period:
        plan.period_start, plan.period_end, plan.period_source = period
    session.flush()

    # Outline: rebuilt each revision; tasks point at the new nodes.
    old_nodes = [
        n.id
        for n in session.exec(select(OutlineNode).where(OutlineNode.plan_id == plan.id)).scalars()
    ]
    node_ids: list[int] = []
    for i, n in enumerate(parsed.nodes):
        parent = node_ids[n.parent] if n.parent is not None else None
        row = OutlineNode(
            plan_id=plan.id,
            parent_id=parent,
            level=n.level,
            number=n.number,
            heading=n.heading,
            body=n.body,
            position=i,
        )
        session.add(row)
        session.flush()
        node_ids.append(row.id)

    existing: dict[str, Task] = {}
    for t in session.exec(
        select(Task).where(Task.plan_id == plan.id).order_by(Task.position)
    ).scalars():
        existing[_occurrence_key(existing, t.number)] = t
    seen_keys: dict[str, int | None] = {}
    added, removed, changed = [], [], []
    task_reports: list[TaskReport] = []
    total = len(parsed.tasks)
    new_task_rows: list[tuple[str, dict]] = []
    for i, pt in enumerate(parsed.tasks):
        k = _occurrence_key(seen_keys, pt.number)
        path = parsed.section_path(pt)
        section = " / ".join(f"{n.number}{n.heading}" for n in path)
        values = dict(
            plan_id=plan.id,
            node_id=node_ids[pt.node] if pt.node is not None else None,
            number=pt.number,
            title=pt.title,
            text=pt.text,
            deadline_text=pt.deadline_text,
            section_path=section,
            position=i,
            source_line=pt.line,
            active=True,
            last_revision=plan.revision,
        )
        old = existing.get(k)
        if old is None:
            new_task_rows.append((k, dict(values, first_revision=plan.revision)))
            added.append(pt.number)
        else:
            if (old.text, old.deadline_text, old.active) != (pt.text, pt.deadline_text, True):
                changed.append(pt.number)
                record(
                    session,
                    actor,
                    "task.update",
                    "task",
                    old.id,
                    {"text": old.text, "deadline_text": old.deadline_text, "active": old.active},
                    {"text": pt.text, "deadline_text": pt.deadline_text, "active": True},
                )
            for attr, v in values.items():
                setattr(old, attr, v)
        seen_keys[k] = old.id if old is not None else None
        if progress and i % 200 == 0:
            progress("tasks", i, total)
    if new_task_rows:
        # Core, not ORM, bulk inserts: the ORM path with RETURNING is quadratic in rows.
        conn = session.connection()
        ids = (
            conn.execute(
                insert(Task.__table__).returning(Task.__table__.c.id, sort_by_parameter_order=True),
                [v for _, v in new_task_rows],
            )
            .scalars()
            .all()
        )
        for (k, _), tid in zip(new_task_rows, ids, strict=True):
            seen_keys[k] = tid
        conn.execute(
            insert(AuditLog.__table__),
            audit_rows(
                actor,
                "task.create",
                "task",
                [
                    (tid, None, {"number": v["number"], "title": v["title"]})
                    for (_, v), tid in zip(new_task_rows, ids, strict=True)
                ],
                batch=session.info["batch"],
            ),
        )
    for k, t in existing.items():
        if k not in seen_keys and t.active:
            t.active = False
            removed.append(t.number)
            record(session, actor, "task.remove", "task", t.id, {"active": True}, {"active": False})
    session.flush()
    if old_nodes:
        session.execute(
            update(Task)
            .where(Task.node_id.in_(old_nodes), Task.active.is_(False))
            .values(node_id=None)
        )
        session.execute(OutlineNode.__table__.delete().where(OutlineNode.id.in_(old_nodes)))

    # Assignments.
    keys_in_order = []
    seen2: dict[str, int] = {}
    for pt in parsed.tasks:
        keys_in_order.append(_occurrence_key(seen2, pt.number))
    task_ids = [seen_keys[k] for k in keys_in_order]
    current: dict[tuple, Assignment] = {}
    for a in session.exec(select(Assignment).join(Task).where(Task.plan_id == plan.id)).scalars():
        current[(a.task_id, a.unit_id, a.group_id, a.role)] = a
    wanted: set[tuple] = set()
    new_rows: list[dict] = []
    for i, (pt, tid) in enumerate(zip(parsed.tasks, task_ids, strict=True)):
        owners: list[OwnerRef] = []
        for role, raw in pt.owner_fields:
            for name in split_owner_list(raw):
                for unit_id, group_id, via, ref in resolver.resolve(name):
                    akey = (tid, unit_id, group_id, role)
                    if akey not in wanted:
                        wanted.add(akey)
                        if akey in current:
                            a = current[akey]
                            if not a.active:
                                a.active = True
                                record(
                                    session,
                                    actor,
                                    "assignment.reactivate",
                                    "assignment",
                                    a.id,
                                    {"active": False},
                                    {"active": True},
                                )
                        else:
                            new_rows.append(
                                dict(
                                    task_id=tid,
                                    unit_id=unit_id,
                                    group_id=group_id,
                                    via_group_id=via,
                                    role=role,
                                    active=True,
                                    created_at=now,
                                )
                            )
                    ref = OwnerRef(role, ref.name, ref.kind, ref.members)
                    if not any(o.role == role and o.name == ref.name for o in owners):
                        owners.append(ref)
        path = parsed.section_path(pt)
        task_reports.append(
            TaskReport(
                number=pt.number,
                title=pt.title,
                line=pt.line,
                deadline_text=pt.deadline_text,
                section=" / ".join(f"{n.number}{n.heading}" for n in path),
                owners=owners,
            )
        )
        if progress and i % 200 == 0:
            progress("assignments", i, total)
    if new_rows:
        conn = session.connection()
        ids = (
            conn.execute(
                insert(Assignment.__table__).returning(
                    Assignment.__table__.c.id, sort_by_parameter_order=True
                ),
                new_rows,
            )
            .scalars()
            .all()
        )
        conn.execute(
            insert(AuditLog.__table__),
            audit_rows(
                actor,
                "assignment.create",
                "assignment",
                [
                    (aid, None, {k: r[k] for k in ("task_id", "unit_id", "group_id", "role")})
                    for r, aid in zip(new_rows, ids, strict=True)
                ],
                batch=session.info["batch"],
            ),
        )
    for akey, a in current.items():
        if akey not in wanted and a.active:
            a.active = False
            record(
                session,
                actor,
                "assignment.remove",
                "assignment",
                a.id,
                {"active": True},
                {"active": False},
            )

    refresh_plan_deadlines(session, plan, actor)
    summary = {"added": added, "removed": removed, "changed": changed}
    session.add(
        PlanRevision(
            plan_id=plan.id,
            revision=plan.revision,
            content_hash=chash,
            source_name=plan.source_name,
            imported_at=now,
            imported_by=actor,
            summary=json.dumps(summary, ensure_ascii=False),
        )
    )
    record(
        session,
        actor,
        "plan.import",
        "plan",
        plan.id,
        None,
        {"title": plan.title, "revision": plan.revision, "source": plan.source_name, **summary},
    )
    session.flush()
    if progress:
        progress("done", total, total)
    return ImportReport(
        **base,
        plan_id=plan.id,
        status=status,
        dry_run=False,
        revision=plan.revision,
        region=region_name,
        tasks=task_reports,
        assignments=len(wanted),
        unknown_units=resolver.unknown_units,
        unresolved_groups=resolver.unresolved_groups,
        added=added if status == "revised" else [],
        removed=removed,
        changed=changed,
    )


def _occurrence_key(seen: dict, number: str) -> str:
    k = 0
    while f"{number}#{k}" in seen:
        k += 1
    return f"{number}#{k}"


def _task_reports_from_parsed(parsed: ParsedPlan) -> list[TaskReport]:
    out = []
    for pt in parsed.tasks:
        path = parsed.section_path(pt)
        owners = [
            OwnerRef(role, name, "unit")
            for role, raw in pt.owner_fields
            for name in split_owner_list(raw)
        ]
        out.append(
            TaskReport(
                pt.number,
                pt.title,
                " / ".join(f"{n.number}{n.heading}" for n in path),
                pt.line,
                pt.deadline_text,
                owners,
            )
        )
    return out


def role_label(role: str) -> str:
    return ROLE_LABEL.get(role, role)


__all__ = ["ImportReport", "TaskReport", "OwnerRef", "import_parsed", "ROLES", "ParsedTask"]
