"""A new SQLite store from the checked-in script is the store create_all + stamp makes.

The script (tui/store/schema_sqlite.sql) is rendered from the models' metadata; these tests
keep the two from drifting apart: the file is what rendering gives today, and a store made
from it has the same tables, columns, types, defaults, indexes, foreign keys, triggers,
Alembic version row, meta rows and PRAGMAs as one made the old way.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from tui.store.db import ALL_TABLES, dispose_engine, make_engine
from tui.store.schema_script import SCRIPT, render, statements

ROOT = Path(__file__).resolve().parents[1]
SEED001 = ROOT / "data" / "samples" / "dongsheng_2020-2025_breakdown.txt"


def test_the_checked_in_script_is_what_the_models_render():
    assert SCRIPT.read_text(encoding="utf-8") == render(), (
        "tui/store/schema_sqlite.sql is out of date: run python -m tui.store.schema_script"
    )


def test_the_script_splits_into_whole_statements():
    parts = statements()
    assert all(sqlite3.complete_statement(p) for p in parts)
    triggers = [p for p in parts if p.startswith("CREATE TRIGGER")]
    assert len(triggers) == 2 and all(p.endswith("END;") for p in triggers)
    assert sum(p.startswith("CREATE TABLE") for p in parts) == len(ALL_TABLES) + 1  # + Alembic


def _shape(path: Path) -> dict:
    """Everything about a store's schema that SQLite can tell, and its fixed rows."""
    con = sqlite3.connect(path)
    try:
        master = sorted(
            con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall(),
            key=lambda r: (r[0], r[1]),
        )
        tables = [r[1] for r in master if r[0] == "table"]
        columns = {t: con.execute(f'PRAGMA table_xinfo("{t}")').fetchall() for t in tables}
        # (name, unique, origin, partial): create_all makes a table's indexes in set order,
        # so their position in the list is not part of the schema.
        indexes = {
            t: sorted(r[1:] for r in con.execute(f'PRAGMA index_list("{t}")').fetchall())
            for t in tables
        }
        index_cols = {
            r[0]: con.execute(f'PRAGMA index_xinfo("{r[0]}")').fetchall()
            for t in tables
            for r in indexes[t]
        }
        fks = {t: con.execute(f'PRAGMA foreign_key_list("{t}")').fetchall() for t in tables}
        meta = con.execute("SELECT key, value FROM meta ORDER BY rowid").fetchall()
        stamp = con.execute("SELECT version_num FROM alembic_version").fetchall()
        pragmas = {
            p: con.execute(f"PRAGMA {p}").fetchone()[0]
            for p in ("journal_mode", "user_version", "application_id", "page_size", "encoding")
        }
    finally:
        con.close()
    secret = [v for k, v in meta if k == "store_secret"]
    assert len(secret) == 1 and re.fullmatch(r"[0-9a-f]{32}", secret[0])
    return {
        "master": master,
        "columns": columns,
        "indexes": indexes,
        "index_columns": index_cols,
        "foreign_keys": fks,
        "meta": [(k, v if k != "store_secret" else "<random>") for k, v in meta],
        "stamp": stamp,
        "pragmas": pragmas,
    }


def test_a_store_from_the_script_is_the_store_create_all_makes(tmp_path):
    scripted = tmp_path / "scripted.db"
    engine = make_engine(str(scripted))  # a new file: filled from the script
    dispose_engine(engine)
    old_way = tmp_path / "create_all.db"
    old_way.touch(mode=0o600)  # an empty file this process did not create: create_all
    engine = make_engine(str(old_way))
    dispose_engine(engine)
    a, b = _shape(scripted), _shape(old_way)
    assert a["master"], "the scripted store has no schema"
    for part in a:
        assert a[part] == b[part], part


def test_a_store_from_the_script_imports_and_verifies(cli, tmp_path):
    db = tmp_path / "new.db"
    assert cli("import", str(SEED001), "--db", str(db)).code == 0
    assert cli("--db", str(db), "audit", "verify").code == 0
    assert cli("--db", str(db), "check").code == 0


def test_importing_into_a_new_store_piped_loads_neither_rich_nor_the_letter_models(tmp_path):
    """The import defines only the classes it writes and, piped, prints without Rich."""
    db = tmp_path / "new.db"
    heavy = (
        "rich",
        "rich.console",
        "tui.store.letter_models",
        "tui.store.circular_models",
        "alembic",
        "textual",
    )
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        f"sys.argv = ['duban', 'import', {str(SEED001)!r}, '--db', {str(db)!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\nelse:\n    code = 0\n"
        f"print('LOADED', [m for m in {heavy!r} if m in sys.modules], code, file=sys.stderr)\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DUBAN_USER": "测试员"},
    )
    last = res.stderr.strip().splitlines()[-1]
    assert last == "LOADED [] 0", res.stderr[-2000:]
    assert "新计划已导入" in res.stdout


def test_a_new_store_the_script_cannot_fill_is_one_chinese_line_and_no_file(tmp_path, monkeypatch):
    """The script runs on the DB-API connection: its errors are sqlite3's own, and must end
    like any other failure to create a store — one Chinese line, no half-made file left."""
    import pytest

    from tui.errors import DubanError
    from tui.store import schema_script

    full = sqlite3.OperationalError("database or disk is full")
    full.sqlite_errorcode = 13  # SQLITE_FULL

    def no_room(*_a, **_k):
        raise full

    monkeypatch.setattr(schema_script, "create_store", no_room)
    path = tmp_path / "full.db"
    with pytest.raises(DubanError) as caught:
        make_engine(str(path))
    assert "\n" not in caught.value.message and str(path) in caught.value.message
    assert not any(tmp_path.iterdir())
