"""Write a parsed plan into the store, in one transaction, and say what happened.

Identity rules:
- a task is its place in the outline — section path, number as written, occurrence
  (tui.domain.identity); a revision continues the old tasks by place and text (match_tasks);
- a plan is found by its title but is the same plan only when its issuer and region agree
  and most of its tasks are the same; otherwise the caller decides (PlanQuestion);
- an assignment is task × unit (or unresolved group) × role.
So an edited plan becomes a new revision of the same plan, tasks keep their rows and
assignments their ids, and progress, letters and audit history stay attached.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from tui import clock
from tui.domain.identity import match_tasks
from tui.domain.units import Directory, detect_region, is_group_reference
from tui.errors import DubanError
from tui.ingest.parser import ROLE_LABEL, ROLES, ParsedPlan, ParsedTask
from tui.store.audit import assignment_json, insert_audit_items, record_sql
from tui.store.deadlines import refresh_plan_deadlines
from tui.store.plan_rows import PlanRow, find_plan_id, get_plan, plans_by_key
from tui.store.sqlconn import insert_rows, update_rows, write_transaction
from tui.store.units import directory_from_sql, regions_sql, sync_directory_sql

if TYPE_CHECKING:  # the import runs on SQLAlchemy or on sqlite3 alone (tui.store.sqlconn)
    from tui.ingest.corrections import Correction
    from tui.store.sqlconn import SqlConn, Store

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
    """One imported task in the report: its place, number, title and owners."""

    key: str  # the task's place in the outline, e.g. 二、（一）
    number: str
    title: str
    section: str
    line: int
    deadline_text: str
    owners: list[OwnerRef] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import did, for the command's report (table or JSON)."""

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
    repaired: list[str] = field(default_factory=list)  # assignments moved to their own task
    traditional: bool = False  # read in traditional characters, parsed as simplified
    corrections: list[str] = field(default_factory=list)  # review fixes replayed on this import
    skipped_corrections: list[str] = field(default_factory=list)  # fixes whose task is gone
    # The document as imported, review fixes applied: what the desk's import review shows.
    parsed: ParsedPlan | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict:
        d = asdict(replace(self, parsed=None))
        del d["parsed"]
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

    def __init__(self, conn: SqlConn, region: str, directory: Directory, actor: str) -> None:
        self.conn = conn
        self.region = region
        self.directory = directory
        self.actor = actor
        by_region = {"r": region}
        self.unit_ids: dict[str, int] = dict(
            conn.rows("SELECT name, id FROM unit WHERE region = :r ORDER BY id", by_region)
        )
        for alias, uid in conn.rows(
            "SELECT alias, unit_id FROM unit_alias WHERE region = :r ORDER BY id", by_region
        ):
            self.unit_ids.setdefault(alias, uid)
        self.group_ids: dict[str, int] = dict(
            conn.rows("SELECT name, id FROM unit_group WHERE region = :r ORDER BY id", by_region)
        )
        self.unknown_units: list[str] = []
        self.unresolved_groups: list[str] = []
        self._seen: dict[str, list] = {}

    def resolve(
        self, name: str, group: bool = False
    ) -> list[tuple[int | None, int | None, int | None, OwnerRef]]:
        """→ [(unit_id, group_id, via_group_id, ref)] for one owner name (memoised: plans
        name the same few dozen units thousands of times). ``group``: the parser already
        knows the name stands for several units."""
        found = self._seen.get(name)
        if found is None:
            found = self._seen[name] = self._resolve(name, group)
        return found

    def _resolve(
        self, name: str, group: bool
    ) -> list[tuple[int | None, int | None, int | None, OwnerRef]]:
        entry = self.directory.resolve(name)
        if entry is not None:
            return [(self.unit_ids[entry.name], None, None, OwnerRef("", entry.name, "unit"))]
        if group or is_group_reference(name):
            defined = self.directory.resolve_group(name)
            if defined is not None:
                members = self.directory.group_units(defined)
                gid = self.group_ids[defined.name]
                ref = OwnerRef("", defined.name, "group", len(members))
                return [(self.unit_ids[m.name], None, gid, ref) for m in members]
            gid = self.group_ids.get(name)
            if gid is None:
                gid = self.group_ids[name] = self.conn.insert(
                    "INSERT INTO unit_group (region, name, aliases) VALUES (:r, :n, '')",
                    {"r": self.region, "n": name},
                )
            if name not in self.unresolved_groups:
                self.unresolved_groups.append(name)
            return [(None, gid, None, OwnerRef("", name, "unresolved"))]
        uid = self.unit_ids.get(name)
        if uid is None:
            kind = _guess_kind(name)
            uid = self.unit_ids[name] = self.conn.insert(
                "INSERT INTO unit (region, name, kind, head, contact, phone, address, sample, "
                "from_directory) VALUES (:r, :n, :k, '', '', '', '', FALSE, FALSE)",
                {"r": self.region, "n": name, "k": kind},
            )
            record_sql(
                self.conn,
                self.actor,
                "unit.create",
                "unit",
                uid,
                None,
                {"name": name, "region": self.region, "kind": kind, "from": "import"},
            )
            self.unknown_units.append(name)
        return [(uid, None, None, OwnerRef("", name, "unit"))]


