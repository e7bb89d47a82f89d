"""A large, realistic store for the benchmarks, built with Core bulk inserts.

    from bench.gen_store import build_store
    build_store(Path("/tmp/big.db"), assignments=200_000, seed=7)

``assignments`` is honoured exactly: the store holds that many live assignments (units,
regions and plans are added as the size needs them). Shape, as a city aggregating county
plans looks as of ``as_of`` (default `AS_OF`):

- plans of 80–400 tasks (three-year breakdowns and annual plans), one region each, 80 units
  per region (departments, towns, 苏木, sub-districts) with heads, contacts and aliases, unit
  groups ("各镇（苏木、街道）") some assignments came through, and a few unresolved (待分解);
- ~25 assignments per task (12–38), one or two leads, responsible and supporting units;
- deadlines written in the task text or a 完成时限 cell and parsed by the product's own parser
  (tui.domain.deadlines), so every column the importer fills is filled the same way:
  ~80 % dated, 5 % recurring (quarterly, half-yearly, yearly, monthly), ~8 % ongoing, ~7 %
  without a deadline (the plan-end default); a few manual corrections;
- closings (most past-due items closed, some late; a few closed early), ~10 % of
  assignments with progress reports, granted and refused extensions;
- a letters register: monthly rounds of 提示/提醒/督办 letters to units with overdue items
  (numbered per kind and year, signed, printed, replied, a few voided, the last round's
  督办函 still drafts), letter items with their snapshots, replies recorded as progress;
- an audit row for every write above, as the product would have written it.

Deterministic for a given (assignments, seed, as_of). Run as a script to build and time one:
``python bench/gen_store.py /tmp/big.db 200000``.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synth import OBJECTS as BASE_OBJECTS  # noqa: E402
from bench.synth import VERBS, cn_number  # noqa: E402
from tui.domain.deadlines import task_deadlines  # noqa: E402
from tui.domain.plan_context import PlanContext  # noqa: E402
from tui.domain.schedule import schedule_of  # noqa: E402
from tui.store.audit import row_hash  # noqa: E402
from tui.store.db import make_engine  # noqa: E402
from tui.store.letter_models import (  # noqa: E402
    LadderOverride,
    Letter,
    LetterCounter,
    LetterItem,
    LetterReply,
)
from tui.store.models import (  # noqa: E402
    Assignment,
    AuditLog,
    Extension,
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

__all__ = ["build_store", "AS_OF", "REGIONS", "GEN_VERSION", "PER_TASK"]

GEN_VERSION = 3  # bump when the shape changes: cached stores carry it in their file name
AS_OF = date(2024, 11, 15)  # inside every generated plan's period
PER_TASK = 25  # assignments per task, on average
UNITS_PER_REGION = 80
REGIONS = (
    "东胜区",
    "康巴什区",
    "达拉特旗",
    "准格尔旗",
    "鄂托克前旗",
    "鄂托克旗",
    "杭锦旗",
    "乌审旗",
    "伊金霍洛旗",
    "阿拉善左旗",
    "阿拉善右旗",
    "额济纳旗",
)
DEPTS = (
    "司法局",
    "财政局",
    "发改委",
    "教育局",
    "公安局",
    "民政局",
    "人社局",
    "自然资源局",
    "生态环境局",
    "住建局",
    "交通局",
    "水利局",
    "农牧局",
    "商务局",
    "文旅局",
    "卫健委",
    "应急管理局",
    "审计局",
    "市场监管局",
    "统计局",
    "医保局",
    "林草局",
    "城管局",
    "信访局",
    "政务服务局",
    "税务局",
    "消防救援大队",
    "行政审批局",
    "能源局",
    "工信局",
    "科技局",
    "退役军人事务局",
    "档案局",
    "机关事务中心",
    "融媒体中心",
    "人民法院",
    "人民检察院",
    "委办",
    "政府办",
    "委组织部",
    "委宣传部",
    "委政法委",
    "委编办",
    "依法治理办",
    "巡察办",
    "人大办",
    "政协办",
    "总工会",
    "团委",
    "妇联",
    "残联",
    "工商联",
    "气象局",
    "供电公司",
    "邮政公司",
    "烟草局",
)
TOWNS = ("镇", "苏木", "街道")
TOWN_NAMES = "阿勒腾席热巴音铁日格乌兰敖包哈达图纳林陶亥札萨克红庆河伊和乌素新街布日都白泥井吉格斯太树林召王爱召"
OBJECTS = (
    *BASE_OBJECTS,
    "公共法律服务体系",
    "矛盾纠纷多元化解",
    "行政执法三项制度",
    "法律顾问制度",
    "证明事项告知承诺制",
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国志强海军丽娟晓明春华红梅永刚秀英文斌桂兰玉"
PROGRESS = (
    "已制定工作方案，明确责任人和时间表",
    "已召开专题会议研究部署",
    "已完成阶段性工作，报送进展材料",
    "电话反馈：正在推进",
    "书面报告：已完成调研",
    "已印发实施细则，组织开展培训",
)
DONE_TEXTS = (
    "已完成，报送工作总结及佐证材料",
    "书面报告：任务已全部落实，申请销号",
    "已完成并通过自查，佐证材料已归档",
)
REPLIES = (
    "已召开专题会议研究部署，相关工作正在推进，预计月底前完成。",
    "已明确专人负责，正在补充佐证材料，近期报送。",
    "因机构调整延误，现已重新部署，力争两周内完成。",
)
EXTENSION_REASONS = (
    "上级政策尚未出台，需待配套文件印发后实施",
    "涉及多部门协调，工作量较大",
    "机构改革人员调整，申请延期",
)
KIND_NAMES = {"提示": "提示函", "提醒": "提醒函", "督办": "督办函"}
RUNG_KIND = {1: "提示", 2: "提醒", 3: "督办"}
LETTER_PREFIX = {"提示": "依法治办提", "提醒": "依法治办醒", "督办": "依法治办督"}
ACTOR = "bench"
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=str).encode


# --------------------------------------------------------------------------- sizes


def _per_task_counts(n: int, rng: random.Random) -> list[int]:
    """Assignments per task: 12–38 (~25), summing to exactly ``n``."""
    if n <= 0:
        return []
    tasks = max(1, math.ceil(n / PER_TASK))
    cap = UNITS_PER_REGION - 2
    counts = [min(cap, rng.randint(12, 38)) for _ in range(tasks)]
    diff = n - sum(counts)
    while diff:
        i = rng.randrange(tasks)
        if diff > 0 and counts[i] < cap:
            step = min(diff, cap - counts[i])
            counts[i] += step
            diff -= step
        elif diff < 0 and counts[i] > 1:
            step = min(-diff, counts[i] - 1)
            counts[i] -= step
            diff += step
    return counts


def _plan_sizes(tasks: int, plans: int | None, rng: random.Random) -> list[int]:
    """Tasks per plan: 80–400 each (a county's breakdown or an annual plan)."""
    if plans:
        plans = min(plans, tasks)
        base, extra = divmod(tasks, plans)
        return [base + (1 if i < extra else 0) for i in range(plans)]
    sizes: list[int] = []
    left = tasks
    while left > 0:
        s = min(left, rng.randint(80, 400))
        if 0 < left - s < 40:
            s = left
        sizes.append(s)
        left -= s
    return sizes


# --------------------------------------------------------------------------- units


def _units(region: str) -> list[tuple[str, str]]:
    """80 units of a region: its departments, then towns, 苏木 and sub-districts."""
    prefix = region[-1]
    out: list[tuple[str, str]] = [(prefix + d, "部门") for d in DEPTS]
    i = 0
    while len(out) < UNITS_PER_REGION:
        a, b = TOWN_NAMES[(i * 2) % len(TOWN_NAMES)], TOWN_NAMES[(i * 2 + 1) % len(TOWN_NAMES)]
        kind = TOWNS[i % 3]
        out.append((f"{a}{b}{kind}" + (str(i // 20) if i >= 20 else ""), kind))
        i += 1
    return out[:UNITS_PER_REGION]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


# --------------------------------------------------------------------------- deadlines


def _phrases(ctx: PlanContext, rng: random.Random) -> tuple[str, str]:
    """(deadline phrase, kind wanted): 5 % recurring, 8 % ongoing, 7 % none, else dated."""
    r = rng.random()
    if r < 0.05:
        return rng.choice(
            (
                "每季度末前报送工作进展",
                "每年12月底前报送年度情况",
                "每半年报送一次",
                "每月10日前报送",
            )
        ), "recurring"
    if r < 0.13:
        return "长期坚持", "ongoing"
    if r < 0.20:
        return "", "default"
    y = rng.randint(ctx.start_year, ctx.end_year)
    if rng.random() < 0.15:
        return f"{y}年第{'一二三四'[rng.randint(0, 3)]}季度完成", "absolute"
    return f"{y}年{rng.randint(1, 12)}月底前完成", "absolute"


class _Parsed:
    """The product's parser on each distinct phrase once (the text around it has no dates)."""

    def __init__(self) -> None:
        self.memo: dict = {}

    def __call__(self, phrase: str, ctx: PlanContext, cell: bool) -> list:
        key = (phrase, ctx, cell)
        if key not in self.memo:
            text = f"{phrase}。" if phrase else "推进工作。"
            self.memo[key] = task_deadlines("" if cell else text, ctx, phrase if cell else None)
        return self.memo[key]


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --------------------------------------------------------------------------- the store


class _Rows:
    """Row lists per table, inserted in chunks so a 500,000-row store stays in memory budget."""

    ORDER = (
        Region,
        Unit,
        UnitAlias,
        UnitGroup,
        UnitGroupMember,
        Plan,
        PlanRevision,
        OutlineNode,
        Task,
        TaskDeadline,
        Assignment,
        Progress,
        Extension,
        Letter,
        LetterItem,
        LetterReply,
        LetterCounter,
        LadderOverride,
        AuditLog,
    )

    def __init__(self, conn) -> None:
        self.conn = conn
        self.rows: dict = {m: [] for m in self.ORDER}
        self.counts: dict = defaultdict(int)

    def add(self, model, **row) -> None:
        self.rows[model].append(row)
        self.counts[model] += 1

    def flush(self, *models) -> None:
        for m in models or self.ORDER:
            if self.rows[m]:
                self.conn.execute(insert(m.__table__), self.rows[m])
                self.rows[m] = []


def build_store(
    path: Path | str,
    assignments: int = 200_000,
    seed: int = 7,
    *,
    plans: int | None = None,
    as_of: date = AS_OF,
) -> Path:
    """Create (or replace) a SQLite store at ``path`` with exactly ``assignments`` live
    assignments, realistic as of ``as_of`` (see the module docstring)."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed)
    engine = make_engine(str(path))
    try:
        with engine.begin() as conn:
            _Builder(conn, rng, as_of).build(assignments, plans)
    finally:
        engine.dispose()
    return path


def _at(d: date, hour: int = 10) -> datetime:
    return datetime(d.year, d.month, d.day, hour, 0, tzinfo=UTC)


def _workday(d: date) -> date:
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


class _Builder:
    def __init__(self, conn, rng: random.Random, as_of: date) -> None:
        self.rows = _Rows(conn)
        self.rng = rng
        self.as_of = as_of
        self.parsed = _Parsed()
        self.ids: dict[str, int] = defaultdict(int)
        self.regions: dict[str, dict] = {}
        # Per assignment, what the letters round needs: (id, unit id, task id, due, closed on).
        self.live: list[tuple[int, int, int, date | None, date | None]] = []
        self.tasks: dict[int, tuple[str, str]] = {}  # id → (number, title)
        self.audit_tip = ""  # hash of the last audit row (the chain starts empty)

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def audit(self, at: datetime, action: str, entity: str, eid: int, before, after) -> None:
        """One audit row, chained to the one before it as tui.store.audit chains them."""
        enc = _ENCODE
        row = dict(
            at=at,
            actor=ACTOR,
            action=action,
            entity=entity,
            entity_id=eid,
            before=enc(before) if before is not None else "",
            after=enc(after) if after is not None else "",
            batch=f"b{self.next_id('batch')}",
        )
        digest = row_hash(self.audit_tip, row)
        self.rows.add(AuditLog, **row, prev_hash=self.audit_tip, hash=digest)
        self.audit_tip = digest

    # ----------------------------------------------------------------- regions and units

    def region(self, name: str) -> dict:
        if name in self.regions:
            return self.regions[name]
        rng = self.rng
        self.rows.add(Region, name=name, prefixes=name[-1], match=name, source="bench")
        units, towns = [], []
        for uname, kind in _units(name):
            uid = self.next_id("unit")
            units.append(uid)
            if kind != "部门":
                towns.append(uid)
            self.rows.add(
                Unit,
                id=uid,
                region=name,
                name=uname,
                kind=kind,
                head=_person(rng),
                contact=_person(rng),
                phone=f"0477-{rng.randint(8000000, 8999999)}",
                address=f"{name}{uname}",
                sample=False,
                from_directory=True,
                merged_into=None,
            )
            if kind == "部门" and rng.random() < 0.15:
                self.rows.add(
                    UnitAlias,
                    id=self.next_id("alias"),
                    unit_id=uid,
                    region=name,
                    alias=f"{name[:2]}{uname[1:]}",
                )
        # A unit merged into another one (机构改革): it keeps its name, holds no live work.
        merged = self.next_id("unit")
        self.rows.add(
            Unit,
            id=merged,
            region=name,
            name=f"{name[-1]}原法制办",
            kind="部门",
            head="",
            contact="",
            phone="",
            address="",
            sample=False,
            from_directory=True,
            merged_into=units[DEPTS.index("司法局")],
        )
        gid = self.next_id("group")
        self.rows.add(
            UnitGroup, id=gid, region=name, name="各镇（苏木、街道）", aliases="各镇、各苏木镇"
        )
        for uid in towns:
            self.rows.add(UnitGroupMember, group_id=gid, unit_id=uid)
        info = {"units": units, "towns": set(towns), "group": gid}
        self.regions[name] = info
        return info

    # ----------------------------------------------------------------- plans and tasks

    def build(self, assignments: int, plans: int | None) -> None:
        rng = self.rng
        counts = _per_task_counts(assignments, rng)
        sizes = _plan_sizes(len(counts), plans, rng)
        start = 0
        for p, size in enumerate(sizes):
            self.plan(p, counts[start : start + size])
            start += size
            if len(self.rows.rows[Assignment]) > 100_000:
                self.rows.flush()
        self.rows.flush()
        self.letters()
        self.rows.flush()

    def plan(self, p: int, per_task: list[int]) -> None:
        rng, as_of = self.rng, self.as_of
        region = REGIONS[p % len(REGIONS)]
        info = self.region(region)
        rnd = p // len(REGIONS)
        if rnd % 3 == 0:
            ctx = PlanContext(as_of.year - 1, as_of.year + 1, "title")
            title = f"{region}{ctx.start_year}—{ctx.end_year}年法治政府建设重点任务分解方案"
        else:
            year = as_of.year - (rnd % 3 == 2)
            ctx = PlanContext(year, year, "title")
            title = f"{region}{year}年法治政府建设工作要点"
        if rnd >= 3:
            title += f"（第{cn_number(rnd // 3 + 1)}批）"
        pid = self.next_id("plan")
        issued = date(ctx.start_year, 1, 1) + timedelta(days=rng.randint(10, 80))
        imported = _at(issued + timedelta(days=rng.randint(3, 20)), 9)
        table_style = rng.random() < 0.4  # a 完成时限 column rather than dates in the text
        self.rows.add(
            Plan,
            id=pid,
            key="".join(title.split()),
            title=title,
            issuer=f"{region}全面依法治区委员会办公室",
            issue_date=issued,
            region=region,
            period_start=ctx.start_year,
            period_end=ctx.end_year,
            period_source="title",
            source_name=f"{title}.docx",
            content_hash=f"bench-{pid}-{len(per_task)}",
            revision=1,
            plan_text="",
            imported_at=imported,
            imported_by=ACTOR,
            identity_version=2,
        )
        self.rows.add(
            PlanRevision,
            plan_id=pid,
            revision=1,
            content_hash=f"bench-{pid}-{len(per_task)}",
            source_name=f"{title}.docx",
            imported_at=imported,
            imported_by=ACTOR,
            summary=json.dumps({"added": len(per_task), "removed": 0, "changed": 0}),
        )
        self.audit(
            imported,
            "plan.import",
            "plan",
            pid,
            None,
            {"title": title, "region": region, "revision": 1, "added": len(per_task)},
        )
        # Outline: 一、总体要求 (no tasks), 二、重点任务 › （一）… › 1．… › （n） tasks.
        top = []
        for pos, (num, head) in enumerate((("一、", "总体要求"), ("二、", "重点任务")), start=1):
            nid = self.next_id("node")
            top.append((nid, num, head))
            self.rows.add(
                OutlineNode,
                id=nid,
                plan_id=pid,
                parent_id=None,
                level=1,
                number=num,
                heading=head,
                body="",
                position=pos,
            )
        sections = max(1, min(9, len(per_task) // 25))
        leaves = []  # (node id, key prefix, section path)
        position = 2
        for s in range(sections):
            position += 1
            sid = self.next_id("node")
            sec_num, sec_head = f"（{cn_number(s + 1)}）", rng.choice(VERBS) + rng.choice(OBJECTS)
            self.rows.add(
                OutlineNode,
                id=sid,
                plan_id=pid,
                parent_id=top[1][0],
                level=2,
                number=sec_num,
                heading=sec_head,
                body="",
                position=position,
            )
            for k in range(rng.randint(2, 4)):
                position += 1
                nid = self.next_id("node")
                num, head = f"{k + 1}．", rng.choice(VERBS) + rng.choice(OBJECTS)
                self.rows.add(
                    OutlineNode,
                    id=nid,
                    plan_id=pid,
                    parent_id=sid,
                    level=3,
                    number=num,
                    heading=head,
                    body="",
                    position=position,
                )
                leaves.append(
                    (
                        nid,
                        f"二、{sec_num}{num}",
                        f"二、重点任务 / {sec_num}{sec_head} / {num}{head}",
                    )
                )
        restart = rng.random() < 0.5  # numbering restarts in every sub-section, or runs on
        n_in_leaf, prev = 0, None
        for t, k in enumerate(per_task):
            leaf = leaves[t * len(leaves) // len(per_task)]
            n_in_leaf = 1 if leaf is not prev else n_in_leaf + 1
            prev = leaf
            number = f"（{n_in_leaf if restart else t + 1}）"
            self.task(pid, ctx, issued, imported, leaf, number, t, k, info, table_style)

    def task(self, pid, ctx, issued, imported, leaf, number, t, k, info, table_style) -> None:
        rng = self.rng
        tid = self.next_id("task")
        phrase, _want = _phrases(ctx, rng)
        verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
        title = f"{verb}{obj}"
        body = f"{title}，建立健全工作机制，明确责任分工"
        if table_style or not phrase:
            text = f"{body}。各单位要{rng.choice(VERBS)}{rng.choice(OBJECTS)}，定期报送工作进展。"
            cell = phrase if table_style else ""
        else:
            text = f"{body}，{phrase}。各单位要定期报送工作进展。"
            cell = ""
        found = self.parsed(phrase, ctx, bool(cell))
        offset = 0 if cell else text.find(phrase)
        period = (ctx.start_year, ctx.end_year)
        for d in found:
            self.rows.add(
                TaskDeadline,
                task_id=tid,
                source="default" if d.kind == "default" else "parsed",
                kind=d.kind,
                due=d.due,
                rrule=d.rrule,
                text=d.text,
                span_start=d.start + offset if d.start >= 0 else -1,
                span_end=d.end + offset if d.end >= 0 else -1,
                note=d.note,
                reason="",
                active=True,
                created_at=imported,
                created_by=ACTOR,
            )
        sched = schedule_of(found, period, issued=issued)
        if sched.dates and not sched.recurring and rng.random() < 0.005:
            # A manual correction (the office agreed a later date with the lead unit).
            new = sched.dates[0] + timedelta(days=rng.choice((31, 61, 92)))
            manual = task_deadlines(f"{new.year}年{new.month}月{new.day}日前完成。", ctx)
            for d in manual:
                self.rows.add(
                    TaskDeadline,
                    task_id=tid,
                    source="manual",
                    kind=d.kind,
                    due=d.due,
                    rrule=d.rrule,
                    text=d.text,
                    span_start=d.start,
                    span_end=d.end,
                    note=d.note,
                    reason="经分管领导同意，调整完成时限",
                    active=True,
                    created_at=imported + timedelta(days=30),
                    created_by=ACTOR,
                )
            before = {"due_kind": sched.kind, "due_dates": sched.encode()}
            sched = schedule_of(manual, period, manual=True, issued=issued)
            self.audit(
                imported + timedelta(days=30),
                "deadline.set",
                "task",
                tid,
                before,
                {"due_kind": sched.kind, "due_dates": sched.encode(), "reason": "调整完成时限"},
            )
        self.rows.add(
            Task,
            id=tid,
            plan_id=pid,
            node_id=leaf[0],
            number=number,
            key=leaf[1] + number,
            title=title,
            text=text,
            deadline_text=cell,
            section_path=leaf[2],
            position=t + 1,
            source_line=t + 10,
            active=True,
            first_revision=1,
            last_revision=1,
            due_kind=sched.kind,
            due_dates=sched.encode(),
            due_recurring=sched.recurring,
            due_first=sched.dates[0].isoformat() if sched.dates else "",
        )
        self.tasks[tid] = (number, title)
        self.assignments(tid, sched, issued, imported, k, info)

    # ----------------------------------------------------------------- assignments

    def assignments(self, tid, sched, issued, imported, k, info) -> None:
        rng, as_of = self.rng, self.as_of
        unresolved = k > 1 and rng.random() < 0.005
        units = rng.sample(info["units"], k - unresolved)
        via_towns = rng.random() < 0.2
        leads = 2 if k > 6 and rng.random() < 0.2 else 1
        dates = sched.dates
        past = [d for d in dates if d < as_of]
        for i, uid in enumerate(units):
            aid = self.next_id("assignment")
            role = "lead" if i < leads else ("responsible" if rng.random() < 0.6 else "supporting")
            done = None
            if dates and not sched.recurring:
                due = dates[0]
                if due < as_of and rng.random() < 0.72:
                    done = due + timedelta(days=rng.randint(-90, 45))
                elif rng.random() < 0.10:
                    done = issued + timedelta(days=rng.randint(30, 300))
            elif rng.random() < 0.03:
                done = issued + timedelta(days=rng.randint(60, 600))
            if done is not None and (done > as_of or done < issued):
                done = None if done > as_of else issued + timedelta(days=1)
            override = None
            if past and done is None and not sched.recurring and rng.random() < 0.03:
                new_due = past[0] + timedelta(days=rng.randint(30, 120))
                granted = rng.random() < 0.7
                asked = past[0] - timedelta(days=rng.randint(1, 20))
                ext = self.next_id("extension")
                self.rows.add(
                    Extension,
                    id=ext,
                    assignment_id=aid,
                    requested_on=asked,
                    reason=rng.choice(EXTENSION_REASONS),
                    new_due=new_due,
                    granted=granted,
                    decision_note="同意延期" if granted else "理由不充分，不予延期",
                    previous_due=past[0],
                    decided_at=_at(asked + timedelta(days=2)),
                    decided_by=ACTOR,
                )
                after = {"extension_id": ext, "granted": granted, "new_due": new_due}
                if granted:
                    override = new_due
                    self.audit(
                        _at(asked + timedelta(days=2)),
                        "extension.grant",
                        "assignment",
                        aid,
                        {"due_override": None},
                        {**after, "due_override": new_due},
                    )
                else:
                    self.audit(
                        _at(asked + timedelta(days=2)),
                        "extension.refuse",
                        "assignment",
                        aid,
                        None,
                        after,
                    )
            self.rows.add(
                Assignment,
                id=aid,
                task_id=tid,
                unit_id=uid,
                group_id=None,
                via_group_id=info["group"] if via_towns and uid in info["towns"] else None,
                role=role,
                active=True,
                created_at=imported,
                completed_on=done,
                due_override=override,
            )
            self.progress(aid, sched, issued, done)
            if done is not None:
                self.audit(
                    _at(done, 16),
                    "assignment.close",
                    "assignment",
                    aid,
                    {"completed_on": None},
                    {"completed_on": done},
                )
            due = override or (dates[0] if dates and not sched.recurring else None)
            if sched.recurring:
                due = past[-1] if past else None
            self.live.append((aid, uid, tid, due, done))
        if unresolved:
            aid = self.next_id("assignment")
            self.rows.add(
                Assignment,
                id=aid,
                task_id=tid,
                unit_id=None,
                group_id=info["group"],
                via_group_id=None,
                role="responsible",
                active=True,
                created_at=imported,
                completed_on=None,
                due_override=None,
            )

    def progress(self, aid: int, sched, issued: date, done: date | None) -> None:
        """~10 % of assignments have reports: recurring duties report most periods."""
        rng, as_of = self.rng, self.as_of
        reports: list[tuple[date, str, bool]] = []
        if sched.recurring:
            if rng.random() < 0.6:
                for d in sched.dates:
                    if d <= as_of and rng.random() < 0.8:
                        reports.append(
                            (d - timedelta(days=rng.randint(0, 10)), rng.choice(PROGRESS), False)
                        )
        elif done is not None:
            if rng.random() < 0.08:
                reports.append((done, rng.choice(DONE_TEXTS), True))
        elif rng.random() < 0.07:
            span = max(1, (as_of - issued).days)
            for _ in range(rng.randint(1, 3)):
                reports.append(
                    (issued + timedelta(days=rng.randint(1, span)), rng.choice(PROGRESS), False)
                )
        for on, text, is_done in sorted(reports):
            if on < issued:
                on = issued
            pid = self.next_id("progress")
            self.rows.add(
                Progress,
                id=pid,
                assignment_id=aid,
                reported_on=on,
                text=text,
                done=is_done,
                recorded_at=_at(on, 15),
                recorded_by=ACTOR,
            )
            self.audit(
                _at(on, 15),
                "progress.add",
                "assignment",
                aid,
                None,
                {"progress_id": pid, "reported_on": on, "text": text, "done": is_done},
            )

    # ----------------------------------------------------------------- letters

    def letters(self) -> None:
        """Monthly rounds over the six months before `as_of`: a letter to ~25 % of the units
        with overdue items, up to 10 items, one rung up per earlier letter on an item."""
        rng, as_of = self.rng, self.as_of
        sent: dict[int, list[str]] = defaultdict(list)  # assignment → earlier letter numbers
        seqs: dict[tuple[str, int], int] = defaultdict(int)
        rounds = [_workday(as_of - timedelta(days=30 * m)) for m in range(6, -1, -1)]
        rounds = [d for d in rounds if d <= as_of]
        live = [x for x in self.live if x[3] is not None]
        for r, on in enumerate(rounds):
            last_round = r == len(rounds) - 1
            by_unit: dict[int, list] = defaultdict(list)
            for aid, uid, tid, due, done in live:
                if due < on and (done is None or done > on):
                    by_unit[uid].append((due, aid, tid))
            for uid in sorted(by_unit):
                if rng.random() >= 0.25:
                    continue
                items = sorted(by_unit[uid])[:10]
                rung = min(3, 1 + max(len(sent[aid]) for _d, aid, _t in items))
                kind = RUNG_KIND[rung]
                draft = last_round and kind == "督办"
                self.letter(uid, kind, rung, on, items, sent, seqs, draft)
        for (kind, year), seq in seqs.items():
            self.rows.add(LetterCounter, kind=kind, year=year, next_seq=seq + 1)
        # A few manual ladder decisions: holds and pushes.
        for aid, _uid, _tid, due, done in live[:: max(1, len(live) // 20)]:
            if done is None and due < as_of:
                hold = rng.random() < 0.5
                self.rows.add(
                    LadderOverride,
                    assignment_id=aid,
                    rung=None if hold else 3,
                    hold=hold,
                    reason="单位已书面说明原因，暂缓发函" if hold else "群众反映强烈，直接督办",
                    by=ACTOR,
                    at=_at(as_of - timedelta(days=5)),
                    active=True,
                )

    def letter(self, uid, kind, rung, on, items, sent, seqs, draft) -> None:
        rng, as_of = self.rng, self.as_of
        lid = self.next_id("letter")
        number = year = seq = None
        status = "草稿"
        reply_due = signed_at = printed_at = None
        voided = rng.random() < 0.01 and not draft
        if not draft:
            year = on.year
            seqs[(kind, year)] += 1
            seq = seqs[(kind, year)]
            number = f"{LETTER_PREFIX[kind]}〔{year}〕{seq}号"
            status = "已签发"
            reply_due = _workday(on + timedelta(days=7))
            signed_at = _at(on, 11)
            if rng.random() < 0.6:
                status, printed_at = "已打印", _at(on, 14)
        title = f"关于督促落实法治政府建设重点任务的{KIND_NAMES[kind]}"
        body = ""
        if not draft:
            body = json.dumps(
                {
                    "title": title,
                    "addressee": "",
                    "body_paragraphs": [
                        f"经梳理，你单位承担的{len(items)}项重点任务已超过完成时限，尚未办结。",
                        "请高度重视，逐项研究推进，按期报送落实情况。",
                    ],
                    "closing": "特此函告。",
                    "contact": "联系人：张三，电话：0477-0000000",
                    "cc": "分管领导" if kind == "督办" else "",
                    "signature": "全面依法治区委员会办公室",
                    "issuer_mark": "全面依法治区委员会办公室",
                    "frozen": True,
                },
                ensure_ascii=False,
            )
        self.rows.add(
            Letter,
            id=lid,
            kind=kind,
            rung=rung,
            year=year,
            seq=seq,
            number=number,
            unit_id=uid,
            addressee="",
            title=title,
            body=body,
            status="作废" if voided else status,
            batch=f"round-{on.isoformat()}",
            as_of=on,
            created_at=_at(on, 9),
            created_by=ACTOR,
            signed_at=signed_at,
            signed_by="王主任" if signed_at else None,
            issued_on=None if draft else on,
            reply_due=reply_due,
            printed_at=printed_at,
            printed_by=ACTOR if printed_at else None,
            voided_at=_at(on, 17) if voided else None,
            voided_by=ACTOR if voided else None,
            void_reason="主送单位名称有误，作废后重新起草" if voided else None,
            files="",
            supersedes_id=None,
        )
        ids = [aid for _d, aid, _t in items]
        self.audit(
            _at(on, 9),
            "letter.draft",
            "letter",
            lid,
            None,
            {"kind": kind, "unit_id": uid, "as_of": on, "assignments": ids},
        )
        for pos, (due, aid, tid) in enumerate(items, start=1):
            number_t, title_t = self.tasks[tid]
            self.rows.add(
                LetterItem,
                letter_id=lid,
                assignment_id=aid,
                position=pos,
                task_number=number_t,
                task_title=title_t,
                due=due,
                deadline_text=_cn_date(due),
                last_progress="",
                earlier_letters="、".join(sent[aid]),
                reason=f"逾期{(on - due).days}天"
                + (f"，已发函{len(sent[aid])}次" if sent[aid] else ""),
            )
            if number and not voided:
                sent[aid].append(number)
        if draft:
            return
        self.audit(
            signed_at,
            "letter.sign",
            "letter",
            lid,
            {"status": "草稿"},
            {"status": "已签发", "number": number, "issued_on": on, "reply_due": reply_due},
        )
        if printed_at:
            self.audit(
                printed_at,
                "letter.print",
                "letter",
                lid,
                {"status": "已签发"},
                {"status": "已打印"},
            )
        if voided:
            self.audit(
                _at(on, 17), "letter.void", "letter", lid, {"status": status}, {"status": "作废"}
            )
            return
        if rng.random() < 0.4:
            replied = on + timedelta(days=rng.randint(2, 12))
            if replied <= as_of:
                text = rng.choice(REPLIES)
                self.rows.add(
                    LetterReply,
                    letter_id=lid,
                    replied_on=replied,
                    text=text,
                    settle="",
                    recorded_by=ACTOR,
                    recorded_at=_at(replied, 15),
                )
                self.audit(
                    _at(replied, 15),
                    "letter.reply",
                    "letter",
                    lid,
                    {"status": status},
                    {"status": "已回复", "replied_on": replied, "text": text, "settle": ""},
                )
                for _due, aid, _tid in items:
                    pid = self.next_id("progress")
                    self.rows.add(
                        Progress,
                        id=pid,
                        assignment_id=aid,
                        reported_on=replied,
                        text=f"回复{number}：{text}",
                        done=False,
                        recorded_at=_at(replied, 15),
                        recorded_by=ACTOR,
                    )
                # The stored status follows the reply (record_reply sets 已回复).
                self.rows.rows[Letter][-1]["status"] = "已回复"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/duban-bench-200k.db")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    t0 = time.perf_counter()
    build_store(target, count)
    print(f"{target}: {count} assignments in {time.perf_counter() - t0:.1f} s")
