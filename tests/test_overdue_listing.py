"""`duban overdue` reads columns (`tui.store.overdue_listing`): only the rows that can be
overdue leave SQL, the column rules judge them, report texts are read for the listed rows
alone. It must list exactly what the status rules say row by row — the object path
(`load_facts` over every live assignment, `evaluate`, `by_urgency`) is the reference — with
the same order, fields and text, on a generated store holding every case: one-off and
recurring deadlines, granted extensions, corrected deadlines, reports (some naming their
occurrences, some entered out of date order, two on one day), closings before and after the
date, letters, several regions; at several dates; with and without filters; through the
DB-API fast path and the generic one a server store takes; in every output format.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_store import AS_OF, build_store  # noqa: E402
from tui.cli import main  # noqa: E402
from tui.commands import overdue as overdue_cmd  # noqa: E402
from tui.commands.textable import print_table  # noqa: E402
from tui.domain.board import by_urgency, evaluate  # noqa: E402
from tui.domain.status import Status  # noqa: E402
from tui.store.board import connect  # noqa: E402
from tui.store.facts import load_facts  # noqa: E402
from tui.store.overdue_listing import read_overdue  # noqa: E402

DATES = [date(2024, 3, 31), AS_OF, date(2025, 6, 30), date(2026, 3, 1)]
HOSTILE = "已报送\t第二稿\x1b[31m（红字）"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    db = build_store(tmp_path_factory.mktemp("overdue") / "s.db", assignments=6000, seed=5)
    with sqlite3.connect(db) as c:
        # Reports naming the occurrences they answer (the generator writes none).
        rows = c.execute(
            "SELECT pr.id, t.due_dates FROM progress pr JOIN assignment a ON a.id = pr.assignment_id "
            "JOIN task t ON t.id = a.task_id WHERE t.due_recurring = 1 ORDER BY pr.id LIMIT 40"
        ).fetchall()
        for n, (pid, dues) in enumerate(rows):
            occ = dues.split(",")
            c.execute(
                "UPDATE progress SET cover_from = ?, cover_to = ? WHERE id = ?",
                (None if n % 2 else occ[0], occ[min(len(occ) - 1, 1 + n % 3)], pid),
            )
        # Reports entered out of date order, and two on one day (the later entry is the
        # latest report), on one-off and recurring duties that are overdue on AS_OF.
        late = c.execute(
            "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id "
            "WHERE a.completed_on IS NULL AND t.due_first <> '' AND t.due_first < '2024-06-01' "
            "ORDER BY t.due_recurring DESC, a.id LIMIT 30"
        ).fetchall()
        for k, (aid,) in enumerate(late):
            for on, text in (
                ("2024-10-20", f"十月第二次报告{k}"),
                ("2024-10-20", HOSTILE if k == 0 else f"十月第三次报告{k}"),
                ("2024-05-02", f"补录五月报告{k}"),
            ):
                c.execute(
                    "INSERT INTO progress (assignment_id, reported_on, text, done, recorded_at, "
                    "recorded_by) VALUES (?, ?, ?, 0, '2024-11-01 08:00:00', '测试')",
                    (aid, on, text),
                )
    return db


def _reference(db: Path, as_of: date, **filters) -> list[dict]:
    """What the rules say, one object per live assignment (no pre-filter), in the old
    listing's record shape."""
    conn = connect(str(db))
    try:
        facts = load_facts(conn, as_of=as_of, **filters)
    finally:
        conn.close()
    rows = by_urgency([r for r in evaluate(facts, as_of) if r.status.status is Status.OVERDUE])
    out = []
    for r in rows:
        f = r.fact
        out.append(
            {
                "assignment_id": f.id,
                "plan_id": f.plan_id,
                "plan": f.plan_title,
                "task_id": f.task_id,
                "task_number": f.task_number,
                "task_title": f.task_title,
                "unit": f.unit_name,
                "unit_kind": f.unit_kind,
                "unresolved_group": f.unresolved,
                "role": f.role,
                "due": r.status.due.isoformat() if r.status.due else None,
                "days_overdue": r.status.days,
                "urgency": round(r.urgency, 2),
                "last_progress": f.last_progress or None,
                "last_progress_on": f.progress_dates[-1].isoformat() if f.progress_dates else None,
                "letters_sent": f.letters_sent,
                "as_of": as_of.isoformat(),
            }
        )
    return out


