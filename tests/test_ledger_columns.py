"""The ledger export writes from the board's columns (`ledger_columns`), building no fact per
assignment. Its workbook must be the one the earlier export wrote — one `AssignmentFact` per
row from `load_facts`, judged by its own memo — kept below verbatim as the oracle, on a
generated store holding every case (recurring deadlines, extensions, closings before and
after the date, unresolved groups, a merged unit with live work, letters, several plans and
regions), whole and filtered. One difference is intended: the earlier export judged a
recurring duty without the reports that name the occurrences they answer, so its status
and overdue days disagreed with the desk's; now the ledger says what the desk says.
"""

from __future__ import annotations

import sqlite3
import sys
import zipfile
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_store import AS_OF, build_store  # noqa: E402
from tui.store.board import connect  # noqa: E402
from tui.store.facts import judged_facts  # noqa: E402

FIXED = datetime(2024, 11, 16, 9, 30, tzinfo=UTC)
DATES = [date(2024, 3, 31), AS_OF, date(2025, 6, 30)]


# ----------------------------------------------------------------- the earlier export, verbatim


def _old_status_memo(as_of: date, soon_days: int):
    from tui.domain.status import assignment_status

    cache: dict = {}

    def status_of(f):
        key = (id(f.due_dates), f.completed_on, f.progress_dates if f.recurring else None)
        st = cache.get(key)
        if st is None:
            st = cache[key] = assignment_status(
                f.due_dates,
                as_of,
                completed_on=f.completed_on,
                progress_dates=f.progress_dates,
                recurring=f.recurring,
                soon_days=soon_days,
            )
        return st

    return status_of


def _old_export(engine, path, *, as_of, plan=None, unit=None, region=None, soon_days=15):
    from sqlmodel import Session

    from tui.domain.status import Status
    from tui.reports.ledger import LedgerRow, PlanSheet, SummaryLine, deadline_cell, write_ledger
    from tui.reports.text import ROLE_ORDER
    from tui.store.dialect import board_reader
    from tui.store.facts import load_facts
    from tui.store.reports import ledger_read, pick_plans, pick_unit_ids, store_secret

    with Session(engine) as s:
        plans = pick_plans(s, plan, region=region)
        unit_ids = pick_unit_ids(s, unit)
        plan_ids = {p.id for p in plans} if plan or region else None
        facts = load_facts(
            board_reader(s.connection()), as_of=as_of, plan_ids=plan_ids, unit_ids=unit_ids
        )
        # the extras' queries are unchanged: taken from today's read
        _read, extras = ledger_read(s, as_of=as_of, plan_ids=plan_ids, unit_ids=unit_ids)
        secret = store_secret(s)
    role_rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    tasks = extras.tasks

    def order(f) -> tuple:
        return (f.plan_id, tasks[f.task_id][3], f.task_id, role_rank.get(f.role, 9), f.unit_name)

    facts.sort(key=order)
    by_plan: dict[int, list] = {}
    counts: dict[int, Counter] = {}
    status_of = _old_status_memo(as_of, soon_days)
    deadlines: dict = {}
    words, overrides, letters = extras.words, extras.overrides, extras.letters
    overdue = Status.OVERDUE
    for f in facts:
        st = status_of(f)
        key, text, section, _pos = tasks[f.task_id]
        status = st.status.value
        extended = f.id in overrides
        dkey = (f.task_id, f.due_dates) if extended else f.task_id
        deadline = deadlines.get(dkey)
        if deadline is None:
            deadline = deadlines[dkey] = deadline_cell(
                f.due_dates, f.recurring, words.get(f.task_id, ""), override=extended
            )
        row = LedgerRow(
            f.id,
            f.plan_title,
            section,
            key,
            text,
            f.unit_name if f.unit_id is not None else f"{f.unit_name}（待分解）",
            f.role,
            deadline,
            status,
            st.days if st.status is overdue else None,
            f.last_progress,
            letters.get(f.id, ""),
        )
        rows = by_plan.get(f.plan_id)
        if rows is None:
            rows = by_plan[f.plan_id] = []
            counts[f.plan_id] = Counter()
        rows.append(row)
        counts[f.plan_id][status] += 1
    sheets = [
        PlanSheet(pid, extras.plans[pid].title, rows) for pid, rows in sorted(by_plan.items())
    ]
    summary = [SummaryLine(s.plan_title, dict(counts[s.plan_id])) for s in sheets]
    write_ledger(path, sheets, summary, secret=secret, as_of=as_of, exported_at=FIXED)


# ------------------------------------------------------------------------------------ the store


