"""The command line's round of an office's work, on SQLite and on PostgreSQL alike: import,
listings, progress, deadlines, letters drafted and signed with gapless numbers, the year's
figures, the audit chain and its append-only guard, and the schema check."""

from __future__ import annotations

import pytest

from .conftest import SEED002, query

pytestmark = pytest.mark.both_stores

AS_OF = "2025-01-15"


@pytest.fixture
def office(cli):
    r = cli("import", str(SEED002), "--format", "json")
    assert r.code == 0, r.err
    return r.json()


def test_import_and_listings(cli, db, office):
    assert office["tasks_count"] == 26
    again = cli("import", str(SEED002), "--format", "json")
    assert again.code == 0, again.err
    assert query(db, "SELECT count(*) FROM plan") == [(1,)]
    assert query(db, "SELECT count(*) FROM task WHERE active = TRUE") == [(26,)]
    tasks = cli("tasks", "--format", "json")
    assert tasks.code == 0, tasks.err
    assert len(tasks.json()) == 26
    overdue = cli("overdue", "--as-of", AS_OF, "--format", "json")
    assert overdue.code == 0, overdue.err
    rows = overdue.json()
    assert rows and all(r["days_overdue"] >= 1 for r in rows)
    only = cli("overdue", "--as-of", AS_OF, "--unit", "司法局", "--format", "json")
    assert only.code == 0, only.err
    assert 0 < len(only.json()) < len(rows)
    assert {r["unit"] for r in only.json()} == {"旗司法局"}
    assert cli("overdue", "--unit", "没有这个单位").code == 2


def test_progress_deadline_and_letters(cli, db, office):
    overdue = cli("overdue", "--as-of", AS_OF, "--format", "json").json()
    first = overdue[0]["assignment_id"]
    r = cli("progress", str(first), "已完成初稿", "--date", "2025-01-10")
    assert r.code == 0, r.err
    assert query(db, "SELECT text FROM progress WHERE assignment_id = :a", {"a": first}) == [
        ("已完成初稿",)
    ]
    r = cli("deadlines", "（三）", "--format", "json")
    assert r.code == 0, r.err
    r = cli("deadline", "（三）", "2025-06-30", "--reason", "上级通知延期")
    assert r.code == 0, r.err
    assert ("2025-06-30",) in query(db, "SELECT due_first FROM task")

    r = cli("letters", "draft", "--kind", "提醒", "--as-of", AS_OF)
    assert r.code == 0, r.err
    drafts = query(db, "SELECT id FROM letter WHERE status = '草稿' ORDER BY id")
    assert len(drafts) >= 10
    ids = [str(x) for (x,) in drafts]
    r = cli("letters", "sign", *ids, "--by", "张主任", "--yes", "--date", AS_OF)
    assert r.code == 0, r.err
    seqs = [s for (s,) in query(db, "SELECT seq FROM letter WHERE number IS NOT NULL ORDER BY seq")]
    assert seqs == list(range(1, len(ids) + 1))
    listed = cli("letters", "list", "--format", "json")
    assert listed.code == 0, listed.err
    assert len(listed.json()) == len(ids)

    r = cli("summary", "--year", "2024")
    assert r.code == 0, r.err


def test_audit_chain_guard_and_check(cli, db, office):
    r = cli("audit", "verify")
    assert r.code == 0, r.err
    r = cli("check")
    assert r.code == 0, (r.out, r.err)
    from sqlalchemy.exc import DBAPIError

    with pytest.raises(DBAPIError, match="只能追加"):
        query(db, "UPDATE audit_log SET actor = 'x'")
    with pytest.raises(DBAPIError, match="只能追加"):
        query(db, "DELETE FROM audit_log")
    r = cli("db", "upgrade")
    assert r.code == 0 and "已是最新版本" in r.out, r.err


def test_backup_is_whole_or_nothing(cli, db, office, tmp_path, store_kind):
    """SQLite: the online backup; PostgreSQL: pg_dump's custom format. Either way verified
    before it is renamed into place, 0600, and never over an existing file."""
    out = tmp_path / "backups"
    out.mkdir()
    dest = out / "office.bak"
    r = cli("backup", str(dest))
    assert r.code == 0, r.err
    assert dest.is_file() and dest.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in out.iterdir()] == ["office.bak"]  # no temporary file left
    if store_kind == "postgresql":
        import subprocess

        listed = subprocess.run(
            ["pg_restore", "--list", str(dest)], capture_output=True, text=True, check=True
        ).stdout
        for table in ("plan", "task", "assignment", "audit_log", "letter_counter"):
            assert " TABLE DATA " in listed and f" {table} " in listed, table
    again = cli("backup", str(dest))
    assert again.code == 2 and "已存在" in again.err


def test_backup_of_a_server_store_without_pg_dump_is_one_line(cli, pg_store, tmp_path, monkeypatch):
    assert cli("init", "--db", pg_store, use_db=False).code == 0
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump anywhere
    r = cli("backup", str(tmp_path / "x.dump"), "--db", pg_store, use_db=False)
    assert r.code == 2 and "找不到 pg_dump" in r.err and len(r.err.strip().splitlines()) == 1
    assert not (tmp_path / "x.dump").exists()


def test_circulars_numbered_on_both_stores(cli, db, office):
    r = cli("circular", "draft", "--as-of", AS_OF)
    assert r.code == 0, r.err
    r = cli("circular", "sign", "1", "--by", "王某", "--yes", "--date", "2025-01-20")
    assert r.code == 0, r.err
    assert "2025年第1期" in r.out
    assert query(db, "SELECT count(*) FROM circular WHERE status = '已签发'") == [(1,)]
