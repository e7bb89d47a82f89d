"""`duban overdue` against Taskwarrior's `task overdue` on the same 100,000 items, in one run.

The store is bench/gen_store.py's realistic one, generated as of today (Taskwarrior knows no
other date): progress reports, letters, extensions, recurring duties. Every live assignment
becomes one Taskwarrior task with the deadline that counts for it (the date duban's status
rules name, due at the end of that day), closed ones as completed, progress reports and
letters as annotations, the unit as project. Then, alternating so that drift hits both
equally, five whole processes each:

  task overdue                    vs  duban overdue             (DUBAN_DB names the store)
  task overdue                    vs  duban --db STORE overdue
  task project:UNIT list          vs  duban overdue --unit UNIT  (for reference)

Budget (GUIDE §7): duban at least 10× faster than Taskwarrior on `overdue`, both forms.
Both overdue counts are printed: they list the same work. duban runs as a user's install
runs it (`harness.installed_duban`: no editable-install import hook at start-up). Needs Debian's `taskwarrior`
(apt-get install --no-install-recommends taskwarrior); without it the Taskwarrior half is
skipped with that reason and only duban is timed.

Run: python bench/overdue_vs_taskwarrior.py [--n 100000] [--runs 5] [--quick] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from datetime import time as clock_time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    Figure,
    bench_env,
    cached_store,
    installed_duban,
    report,
    run_checked,
)

RATIO_BUDGET = 10.0
TW_RC = ["rc.confirmation=off", "rc.verbose=nothing", "rc.hooks=off", "rc.color=off"]


def _tw_time(d: date, end_of_day: bool = True) -> str:
    """A local date as Taskwarrior's UTC timestamp (due at the end of the day, as duban:
    an item due today is not yet overdue)."""
    local = datetime.combine(
        d, clock_time(23, 59, 59) if end_of_day else clock_time(9, 0)
    ).astimezone()
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def taskwarrior_records(db: Path, today: date) -> tuple[list[dict], str, str]:
    """Every live assignment as a Taskwarrior task; and one busy unit (code, name)."""
    from tui.domain.board import evaluate
    from tui.domain.status import Status
    from tui.store.board import connect
    from tui.store.facts import load_facts

    conn = connect(str(db))
    try:
        facts = load_facts(conn, as_of=today)
    finally:
        conn.close()
    rows = evaluate(facts, today)
    with sqlite3.connect(db) as c:
        notes: dict[int, list[tuple[str, str]]] = {}
        for aid, on, text in c.execute(
            "SELECT assignment_id, reported_on, text FROM progress ORDER BY reported_on"
        ):
            notes.setdefault(aid, []).append((on, text))
        for aid, on, number in c.execute(
            "SELECT li.assignment_id, l.issued_on, l.number FROM letter_item li "
            "JOIN letter l ON l.id = li.letter_id WHERE l.number IS NOT NULL"
        ):
            notes.setdefault(aid, []).append((on, f"已发函 {number}"))
        imported = dict(c.execute("SELECT id, imported_at FROM plan"))
    records = []
    per_unit: dict[int, int] = {}
    for r in rows:
        f, st = r.fact, r.status
        entry = datetime.fromisoformat(str(imported[f.plan_id])).astimezone(UTC)
        rec = {
            "description": f"{f.task_number}{f.task_title}（{f.unit_name}）",
            "project": f"U{f.unit_id}" if f.unit_id is not None else "待分解",
            "entry": entry.strftime("%Y%m%dT%H%M%SZ"),
            "tags": [f.role],
            "status": "pending",
        }
        if st.status in (Status.DONE, Status.DONE_LATE):
            # Closed by the office, or a recurring duty whose every period is reported.
            end = f.completed_on or (f.progress_dates[-1] if f.progress_dates else today)
            rec["status"] = "completed"
            rec["end"] = _tw_time(end, end_of_day=False)
        if st.due is not None:
            rec["due"] = _tw_time(st.due)
        ann = [
            {"entry": _tw_time(date.fromisoformat(str(on)[:10]), False), "description": text}
            for on, text in notes.get(f.id, ())
            if on is not None and date.fromisoformat(str(on)[:10]) <= today
        ]
        if ann:
            rec["annotations"] = ann
        records.append(rec)
        if f.unit_id is not None:
            per_unit[f.unit_id] = per_unit.get(f.unit_id, 0) + 1
    # The busiest unit whose name no other region uses, so both tools list the same unit.
    names: dict[int, str] = {r.fact.unit_id: r.fact.unit_name for r in rows}
    uses: dict[str, int] = {}
    for name in names.values():
        uses[name] = uses.get(name, 0) + 1
    unique = [u for u in per_unit if uses[names[u]] == 1] or list(per_unit)
    busy = max(unique, key=per_unit.__getitem__)
    return records, f"U{busy}", names[busy]


def load_taskwarrior(work: Path, records: list[dict]) -> dict[str, str]:
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    rc = work / "taskrc"
    rc.write_text(
        f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\n", encoding="utf-8"
    )
    env = {**os.environ, "TASKRC": str(rc), "TASKDATA": str(data)}
    chunk = 20_000
    for i in range(0, len(records), chunk):
        f = work / f"import{i}.json"
        f.write_text(json.dumps(records[i : i + chunk], ensure_ascii=False), encoding="utf-8")
        subprocess.run(
            ["task", *TW_RC, "import", str(f)],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        f.unlink()
    # One command first: Taskwarrior moves completed tasks out of pending.data on its next
    # run (garbage collection); the timed runs should not include that one-off.
    subprocess.run(["task", *TW_RC, "count"], env=env, check=True, capture_output=True)
    return env


def tw_count(env: dict[str, str], *filters: str) -> int:
    out = subprocess.run(
        ["task", *TW_RC, *filters, "count"], env=env, check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip() or 0)


def duban_count(duban: list[str], db: Path) -> int:
    with tempfile.TemporaryFile() as out:
        run_checked([*duban, "--db", str(db), "overdue", "--format", "json"], stdout=out)
        out.seek(0)
        return len(json.loads(out.read().decode()))


def compare(
    labels: tuple[str, str, str], tw_cmd, tw_env, du_cmd, du_env, runs: int, budget
) -> list[Figure]:
    """Alternating whole processes; the ratio's samples are the pairs' ratios. The ratio of
    their CPU times (user + system) is shown beside it, without a budget: on a busy machine
    the wall clock measures the load as much as the programs."""
    tw, du, tw_cpu, du_cpu = [], [], [], []
    for _ in range(runs):  # alternate so drift hits both equally
        t = run_checked(tw_cmd, env=tw_env)
        d = run_checked(du_cmd, env=du_env)
        tw.append(t.seconds)
        du.append(d.seconds)
        tw_cpu.append(t.cpu_seconds)
        du_cpu.append(d.cpu_seconds)
    ratios = [t / d for t, d in zip(tw, du, strict=True)]
    cpu_ratios = [t / d for t, d in zip(tw_cpu, du_cpu, strict=True) if d]
    return [
        Figure(labels[0], tw, None),
        Figure(labels[1], du, None),
        Figure(labels[2], ratios, budget, unit="×", at_least=True),
        Figure(f"{labels[2]}（CPU 时间之比，参考）", cpu_ratios, None, unit="×"),
    ]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--keep", type=Path, help="keep the Taskwarrior data in this directory")
    a = ap.parse_args(argv)
    n, runs = (2000, 1) if a.quick else (a.n, a.runs)
    today = date.today()
    db = cached_store(n, as_of=today)
    du_env = bench_env(DUBAN_DB=str(db))
    duban, how = installed_duban()
    by_env = [*duban, "overdue"]
    by_arg = [*duban, "--db", str(db), "overdue"]
    figures: list[Figure] = []
    notes: list[str] = [how]
    if shutil.which("task") is None:
        notes.append(
            "未安装 Taskwarrior（apt-get install --no-install-recommends taskwarrior）："
            "跳过对照，只计 duban 的时间"
        )
        for label, cmd in (
            ("duban overdue（DUBAN_DB）", by_env),
            ("duban --db 库 overdue", by_arg),
        ):
            times = [run_checked(cmd, env=du_env).seconds for _ in range(runs)]
            figures.append(Figure(f"{label}，{n:,} 项", times, None))
    else:
        version = subprocess.run(["task", "--version"], capture_output=True, text=True)
        notes.append(f"Taskwarrior {version.stdout.strip()}")
        work = a.keep or Path(tempfile.mkdtemp(prefix="duban-tw-"))
        try:
            t0 = time.perf_counter()
            records, unit_code, unit_name = taskwarrior_records(db, today)
            tw_env = load_taskwarrior(work, records)
            notes.append(f"Taskwarrior 导入 {len(records):,} 项：{time.perf_counter() - t0:.1f} s")
            notes.append(
                f"逾期项数：Taskwarrior {tw_count(tw_env, '+OVERDUE'):,}，"
                f"duban {duban_count(duban, db):,}"
            )
            tw_overdue = ["task", *TW_RC, "overdue"]
            figures += compare(
                (
                    f"task overdue，{n:,} 项",
                    f"duban overdue（DUBAN_DB），{n:,} 项",
                    "快几倍：task overdue ÷ duban overdue",
                ),
                tw_overdue,
                tw_env,
                by_env,
                du_env,
                runs,
                RATIO_BUDGET,
            )
            figures += compare(
                (
                    f"task overdue（与下行交替），{n:,} 项",
                    f"duban --db 库 overdue，{n:,} 项",
                    "快几倍：task overdue ÷ duban --db 库 overdue",
                ),
                tw_overdue,
                tw_env,
                by_arg,
                du_env,
                runs,
                RATIO_BUDGET,
            )
            figures += compare(
                (
                    f"task project:{unit_code} list（{unit_name}）",
                    f"duban overdue --unit {unit_name}",
                    "快几倍：单个单位（参考，无预算）",
                ),
                ["task", *TW_RC, f"project:{unit_code}", "list"],
                tw_env,
                [*by_env, "--unit", unit_name],
                du_env,
                runs,
                None,
            )
        finally:
            if not a.keep:
                shutil.rmtree(work, ignore_errors=True)
    code = report("逾期清单：duban 对 Taskwarrior，整进程，交替运行", figures, quick=a.quick)
    for note in notes:
        print(note)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
