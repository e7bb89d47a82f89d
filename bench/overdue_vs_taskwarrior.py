"""`duban overdue` against Taskwarrior 2.6 on the same 100,000 items, as whole processes.

Generates 100,000 assignments (80 units, Chinese task text, due dates over three years
centred on today, ~30% done), loads them into Taskwarrior (`task import`) and into a duban
store, then times, alternating, 5 runs each:
  task overdue                 vs  duban overdue            (table)
  task project:UNIT list       vs  duban overdue --unit UNIT
and prints both medians and the ratio. Needs Debian's `taskwarrior`.

Run: python bench/overdue_vs_taskwarrior.py [--n 100000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe  # noqa: E402
from synth import OBJECTS, VERBS  # noqa: E402

UNIT_SUFFIX = ["局", "委", "办", "镇", "街道"]


def make_items(n: int, seed: int = 11):
    rng = random.Random(seed)
    units = [f"第{i + 1}{UNIT_SUFFIX[i % len(UNIT_SUFFIX)]}" for i in range(80)]
    today = date.today()
    n_tasks = max(1, n // len(units))
    tasks = []
    for t in range(n_tasks):
        due = today + timedelta(days=rng.randint(-540, 540))
        title = f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{rng.choice(VERBS)}{rng.choice(OBJECTS)}（{t + 1}）"
        tasks.append((title, due))
    items = []  # (task index, unit index, done_on or None)
    for ti, (_, due) in enumerate(tasks):
        for ui in range(len(units)):
            if len(items) >= n:
                break
            done = due + timedelta(days=rng.randint(-60, 20)) if rng.random() < 0.3 else None
            if done and done > today:
                done = today
            items.append((ti, ui, done))
    return units, tasks, items


def load_taskwarrior(twdir: Path, units, tasks, items) -> dict[str, str]:
    data = twdir / "data"
    data.mkdir(parents=True)
    rc = twdir / "taskrc"
    rc.write_text(
        f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\n", encoding="utf-8"
    )
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    records = []
    entry = "20240101T000000Z"
    for ti, ui, done in items:
        title, due = tasks[ti]
        rec = {
            "description": title,
            "project": f"U{ui + 1:02d}",
            "due": due.strftime("%Y%m%dT000000Z"),
            "entry": entry,
            "status": "completed" if done else "pending",
        }
        if done:
            rec["end"] = done.strftime("%Y%m%dT000000Z")
        records.append(rec)
    chunk = 20000
    for i in range(0, len(records), chunk):
        f = twdir / f"import{i}.json"
        f.write_text(json.dumps(records[i : i + chunk], ensure_ascii=False), encoding="utf-8")
        subprocess.run(
            ["task", "rc.confirmation=off", "rc.verbose=nothing", "rc.hooks=off", "import", str(f)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return env


def load_duban(db: Path, units, tasks, items) -> None:
    from sqlalchemy import insert

    from tui.store.db import make_engine
    from tui.store.models import Assignment, Plan, Task, Unit

    engine = make_engine(str(db))
    now = datetime.now(UTC)
    with engine.begin() as conn:
        pid = conn.execute(
            insert(Plan.__table__).returning(Plan.__table__.c.id),
            [
                dict(
                    key="bench",
                    title="基准测试计划",
                    content_hash="bench",
                    imported_at=now,
                    revision=1,
                    issuer="",
                    region="基准",
                    period_source="",
                    source_name="",
                    plan_text="",
                    imported_by="bench",
                )
            ],
        ).scalar_one()
        uids = (
            conn.execute(
                insert(Unit.__table__).returning(Unit.__table__.c.id, sort_by_parameter_order=True),
                [
                    dict(
                        region="基准",
                        name=u,
                        kind="部门",
                        head="",
                        contact="",
                        phone="",
                        address="",
                        sample=False,
                        from_directory=False,
                    )
                    for u in units
                ],
            )
            .scalars()
            .all()
        )
        tids = (
            conn.execute(
                insert(Task.__table__).returning(Task.__table__.c.id, sort_by_parameter_order=True),
                [
                    dict(
                        plan_id=pid,
                        number=f"（{i + 1}）",
                        title=title,
                        text=title + "。",
                        deadline_text="",
                        section_path="",
                        position=i,
                        source_line=0,
                        active=True,
                        first_revision=1,
                        last_revision=1,
                        due_kind="absolute",
                        due_dates=due.isoformat(),
                        due_recurring=False,
                        due_first=due.isoformat(),
                    )
                    for i, (title, due) in enumerate(tasks)
                ],
            )
            .scalars()
            .all()
        )
        conn.execute(
            insert(Assignment.__table__),
            [
                dict(
                    task_id=tids[ti],
                    unit_id=uids[ui],
                    role="lead" if ui % 7 == 0 else "responsible",
                    active=True,
                    created_at=now,
                    completed_on=done,
                )
                for ti, ui, done in items
            ],
        )
    engine.dispose()


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - t0


def compare(label: str, tw_cmd, tw_env, duban_cmd, duban_env, runs: int = 5) -> float:
    tw, du = [], []
    for _ in range(runs):  # alternate so drift hits both equally
        tw.append(timed(tw_cmd, tw_env))
        du.append(timed(duban_cmd, duban_env))
    tw_m, du_m = statistics.median(tw), statistics.median(du)
    ratio = tw_m / du_m
    print(
        f"{label}: Taskwarrior {tw_m:.3f} s, duban {du_m:.3f} s（中位数，{runs} 次）→ 快 {ratio:.1f} 倍"
    )
    return ratio


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--keep", help="keep the generated stores in this directory")
    args = ap.parse_args()
    if shutil.which("task") is None:
        print("需要 Taskwarrior：apt-get install taskwarrior")
        return 2
    print(f"机器：{describe()}")
    print(
        subprocess.run(["task", "--version"], capture_output=True, text=True).stdout.strip(),
        "(Taskwarrior)",
    )
    work = Path(args.keep or tempfile.mkdtemp(prefix="duban-tw-"))
    work.mkdir(parents=True, exist_ok=True)
    units, tasks, items = make_items(args.n)
    t0 = time.perf_counter()
    tw_env = load_taskwarrior(work / "tw", units, tasks, items)
    print(f"Taskwarrior 导入 {len(items):,} 条：{time.perf_counter() - t0:.1f} s")
    db = work / "duban.db"
    t0 = time.perf_counter()
    load_duban(db, units, tasks, items)
    print(f"duban 写入 {len(items):,} 条：{time.perf_counter() - t0:.1f} s")
    duban = shutil.which("duban") or str(Path(sys.executable).with_name("duban"))
    d_env = {**os.environ, "DUBAN_DB": str(db)}
    tw_base = ["task", "rc.confirmation=off", "rc.verbose=nothing", "rc.hooks=off"]
    r1 = compare(
        "逾期列表（task overdue 对 duban overdue）",
        tw_base + ["overdue"],
        tw_env,
        [duban, "overdue"],
        d_env,
    )
    unit_ix = 17
    r2 = compare(
        f"单个单位（task project:U{unit_ix + 1:02d} list 对 duban overdue --unit {units[unit_ix]}）",
        tw_base + [f"project:U{unit_ix + 1:02d}", "list"],
        tw_env,
        [duban, "overdue", "--unit", units[unit_ix]],
        d_env,
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"目标：至少快 5 倍（争取 10 倍）。结果：{r1:.1f} 倍、{r2:.1f} 倍")
    return 0 if min(r1, r2) >= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