def _listed(conn, as_of: date, **filters) -> list[dict]:
    return overdue_cmd._records(read_overdue(conn, as_of, **filters), as_of)


def _differences(got: list[dict], want: list[dict]) -> list:
    return [(g, w) for g, w in zip(got, want, strict=False) if g != w][:3]


def test_the_store_holds_every_case(store):
    with sqlite3.connect(store) as c:
        one = lambda sql: c.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM assignment WHERE due_override IS NOT NULL") > 0
        assert one("SELECT count(*) FROM assignment WHERE completed_on IS NOT NULL") > 0
        assert one("SELECT count(*) FROM task WHERE due_recurring = 1") > 0
        assert one("SELECT count(*) FROM task_deadline WHERE source <> 'plan'") > 0
        assert one("SELECT count(*) FROM progress WHERE cover_to IS NOT NULL") > 0
        assert one("SELECT count(*) FROM letter_item") > 0
        assert one("SELECT count(DISTINCT region) FROM plan") > 1
        assert one("SELECT count(*) FROM assignment WHERE unit_id IS NULL") > 0


@pytest.mark.parametrize("as_of", DATES)
def test_the_listing_is_what_the_rules_say_row_by_row(store, as_of):
    want = _reference(store, as_of)
    conn = connect(str(store))
    try:
        got = _listed(conn, as_of)
    finally:
        conn.close()
    assert len(got) == len(want)
    assert not _differences(got, want)
    if as_of >= AS_OF:
        assert len(want) > 100
        assert any(r["last_progress"] == HOSTILE for r in got)


def test_the_filters_keep_what_the_rules_say(store):
    conn = connect(str(store))
    try:
        units = {
            uid
            for (uid,) in conn.execute(
                "SELECT DISTINCT unit_id FROM assignment WHERE unit_id IS NOT NULL LIMIT 5"
            )
        }
        plans = {pid for (pid,) in conn.execute("SELECT id FROM plan LIMIT 1")}
        for filters in (
            {"unit_ids": units},
            {"plan_ids": plans},
            {"unit_ids": units, "plan_ids": plans},
        ):
            want = _reference(store, AS_OF, **filters)
            assert want
            assert _listed(conn, AS_OF, **filters) == want
    finally:
        conn.close()


