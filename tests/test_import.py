"""`duban import` end to end on a real SQLite store: owners, units, formats, revisions."""

from __future__ import annotations

import sqlite3

import pytest

from tui.domain.units import load_shipped_directories

from .conftest import FIXTURES, SEED001, SEED002


def owners(task: dict, role: str) -> list[dict]:
    return task["owners"][role]


def names(task: dict, role: str) -> set[str]:
    return {o["name"] for o in owners(task, role)}


def by_number(tasks: list[dict], number: str) -> dict:
    return next(t for t in tasks if t["number"] == number)


def counts(db) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("plan", "task", "assignment", "unit", "audit_log", "outline_node")
        }
    finally:
        con.close()


def test_seed001_import(cli, db):
    r = cli("import", str(SEED001), "--format", "json")
    assert r.code == 0, r.err
    report = r.json()
    assert report["status"] == "new"
    assert (report["sections"], report["subsections"], report["tasks_count"]) == (9, 31, 85)
    assert report["region"] == "东胜区"
    assert "区直有关部门" in report["unresolved_groups"]

    tasks = cli("tasks", "--format", "json").json()
    assert len(tasks) == 85
    t1 = by_number(tasks, "（1）")
    assert names(t1, "lead") == {"区政府办", "区委编办"}
    resp = owners(t1, "responsible")
    # Groups: 区直有关部门 stays one unresolved (待分解) entry; 各镇 and 各街道 expand to members.
    assert {"name": "区直有关部门", "unresolved": True, "via_group": None} in resp
    via = {o["via_group"] for o in resp if o["via_group"]}
    assert via == {"各镇", "各街道"}
    dongsheng = next(d for d in load_shipped_directories() if d.region == "东胜区")
    towns = {u.name for u in dongsheng.group_units(dongsheng.resolve_group("各镇"))}
    assert towns <= names(t1, "responsible")
    assert "区司法局" in names(by_number(tasks, "（80）"), "lead")
    t17 = by_number(tasks, "（17）")
    assert names(t17, "lead") and names(t17, "supporting")
    assert all(names(t, "lead") for t in tasks)


def test_seed002_short_names_resolve_through_directory(cli, db):
    assert cli("import", str(SEED002)).code == 0
    tasks = cli("tasks", "--format", "json").json()
    assert len(tasks) == 26
    assert all(names(t, "lead") and t["owners"]["responsible"] for t in tasks)
    t9 = by_number(tasks, "（九）")
    alxa = next(d for d in load_shipped_directories() if d.region == "阿拉善左旗")
    canonical = alxa.resolve("旗卫健委")
    assert canonical is not None and alxa.resolve("卫健委") == canonical
    assert canonical.name in names(t9, "lead") | names(t9, "responsible")
    assert "卫健委" not in names(t9, "lead") | names(t9, "responsible")
    con = sqlite3.connect(db)
    assert (
        con.execute("SELECT count(*) FROM unit WHERE name IN ('卫健委', '旗卫健委')").fetchone()[0]
        == 1
    )


def test_seed000_reports_no_owners(cli, db):
    r = cli("import", str(FIXTURES / "seed000_dalate_2023.txt"), "--format", "json")
    assert r.code == 0, r.err
    rep = r.json()
    assert (rep["sections"], rep["tasks_count"], rep["has_owners"]) == (9, 32, False)
    table = cli("import", str(FIXTURES / "seed000_dalate_2023.txt"), "--dry-run")
    assert "没有写明牵头单位或责任单位" in table.out or "相同" in table.out
    tasks = cli("tasks", "--format", "json").json()
    assert all(not any(t["owners"].values()) for t in tasks)
    assert not any("\n" in t["text"] for t in tasks)


FORMATS = [
    "plan002_gbk.txt",
    "plan002_utf16.txt",
    "plan002_utf8bom.txt",
    "plan002.docx",
    "plan002.pdf",
]


def _shape(tasks: list[dict]) -> list[tuple]:
    return [
        (
            t["number"],
            t["title"],
            t["text"],
            t["section"],
            {r: sorted(o["name"] for o in v) for r, v in t["owners"].items()},
        )
        for t in tasks
    ]


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_imports_to_the_same_tasks(cli, db, tmp_path, name):
    assert cli("import", str(FIXTURES / "plan002_utf8.txt")).code == 0
    reference = _shape(cli("tasks", "--format", "json").json())
    other = tmp_path / "other.db"
    r = cli("import", str(FIXTURES / name), "--db", str(other), use_db=False)
    assert r.code == 0, r.err
    got = _shape(cli("tasks", "--format", "json", "--db", str(other), use_db=False).json())
    assert got == reference
    # And into the same store it is recognised as the same content.
    again = cli("import", str(FIXTURES / name), "--format", "json").json()
    assert again["status"] == "unchanged"


