"""Merging a county's store into this one (`duban import-store`): a city over its counties.

Rules, in the order the rows are copied:
- units by (region, name), aliases by (region, alias), groups by (region, name): found here
  or created; a county row without a region takes the county's (its origin), because in a
  city store a row without a region would belong to every county at once;
- a plan by the importer's identity (tui.store.importer: normalised title, region, issuer)
  and its content: the same content → the same plan (not duplicated; its tasks matched by
  outline key, its assignments by task × unit × group × role); a different content → a
  different revision, reported and not merged: continuing a plan across revisions is the
  importer's decision (it moves assignments between tasks, with the officer's review), and
  a merge must never retire or rewrite the city's tasks behind the officer's back;
- progress, extensions, ladder overrides, signed letters and circulars, replies, list
  issues: copied with their ids remapped. Letters and circulars keep the numbers the county
  issued, in the county's register (`origin`), so a county's 〔2024〕3号 sits beside the
  city's own. Drafts stay in the county: they are the county's unfinished work;
- the county's audit trail: every row appended to this store's chain with its origin (its
  own hash covers the origin), entity ids remapped where the entity was copied.
`merge_map` remembers which county row became which row here, so a second run copies only
what is new in the county and otherwise changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from tui.store.bulk import insert_many, insert_rows, update_rows
from tui.store.circular_models import Circular
from tui.store.importer import _norm as norm_issuer  # the importer's issuer rule, not a copy
from tui.store.letter_models import LadderOverride, Letter, LetterItem, LetterReply
from tui.store.models import (
    Assignment,
    AuditLog,
    Extension,
    ImportCorrection,
    ListIssue,
    MergeMap,
    OutlineNode,
    Plan,
    PlanRevision,
    Progress,
    Region,
    Task,
    TaskDeadline,
    Unit,
    UnitAlias,
    UnitGroup,
    UnitGroupMember,
)

Progress_ = Callable[[str, int, int], None]

DRAFT = "草稿"

# Table → what the merge report calls it (Chinese, shown to the officer).
LABELS = {
    "region": "地区",
    "unit": "单位",
    "unit_alias": "单位别名",
    "unit_group": "单位分组",
    "unit_group_member": "分组成员",
    "plan": "计划",
    "plan_revision": "计划修订记录",
    "import_correction": "导入更正",
    "outline_node": "提纲节点",
    "task": "任务",
    "task_deadline": "任务期限",
    "assignment": "落实事项",
    "progress": "进展",
    "extension": "延期申请",
    "ladder_override": "人工提级",
    "letter": "函件",
    "letter_item": "函件事项",
    "letter_reply": "函件回复",
    "list_issue": "任务清单登记",
    "circular": "通报",
    "audit_log": "审计记录",
}

# What of a signed letter or circular may still change (its wording and number never do).
_LETTER_STATE = (
    "status",
    "printed_at",
    "printed_by",
    "voided_at",
    "voided_by",
    "void_reason",
    "files",
)

# Audit entities whose ids are remapped (entity name → the table it names).
_ENTITY_KIND = {name: name for name in LABELS} | {"deadline": "task_deadline"}


@dataclass
class MergeReport:
    """What a merge did (or, in a dry run, would do)."""

    origin: str
    added: dict[str, int] = field(default_factory=dict)  # rows copied, per table
    matched: dict[str, int] = field(default_factory=dict)  # rows found here already
    updated: dict[str, int] = field(default_factory=dict)  # merged rows the county changed since
    mapped_new: int = 0  # merge_map rows written this run
    plans_not_merged: list[str] = field(default_factory=list)  # a different revision here
    drafts_left: int = 0  # county drafts (letters, circulars) not copied
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.added.values()) or any(self.updated.values()) or self.mapped_new > 0

    def add(self, table: str, n: int = 1) -> None:
        self.added[table] = self.added.get(table, 0) + n

    def match(self, table: str, n: int = 1) -> None:
        self.matched[table] = self.matched.get(table, 0) + n


def _rows(conn: Connection, table: Table, *where) -> list[dict]:
    q = select(table)
    for w in where:
        q = q.where(w)
    if "id" in table.c:
        q = q.order_by(table.c.id)
    return [dict(r._mapping) for r in conn.execute(q)]


class _Merge:
    def __init__(
        self, source: Connection, session: Session, origin: str, progress: Progress_ | None
    ) -> None:
        self.src = source
        self.session = session
        self.conn = session.connection()
        self.origin = origin
        self.progress = progress or (lambda _s, _d, _t: None)
        self.report = MergeReport(origin)
        self.maps: dict[str, dict[int, int]] = {}
        m = MergeMap.__table__.c
        for kind, sid, tid in self.conn.execute(
            select(m.kind, m.source_id, m.target_id).where(m.origin == origin)
        ):
            self.maps.setdefault(kind, {})[sid] = tid
        self.new_map: list[dict] = []
        self.src_cols: dict[str, set[str]] = {}
        self.skipped_plans: set[int] = set()
        self.created_plans: set[int] = set()  # source ids of plans copied whole this run

    # ------------------------------------------------------------ helpers

    def m(self, kind: str) -> dict[int, int]:
        return self.maps.setdefault(kind, {})

    def remember(self, kind: str, sid: int, tid: int) -> None:
        self.m(kind)[sid] = tid
        self.new_map.append(
            {"origin": self.origin, "kind": kind, "source_id": sid, "target_id": tid}
        )

    def region(self, value: str | None) -> str:
        return value or self.origin

    def values(self, table: Table, row: dict, **override: Any) -> dict:
        """A source row as values for the target table: the columns both have, no id."""
        out = {c.name: row[c.name] for c in table.columns if c.name != "id" and c.name in row}
        out.update(override)
        return out

    def insert(self, table: Table, kind: str, rows: list[tuple[int, dict]]) -> None:
        """Insert (source id, values) rows and remember each one's new id."""
        if not rows:
            return
        ids = insert_rows(self.conn, table, [v for _sid, v in rows])
        for (sid, _v), tid in zip(rows, ids, strict=True):
            self.remember(kind, sid, tid)
        self.report.add(kind, len(rows))

    def refresh(self, table: Table, kind: str, rows: list[dict], columns: tuple[str, ...]) -> None:
        """Rows merged before whose state the county has changed since (an item closed, a
        letter replied to or voided): the county's values, as its merged audit rows say."""
        done = self.m(kind)
        mapped = [r for r in rows if r["id"] in done]
        here: dict[int, tuple] = {}
        ids = sorted(done[r["id"]] for r in mapped)
        for chunk in _chunks(ids, 500):
            for row in self.conn.execute(
                select(table.c.id, *(table.c[c] for c in columns)).where(table.c.id.in_(chunk))
            ):
                here[row[0]] = tuple(row[1:])
        changes = []
        for r in mapped:
            theirs = tuple(r[c] for c in columns)
            tid = done[r["id"]]
            if tid in here and here[tid] != theirs:
                changes.append({"id": tid, **dict(zip(columns, theirs, strict=True))})
        update_rows(self.conn, table, changes)
        if changes:
            self.report.updated[kind] = self.report.updated.get(kind, 0) + len(changes)

    def step(self, name: str, i: int, total: int) -> None:
        self.progress(LABELS.get(name, name), i, total)

    # ------------------------------------------------------------ directory

    def regions(self) -> None:
        t = Region.__table__
        have = {r for (r,) in self.conn.execute(select(t.c.name))}
        new = [row for row in _rows(self.src, t) if row["name"] not in have]
        if new:
            insert_many(self.conn, t, new)
            self.report.add("region", len(new))

    def units(self) -> None:
        t = Unit.__table__
        src = _rows(self.src, t)
        done = self.m("unit")
        here = {(r, n): i for i, r, n in self.conn.execute(select(t.c.id, t.c.region, t.c.name))}
        new: list[tuple[int, dict]] = []
        for row in src:
            if row["id"] in done:
                continue
            key = (self.region(row["region"]), row["name"])
            if key in here:
                self.remember("unit", row["id"], here[key])
                self.report.match("unit")
            else:
                new.append((row["id"], self.values(t, row, region=key[0], merged_into=None)))
        self.insert(t, "unit", new)
        fresh = {sid for sid, _v in new}
        fix = [
            {"id": done[r["id"]], "merged_into": done[r["merged_into"]]}
            for r in src
            if r["id"] in fresh and r["merged_into"] in done
        ]
        update_rows(self.conn, t, fix)
        self._aliases()
        self._groups()

    def _aliases(self) -> None:
        t = UnitAlias.__table__
        done = self.m("unit_alias")
        here = {(r, a): i for i, r, a in self.conn.execute(select(t.c.id, t.c.region, t.c.alias))}
        new = []
        for row in _rows(self.src, t):
            if row["id"] in done or row["unit_id"] not in self.m("unit"):
                continue
            key = (self.region(row["region"]), row["alias"])
            if key in here:
                self.remember("unit_alias", row["id"], here[key])
                self.report.match("unit_alias")
            else:
                new.append(
                    (
                        row["id"],
                        self.values(t, row, region=key[0], unit_id=self.m("unit")[row["unit_id"]]),
                    )
                )
        self.insert(t, "unit_alias", new)

    def _groups(self) -> None:
        t = UnitGroup.__table__
        done = self.m("unit_group")
        here = {(r, n): i for i, r, n in self.conn.execute(select(t.c.id, t.c.region, t.c.name))}
        new = []
        for row in _rows(self.src, t):
            if row["id"] in done:
                continue
            key = (self.region(row["region"]), row["name"])
            if key in here:
                self.remember("unit_group", row["id"], here[key])
                self.report.match("unit_group")
            else:
                new.append((row["id"], self.values(t, row, region=key[0])))
        self.insert(t, "unit_group", new)
        mt = UnitGroupMember.__table__
        have = {tuple(r) for r in self.conn.execute(select(mt.c.group_id, mt.c.unit_id))}
        groups, units = self.m("unit_group"), self.m("unit")
        members = []
        for row in _rows(self.src, mt):
            g, u = groups.get(row["group_id"]), units.get(row["unit_id"])
            if g is None or u is None or (g, u) in have:
                continue
            have.add((g, u))
            members.append({"group_id": g, "unit_id": u})
        insert_many(self.conn, mt, members)
        if members:
            self.report.add("unit_group_member", len(members))

    # ------------------------------------------------------------ plans

    def plans(self) -> None:
        t = Plan.__table__
        done = self.m("plan")
        for row in _rows(self.src, t):
            region = self.region(row["region"])
            label = f"《{row['title']}》（{region}，第{row['revision']}版）"
            if row["id"] in done:
                here = self.conn.execute(
                    select(t.c.content_hash, t.c.revision).where(t.c.id == done[row["id"]])
                ).first()
                if here is not None and tuple(here) != (row["content_hash"], row["revision"]):
                    self.skipped_plans.add(row["id"])
                    self.report.plans_not_merged.append(label)
                continue
            candidates = self.conn.execute(
                select(t.c.id, t.c.issuer, t.c.content_hash).where(
                    t.c.key == row["key"], t.c.region == region
                )
            ).all()
            same_plan = [
                c
                for c in candidates
                if not (c.issuer and row["issuer"])
                or norm_issuer(c.issuer) == norm_issuer(row["issuer"])
            ]
            same = [c for c in same_plan if c.content_hash == row["content_hash"]]
            if same:
                self.remember("plan", row["id"], same[0].id)
                self.report.match("plan")
                self._match_plan(row["id"], same[0].id)
            elif same_plan:
                self.skipped_plans.add(row["id"])
                self.report.plans_not_merged.append(label)
            else:
                self.insert(t, "plan", [(row["id"], self.values(t, row, region=region))])
                self.created_plans.add(row["id"])
        self._plan_children()

    def _match_plan(self, sid: int, tid: int) -> None:
        """The same plan is here already: its tasks are found by outline key."""
        t = Task.__table__
        here = {
            (k, bool(a)): i
            for i, k, a in self.conn.execute(
                select(t.c.id, t.c.key, t.c.active).where(t.c.plan_id == tid)
            )
        }
        for row in _rows(self.src, t, t.c.plan_id == sid):
            found = here.get((row["key"], bool(row["active"])))
            if found is not None and row["id"] not in self.m("task"):
                self.remember("task", row["id"], found)
                self.report.match("task")

    def _plan_children(self) -> None:
        plans = self.m("plan")
        created = self.created_plans
        # Rows that only a plan copied whole brings (a matched plan has its own).
        for model, kind in (
            (PlanRevision, "plan_revision"),
            (ImportCorrection, "import_correction"),
        ):
            t = model.__table__
            self.insert(
                t,
                kind,
                [
                    (row["id"], self.values(t, row, plan_id=plans[row["plan_id"]]))
                    for row in _rows(self.src, t)
                    if row["plan_id"] in created
                ],
            )
        t = OutlineNode.__table__
        nodes = [row for row in _rows(self.src, t) if row["plan_id"] in created]
        self.insert(
            t,
            "outline_node",
            [
                (row["id"], self.values(t, row, plan_id=plans[row["plan_id"]], parent_id=None))
                for row in nodes
            ],
        )
        nmap = self.m("outline_node")
        update_rows(
            self.conn,
            t,
            [
                {"id": nmap[row["id"]], "parent_id": nmap[row["parent_id"]]}
                for row in nodes
                if row["parent_id"] is not None and row["parent_id"] in nmap
            ],
        )
        t = Task.__table__
        tasks = [row for row in _rows(self.src, t) if row["plan_id"] in created]
        self.insert(
            t,
            "task",
            [
                (
                    row["id"],
                    self.values(
                        t,
                        row,
                        plan_id=plans[row["plan_id"]],
                        node_id=nmap.get(row["node_id"]) if row["node_id"] else None,
                    ),
                )
                for row in tasks
            ],
        )
        new_tasks = {row["id"] for row in tasks}
        t = TaskDeadline.__table__
        tmap = self.m("task")
        self.insert(
            t,
            "task_deadline",
            [
                (row["id"], self.values(t, row, task_id=tmap[row["task_id"]]))
                for row in _rows(self.src, t)
                if row["task_id"] in new_tasks
            ],
        )

    # ------------------------------------------------------------ the items and their history

    def assignments(self) -> None:
        t = Assignment.__table__
        done, tasks = self.m("assignment"), self.m("task")
        units, groups = self.m("unit"), self.m("unit_group")
        tt = Task.__table__.c
        blocked_tasks = {
            i
            for i, plan in self.src.execute(select(tt.id, tt.plan_id))
            if plan in self.skipped_plans
        }
        every = _rows(self.src, t)
        # Nothing under a plan whose revision differs here is merged (see the module doc).
        self.blocked = {r["id"] for r in every if r["task_id"] in blocked_tasks}
        live = [r for r in every if r["id"] not in self.blocked]
        self.refresh(t, "assignment", live, ("completed_on", "due_override", "active"))
        src = [r for r in live if r["id"] not in done and r["task_id"] in tasks]
        targets = {tasks[r["task_id"]] for r in src}
        here: dict[tuple, int] = {}
        for chunk in _chunks(sorted(targets), 500):
            for i, task, unit, group, role in self.conn.execute(
                select(t.c.id, t.c.task_id, t.c.unit_id, t.c.group_id, t.c.role).where(
                    t.c.task_id.in_(chunk)
                )
            ):
                here[(task, unit, group, role)] = i
        new = []
        for i, row in enumerate(src):
            if i % 500 == 0:
                self.step("assignment", i, len(src))

            def remap(value, table):
                return None if value is None else table.get(value)

            values = self.values(
                t,
                row,
                task_id=tasks[row["task_id"]],
                unit_id=remap(row["unit_id"], units),
                group_id=remap(row["group_id"], groups),
                via_group_id=remap(row["via_group_id"], groups),
            )
            key = (values["task_id"], values["unit_id"], values["group_id"], values["role"])
            if key in here:
                self.remember("assignment", row["id"], here[key])
                self.report.match("assignment")
            else:
                new.append((row["id"], values))
        self.insert(t, "assignment", new)
        amap = self.m("assignment")
        for model, kind in (
            (Progress, "progress"),
            (Extension, "extension"),
            (LadderOverride, "ladder_override"),
        ):
            t = model.__table__
            seen = self.m(kind)
            self.insert(
                t,
                kind,
                [
                    (row["id"], self.values(t, row, assignment_id=amap[row["assignment_id"]]))
                    for row in _rows(self.src, t)
                    if row["id"] not in seen
                    and row["assignment_id"] in amap
                    and row["assignment_id"] not in self.blocked
                ],
            )

    def letters(self) -> None:
        t = Letter.__table__
        done, units = self.m("letter"), self.m("unit")
        src = _rows(self.src, t)
        drafts = [r for r in src if r["status"] == DRAFT]
        self.report.drafts_left += len(drafts)
        it = LetterItem.__table__.c
        held = {
            lid
            for lid, aid in self.src.execute(select(it.letter_id, it.assignment_id))
            if aid in self.blocked
        }
        src = [r for r in src if r["id"] not in held]
        self.refresh(t, "letter", [r for r in src if r["status"] != DRAFT], _LETTER_STATE)
        new = [
            (
                row["id"],
                self.values(
                    t,
                    row,
                    unit_id=units[row["unit_id"]],
                    supersedes_id=None,
                    origin=row.get("origin") or self.origin,
                ),
            )
            for row in src
            if row["status"] != DRAFT and row["id"] not in done and row["unit_id"] in units
        ]
        self.insert(t, "letter", new)
        fresh = {sid for sid, _v in new}
        update_rows(
            self.conn,
            t,
            [
                {"id": done[r["id"]], "supersedes_id": done[r["supersedes_id"]]}
                for r in src
                if r["id"] in fresh and r["supersedes_id"] in done
            ],
        )
        tasks, amap = self.m("task"), self.m("assignment")
        t = LetterItem.__table__
        self.insert(
            t,
            "letter_item",
            [
                (
                    row["id"],
                    self.values(
                        t,
                        row,
                        letter_id=done[row["letter_id"]],
                        assignment_id=amap[row["assignment_id"]],
                        task_id=tasks.get(row["task_id"]) if row["task_id"] else None,
                    ),
                )
                for row in _rows(self.src, t)
                if row["letter_id"] in fresh and row["assignment_id"] in amap
            ],
        )
        t = LetterReply.__table__
        seen = self.m("letter_reply")
        self.insert(
            t,
            "letter_reply",
            [
                (row["id"], self.values(t, row, letter_id=done[row["letter_id"]]))
                for row in _rows(self.src, t)
                if row["id"] not in seen and row["letter_id"] in done
            ],
        )
        self.fresh_letters = fresh

    def registers(self) -> None:
        plans, units = self.m("plan"), self.m("unit")
        t = ListIssue.__table__
        seen = self.m("list_issue")
        self.insert(
            t,
            "list_issue",
            [
                (
                    row["id"],
                    self.values(
                        t, row, plan_id=plans[row["plan_id"]], unit_id=units[row["unit_id"]]
                    ),
                )
                for row in _rows(self.src, t)
                if row["id"] not in seen
                and row["plan_id"] in plans
                and row["plan_id"] not in self.skipped_plans
                and row["unit_id"] in units
            ],
        )
        t = Circular.__table__
        seen = self.m("circular")
        src = _rows(self.src, t)
        self.report.drafts_left += sum(1 for r in src if r["status"] == DRAFT)
        self.insert(
            t,
            "circular",
            [
                (
                    row["id"],
                    self.values(
                        t,
                        row,
                        plan_id=plans[row["plan_id"]],
                        origin=row.get("origin") or self.origin,
                    ),
                )
                for row in src
                if row["status"] != DRAFT
                and row["id"] not in seen
                and row["plan_id"] in plans
                and row["plan_id"] not in self.skipped_plans
            ],
        )
        self.refresh(
            t,
            "circular",
            [r for r in src if r["status"] != DRAFT and r["plan_id"] not in self.skipped_plans],
            _LETTER_STATE,
        )

    def audit(self) -> None:
        """The county's trail, appended to ours row by row with its origin."""
        from tui.store.audit import insert_audit

        t = AuditLog.__table__
        seen = self.m("audit_log")
        src = [r for r in _rows(self.src, t) if r["id"] not in seen]
        seals = self._seals()
        rows = []
        for row in src:
            kind = _ENTITY_KIND.get(row["entity"])
            eid = row["entity_id"]
            if eid is not None:
                eid = self.m(kind).get(eid) if kind else None
            after = row["after"]
            if row["action"] == "letter.sign" and eid in seals:
                # The seal covers the letter's unit and items by id: re-sealed over the ids
                # here, after the county's seal was checked (tui.services.merge).
                data = json.loads(after or "{}")
                data["origin_seal"] = data.get("seal")
                data["seal"] = seals[eid]
                from tui.store.audit import to_json

                after = to_json(data)
            rows.append(
                {
                    "at": row["at"],
                    "actor": row["actor"],
                    "action": row["action"],
                    "entity": row["entity"],
                    "entity_id": eid,
                    "before": row["before"],
                    "after": after,
                    "batch": row["batch"],
                    "origin": row.get("origin") or self.origin,
                }
            )
        for i in range(0, len(rows), 5000):
            self.step("audit_log", i, len(rows))
            insert_audit(self.session, rows[i : i + 5000])
        if rows:
            # ids of what was just appended, in order, for the map
            ids = [
                i
                for (i,) in self.conn.execute(
                    select(t.c.id).order_by(t.c.id.desc()).limit(len(rows))
                )
            ][::-1]
            for row, tid in zip(src, ids, strict=True):
                self.remember("audit_log", row["id"], tid)
            self.report.add("audit_log", len(rows))

    def _seals(self) -> dict[int, str]:
        from tui.store.letter_seal import seals_of

        fresh = getattr(self, "fresh_letters", set())
        ids = [self.m("letter")[s] for s in fresh]
        return seals_of(self.session, ids) if ids else {}

    def run(self) -> MergeReport:
        steps = (
            self.regions,
            self.units,
            self.plans,
            self.assignments,
            self.letters,
            self.registers,
            self.audit,
        )
        for i, fn in enumerate(steps):
            self.progress("合并", i, len(steps))
            fn()
        self.progress("合并", len(steps), len(steps))
        if self.new_map:
            insert_many(self.conn, MergeMap.__table__, self.new_map)
            self.report.mapped_new = len(self.new_map)
        return self.report


def _chunks(values: list, n: int) -> Iterable[list]:
    for i in range(0, len(values), n):
        yield values[i : i + n]


def merge_store(
    source: Connection, session: Session, origin: str, progress: Progress_ | None = None
) -> MergeReport:
    """Copy what the county store on ``source`` holds and this store does not, inside the
    caller's transaction (the caller audits the batch and commits)."""
    return _Merge(source, session, origin, progress).run()


def source_regions(source: Connection) -> list[str]:
    """The regions a county store's plans are in (its origin, when there is one)."""
    t = Plan.__table__
    return sorted({r for (r,) in source.execute(select(t.c.region).distinct()) if r})