class _RowsOnly:
    """A DB-API handle that is not sqlite3's: the reader takes its generic path (plain rows,
    as on a server store) instead of the comma-joined columns."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def cursor(self):
        return _Cursor(self._conn.cursor())

    def execute(self, sql: str, params=None):
        return self.cursor().execute(sql, params)


class _Cursor:
    def __init__(self, cur: sqlite3.Cursor) -> None:
        self._cur = cur

    def execute(self, sql: str, params=None):
        self._cur.execute(sql, params or {})
        return self

    def fetchall(self):
        return self._cur.fetchall()

    def fetchone(self):
        return self._cur.fetchone()

    def __iter__(self):
        return iter(self._cur.fetchall())

    def close(self) -> None:
        self._cur.close()


def test_the_generic_reader_lists_the_same(store):
    conn = connect(str(store))
    try:
        for as_of in (AS_OF, date(2025, 6, 30)):
            assert _listed(_RowsOnly(conn), as_of) == _reference(store, as_of)
    finally:
        conn.close()


@pytest.mark.parametrize(
    "records",
    [
        [],
        [{"a": 1}],
        [{"a": "x},\n  {y", "b": None, "c": 1.5, "d": True}, {"a": "}", "b": "\t\u2028"}],
        [{"k": '"},\\n  {"', "n": -0.0}],
    ],
)
def test_the_json_writer_writes_what_indent_1_writes(records):
    assert overdue_cmd.json_indent1(records) == json.dumps(records, ensure_ascii=False, indent=1)


def _run(capsys, *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_every_output_format_shows_the_reference_rows(store, capsys, monkeypatch):
    monkeypatch.delenv("DUBAN_DB", raising=False)
    day = AS_OF.isoformat()
    want = _reference(store, AS_OF)
    base = ["--db", str(store), "overdue", "--as-of", day]
    # the very text `json.dump(..., indent=1)` writes, though the C encoder wrote it
    assert (
        _run(capsys, *base, "--format", "json")
        == json.dumps(want, ensure_ascii=False, indent=1) + "\n"
    )

    text = _run(capsys, *base, "--format", "csv")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(overdue_cmd.CSV_HEADERS.values())
    assert rows[1:] == [[overdue_cmd._cell(k, v) for k, v in r.items()] for r in want]

    # The table, not on a terminal: the generic printer's plain lines, every cell whole.
    table = [
        (
            str(r["assignment_id"]),
            r["plan"],
            r["task_number"],
            r["task_title"],
            r["unit"] + ("（待分解）" if r["unresolved_group"] else ""),
            overdue_cmd.ROLE_CN.get(r["role"], r["role"]),
            r["due"],
            f"{r['days_overdue']}天",
            r["last_progress"] or "—",
        )
        for r in want
    ]
    expected = io.StringIO()
    print_table(overdue_cmd.HEADERS, table, plain=True, out=expected)
    expected.write(f"截至 {day}，逾期未完成 {len(want)} 条\n")
    printed = _run(capsys, *base)
    assert printed == expected.getvalue()
    assert "\x1b" not in printed
    assert "已报送 第二稿" in printed  # the tab and the escape became spaces / were dropped


def test_unit_plan_and_region_options_filter_the_listing(store, capsys, monkeypatch):
    monkeypatch.delenv("DUBAN_DB", raising=False)
    day = AS_OF.isoformat()
    base = ["--db", str(store), "overdue", "--as-of", day, "--format", "json"]
    every = json.loads(_run(capsys, *base))
    with sqlite3.connect(store) as c:
        region, plan = c.execute("SELECT region, id FROM plan ORDER BY id LIMIT 1").fetchone()
    mine = json.loads(_run(capsys, *base, "--region", region))
    in_region = {
        pid
        for (pid,) in sqlite3.connect(store).execute(
            "SELECT id FROM plan WHERE region = ?", (region,)
        )
    }
    assert mine == [r for r in every if r["plan_id"] in in_region]
    assert 0 < len(mine) < len(every)
    one_plan = json.loads(_run(capsys, *base, "--plan", str(plan)))
    assert one_plan == [r for r in every if r["plan_id"] == plan]
    unit = mine[0]["unit"]
    by_unit = json.loads(_run(capsys, *base, "--unit", unit))
    assert by_unit and {r["unit"] for r in by_unit} == {unit}


@pytest.mark.parametrize("region", [None, "the first plan's"])
def test_the_year_summary_counts_the_overdue_the_rules_find(store, region):
    """`duban summary` counts the overdue rows (units only, not unresolved groups) from the
    same column read; the object path over every live assignment is the reference."""
    from tui.services.reports import year_summary
    from tui.store.db import make_engine

    if region:
        with sqlite3.connect(store) as c:
            region = c.execute("SELECT region FROM plan ORDER BY id LIMIT 1").fetchone()[0]
    engine = make_engine(str(store), create=False)
    try:
        got = year_summary(engine, 2024, today=date(2025, 3, 1), region=region)
    finally:
        engine.dispose()
    conn = connect(str(store))
    try:
        facts = load_facts(
            conn, as_of=date(2024, 12, 31), plan_ids={p.id for p in got.counts.plans}
        )
    finally:
        conn.close()
    want = sum(
        e.status.status is Status.OVERDUE and e.fact.unit_id is not None
        for e in evaluate(facts, date(2024, 12, 31))
    )
    assert got.overdue == want > 0
