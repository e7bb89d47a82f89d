"""Tamper evidence and corruption: the audit chain, `duban check`, and writes refused on a
damaged store; `duban restore` checks before it replaces and keeps what it replaced."""

from __future__ import annotations

import os
import random
import sqlite3

import pytest

from .conftest import SEED002


@pytest.fixture
def store(cli, db):
    assert cli("import", str(SEED002)).code == 0
    assert cli("progress", "1", "已报送方案初稿", "--date", "2024-08-01").code == 0
    return db


def _untriggered(db, sql: str, params=()) -> None:
    """What a tamperer with the file does: drop the guard, change rows, put the guard back."""
    con = sqlite3.connect(db)
    triggers = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'"
    ).fetchall()
    for name, _sql in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    con.execute(sql, params)
    for _name, ddl in triggers:
        con.execute(ddl)
    con.commit()
    con.close()


def test_audit_verify_passes_on_an_untouched_store(cli, store):
    r = cli("audit", "verify")
    assert r.code == 0, r.err
    assert "审计链完整" in r.out
    r = cli("check")
    assert r.code == 0, r.err
    assert "数据库完好" in r.out


def test_audit_verify_finds_an_edited_row(cli, store):
    _untriggered(store, "UPDATE audit_log SET actor = '别人' WHERE id = 5")
    r = cli("audit", "verify")
    assert r.code == 2
    assert "第 5 条" in r.err and "内容被改动" in r.err


def test_audit_verify_finds_a_deleted_row(cli, store):
    _untriggered(store, "DELETE FROM audit_log WHERE id = 7")
    r = cli("audit", "verify")
    assert r.code == 2
    assert "id 8" in r.err and "被删除" in r.err


