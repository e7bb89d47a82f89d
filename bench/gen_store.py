"""A large, realistic store for the benchmarks, built in seconds with Core bulk inserts.

    from bench.gen_store import build_store
    build_store(Path("/tmp/big.db"), assignments=200_000, seed=7)

Shape (stable API; other benches import it): ``plans`` plans (default 10) of ~250 tasks each,
one region per plan with 80 units (towns, sub-districts, departments), every task assigned to
enough units of its region to reach ``assignments``; deadlines spread over 2023–2025, ~10 %
recurring (quarterly or yearly), ~5 % open-ended; ~30 % closed; progress on about half.
Everything goes in one transaction. Run as a script to build and time one:
``python bench/gen_store.py /tmp/big.db 200000``.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synth import OBJECTS as BASE_OBJECTS  # noqa: E402
from bench.synth import VERBS  # noqa: E402
from tui.store.db import make_engine  # noqa: E402
from tui.store.models import (  # noqa: E402
    Assignment,
    OutlineNode,
    Plan,
    Progress,
    Region,
    Task,
    TaskDeadline,
    Unit,
)

__all__ = ["build_store", "AS_OF", "REGIONS"]

AS_OF = date(2024, 11, 15)  # inside every generated plan's period
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
PROGRESS = (
    "已制定工作方案，明确责任人和时间表",
    "已召开专题会议研究部署",
    "已完成阶段性工作，报送进展材料",
    "电话反馈：正在推进",
    "书面报告：已完成调研",
    "已印发实施细则，组织开展培训",
)
ROLES = ("lead", "responsible", "supporting")


def _units(region: str, rng: random.Random, n: int = 80) -> list[tuple[str, str]]:
    prefix = region[-1]
    out: list[tuple[str, str]] = []
    for d in DEPTS:
        out.append((prefix + d, "部门"))
    i = 0
    while len(out) < n:
        a, b = TOWN_NAMES[(i * 2) % len(TOWN_NAMES)], TOWN_NAMES[(i * 2 + 1) % len(TOWN_NAMES)]
        kind = TOWNS[i % 3]
        out.append(
            (
                f"{a}{b}{kind}" + (str(i // 20) if i >= 20 else ""),
                "街道" if kind == "街道" else kind,
            )
        )
        i += 1
    return out[:n]


def _schedule(rng: random.Random) -> tuple[str, str, bool, date | None, str]:
    """(due_kind, due_dates, recurring, due for the TaskDeadline row, deadline words)."""
    r = rng.random()
    if r < 0.05:
        return "ongoing", "", False, None, "长期坚持"
    if r < 0.15:
        step = rng.choice((91, 365))
        first = date(2023, 3, 31) + timedelta(days=rng.randint(0, 60))
        n = 12 if step == 91 else 3
        dues = [first + timedelta(days=step * k) for k in range(n)]
        return (
            "recurring",
            ",".join(d.isoformat() for d in dues),
            True,
            dues[0],
            "每季度" if step == 91 else "每年",
        )
    due = date(2023, 1, 1) + timedelta(days=rng.randint(0, 3 * 365 - 1))
    return "absolute", due.isoformat(), False, due, f"{due.year}年{due.month}月底前"


def build_store(
    path: Path | str, assignments: int = 200_000, seed: int = 7, *, plans: int = 10
) -> Path:
    """Create (or replace) a SQLite store at ``path`` with about ``assignments`` assignments."""
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    rng = random.Random(seed)
    engine = make_engine(str(path))
    now = datetime(2024, 11, 1, 9, 0, tzinfo=UTC)
    tasks_per_plan = 250
    per_task = max(1, round(assignments / (plans * tasks_per_plan)))
    rows: dict = {k: [] for k in ("region", "unit", "plan", "node", "task", "deadline")}
    a_rows: list[dict] = []
    p_rows: list[dict] = []
    unit_id = node_id = task_id = 0
    aid = 0
    for p in range(1, plans + 1):
        region = REGIONS[(p - 1) % len(REGIONS)] + ("" if p <= len(REGIONS) else str(p))
        rows["region"].append(dict(name=region, prefixes=region[-1], match=region, source="bench"))
        units = []
        for name, kind in _units(region, rng):
            unit_id += 1
            units.append(unit_id)
            rows["unit"].append(
                dict(
                    id=unit_id,
                    region=region,
                    name=name,
                    kind=kind,
                    head="",
                    contact="",
                    phone="",
                    address="",
                    sample=True,
                    from_directory=True,
                    merged_into=None,
                )
            )
        title = f"{region}2023—2025年法治政府建设重点任务分解方案（第{p}号）"
        rows["plan"].append(
            dict(
                id=p,
                key=title,
                title=title,
                issuer=f"{region}依法治理办",
                issue_date=date(2023, 1, 10),
                region=region,
                period_start=2023,
                period_end=2025,
                period_source="title",
                source_name="bench",
                content_hash=f"bench{p}",
                revision=1,
                plan_text="",
                imported_at=now,
                imported_by="bench",
            )
        )
        sections = []
        for s in range(1, 10):
            node_id += 1
            sections.append(node_id)
            rows["node"].append(
                dict(
                    id=node_id,
                    plan_id=p,
                    parent_id=None,
                    level=2,
                    number=f"（{'一二三四五六七八九'[s - 1]}）",
                    heading=rng.choice(VERBS) + rng.choice(OBJECTS),
                    body="",
                    position=s,
                )
            )
        for t in range(1, tasks_per_plan + 1):
            task_id += 1
            kind, dues, recurring, due, words = _schedule(rng)
            verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
            text = (
                f"{verb}{obj}，建立健全工作机制，明确责任分工，{words}完成。"
                f"各单位要{rng.choice(VERBS)}{rng.choice(OBJECTS)}，定期报送工作进展。"
            )
            rows["task"].append(
                dict(
                    id=task_id,
                    plan_id=p,
                    node_id=sections[(t - 1) * 9 // tasks_per_plan],
                    number=f"（{t}）",
                    title=f"{verb}{obj}",
                    text=text,
                    deadline_text="",
                    section_path="",
                    position=t,
                    source_line=t,
                    active=True,
                    first_revision=1,
                    last_revision=1,
                    due_kind=kind,
                    due_dates=dues,
                    due_recurring=recurring,
                )
            )
            rows["deadline"].append(
                dict(
                    task_id=task_id,
                    source="parsed",
                    kind=kind,
                    due=due,
                    rrule=None,
                    text=words,
                    span_start=-1,
                    span_end=-1,
                    note="",
                    reason="",
                    active=True,
                    created_at=now,
                    created_by="bench",
                )
            )
            chosen = rng.sample(units, min(per_task, len(units)))
            last_due = date.fromisoformat(dues.split(",")[-1]) if dues else None
            for k, uid in enumerate(chosen):
                aid += 1
                role = "lead" if k == 0 else ("responsible" if k < per_task * 0.7 else "supporting")
                done = None
                if rng.random() < 0.30:
                    ref = last_due or AS_OF
                    done = min(AS_OF, ref + timedelta(days=rng.randint(-60, 20)))
                a_rows.append(
                    dict(
                        id=aid,
                        task_id=task_id,
                        unit_id=uid,
                        group_id=None,
                        via_group_id=None,
                        role=role,
                        active=True,
                        created_at=now,
                        completed_on=done,
                        due_override=None,
                    )
                )
                if rng.random() < 0.5:
                    for _ in range(rng.randint(1, 2)):
                        p_rows.append(
                            dict(
                                assignment_id=aid,
                                reported_on=AS_OF - timedelta(days=rng.randint(1, 400)),
                                text=rng.choice(PROGRESS),
                                done=False,
                                recorded_at=now,
                                recorded_by="bench",
                            )
                        )
    with engine.begin() as conn:
        conn.execute(insert(Region.__table__), rows["region"])
        conn.execute(insert(Unit.__table__), rows["unit"])
        conn.execute(insert(Plan.__table__), rows["plan"])
        conn.execute(insert(OutlineNode.__table__), rows["node"])
        conn.execute(insert(Task.__table__), rows["task"])
        conn.execute(insert(TaskDeadline.__table__), rows["deadline"])
        conn.execute(insert(Assignment.__table__), a_rows)
        conn.execute(insert(Progress.__table__), p_rows)
    engine.dispose()
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/duban-bench-200k.db")
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 200_000
    t0 = time.perf_counter()
    build_store(target, count)
    print(f"{target}: {count} assignments in {time.perf_counter() - t0:.1f} s")
