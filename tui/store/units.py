"""Units, aliases and groups in the store; the directory files are loaded into these tables.

The store, not the TOML files, is the source of truth once loaded: staff edit heads, aliases
and merges in the desk, and name resolution during import reads them back from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.domain.units import Directory, GroupEntry, UnitEntry
from tui.errors import DubanError
from tui.store.audit import audit_rows, insert_audit_sql, record_sql
from tui.store.sqlconn import insert_many, insert_rows

if TYPE_CHECKING:  # the import path reads and writes units without SQLAlchemy
    from sqlmodel import Session

    from tui.store.models import Unit
    from tui.store.sqlconn import SqlConn

UNIT_FIELDS = ("kind", "head", "contact", "phone", "address", "sample")


@dataclass
class SyncResult:
    """What syncing a region's unit directory into the store changed."""

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
    from tui.store.sqlconn import SessionConn

    result = sync_directory_sql(SessionConn(session), directory, actor, update=update)
    session.expire_all()  # rows written past the ORM
    return result


_UNIT_COLUMNS = "id, name, region, kind, head, contact, phone, address, sample"


def sync_directory_sql(
    conn: SqlConn, directory: Directory, actor: str, *, update: bool = False
) -> SyncResult:
    """`sync_directory` in plain SQL (the import path runs it without SQLAlchemy)."""
    result = SyncResult(directory.region, [], [], [])
    region = directory.region
    if conn.one("SELECT name FROM region WHERE name = :r", {"r": region}) is None:
        conn.run(
            'INSERT INTO region (name, prefixes, "match", source) VALUES (:n, :p, :m, :s)',
            {
                "n": region,
                "p": "、".join(directory.prefixes),
                "m": "、".join(directory.match),
                "s": directory.source,
            },
        )
        if conn.one("SELECT id FROM unit WHERE region = :r LIMIT 1", {"r": region}) is None:
            return _load_new_region(conn, directory, actor, result)
    existing: dict[str, dict] = {}
    for row in conn.rows(f"SELECT {_UNIT_COLUMNS} FROM unit WHERE region = :r", {"r": region}):
        existing[row[1]] = _unit_row(row)
    taken_aliases = {
        a for (a,) in conn.rows("SELECT alias FROM unit_alias WHERE region = :r", {"r": region})
    }
    for entry in directory.units:
        unit = existing.get(entry.name)
        if unit is None:
            unit = {"name": entry.name, "region": region} | _entry_fields(entry)
            unit["id"] = conn.insert(
                "INSERT INTO unit (region, name, kind, head, contact, phone, address, sample, "
                "from_directory) VALUES (:region, :name, :kind, :head, :contact, :phone, "
                ":address, :sample, TRUE)",
                unit,
            )
            existing[entry.name] = unit
            result.units_added.append(entry.name)
            record_sql(conn, actor, "unit.create", "unit", unit["id"], None, _unit_dict(unit))
        elif update:
            before = _unit_dict(unit)
            unit.update(_entry_fields(entry))
            conn.run(
                "UPDATE unit SET kind = :kind, head = :head, contact = :contact, phone = :phone, "
                "address = :address, sample = :sample, from_directory = TRUE WHERE id = :id",
                unit,
            )
            after = _unit_dict(unit)
            if after != before:
                result.units_updated.append(entry.name)
                record_sql(conn, actor, "unit.update", "unit", unit["id"], before, after)
        for alias in entry.aliases:
            if alias not in taken_aliases and alias not in existing:
                conn.run(
                    "INSERT INTO unit_alias (unit_id, region, alias) VALUES (:u, :r, :a)",
                    {"u": unit["id"], "r": region, "a": alias},
                )
                taken_aliases.add(alias)
    groups = dict(conn.rows("SELECT name, id FROM unit_group WHERE region = :r", {"r": region}))
    for gentry in directory.groups:
        gid = groups.get(gentry.name)
        aliases = "、".join(gentry.aliases)
        if gid is None:
            gid = groups[gentry.name] = conn.insert(
                "INSERT INTO unit_group (region, name, aliases) VALUES (:r, :n, :a)",
                {"r": region, "n": gentry.name, "a": aliases},
            )
            result.groups_added.append(gentry.name)
        else:
            conn.run("UPDATE unit_group SET aliases = :a WHERE id = :id", {"a": aliases, "id": gid})
        have = {
            u
            for (u,) in conn.rows(
                "SELECT unit_id FROM unit_group_member WHERE group_id = :g", {"g": gid}
            )
        }
        for member in gentry.members:
            unit = existing.get(member)
            if unit is not None and unit["id"] not in have:
                conn.run(
                    "INSERT INTO unit_group_member (group_id, unit_id) VALUES (:g, :u)",
                    {"g": gid, "u": unit["id"]},
                )
                have.add(unit["id"])
    return result


def _unit_row(row: tuple) -> dict:
    uid, name, region, kind, head, contact, phone, address, sample = row
    return {
        "id": uid,
        "name": name,
        "region": region,
        "kind": kind,
        "head": head,
        "contact": contact,
        "phone": phone,
        "address": address,
        "sample": bool(sample),
    }


