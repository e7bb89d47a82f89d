"""Every bench runs at its smallest size in the suite, so a bench that rots fails CI; and the
store generator they share is checked for its size and shape.

No timing is asserted here: the figures are for people, on a quiet machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_store import AS_OF, build_store  # noqa: E402
from bench.run_all import BENCHES, HELPERS, PG_ENV  # noqa: E402


def run_bench(name: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / name), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )


@pytest.fixture(scope="module")
def run_all(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """`run_all.py --quick` once: it runs every bench at its smallest size, one run each."""
    logs = tmp_path_factory.mktemp("bench-logs")
    return run_bench("run_all.py", "--quick", "--logs", str(logs)), logs


def _log(logs: Path, name: str) -> str:
    text = (logs / f"{name}.log").read_text(encoding="utf-8")
    assert "退出码 0，" in text.splitlines()[1], text[-3000:]
    return text


def test_run_all_prints_one_table(run_all):
    res, _logs = run_all
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    out = res.stdout
    assert out.count("机器：") == 2  # before and after, with the load average
    assert "负载" in out
    assert "与预算之比" in out
    for bench in ("import_bench", "desk_bench", "status_bench", "tasks_json_bench", "ten_desks"):
        assert f"[{bench}]" in out
    assert "[overdue_vs_taskwarrior]" in out
    assert "出错：" not in out


def test_import_bench_runs(run_all):
    out = _log(run_all[1], "import")
    assert "机器：" in out
    for label in ("seed 001", "编号全部重复", ".docx"):
        assert label in out


def test_desk_bench_runs(run_all):
    out = _log(run_all[1], "desk")
    for label in ("督办台启动到总览计数", "搜索输入一个字", "搜索退格", "切换排序", "筛选对话框"):
        assert label in out
    assert "内存峰值 VmHWM" in out and "刷新 2 次后内存" in out
    assert "Pilot 往返" in out


def test_status_bench_runs(run_all):
    # It crashed on an import of a function the store no longer has.
    out = _log(run_all[1], "status")
    assert "台账导出的状态读取：全部落实事项（列式）及最近进展，2,000 项（整进程）" in out
    assert "督办台读取全部事项并判定（列式），2,000 项（整进程）" in out
    assert "逾期" in out


def test_tasks_json_bench_runs(run_all):
    out = _log(run_all[1], "tasks")
    assert "duban tasks --format json，2,000 项落实事项" in out
    assert "进程内存峰值" in out


def test_overdue_bench_runs(run_all):
    out = _log(run_all[1], "overdue")
    assert "duban overdue（DUBAN_DB），2,000 项" in out
    assert "duban --db 库 overdue，2,000 项" in out
    if shutil.which("task"):
        assert "快几倍：task overdue ÷ duban overdue" in out
        assert "逾期项数：Taskwarrior" in out
    else:
        assert "未安装 Taskwarrior" in out


def test_letters_bench_runs(run_all):
    _log(run_all[1], "letters")


def test_reports_bench_runs(run_all):
    out = _log(run_all[1], "reports")
    assert "机器：" in out
    for label in ("导出台账", "任务清单（.docx + .xlsx）", "另加 PDF", "通报（80 个单位）：生成"):
        assert label in out
    assert "[reports_bench] 导出台账" in run_all[0].stdout


def test_ten_desks_bench_runs(run_all):
    out = _log(run_all[1], "ten_desks")
    assert "丢失的写入（须为 0）" in out


def test_pg_desk_bench_runs_or_says_why_not(run_all):
    res, logs = run_all
    if any(os.environ.get(k) for k in PG_ENV):
        assert "督办台首屏" in _log(logs, "pg_desk")
    else:
        assert "未运行：pg_desk（需要 PostgreSQL" in res.stdout


def test_every_bench_is_run_by_run_all():
    """A bench added to bench/ without a place in run_all.py would never run in CI."""
    run = {script for _name, script, *_rest in BENCHES}
    scripts = {p.name for p in (ROOT / "bench").glob("*.py")} - {"__init__.py"}
    assert scripts - run - set(HELPERS) == set()
    assert run <= scripts


# --------------------------------------------------------------------------- pieces


def test_pty_frames_are_painted_when_they_end():
    """A marker counts once the frame holding it has ended; its time is that end's arrival."""
    from bench.desk_bench import SYNC_END, SYNC_START, PtyDesk

    desk = PtyDesk.__new__(PtyDesk)
    desk.mark()
    frame = SYNC_START + "\x1b[3;1H共 20 项，显示 5 项 · 排序：期限\x1b[0m".encode() + SYNC_END
    half = len(frame) // 2
    desk.buf += frame[:half]
    desk.arrivals.append((half, 1.0))
    assert desk._match(re.compile("排序：期限")) is None
    desk.buf += frame[half:]
    desk.arrivals.append((len(frame), 2.0))
    at, m = desk._match(re.compile("排序：(期限)"))
    assert (at, m.group(1)) == (2.0, "期限")
    assert desk._match(re.compile("排序：期限")) is None  # matched output is not matched twice


def test_ratio_to_budget_either_direction():
    from bench.harness import Figure

    slow = Figure("x", [2.0, 3.0, 4.0], 1.5)
    assert slow.median == 3.0 and slow.ratio == 2.0 and slow.over
    fast = Figure("y", [20.0], 10.0, unit="×", at_least=True)
    assert fast.ratio == 0.5 and not fast.over
    few = Figure("z", [5.0], 10.0, unit="×", at_least=True)
    assert few.ratio == 2.0 and few.over
    assert Figure("w", [1.0], None).ratio is None


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


def test_store_passes_duban_check(store):
    """Foreign keys, triggers and the audit hash chain hold, as on a store the product wrote."""
    res = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--db", str(store), "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "审计链" in res.stdout


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


def test_the_summary_reads_the_import_benchs_budget_not_its_cpu_column():
    """import_bench.py prints its processes' CPU time between the range and the budget; the
    summary took that CPU time for the budget, and called a 0.23 s import against 0.3 s
    over budget. A line without the CPU column (reports_bench.py) still reads as before."""
    from bench.run_all import parse_import, parse_reports

    line = "示例分解方案（seed 001）          0.23 s      0.19–0.27 s       0.22 s    0.3 s"
    (fig,) = parse_import(line, quick=False)
    assert fig.budget == 0.3 and fig.summary[:3] == (0.23, 0.19, 0.27)
    (fig,) = parse_reports("导出台账：200000 条落实事项  7.84 s  7.46–8.11 s  15.00 s", quick=False)
    assert fig.budget == 15.0 and fig.summary[:3] == (7.84, 7.46, 8.11)
