"""Units, aliases and groups in the store; the directory files are loaded into these tables.

The store, not the TOML files, is the source of truth once loaded: staff edit heads, aliases
and merges in the desk, and name resolution during import reads them back from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from tui.domain.units import Directory, GroupEntry, UnitEntry
from tui.errors import DubanError
from tui.store.audit import record
from tui.store.models import Assignment, Region, Unit, UnitAlias, UnitGroup, UnitGroupMember

UNIT_FIELDS = ("kind", "head", "contact", "phone", "address", "sample")


@dataclass
class SyncResult:
    region: str
    units_added: list[str]
    units_updated: list[str]
    groups_added: list[str]


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split("、") if v)


def sync_directory(
    session: Session, directory: Directory, actor: str, *, update: bool = False
) -> SyncResult:
    """Load a directory into the store; existing units keep staff edits unless `update`."""
    result = SyncResult(directory.region, [], [], [])
    region = session.get(Region, directory.region)
    if region is None:
        session.add(
            Region(
                name=directory.region,
                prefixes="、".join(directory.prefixes),
                match="、".join(directory.match),
                source=directory.source,
            )
        )
        session.flush()  # the write transaction is ours from here (see _load_new_region)
        if not session.exec(select(Unit.id).where(Unit.region == directory.region)).first():
            return _load_new_region(session, directory, actor, result)
    existing = {
        u.name: u
        for u in session.exec(select(Unit).where(Unit.region == directory.region)).scalars()
    }
    taken_aliases = set(
        session.exec(select(UnitAlias.alias).where(UnitAlias.region == directory.region)).scalars()
    )
    for entry in directory.units:
        unit = existing.get(entry.name)
        if unit is None:
            unit = Unit(region=directory.region, name=entry.name, from_directory=True)
            _apply_entry(unit, entry)
            session.add(unit)
            session.flush()
            existing[entry.name] = unit
            result.units_added.append(entry.name)
            record(session, actor, "unit.create", "unit", unit.id, None, _unit_dict(unit))
        elif update:
            before = _unit_dict(unit)
            _apply_entry(unit, entry)
            unit.from_directory = True
            after = _unit_dict(unit)
            if after != before:
                result.units_updated.append(entry.name)
                record(session, actor, "unit.update", "unit", unit.id, before, after)
        for alias in entry.aliases:
            if alias not in taken_aliases and alias not in existing:
                session.add(UnitAlias(unit_id=unit.id, region=directory.region, alias=alias))
                taken_aliases.add(alias)
    groups = {
        g.name: g
        for g in session.exec(
            select(UnitGroup).where(UnitGroup.region == directory.region)
        ).scalars()
    }
    for gentry in directory.groups:
        group = groups.get(gentry.name)
        if group is None:
            group = UnitGroup(region=directory.region, name=gentry.name)
            session.add(group)
            result.groups_added.append(gentry.name)
        group.aliases = "、".join(gentry.aliases)
        session.flush()
        have = set(
            session.exec(
                select(UnitGroupMember.unit_id).where(UnitGroupMember.group_id == group.id)
            ).scalars()
        )
        for member in gentry.members:
            unit = existing.get(member)
            if unit is not None and unit.id not in have:
                session.add(UnitGroupMember(group_id=group.id, unit_id=unit.id))
                have.add(unit.id)
    session.flush()
    return result


def _load_new_region(
    session: Session, directory: Directory, actor: str, result: SyncResult
) -> SyncResult:
    """A region's first load (every import into a new store): units, aliases, groups and
    their audit rows inserted a table at a time rather than as one ORM object each,
    flushed one by one (a third of a seed import's own work). Same rows and audit entries
    as the general path, in the same order."""
    from tui.store.audit import audit_rows, insert_audit
    from tui.store.bulk import insert_many, insert_rows

    conn = session.connection()
    rows, seen = [], set()
    for entry in directory.units:
        if entry.name in seen:
            continue
        seen.add(entry.name)
        rows.append(
            {
                "region": directory.region,
                "name": entry.name,
                **{k: getattr(entry, k) for k in UNIT_FIELDS},
                "from_directory": True,
            }
        )
    ids = dict(zip((r["name"] for r in rows), insert_rows(conn, Unit.__table__, rows), strict=True))
    result.units_added = [r["name"] for r in rows]
    insert_audit(
        session,
        audit_rows(
            actor,
            "unit.create",
            "unit",
            [
                (ids[r["name"]], None, {"name": r["name"], "region": r["region"]} | _fields(r))
                for r in rows
            ],
            session.info.get("batch", ""),
        ),
    )
    # An alias is skipped when taken, or when it is the name of a unit listed up to here
    # (as the general path, which adds units in order, does).
    aliases, taken, named = [], set(), set()
    for entry in directory.units:
        named.add(entry.name)
        for alias in entry.aliases:
            if alias not in taken and alias not in named:
                aliases.append(
                    {"unit_id": ids[entry.name], "region": directory.region, "alias": alias}
                )
                taken.add(alias)
    insert_many(conn, UnitAlias.__table__, aliases)
    groups: dict[str, tuple[UnitGroup, dict[int, None]]] = {}
    for gentry in directory.groups:
        if gentry.name not in groups:
            group = UnitGroup(region=directory.region, name=gentry.name)
            session.add(group)
            groups[gentry.name] = (group, {})
            result.groups_added.append(gentry.name)
        group, members = groups[gentry.name]
        group.aliases = "、".join(gentry.aliases)
        members.update(dict.fromkeys(ids[m] for m in gentry.members if m in ids))
    session.flush()
    insert_many(
        conn,
        UnitGroupMember.__table__,
        [{"group_id": g.id, "unit_id": u} for g, members in groups.values() for u in members],
    )
    return result


def _fields(row: dict) -> dict:
    return {k: row[k] for k in UNIT_FIELDS}


def _apply_entry(unit: Unit, entry: UnitEntry) -> None:
    for name in UNIT_FIELDS:
        setattr(unit, name, getattr(entry, name))


def _unit_dict(unit: Unit) -> dict:
    return {
        "name": unit.name,
        "region": unit.region,
        **{k: getattr(unit, k) for k in UNIT_FIELDS},
    }


def directory_from_store(session: Session, region: str) -> Directory:
    """The region's units, aliases and groups as a Directory, for name resolution."""
    reg = session.get(Region, region)
    units = list(
        session.exec(
            select(Unit).where(Unit.region == region, Unit.merged_into.is_(None)).order_by(Unit.id)
        ).scalars()
    )
    aliases: dict[int, list[str]] = {}
    for a in session.exec(select(UnitAlias).where(UnitAlias.region == region)).scalars():
        aliases.setdefault(a.unit_id, []).append(a.alias)
    by_id = {u.id: u for u in units}
    members: dict[int, list[str]] = {}
    for gid, uid in session.exec(
        select(UnitGroupMember.group_id, UnitGroupMember.unit_id)
        .join(UnitGroup, UnitGroup.id == UnitGroupMember.group_id)
        .where(UnitGroup.region == region)
    ).all():
        if uid in by_id:
            members.setdefault(gid, []).append(by_id[uid].name)
    groups = [
        GroupEntry(g.name, _split(g.aliases), tuple(members.get(g.id, ())))
        for g in session.exec(select(UnitGroup).where(UnitGroup.region == region)).scalars()
        if members.get(g.id)
    ]
    return Directory(
        region=region,
        prefixes=_split(reg.prefixes) if reg else (),
        match=_split(reg.match) if reg else (),
        units=tuple(
            UnitEntry(
                name=u.name,
                kind=u.kind,
                aliases=tuple(aliases.get(u.id, ())),
                head=u.head,
                contact=u.contact,
                phone=u.phone,
                address=u.address,
                sample=u.sample,
            )
            for u in units
        ),
        groups=tuple(groups),
        source="store",
    )


def stored_regions(session: Session) -> list[Region]:
    return list(session.exec(select(Region).order_by(Region.name)).scalars())


@dataclass
class UnitRow:
    id: int
    region: str
    name: str
    kind: str
    aliases: list[str]
    head: str
    contact: str
    phone: str
    sample: bool
    assignments: int


def list_units(session: Session, region: str | None = None) -> list[UnitRow]:
    counts = dict(
        session.exec(
            select(Assignment.unit_id, func.count())
            .where(Assignment.active.is_(True), Assignment.unit_id.is_not(None))
            .group_by(Assignment.unit_id)
        ).all()
    )
    aliases: dict[int, list[str]] = {}
    for a in session.exec(select(UnitAlias)).scalars():
        aliases.setdefault(a.unit_id, []).append(a.alias)
    q = select(Unit).where(Unit.merged_into.is_(None)).order_by(Unit.region, Unit.kind, Unit.id)
    if region:
        q = q.where(Unit.region == region)
    return [
        UnitRow(
            u.id,
            u.region,
            u.name,
            u.kind,
            aliases.get(u.id, []),
            u.head,
            u.contact,
            u.phone,
            u.sample,
            counts.get(u.id, 0),
        )
        for u in session.exec(q).scalars()
    ]


def unit_json(row: UnitRow) -> str:
    return json.dumps(row.__dict__, ensure_ascii=False)


KINDS = ("镇", "苏木", "街道", "部门", "其他")


def guess_kind(name: str) -> str:
    """A new unit's kind from its name (镇/苏木/街道 by their ending, else 部门)."""
    for kind in ("苏木", "街道", "镇"):
        if name.endswith(kind) or name.endswith(kind + "人民政府"):
            return kind
    return "部门"


def create_unit(session: Session, region: str, name: str, actor: str, kind: str = "") -> Unit:
    """A unit the directory lacks, created at the desk (audited ``unit.create``; undo removes
    it while nothing refers to it). A name or alias already known in the region is refused."""
    name = name.strip()
    if not name:
        raise DubanError("单位名称不能为空")
    kind = kind or guess_kind(name)
    if kind not in KINDS:
        raise DubanError(f"单位类别只能是{'、'.join(KINDS)}：{kind}")
    taken = (
        session.exec(select(Unit).where(Unit.region == region, Unit.name == name)).scalars().first()
    )
    alias = (
        session.exec(select(UnitAlias).where(UnitAlias.region == region, UnitAlias.alias == name))
        .scalars()
        .first()
    )
    if taken is not None or alias is not None:
        raise DubanError(f"单位“{name}”已在名录中（{region or '未分地区'}）")
    unit = Unit(region=region, name=name, kind=kind)
    session.add(unit)
    session.flush()
    record(session, actor, "unit.create", "unit", unit.id, None, {**_unit_dict(unit), "desk": True})
    return unit


def unit_regions(session: Session) -> list[str]:
    """The regions that have units, in name order."""
    q = select(Unit.region).where(Unit.merged_into.is_(None)).distinct().order_by(Unit.region)
    return [r for r in session.exec(q).scalars() if r]
