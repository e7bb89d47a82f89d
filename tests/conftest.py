"""Shared test helpers: a real SQLite store in tmp_path and the real command line."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.cli import main
from tui.paths import data_dir

FIXTURES = Path(__file__).parent / "fixtures"
SEED000 = FIXTURES / "seed000_dalate_2023.txt"
SEED001 = data_dir() / "samples" / "dongsheng_2020-2025_breakdown.txt"
SEED002 = data_dir() / "samples" / "alxa_left_2024_plan.txt"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


# The PostgreSQL half of the suite (harlequin's `app_all_adapters` pattern): tests marked
# `both_stores` run once on a SQLite file and once on PostgreSQL, each in a fresh schema of
# the database named by DUBAN_TEST_PG (e.g. postgresql+psycopg://postgres@127.0.0.1/duban).
PG_URL = os.environ.get("DUBAN_TEST_PG", "").strip()
PG_SKIP = (
    "PostgreSQL half skipped: DUBAN_TEST_PG is not set (a postgresql+psycopg:// URL of a "
    "database the tests may create schemas in; README, 'Tests on PostgreSQL')"
)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "both_stores: run on SQLite and on PostgreSQL (DUBAN_TEST_PG)"
    )


def pytest_generate_tests(metafunc):
    if "store_kind" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
        "both_stores"
    ):
        metafunc.parametrize("store_kind", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def store_kind(request) -> str:
    kind = getattr(request, "param", "sqlite")
    if kind == "postgresql" and not PG_URL:
        pytest.skip(PG_SKIP)
    return kind


def _pg_admin():
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


def pg_schema_url(schema: str) -> str:
    """DUBAN_TEST_PG with every connection's search_path set to ``schema``."""
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@pytest.fixture
def pg_store():
    """A fresh, empty schema on the test server, as a store URL; dropped afterwards."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    schema = f"duban_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield pg_schema_url(schema)
    from tui.commands.common import close_engines

    close_engines()
    try:
        with _pg_admin() as conn:
            conn.execute("SET lock_timeout = '10s'")
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
    except Exception:  # noqa: BLE001 - a schema left behind is harmless to later tests
        pass


def _pg_database_url(name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_demo_template():
    """A database holding the demo store (built once, ~8 s), to copy for each test."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    from tui.commands.demo import build_demo_store

    name = f"duban_demo_tpl_{uuid.uuid4().hex[:8]}"
    with _pg_admin() as conn:
        conn.execute(f"CREATE DATABASE {name}")
    build_demo_store(_pg_database_url(name))  # disposes its engine: no connection stays
    yield name
    with _pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def pg_demo_db(pg_demo_template):
    """A fresh copy of the demo store on PostgreSQL (CREATE DATABASE … TEMPLATE), as a URL."""
    name = f"duban_demo_{uuid.uuid4().hex[:8]}"
    with _pg_admin() as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {pg_demo_template}")
    yield _pg_database_url(name)
    import gc

    from tui.commands.common import close_engines

    close_engines()
    gc.collect()  # engines the test dropped return their connections before the database goes
    with _pg_admin() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def demo_engine(request, tmp_path, store_kind):
    """An engine on a fresh copy of the demo store: a copy of the module's ``master`` SQLite
    file, or on the PostgreSQL half a copy of the demo database."""
    from tui.store.db import make_engine

    if store_kind == "postgresql":
        url = request.getfixturevalue("pg_demo_db")
    else:
        dest = tmp_path / "d.db"
        shutil.copy(request.getfixturevalue("master"), dest)
        url = str(dest)
    e = make_engine(url)
    yield e
    e.dispose()


@pytest.fixture
def db(request, tmp_path, store_kind):
    """The test's store: a SQLite file (a Path), or on the PostgreSQL half a URL (a str)."""
    if store_kind == "postgresql":
        if "demo" in request.fixturenames:  # the test starts from the demo store
            return request.getfixturevalue("pg_demo_db")
        return request.getfixturevalue("pg_store")
    return tmp_path / "duban.db"


def query(db, sql: str, params: dict | None = None) -> list[tuple]:
    """Rows of one SQL statement on the test's store, whichever kind it is."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    url = db if isinstance(db, str) and "://" in db else f"sqlite:///{db}"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params or {})]
    finally:
        engine.dispose()


@pytest.fixture
def cli(capsys, db, monkeypatch):
    """Run `duban ARGS…` in-process against the test store; returns code, stdout, stderr."""
    monkeypatch.setenv("DUBAN_USER", "测试员")
    monkeypatch.delenv("DUBAN_DB", raising=False)

    def run(*args: str, use_db: bool = True) -> Result:
        argv = [*args, "--db", str(db)] if use_db else list(args)
        code = main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def copy_fixture(tmp_path):
    def copy(src: Path, name: str | None = None) -> Path:
        dest = tmp_path / (name or src.name)
        shutil.copy(src, dest)
        return dest

    return copy