def _build(path: Path, *, covers: bool) -> Path:
    db = build_store(path, assignments=6000, seed=5)
    with sqlite3.connect(db) as c:
        merged = c.execute("SELECT id FROM unit WHERE merged_into IS NOT NULL").fetchone()[0]
        c.execute(
            "UPDATE assignment SET unit_id = ? WHERE id IN (SELECT id FROM assignment "
            "WHERE unit_id IS NOT NULL ORDER BY id DESC LIMIT 5)",
            (merged,),
        )
        group = c.execute("SELECT id FROM unit_group ORDER BY id").fetchone()[0]
        c.execute(  # unresolved: a group's name until it is broken down
            "UPDATE assignment SET unit_id = NULL, group_id = ? WHERE id % 97 = 3", (group,)
        )
        c.execute("UPDATE assignment SET active = 0 WHERE id % 89 = 5")  # withdrawn
        c.execute(
            "UPDATE task SET active = 0 WHERE id IN (SELECT id FROM task ORDER BY id LIMIT 2)"
        )
        if covers:
            rows = c.execute(
                "SELECT pr.id, t.due_dates FROM progress pr "
                "JOIN assignment a ON a.id = pr.assignment_id JOIN task t ON t.id = a.task_id "
                "WHERE t.due_recurring = 1 ORDER BY pr.id LIMIT 40"
            ).fetchall()
            for n, (pid, dues) in enumerate(rows):
                occ = dues.split(",")
                c.execute(
                    "UPDATE progress SET cover_from = ?, cover_to = ? WHERE id = ?",
                    (None if n % 2 else occ[0], occ[min(len(occ) - 1, 1 + n % 3)], pid),
                )
        late = c.execute(
            "SELECT a.id FROM assignment a WHERE a.completed_on IS NULL ORDER BY a.id LIMIT 20"
        ).fetchall()
        for k, (aid,) in enumerate(late):  # reports entered out of order, one after the date
            for on, text in (
                ("2024-10-20", f"十月第二次{k}"),
                ("2024-05-02", f"补录五月{k}"),
                ("2025-01-10", f"一月{k}"),
            ):
                c.execute(
                    "INSERT INTO progress (assignment_id, reported_on, text, done, recorded_at, "
                    "recorded_by) VALUES (?, ?, ?, 0, '2024-11-01 08:00:00', '测试')",
                    (aid, on, text),
                )
    return db


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("ledger-cols") / "plain.db", covers=False)


@pytest.fixture(scope="module")
def covered(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("ledger-cols") / "covered.db", covers=True)


def test_the_store_holds_every_case(plain, covered):
    with sqlite3.connect(plain) as c:
        one = lambda sql: c.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM assignment WHERE due_override IS NOT NULL") > 0
        assert one("SELECT count(*) FROM assignment WHERE completed_on > '2024-03-31'") > 0
        assert one("SELECT count(*) FROM assignment WHERE completed_on <= '2024-11-15'") > 0
        assert one("SELECT count(*) FROM assignment WHERE unit_id IS NULL") > 0
        assert one("SELECT count(*) FROM task WHERE due_recurring = 1") > 0
        assert one("SELECT count(*) FROM task WHERE active = 0") > 0
        assert one("SELECT count(*) FROM assignment WHERE active = 0") > 0
        assert one("SELECT count(DISTINCT region) FROM plan") > 1
        assert one("SELECT count(*) FROM letter WHERE number IS NOT NULL") > 0
        assert (
            one(
                "SELECT count(*) FROM assignment a JOIN unit u ON u.id = a.unit_id "
                "WHERE u.merged_into IS NOT NULL AND a.active = 1"
            )
            > 0
        )
    with sqlite3.connect(covered) as c:
        assert c.execute("SELECT count(*) FROM progress WHERE cover_to IS NOT NULL").fetchone()[0]


def _filters(db: Path) -> list[dict]:
    with sqlite3.connect(db) as c:
        plan = c.execute("SELECT title FROM plan ORDER BY id LIMIT 1").fetchone()[0]
        region = c.execute("SELECT region FROM plan ORDER BY id DESC LIMIT 1").fetchone()[0]
        unit = c.execute(
            "SELECT u.name FROM unit u JOIN assignment a ON a.unit_id = u.id "
            "GROUP BY u.id ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
    return [{}, {"plan": plan}, {"region": region}, {"unit": unit}, {"unit": unit, "plan": plan}]


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def _export_both(db, tmp_path, monkeypatch, as_of, filters):
    import tui.clock
    from tui.services.reports import export_ledger
    from tui.store.db import make_engine

    monkeypatch.setattr(tui.clock, "now", lambda: FIXED)
    engine = make_engine(str(db), create=False)
    try:
        old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
        _old_export(engine, old, as_of=as_of, **filters)
        export_ledger(engine, new, as_of=as_of, **filters)
    finally:
        engine.dispose()
    return old, new


@pytest.mark.parametrize("as_of", DATES)
def test_the_workbook_is_the_earlier_exports(plain, tmp_path, monkeypatch, as_of):
    for filters in _filters(plain):
        old, new = _export_both(plain, tmp_path, monkeypatch, as_of, filters)
        want, got = _members(old), _members(new)
        assert list(got) == list(want), filters
        for name in want:
            assert got[name] == want[name], (filters, name)


def _rows(path: Path) -> dict[int, tuple]:
    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws["A1"].value != "事项键":
            continue
        heads = [c.value for c in ws[1]]
        for r in ws.iter_rows(min_row=2, values_only=True):
            if r[0]:
                out[int(str(r[0]).split("-")[0])] = dict(zip(heads, r, strict=True))
    return out


def test_a_report_naming_its_occurrences_counts_as_at_the_desk(covered, tmp_path, monkeypatch):
    """Fails on the earlier export: it judged recurring duties without the occurrences a
    report names, so the ledger called rows overdue (and for how long) unlike the desk."""
    changed = 0
    for as_of in DATES:
        old, new = _export_both(covered, tmp_path, monkeypatch, as_of, {})
        before, after = _rows(old), _rows(new)
        conn = connect(str(covered))
        try:
            desk = {e.fact.id: e for e in judged_facts(conn, as_of=as_of)}
        finally:
            conn.close()
        assert set(after) == set(before) == set(desk)
        for aid, row in after.items():
            st = desk[aid].status
            assert row["状态"] == st.status.value, (as_of, aid)
            want_days = st.days if st.status.value == "逾期" else None
            assert row["逾期天数"] == want_days, (as_of, aid)
            if row != before[aid]:
                changed += 1
                # only rows whose reports name their occurrences may differ
                assert desk[aid].fact.progress_covers, (as_of, aid)
                assert {k for k in row if row[k] != before[aid][k]} <= {
                    "状态",
                    "逾期天数",
                    "校验",
                }
    assert changed > 0  # the store does hold the case the earlier export got wrong
