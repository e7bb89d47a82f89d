"""A full disk and a second desk holding the store: one line of Chinese, nothing half-done.

The disk-full case mounts a small tmpfs, which needs root (as CI runs); the lock case
holds the write lock from a second process, as another desk would.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from synth import synthetic_breakdown  # noqa: E402

from .conftest import SEED002  # noqa: E402

ENV = {"PATH": "/usr/bin:/bin:/usr/sbin:/sbin", "DUBAN_USER": "测试员", "DUBAN_CONFIG": "/dev/null"}


def duban(*args: str, db: Path, extra: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args, "--db", str(db)],
        cwd=ROOT,
        env={**ENV, "HOME": str(db.parent), **(extra or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def content(db: Path) -> list:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return list(con.iterdump())
    finally:
        con.close()


def _can_mount() -> bool:
    return os.geteuid() == 0 and shutil.which("mount") is not None


@pytest.mark.skipif(not _can_mount(), reason="mounting a small tmpfs needs root")
def test_a_full_disk_is_one_line_and_the_store_is_unchanged(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(mnt)], check=True)
    try:
        db = mnt / "duban.db"
        assert duban("import", str(SEED002), db=db).returncode == 0
        before = content(db)
        big = tmp_path / "big.txt"
        big.write_text(synthetic_breakdown(5000), encoding="utf-8")
        r = duban("import", str(big), db=db)
        assert r.returncode == 2, r.stderr
        assert "磁盘已满" in r.stderr
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
        assert content(db) == before
        # Room again: the same import now succeeds.
        subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], check=True)
        assert duban("import", str(big), db=db).returncode == 0
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


HOLD = """
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN IMMEDIATE")
con.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.execute("ROLLBACK")
"""


def test_another_desk_writing_is_one_line_and_waits_first(tmp_path):
    db = tmp_path / "duban.db"
    assert duban("import", str(SEED002), db=db).returncode == 0
    before = content(db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), "30"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        t0 = time.monotonic()
        r = duban("progress", "1", "另一台督办台写入时记录", "--date", "2024-08-02", db=db)
        waited = time.monotonic() - t0
        assert r.returncode == 2
        assert "占用" in r.stderr and "稍后" in r.stderr
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
        assert waited >= 9  # it waited for the other desk before giving up
    finally:
        holder.kill()
        holder.wait()
    assert content(db) == before
    # Once the other desk is done, the same write goes through.
    assert (
        duban("progress", "1", "另一台督办台写完后记录", "--date", "2024-08-02", db=db).returncode
        == 0
    )


def test_two_imports_of_the_same_file_at_once_make_one_plan(tmp_path):
    db = tmp_path / "duban.db"
    assert duban("init", db=db).returncode == 0
    plan = tmp_path / "plan.txt"
    plan.write_text(synthetic_breakdown(800), encoding="utf-8")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tui.cli",
                "import",
                str(plan),
                "--db",
                str(db),
                "--format",
                "json",
            ],
            cwd=ROOT,
            env={**ENV, "HOME": str(tmp_path)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _out, err in results]
    import json

    statuses = sorted(json.loads(out)["status"] for out, _err in results)
    assert statuses == ["new", "unchanged"]
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM plan").fetchone() == (1,)
    con.close()
