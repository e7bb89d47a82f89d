"""`duban summary --year`: every figure equals a count made here straight from the store."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

YEAR_END = date(2024, 12, 31)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory) -> Path:
    from tui.commands.demo import build_demo_store

    path = tmp_path_factory.mktemp("demo-summary") / "demo.db"
    build_demo_store(str(path))
    return path


@pytest.fixture
def demo(demo_template, db) -> Path:
    shutil.copy(demo_template, db)
    return db


def _dates(s: str) -> list[date]:
    return [date.fromisoformat(x) for x in s.split(",")] if s else []


def overdue_at(con: sqlite3.Connection, plan_ids: list[int], day: date) -> int:
    """Status 逾期 on ``day``, decided here without the product's code (GUIDE §4):
    a one-off deadline is overdue once passed; for a recurring duty each report (oldest
    first) meets the earliest open occurrence whose predecessor lies before the report,
    and the first occurrence left open decides."""
    marks = ",".join("?" * len(plan_ids))
    rows = con.execute(
        "SELECT a.id, a.completed_on, a.due_override, t.due_dates, t.due_recurring "
        "FROM assignment a JOIN task t ON t.id = a.task_id WHERE a.active = 1 AND t.active = 1 "
        f"AND a.unit_id IS NOT NULL AND t.plan_id IN ({marks})",
        plan_ids,
    ).fetchall()
    reports: dict[int, list[date]] = {}
    for aid, on in con.execute("SELECT assignment_id, reported_on FROM progress ORDER BY id"):
        reports.setdefault(aid, []).append(date.fromisoformat(on))
    n = 0
    for aid, done, override, dues, recurring in rows:
        if done is not None and date.fromisoformat(done) <= day:
            continue
        if override is not None:
            n += date.fromisoformat(override) < day
            continue
        occ = sorted(_dates(dues))
        if not occ:
            continue
        if not recurring:
            n += occ[-1] < day
            continue
        k = 0
        for p in sorted(d for d in reports.get(aid, []) if d <= day):
            if k < len(occ) and (k == 0 or occ[k - 1] < p):
                k += 1
        n += k < len(occ) and occ[k] < day
    return n


def test_summary_2024_equals_the_store(cli, demo, tmp_path):
    # Lists issued: every unit of plan 1 in August, one reissued in September (still one
    # list), one unit of plan 2 in March, and one in 2023 that the 2024 figures leave out.
    assert (
        cli("lists", "--plan", "1", "--out", str(tmp_path / "a"), "--date", "2024-08-01").code == 0
    )
    assert (
        cli(
            "lists",
            "--plan",
            "1",
            "--unit",
            "旗司法局",
            "--out",
            str(tmp_path / "b"),
            "--date",
            "2024-09-01",
        ).code
        == 0
    )
    for day, unit in (("2024-03-01", "区司法局"), ("2023-05-01", "区法院")):
        r = cli("lists", "--plan", "2", "--unit", unit, "--out", str(tmp_path / day), "--date", day)
        assert r.code == 0, r.err

    r = cli("summary", "--year", "2024", "--format", "json")
    assert r.code == 0, r.err
    got = r.json()

    con = sqlite3.connect(demo)
    one = lambda sql, *p: con.execute(sql, p).fetchone()[0]  # noqa: E731
    plan_ids = [
        pid
        for pid, start, end in con.execute("SELECT id, period_start, period_end FROM plan")
        if start <= 2024 <= end
    ]
    assert [p["id"] for p in got["plans"]] == sorted(plan_ids) == [1, 2]
    live = (
        "FROM assignment a JOIN task t ON t.id = a.task_id "
        "WHERE a.active = 1 AND t.active = 1 AND t.plan_id IN (1, 2)"
    )
    assert got["as_of"] == "2024-12-31"
    assert got["tasks"] == one("SELECT count(*) FROM task WHERE active = 1 AND plan_id IN (1, 2)")
    assert got["assignments"] == one(f"SELECT count(*) {live} AND a.unit_id IS NOT NULL")
    assert got["unresolved_group_assignments"] == one(
        f"SELECT count(*) {live} AND a.unit_id IS NULL"
    )

    in_2024 = "issued_on BETWEEN '2024-01-01' AND '2024-12-31'"
    lists = con.execute(
        f"SELECT DISTINCT plan_id, unit_id FROM list_issue WHERE {in_2024}"
    ).fetchall()
    assert got["lists_issued"] == len(lists)
    plan1_units = one(
        "SELECT count(DISTINCT a.unit_id) FROM assignment a JOIN task t ON t.id = a.task_id "
        "WHERE t.plan_id = 1 AND a.active = 1 AND t.active = 1 AND a.unit_id IS NOT NULL"
    )
    assert got["lists_issued"] == plan1_units + 1
    assert got["list_runs"] == plan1_units + 2
    kinds = dict(
        con.execute(
            "SELECT u.kind, count(DISTINCT u.id) FROM list_issue l JOIN unit u ON u.id = l.unit_id "
            f"WHERE l.{in_2024} GROUP BY u.kind"
        ).fetchall()
    )
    assert got["list_units_by_kind"] == kinds
    assert got["list_units_towns"] == sum(kinds.get(k, 0) for k in ("镇", "苏木", "街道"))
    assert got["list_units_departments"] == kinds.get("部门", 0)
    latest = one(
        "SELECT sum(items) FROM list_issue WHERE id IN (SELECT max(id) FROM list_issue "
        f"WHERE {in_2024} GROUP BY plan_id, unit_id)"
    )
    assert got["list_items"] == latest

    letters = dict(
        con.execute(
            "SELECT kind, count(*) FROM letter WHERE number IS NOT NULL AND status <> '作废' "
            "AND issued_on BETWEEN '2024-01-01' AND '2024-12-31' GROUP BY kind"
        ).fetchall()
    )
    assert letters and got["letters_by_kind"] == letters
    assert got["letters"] == sum(letters.values())
    assert got["letters_void"] == one("SELECT count(*) FROM letter WHERE status = '作废'")
    assert got["circulars"] == 0

    deadline = (
        "((a.due_override IS NOT NULL AND a.due_override <= '2024-12-31') OR "
        "(a.due_override IS NULL AND t.due_first <> '' AND t.due_first <= '2024-12-31'))"
    )
    due = one(f"SELECT count(*) {live} AND a.unit_id IS NOT NULL AND {deadline}")
    done = one(
        f"SELECT count(*) {live} AND a.unit_id IS NOT NULL AND {deadline} "
        "AND a.completed_on <= '2024-12-31'"
    )
    assert (got["due"], got["done"]) == (due, done)
    assert got["completion_rate"] == round(done / due, 4)
    assert got["overdue_at_year_end"] == overdue_at(con, [1, 2], YEAR_END) > 0

    first_reply = "(SELECT min(replied_on) FROM letter_reply r WHERE r.letter_id = l.id)"
    signed = (
        "FROM letter l WHERE l.number IS NOT NULL AND l.status <> '作废' "
        "AND l.issued_on BETWEEN '2024-01-01' AND '2024-12-31'"
    )
    assert got["replies"] == one(f"SELECT count(*) {signed} AND {first_reply} IS NOT NULL") > 0
    assert got["replies_late"] == one(f"SELECT count(*) {signed} AND {first_reply} > l.reply_due")
    assert got["unanswered_late"] == one(
        f"SELECT count(*) {signed} AND {first_reply} IS NULL AND l.reply_due < '2024-12-31'"
    )

    # The paragraph, in the style of the annual report, from the same figures.
    text = got["paragraph"]
    assert text.startswith(f"细化任务分工{got['tasks']}项，")
    assert f"印发清单{got['lists_issued']}份" in text
    assert f"落实任务{got['assignments']}条" in text
    kinds_said = "、".join(k for k in ("提示", "提醒", "督办") if k in letters) + "函"
    assert f"发出{kinds_said}共计{got['letters']}份" in text
    assert f"完成率{round(100 * done / due)}%" in text
    assert "通报" not in text  # none issued: the clause is left out, never "0期"
    assert text.endswith("。")

    table = cli("summary", "--year", "2024")
    assert table.code == 0 and text in "".join(table.out.split())


def test_summary_template_an_office_edits(cli, demo, tmp_path):
    own = tmp_path / "模板"
    own.mkdir()
    (own / "年度总结.txt").write_text(
        "# 本办公室的写法\n[任务数]全年分解任务{任务数}项\n[通报期数]通报{通报期数}期\n"
        "共发函{函件数概数}份\n",
        encoding="gb18030",
    )
    r = cli("summary", "--year", "2024", "--templates", str(own), "--format", "json")
    assert r.code == 0, r.err
    got = r.json()
    assert got["paragraph"] == f"全年分解任务{got['tasks']}项，共发函{got['letters']}份。"

    for bad, fragment in (
        ("{任务数.__class__}", "写法不支持"),
        ("{不存在的数字}", "未知占位符"),
        ("[不存在]任务{任务数}", "条件 [不存在] 未知"),
        ("任务{任务数", "未闭合"),
    ):
        (own / "年度总结.txt").write_text(bad, encoding="utf-8")
        r = cli("summary", "--year", "2024", "--templates", str(own))
        assert r.code == 2 and fragment in r.err and "Traceback" not in r.err, (bad, r.err)


def test_summary_of_a_year_without_work_and_of_the_future(cli, demo):
    r = cli("summary", "--year", "2019", "--format", "json")
    assert r.code == 0, r.err
    got = r.json()
    assert got["tasks"] == got["assignments"] == got["letters"] == 0
    assert got["paragraph"] == ""
    r = cli("summary", "--year", "2019")
    assert r.code == 0 and "没有可写入段落的数字" in r.out
    r = cli("summary", "--year", "2099")
    assert r.code == 2 and "还没有开始" in r.err
