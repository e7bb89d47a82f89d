"""A unit's task list (任务清单): what it says, from the store's facts and the office's template.

Pure: built from plain rows (tui.store.reports.ListRow-like objects) and rendered by the
docx, xlsx and pdf writers next to it. Every sentence about a deadline comes from the
task's stored deadlines: the date that counts, each occurrence of a recurring duty inside
the plan period, a granted extension, a date the office set by hand, or the plan-end
default — each said as such.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from tui.reports.templates import parse_parts, read_template, render_parts
from tui.reports.text import ROLE_CN, ROLE_HEADING, ROLE_ORDER, cited_title, cn_date, ordinal

TEMPLATE = "任务清单.txt"
KEYS = (
    "标题",
    "依据",
    "说明·牵头",
    "说明·责任",
    "说明·配合",
    "报送·单次",
    "报送·多期",
    "报送·无期限",
    "落款",
)
ROLE_NOTE_KEY = {"lead": "说明·牵头", "responsible": "说明·责任", "supporting": "说明·配合"}
HEADERS = ("序号", "角色", "任务编号", "任务内容", "完成时限", "报送要求")


@dataclass(frozen=True)
class ListItem:
    assignment_id: int
    role: str
    task_key: str
    task_text: str
    deadline: str
    report: str
    dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class UnitList:
    unit_id: int
    unit_name: str
    plan_id: int
    plan_title: str
    issued_on: date
    title: str
    basis: str  # the cover line: plan title and issue date
    signature: str
    role_notes: Mapping[str, str]
    items: tuple[ListItem, ...]
    draft: bool = False

    def by_role(self) -> list[tuple[str, list[ListItem]]]:
        return [
            (role, [i for i in self.items if i.role == role])
            for role in ROLE_ORDER
            if any(i.role == role for i in self.items)
        ]

    def table_rows(self) -> list[tuple[str, ...]]:
        """(序号, 角色, 任务编号, 任务内容, 完成时限, 报送要求), numbered through the list."""
        rows = []
        n = 0
        for role, items in self.by_role():
            for item in items:
                n += 1
                rows.append(
                    (
                        str(n),
                        ROLE_CN.get(role, role),
                        item.task_key,
                        item.task_text,
                        item.deadline,
                        item.report,
                    )
                )
        return rows

    def headings(self) -> list[tuple[str, str, list[ListItem]]]:
        """(一、牵头任务（3项）, role note, items) per role present."""
        return [
            (f"{ordinal(k)}、{ROLE_HEADING[role]}（{len(items)}项）", self.role_notes[role], items)
            for k, (role, items) in enumerate(self.by_role(), start=1)
        ]

    def body_texts(self) -> list[str]:
        """Every string printed in the body font (for the PDF's font subset)."""
        out = [self.basis, self.signature, cn_date(self.issued_on)]
        out += list(self.role_notes.values())
        for row in self.table_rows():
            out.extend(row)
        return out

    def title_texts(self) -> list[str]:
        """Strings printed in the title font: title, role headings, table headers."""
        return [self.title, *HEADERS, *(h for h, _n, _i in self.headings())]


@dataclass
class ListWording:
    """The office's template, loaded once for a run."""

    parts: dict[str, str]
    name: str

    @classmethod
    def load(cls, template_dir=None) -> ListWording:
        text, name = read_template(TEMPLATE, template_dir)
        return cls(parse_parts(text, KEYS, name), name)


def _words(row, kinds: tuple[str, ...]) -> str:
    seen: list[str] = []
    for kind, source, text in row.words:
        if kind in kinds and source != "default" and text and text not in seen:
            seen.append(text)
    return "、".join(seen)


def deadline_wording(row) -> tuple[str, tuple[date, ...]]:
    """(完成时限 as the list prints it, the dates to meet)."""
    if row.override is not None:
        return f"{cn_date(row.override)}前（已批准延期）", (row.override,)
    dates = tuple(row.due_dates)
    manual = row.due_kind == "manual"
    if not dates:
        ongoing = _words(row, ("ongoing",))
        if ongoing:
            return f"{ongoing}（无固定期限）", ()
        relative = _words(row, ("relative",))
        if relative:
            return f"{relative}（按事件发生时间起算，无固定日期）", ()
        return "无固定期限", ()
    if len(dates) > 1:
        listed = "、".join(cn_date(d) for d in dates)
        if manual:
            return f"分{len(dates)}期完成（办公室确定）：{listed}", dates
        words = _words(row, ("recurring",))
        if words:
            return f"{words}，共{len(dates)}期：{listed}", dates
        return f"分{len(dates)}期完成：{listed}", dates
    when = f"{cn_date(dates[0])}前"
    if manual:
        return f"{when}（办公室确定的期限）", dates
    if row.due_kind == "default":
        return f"{when}（计划未写期限，按计划期末）", dates
    words = _words(row, ("absolute", "recurring"))
    return (f"{when}（原文：{words}）" if words else when), dates


def _report(wording: ListWording, values: Mapping[str, str], dates: tuple[date, ...]) -> str:
    if not dates:
        key = "报送·无期限"
    elif len(dates) > 1:
        key = "报送·多期"
    else:
        key = "报送·单次"
    extra = {
        **values,
        "期限": cn_date(dates[-1]) if dates else "",
        "期数": str(len(dates)),
        "各期": "、".join(cn_date(d) for d in dates),
    }
    return render_parts({key: wording.parts[key]}, extra, wording.name)[key]


def build_unit_list(
    unit,
    rows: Sequence,
    plan,
    *,
    issued_on: date,
    office: str,
    wording: ListWording,
    draft: bool = False,
) -> UnitList:
    """The list of one unit (``unit``: id, name) from its rows of one plan (``plan``: id,
    title, issue_date)."""
    order = {r: i for i, r in enumerate(ROLE_ORDER)}
    rows = sorted(rows, key=lambda r: (order.get(r.role, 9), r.position, r.assignment_id))
    basis_doc = cited_title(plan.title)
    if plan.issue_date is not None:
        basis_doc += f"（{cn_date(plan.issue_date)}印发）"
    counts = {role: sum(1 for r in rows if r.role == role) for role in ROLE_ORDER}
    values = {
        "单位": unit.name,
        "计划": plan.title,
        "依据文件": basis_doc,
        "清单日期": cn_date(issued_on),
        "发文机关": office,
        "事项数": str(len(rows)),
        "牵头数": str(counts["lead"]),
        "责任数": str(counts["responsible"]),
        "配合数": str(counts["supporting"]),
    }
    fixed = render_parts(
        {k: wording.parts[k] for k in KEYS if not k.startswith("报送")}, values, wording.name
    )
    items = []
    for r in rows:
        deadline, dates = deadline_wording(r)
        items.append(
            ListItem(
                r.assignment_id,
                r.role,
                r.task_key,
                r.task_text,
                deadline,
                _report(wording, values, dates),
                dates,
            )
        )
    return UnitList(
        unit_id=unit.id,
        unit_name=unit.name,
        plan_id=plan.id,
        plan_title=plan.title,
        issued_on=issued_on,
        title=fixed["标题"] + ("（草稿）" if draft else ""),
        basis=fixed["依据"],
        signature=fixed["落款"],
        role_notes={role: fixed[ROLE_NOTE_KEY[role]] for role in ROLE_ORDER},
        items=tuple(items),
        draft=draft,
    )


@dataclass
class WrittenList:
    unit_id: int
    unit_name: str
    items: int
    files: list[dict] = field(default_factory=list)  # {"name", "sha256", "type"}
