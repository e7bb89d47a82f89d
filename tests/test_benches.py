"""Every bench runs at its smallest size in the suite, so a bench that rots fails CI; and the
store generator they share is checked for its size and shape.

No timing is asserted here: the figures are for people, on a quiet machine.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_store import AS_OF, build_store  # noqa: E402


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


# --------------------------------------------------------------------------- the generator


@pytest.mark.parametrize("n", [1, 7, 81, 1234])
def test_exact_size(tmp_path, n):
    db = build_store(tmp_path / "s.db", assignments=n, seed=3)
    with sqlite3.connect(db) as c:
        live = c.execute(
            "SELECT count(*) FROM assignment a JOIN task t ON t.id = a.task_id "
            "WHERE a.active = 1 AND t.active = 1"
        ).fetchone()[0]
    assert live == n


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("gen") / "s.db", assignments=5000, seed=11)


def _one(c, sql: str):
    return c.execute(sql).fetchone()[0]


def test_realistic_shape(store):
    with sqlite3.connect(store) as c:
        tasks = _one(c, "SELECT count(*) FROM task")
        assert 5000 / 38 <= tasks <= 5000 / 12  # ~25 assignments per task
        assert _one(c, "SELECT count(*) FROM task WHERE key = ''") == 0
        assert _one(c, "SELECT count(*) FROM task WHERE due_first <> ''") > tasks * 0.7
        assert _one(c, "SELECT count(*) FROM task WHERE due_recurring = 1") > 0
        assert _one(c, "SELECT count(*) FROM plan WHERE identity_version = 2") == _one(
            c, "SELECT count(*) FROM plan"
        )
        with_progress = _one(c, "SELECT count(DISTINCT assignment_id) FROM progress")
        assert 0.05 * 5000 < with_progress < 0.2 * 5000
        assert _one(c, "SELECT count(*) FROM assignment WHERE completed_on IS NOT NULL") > 0
        assert _one(c, "SELECT count(*) FROM extension") > 0
        assert _one(c, "SELECT count(*) FROM letter WHERE number IS NOT NULL") > 0
        assert _one(c, "SELECT count(*) FROM letter_item") > 0
        assert _one(c, "SELECT count(*) FROM letter_reply") > 0
        assert _one(c, "SELECT count(*) FROM audit_log") > 0


def test_overdue_finds_items(store):
    res = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(store), "overdue"]
        + ["--as-of", AS_OF.isoformat(), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    rows = json.loads(res.stdout)
    assert len(rows) > 100
    assert all(r["days_overdue"] > 0 for r in rows)
