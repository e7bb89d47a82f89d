"""The year's figures for the annual report, and the paragraph built from them.

Definitions (each figure is a count in the store; nothing is estimated):

- 任务数: live tasks of the plans in force in the year (period covering it, or issued in it);
- 事项数: their live assignments to units (groups not yet split into units are counted
  apart as 待分解);
- 清单数: unit task lists issued in the year, one per plan and unit however often it was
  reissued; 清单单位构成 by unit kind (镇/苏木/街道 and departments); 清单事项数: items on
  each list's latest issue;
- 通报期数: circulars signed in the year and not voided (the circulars register);
- 函件数: letters signed and issued in the year, not voided, by kind;
- 应完成数: assignments whose deadline (a granted extension's date, else the task's first
  date) falls on or before the as-of date; 已完成数: of those, closed (验收/销号) by then;
  完成率 = 已完成数 / 应完成数;
- 年底逾期数: assignments whose status on the as-of date is 逾期 (recurring duties as the
  desk judges them: a missed occurrence stays overdue until reported);
- 回复数: letters of the year with a written reply by the as-of date; 逾期回复数: replied after
  the reply deadline; 逾期未复数: no reply and the reply deadline passed.

The as-of date is 31 December, or today while the year runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tui.reports.templates import parse_clauses, read_template, render_clauses
from tui.reports.text import cn_date

TEMPLATE = "年度总结.txt"
TOWN_KINDS = ("镇", "苏木", "街道")
LETTER_KINDS = ("提示", "提醒", "督办")


@dataclass(frozen=True)
class YearFigures:
    year: int
    as_of: date
    counts: object  # tui.store.reports.YearCounts
    overdue: int
    values: dict[str, str]
    figures: dict[str, float]
    paragraph: str

    def as_dict(self) -> dict:
        c = self.counts
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "plans": [{"id": p.id, "title": p.title} for p in c.plans],
            "tasks": c.tasks,
            "assignments": c.assignments,
            "unresolved_group_assignments": c.unresolved,
            "lists_issued": c.lists,
            "list_runs": c.list_runs,
            "list_units_by_kind": dict(c.list_units_by_kind),
            "list_units_towns": sum(c.list_units_by_kind.get(k, 0) for k in TOWN_KINDS),
            "list_units_departments": c.list_units_by_kind.get("部门", 0),
            "list_items": c.list_items,
            "circulars": c.circulars,
            "letters_by_kind": dict(c.letters_by_kind),
            "letters": sum(c.letters_by_kind.values()),
            "letters_void": c.letters_void,
            "due": c.due,
            "done": c.done,
            "done_late": c.done_late,
            "completion_rate": round(c.done / c.due, 4) if c.due else None,
            "overdue_at_year_end": self.overdue,
            "replies": c.replies,
            "replies_late": c.replies_late,
            "unanswered_late": c.unanswered_late,
            "paragraph": self.paragraph,
        }


def _unit_mix(by_kind: dict[str, int], regions: list[str]) -> str:
    """“4个镇、76个旗直部门”: towns by kind, then departments, then others."""
    suffixes = {r[-1] for r in regions if r and r[-1] in "旗区市县"}
    dept = f"{suffixes.pop()}直部门" if len(suffixes) == 1 else "部门"
    parts = [f"{by_kind[k]}个{k}" for k in TOWN_KINDS if by_kind.get(k)]
    if by_kind.get("部门"):
        parts.append(f"{by_kind['部门']}个{dept}")
    others = sum(n for k, n in by_kind.items() if k not in (*TOWN_KINDS, "部门"))
    if others:
        parts.append(f"{others}个其他单位")
    return "、".join(parts)


def _about(n: int) -> str:
    """300余 for 300–399 (the annual reports' way), the number itself below 100."""
    if n < 100 or n % 100 == 0:
        return str(n)
    return f"{n // 100 * 100}余"


def year_figures(counts, overdue: int, template_dir=None) -> YearFigures:
    c = counts
    letters = sum(c.letters_by_kind.values())
    kinds = [k for k in LETTER_KINDS if c.letters_by_kind.get(k)]
    kinds += sorted(k for k in c.letters_by_kind if k not in LETTER_KINDS)
    rate = f"{round(100 * c.done / c.due)}%" if c.due else "—"
    values = {
        "年度": str(c.year),
        "截至日期": cn_date(c.as_of),
        "任务数": str(c.tasks),
        "事项数": str(c.assignments),
        "清单数": str(c.lists),
        "清单单位构成": _unit_mix(c.list_units_by_kind, c.regions),
        "清单事项数": str(c.list_items),
        "通报期数": str(c.circulars),
        "函件数": str(letters),
        "函件构成": "、".join(f"{k}函{c.letters_by_kind[k]}份" for k in kinds),
        "函件种类": "、".join(kinds) + "函" if kinds else "",
        "函件数概数": _about(letters),
        "应完成数": str(c.due),
        "已完成数": str(c.done),
        "完成率": rate,
        "年底逾期数": str(overdue),
        "回复数": str(c.replies),
        "逾期回复数": str(c.replies_late),
        "逾期未复数": str(c.unanswered_late),
    }
    figures = {
        "任务数": c.tasks,
        "事项数": c.assignments,
        "清单数": c.lists,
        "清单事项数": c.list_items,
        "通报期数": c.circulars,
        "函件数": letters,
        "应完成数": c.due,
        "已完成数": c.done,
        "年底逾期数": overdue,
        "回复数": c.replies,
        "逾期回复数": c.replies_late,
        "逾期未复数": c.unanswered_late,
    }
    text, name = read_template(TEMPLATE, template_dir)
    paragraph = render_clauses(parse_clauses(text, name), values, figures, name)
    return YearFigures(c.year, c.as_of, c, overdue, values, figures, paragraph)


def table_rows(figures: YearFigures) -> list[tuple[str, str]]:
    """(指标, value) lines of the year's figures: the command line's table and the desk's."""
    data = figures.as_dict()
    v = figures.values
    letters = v["函件构成"] or "无"
    return [
        ("统计截至", v["截至日期"]),
        ("计划", "；".join(p["title"] for p in data["plans"]) or "（无）"),
        ("细化任务", f"{data['tasks']} 项"),
        (
            "落实事项",
            f"{data['assignments']} 条（待分解的单位组 {data['unresolved_group_assignments']} 条）",
        ),
        (
            "印发清单",
            f"{data['lists_issued']} 份（{v['清单单位构成'] or '无'}），所列事项 {data['list_items']} 条",
        ),
        ("下发通报", f"{data['circulars']} 期"),
        ("发出函件", f"{data['letters']} 份（{letters}；另作废 {data['letters_void']} 份）"),
        (
            "应完成 / 已销号",
            f"{data['due']} / {data['done']} 条（其中逾期完成 {data['done_late']} 条）",
        ),
        ("完成率", v["完成率"]),
        ("截至日期仍逾期", f"{data['overdue_at_year_end']} 条"),
        ("收到书面回复", f"{data['replies']} 份（逾期回复 {data['replies_late']} 份）"),
        ("回复期限已过未回复", f"{data['unanswered_late']} 份"),
    ]
