"""The circular (通报): its figures from the store's facts, and every sentence it states.

Pure: the store hands over plain rows (`ItemFact`, `LetterFact`); this module decides the
numbers, the ranking and the wording, and both writers print what it decided.

Rules (each stated again in the circular's own note where a reader needs it):
- an item is one task for one unit (落实事项); items still on a group (待分解) are counted
  apart and named as not counted;
- 已办结 = closed (验收/销号) on or before the as-of date, on time or late; 逾期未完成 = the
  status 逾期 on the as-of date (GUIDE §4, recurring duties included); 正在推进 = the rest;
- 完成率 = 已办结 ÷ 事项数; percentages are rounded half up to a whole percent (四舍五入取整:
  27.5% → 28%, 27.4% → 27%), computed in integers so no float decides a tie;
- ranking: completion rate high to low (the exact fraction, not the rounded figure), then
  fewer overdue items first, then the unit's name (code-point order), then its id — stable;
- 收到函件: letters signed (not void) by the as-of date that list an item of this plan;
- 存在问题 names the units with an item listed in a signed 督办函 that is not closed by the
  as-of date, with the item numbers and the letters' numbers. A section with nothing to
  state says so in a sentence built from the same facts — never a fixed sentence about
  history.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from fractions import Fraction

from tui.domain.circular_facts import ItemFact, LetterFact
from tui.domain.status import Status, assignment_status
from tui.reports.templates import _KEY_LINE, _lines, read_template
from tui.reports.text import cited_title, cn_date
from tui.text import strip_controls

TEMPLATE = "通报.txt"
TEMPLATE_KEYS = ("标题", "主送")
SUPERVISION = "督办"
CN_SUB = "一二三四五六七八九十"


def one_line(text: str) -> str:
    """A name as one line of plain text: no control characters, no line breaks."""
    return " ".join(strip_controls(text or "").split())


def percent(part: int, whole: int) -> int | None:
    """Whole percent, rounded half up (四舍五入); None when there is nothing to divide."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def pct_text(part: int, whole: int) -> str:
    p = percent(part, whole)
    return "—" if p is None else f"{p}%"


# ----------------------------------------------------------------------------- figures


@dataclass
class UnitLine:
    unit_id: int
    name: str
    items: int
    done: int
    overdue: int
    letters: int

    @property
    def rate(self) -> int | None:
        return percent(self.done, self.items)


@dataclass
class Laggard:
    unit_id: int
    name: str
    items: list[str]  # task numbers, in plan order
    letters: list[str]  # numbers of the 督办函 that listed them


@dataclass
class CircularFigures:
    """Everything a circular states, as numbers and names: the drafting snapshot."""

    plan_id: int
    plan_title: str
    as_of: date
    tasks: int
    items: int
    done: int
    done_late: int
    overdue: int
    in_progress: int
    unresolved: int
    units: list[UnitLine] = field(default_factory=list)  # in rank order
    laggards: list[Laggard] = field(default_factory=list)
    supervision_letters: int = 0  # 督办函 about this plan signed by the as-of date

    def to_json(self) -> str:
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> CircularFigures:
        data = json.loads(raw)
        data["as_of"] = date.fromisoformat(data["as_of"])
        data["units"] = [UnitLine(**u) for u in data["units"]]
        data["laggards"] = [Laggard(**g) for g in data["laggards"]]
        return cls(**data)


def rank_key(u: UnitLine) -> tuple:
    """Completion rate (exact) high to low, fewer overdue first, then name, then id."""
    rate = Fraction(u.done, u.items) if u.items else Fraction(-1)
    return (-rate, u.overdue, u.name, u.unit_id)


