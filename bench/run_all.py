"""Every bench, one after another, and ONE table: measure, budget, median (min–max) of whole
processes, runs, ratio to budget; the machine and its load before and after.

The benches built on bench/harness.py hand their figures over as JSON lines (the file named
in DUBAN_BENCH_RESULTS); import_bench.py and letters_bench.py print their own tables, which
are read here (their lines are recognised by the patterns below; a bench whose output is not
recognised still shows its exit code). Each bench's full output is kept in a log directory.

Exit code: 2 when a bench crashed (or its output could not be read), else 1 when a figure
is over its budget (not in --quick mode), else 0.

Run: python bench/run_all.py [--quick] [--only desk,status,...] [--logs DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.harness import RESULTS_ENV, Figure, machine_line, table  # noqa: E402
from bench.machine import load  # noqa: E402

# name, script, arguments, arguments with --quick (None: --quick if the script has one,
# else 3 letters), and when a PostgreSQL server is needed: "full" (not for --quick, which
# runs on SQLite) or "always".
BENCHES = (
    ("import", "import_bench.py", [], ["--quick"], ""),
    ("desk", "desk_bench.py", [], ["--quick"], ""),
    ("status", "status_bench.py", [], ["--quick"], ""),
    ("tasks", "tasks_json_bench.py", [], ["--quick"], ""),
    ("overdue", "overdue_vs_taskwarrior.py", [], ["--quick"], ""),
    ("letters", "letters_bench.py", [], None, ""),
    ("reports", "reports_bench.py", [], ["--quick"], ""),
    ("ten_desks", "ten_desks.py", [], ["--quick"], "full"),
    ("pg_desk", "pg_desk_bench.py", [], ["--quick"], "always"),
)
# Not benches: what the benches share, and the child status_bench.py launches.
HELPERS = ("harness.py", "machine.py", "gen_store.py", "synth.py", "status_child.py", "run_all.py")
PG_ENV = ("DUBAN_BENCH_PG", "DUBAN_TEST_PG")

# import_bench.py: "label  0.25 s  0.24–0.27 s  0.24 s  0.3 s[  超出预算]…" (the fourth
# column its processes' CPU time); reports_bench.py: the same without the CPU column.
_IMPORT_LINE = re.compile(
    r"^(?P<label>\S.*?)\s*(?P<med>[\d.]+) s\s+(?P<lo>[\d.]+)–(?P<hi>[\d.]+) s\s+"
    r"(?:(?P<cpu>[\d.]+) s\s+)?(?P<budget>[\d.]+) s"
)
# letters_bench.py: "total: 3.21 s  (…)  budget < 10 s"
_LETTERS_LINE = re.compile(r"total: (?P<med>[\d.]+) s.*budget < (?P<budget>[\d.]+) s")


def _parse_lines(out: str, quick: bool, bench: str, prefix: str = "") -> list[Figure]:
    """ "label  median s  low–high s  [cpu s]  budget s" lines; a line marked 仅供参考 (for
    reference) has no budget."""
    figs = []
    for line in out.splitlines():
        m = _IMPORT_LINE.match(line)
        if m:
            med, lo, hi = (float(m[k]) for k in ("med", "lo", "hi"))
            label = m["label"].strip()
            figs.append(
                Figure(
                    f"{prefix}{label}",
                    [],
                    None if "仅供参考" in label else float(m["budget"]),
                    bench=bench,
                    summary=(med, lo, hi, 1 if quick else 5),
                )
            )
    return figs


def parse_import(out: str, quick: bool) -> list[Figure]:
    return _parse_lines(out, quick, "import_bench", "duban import：")


def parse_reports(out: str, quick: bool) -> list[Figure]:
    return _parse_lines(out, quick, "reports_bench")


def parse_letters(out: str, quick: bool) -> list[Figure]:
    m = _LETTERS_LINE.search(out)
    if not m:
        return []
    med = float(m["med"])
    return [
        Figure(
            "函件批量生成（letters_bench 自报，进程内一次）",
            [],
            float(m["budget"]),
            bench="letters_bench",
            summary=(med, med, med, 1),
        )
    ]


PARSERS = {"import": parse_import, "letters": parse_letters, "reports": parse_reports}


def _letters_args(script: Path, quick: bool) -> list[str]:
    if not quick:
        return []
    return ["--quick"] if "--quick" in script.read_text(encoding="utf-8") else ["--letters", "3"]


def run_bench(name: str, script: str, args: list[str], logs: Path) -> tuple[list[Figure], str]:
    """(figures, problem or "") of one bench, run as its own process."""
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl", delete=False) as res:
        results = Path(res.name)
    env = {**os.environ, RESULTS_ENV: str(results)}
    cmd = [sys.executable, str(HERE / script), *args]
    print(f"… {name}：{' '.join(cmd[1:])}（{load()}）", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE.parent)
    took = time.perf_counter() - t0
    (logs / f"{name}.log").write_text(
        f"$ {' '.join(cmd)}\n退出码 {proc.returncode}，用时 {took:.0f} s\n\n{proc.stdout}\n"
        f"--- stderr ---\n{proc.stderr}",
        encoding="utf-8",
    )
    figures = [
        Figure.from_dict(json.loads(line))
        for line in results.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    results.unlink(missing_ok=True)
    if not figures and name in PARSERS:
        figures = PARSERS[name](proc.stdout, "--quick" in args)
    problem = ""
    if proc.returncode not in (0, 1):
        tail = (proc.stderr.strip().splitlines() or [""])[-1]
        problem = f"{name}：退出码 {proc.returncode}（{tail}）"
    elif not figures:
        problem = (
            f"{name}：没有读到任何数字（退出码 {proc.returncode}），见 {logs / (name + '.log')}"
        )
    print(
        f"  {name} 完成：退出码 {proc.returncode}，用时 {took:.0f} s", file=sys.stderr, flush=True
    )
    return figures, problem


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="tiny sizes, one run each (CI)")
    ap.add_argument("--only", help="comma-separated: " + ",".join(b[0] for b in BENCHES))
    ap.add_argument("--logs", type=Path, help="keep each bench's output here")
    a = ap.parse_args(argv)
    only = set(a.only.split(",")) if a.only else None
    logs = a.logs or Path(tempfile.mkdtemp(prefix="duban-bench-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    before = machine_line()
    figures: list[Figure] = []
    problems: list[str] = []
    skipped: list[str] = []
    server = any(os.environ.get(k) for k in PG_ENV)
    for name, script, args, quick_args, needs_pg in BENCHES:
        if only is not None and name not in only:
            continue
        if not server and (needs_pg == "always" or (needs_pg == "full" and not a.quick)):
            skipped.append(f"{name}（需要 PostgreSQL：设置 {PG_ENV[0]} 或 {PG_ENV[1]}）")
            continue
        if quick_args is None:
            use = _letters_args(HERE / script, a.quick)
        else:
            use = quick_args if a.quick else args
        figs, problem = run_bench(name, script, use, logs)
        figures += figs
        if problem:
            problems.append(problem)
    print(f"督办台基准汇总{'（--quick：极小规模，单次，不判预算）' if a.quick else ''}")
    print(f"开始时 {before}")
    print(f"结束时 {machine_line()}")
    print(table(figures, show_bench=True))
    over = [f for f in figures if f.over]
    print(f"共 {len(figures)} 项，超出预算 {len(over)} 项；各基准的完整输出：{logs}")
    for name in skipped:
        print(f"未运行：{name}")
    for p in problems:
        print(f"出错：{p}")
    if problems:
        return 2
    return 1 if over and not a.quick else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