def test_audit_verify_finds_a_forged_row(cli, store):
    con = sqlite3.connect(store)
    last = con.execute("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]
    con.execute(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after, batch, "
        "prev_hash, hash) VALUES ('2024-09-01 08:00:00.000000', '科长', 'assignment.close', "
        "'assignment', 3, '', '{}', '', ?, ?)",
        (last, "0" * 64),
    )
    con.commit()
    con.close()
    r = cli("audit", "verify")
    assert r.code == 2 and "内容被改动" in r.err
    assert cli("check").code == 2


def test_a_dropped_trigger_is_reported_not_silently_remade(cli, store):
    con = sqlite3.connect(store)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.commit()
    con.close()
    assert cli("progress", "2", "已完成初稿", "--date", "2024-08-02").code == 0
    r = cli("check")
    assert r.code == 2
    assert "audit_log_no_delete" in r.out
    con = sqlite3.connect(store)
    names = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    con.close()
    assert "audit_log_no_delete" not in names


def _smash_table_page(db, table: str) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    con.close()
    rng = random.Random(3)
    with open(db, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(bytes(rng.randrange(256) for _ in range(page_size)))


def test_check_finds_random_bytes_over_a_table_page_and_writes_are_refused(cli, store):
    _smash_table_page(store, "task")
    r = cli("check")
    assert r.code == 2
    assert "页面损坏" in r.out
    before = os.stat(store).st_mtime_ns
    r = cli("progress", "1", "再报一次", "--date", "2024-08-03")
    assert r.code == 2
    assert "已损坏" in r.err and "duban restore" in r.err
    assert r.err.count("\n") == 1
    assert os.stat(store).st_mtime_ns == before


def test_restore_checks_the_backup_and_keeps_the_replaced_store(cli, store, tmp_path):
    backup = tmp_path / "backup.db"
    assert cli("backup", str(backup)).code == 0
    assert oct(os.stat(backup).st_mode & 0o777) == "0o600"
    assert cli("progress", "1", "备份之后的进展", "--date", "2024-08-05").code == 0
    # A damaged backup is refused and the store is left alone.
    bad = tmp_path / "bad.db"
    bad.write_bytes(backup.read_bytes()[:4096] + b"\0" * 4096)
    r = cli("restore", str(bad))
    assert r.code == 2 and "未恢复" in r.err
    r = cli("restore", str(backup))
    assert r.code == 0, r.err
    kept = [p for p in tmp_path.iterdir() if "恢复前" in p.name]
    assert len(kept) == 1
    con = sqlite3.connect(kept[0])
    assert con.execute(
        "SELECT count(*) FROM progress WHERE text = '备份之后的进展'"
    ).fetchone() == (1,)
    con.close()
    con = sqlite3.connect(store)
    assert con.execute(
        "SELECT count(*) FROM progress WHERE text = '备份之后的进展'"
    ).fetchone() == (0,)
    con.close()
    assert cli("audit", "verify").code == 0


def test_files_are_private_under_a_permissive_umask(tmp_path):
    """A whole `duban import` started under umask 022: the folder it makes is 0700, the
    store and its WAL files 0600, and so is a backup."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    folder = tmp_path / "办公室数据"
    db = folder / "duban.db"
    env = {"PATH": "/usr/bin:/bin", "DUBAN_USER": "测试员", "HOME": str(tmp_path)}

    def duban(*args):
        return subprocess.run(
            [sys.executable, "-m", "tui.cli", *args, "--db", str(db)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            preexec_fn=lambda: os.umask(0o022),
        )

    assert duban("import", str(SEED002)).returncode == 0
    assert duban("backup", str(tmp_path / "backup.db")).returncode == 0
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    # a second write: today's automatic backup is made beside the store
    assert duban("progress", "1", "已报送", "--date", "2024-08-01").returncode == 0
    made = [p for p in folder.rglob("*")] + [tmp_path / "backup.db"]
    assert db in made and any(p.parent.name == "备份" for p in made)
    for p in made:
        want = "0o700" if p.is_dir() else "0o600"
        assert oct(p.stat().st_mode & 0o777) == want, p


def test_commits_are_durable(db, cli):
    from tui.store.db import make_engine

    assert cli("init").code == 0
    engine = make_engine(str(db), create=False)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    engine.dispose()


def test_a_backup_killed_midway_leaves_nothing_at_the_destination(tmp_path):
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    from bench.gen_store import build_store

    db = tmp_path / "big.db"
    build_store(db, assignments=60_000, seed=3)
    env = {
        "PATH": "/usr/bin:/bin",
        "DUBAN_USER": "测试员",
        "HOME": str(tmp_path),
        "DUBAN_CONFIG": "/dev/null",
    }
    dest = tmp_path / "out" / "backup.db"
    dest.parent.mkdir()
    cmd = [sys.executable, "-m", "tui.cli", "backup", str(dest), "--db", str(db)]
    t0 = time.monotonic()
    subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)
    whole = time.monotonic() - t0
    dest.unlink()
    landed = 0
    # Never a partial file at the destination: either nothing, or the whole backup.
    for k in range(1, 9):
        proc = subprocess.Popen(
            cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(whole * k / 9)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            landed += 1
        proc.wait()
        if dest.exists():
            # Killed after the rename (or not killed at all): then it is a whole backup.
            con = sqlite3.connect(dest)
            assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert con.execute("SELECT count(*) FROM assignment").fetchone() == (60_000,)
            con.close()
            dest.unlink()
    assert landed >= 3
    # The next backup is whole and clears what the killed ones left.
    subprocess.run(cmd, cwd=root, env=env, check=True, capture_output=True)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["backup.db"]


@pytest.mark.parametrize(
    "command",
    [("tasks",), ("progress", "1", "进展"), ("check",), ("audit", "verify"), ("overdue",)],
)
def test_a_store_with_a_damaged_header_is_one_line_for_every_command(cli, store, command):
    with open(store, "r+b") as f:
        f.write(b"\x00GARBAGE HEADER\x00")
    r = cli(*command)
    assert r.code == 2, (r.out, r.err)
    lines = [x for x in r.err.splitlines() if x.strip()]
    assert len(lines) == 1 and "Traceback" not in r.err
    assert any(w in lines[0] for w in ("不是督办台数据库", "已损坏", "问题"))


def test_quick_check_is_skipped_only_for_a_file_exactly_as_we_left_it(cli, store, monkeypatch):
    import tui.store.health as health

    calls = []
    real = health.quick_check
    monkeypatch.setattr(health, "quick_check", lambda conn: calls.append(1) or real(conn))
    # the fixture's store was closed cleanly by this program: stamped
    assert cli("progress", "1", "一次进展", "--date", "2024-08-03").code == 0
    assert calls == []
    assert cli("progress", "1", "两次进展", "--date", "2024-08-04").code == 0
    assert calls == []  # the last write's clean close vouched for the file
    # anything that touches the file from outside brings the check back…
    os.utime(store, ns=(time_ns := os.stat(store).st_mtime_ns, time_ns + 1000))
    assert cli("progress", "1", "三次进展", "--date", "2024-08-05").code == 0
    assert calls == [1]
    # …and damage written from outside is still refused before any write
    _smash_table_page(store, "task")
    before = os.stat(store).st_mtime_ns
    r = cli("progress", "1", "再报一次", "--date", "2024-08-06")
    assert r.code == 2 and "已损坏" in r.err
    assert os.stat(store).st_mtime_ns == before