def build_figures(
    *,
    plan_id: int,
    plan_title: str,
    as_of: date,
    tasks: int,
    items: Sequence[ItemFact],
    unresolved: int,
    letters: Sequence[LetterFact],
    soon_days: int = 15,
) -> CircularFigures:
    """The circular's numbers from the facts (see the module docstring for every rule)."""
    lines: dict[int, UnitLine] = {}
    open_items: dict[int, ItemFact] = {}
    done = done_late = overdue = 0
    for f in items:
        line = lines.get(f.unit_id)
        if line is None:
            line = lines[f.unit_id] = UnitLine(f.unit_id, one_line(f.unit_name), 0, 0, 0, 0)
        line.items += 1
        st = assignment_status(
            f.due_dates,
            as_of,
            completed_on=f.completed_on,
            progress_dates=f.progress_dates,
            recurring=f.recurring,
            soon_days=soon_days,
            covers=f.covers,
        ).status
        if st in (Status.DONE, Status.DONE_LATE):
            line.done += 1
            done += 1
            done_late += st is Status.DONE_LATE
        else:
            open_items[f.assignment_id] = f
            if st is Status.OVERDUE:
                line.overdue += 1
                overdue += 1
    received: dict[int, set[int]] = {}
    supervision = 0
    lag_items: dict[int, dict[int, ItemFact]] = {}
    lag_letters: dict[int, list[str]] = {}
    for letter in sorted(letters, key=lambda x: (x.issued_on, x.letter_id)):
        if letter.unit_id in lines:
            received.setdefault(letter.unit_id, set()).add(letter.letter_id)
        if letter.kind != SUPERVISION:
            continue
        supervision += 1
        still = [open_items[a] for a in letter.assignment_ids if a in open_items]
        if not still:
            continue
        mine = lag_items.setdefault(letter.unit_id, {})
        for f in still:
            mine[f.assignment_id] = f
        if letter.number not in lag_letters.setdefault(letter.unit_id, []):
            lag_letters[letter.unit_id].append(letter.number)
    for uid, ids in received.items():
        lines[uid].letters = len(ids)
    ranked = sorted(lines.values(), key=rank_key)
    laggards = []
    for line in ranked:  # named in rank order
        if line.unit_id not in lag_items:
            continue
        facts = sorted(
            lag_items[line.unit_id].values(), key=lambda f: (f.task_position, f.assignment_id)
        )
        numbers = list(dict.fromkeys(one_line(f.task_number) for f in facts))
        laggards.append(Laggard(line.unit_id, line.name, numbers, lag_letters[line.unit_id]))
    total = len(items)
    return CircularFigures(
        plan_id=plan_id,
        plan_title=one_line(plan_title),
        as_of=as_of,
        tasks=tasks,
        items=total,
        done=done,
        done_late=done_late,
        overdue=overdue,
        in_progress=total - done - overdue,
        unresolved=unresolved,
        units=ranked,
        laggards=laggards,
        supervision_letters=supervision,
    )


# ----------------------------------------------------------------------------- wording


TABLE_HEADER = ("名次", "单位", "事项数", "已办结", "逾期", "完成率", "收到函件")
# The page both files lay out (mm): the text block, the letterhead's width, the table's columns.
TEXT_MM, MARK_MM = 156.0, 170.0
TABLE_COLS_MM = (12.0, 52.0, 18.0, 18.0, 16.0, 20.0, 20.0)  # = TEXT_MM


@dataclass
class Section:
    heading: str  # "一、总体情况"
    paragraphs: list[str]


@dataclass
class CircularText:
    """The circular as both writers print it; frozen into the register at signing."""

    issuer_mark: str
    number: str  # "第3期" / "（草稿）"
    title: str
    addressee: str
    sections: list[Section]  # 一 … 四; the table and the chart follow section 二's text
    table_after: int  # index of the section the table and chart belong to
    table_rows: list[list[str]]
    table_note: str
    chart: list[tuple[str, int, int]]  # (unit, done, items) in rank order
    signature: str
    date: date

    @property
    def date_text(self) -> str:
        return cn_date(self.date)

    def to_json(self) -> str:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        data["frozen"] = True
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> CircularText:
        data = json.loads(raw)
        data.pop("frozen", None)
        data["date"] = date.fromisoformat(data["date"])
        data["sections"] = [Section(**s) for s in data["sections"]]
        data["chart"] = [tuple(c) for c in data["chart"]]
        return cls(**data)

    def texts(self) -> list[str]:
        """Every string printed (for font subsetting and checks)."""
        out = [self.issuer_mark, self.number, self.title, self.addressee, self.signature]
        out += [self.date_text, self.table_note, *TABLE_HEADER]
        for s in self.sections:
            out += [s.heading, *s.paragraphs]
        out += [c for row in self.table_rows for c in row]
        out += [name for name, _d, _n in self.chart]
        return out