def _pick_region(
    conn: SqlConn, parsed: ParsedPlan, region: str | None, shipped: list[Directory]
) -> Directory | None:
    text = parsed.title + "\n" + parsed.issuer + "\n" + parsed.plan_text[:4000]
    if region:
        for d in shipped:
            if d.region == region:
                return d
        for r in regions_sql(conn):
            if r.name == region:
                return None
        raise DubanError(f"未知的地区：{region}（可用：{'、'.join(d.region for d in shipped)}）")
    stored = {r.name: directory_from_sql(conn, r.name) for r in regions_sql(conn)}
    candidates = list(stored.values()) + [d for d in shipped if d.region not in stored]
    return detect_region(text, candidates)


class PlanQuestion(DubanError):
    """The store has a plan with this title but cannot tell whether the file is its new
    revision or another office's plan: the caller must decide (``new_plan`` or
    ``revision_of``). The desk shows both plans; the command line prints this one line."""

    def __init__(self, incoming: PlanSummary, candidates: list[PlanSummary]) -> None:
        self.incoming = incoming
        self.candidates = candidates
        listed = "；".join(c.describe() for c in candidates)
        super().__init__(
            f"已有同名计划，无法判断本文件是新计划还是其新修订版：{listed}；本文件"
            f"{incoming.describe(with_id=False)}。请指定：作为新计划导入用 --new-plan，"
            "作为某计划的新修订版导入用 --revision-of 计划编号"
        )


@dataclass
class PlanSummary:
    """What tells two plans apart, for the question and the report."""

    id: int | None
    title: str
    issuer: str
    region: str
    issue_date: str | None
    tasks: int
    revision: int = 0
    same_tasks: float | None = None  # share of tasks the file has in common with this plan
    period: str = ""  # 2024 or 2020–2025: the year(s) the plan covers, when known
    first_tasks: list[str] = field(default_factory=list)  # titles of its first few tasks
    same_keys: int | None = None  # tasks of this plan at the same place as one of the file's

    def describe(self, with_id: bool = True) -> str:
        who = "、".join(x for x in (self.issuer, self.region) if x) or "发文单位未识别"
        parts = [f"计划 {self.id}《{self.title}》" if with_id else f"《{self.title}》"]
        parts.append(
            f"（{who}{' ' + self.issue_date if self.issue_date else ''}，{self.tasks} 项任务"
        )
        if self.same_tasks is not None:
            parts.append(f"，与本文件相同的任务 {round(self.same_tasks * 100)}%")
        return "".join(parts) + "）"


# The question shows this many task titles of each plan.
_FIRST_TASKS = 3


def _period_label(start: int | None, end: int | None) -> str:
    if start is None:
        return ""
    return str(start) if not end or end == start else f"{start}–{end}"


# A revision keeps at least this share of its plan's tasks (same or lightly edited).
_REVISION_OVERLAP = 0.5
# Two task texts at least this similar are the same task lightly edited.
_SIMILAR_TEXT = 0.6
# No real plan has this many tasks; a file that yields more is refused before writing.
MAX_TASKS = 50_000


def check_has_tasks(parsed: ParsedPlan, source: str) -> None:
    if not parsed.tasks:
        raise DubanError(
            f"文件中没有找到任何任务（未识别出“（一）”“（1）”等任务编号或任务表格）：{source}"
        )
    if len(parsed.tasks) > MAX_TASKS:
        raise DubanError(
            f"文件中识别出 {len(parsed.tasks)} 项任务，超过每份计划 {MAX_TASKS} 项的上限，"
            f"不像是一份计划，未导入：{source}"
        )


