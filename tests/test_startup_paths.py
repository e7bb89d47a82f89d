"""The shortcuts a fast start takes give the same results as the long way round.

Opening a store, writing many rows through the driver, reading the rules this program writes
without dateutil's general parser: each is checked here against what SQLAlchemy's create_all,
its Core insert/update and dateutil's rrulestr do. No timings: the benches measure those.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from itertools import islice

import pytest
from dateutil.rrule import rrulestr
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from tui.domain.deadlines import _parse_rrule
from tui.store.bulk import insert_many, insert_rows, update_rows
from tui.store.db import dispose_engine, make_engine


@pytest.fixture
def statements():
    """Every SQL statement any SQLite connection runs while the test does, in order."""
    seen: list[str] = []

    def trace(dbapi_conn, _record):
        if isinstance(dbapi_conn, sqlite3.Connection):
            dbapi_conn.set_trace_callback(seen.append)

    event.listen(Engine, "connect", trace)
    try:
        yield seen
    finally:
        event.remove(Engine, "connect", trace)


def test_a_new_store_is_created_in_one_transaction(tmp_path, statements):
    """Tables, triggers and the version stamp appear together: no CREATE outside the write
    transaction (each one would be a commit of its own, synced to disk)."""
    engine = make_engine(str(tmp_path / "new.db"))
    dispose_engine(engine)
    norm = [s.strip().upper() for s in statements]
    creates = [i for i, s in enumerate(norm) if s.startswith(("CREATE TABLE", "CREATE INDEX"))]
    assert creates, "the store's tables were not created"
    begin = max(i for i, s in enumerate(norm[: creates[0]]) if s.startswith("BEGIN"))
    commit = next(
        i for i, s in enumerate(norm) if i > begin and s.startswith(("COMMIT", "ROLLBACK"))
    )
    stamp = next(i for i, s in enumerate(norm) if s.startswith("INSERT INTO META"))
    assert norm[begin] == "BEGIN IMMEDIATE"
    assert norm[commit] == "COMMIT"
    assert begin < creates[0] and creates[-1] < commit
    assert begin < stamp < commit


def test_the_list_of_tables_is_the_whole_schema():
    from tui.store.db import ALL_TABLES, load_every_model

    load_every_model()
    assert set(SQLModel.metadata.tables) == ALL_TABLES


def test_a_new_store_has_every_table_whatever_was_loaded_first(tmp_path):
    """A process that has not loaded the letters' models still creates their tables."""
    import subprocess
    import sys

    path = tmp_path / "fresh.db"
    code = (
        "import sys; from tui.store.db import make_engine, dispose_engine; "
        "assert 'tui.store.letter_models' not in sys.modules; "
        f"dispose_engine(make_engine({str(path)!r}))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    from tui.store.db import ALL_TABLES

    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert ALL_TABLES <= names


def test_opening_a_current_store_creates_nothing(tmp_path, monkeypatch, statements):
    path = tmp_path / "s.db"
    dispose_engine(make_engine(str(path)))

    def refuse(*_a, **_k):
        raise AssertionError("create_all ran on a store that has every table")

    monkeypatch.setattr(SQLModel.metadata, "create_all", refuse)
    statements.clear()
    dispose_engine(make_engine(str(path), create=False))
    assert not any(s.strip().upper().startswith("CREATE") for s in statements)


def test_a_store_missing_a_table_gets_it_back(tmp_path):
    path = tmp_path / "s.db"
    dispose_engine(make_engine(str(path)))
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE letter_reply")
    dispose_engine(make_engine(str(path), create=False))
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "letter_reply" in names


# ------------------------------------------------------------------ bulk writes


def _table() -> tuple[MetaData, Table]:
    meta = MetaData()
    table = Table(
        "thing",
        meta,
        Column("id", Integer, primary_key=True),
        Column("name", String, nullable=False),
        Column("flag", Boolean, nullable=False),
        Column("at", DateTime, nullable=False),
        Column("day", Date),
        Column("note", String, nullable=False, default="—"),
    )
    return meta, table


ROWS = [
    {"name": "区司法局", "flag": True, "at": datetime(2024, 11, 15, 9, 30, 1, 5), "day": None},
    {
        "name": "各镇、街道",
        "flag": False,
        "at": datetime(2024, 11, 15, 9, 30, 1, 5),
        "day": date(2025, 6, 30),
    },
    {"name": "x'; --", "flag": True, "at": datetime(2020, 1, 1), "day": date(2020, 2, 29)},
]


def _stored(engine, table) -> list[tuple]:
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection.execute("SELECT * FROM thing ORDER BY id")
        return [tuple(r) for r in raw.fetchall()]


def test_driver_inserts_store_what_core_inserts_store():
    meta, table = _table()
    fast, core = create_engine("sqlite://"), create_engine("sqlite://")
    for engine in (fast, core):
        meta.create_all(engine)
    with fast.begin() as conn:
        insert_many(conn, table, ROWS[:1])
        assert insert_rows(conn, table, ROWS[1:]) == [2, 3]
    with core.begin() as conn:
        conn.execute(insert(table), ROWS)
    assert _stored(fast, table) == _stored(core, table)
    with fast.connect() as conn:
        assert conn.execute(select(table.c.flag, table.c.at, table.c.day)).all() == [
            (r["flag"], r["at"], r["day"]) for r in ROWS
        ]


def test_driver_updates_store_what_core_updates_store():
    meta, table = _table()
    fast, core = create_engine("sqlite://"), create_engine("sqlite://")
    changes = [
        {"id": 3, "flag": False, "day": date(2026, 1, 1), "name": "区财政局"},
        {"id": 1, "flag": True, "day": None, "name": "区司法局（新）"},
    ]
    for engine in (fast, core):
        meta.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(table), ROWS)
    with fast.begin() as conn:
        update_rows(conn, table, changes)
    with core.begin() as conn:
        for c in changes:
            conn.execute(
                update(table)
                .where(table.c.id == c["id"])
                .values({k: v for k, v in c.items() if k != "id"})
            )
    assert _stored(fast, table) == _stored(core, table)


