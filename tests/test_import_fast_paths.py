"""The shortcuts that keep `duban import` inside its budgets write and say exactly what the
long way did: OpenCC's answers read from a table, the import's own small parser, rows sent
to SQLite as tuples, audit rows hashed from pre-encoded parts, a plan's repeated texts read
for deadlines once. Each is compared with the long way it replaces (no timing here: the
figures are bench/import_bench.py's)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import SEED001, query

ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------ OpenCC's answers as a table


def test_the_table_of_converted_characters_is_what_opencc_says():
    """Every character of the Basic Multilingual Plane that t2s changes on its own, and no
    other: regenerate with `python -m tui.ingest.t2s_chars` when OpenCC's data changes."""
    from tui.ingest.t2s_chars import CONVERTED, generate

    assert "".join(sorted(CONVERTED)) == generate()


def test_the_table_file_is_what_its_generator_writes():
    from tui.ingest import t2s_chars

    res = subprocess.run(
        [sys.executable, "-m", "tui.ingest.t2s_chars"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout == Path(t2s_chars.__file__).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text",
    ["牽頭單位", "牵头单位", "完成時限：", "（一）", "区司法局", "𠀀𠂉", "𠀀單", "abc 123", "豈"],
)
def test_has_traditional_answers_as_opencc_does(text):
    """Inside the table's range from the table, beyond it (astral ideographs) from OpenCC."""
    import opencc

    from tui.ingest.script import has_traditional

    convert = opencc.OpenCC("t2s").convert
    assert has_traditional(text) == any(convert(ch) != ch for ch in text)


def test_a_simplified_plan_is_read_without_loading_opencc_or_the_desk_services(tmp_path):
    """A whole `duban import` of a simplified plan: no OpenCC (17 ms to load), no desk import
    or store services, and only the import command's parser built."""
    code = (
        "import sys; import tui.cli as cli; built = []; real = cli.build_parser\n"
        "def spy(only=None):\n    built.append(only); return real(only)\n"
        "cli.build_parser = spy\n"
        f"rc = cli.main(['import', {str(SEED001)!r}, '--db', {str(tmp_path / 'a.db')!r}])\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('opencc', 'tui.services.importing',"
        " 'tui.services.store', 'zipfile')))\n"
        "print('LOADED', bad, built, file=sys.stderr); sys.exit(rc)"
    )
    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**_env(), "DUBAN_USER": "测试员"},
    )
    assert res.returncode == 0, res.stderr
    assert "LOADED [] ['import']" in res.stderr, res.stderr
    assert "新计划已导入" in res.stdout


def _env() -> dict:
    import os

    env = dict(os.environ)
    env.pop("DUBAN_DB", None)
    return env


# ------------------------------------------------------------------ the import's own parser

IMPORT_ARGV = [
    ["import", "plan.txt"],
    ["--db", "x.db", "import", "plan.docx", "--dry-run"],
    ["import", "plan.txt", "--db=x.db", "--plan-year", "2025", "--region", "甲县"],
    ["import", "--new-plan", "plan.xlsx", "--format", "json"],
    ["import", "plan.pdf", "--revision-of", "3", "--db", "y.db"],
]


@pytest.mark.parametrize("argv", IMPORT_ARGV)
def test_import_is_read_by_its_own_small_parser_as_by_the_whole_one(argv):
    from tui.cli import build_parser, command_of

    assert command_of(argv) == "import"
    small = build_parser(only="import").parse_args(argv)
    assert vars(small) == vars(build_parser().parse_args(argv))


def test_as_of_is_still_refused_for_import(cli, tmp_path):
    r = cli("--as-of", "2024-01-01", "import", str(SEED001), use_db=False)
    assert r.code == 2 and "--as-of 对 duban import 没有意义" in r.err


# ------------------------------------------------------------------ rows as tuples

_SCRATCH = {
    "sqlite": "CREATE TABLE scratch (id INTEGER PRIMARY KEY, d DATE, at DATETIME, "
    "flag BOOLEAN NOT NULL, n INTEGER, s VARCHAR, "
    '"key" VARCHAR)',
    "postgresql": "CREATE TABLE scratch (id INTEGER PRIMARY KEY, d DATE, at TIMESTAMP, "
    'flag BOOLEAN NOT NULL, n INTEGER, s VARCHAR, "key" VARCHAR)',
}

_ROWS = [
    dict(
        d=date(2025, 6, 30), at=datetime(2026, 3, 2, 1, 30), flag=True, n=7, s="区司法局", key="一"
    ),
    dict(d=None, at=datetime(2026, 3, 2, 1, 30, 0, 5), flag=False, n=None, s="", key="二"),
    dict(d=date(2024, 1, 1), at=None, flag=True, n=-1, s="“引号”", key="三"),
]