def import_parsed(
    store: Store,
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
    new_plan: bool = False,
    revision_of: str | None = None,
    corrections: list[Correction] | None = None,
) -> ImportReport:
    """Import in one transaction (rolled back when ``dry_run``).

    ``store``: a SQLAlchemy engine (the desk, server stores, dry runs, stores just migrated)
    or a `tui.store.lite.LiteStore` (`duban import` on a current SQLite file, no SQLAlchemy):
    the same rules run over either (tui.store.sqlconn).

    ``corrections``: fixes from the import review, stored with the plan and replayed at every
    later import of it together with the fixes stored before.

    Raises PlanQuestion when a plan with the same title exists and the store cannot tell
    whether this is its revision; pass ``new_plan=True`` or ``revision_of=PLAN`` to decide.
    """
    check_has_tasks(parsed, source)
    if new_plan and revision_of:
        raise DubanError("--new-plan 与 --revision-of 只能选一个")
    if shipped is None:
        from tui.domain.units import load_shipped_directories

        shipped = load_shipped_directories()
    if corrections:
        # Only a plan with fixes needs their rules (2 ms of a seed's import to load).
        from tui.ingest.corrections import validate as validate_correction

        for c in corrections:
            validate_correction(c)
    with write_transaction(store, commit=not dry_run, cache_kib=IMPORT_CACHE_KIB) as conn:
        job = _Import(conn, parsed, source, kind, encoding, actor, progress)
        report = job.run(
            region=region,
            plan_year=plan_year,
            shipped=shipped,
            new_plan=new_plan,
            revision_of=revision_of,
            corrections=list(corrections or ()),
        )
    report.dry_run = dry_run
    report.parsed = job.parsed
    return report


# SQLite's page cache for an import's transaction, in KiB (a negative cache_size). A
# 10,000-task plan writes some 25 MB; with the default 2 MB cache SQLite spills pages to
# the WAL in the middle of the transaction and writes many of them twice.
IMPORT_CACHE_KIB = 64 * 1024


def _period(parsed: ParsedPlan, plan_year: int | None) -> tuple[int, int, str] | None:
    from tui.domain.plan_context import plan_context_for_year, plan_context_from_text

    ctx = (
        plan_context_for_year(plan_year)
        if plan_year
        else plan_context_from_text(parsed.title, parsed.plan_text[:3000])
    )
    if ctx is None:
        return None
    return ctx.start_year, ctx.end_year, ctx.source


def _norm(text: str) -> str:
    return "".join(text.split())


def _overlap(old: list[tuple[int, str, str, str]], new: list[tuple[str, str, str]]) -> float:
    """Share of tasks the two versions have in common, the same or lightly edited."""
    from difflib import SequenceMatcher

    size = max(len(old), len(new))
    if not size:
        return 1.0
    texts = {tid: _norm(text) for tid, _k, _n, text in old}
    need = _REVISION_OVERLAP * size
    same = 0
    matches = match_tasks(old, new)
    for i, (tid, (_key, _number, text)) in enumerate(zip(matches, new, strict=True)):
        if tid is not None:
            a, b = texts[tid], _norm(text)
            if a == b or SequenceMatcher(None, a, b).ratio() >= _SIMILAR_TEXT:
                same += 1
        # Stop as soon as the answer is certain either way.
        if same >= need or same + (len(new) - i - 1) < need:
            break
    return same / size


class _Assignment:
    """An assignment row of the plan as the import found it (and then changed it)."""

    __slots__ = ("id", "task_id", "unit_id", "group_id", "role", "active")

    def __init__(self, id, task_id, unit_id, group_id, role, active) -> None:  # noqa: A002
        self.id = id
        self.task_id = task_id
        self.unit_id = unit_id
        self.group_id = group_id
        self.role = role
        self.active = bool(active)


