"""Plan period from titles and preambles of the real seeds, and the --plan-year override."""

from __future__ import annotations

import pytest

from tui.domain.plan_context import PlanContext, plan_context_for_year, plan_context_from_text
from tui.errors import DubanError

SEED_000_PREAMBLE = (
    " 为全面贯彻落实党的二十大精神，坚持以习近平法治思想为\n\n指引，深入推进依法行政，"
    "全面建设法治政府，根据党中央、国\n\n务院印发的《法治政府建设实施纲要（2021-2025 年）》，"
    "内蒙古\n\n自治区党委、政府印发的《内蒙古自治区贯彻落实<法治政府建\n\n设实施纲要（2021-2025 年）>"
    "实施方案》，市委全面依法治市委\n\n员会印发的《鄂尔多斯市法治政府建设实施计划（2021-2025年）》\n\n"
    "及《达拉特旗法治政府建设实施方案（2021-2025 年）》精神，\n\n结合我旗实际，制定 2023年度工作计划。 "
)
SEED_001_TITLE = "东胜区关于贯彻落实《法治政府建设规划\n（2020-2025年）》重点任务分解方案"
SEED_001_PREAMBLE = (
    "    为深入推进依法行政，提高政府治理体系和治理能力现代化水平，全面贯彻落实"
    "《鄂尔多斯市法治政府建设实施计划（2021-2025年）》，结合东胜区实际，制定本方案。"
)
SEED_002_TITLE = "阿拉善左旗2024年法治政府建设工作计划"
SEED_002_NOTICE = "关于印发《阿拉善左旗2024年法治政府建设工作计划》的通知"


@pytest.mark.parametrize(
    ("title", "preamble", "expected"),
    [
        (SEED_001_TITLE, SEED_001_PREAMBLE, PlanContext(2020, 2025, "（2020-2025年）")),
        (SEED_002_TITLE, "", PlanContext(2024, 2024, "2024年法治政府建设工作计划")),
        (SEED_002_NOTICE, "", PlanContext(2024, 2024, "2024年法治政府建设工作计划")),
        ("", SEED_000_PREAMBLE, PlanContext(2023, 2023, "2023年度工作计划")),
        (
            "达拉特旗法治政府建设工作计划",
            SEED_000_PREAMBLE,
            PlanContext(2023, 2023, "2023年度工作计划"),
        ),
        ("某区法治政府建设“十三五”规划任务分解", "", PlanContext(2016, 2020, "十三五")),
        ("某旗“十四五”法治政府建设实施方案", "", PlanContext(2021, 2025, "十四五")),
        (
            "二〇二三年度依法治旗工作要点",
            "",
            PlanContext(2023, 2023, "二〇二三年度依法治旗工作要点"),
        ),
        ("法治政府建设实施方案（2021—2025年）", "", PlanContext(2021, 2025, "（2021—2025年）")),
        ("２０２４年 工作计划", "", PlanContext(2024, 2024, "２０２４年 工作计划")),
        (
            "关于印发《某旗贯彻落实〈法治政府建设实施纲要（2021-2025年）〉2023年工作要点》的通知",
            "",
            PlanContext(2023, 2023, "2023年工作要点"),
        ),
    ],
)
def test_plan_context_from_text(title: str, preamble: str, expected: PlanContext) -> None:
    assert plan_context_from_text(title, preamble) == expected


def test_title_beats_preamble() -> None:
    ctx = plan_context_from_text("阿拉善左旗2024年法治政府建设工作计划", "制定2023年度工作计划。")
    assert (ctx.start_year, ctx.end_year) == (2024, 2024)


def test_preamble_citations_are_not_the_plan() -> None:
    # Only a higher plan is cited in 《》: the office's own period is unknown.
    assert plan_context_from_text("", SEED_001_PREAMBLE) is None


def test_nothing_found() -> None:
    assert plan_context_from_text("关于加强行政执法工作的通知") is None
    assert plan_context_from_text("") is None


def test_plan_year_override() -> None:
    ctx = plan_context_for_year(2024)
    assert ctx == PlanContext(2024, 2024, "--plan-year")
    assert not ctx.is_multi_year
    assert PlanContext(2020, 2025, "x").is_multi_year


@pytest.mark.parametrize("year", [24, 1800, 3000])
def test_plan_year_override_rejects_bad_years(year: int) -> None:
    with pytest.raises(DubanError) as err:
        plan_context_for_year(year)
    assert "计划年度" in err.value.message