@dataclass(frozen=True)
class CircularTemplate:
    """通报.txt: the title, the addressee and the 下一步要求 clauses an office edits."""

    parts: dict[str, str]
    clauses: list[tuple[str | None, str]]  # (condition, text)
    name: str


CONDITIONS = (
    "事项数",
    "已办结数",
    "正在推进数",
    "逾期数",
    "逾期单位数",
    "督办未结单位数",
    "待分解数",
)


def load_template(template_dir=None) -> CircularTemplate:
    """The office's 通报.txt when it has one, else the shipped file; checked on load."""
    text, name = read_template(TEMPLATE, template_dir)
    return parse_template(text, name)


def parse_template(text: str, name: str = TEMPLATE) -> CircularTemplate:
    from tui.errors import DubanError
    from tui.reports.templates import _CONDITION

    parts: dict[str, str] = {}
    clauses: list[tuple[str | None, str]] = []
    for line in _lines(text):
        m = _KEY_LINE.match(line)
        if m and m.group(1) in TEMPLATE_KEYS:
            parts[m.group(1)] = m.group(2).strip()
            continue
        c = _CONDITION.match(line)
        if c:
            cond = c.group(1).strip()
            if cond not in CONDITIONS:
                known = "、".join(f"[{k}]" for k in CONDITIONS)
                raise DubanError(f"模板 {name} 中的条件 [{cond}] 未知，可用的有：{known}")
            clauses.append((cond, c.group(2).strip()))
        else:
            clauses.append((None, line))
    missing = [k for k in TEMPLATE_KEYS if k not in parts]
    if missing:
        raise DubanError(f"模板 {name} 缺少“{'：”“'.join(missing)}：”一行")
    tpl = CircularTemplate(parts, clauses, name)
    # Placeholders are checked now, with sample values, so a broken template fails at
    # drafting with the template's name, not half-way through a render.
    values, _ = _values(_EMPTY, "发文机关")
    _render_parts(tpl, values, {k: 1 for k in CONDITIONS})
    return tpl


def _values(f: CircularFigures, office_short: str) -> tuple[dict[str, str], dict[str, int]]:
    lag_units = sum(1 for u in f.units if u.overdue)
    values = {
        "计划": f.plan_title,
        "计划书名": cited_title(f.plan_title),
        "截止日期": cn_date(f.as_of),
        "发文机关": office_short,
        "事项数": str(f.items),
        "已办结数": str(f.done),
        "正在推进数": str(f.in_progress),
        "逾期数": str(f.overdue),
        "完成率": pct_text(f.done, f.items),
        "单位数": str(len(f.units)),
        "逾期单位数": str(lag_units),
        "督办未结单位数": str(len(f.laggards)),
        "待分解数": str(f.unresolved),
    }
    conds = {
        "事项数": f.items,
        "已办结数": f.done,
        "正在推进数": f.in_progress,
        "逾期数": f.overdue,
        "逾期单位数": lag_units,
        "督办未结单位数": len(f.laggards),
        "待分解数": f.unresolved,
    }
    return values, conds


_EMPTY = CircularFigures(0, "计划", date(2000, 1, 1), 0, 0, 0, 0, 0, 0, 0)


def _render_parts(
    tpl: CircularTemplate, values: Mapping[str, str], conds: Mapping[str, int]
) -> tuple[dict[str, str], list[str]]:
    from tui.letters.templates import render_template

    parts = {k: render_template(v, values, tpl.name).strip() for k, v in tpl.parts.items()}
    reqs = []
    for cond, text in tpl.clauses:
        if cond is not None and not conds.get(cond):
            continue
        line = render_template(text, values, tpl.name).strip()
        if line:
            reqs.append(line)
    return parts, reqs


def _names(names: Sequence[str], limit: int = 10) -> str:
    shown = "、".join(names[:limit])
    return f"{shown}等{len(names)}个单位" if len(names) > limit else shown