class _Import:
    """One import: choose the plan, write tasks and assignments, build the report."""

    def __init__(self, conn, parsed, source, kind, encoding, actor, progress) -> None:
        self.conn: SqlConn = conn
        self.parsed: ParsedPlan = parsed
        self.source = source
        self.kind = kind
        self.encoding = encoding
        self.actor = actor
        self.progress = progress
        self.now = clock.now()
        self.chash = content_hash(parsed)
        self.keys = parsed.task_keys()
        self.new_tasks = [
            (k, t.number, t.text) for k, t in zip(self.keys, parsed.tasks, strict=True)
        ]

    # ------------------------------------------------------------ which plan

    def _old_tasks(self, plan_id: int, active_only: bool = False) -> list:
        """(id, key, number, text, deadline_text, active) rows of a plan's tasks."""
        only = " AND active = TRUE" if active_only else ""
        # Active tasks first, so that a live task wins over a dropped one with the same key.
        rows = self.conn.rows(
            "SELECT id, key, number, text, deadline_text, active FROM task "
            f"WHERE plan_id = :p{only} ORDER BY active DESC, position, id",
            {"p": plan_id},
        )
        return [(*r[:5], bool(r[5])) for r in rows]

    def _summary(self, plan: PlanRow, same: float | None) -> PlanSummary:
        rows = self.conn.rows(
            "SELECT key, title FROM task WHERE plan_id = :p AND active = TRUE "
            "ORDER BY position, id",
            {"p": plan.id},
        )
        incoming = set(self.keys)
        return PlanSummary(
            plan.id,
            plan.title,
            plan.issuer,
            plan.region,
            plan.issue_date.isoformat() if plan.issue_date else None,
            len(rows),
            plan.revision,
            same,
            period=_period_label(plan.period_start, plan.period_end),
            first_tasks=[title for _k, title in rows[:_FIRST_TASKS]],
            same_keys=sum(1 for key, _t in rows if key in incoming),
        )

    def choose_plan(
        self, region_name: str, new_plan: bool, revision_of: str | None, period=None
    ) -> PlanRow | None:
        """The plan this file continues, or None for a new plan."""
        if new_plan:
            return None
        if revision_of:
            return get_plan(self.conn, find_plan_id(self.conn, revision_of))
        parsed = self.parsed
        candidates = plans_by_key(self.conn, plan_key(parsed.title))
        if not candidates:
            return None
        fits: list[PlanRow] = []
        summaries: list[PlanSummary] = []
        for plan in candidates:
            conflict = (plan.region and region_name and plan.region != region_name) or (
                plan.issuer and parsed.issuer and _norm(plan.issuer) != _norm(parsed.issuer)
            )
            same: float | None = None
            if not conflict:
                if plan.content_hash == self.chash:
                    same = 1.0
                else:
                    old = [t[:4] for t in self._old_tasks(plan.id, active_only=True)]
                    same = _overlap(old, self.new_tasks)
                if same >= _REVISION_OVERLAP:
                    fits.append(plan)
            summaries.append(self._summary(plan, same))
        if len(fits) == 1:
            return fits[0]
        incoming = PlanSummary(
            None,
            parsed.title,
            parsed.issuer,
            region_name,
            parsed.issue_date,
            len(parsed.tasks),
            period=_period_label(*(period[:2] if period else (None, None))),
            first_tasks=[t.title for t in parsed.tasks[:_FIRST_TASKS]],
        )
        raise PlanQuestion(incoming, summaries)

    # ------------------------------------------------------------ the import

    def _replay(self, plan: PlanRow | None, new: list[Correction]) -> tuple[list, list]:
        """Apply the plan's stored fixes and the new ones to the parsed document."""
        stored = []
        if plan is not None:
            rows = self.conn.rows(
                "SELECT kind, task_key, value FROM import_correction "
                "WHERE plan_id = :p AND active = TRUE ORDER BY id",
                {"p": plan.id},
            )
            if rows:
                from tui.ingest.corrections import Correction

                stored = [Correction(k, key, json.loads(v or "null")) for k, key, v in rows]
        every = stored + new
        if not every:
            return [], []
        from tui.ingest.corrections import apply_corrections

        result = apply_corrections(self.parsed, every)
        self.parsed = result.plan
        self.keys = self.parsed.task_keys()
        self.new_tasks = [
            (k, t.number, t.text) for k, t in zip(self.keys, self.parsed.tasks, strict=True)
        ]
        # The same file with the same fixes is the same content.
        signature = json.dumps([(c.kind, c.task_key, c.value) for c in every], ensure_ascii=False)
        self.chash = hashlib.sha256((self.chash + signature).encode()).hexdigest()
        return (
            [c.describe() for c in result.applied],
            [f"{c.describe()}（{why}）" for c, why in result.skipped],
        )

    def _store_corrections(self, plan: PlanRow, new: list[Correction]) -> None:
        for c in new:
            row_id = self.conn.insert(
                "INSERT INTO import_correction (plan_id, task_key, kind, value, active, "
                "created_at, created_by) VALUES (:p, :k, :kind, :v, TRUE, :at, :by)",
                {
                    "p": plan.id,
                    "k": c.task_key,
                    "kind": c.kind,
                    "v": json.dumps(c.value, ensure_ascii=False),
                    "at": self.now,
                    "by": self.actor,
                },
            )
            record_sql(
                self.conn,
                self.actor,
                "import.correction",
                "plan",
                plan.id,
                None,
                {"correction": row_id, "task": c.task_key, "kind": c.kind, "value": c.value},
            )

    def run(
        self, *, region, plan_year, shipped, new_plan, revision_of, corrections=()
    ) -> ImportReport:
        conn = self.conn
        period = _period(self.parsed, plan_year)
        directory = _pick_region(conn, self.parsed, region, shipped)
        region_name = directory.region if directory else (region or "")
        plan = self.choose_plan(region_name, new_plan, revision_of, period)
        applied, skipped = self._replay(plan, list(corrections))
        parsed = self.parsed
        base = dict(
            source=self.source,
            kind=self.kind,
            encoding=self.encoding,
            plan_title=parsed.title,
            issuer=parsed.issuer,
            issue_date=parsed.issue_date,
            sections=len(parsed.sections),
            subsections=len(parsed.subsections),
            has_owners=parsed.has_owners,
            unplaced=parsed.unplaced,
            period=(period[0], period[1]) if period else None,
            traditional=parsed.traditional,
            corrections=applied,
            skipped_corrections=skipped,
        )
        if (
            plan is not None
            and plan.content_hash == self.chash
            and plan.identity_version >= 2
            and (plan_year is None or plan.period_start == plan_year)
        ):
            n_assign = conn.scalar(
                "SELECT count(a.id) FROM assignment a JOIN task t ON t.id = a.task_id "
                "WHERE t.plan_id = :p AND a.active = TRUE",
                {"p": plan.id},
            )
            return ImportReport(
                **base,
                plan_id=plan.id,
                status="unchanged",
                dry_run=False,
                revision=plan.revision,
                region=plan.region,
                tasks=self._reports_from_parsed(),
                assignments=n_assign,
                unknown_units=[],
                unresolved_groups=[],
            )

        if directory is not None and directory.source != "store":
            sync_directory_sql(conn, directory, self.actor)
        resolver = _Resolver(conn, region_name, directory_from_sql(conn, region_name), self.actor)
        status = "new" if plan is None else "revised"
        repair = plan is not None and plan.identity_version < 2
        plan = self._write_plan(plan, region_name, period)
        self._store_corrections(plan, list(corrections))
        node_ids, had_nodes = self._write_outline(plan)
        task_ids, added, removed, changed = self._write_tasks(plan, node_ids)
        if had_nodes:
            # The old outline: every node of the plan older than the first new one (ids only
            # grow inside the write lock). Dropped tasks let go of it first.
            old = {"p": plan.id, "first": node_ids[0] if node_ids else 1 << 62}
            conn.run(
                "UPDATE task SET node_id = NULL WHERE active = FALSE AND node_id IN "
                "(SELECT id FROM outline_node WHERE plan_id = :p AND id < :first)",
                old,
            )
            conn.run("DELETE FROM outline_node WHERE plan_id = :p AND id < :first", old)
        task_reports, n_assignments, repaired = self._write_assignments(
            plan, task_ids, resolver, repair
        )
        refresh_plan_deadlines(conn, plan, self.actor)
        summary = {"added": added, "removed": removed, "changed": changed, "repaired": repaired}
        conn.run(
            "INSERT INTO plan_revision (plan_id, revision, content_hash, source_name, "
            "imported_at, imported_by, summary) VALUES (:p, :rev, :h, :src, :at, :by, :s)",
            {
                "p": plan.id,
                "rev": plan.revision,
                "h": self.chash,
                "src": plan.source_name,
                "at": self.now,
                "by": self.actor,
                "s": json.dumps(summary, ensure_ascii=False),
            },
        )
        record_sql(
            conn,
            self.actor,
            "plan.import",
            "plan",
            plan.id,
            None,
            {
                "title": plan.title,
                "issuer": plan.issuer,
                "region": plan.region,
                "revision": plan.revision,
                "source": plan.source_name,
                **summary,
            },
        )
        if self.progress:
            self.progress("done", len(parsed.tasks), len(parsed.tasks))
        return ImportReport(
            **base,
            plan_id=plan.id,
            status=status,
            dry_run=False,
            revision=plan.revision,
            region=region_name,
            tasks=task_reports,
            assignments=n_assignments,
            unknown_units=resolver.unknown_units,
            unresolved_groups=resolver.unresolved_groups,
            added=added if status == "revised" else [],
            removed=removed,
            changed=changed,
            repaired=repaired,
        )

    def _write_plan(self, plan: PlanRow | None, region_name: str, period) -> PlanRow:
        parsed = self.parsed
        values = dict(
            key=plan_key(parsed.title),
            title=parsed.title,
            issuer=parsed.issuer,
            issue_date=date.fromisoformat(parsed.issue_date) if parsed.issue_date else None,
            region=region_name,
            source_name=Path(self.source).name,
            content_hash=self.chash,
            plan_text=parsed.plan_text,
            imported_at=self.now,
            imported_by=self.actor,
            identity_version=2,
        )
        if period:
            values.update(period_start=period[0], period_end=period[1], period_source=period[2])
        if plan is None:
            values = dict(period_start=None, period_end=None, period_source="") | values
            values["revision"] = 1
            cols = list(values)
            plan_id = self.conn.insert(
                f"INSERT INTO plan ({', '.join(_col(c) for c in cols)}) "
                f"VALUES ({', '.join(':' + c for c in cols)})",
                values,
            )
        else:
            plan_id = plan.id
            values["revision"] = plan.revision + 1
            self.conn.run(
                f"UPDATE plan SET {', '.join(f'{_col(c)} = :{c}' for c in values)} "
                "WHERE id = :plan_id",
                {**values, "plan_id": plan_id},
            )
        return get_plan(self.conn, plan_id)

    def _write_outline(self, plan: PlanRow) -> tuple[list[int], bool]:
        """The outline is rebuilt each revision; tasks point at the new nodes.
        → (the new nodes' ids, whether the plan had an outline before)."""
        conn = self.conn
        had = conn.one("SELECT id FROM outline_node WHERE plan_id = :p LIMIT 1", {"p": plan.id})
        # All nodes in one statement, then their parents (ids known only after the insert).
        nodes = self.parsed.nodes
        node_ids = insert_rows(
            conn,
            "outline_node",
            [
                dict(
                    plan_id=plan.id,
                    parent_id=None,
                    level=n.level,
                    number=n.number,
                    heading=n.heading,
                    body=n.body,
                    position=i,
                )
                for i, n in enumerate(nodes)
            ],
        )
        update_rows(
            conn,
            "outline_node",
            [
                {"id": nid, "parent_id": node_ids[n.parent]}
                for n, nid in zip(nodes, node_ids, strict=True)
                if n.parent is not None
            ],
        )
        return node_ids, had is not None

    def _write_tasks(self, plan: PlanRow, node_ids: list[int]):
        """→ (task id per parsed task, added keys, removed keys, changed keys)."""
        conn, parsed, actor = self.conn, self.parsed, self.actor
        existing = self._old_tasks(plan.id)
        by_id = {row[0]: row for row in existing}
        matched = match_tasks([row[:4] for row in existing], self.new_tasks)
        added, changed = [], []
        task_ids: list[int | None] = []
        new_rows: list[tuple[int, dict]] = []
        updates: list[dict] = []
        audits: list[tuple] = []
        total = len(parsed.tasks)
        for i, (pt, key, old_id) in enumerate(zip(parsed.tasks, self.keys, matched, strict=True)):
            values = dict(
                node_id=node_ids[pt.node] if pt.node is not None else None,
                number=pt.number,
                key=key,
                title=pt.title,
                text=pt.text,
                deadline_text=pt.deadline_text,
                section_path=parsed.section_label(pt),
                position=i,
                source_line=pt.line,
                active=True,
                last_revision=plan.revision,
            )
            if old_id is None:
                new_rows.append(
                    (i, dict(values, plan_id=plan.id, first_revision=plan.revision, **_NO_DUE))
                )
                added.append(key)
                task_ids.append(None)
                continue
            _id, _key, _number, text, deadline_text, active = by_id[old_id]
            if (text, deadline_text, active) != (pt.text, pt.deadline_text, True):
                changed.append(key)
                audits.append(
                    (
                        old_id,
                        {"text": text, "deadline_text": deadline_text, "active": active},
                        {"text": pt.text, "deadline_text": pt.deadline_text, "active": True},
                    )
                )
            updates.append({"id": old_id, **values})
            task_ids.append(old_id)
            if self.progress and i % 200 == 0:
                self.progress("tasks", i, total)
        update_rows(conn, "task", updates)
        ids = insert_rows(conn, "task", [v for _, v in new_rows])
        for (i, _), tid in zip(new_rows, ids, strict=True):
            task_ids[i] = tid
        kept = set(matched)
        removed: list[str] = []
        gone: list[dict] = []
        for tid, key, number, _text, _dl, active in existing:
            if tid not in kept and active:
                gone.append({"id": tid, "active": False})
                removed.append(key or number)
        update_rows(conn, "task", gone)
        insert_audit_items(conn, actor, "task.update", "task", audits)
        insert_audit_items(
            conn,
            actor,
            "task.create",
            "task",
            [
                (tid, None, {"number": v["number"], "key": v["key"], "title": v["title"]})
                for (_, v), tid in zip(new_rows, ids, strict=True)
            ],
        )
        insert_audit_items(
            conn,
            actor,
            "task.remove",
            "task",
            [(g["id"], {"active": True}, {"active": False}) for g in gone],
        )
        return task_ids, added, removed, changed

    def _write_assignments(self, plan: PlanRow, task_ids: list[int], resolver, repair: bool):
        """→ (task reports, number of live assignments, repaired moves).

        ``repair``: the plan was imported under number-only identity, which put the owners of a
        repeated number on its first task. An assignment that is no longer wanted on one task
        while the same unit and role is wanted on another task with the same number is moved
        there — with its progress, letters and history — instead of being closed and recreated.
        """
        conn, parsed, actor = self.conn, self.parsed, self.actor
        current: dict[tuple, _Assignment] = {}
        for row in conn.rows(
            "SELECT a.id, a.task_id, a.unit_id, a.group_id, a.role, a.active FROM assignment a "
            "JOIN task t ON t.id = a.task_id WHERE t.plan_id = :p ORDER BY a.id",
            {"p": plan.id},
        ):
            a = _Assignment(*row)
            current[(a.task_id, a.unit_id, a.group_id, a.role)] = a
        wanted: set[tuple] = set()
        new_rows: list[dict] = []
        task_reports: list[TaskReport] = []
        total = len(parsed.tasks)
        for i, (pt, tid, key) in enumerate(zip(parsed.tasks, task_ids, self.keys, strict=True)):
            owners: list[OwnerRef] = []
            shown: set[tuple[str, str]] = set()  # (role, name) already in ``owners``
            for owner in pt.owners:
                role = owner.role
                for unit_id, group_id, via, ref in resolver.resolve(owner.name, owner.group):
                    akey = (tid, unit_id, group_id, role)
                    if akey not in wanted:
                        wanted.add(akey)
                        a = current.get(akey)
                        if a is None:
                            new_rows.append(
                                dict(
                                    task_id=tid,
                                    unit_id=unit_id,
                                    group_id=group_id,
                                    via_group_id=via,
                                    role=role,
                                    active=True,
                                    created_at=self.now,
                                )
                            )
                        elif not a.active:
                            a.active = True
                            conn.run(
                                "UPDATE assignment SET active = TRUE WHERE id = :id", {"id": a.id}
                            )
                            record_sql(
                                conn,
                                actor,
                                "assignment.reactivate",
                                "assignment",
                                a.id,
                                {"active": False},
                                {"active": True},
                            )
                    if (role, ref.name) not in shown:
                        shown.add((role, ref.name))
                        owners.append(OwnerRef(role, ref.name, ref.kind, ref.members))
            task_reports.append(
                TaskReport(
                    key=key,
                    number=pt.number,
                    title=pt.title,
                    section=parsed.section_label(pt),
                    line=pt.line,
                    deadline_text=pt.deadline_text,
                    owners=owners,
                )
            )
            if self.progress and i % 200 == 0:
                self.progress("assignments", i, total)

        repaired: list[str] = []
        if repair:
            new_rows, repaired = self._move_misplaced(current, wanted, new_rows, task_ids)
        if new_rows:
            ids = insert_rows(conn, "assignment", new_rows)
            insert_audit_items(
                conn,
                actor,
                "assignment.create",
                "assignment",
                [
                    (aid, "", assignment_json(r["task_id"], r["unit_id"], r["group_id"], r["role"]))
                    for r, aid in zip(new_rows, ids, strict=True)
                ],
                encoded=True,
            )
        for akey, a in current.items():
            if akey not in wanted and a.active:
                a.active = False
                conn.run("UPDATE assignment SET active = FALSE WHERE id = :id", {"id": a.id})
                record_sql(
                    conn,
                    actor,
                    "assignment.remove",
                    "assignment",
                    a.id,
                    {"active": True},
                    {"active": False},
                )
        return task_reports, len(wanted), repaired

    def _move_misplaced(self, current, wanted, new_rows, task_ids):
        conn, actor = self.conn, self.actor
        number_of = {tid: t.number for tid, t in zip(task_ids, self.parsed.tasks, strict=True)}
        key_of = dict(zip(task_ids, self.keys, strict=True))
        names = _names(conn)
        # Misplaced candidates: live rows no longer wanted where they are.
        loose: dict[tuple, list[_Assignment]] = {}
        for akey, a in current.items():
            if akey not in wanted and a.active and a.task_id in number_of:
                loose.setdefault((number_of[a.task_id], a.unit_id, a.group_id, a.role), []).append(
                    a
                )
        remaining: list[dict] = []
        moves: list[str] = []
        for row in new_rows:
            pool = loose.get(
                (number_of[row["task_id"]], row["unit_id"], row["group_id"], row["role"])
            )
            if not pool:
                remaining.append(row)
                continue
            a = pool.pop(0)
            old_key = (a.task_id, a.unit_id, a.group_id, a.role)
            before = {"task_id": a.task_id}
            from_key = key_of.get(a.task_id, "")
            del current[old_key]
            a.task_id = row["task_id"]
            current[(a.task_id, a.unit_id, a.group_id, a.role)] = a
            conn.run(
                "UPDATE assignment SET task_id = :t WHERE id = :id", {"t": a.task_id, "id": a.id}
            )
            record_sql(
                conn,
                actor,
                "assignment.move",
                "assignment",
                a.id,
                before,
                {"task_id": a.task_id, "reason": "按任务在提纲中的位置更正"},
            )
            moves.append(
                f"{names(a.unit_id, a.group_id)} {role_label(a.role)}：{from_key} → {key_of[a.task_id]}"
            )
        return remaining, moves

    def _reports_from_parsed(self) -> list[TaskReport]:
        parsed = self.parsed
        return [
            TaskReport(
                key=key,
                number=pt.number,
                title=pt.title,
                section=parsed.section_label(pt),
                line=pt.line,
                deadline_text=pt.deadline_text,
                owners=[
                    OwnerRef(o.role, o.name, "group" if o.group else "unit") for o in pt.owners
                ],
            )
            for pt, key in zip(parsed.tasks, self.keys, strict=True)
        ]


# A new task's cached schedule until refresh_plan_deadlines sets it (the columns' defaults).
_NO_DUE = {"due_kind": "", "due_dates": "", "due_recurring": False, "due_first": ""}


def _col(name: str) -> str:
    return f'"{name}"' if name == "key" else name


def _names(conn: SqlConn):
    """A lookup from (unit_id, group_id) to the name shown in reports."""
    units = dict(conn.rows("SELECT id, name FROM unit"))
    groups = dict(conn.rows("SELECT id, name FROM unit_group"))

    def name(unit_id: int | None, group_id: int | None) -> str:
        return units.get(unit_id, "") if unit_id is not None else groups.get(group_id, "")

    return name


def role_label(role: str) -> str:
    return ROLE_LABEL.get(role, role)


__all__ = [
    "ImportReport",
    "TaskReport",
    "OwnerRef",
    "PlanQuestion",
    "PlanSummary",
    "import_parsed",
    "ROLES",
    "ParsedTask",
]
