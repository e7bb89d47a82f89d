"""Import speed: seed 001 (budget < 0.5 s) and a synthetic 5,000-task breakdown (< 5 s).

Each figure is read → parse → write into a fresh SQLite store, in-process, best of 3.
Run: python bench/import_bench.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import describe  # noqa: E402
from synth import synthetic_breakdown  # noqa: E402

from tui.ingest.parser import parse_document  # noqa: E402
from tui.ingest.readers import read_document  # noqa: E402
from tui.paths import data_dir  # noqa: E402
from tui.store.db import make_engine  # noqa: E402
from tui.store.importer import import_parsed  # noqa: E402


def time_import(path: Path, runs: int = 3) -> tuple[float, int, int]:
    best = float("inf")
    tasks = assignments = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(str(Path(tmp) / "bench.db"))
            t0 = time.perf_counter()
            doc = read_document(path)
            report = import_parsed(
                engine, parse_document(doc), source=str(path), kind=doc.kind, actor="bench"
            )
            best = min(best, time.perf_counter() - t0)
            tasks, assignments = len(report.tasks), report.assignments
            engine.dispose()
    return best, tasks, assignments


def main() -> int:
    print(f"机器：{describe()}")
    seed = data_dir() / "samples" / "dongsheng_2020-2025_breakdown.txt"
    t, n, a = time_import(seed)
    print(f"seed 001 导入：{t:.3f} s（{n} 项任务，{a} 条落实事项；预算 < 0.5 s）")
    ok = t < 0.5
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "synthetic_5000.txt"
        big.write_text(synthetic_breakdown(5000), encoding="utf-8")
        t, n, a = time_import(big)
    print(f"合成 5,000 项任务导入：{t:.3f} s（{n} 项任务，{a} 条落实事项；预算 < 5 s）")
    ok = ok and t < 5
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
