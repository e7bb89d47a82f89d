"""What the import review flags as doubtful, and why (tui.services.import_review)."""

from __future__ import annotations

import os

import pytest

from tests.conftest import FIXTURES, SEED000
from tui.errors import DubanError
from tui.services import importing
from tui.services.import_review import review_rows, split_point
from tui.services.store import open_store

SHAPES = """阿拉善左旗2025年依法行政工作安排

一、重点工作
（一）完善行政复议工作机制，6月底前完成。2．健全行政应诉工作制度，年底前完成。（牵头单位：旗司法局）
（二），并做好相关衔接。（牵头单位：旗司法局）
（三）开展规范性文件清理，常态化推进。（牵头单位：旗司法局）
（四）深化政务公开，2025年第三季度末前完成目录修订。（牵头单位：旗政务服务局）
"""


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_CONFIG", os.devnull)
    handle = open_store(str(tmp_path / "duban.db"), create=True)
    yield handle
    handle.engine.dispose()


def check(store, path):
    return importing.check_plan(store, path, "测试员")


def test_run_together_fragment_and_the_deadline_words(store, tmp_path):
    path = tmp_path / "shapes.txt"
    path.write_text(SHAPES, encoding="utf-8")
    rows = {r.key: r for r in review_rows(check(store, path))}
    first = rows["一、（一）"]
    assert first.tags == ["疑似两项"] and "“2．”" in first.doubts[0]
    assert [first.text[a:b] for a, b in first.spans] == ["6月底前", "年底前"]
    assert rows["一、（二）"].tags == ["疑似残片"]
    assert rows["一、（三）"].doubts == [] and rows["一、（三）"].deadline == "长期（无固定期限）"
    four = rows["一、（四）"]
    assert four.doubts == [] and four.deadline == "2025-09-30"
    assert four.text[four.spans[0][0] : four.spans[0][1]] == "2025年第三季度末前"
    # Doubtful first, each group in the document's order.
    assert [r.key for r in review_rows(check(store, path))] == [
        "一、（一）",
        "一、（二）",
        "一、（三）",
        "一、（四）",
    ]


def test_a_plan_without_owners_flags_every_task(store):
    rows = review_rows(check(store, SEED000))
    assert len(rows) == 32 and all(r.tags == ["无单位"] for r in rows)


def test_new_units_unreadable_deadline_and_the_unplaced_line(store):
    rows = review_rows(check(store, FIXTURES / "review_plan.txt"))
    assert not rows[0].is_task and rows[0].line == 16 and rows[0].tags == ["未归入任务"]
    assert rows[1].key == "一、（二）" and rows[1].tags == ["新单位", "期限不明"]
    assert rows[1].owners["lead"] == ["旗法制办（新建）"]
    assert rows[1].deadline == "2025-12-31（默认）"
    group = next(r for r in rows if r.key == "一、（一）")
    assert group.owners["responsible"] == ["各有关部门（待分解）"] and not group.doubts


def test_fix_builders_read_names_and_deadlines_like_the_importer(store):
    c = check(store, FIXTURES / "review_plan.txt")
    fix = importing.owners_fix(
        c, "一、（二）", {"lead": "旗司法局、旗委办", "supporting": "各苏木镇"}
    )
    assert fix.value == [
        ["lead", "旗司法局", False],
        ["lead", "旗委办", False],
        ["supporting", "各苏木镇", True],
    ]
    fix, read = importing.deadline_fix(c, "一、（二）", "9月底前")
    assert fix.value == "9月底前" and read == "2025-09-30"
    _fix, read = importing.deadline_fix(c, "一、（二）", "长期坚持")
    assert read == "长期（无固定期限）"
    for bad in ("", "尽快", "待定"):
        with pytest.raises(DubanError):
            importing.deadline_fix(c, "一、（二）", bad)


def test_split_point_is_after_the_first_sentence():
    assert split_point("加强宣传。组织培训。") == 5
    assert split_point("一句话没有句号") == 3


def test_a_same_title_plan_arriving_after_the_check_is_refused_not_guessed(store, tmp_path):
    from tests.test_plan_identity import TOWN_A, TOWN_B, town_plan
    from tui.ingest.parser import parse_document
    from tui.ingest.readers import read_document
    from tui.store.importer import import_parsed

    a = tmp_path / "a.txt"
    a.write_text(town_plan("甲镇", TOWN_A), encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text(town_plan("乙镇", TOWN_B), encoding="utf-8")
    checked = check(store, b)  # the store is empty: no question
    assert checked.question is None and checked.report.status == "new"
    doc = read_document(a)  # meanwhile another desk imports town A's plan
    import_parsed(store.engine, parse_document(doc), source=str(a), kind=doc.kind, actor="别人")
    with pytest.raises(DubanError) as err:
        importing.import_plan(store, checked, "测试员")
    assert "同名计划" in err.value.message and "--new-plan" not in err.value.message
    answered = importing.answer(store, check(store, b), "测试员", new_plan=True)
    assert importing.import_plan(store, answered, "测试员").status == "new"


def test_with_no_directory_every_unit_is_new_and_that_is_no_doubt_on_each_task(store, tmp_path):
    # No region the store or the shipped directories know: every unit would be created.
    path = tmp_path / "plan.txt"
    path.write_text(
        "某县2025年法治政府建设工作要点\n一、重点任务\n"
        "（一）完善行政执法公示制度，年底前完成。（县司法局牵头，县财政局配合）\n"
        "（二）建立行政复议案件通报制度，6月底前完成。（县司法局负责）\n",
        encoding="utf-8",
    )
    c = check(store, path)
    assert sorted(c.report.unknown_units) == ["县司法局", "县财政局"]
    rows = review_rows(c)
    assert [r.doubts for r in rows] == [[], []]
    assert rows[0].owners["lead"] == ["县司法局（新建）"]


def test_a_person_label_is_flagged_and_never_a_unit(store, tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(
        "阿拉善左旗2025年依法行政工作安排\n一、重点工作\n"
        "（一）完善行政复议工作机制，6月底前完成。\n牵头单位：旗司法局\n牵头负责领导：王某某\n"
        "（二）健全行政应诉工作制度，年底前完成。\n牵头单位：旗司法局\n",
        encoding="utf-8",
    )
    c = check(store, path)
    rows = {r.key: r for r in review_rows(c)}
    assert rows["一、（一）"].tags == ["写了人名"]
    assert "王某某" in rows["一、（一）"].doubts[0]
    assert rows["一、（一）"].owners["lead"] == ["旗司法局"]
    assert rows["一、（二）"].doubts == []
    assert "王某某" not in c.report.unknown_units
