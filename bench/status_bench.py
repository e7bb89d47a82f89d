"""Status and urgency of every assignment in a 200,000-assignment store, as a whole process.

Budget (issue 14): < 1 s from launch to the counts, median of 5 fresh processes, for each
of the product's ways (bench/status_child.py says which command each stands for):

- ``ledger``: the ledger export's status read (`tui.store.board.ledger_columns`: the
  board's columns judged, and each row's latest report text). It replaces the earlier
  ``facts`` figure (`judged_facts` building one object per live row): since the ledger
  writes from the columns, no command builds those objects any more;
- ``letters``: the letters' item choice (`duban letters due`): the same call keeping only
  the open rows, so only those become objects;
- ``columns``: the desk's board read (`load_columns` + `judge_columns`), no objects.

The child's own phases (imports, read, rules) are printed beside it, to show where the time
goes.

Run: python bench/status_bench.py [--n 200000] [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_store import AS_OF  # noqa: E402
from bench.harness import Figure, bench_env, cached_store, report, run_process  # noqa: E402

BUDGET_S = 1.0
CHILD = Path(__file__).resolve().parent / "status_child.py"


LABELS = {
    "ledger": "台账导出的状态读取：全部落实事项（列式）及最近进展，{n:,} 项（整进程）",
    "letters": "发函选项：未办结事项的状态与紧急程度，共 {n:,} 项（整进程，仅未办结项建对象）",
    "columns": "督办台读取全部事项并判定（列式），{n:,} 项（整进程）",
}


def measure(db: Path, runs: int, n: int, mode: str) -> tuple[Figure, Figure, list[dict]]:
    times, rss, phases = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryFile() as out:
            run = run_process(
                [sys.executable, str(CHILD), str(db), AS_OF.isoformat(), mode], stdout=out
            )
            out.seek(0)
            text = out.read().decode()
        if run.returncode != 0:
            raise SystemExit(f"status_child 失败：{run.stderr[-2000:]}")
        result = json.loads(text)
        if mode != "letters" and result["assignments"] != n:
            raise SystemExit(f"status_child 只读到 {result['assignments']} 项，应为 {n} 项")
        times.append(run.seconds)
        rss.append(run.maxrss_mb)
        result["cpu"] = run.cpu_seconds
        phases.append(result)
    return (
        Figure(LABELS[mode].format(n=n), times, BUDGET_S),
        Figure(f"同上，进程内存峰值，{n:,} 项", rss, None, unit="MB"),
        phases,
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    n, runs = (2000, 1) if a.quick else (a.n, a.runs)
    db = cached_store(n)
    # One unmeasured run, so every measured one starts with the store in the page cache.
    subprocess.run(
        [sys.executable, str(CHILD), str(db), AS_OF.isoformat()],
        env=bench_env(),
        capture_output=True,
        check=True,
    )
    figures, phased = [], []
    for mode in ("ledger", "letters", "columns"):
        whole, rss, phases = measure(db, runs, n, mode)
        figures += [whole, rss]
        phased.append((mode, phases))
    code = report("状态基准：从数据库读取并判定全部落实事项", figures, quick=a.quick)
    for mode, phases in phased:
        keys = ("imports", "read", "evaluate", "cpu")
        med = {k: statistics.median(p[k] for p in phases) for k in keys}
        work = (
            f"读取 {med['read']:.2f} s，判定 {med['evaluate']:.2f} s"
            if mode == "columns"  # ledger_columns and judged_facts read and judge in one call
            else f"读取并判定 {med['read']:.2f} s，计数 {med['evaluate']:.2f} s"
        )
        print(
            f"{mode}：进程内各阶段（中位数）：导入模块 {med['imports']:.2f} s，{work}；"
            f"其余为解释器启动与退出。整进程 CPU 时间 {med['cpu']:.2f} s"
        )
    counts = phased[0][1][-1]["counts"]
    if phased[2][1][-1]["counts"] != counts:
        raise SystemExit("两种读取得到的状态计数不同")
    done = {"已完成", "逾期完成"}
    if phased[1][1][-1]["counts"] != {k: v for k, v in counts.items() if k not in done}:
        raise SystemExit("发函选项的未办结事项计数与全部事项的不同")
    print(f"截至 {AS_OF}：" + "，".join(f"{k} {v:,}" for k, v in sorted(counts.items())))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