def compose(
    f: CircularFigures,
    tpl: CircularTemplate,
    *,
    issuer_mark: str,
    signature: str,
    office_short: str,
    number: str | None,
    on: date,
) -> CircularText:
    """Every sentence of the circular from its figures; ``number`` None prints （草稿）."""
    asof = cn_date(f.as_of)
    values, conds = _values(f, office_short or signature)
    parts, reqs = _render_parts(tpl, values, conds)

    # 一、总体情况
    s1 = (
        f"截至{asof}，{cited_title(f.plan_title)}共有任务{f.tasks}项，分解到{len(f.units)}个单位的"
        f"落实事项{f.items}项。"
    )
    clauses = []
    late = f"（其中逾期办结{f.done_late}项）" if f.done_late else ""
    if f.done:
        clauses.append(f"已办结{f.done}项，占{pct_text(f.done, f.items)}{late}")
    else:
        clauses.append("尚无办结事项")
    if f.in_progress:
        clauses.append(f"正在推进{f.in_progress}项，占{pct_text(f.in_progress, f.items)}")
    if f.overdue:
        clauses.append(f"逾期未完成{f.overdue}项，占{pct_text(f.overdue, f.items)}")
    else:
        clauses.append("没有逾期未完成的事项")
    s1 += "其中，" + "；".join(clauses) + "。"
    if f.unresolved:
        s1 += f"另有{f.unresolved}项任务分工尚未明确到具体单位（待分解），未计入以上统计。"
    overall = [s1]

    # 二、各单位完成情况
    full = [u.name for u in f.units if u.items and u.done == u.items]
    none_done = [u.name for u in f.units if u.done == 0]
    s2 = ["各单位完成情况按完成率由高到低排列（完成率相同的，逾期事项少的在前），见下表和下图。"]
    facts2 = []
    if full and len(full) == len(f.units):
        facts2.append("各单位的事项均已全部办结")
    elif full:
        facts2.append(f"{_names(full)}的事项已全部办结")
    if none_done and len(none_done) == len(f.units):
        facts2.append("各单位均尚无办结事项")
    elif none_done:
        facts2.append(f"{_names(none_done)}尚无办结事项")
    if facts2:
        s2.append("；".join(facts2) + "。")
    rows = []
    for i, u in enumerate(f.units, 1):
        rows.append(
            [
                str(i),
                u.name,
                str(u.items),
                str(u.done),
                str(u.overdue),
                pct_text(u.done, u.items),
                str(u.letters),
            ]
        )
    note = (
        "注：完成率为已办结事项占本单位落实事项的比例，百分比四舍五入取整数；"
        f"“收到函件”为截至{asof}已签发的提示函、提醒函、督办函份数。"
    )

    # 三、存在问题
    if f.supervision_letters == 0:
        s3 = [f"截至{asof}，本计划尚未发出督办函。"]
    elif not f.laggards:
        s3 = [f"截至{asof}，已发出督办函{f.supervision_letters}份，所督办事项均已办结。"]
    else:
        s3 = [f"截至{asof}，以下{len(f.laggards)}个单位收到督办函后仍有事项未办结："]
        for i, g in enumerate(f.laggards, 1):
            s3.append(
                f"{i}．{g.name}：事项{'、'.join(g.items)}未办结（督办函{'、'.join(g.letters)}）。"
            )

    # 四、下一步要求
    s4 = [f"（{CN_SUB[i] if i < 10 else i + 1}）{r}" for i, r in enumerate(reqs)]
    sections = [Section("一、总体情况", overall), Section("二、各单位完成情况", s2)]
    sections.append(Section("三、存在问题", s3))
    if s4:
        sections.append(Section("四、下一步要求", s4))
    return CircularText(
        issuer_mark=one_line(issuer_mark),
        number=number or "（草稿）",
        title=parts["标题"],
        addressee=parts["主送"],
        sections=sections,
        table_after=1,
        table_rows=rows,
        table_note=note,
        chart=[(u.name, u.done, u.items) for u in f.units],
        signature=one_line(signature),
        date=on,
    )