def _stored(conn) -> list[tuple]:
    return [tuple(r) for r in conn.rows('SELECT d, at, flag, n, s, "key" FROM scratch ORDER BY id')]


def _both_ways(conn) -> tuple[list, list]:
    """The rows written the named-parameter way (executemany of dicts) and the tuple way."""
    from tui.store.sqlconn import insert_many, update_rows

    conn.run(_SCRATCH[conn.dialect])
    cols = ["id", "d", "at", "flag", "n", "s", "key"]
    named = [dict(r, id=i) for i, r in enumerate(_ROWS, start=1)]
    conn.many(
        'INSERT INTO scratch (id, d, at, flag, n, s, "key") '
        "VALUES (:id, :d, :at, :flag, :n, :s, :key)",
        named,
    )
    by_name = _stored(conn)
    conn.run("DELETE FROM scratch")
    insert_many(conn, "scratch", [{c: r[c] for c in cols} for r in named])
    by_tuple = _stored(conn)
    # Updates: the dict way and the tuple way (id last) leave the same rows.
    change = [{"id": 1, "d": None, "flag": False}, {"id": 3, "d": date(2030, 12, 31), "flag": True}]
    update_rows(conn, "scratch", change)
    after_tuple = _stored(conn)
    conn.run("DELETE FROM scratch")
    conn.many(
        'INSERT INTO scratch (id, d, at, flag, n, s, "key") '
        "VALUES (:id, :d, :at, :flag, :n, :s, :key)",
        named,
    )
    conn.many("UPDATE scratch SET d = :d, flag = :flag WHERE id = :id", change)
    after_named = _stored(conn)
    return [by_name, after_named], [by_tuple, after_tuple]


def test_rows_as_tuples_are_stored_as_named_rows_were_on_the_light_path(tmp_path):
    from tui.store.lite import open_lite
    from tui.store.sqlconn import write_transaction

    store = open_lite(str(tmp_path / "l.db"))
    try:
        with write_transaction(store, commit=False) as conn:
            named, tuples = _both_ways(conn)
    finally:
        store.close()
    assert named == tuples
    assert named[0][0] == ("2025-06-30", "2026-03-02 01:30:00.000000", 1, 7, "区司法局", "一")


@pytest.mark.both_stores
def test_rows_as_tuples_are_stored_as_named_rows_were_through_sqlalchemy(db, store_kind):
    from tui.store.db import dispose_engine, make_engine
    from tui.store.sqlconn import write_transaction

    engine = make_engine(str(db))
    try:
        with write_transaction(engine, commit=False) as conn:
            named, tuples = _both_ways(conn)
    finally:
        dispose_engine(engine)
    assert named == tuples
    assert len(named[0]) == 3


# ------------------------------------------------------------------ audit rows


def _reference_insert(conn, rows) -> None:
    """The audit insert as it was written before (one dict per row, named parameters)."""
    from tui.store.audit import row_hash, sql_tip

    tip = sql_tip(conn)
    chained = []
    for row in rows:
        digest = row_hash(tip, row)
        chained.append({**row, "prev_hash": tip, "hash": digest})
        tip = digest
    conn.many(
        'INSERT INTO audit_log ("at", actor, action, entity, entity_id, "before", "after", '
        "batch, prev_hash, hash) VALUES (:at, :actor, :action, :entity, :entity_id, :before, "
        ":after, :batch, :prev_hash, :hash)",
        chained,
    )
    conn.audit_tip = tip


ITEMS = [
    (1, None, {"number": "（一）", "key": "一、（一）", "title": "完善“法律顾问”制度"}),
    (2, {"active": True}, {"active": False}),
    (None, {"due": date(2025, 6, 30)}, {"text": "换行\n制表\t反斜杠\\ 控制\x01"}),
    (40, None, None),
]


KEYS = ("task_id", "unit_id", "group_id", "role")


def _audit_rows(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT id, at, actor, action, entity, entity_id, before, after, batch, prev_hash, "
            "hash FROM audit_log ORDER BY id"
        ).fetchall()
    finally:
        con.close()


