"""Deadline forms from real plans (issue: import the plans offices really write)."""

from __future__ import annotations

from datetime import date

import pytest

from tui.domain.deadlines import find_deadlines, task_deadlines
from tui.domain.plan_context import PlanContext, plan_context_from_text

CTX = PlanContext(2025, 2025, "test")


def dues(text: str, ctx=CTX) -> list:
    return [(d.kind, d.due) for d in find_deadlines(text, ctx)]


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("2025年12月上旬前完成年度考核。", date(2025, 12, 10)),
        ("于2025年11月中旬报送总结。", date(2025, 11, 20)),
        ("2025年2月下旬完成部署。", date(2025, 2, 28)),
        ("12月上旬前报送年度工作总结。", date(2025, 12, 10)),
        ("9月中旬完成中期评估。", date(2025, 9, 20)),
        ("6月下旬前完成清理。", date(2025, 6, 30)),
    ],
)
def test_early_mid_late_month(text, due):
    assert dues(text) == [("absolute", due)]


def test_a_date_that_qualifies_a_noun_is_not_a_deadline():
    assert dues("对2024年底前制定的行政规范性文件开展全面清理，年底前完成。") == [
        ("absolute", date(2025, 12, 31))
    ]
    assert dues("对2023年6月底前出台的政策措施开展公平竞争审查。") == []


@pytest.mark.parametrize(
    "text",
    [
        "推动法治宣传教育常态化，建立普法责任清单。",
        "持续推进“放管服”改革，优化营商环境。",
        "常态化开展行政执法案卷评查，提升执法质量。",
    ],
)
def test_ongoing_words_inside_a_sentence_are_not_deadlines(text):
    assert dues(text) == []
    ds = task_deadlines(text, CTX)
    assert [d.kind for d in ds] == ["default"]


@pytest.mark.parametrize(
    "text",
    [
        "建立行政执法人员培训制度，长期坚持。",
        "落实领导干部学法制度（长期坚持）",
        "完善法律顾问工作机制。常态化。",
    ],
)
def test_ongoing_as_the_closing_phrase(text):
    assert [d.kind for d in find_deadlines(text, CTX)] == ["ongoing"]


def test_ongoing_in_the_deadline_cell():
    assert [d.kind for d in task_deadlines("推进依法行政。", CTX, "常态化")] == ["ongoing"]
    assert [d.kind for d in task_deadlines("推进依法行政。", CTX, "持续推进")] == ["ongoing"]


def test_explicit_year_in_the_title_beats_a_five_year_plan():
    ctx = plan_context_from_text(
        "清水县2020年度法治政府建设暨“十三五”收官工作要点",
        "2020年是“十三五”规划收官之年，为做好全县法治政府建设工作，制定本要点。",
    )
    assert (ctx.start_year, ctx.end_year) == (2020, 2020)
    ctx = plan_context_from_text(
        "清水县法治政府建设工作要点",
        "“十三五”时期是全面建成小康社会的关键时期。现就2020年度工作安排如下。",
    )
    assert (ctx.start_year, ctx.end_year) == (2020, 2020)
    # A five-year plan's own title still names its period.
    ctx = plan_context_from_text("河西区“十四五”法治政府建设规划", "")
    assert (ctx.start_year, ctx.end_year) == (2021, 2025)
