"""`duban tasks --format json` over the DB-API: the same records as the Core queries, taken
only for a store file at the current schema version, without importing SQLAlchemy."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session

from tui.store.db import make_engine
from tui.store.models import SCHEMA_VERSION
from tui.store.queries import task_records
from tui.store.schema_version import SCHEMA_VERSION as FAST_PATH_VERSION
from tui.store.schema_version import file_is_current
from tui.store.sqlite_files import open_readonly
from tui.store.task_listing import sqlite_records

ROOT = Path(__file__).resolve().parent.parent


def test_fast_path_knows_the_current_schema_version():
    """A schema step that forgets tui/store/schema_version.py would silently turn the fast
    path off (every listing through the engine again)."""
    assert FAST_PATH_VERSION == SCHEMA_VERSION


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> list[Path]:
    from bench.gen_store import build_store
    from tui.commands.demo import build_demo_store

    base = tmp_path_factory.mktemp("listing")
    demo = base / "demo.db"
    build_demo_store(str(demo))
    return [demo, build_store(base / "gen.db", assignments=3000, seed=4)]


def _core(path: Path) -> list[dict]:
    engine = make_engine(str(path), readonly=True)
    try:
        with Session(engine) as s:
            return list(task_records(s.connection()))
    finally:
        engine.dispose()


def test_dbapi_records_equal_the_core_records(stores):
    for path in stores:
        conn = open_readonly(path)
        try:
            fast = list(sqlite_records(conn))
        finally:
            conn.close()
        core = _core(path)
        assert fast and fast == core
        # owners through a group, unresolved groups and deadlines are all exercised
        owners = [o for t in fast for role in t["owners"].values() for o in role]
        assert any(o["unresolved"] for o in owners) or path.name == "gen.db"
        assert any(t["deadlines"] for t in fast)


def _run(args: list[str]) -> subprocess.CompletedProcess:
    code = (
        "import sys; from tui.cli import main; rc = main(sys.argv[1:]); "
        "sys.stdout.flush(); sys.stderr.write('SQLA=%s' % ('sqlalchemy' in sys.modules)); "
        "sys.exit(rc)"
    )
    env = {**os.environ, "DUBAN_CONFIG": os.devnull}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, env=env
    )


def test_tasks_json_reads_a_current_store_without_sqlalchemy(stores, tmp_path):
    demo = stores[0]
    run = _run(["--db", str(demo), "tasks", "--format", "json"])
    assert run.returncode == 0, run.stderr
    assert run.stderr.endswith("SQLA=False")
    assert json.loads(run.stdout) == json.loads(json.dumps(_core(demo)))
    # filters go through the engine, as before
    run = _run(["--db", str(demo), "tasks", "--format", "json", "--plan", "1"])
    assert run.returncode == 0 and run.stderr.endswith("SQLA=True")


def test_tasks_json_of_an_older_store_goes_through_the_engine(stores, tmp_path):
    old = tmp_path / "old.db"
    shutil.copy(stores[0], old)
    with sqlite3.connect(old) as c:
        c.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (SCHEMA_VERSION - 1,))
    assert file_is_current(str(old)) is None
    assert file_is_current(str(stores[0])) == stores[0]
    run = _run(["--db", str(old), "tasks", "--format", "json"])
    assert run.returncode == 0, run.stderr
    assert run.stderr.endswith("SQLA=True")
    assert json.loads(run.stdout) == json.loads(json.dumps(_core(stores[0])))
    with sqlite3.connect(old) as c:  # reading never upgrades the file
        (v,) = c.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert int(v) == SCHEMA_VERSION - 1


def test_tasks_json_of_a_missing_store_is_one_line(tmp_path):
    run = _run(["--db", str(tmp_path / "none.db"), "tasks", "--format", "json"])
    assert run.returncode == 2 and run.stdout == ""
    assert not (tmp_path / "none.db").exists()
