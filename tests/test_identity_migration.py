"""A store made by the release before task identity (schema 1) upgrades with its data kept.

`fixtures/store_schema1.sqlite` was made by the code at commit 1479877 (schema version 1):
seed 002 imported, `fixtures/restart_plan_schema1.txt` imported (numbering restarts per
section, so that release put the second section's owners on the first section's tasks),
progress recorded (one on such a misplaced assignment, 93: 区财政局 on 一、（一）), a deadline
corrected, a 督办函 signed and its reply registered. See tests/fixtures/README.md.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tui.store.audit import verify_chain
from tui.store.db import make_engine, schema_version
from tui.store.models import SCHEMA_VERSION

from .conftest import FIXTURES, SEED002

TABLES = (
    "plan",
    "task",
    "assignment",
    "progress",
    "extension",
    "letter",
    "letter_item",
    "audit_log",
    "task_deadline",
    "unit",
    "outline_node",
)


def counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


@pytest.fixture
def old_store(tmp_path) -> Path:
    dest = tmp_path / "old.db"
    shutil.copy(FIXTURES / "store_schema1.sqlite", dest)
    return dest


def test_old_store_upgrades_keeping_every_row(old_store):
    before = counts(old_store)
    con = sqlite3.connect(old_store)
    # the columns of that release (the desk's 2->3 step adds cover_from/cover_to, both NULL)
    progress_sql = (
        "SELECT id, assignment_id, reported_on, text, done, recorded_at, recorded_by "
        "FROM progress ORDER BY id"
    )
    progress_before = con.execute(progress_sql).fetchall()
    letters_before = con.execute("SELECT * FROM letter ORDER BY id").fetchall()
    audit_before = con.execute("SELECT * FROM audit_log ORDER BY id").fetchall()
    assert len(audit_before[0]) == 9  # the release before the hash chain
    con.close()
    assert before["progress"] == 5 and before["letter"] == 1

    from tui.store.migrations import STEPS

    # Each step of the upgrade adds one audit row saying so; nothing else is added or lost.
    steps = sum(1 for v in STEPS if 1 <= v < SCHEMA_VERSION)
    engine = make_engine(str(old_store), create=False)
    try:
        assert schema_version(engine) == SCHEMA_VERSION >= 2
        with engine.connect() as conn:
            report = verify_chain(conn)
        assert report.broken is None and report.rows == before["audit_log"] + steps
    finally:
        engine.dispose()

    after = counts(old_store)
    assert after == {**before, "audit_log": before["audit_log"] + steps}
    con = sqlite3.connect(old_store)
    try:
        assert con.execute(progress_sql).fetchall() == progress_before
        assert con.execute(
            "SELECT COUNT(*) FROM progress WHERE cover_from IS NOT NULL OR cover_to IS NOT NULL"
        ).fetchone() == (0,)
        # schema 10 appends the register's origin ("" for the office's own letters)
        after = con.execute("SELECT * FROM letter ORDER BY id").fetchall()
        assert [row[: len(letters_before[0])] for row in after] == letters_before
        assert {row[-1] for row in after} == {""}
        cols = "id, at, actor, action, entity, entity_id, before, after, batch"
        assert con.execute(f"SELECT {cols} FROM audit_log ORDER BY id").fetchall()[:-steps] == (
            audit_before
        )
        # Every earlier row now has its place in the hash chain, and the chain holds.
        assert con.execute("SELECT count(*) FROM audit_log WHERE hash = ''").fetchone() == (0,)
        keys = con.execute("SELECT plan_id, key FROM task WHERE active ORDER BY id").fetchall()
        assert all(k for _p, k in keys)
        restart = [k for p, k in keys if p == 2]
        assert restart == ["一、（一）", "一、（二）", "二、（一）", "二、（二）"]
        # Two plans may now share a title.
        idx = con.execute("SELECT sql FROM sqlite_master WHERE name = 'ix_plan_key'").fetchone()
        assert idx is not None and "UNIQUE" not in idx[0].upper()
    finally:
        con.close()


def test_reimport_after_upgrade_repairs_misplaced_owners_keeping_history(old_store, cli, tmp_path):
    plan = tmp_path / "restart_plan.txt"
    shutil.copy(FIXTURES / "restart_plan_schema1.txt", plan)

    # Seed 002 had unique numbers: nothing to repair, the same file is unchanged.
    r = cli("import", str(SEED002), "--format", "json", "--db", str(old_store), use_db=False)
    assert r.code == 0, r.err
    assert r.json()["status"] == "unchanged"

    r = cli("import", str(plan), "--format", "json", "--db", str(old_store), use_db=False)
    assert r.code == 0, r.err
    report = r.json()
    assert report["plan_id"] == 2 and report["status"] == "revised"
    owners = {
        t["key"]: sorted((o["role"], o["name"]) for o in t["owners"]) for t in report["tasks"]
    }
    assert owners == {
        "一、（一）": [("lead", "区司法局"), ("responsible", "区政府办")],
        "一、（二）": [("lead", "区司法局")],
        "二、（一）": [("lead", "区财政局"), ("responsible", "区市场监管局")],
        "二、（二）": [("lead", "区公安分局")],
    }
    con = sqlite3.connect(old_store)
    try:
        # The misplaced assignment moved to its own task, with its progress.
        task_of_93 = con.execute(
            "SELECT t.number, t.section_path, a.active FROM assignment a "
            "JOIN task t ON t.id = a.task_id WHERE a.id = 93"
        ).fetchone()
        assert task_of_93[0] == "（一）" and task_of_93[1].startswith("二、") and task_of_93[2]
        assert con.execute("SELECT assignment_id FROM progress WHERE id = 5").fetchone() == (93,)
        moved = con.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'assignment.move'"
        ).fetchone()[0]
        assert moved == 3  # 区财政局, 区市场监管局 → 二、（一）; 区公安分局 → 二、（二）
        # Each (task, unit, role) once, and every active task has its owners.
        dupes = con.execute(
            "SELECT count(*) FROM (SELECT task_id, unit_id, role FROM assignment "
            "WHERE active GROUP BY 1, 2, 3 HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0
    finally:
        con.close()
    # Importing the same file again now changes nothing.
    r = cli("import", str(plan), "--format", "json", "--db", str(old_store), use_db=False)
    assert r.json()["status"] == "unchanged"


def _keys(path: Path) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    ws = next(w for w in wb.worksheets if w["A1"].value == "事项键")
    return [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]


def test_ledger_keys_survive_the_upgrade_to_the_reports_schema(old_store, cli, tmp_path):
    """Step 5→6 adds the list register and the store's secret; a ledger exported from the
    old file (read through an in-memory upgraded copy) has the keys the upgraded file uses."""
    untouched = old_store.read_bytes()
    before = tmp_path / "before.xlsx"
    r = cli("ledger", "export", str(before), "--db", str(old_store), use_db=False)
    assert r.code == 0, r.err
    assert old_store.read_bytes() == untouched  # reading did not upgrade the file

    assert cli("init", "--db", str(old_store), use_db=False).code == 0
    con = sqlite3.connect(old_store)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == (
            str(SCHEMA_VERSION),
        )
        secret = con.execute("SELECT value FROM meta WHERE key = 'store_secret'").fetchone()
        assert secret and len(secret[0]) == 32
        assert con.execute("SELECT count(*) FROM list_issue").fetchone() == (0,)
        steps = [
            after
            for (after,) in con.execute(
                "SELECT after FROM audit_log WHERE action = 'store.migrate' ORDER BY id"
            )
        ]
        assert any('"schema_version": 6' in step and "list_issue" in step for step in steps)
    finally:
        con.close()
    after = tmp_path / "after.xlsx"
    assert cli("ledger", "export", str(after), "--db", str(old_store), use_db=False).code == 0
    assert _keys(before) == _keys(after) and _keys(before)
    # and the ledger exported before the upgrade is accepted by the upgraded store
    r = cli("ledger", "import", str(before), "--dry-run", "--db", str(old_store), use_db=False)
    assert r.code == 0 and "未导入 0 行" in r.out, r.out + r.err


def test_every_new_store_has_its_own_secret(tmp_path):
    secrets = set()
    for name in ("a.db", "b.db"):
        engine = make_engine(str(tmp_path / name))
        engine.dispose()
        con = sqlite3.connect(tmp_path / name)
        secrets.add(con.execute("SELECT value FROM meta WHERE key = 'store_secret'").fetchone()[0])
        con.close()
    assert len(secrets) == 2
