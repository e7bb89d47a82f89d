"""The letters bench runs its real path at a tiny size (no timing is asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_letters_bench_runs_the_cli_path_at_a_tiny_size(tmp_path):
    res = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "letters_bench.py"),
            "--letters",
            "4",
            "--items",
            "3",
            "--assignments",
            "400",
            "--runs",
            "1",
            "--budget",
            "600",
            "--keep",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout
    assert "machine:" in out and "budget < 600 s" in out and "OK" in out
    assert "draft" in out and "sign" in out and "render" in out
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 4
    assert len(list((tmp_path / "out").glob("*.docx"))) == 4
    # over budget is a failure the bench reports with its exit code
    res = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "letters_bench.py"), "--letters", "2",
         "--items", "2", "--assignments", "200", "--runs", "1", "--budget", "0.001"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert res.returncode == 1 and "OVER BUDGET" in res.stdout
