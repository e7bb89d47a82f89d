"""The breakdown parser on the three real seed layouts (GUIDE.md §3)."""

from __future__ import annotations

import pytest

from tui.ingest.parser import ROLE_LEAD, ROLE_RESPONSIBLE, ROLE_SUPPORTING, parse_document
from tui.ingest.readers import read_document

from .conftest import SEED000, SEED001, SEED002


@pytest.fixture(scope="module")
def p001():
    return parse_document(read_document(SEED001))


@pytest.fixture(scope="module")
def p002():
    return parse_document(read_document(SEED002))


@pytest.fixture(scope="module")
def p000():
    return parse_document(read_document(SEED000))


def task(plan, number):
    return next(t for t in plan.tasks if t.number == number)


def test_seed001_outline(p001):
    assert len(p001.sections) == 9
    assert len(p001.subsections) == 31
    assert len(p001.tasks) == 85
    assert [t.number for t in p001.tasks] == [f"（{i}）" for i in range(1, 86)]
    assert p001.sections[0].heading == "健全政府机构职能体系，更好发挥政府服务保障作用"
    assert p001.subsections[-1].number == "31．"
    assert p001.title == "东胜区关于贯彻落实《法治政府建设规划（2020-2025年）》重点任务分解方案"
    assert p001.issue_date == "2022-12-29"


def test_seed001_owners(p001):
    t1 = task(p001, "（1）")
    assert t1.owner_fields == [
        (ROLE_LEAD, "区政府办、区委编办"),
        (ROLE_RESPONSIBLE, "区直有关部门，各镇、街道"),
    ]
    assert t1.title.startswith("继续优化政府组织结构")
    # A unit name broken over two lines is rejoined.
    assert (
        task(p001, "（80）").owner_text(ROLE_LEAD)
        == "区政府办、区委组织部、区委依法治区办、区司法局"
    )
    t17 = task(p001, "（17）")
    assert t17.owner_text(ROLE_LEAD) and t17.owner_text(ROLE_SUPPORTING)
    assert all(t.owner_text(ROLE_LEAD) for t in p001.tasks)
    # The closing paragraph is plan text, not part of the last task's owners.
    assert task(p001, "（85）").owner_text(ROLE_RESPONSIBLE) == "区直各部门，各镇、街道"
    assert "务求实效" in p001.plan_text
    assert not p001.unplaced


def test_seed001_preamble_is_plan_text(p001):
    assert "总体要求和目标" in [n.heading for n in p001.nodes]
    assert "为深入推进依法行政" in p001.plan_text
    assert not any("到2035年基本建成法治东胜" in t.text for t in p001.tasks)


def test_seed002(p002):
    assert len(p002.sections) == 8
    assert p002.subsections == []
    assert len(p002.tasks) == 26
    for t in p002.tasks:
        assert t.owner_text(ROLE_LEAD), t.number
        assert t.owner_text(ROLE_RESPONSIBLE), t.number
        assert "牵头单位" not in t.text
    t9 = task(p002, "（九）")
    assert "卫健委" in t9.owner_text(ROLE_LEAD) + t9.owner_text(ROLE_RESPONSIBLE)
    assert p002.title == "阿拉善左旗2024年法治政府建设工作计划"
    assert p002.issuer == "阿拉善左旗人民政府办公室"
    # The footer after the last task is not part of it.
    assert "印发" not in task(p002, "（二十六）").text


def test_seed000_pdf_text(p000):
    assert len(p000.sections) == 9
    assert len(p000.tasks) == 32
    assert not p000.has_owners
    for t in p000.tasks:
        assert "\n" not in t.text
        assert " " not in t.text, t.number
    t2 = task(p000, "（二）")
    assert "实际办理时限不超过4个工作日" in t2.text
    assert task(p000, "（二十七）").title == "加快推进政务数据有序共享"
    # The closing paragraph stays plan text.
    assert "务求实效" not in task(p000, "（三十二）").text
    assert "务求实效" in p000.plan_text


def test_artifacts_are_cleaned(tmp_path):
    text = (
        "某旗2025年法治政府建设工作计划\n"
        "一 、总体要求[bookmark: _GoBack]\n"
        "（ 一 ）加 强 组 织 领 导。各单位要在 2025 年 6 月底前完成。"
        "（牵头单位：旗司法局；责任单位：各有关部门）\n"
        "2 ．这是第二级？\n"
    )
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    plan = parse_document(read_document(path))
    assert len(plan.tasks) == 1
    t = plan.tasks[0]
    assert t.number == "（一）"
    assert t.title == "加强组织领导"
    assert "2025年6月底前" in t.text
    assert t.owner_fields == [(ROLE_LEAD, "旗司法局"), (ROLE_RESPONSIBLE, "各有关部门")]
    assert plan.nodes[0].heading == "总体要求"