# ------------------------------------------------------------------ recurring rules

RULES = [
    "DTSTART:20200101\nRRULE:FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=8;UNTIL=20251231",
    "DTSTART:20220101\nRRULE:FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20241231",
    "DTSTART:20210101\nRRULE:FREQ=YEARLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1;INTERVAL=2;UNTIL=20251231",
    "DTSTART:20240101\nRRULE:FREQ=WEEKLY;BYDAY=FR;UNTIL=20240630",
    "DTSTART:20240101\nRRULE:FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=1",
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=10",
    "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31;UNTIL=20301231",
    "RRULE:FREQ=MONTHLY;COUNT=5;BYMONTHDAY=15",
    "DTSTART:20240101\nRRULE:FREQ=DAILY;UNTIL=20240110T000000",  # not the plain form
    "DTSTART:20240101T000000\nRRULE:FREQ=MONTHLY;UNTIL=20241231",  # not the plain form
]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("start", [None, date(2023, 5, 17)])
def test_plain_rules_read_as_rrulestr_reads_them(rule, start):
    if start is None and "DTSTART" not in rule:
        start = date(2021, 1, 1)  # without any start, rrulestr would count from now
    if "DTSTART" in rule:
        start = None  # the caller passes a start only when the rule has none
    ours = _parse_rrule(rule, start)
    if start is None:
        theirs = rrulestr(rule)
    else:
        theirs = rrulestr(rule, dtstart=datetime(start.year, start.month, start.day))
    assert list(islice(ours, 80)) == list(islice(theirs, 80))
    lo, hi = datetime(2022, 1, 1), datetime(2025, 12, 31, 23, 59, 59)
    assert ours.between(lo, hi, inc=True) == theirs.between(lo, hi, inc=True)


def test_a_bad_plain_rule_is_still_refused():
    with pytest.raises(ValueError):
        _parse_rrule("DTSTART:20240101\nRRULE:FREQ=YEARLY;UNTIL=20241399", None)


# ------------------------------------------------------------------ audit encoding

AUDIT_VALUES = [
    {"task_id": 12345, "unit_id": 17, "group_id": None, "role": "lead"},
    {"active": False, "due": date(2025, 6, 30), "at": datetime(2024, 11, 15, 9, 30, 1, 5)},
    {"text": "“引号”\t\n\x00\u2028 \\ / \ud7ff 区司法局（牵头）", "n": 1.5, "nan": float("inf")},
    {"nested": {"z": [1, 2, {"b": None, "a": "é"}], "a": []}, "e": {}},
    ["list", 1, None, True, 2.0],
    'just text with "quotes"',
    7,
    True,
]


@pytest.mark.parametrize("value", AUDIT_VALUES)
def test_audit_json_is_what_the_json_encoder_writes(value):
    from tui.store.audit import _CONTENT, _ENCODER, to_json

    assert to_json(value) == _ENCODER.encode(value)
    if isinstance(value, list):
        from tui.store.audit import _encode_content

        assert _encode_content(value) == _CONTENT.encode(value)


def test_audit_hash_is_unchanged():
    """The hash of a fixed row, as computed before the encoders were made once: a stored
    chain must verify with this program as it did with the one that wrote it."""
    import hashlib
    import json

    from tui.store.audit import row_hash

    row = {
        "at": datetime(2024, 11, 15, 9, 30, 1, 5),
        "actor": "测评",
        "action": "assignment.create",
        "entity": "assignment",
        "entity_id": 42,
        "before": "",
        "after": '{"group_id": null, "role": "lead", "task_id": 7, "unit_id": 3}',
        "batch": "b" * 32,
    }
    content = [
        "p" * 64,
        "2024-11-15 09:30:01.000005",
        "测评",
        "assignment.create",
        "assignment",
        "42",
        "",
        row["after"],
        "b" * 32,
    ]
    expected = hashlib.sha256(
        json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    ).hexdigest()
    assert row_hash("p" * 64, row) == expected
