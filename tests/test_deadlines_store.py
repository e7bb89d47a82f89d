"""Issue 3 end to end: deadlines in the store, corrections, progress, `duban overdue`."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from .conftest import SEED000, SEED001, query

pytestmark = pytest.mark.both_stores


def task_json(cli, number: str) -> dict:
    return next(t for t in cli("tasks", "--format", "json").json() if t["number"] == number)


def dated(task: dict) -> list[str]:
    return [d["due"] for d in task["deadlines"] if d["due"]]


@pytest.fixture
def seed001(cli):
    r = cli("import", str(SEED001), "--format", "json")
    assert r.code == 0, r.err
    assert r.json()["period"] == [2020, 2025]
    return cli


def test_seed001_deadlines(seed001):
    cli = seed001
    t46 = task_json(cli, "（46）")
    assert [(d["kind"], d["due"], d["text"]) for d in t46["deadlines"]] == [
        ("absolute", "2022-12-31", "2022年年底前"),
        ("absolute", "2022-12-31", "2023年前"),
    ]
    t32 = task_json(cli, "（32）")
    (yearly,) = t32["deadlines"]
    assert yearly["kind"] == "recurring" and "FREQ=YEARLY" in yearly["rrule"]
    assert "BYMONTH=1;BYMONTHDAY=8" in yearly["rrule"]
    t20 = task_json(cli, "（20）")
    assert t20["deadlines"][0]["kind"] == "recurring"
    assert "BYMONTH=3;BYMONTHDAY=31" in t20["deadlines"][0]["rrule"]
    assert dated(task_json(cli, "（65）")) == ["2024-12-31"]
    t38 = task_json(cli, "（38）")
    assert not any("小时" in d["text"] for d in t38["deadlines"])
    assert "5小时内" in t38["text"] and "24小时内" in t38["text"]
    t1 = task_json(cli, "（1）")
    assert [(d["kind"], d["due"]) for d in t1["deadlines"]] == [("default", "2025-12-31")]
    assert "默认期限" in t1["deadlines"][0]["note"]


def test_seed000_plan_year_and_traps(cli):
    r = cli("import", str(SEED000), "--format", "json")
    assert r.json()["period"] == [2023, 2023]
    tasks = cli("tasks", "--format", "json").json()
    yearless = [t for t in tasks if "年内" in t["text"] or "年底前" in t["text"]]
    assert yearless
    for t in yearless:
        words = {d["text"]: d["due"] for d in t["deadlines"]}
        for w, due in words.items():
            if w in ("年内", "年底前"):
                assert due == "2023-12-31", (t["number"], w)
    t2 = next(t for t in tasks if t["number"] == "（二）")
    assert not any("工作日" in d["text"] for d in t2["deadlines"])
    t8 = next(t for t in tasks if t["number"] == "（八）")
    assert "审查时间不少于7个工作日" in t8["text"]
    assert not any("工作日" in d["text"] for d in t8["deadlines"])


def test_plan_year_override(cli):
    r = cli("import", str(SEED000), "--plan-year", "2024", "--format", "json")
    assert r.json()["period"] == [2024, 2024]


def _expected_overdue(db, as_of: date) -> set[int]:
    rows = query(
        db,
        "SELECT a.id, t.due_dates FROM assignment a JOIN task t ON t.id = a.task_id "
        "WHERE a.active = TRUE AND t.active = TRUE AND a.completed_on IS NULL",
    )
    return {aid for aid, dues in rows if dues and min(dues.split(",")) < as_of.isoformat()}


def test_overdue_lists_exactly_past_deadline_items(seed001, db):
    r = seed001("overdue", "--as-of", "2023-06-30", "--format", "json")
    assert r.code == 0, r.err
    rows = r.json()
    got = {row["assignment_id"] for row in rows}
    assert got == _expected_overdue(db, date(2023, 6, 30))
    assert got  # (46), (32), (20) … are past due by then
    for row in rows:
        assert date.fromisoformat(row["due"]) < date(2023, 6, 30)
        assert row["days_overdue"] == (date(2023, 6, 30) - date.fromisoformat(row["due"])).days
        assert row["as_of"] == "2023-06-30"
    urg = [row["urgency"] for row in rows]
    assert urg == sorted(urg, reverse=True)
    table = seed001("overdue", "--as-of", "2023-06-30")
    assert f"逾期未完成 {len(rows)} 条" in table.out
    assert "区司法局" in table.out
    text = seed001("overdue", "--as-of", "2023-06-30", "--format", "csv").out
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only with the byte-order mark
    parsed = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert {int(p["事项编号"]) for p in parsed} == got


def test_overdue_filters(seed001):
    unit = seed001(
        "overdue", "--as-of", "2023-06-30", "--unit", "区司法局", "--format", "json"
    ).json()
    assert unit and {r["unit"] for r in unit} == {"区司法局"}
    plan = seed001(
        "overdue", "--as-of", "2023-06-30", "--plan", "东胜区", "--format", "json"
    ).json()
    assert len(plan) >= len(unit)
    assert seed001("overdue", "--unit", "不存在的单位").code == 2
    assert seed001("overdue", "--as-of", "2023-13-01").code == 2


def test_progress_clears_a_missed_occurrence_and_done_closes(seed001, db):
    rows = seed001("overdue", "--as-of", "2023-06-30", "--format", "json").json()
    recurring = next(r for r in rows if r["task_number"] == "（32）")
    aid = str(recurring["assignment_id"])
    r = seed001("progress", aid, "已按时报送2023年度报告", "--date", "2023-01-05")
    assert r.code == 0, r.err
    after = seed001("overdue", "--as-of", "2023-06-30", "--format", "json").json()
    assert int(aid) not in {x["assignment_id"] for x in after}
    # The next year's occurrence is missed again until progress for it is recorded.
    later = seed001("overdue", "--as-of", "2024-06-30", "--format", "json").json()
    row = next(x for x in later if x["assignment_id"] == int(aid))
    assert row["due"] == "2024-01-08"
    # As of a date before the report was made, the report does not count yet.
    other = next(r for r in rows if r["task_number"] == "（32）" and r["assignment_id"] != int(aid))
    seed001("progress", str(other["assignment_id"]), "迟报", "--date", "2023-03-01")
    early = seed001("overdue", "--as-of", "2023-02-01", "--format", "json").json()
    assert other["assignment_id"] in {x["assignment_id"] for x in early}
    assert other["assignment_id"] not in {
        x["assignment_id"]
        for x in seed001("overdue", "--as-of", "2023-06-30", "--format", "json").json()
    }
    one_off = next(r for r in rows if r["task_number"] == "（46）")
    r = seed001(
        "progress", str(one_off["assignment_id"]), "已完成并验收", "--date", "2023-03-01", "--done"
    )
    assert r.code == 0 and "销号" in r.out
    after = seed001("overdue", "--as-of", "2023-06-30", "--format", "json").json()
    assert one_off["assignment_id"] not in {x["assignment_id"] for x in after}
    assert query(
        db,
        "SELECT CAST(completed_on AS VARCHAR) FROM assignment WHERE id = :i",
        {"i": one_off["assignment_id"]},
    ) == [("2023-03-01",)]
    assert seed001("progress", "999999", "x").code == 2
    assert seed001("progress", aid, "   ").code == 2


def test_deadline_correction_is_recorded_and_survives_reimport(seed001, db, tmp_path):
    r = seed001("deadline", "（46）", "2023-06-30", "--reason", "区政府批准调整")
    assert r.code == 0, r.err
    t46 = task_json(seed001, "（46）")
    manual = [d for d in t46["deadlines"] if d["source"] == "manual"]
    assert [(d["due"], d["reason"], d["by"]) for d in manual] == [
        ("2023-06-30", "区政府批准调整", "测试员")
    ]
    assert any(d["source"] == "parsed" for d in t46["deadlines"])  # shown beside the parsed one
    shown = seed001("deadlines", "（46）")
    assert "人工更正" in shown.out and "2022年年底前" in shown.out and "区政府批准调整" in shown.out
    # An edited plan re-imports as a new revision; the correction stays.
    edited = tmp_path / "edited.txt"
    edited.write_text(
        SEED001.read_text(encoding="utf-8").replace("扩大公众参与", "扩大公众有序参与"),
        encoding="utf-8",
    )
    rep = seed001("import", str(edited), "--format", "json").json()
    assert rep["status"] == "revised"
    j = seed001("deadlines", "（46）", "--format", "json").json()
    assert j["due_dates"] == ["2023-06-30"]
    audit = query(db, "SELECT actor, before, after FROM audit_log WHERE action = 'deadline.set'")
    assert len(audit) == 1 and audit[0][0] == "测试员" and "2022-12-31" in audit[0][1]


def test_deadline_correction_bad_input(seed001, db):
    before = query(db, "SELECT count(*) FROM task_deadline")
    for args in (("（46）", "明年某天"), ("（46）", "2023-02-30"), ("（999）", "2023-06-30")):
        r = seed001("deadline", *args, "--reason", "x")
        assert r.code == 2 and r.err.startswith("错误：") and len(r.err.strip().splitlines()) == 1
    assert seed001("deadline", "（46）", "2023-06-30").code == 2  # --reason is required
    assert query(db, "SELECT count(*) FROM task_deadline") == before


def test_deadline_none_and_rrule(seed001):
    assert seed001("deadline", "（65）", "none", "--reason", "改为长期任务").code == 0
    assert task_json(seed001, "（65）")["deadlines"][-1]["kind"] == "ongoing"
    assert seed001("deadline", "（65）", "每季度末", "--reason", "按季度报送").code == 0
    j = seed001("deadlines", "（65）", "--format", "json").json()
    assert len(j["due_dates"]) > 4 and j["due_kind"] == "manual"
