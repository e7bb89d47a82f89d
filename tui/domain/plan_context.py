"""The year or period a plan covers, read from its title and preamble.

Yearless deadlines ("年内", "年底前") and recurring ones ("每年1月8日前") only become dates
once the plan's period is known, and a task without any deadline falls due at the
period's end. Decisions:

- The title is read first and may quote the plan it implements, so a year range inside
  《》 counts there: 《法治政府建设规划（2020-2025年）》重点任务分解方案 → 2020–2025.
- In the preamble, citations in 《》 are the *higher* plans (纲要（2021-2025年）), so they
  are ignored; only the office's own words count: "制定 2023年度工作计划" → 2023.
- Five-year-plan names: 十三五 → 2016–2020, 十四五 → 2021–2025 (the k-th plan from the
  third on starts in 1966 + 5·(k − 3)).
- A range beats an explicit single year, which beats a five-year-plan name in the same
  place ("2020年度…暨“十三五”收官工作要点" is a 2020 plan); the title beats the preamble. A citation
  nested inside the title's 《》 (〈…〉 or <…>) is a higher plan and is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui.domain.cn_numbers import cn_to_int, normalize_with_map, original_span
from tui.errors import DubanError

MIN_YEAR = 1990
MAX_YEAR = 2100


@dataclass(frozen=True)
class PlanContext:
    """The period a plan covers; end_year == start_year for a one-year plan."""

    start_year: int
    end_year: int
    source: str

    @property
    def is_multi_year(self) -> bool:
        return self.end_year > self.start_year


_Y = r"(?:19|20)\d{2}|[一二][〇○零九][〇○零一二三四五六七八九]{2}"
_RANGE = re.compile(rf"[（(]?(?P<a>{_Y})年?(?:度)?[-－—–~～至到]+(?P<b>{_Y})年?(?:度)?[）)]?")
_QUOTED = re.compile(r"《[^《》]{0,120}》")
# A citation nested inside the quoted plan name: 《…贯彻落实〈纲要（2021-2025年）〉2023年工作要点》.
_NESTED = re.compile(r"[〈<][^〈〉<>]{0,120}[〉>]")
_FIVE_YEAR = re.compile(r"(?P<n>十[一二三四五六七八九])五")
# A single plan year: "2023年度工作计划", "2024年法治政府建设工作计划", "2024年工作要点".
_YEAR_PLAN = re.compile(
    rf"(?P<y>{_Y})年(?:度)?[^，。；、《》（）()]{{0,24}}?(?:计划|方案|要点|安排|清单|任务|台账|分工)"
)
_YEAR_DU = re.compile(rf"(?P<y>{_Y})年度")


def _year(s: str) -> int:
    y = cn_to_int(s)
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise ValueError(s)
    return y


def _blank(m: re.Match[str]) -> str:
    return "□" * len(m.group())


def _five_year_plan(n: str) -> tuple[int, int] | None:
    k = cn_to_int(n)
    if k < 3:
        return None
    start = 1966 + 5 * (k - 3)
    return start, start + 4


def _scan(text: str, *, allow_quoted: bool) -> PlanContext | None:
    norm, index = normalize_with_map(text)
    if not norm:
        return None
    hay = _NESTED.sub(_blank, norm) if allow_quoted else _QUOTED.sub(_blank, norm)

    def source(m: re.Match[str]) -> str:
        s, e = original_span(index, m.start(), m.end())
        return text[s:e]

    for m in _RANGE.finditer(hay):
        try:
            a, b = _year(m.group("a")), _year(m.group("b"))
        except ValueError:
            continue
        if a <= b:
            return PlanContext(a, b, source(m))
    for pattern in (_YEAR_PLAN, _YEAR_DU):
        for m in pattern.finditer(hay):
            try:
                y = _year(m.group("y"))
            except ValueError:
                continue
            return PlanContext(y, y, source(m))
    for m in _FIVE_YEAR.finditer(hay):
        period = _five_year_plan(m.group("n"))
        if period:
            return PlanContext(period[0], period[1], source(m))
    return None


def plan_context_from_text(title: str, preamble: str = "") -> PlanContext | None:
    """The plan's year or period from its title, else its preamble; None when neither says."""
    ctx = _scan(title or "", allow_quoted=True)
    if ctx is None and preamble:
        ctx = _scan(preamble, allow_quoted=False)
    return ctx


def plan_context_for_year(year: int) -> PlanContext:
    """A one-year plan set by hand (``--plan-year``)."""
    if not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise DubanError(f"计划年度“{year}”不正确：请写四位年份，如 2024")
    return PlanContext(year, year, "--plan-year")
