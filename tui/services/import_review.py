"""What the import review shows: every task as the importer understood it, doubtful first.

A row is built from the dry run's report (owners as they would be resolved against the
unit directory, the units it would create) and the parsed task (its full text, its deadline
words), with the deadline read the way the store will read it (tui.domain.deadlines). A
task is doubtful when the importer may have misread it: no owners, an owner the directory
does not know (a new unit would be created), a label that names a person (牵头负责领导：…,
never a unit), deadline words that say no date, a text so long or so numbered inside that it looks like two tasks
run together, or one so short that it looks like a piece broken off another. Text the
importer placed in no task is listed first: a task may be hidden in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui.domain.deadlines import task_deadlines
from tui.domain.plan_context import PlanContext
from tui.ingest.parser import ROLES
from tui.services.importing import ImportCheck, describe_deadline

# A task is "very long" past this many characters and three times the plan's median: plans
# that write a paragraph per task (seed 002: 100–400 characters) are not all doubtful.
LONG_TEXT = 200
LONG_FACTOR = 3
# A task this short is usually a piece of the previous one (a line broken at a page end).
SHORT_TEXT = 8
# An outline number after a sentence end, inside a task's text: （2）…, 2．…, （二）…
_INNER_NUMBER = re.compile(r"[。；;]\s*(（[一二三四五六七八九十\d]{1,3}）|\d{1,3}[．.、](?!\d))")
# Text that starts like the middle of a sentence.
_CONTINUATION = re.compile(r"^[，,、；;。．.）)：:的和及与并]")


@dataclass
class ReviewRow:
    index: int  # place in the document, 0-based
    key: str  # the task's identity (section path + number), what a fix names
    number: str
    section: str
    title: str
    text: str
    owners: dict[str, list[str]]  # role → names as shown (新建 / 待分解 noted)
    deadline_words: str  # a 完成时限 cell or line, as written
    deadline: str  # how it is read: a date, a rule, 长期, or the plan-end default
    doubts: list[str] = field(default_factory=list)  # the reasons, in full
    tags: list[str] = field(default_factory=list)  # the same, in a few characters (the table)
    spans: list[tuple[int, int]] = field(default_factory=list)  # deadline words in ``text``
    line: int = 0  # line in the file; a row of text not placed in any task has only this

    @property
    def doubtful(self) -> bool:
        return bool(self.doubts)

    @property
    def is_task(self) -> bool:
        return bool(self.key)


def review_rows(check: ImportCheck) -> list[ReviewRow]:
    """Every task of the checked plan, doubtful ones first (each group in document order)."""
    report = check.report
    if report is None:
        return []
    parsed = report.parsed if report.parsed is not None else check.parsed
    by_key = dict(zip(parsed.task_keys(), parsed.tasks, strict=True))
    unknown = set(report.unknown_units)
    # With no directory for the plan's region every unit is new: that is said once for the
    # plan (the review's summary), not as a doubt on every task.
    directory = any(
        o.kind == "group" or (o.kind == "unit" and o.name not in unknown)
        for t in report.tasks
        for o in t.owners
    )
    ctx = PlanContext(report.period[0], report.period[1], "plan") if report.period else None
    lengths = sorted(len("".join(t.text.split())) for t in parsed.tasks)
    long_limit = max(LONG_TEXT, LONG_FACTOR * lengths[len(lengths) // 2]) if lengths else LONG_TEXT
    rows: list[ReviewRow] = []
    for i, t in enumerate(report.tasks):
        pt = by_key.get(t.key)
        text = pt.text if pt is not None else t.title
        owners: dict[str, list[str]] = {r: [] for r in ROLES}
        doubts: list[tuple[str, str]] = []  # (tag, reason)
        for o in t.owners:
            shown = o.name
            if o.kind == "unresolved":
                shown += "（待分解）"  # a known next step (分解), not a misreading
            elif o.kind == "unit" and o.name in unknown:
                shown += "（新建）"
                if directory:
                    doubts.append(("新单位", f"单位“{o.name}”不在单位名录中，将新建"))
            owners.setdefault(o.role, []).append(shown)
        if not t.owners:
            doubts.insert(0, ("无单位", "没有牵头或责任单位"))
        for line in pt.people if pt is not None else ():
            doubts.append(("写了人名", f"“{line}”写的是负责人，不是单位，未作为单位导入"))
        deadline, deadline_doubt, spans = _deadline(text, t.deadline_text, ctx)
        if deadline_doubt:
            doubts.append(("期限不明", deadline_doubt))
        doubts.extend(_shape(text, long_limit))
        rows.append(
            ReviewRow(
                index=i,
                key=t.key,
                number=t.number,
                section=t.section,
                title=t.title,
                text=text,
                owners=owners,
                deadline_words=t.deadline_text,
                deadline=deadline,
                doubts=[reason for _tag, reason in doubts],
                tags=list(dict.fromkeys(tag for tag, _reason in doubts)),
                spans=spans,
                line=pt.line if pt is not None else 0,
            )
        )
    # Text the importer placed in no task: shown first, since a task may be hidden in it.
    loose = [
        ReviewRow(
            index=-1,
            key="",
            number="",
            section="",
            title=text,
            text=text,
            owners={r: [] for r in ROLES},
            deadline_words="",
            deadline="",
            doubts=[f"第 {no} 行未归入任何任务，不会作为任务导入"],
            tags=["未归入任务"],
            line=no,
        )
        for no, text in report.unplaced
    ]
    return loose + sorted(rows, key=lambda r: (not r.doubtful, r.index))


def _deadline(
    text: str, words: str, ctx: PlanContext | None
) -> tuple[str, str, list[tuple[int, int]]]:
    """(the deadline as read, the doubt about it or "", where the text says it)."""
    found = task_deadlines(text, ctx, words or None)
    shown = _shown(found)
    in_text = [
        (d.start, d.end)
        for d in found
        if d.kind != "default" and "完成时限栏" not in d.note and 0 <= d.start < d.end
    ]
    if words and not any("完成时限栏" in d.note for d in found):
        return shown, f"期限“{words}”未能识别", in_text
    if not found:
        return shown, "未识别出期限（计划年度也未识别）", in_text
    return shown, "", in_text


def _shown(found: list) -> str:
    if not found:
        return "—"
    first = found[0]
    if first.kind == "default":
        return f"{first.due.isoformat()}（默认）" if first.due else "—"
    shown = describe_deadline(first)
    return shown + (f" 等{len(found)}个" if len(found) > 1 else "")


def _shape(text: str, long_limit: int) -> list[tuple[str, str]]:
    out = []
    plain = "".join(text.split())
    m = _INNER_NUMBER.search(plain)
    if m:
        out.append(("疑似两项", f"文中另有编号“{m.group(1)}”，可能是两项任务连在一起"))
    elif len(plain) > long_limit:
        out.append(("疑似两项", f"任务文字很长（{len(plain)} 字），可能是两项任务连在一起"))
    if len(plain) < SHORT_TEXT or _CONTINUATION.match(plain):
        out.append(("疑似残片", "任务文字很短或像半句话，可能是上一项的残片"))
    return out


def split_point(text: str) -> int:
    """Where the review's split dialog puts the cursor first: after the first sentence that
    is not the last, else the middle of the text."""
    for m in re.finditer(r"[。；;]", text):
        if m.end() < len(text.rstrip()):
            return m.end()
    return max(1, len(text) // 2)
