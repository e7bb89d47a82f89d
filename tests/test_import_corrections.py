"""Fixes from the import review are stored with the plan and survive every re-import."""

from __future__ import annotations

import sqlite3

import pytest

from tui.errors import DubanError
from tui.ingest.corrections import Correction
from tui.ingest.parser import parse_document
from tui.ingest.readers import read_document
from tui.store.db import make_engine
from tui.store.importer import import_parsed

PLAN = """某县2025年法治政府建设工作要点
一、重点任务
（一）完善行政执法公示制度，年底前完成。（县司法局牵头，各乡镇配合）
（二）推行包容审慎监管。由县市场监管局牵头研究首违不罚清单，6月底前公布。（县发改委负责）
（三）加强法治宣传教育。开展宪法宣传周活动。组织法律明白人培训，10月底前完成。（县委宣传部牵头）
（四）建立行政复议案件通报制度。（县司法局负责）
"""


def owners(db, key: str) -> list[tuple[str, str]]:
    con = sqlite3.connect(db)
    try:
        return sorted(
            con.execute(
                "SELECT a.role, coalesce(u.name, g.name) FROM assignment a JOIN task t "
                "ON t.id = a.task_id LEFT JOIN unit u ON u.id = a.unit_id LEFT JOIN unit_group g "
                "ON g.id = a.group_id WHERE t.key = ? AND t.active AND a.active",
                (key,),
            ).fetchall()
        )
    finally:
        con.close()


def keys(db) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [k for (k,) in con.execute("SELECT key FROM task WHERE active ORDER BY position")]
    finally:
        con.close()


@pytest.fixture
def plan_file(tmp_path):
    p = tmp_path / "plan.txt"
    p.write_text(PLAN, encoding="utf-8")
    return p


def do_import(db, path, corrections=None, **kw):
    doc = read_document(path)
    engine = make_engine(str(db))
    try:
        return import_parsed(
            engine,
            parse_document(doc),
            source=str(path),
            kind=doc.kind,
            actor="测试员",
            corrections=corrections,
            **kw,
        )
    finally:
        engine.dispose()


def test_an_owner_fix_survives_reimport_and_revision(cli, db, plan_file):
    # The importer read 县发改委 as the owner of （二）; the body says 县市场监管局 leads.
    fix = Correction(
        "owners", "一、（二）", [["lead", "县市场监管局", False], ["supporting", "县发改委", False]]
    )
    report = do_import(db, plan_file, [fix])
    assert report.status == "new"
    assert report.corrections == [fix.describe()]
    assert owners(db, "一、（二）") == [("lead", "县市场监管局"), ("supporting", "县发改委")]
    con = sqlite3.connect(db)
    audit = con.execute(
        "SELECT count(*) FROM audit_log WHERE action = 'import.correction'"
    ).fetchone()[0]
    con.close()
    assert audit == 1

    # The same file again, through the command line: unchanged, the fix still in force.
    r = cli("import", str(plan_file), "--format", "json")
    assert r.code == 0, r.err
    assert r.json()["status"] == "unchanged"
    assert owners(db, "一、（二）") == [("lead", "县市场监管局"), ("supporting", "县发改委")]

    # An edited version: another task changes; the fix is replayed.
    plan_file.write_text(
        PLAN.replace("开展宪法宣传周活动。", "开展宪法宣传周和民法典宣传月活动。"), encoding="utf-8"
    )
    r = cli("import", str(plan_file), "--format", "json")
    rep = r.json()
    assert rep["status"] == "revised" and rep["changed"] == ["一、（三）"]
    assert rep["corrections"] == [fix.describe()]
    assert owners(db, "一、（二）") == [("lead", "县市场监管局"), ("supporting", "县发改委")]


def test_split_and_merge_fix_task_boundaries(db, plan_file):
    text = "加强法治宣传教育。开展宪法宣传周活动。"
    split = Correction("split", "一、（三）", len(text))
    merge = Correction("merge_next", "一、（一）")
    report = do_import(db, plan_file, [split, merge])
    assert keys(db) == ["一、（一）", "一、（三）", "一、（三）之二", "一、（四）"]
    con = sqlite3.connect(db)
    texts = dict(con.execute("SELECT key, text FROM task WHERE active"))
    con.close()
    assert texts["一、（三）"] == text
    assert texts["一、（三）之二"] == "组织法律明白人培训，10月底前完成。"
    assert "推行包容审慎监管" in texts["一、（一）"]
    assert len(report.corrections) == 2
    # Both parts of the split keep the owners; the merged task has both tasks' owners.
    assert owners(db, "一、（三）之二") == [("lead", "县委宣传部")]
    assert ("lead", "县发改委") in owners(db, "一、（一）")


def test_a_fix_whose_task_is_gone_is_reported_not_applied(cli, db, plan_file):
    fix = Correction("deadline", "一、（四）", "2025年9月底前")
    do_import(db, plan_file, [fix])
    plan_file.write_text(
        PLAN.replace("（四）建立行政复议案件通报制度。（县司法局负责）\n", ""), encoding="utf-8"
    )
    rep = cli("import", str(plan_file), "--format", "json").json()
    assert rep["removed"] == ["一、（四）"]
    assert rep["skipped_corrections"] == [f"{fix.describe()}（文件中已没有这项任务）"]


def test_malformed_fixes_are_refused_before_anything_is_written(db, plan_file):
    for bad in (
        Correction("owners", "一、（一）", [["boss", "县司法局"]]),
        Correction("split", "一、（一）", 0),
        Correction("rename", "一、（一）", "x"),
    ):
        with pytest.raises(DubanError):
            do_import(db, plan_file, [bad])
    assert not db.exists() or keys(db) == []
