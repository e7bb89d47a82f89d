"""Realistic history for the demo store, so the desk opens on a year already under way.

Deterministic: a fixed random seed and dates fixed relative to ``DEMO_AS_OF`` (inside both
sample plans' periods). Everything goes through the same store functions the desk uses, in
one transaction, so the audit trail reads like a real office's.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine

from tui.domain.status import Status
from tui.store.db import transaction
from tui.store.deadlines import set_manual_deadline
from tui.store.models import Assignment, Task
from tui.store.progress import close, record_extension, record_progress

DEMO_AS_OF = date(2024, 11, 15)
DEMO_ACTOR = "演示"
SEED = 20241115

PROGRESS_TEXTS = (
    "已制定工作方案，明确责任人和时间表",
    "已召开专题会议研究部署，正在推进",
    "已完成阶段性工作，报送进展材料",
    "电话反馈：正在与相关部门对接落实",
    "书面报告：已完成调研，正在起草制度文件",
    "已印发实施细则，组织开展培训",
)
DONE_TEXTS = (
    "已完成，报送工作总结及佐证材料",
    "书面报告：任务已全部落实，申请销号",
    "已完成并通过自查，佐证材料已归档",
)


def _dates(s: str) -> tuple[date, ...]:
    return tuple(date.fromisoformat(x) for x in s.split(",")) if s else ()


def add_demo_history(
    engine: Engine, as_of: date = DEMO_AS_OF, *, seed: int = SEED
) -> dict[str, int]:
    """Progress, closures (on time and late), extensions and a deadline correction; counts back."""
    rng = random.Random(seed)
    counts = dict(progress=0, closed=0, closed_late=0, extensions=0, corrections=0)
    with transaction(engine) as s:
        # Corrections first so the history below already sees the corrected dates.
        tasks = list(
            s.exec(
                select(Task)
                .where(Task.active.is_(True))
                .order_by(Task.plan_id.desc(), Task.position)
            ).scalars()
        )
        defaults = [t for t in tasks if t.due_kind == "default"]
        fixes = [
            ("2024-10-31", "旗委依法治旗办要求提前至10月底前完成，已电话通知牵头单位"),
            ("2024-11-25", "经与牵头单位核实，按年度工作要点调整至11月25日前完成"),
            ("2024-09-30", "原文“年内”过宽，按专项行动方案明确为9月底前"),
        ]
        for t, (value, reason) in zip(defaults[:: max(1, len(defaults) // 6)], fixes, strict=False):
            set_manual_deadline(s, t, value, reason, DEMO_ACTOR)
            counts["corrections"] += 1
        s.flush()
        task_by_id = {t.id: t for t in tasks}
        assignments = list(
            s.exec(
                select(Assignment)
                .where(Assignment.active.is_(True), Assignment.unit_id.is_not(None))
                .order_by(Assignment.id)
            ).scalars()
        )
        quiet_overdue: list[Assignment] = []
        for a in assignments:
            t = task_by_id.get(a.task_id)
            if t is None:
                continue
            dues = _dates(t.due_dates)
            roll = rng.random()
            if not dues:
                if roll < 0.35:
                    _progress(s, a, as_of - timedelta(days=rng.randint(3, 120)), rng)
                    counts["progress"] += 1
                continue
            if t.due_recurring:
                past = [d for d in dues if d <= as_of]
                if roll < 0.6:
                    for d in past:
                        on = d - timedelta(days=rng.randint(0, 20))
                        if rng.random() < 0.15:
                            on = d + timedelta(days=rng.randint(3, 25))
                        if on <= as_of:
                            _progress(s, a, on, rng)
                            counts["progress"] += 1
                continue
            due = max(dues)
            if due < as_of - timedelta(days=180):
                roll = roll * 0.5  # long past: most of it closed by now
            if due < as_of:
                if roll < 0.40:
                    on = min(due - timedelta(days=rng.randint(2, 40)), as_of)
                    _progress(s, a, on, rng, done=True)
                    counts["closed"] += 1
                elif roll < 0.55:
                    on = min(due + timedelta(days=rng.randint(3, 30)), as_of)
                    _progress(s, a, on, rng, done=True)
                    counts["closed_late"] += 1
                elif roll < 0.72:
                    _progress(s, a, as_of - timedelta(days=rng.randint(5, 80)), rng)
                    counts["progress"] += 1
                else:
                    quiet_overdue.append(a)
            else:
                if roll < 0.08:
                    on = as_of - timedelta(days=rng.randint(1, 40))
                    _progress(s, a, on, rng, done=True)
                    counts["closed"] += 1
                elif roll < 0.5:
                    _progress(s, a, as_of - timedelta(days=rng.randint(1, 90)), rng)
                    counts["progress"] += 1
        if quiet_overdue:
            a = quiet_overdue[0]
            record_extension(
                s,
                a.id,
                requested_on=as_of - timedelta(days=12),
                reason="涉及多部门协调，配套制度需提交常务会议审议",
                new_due=as_of + timedelta(days=45),
                granted=True,
                actor=DEMO_ACTOR,
                note="同意延期，请按新期限完成",
            )
            counts["extensions"] += 1
        if len(quiet_overdue) > 1:
            a = quiet_overdue[-1]
            record_extension(
                s,
                a.id,
                requested_on=as_of - timedelta(days=6),
                reason="人员调整，工作尚未启动",
                new_due=as_of + timedelta(days=90),
                granted=False,
                actor=DEMO_ACTOR,
                note="理由不充分，请按原期限抓紧落实",
            )
            counts["extensions"] += 1
    add_demo_letters(engine, as_of)
    return counts


def _progress(s, a: Assignment, on: date, rng: random.Random, *, done: bool = False) -> None:
    text = rng.choice(DONE_TEXTS if done else PROGRESS_TEXTS)
    record_progress(s, a.id, text, on, DEMO_ACTOR, done=False)
    if done:
        close(s, a.id, on, DEMO_ACTOR)


def add_demo_letters(engine: Engine, as_of: date = DEMO_AS_OF) -> int:
    """The demo's letter register (see tui/store/demo_letters.py); returns its size."""
    from tui.store import demo_letters

    return demo_letters.add_demo_letters(engine, as_of)


def demo_status_counts(engine: Engine, as_of: date = DEMO_AS_OF) -> dict[Status, int]:
    """Status counts of the demo store (used by tests and the README rendering), judged as
    the desk judges its board: columns, no object per assignment."""
    from tui.domain.board import LIGHTS
    from tui.store.board import judge_columns, load_columns
    from tui.store.dialect import board_reader

    with engine.connect() as conn:
        cols = load_columns(board_reader(conn), as_of=as_of)
    counts = dict.fromkeys(Status, 0)
    for code in judge_columns(cols, as_of).light_codes:
        counts[LIGHTS[code]] += 1
    return counts
