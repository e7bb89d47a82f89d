"""The letters bench runs its real path (three whole `duban` processes) at a tiny size, prints
its figure beside its budget and reports over budget with its exit code — no timing is
asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench" / "letters_bench.py"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=600, env=env
    )


def test_letters_bench_runs_the_cli_path_at_a_tiny_size(tmp_path):
    import os

    results = tmp_path / "figures.jsonl"
    env = {**os.environ, "DUBAN_BENCH_RESULTS": str(results)}
    res = run("--quick", "--keep", str(tmp_path / "out"), env=env)
    assert res.returncode == 0, res.stdout + res.stderr
    out = res.stdout
    assert "机器：" in out and "< 5.00 s" in out
    for phase in ("letters draft", "letters sign", "letters render", "CPU 时间"):
        assert phase in out, phase
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 4
    assert len(list((tmp_path / "out").glob("*.docx"))) == 4
    figures = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    assert figures[0]["budget"] == 5.0 and len(figures[0]["samples"]) == 1
    # over budget is a failure the bench reports with its exit code
    res = run("--letters", "2", "--items", "2", "--assignments", "200", "--runs", "1",
              "--budget", "0.001")  # fmt: skip
    assert res.returncode == 1 and "超出预算" in res.stdout
