"""`duban import` on a SQLite store loads no SQLAlchemy, SQLModel or pydantic (importing
them was two thirds of a small import's time), yet opens, checks, writes and closes the
store as every other command does; anything unusual still goes the SQLAlchemy way."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED001, SEED002
from tui.store.schema_version import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "tui.store.models", "tui.store.db")

# `duban ARGS…` in a fresh interpreter; at exit (after the store is closed) it prints which
# heavy modules were ever imported.
_RUN = """
import os, sys
if os.environ.get("TEST_BUSY_TIMEOUT_MS"):  # a locked store fails fast in the test
    import tui.store.sqlconn
    tui.store.sqlconn.BUSY_TIMEOUT_MS = int(os.environ["TEST_BUSY_TIMEOUT_MS"])
from tui.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("LOADED", [m for m in {heavy!r} if m in sys.modules], file=sys.stderr)
sys.exit(code)
"""


def duban(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, DUBAN_USER="测试员")
    env.pop("DUBAN_DB", None)
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-c", _RUN.format(heavy=HEAVY), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def loaded(r: subprocess.CompletedProcess) -> list[str]:
    line = next(x for x in r.stderr.splitlines() if x.startswith("LOADED"))
    return eval(line.removeprefix("LOADED "))  # noqa: S307 - our own repr of a list of names


def test_import_into_a_new_and_an_existing_store_loads_no_sqlalchemy(tmp_path):
    db = tmp_path / "office" / "duban.db"
    first = duban("import", str(SEED001), "--db", str(db))
    assert first.returncode == 0, first.stderr
    assert "新计划已导入" in first.stdout
    assert loaded(first) == []
    # The store is complete in the .db file alone, stamped as this program left it.
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0
    assert (db.parent / f".{db.name}.checked").is_file()

    again = duban("import", str(SEED002), "--db", str(db))  # an existing, current store
    assert again.returncode == 0, again.stderr
    assert loaded(again) == []
    same = duban("import", str(SEED001), "--db", str(db), "--format", "json")
    assert same.returncode == 0 and '"status": "unchanged"' in same.stdout
    assert loaded(same) == []

    # What the light path wrote is a store every other command reads and trusts.
    check = duban("audit", "verify", "--db", str(db))
    assert check.returncode == 0, check.stderr
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert con.execute("SELECT count(*) FROM plan").fetchone() == (2,)
        assert con.execute("SELECT count(*) FROM task_deadline").fetchone()[0] > 0
    finally:
        con.close()
    # Today's automatic backup was taken before the second import's write.
    from tui.store.backups import backup_folder

    assert list(backup_folder(db).glob("督办台-*.db"))


def test_an_old_store_is_upgraded_through_the_sqlalchemy_path(tmp_path):
    db = tmp_path / "office" / "old.db"
    db.parent.mkdir()
    shutil.copy(FIXTURES / "store_schema1.sqlite", db)
    r = duban("import", str(SEED002), "--db", str(db))
    assert r.returncode == 0, r.stderr
    assert "sqlalchemy" in loaded(r)  # the upgrade runs where migrations live
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[
            0
        ] == str(SCHEMA_VERSION)
    finally:
        con.close()
    assert list(db.parent.glob("old.升级前-v1-*.db"))  # backed up before the upgrade
    # Now current: the next import goes the light way.
    again = duban("import", str(SEED001), "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert loaded(again) == []


def test_dry_run_takes_the_sqlalchemy_path_and_writes_nothing(tmp_path):
    db = tmp_path / "duban.db"
    r = duban("import", str(SEED001), "--db", str(db), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "试运行" in r.stdout
    assert not db.exists()


@pytest.mark.parametrize("where", ["locked", "readonly", "not_a_folder"])
def test_store_errors_are_one_line_and_write_nothing(tmp_path, where):
    db = tmp_path / "office" / "duban.db"
    assert duban("import", str(SEED002), "--db", str(db)).returncode == 0
    before = db.read_bytes()
    holder = None
    target = kept = db
    mount = None
    env: dict = {}
    if where == "locked":
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        env = {"TEST_BUSY_TIMEOUT_MS": "200"}
    elif where == "readonly" and _is_root():
        # root writes through file permissions: the store goes on a read-only mount instead
        if shutil.which("mount") is None:
            pytest.skip("as root, a read-only store needs `mount` (a read-only tmpfs)")
        mount = tmp_path / "ro"
        mount.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
        shutil.copy(db, mount / "duban.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        target = kept = mount / "duban.db"
    elif where == "readonly":
        db.chmod(0o444)
        db.parent.chmod(0o555)
    elif where == "not_a_folder":
        blocker = tmp_path / "file"
        blocker.write_text("x")
        target = blocker / "duban.db"
    try:
        r = duban("import", str(SEED001), "--db", str(target), env_extra=env)
        assert r.returncode == 2, r.stderr
        lines = [x for x in r.stderr.splitlines() if not x.startswith("LOADED")]
        assert len(lines) == 1 and lines[0].startswith("错误："), r.stderr
        if where == "readonly":
            assert "只读" in lines[0], lines[0]
        assert kept.read_bytes() == before
        con = sqlite3.connect(f"file:{kept}?mode=ro&immutable=1", uri=True)
        try:
            assert con.execute("SELECT count(*) FROM plan").fetchone() == (1,)
        finally:
            con.close()
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
        if mount is not None:
            subprocess.run(["umount", str(mount)], check=False)
        db.parent.chmod(0o755)
        db.chmod(0o644)


def _is_root() -> bool:
    import os

    return os.geteuid() == 0


def test_the_light_opener_knows_the_schema_as_the_sqlalchemy_side_does():
    from tui.store import lite
    from tui.store.models import SCHEMA_VERSION as MODELS_VERSION
    from tui.store.schema_upgrade import revision_for
    from tui.store.store_secret import META_KEY

    assert lite.SECRET_KEY == META_KEY
    assert lite.CURRENT_REVISION == revision_for(MODELS_VERSION)
    assert SCHEMA_VERSION == MODELS_VERSION
