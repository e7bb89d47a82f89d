"""`duban tasks --format json` on a 200,000-assignment store, as whole processes.

Budgets (GUIDE §7, issue 14): < 1.5 s and < 200 MB peak RSS, median of 5 fresh processes,
the JSON written to a file as `duban tasks --format json > tasks.json` would. The output of
the last run is parsed and must hold every task of the store.

Run: python bench/tasks_json_bench.py [--n 200000] [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Figure, cached_store, duban, report, run_checked  # noqa: E402

BUDGET_S = 1.5
BUDGET_MB = 200.0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    n, runs = (2000, 1) if a.quick else (a.n, a.runs)
    db = cached_store(n)
    with sqlite3.connect(db) as c:
        tasks = c.execute("SELECT count(*) FROM task WHERE active = 1").fetchone()[0]
    cmd = [*duban(), "--db", str(db), "tasks", "--format", "json"]
    times, rss = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out_path = Path(tmp) / "tasks.json"
        for _ in range(runs):
            with open(out_path, "wb") as out:
                run = run_checked(cmd, stdout=out)
            times.append(run.seconds)
            rss.append(run.maxrss_mb)
        size = out_path.stat().st_size
        listed = json.loads(out_path.read_text(encoding="utf-8"))
    if len(listed) != tasks:
        raise SystemExit(f"duban tasks 列出 {len(listed)} 项任务，数据库中有 {tasks} 项")
    label = f"duban tasks --format json，{n:,} 项落实事项（{tasks:,} 项任务）"
    figures = [
        Figure(label, times, BUDGET_S),
        Figure("同上，进程内存峰值", rss, BUDGET_MB, unit="MB"),
    ]
    code = report("任务清单基准：整进程，输出写入文件", figures, quick=a.quick)
    print(f"输出 {size / 1e6:.1f} MB，{len(listed):,} 项任务")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