@pytest.mark.parametrize("name", ["plan_table.docx", "plan_table.xlsx"])
def test_table_layouts_take_owners_and_deadlines_from_columns(cli, db, name):
    r = cli("import", str(FIXTURES / name), "--format", "json")
    assert r.code == 0, r.err
    rep = r.json()
    assert rep["plan_title"] == "某某旗2025年法治政府建设重点任务分解表"
    assert rep["tasks_count"] >= 8
    assert rep["sections"] == 3
    tasks = cli("tasks", "--format", "json").json()
    assert all(names(t, "lead") for t in tasks)
    assert all(t["deadline_text"] for t in tasks)
    deadlines = {t["deadline_text"] for t in tasks}
    assert "长期坚持" in deadlines
    first = tasks[0]
    assert first["number"] == "1"
    assert "旗委编办" in names(first, "lead")
    assert first["section"]


def test_reimport_identical_changes_nothing(cli, db):
    assert cli("import", str(SEED001)).code == 0
    before = counts(db)
    r = cli("import", str(SEED001))
    assert r.code == 0
    assert "相同" in r.out
    assert counts(db) == before


def test_edited_plan_becomes_revision_and_keeps_history(cli, db, tmp_path):
    assert cli("import", str(SEED002)).code == 0
    con = sqlite3.connect(db)
    keep = con.execute(
        "SELECT a.id FROM assignment a JOIN task t ON t.id=a.task_id WHERE t.number='（一）'"
    ).fetchall()
    con.close()
    text = SEED002.read_text(encoding="utf-8")
    text = text.replace(
        "深化事业单位改革。", "深化事业单位改革，2024年底前完成。"
    )  # （一） changed
    lines = text.split("\n")
    lines = [ln for ln in lines if not ln.startswith("（二十六）")]  # removed
    lines.insert(
        -2, "（二十七）新增一项任务。认真抓好落实。（牵头单位：旗司法局；责任单位：各有关部门）"
    )
    edited = tmp_path / "edited.txt"
    edited.write_text("\n".join(lines), encoding="utf-8")
    rep = cli("import", str(edited), "--format", "json").json()
    assert rep["status"] == "revised"
    assert rep["revision"] == 2
    # Tasks are named by their place in the outline (section + number).
    assert rep["added"] == ["八、（二十七）"]
    assert rep["removed"] == ["八、（二十六）"]
    assert rep["changed"] == ["一、（一）"]
    con = sqlite3.connect(db)
    after = con.execute(
        "SELECT a.id FROM assignment a JOIN task t ON t.id=a.task_id WHERE t.number='（一）'"
    ).fetchall()
    assert after == keep  # same assignment rows: their history stays attached
    assert con.execute("SELECT count(*) FROM plan").fetchone()[0] == 1
    assert con.execute("SELECT active FROM task WHERE number='（二十六）'").fetchone()[0] == 0
    actions = {a for (a,) in con.execute("SELECT DISTINCT action FROM audit_log")}
    assert {
        "plan.import",
        "task.create",
        "task.update",
        "task.remove",
        "assignment.create",
    } <= actions
    tasks = cli("tasks", "--format", "json").json()
    assert len(tasks) == 26


def test_dry_run_writes_nothing(cli, db):
    assert cli("import", str(SEED001)).code == 0
    before = counts(db)
    r = cli("import", str(SEED002), "--dry-run", "--format", "json")
    assert r.code == 0
    assert r.json()["dry_run"] is True
    assert r.json()["tasks_count"] == 26
    assert counts(db) == before


def test_audit_trail_is_append_only(cli, db):
    assert cli("import", str(SEED002)).code == 0
    con = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        con.execute("UPDATE audit_log SET actor='x'")
    with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        con.execute("DELETE FROM audit_log")
    assert con.execute("SELECT DISTINCT actor FROM audit_log").fetchall() == [("测试员",)]
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_units_list_and_import(cli, db, tmp_path):
    toml = tmp_path / "r.toml"
    toml.write_text(
        'region = "测试旗"\nprefixes = ["旗"]\nmatch = ["测试旗"]\n'
        '[[units]]\nname = "旗司法局"\nkind = "部门"\naliases = ["司法局"]\nhead = "王五"\n',
        encoding="utf-8",
    )
    r = cli("units", "import", str(toml))
    assert r.code == 0, r.err
    assert "新增单位 1 个" in r.out
    rows = cli("units", "list", "--format", "json").json()
    assert [(u["name"], u["head"], u["aliases"]) for u in rows] == [
        ("旗司法局", "王五", ["司法局"])
    ]
    plan = tmp_path / "p.txt"
    plan.write_text(
        "测试旗2025年工作计划\n一、总体\n（一）抓落实。年底前完成。（牵头单位：司法局；责任单位：旗新设局）\n",
        encoding="utf-8",
    )
    rep = cli("import", str(plan), "--format", "json").json()
    assert rep["region"] == "测试旗"
    assert rep["unknown_units"] == ["旗新设局"]
    t = cli("tasks", "--format", "json", "--unit", "司法局").json()
    assert len(t) == 1 and names(t[0], "lead") == {"旗司法局"}
