"""Schema upgrades through Alembic: a store of the first released schema comes up to the
current one with every row it held intact, after a verified backup; the revisions and the
hand-written steps agree."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tui.store.audit import verify_chain
from tui.store.db import make_engine
from tui.store.models import SCHEMA_VERSION
from tui.store.schema_upgrade import BASELINE, head_revision, revision_for

from .conftest import FIXTURES


def snapshot(path: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table of a store: its columns and every row, in rowid order."""
    con = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        out = {}
        for t in tables:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
            out[t] = (cols, con.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall())
        return out
    finally:
        con.close()


def rows_of(path: Path, table: str, cols: list[str]) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        names = ", ".join(f'"{c}"' for c in cols)
        return con.execute(f'SELECT {names} FROM "{table}" ORDER BY rowid').fetchall()
    finally:
        con.close()


@pytest.fixture
def old_store(tmp_path) -> Path:
    dest = tmp_path / "office" / "old.db"
    dest.parent.mkdir()
    shutil.copy(FIXTURES / "store_schema1.sqlite", dest)
    return dest


def test_first_release_store_upgrades_with_every_row_intact(cli, old_store):
    before = snapshot(old_store)
    assert sum(len(rows) for _cols, rows in before.values()) > 500  # a real office's data
    r = cli("db", "upgrade", "--db", str(old_store), use_db=False)
    assert r.code == 0, r.err
    assert f"已从版本 1 升级到 {SCHEMA_VERSION}" in r.out and "升级前的备份" in r.out

    # Every row of every table of the old release is there, column for column.
    for table, (cols, rows) in before.items():
        if table == "meta":  # the version itself changes (checked below)
            rows = [r for r in rows if r[0] != "schema_version"]
            assert set(rows) <= set(rows_of(old_store, table, cols)), rows
            continue
        if table == "audit_log":  # the chain's two new columns were filled in; rows unchanged
            cols = [c for c in cols if c not in ("prev_hash", "hash")]
            rows = rows_of(FIXTURES / "store_schema1.sqlite", table, cols)
        assert rows_of(old_store, table, cols)[: len(rows)] == rows, table
    after = snapshot(old_store)
    # only the migration's own audit rows were added
    assert len(after["audit_log"][1]) > len(before["audit_log"][1])
    for table, (_cols, rows) in before.items():
        if table not in ("audit_log", "meta"):
            assert len(after[table][1]) == len(rows), table

    con = sqlite3.connect(old_store)
    assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [
        (revision_for(SCHEMA_VERSION),)
    ]
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == (
        str(SCHEMA_VERSION),
    )
    con.close()
    engine = make_engine(str(old_store), create=False)
    try:
        with engine.connect() as conn:
            assert verify_chain(conn).broken is None
    finally:
        engine.dispose()

    # The backup is the store as it was, whole, beside it, private.
    (backup,) = old_store.parent.glob("old.升级前-v1-*.db")
    assert snapshot(backup) == before
    assert backup.stat().st_mode & 0o777 == 0o600

    again = cli("db", "upgrade", "--db", str(old_store), use_db=False)
    assert again.code == 0 and "已是最新版本" in again.out
    assert len(list(old_store.parent.glob("*.db"))) == 2  # no second backup


def test_reading_an_old_store_changes_nothing_writing_upgrades_after_a_backup(cli, old_store):
    original = old_store.read_bytes()
    r = cli("tasks", "--db", str(old_store), use_db=False)
    assert r.code == 0, r.err
    assert old_store.read_bytes() == original
    assert list(old_store.parent.iterdir()) == [old_store]

    r = cli(
        "progress",
        "1",
        "升级后记录的进展",
        "--date",
        "2024-08-02",
        "--db",
        str(old_store),
        use_db=False,
    )
    assert r.code == 0, r.err
    (backup,) = old_store.parent.glob("old.升级前-v1-*.db")
    assert backup.read_bytes() != old_store.read_bytes()
    con = sqlite3.connect(backup)
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() == ("1",)
    assert con.execute(
        "SELECT count(*) FROM progress WHERE text = '升级后记录的进展'"
    ).fetchone() == (0,)
    con.close()
    con = sqlite3.connect(old_store)
    assert con.execute(
        "SELECT count(*) FROM progress WHERE text = '升级后记录的进展'"
    ).fetchone() == (1,)
    con.close()


def test_a_failed_backup_stops_the_upgrade(cli, old_store, monkeypatch):
    import tui.store.backups as sb

    def broken(src, dest):
        raise sqlite3.OperationalError("disk is full")

    monkeypatch.setattr(sb, "copy_store", broken)
    original = old_store.read_bytes()
    r = cli("db", "upgrade", "--db", str(old_store), use_db=False)
    assert r.code == 2 and "升级前的备份失败" in r.err and "磁盘已满" in r.err
    assert old_store.read_bytes() == original


def test_new_store_is_stamped_with_the_head(cli, db):
    assert cli("init").code == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
    con.close()
    r = cli("db", "upgrade")
    assert r.code == 0 and "已是最新版本" in r.out
    assert list(db.parent.glob("*升级前*")) == []


def test_store_made_before_alembic_at_the_baseline_is_stamped_not_backed_up(cli, db):
    assert cli("init").code == 0
    con = sqlite3.connect(db)
    con.execute("DROP TABLE alembic_version")
    con.commit()
    con.close()
    assert cli("db", "upgrade").code == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone() == (
        revision_for(SCHEMA_VERSION),
    )
    con.close()
    assert list(db.parent.glob("*升级前*")) == []


def test_revisions_follow_the_schema_versions():
    """One revision per version from the baseline on, each running the step of its number:
    a step added to migrations.STEPS without its revision file fails here."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from tui.store.migrations import STEPS
    from tui.store.schema_upgrade import SCRIPTS

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    script = ScriptDirectory.from_config(cfg)
    assert head_revision() == revision_for(SCHEMA_VERSION)
    chain = [rev.revision for rev in script.walk_revisions("base", "heads")][::-1]
    assert chain == [revision_for(v) for v in range(BASELINE, SCHEMA_VERSION + 1)]
    for version in STEPS:
        if version >= BASELINE:
            assert revision_for(version + 1) in chain, version


def test_db_without_subcommand_is_one_line(cli):
    r = cli("db", use_db=False)
    assert r.code == 2 and "upgrade" in r.err


def test_a_new_store_is_stamped_with_the_head_as_alembic_reads_it(tmp_path):
    from alembic.runtime.migration import MigrationContext

    from tui.store import schema_upgrade
    from tui.store.db import dispose_engine, make_engine

    eng = make_engine(str(tmp_path / "new.db"), create=True)
    try:
        with eng.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == (
                schema_upgrade.head_revision()
            )
    finally:
        dispose_engine(eng)