def test_bulk_audit_rows_are_those_the_dict_way_wrote(tmp_path, monkeypatch):
    """insert_audit_items writes the very rows — text and hash chain — that audit_rows and
    the named insert wrote, after rows already in the trail; the chain verifies."""
    import tui.store.audit as audit
    from tui.store.audit import assignment_json, audit_rows, insert_audit_items, record_sql
    from tui.store.lite import open_lite
    from tui.store.sqlconn import write_transaction

    fixed = datetime(2026, 3, 2, 1, 30, 15, 123456, tzinfo=UTC)
    monkeypatch.setattr(audit, "clock_now", lambda: fixed)
    made = []
    for name, bulk in (("old.db", False), ("new.db", True)):
        store = open_lite(str(tmp_path / name))
        try:
            with write_transaction(store) as conn:
                conn.batch = "b" * 32
                record_sql(conn, "测试员", "unit.create", "unit", 9, None, {"name": "区司法局"})
                news = [(7, 3, None, "lead"), (8, None, 2, "responsible")]
                if bulk:
                    insert_audit_items(conn, "测试员", "task.create", "task", ITEMS)
                    insert_audit_items(
                        conn,
                        "测试员",
                        "assignment.create",
                        "assignment",
                        [(i, "", assignment_json(*a)) for i, a in enumerate(news, start=100)],
                        encoded=True,
                    )
                else:
                    _reference_insert(
                        conn, audit_rows("测试员", "task.create", "task", ITEMS, conn.batch)
                    )
                    rows = audit_rows(
                        "测试员",
                        "assignment.create",
                        "assignment",
                        [
                            (i, None, dict(zip(KEYS, a, strict=True)))
                            for i, a in enumerate(news, start=100)
                        ],
                        conn.batch,
                    )
                    _reference_insert(conn, rows)
        finally:
            store.close()
        made.append(_audit_rows(tmp_path / name))
    old, new = made
    assert len(new) == 1 + len(ITEMS) + 2
    assert new == old
    from tui.store.audit import verify_chain
    from tui.store.db import dispose_engine, make_engine

    engine = make_engine(str(tmp_path / "new.db"))
    try:
        with engine.connect() as conn:
            assert verify_chain(conn).broken is None
    finally:
        dispose_engine(engine)


@pytest.mark.parametrize(
    "values",
    [
        (1, 2, None, "lead"),
        (123456789012, None, 7, "responsible"),
        (5, None, None, '带"引号"\\反斜杠\n换行\x00'),
        (0, 0, 0, ""),
        (True, 1, None, "lead"),  # not a plain id: the encoder's text
        (1, 2.5, None, "lead"),
        (1, None, None, None),
    ],
)
def test_an_assignments_audit_text_is_the_encoders(values):
    from tui.store.audit import assignment_json, to_json

    assert assignment_json(*values) == to_json(dict(zip(KEYS, values, strict=True)))


# ------------------------------------------------------------------ deadlines read once per text


def test_tasks_of_the_same_text_each_get_their_deadlines(cli, db, tmp_path):
    """A plan repeating a task word for word (in two sections): each task gets its own
    deadline rows and due date, as when every text was read on its own."""
    plan = tmp_path / "plan.txt"
    plan.write_text(
        "某区2025年法治政府建设工作要点\n一、政务公开\n（一）按要求报送工作总结，2025年6月底前完成。\n"
        "牵头单位：区司法局\n（二）完善法律顾问制度。\n牵头单位：区司法局\n"
        "二、执法监督\n（一）按要求报送工作总结，2025年6月底前完成。\n牵头单位：区财政局\n",
        encoding="utf-8",
    )
    r = cli("import", str(plan))
    assert r.code == 0, r.err
    rows = query(
        db,
        'SELECT t."key", t.due_first, d.kind, d.due, d.span_start FROM task t '
        "JOIN task_deadline d ON d.task_id = t.id WHERE d.active = TRUE ORDER BY t.position",
    )
    assert [(k, str(first), kind, str(due)[:10]) for k, first, kind, due, _s in rows] == [
        ("一、（一）", "2025-06-30", "absolute", "2025-06-30"),
        ("一、（二）", "2025-12-31", "default", "2025-12-31"),
        ("二、（一）", "2025-06-30", "absolute", "2025-06-30"),
    ]


# ------------------------------------------------------------------ table headers


def test_a_column_spelled_with_a_bracket_first_is_still_found_in_traditional(tmp_path):
    """Task lines open with a bracket and are not asked whether they are a traditional-script
    header — unless the office's vocabulary has a column spelled that way."""
    from tui.ingest.vocab import load_vocabulary

    shipped = load_vocabulary()
    assert shipped.column_of("（一）規範行政執法監督機制") is None
    extra = tmp_path / "vocab.toml"
    extra.write_text('[columns]\nlead = ["（主）牵头单位"]\n', encoding="utf-8")
    office = load_vocabulary(str(extra))
    assert office.column_of("（主）牵头单位") == "lead"
    assert office.column_of("（主）牽頭單位") == "lead"
