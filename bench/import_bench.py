"""Import speed as the user waits for it: whole `duban import` processes, median of 5.

Budgets (GUIDE §7): a seed breakdown < 0.3 s; a synthetic 5,000-task breakdown with the
normal report < 3 s; 10,000 tasks with repeated numbers < 3 s; a 129,000-paragraph .docx
finishes or is refused with a clear limit in < 30 s. Each run imports into a fresh store.
Prints machine, figure and budget; exits 1 when a figure is over its budget. Beside the
wall-clock figures, the median CPU time (user + system) of one process: on a machine shared
with others' test runs, the figure their load disturbs least.

Run: python bench/import_bench.py [--quick]   (--quick: small sizes, one run — for CI)
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import bench_env, duban  # noqa: E402
from machine import describe  # noqa: E402
from synth import (  # noqa: E402
    repeated_numbers_plan,
    repeated_paragraphs_docx,
    synthetic_breakdown,
)

ROOT = HERE.parent
SEED = ROOT / "data" / "samples" / "dongsheng_2020-2025_breakdown.txt"


def pad(text: str, cells: int) -> str:
    """Left-justify by display width (a CJK character takes two cells)."""
    import unicodedata

    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, cells - w)


def _child_cpu() -> float:
    """CPU seconds (user + system) of every finished child process so far."""
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def run_import(path: Path, runs: int) -> tuple[float, float, float, int, str, float]:
    """(median, min, max) seconds of whole processes, the exit code, last stderr line and
    the median CPU seconds of a process (on a shared machine, the figure others' work
    disturbs least)."""
    times: list[float] = []
    cpu: list[float] = []
    env = bench_env()  # the package's bytecode in place, as a user's install has it
    code, err = 0, ""
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            cmd = [*duban(), "import", str(path), "--db", f"{tmp}/b.db"]
            c0 = _child_cpu()
            t0 = time.perf_counter()
            res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
            times.append(time.perf_counter() - t0)
            cpu.append(_child_cpu() - c0)
            code, err = res.returncode, (res.stderr.strip().splitlines() or [""])[-1]
            if code not in (0, 2):
                raise SystemExit(f"duban import failed on {path.name}: {res.stderr[-2000:]}")
    return statistics.median(times), min(times), max(times), code, err, statistics.median(cpu)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    runs = 1 if quick else 5
    scale = 20 if quick else 1
    print(f"机器：{describe()}")
    print(f"{pad('测量', 34)}{pad('中位数', 12)}{pad('最小–最大', 18)}{pad('CPU', 10)}预算")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        cases = [("示例分解方案（seed 001）", SEED, 0.3, 0)]
        big = t / "synthetic_5000.txt"
        big.write_text(synthetic_breakdown(5000 // scale), encoding="utf-8")
        cases.append((f"合成 {5000 // scale} 项任务", big, 3.0, 0))
        rep = t / "repeated_10000.txt"
        rep.write_text(repeated_numbers_plan(10000 // scale), encoding="utf-8")
        cases.append((f"{10000 // scale} 项任务，编号全部重复", rep, 3.0, 0))
        docx = t / "paragraphs_129000.docx"
        repeated_paragraphs_docx(docx, 129000 // scale)
        cases.append((f"{129000 // scale} 段的 .docx", docx, 30.0, None))
        for label, path, budget, want in cases:
            med, lo, hi, code, err, cpu = run_import(path, runs)
            over = med > budget
            ok = ok and not over and (want is None or code == want)
            note = "" if code == 0 else f"  退出码 {code}：{err}"
            print(
                f"{pad(label, 34)}{pad(f'{med:.2f} s', 12)}{pad(f'{lo:.2f}–{hi:.2f} s', 18)}"
                f"{pad(f'{cpu:.2f} s', 10)}{budget:.1f} s{'  超出预算' if over else ''}{note}"
            )
    return 0 if ok or quick else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
