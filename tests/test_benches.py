"""Every bench runs at its smallest size in the suite, so a bench that rots fails CI.

No timing is asserted here: the figures are for people, on a quiet machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_bench(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / name), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


def test_import_bench_runs():
    res = run_bench("import_bench.py", "--quick")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "机器：" in out
    for label in ("seed 001", "编号全部重复", ".docx"):
        assert label in out