def _entry_fields(entry: UnitEntry) -> dict:
    return {k: getattr(entry, k) for k in UNIT_FIELDS}


def _load_new_region(
    conn: SqlConn, directory: Directory, actor: str, result: SyncResult
) -> SyncResult:
    """A region's first load (every import into a new store): units, aliases, groups and
    their audit rows inserted a table at a time rather than one row per statement. Same rows
    and audit entries as the general path, in the same order."""
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
                "merged_into": None,
            }
        )
    ids = dict(zip((r["name"] for r in rows), insert_rows(conn, "unit", rows), strict=True))
    result.units_added = [r["name"] for r in rows]
    insert_audit_sql(
        conn,
        audit_rows(
            actor,
            "unit.create",
            "unit",
            [
                (ids[r["name"]], None, {"name": r["name"], "region": r["region"]} | _fields(r))
                for r in rows
            ],
            conn.batch,
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
    insert_rows(conn, "unit_alias", aliases)
    groups: dict[str, tuple[dict, dict[int, None]]] = {}
    for gentry in directory.groups:
        if gentry.name not in groups:
            groups[gentry.name] = ({"region": directory.region, "name": gentry.name}, {})
            result.groups_added.append(gentry.name)
        group, members = groups[gentry.name]
        group["aliases"] = "、".join(gentry.aliases)
        members.update(dict.fromkeys(ids[m] for m in gentry.members if m in ids))
    gids = insert_rows(conn, "unit_group", [g for g, _m in groups.values()])
    insert_many(
        conn,
        "unit_group_member",
        [
            {"group_id": gid, "unit_id": u}
            for gid, (_g, members) in zip(gids, groups.values(), strict=True)
            for u in members
        ],
    )
    return result


def _fields(row: dict) -> dict:
    return {k: row[k] for k in UNIT_FIELDS}


def _unit_dict(unit) -> dict:
    get = unit.get if isinstance(unit, dict) else lambda k: getattr(unit, k)
    return {"name": get("name"), "region": get("region"), **{k: get(k) for k in UNIT_FIELDS}}


def directory_from_store(session: Session, region: str) -> Directory:
    """The region's units, aliases and groups as a Directory, for name resolution."""
    from tui.store.sqlconn import SessionConn

    return directory_from_sql(SessionConn(session), region)


def directory_from_sql(conn: SqlConn, region: str) -> Directory:
    """`directory_from_store` in plain SQL."""
    reg = conn.one('SELECT prefixes, "match" FROM region WHERE name = :r', {"r": region})
    units = conn.rows(
        "SELECT id, name, kind, head, contact, phone, address, sample FROM unit "
        "WHERE region = :r AND merged_into IS NULL ORDER BY id",
        {"r": region},
    )
    aliases: dict[int, list[str]] = {}
    for unit_id, alias in conn.rows(
        "SELECT unit_id, alias FROM unit_alias WHERE region = :r ORDER BY id", {"r": region}
    ):
        aliases.setdefault(unit_id, []).append(alias)
    names = {u[0]: u[1] for u in units}
    members: dict[int, list[str]] = {}
    for gid, uid in conn.rows(
        "SELECT m.group_id, m.unit_id FROM unit_group_member m "
        "JOIN unit_group g ON g.id = m.group_id WHERE g.region = :r",
        {"r": region},
    ):
        if uid in names:
            members.setdefault(gid, []).append(names[uid])
    groups = [
        GroupEntry(name, _split(galiases), tuple(members.get(gid, ())))
        for gid, name, galiases in conn.rows(
            "SELECT id, name, aliases FROM unit_group WHERE region = :r ORDER BY id",
            {"r": region},
        )
        if members.get(gid)
    ]
    return Directory(
        region=region,
        prefixes=_split(reg[0]) if reg else (),
        match=_split(reg[1]) if reg else (),
        units=tuple(
            UnitEntry(
                name=name,
                kind=kind,
                aliases=tuple(aliases.get(uid, ())),
                head=head,
                contact=contact,
                phone=phone,
                address=address,
                sample=bool(sample),
            )
            for uid, name, kind, head, contact, phone, address, sample in units
        ),
        groups=tuple(groups),
        source="store",
    )


@dataclass(frozen=True)
class RegionRow:
    """One region of the store's unit directory."""

    name: str
    prefixes: str
    match: str
    source: str


def stored_regions(session: Session) -> list[RegionRow]:
    from tui.store.sqlconn import SessionConn

    return regions_sql(SessionConn(session))


def regions_sql(conn: SqlConn) -> list[RegionRow]:
    """The store's unit directories' regions, by name."""
    return [
        RegionRow(*r)
        for r in conn.rows('SELECT name, prefixes, "match", source FROM region ORDER BY name')
    ]


@dataclass
class UnitRow:
    """One unit of the store's unit directory."""

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
    from sqlalchemy import func, select

    from tui.store.models import Assignment, Unit, UnitAlias

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
    from sqlalchemy import select

    from tui.store.audit import record
    from tui.store.models import Unit, UnitAlias

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
    from sqlalchemy import select

    from tui.store.models import Unit

    q = select(Unit.region).where(Unit.merged_into.is_(None)).distinct().order_by(Unit.region)
    return [r for r in session.exec(q).scalars() if r]
