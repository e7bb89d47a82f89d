"""From a register entry (letter + items) and the office settings to a `LetterModel`.

Pure apart from reading the template file: no database, no Textual. The register passes
plain values in; the desk and the command line both use `preview_text` for the preview.

Addressee rule (督办函 goes to the unit head, GUIDE §4): a 督办函 for a unit with no head
on record is refused at sign-off (`check_head`), with a message saying how to add one;
drafts are allowed and print "主要负责同志" in the meantime, so a batch is never blocked
while someone looks the name up.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from tui.errors import DubanError
from tui.letters.facts import LetterFacts, history_values
from tui.letters.model import (
    ROLE_LABEL,
    LetterItem,
    LetterModel,
    days_mode,
    format_cn_date,
    item_cells,
    table_columns,
)
from tui.letters.templates import (
    DEFAULTS,
    PLACEHOLDERS,
    build_letter_parts,
    normalize_kind,
    render_template,
)

__all__ = [
    "KIND_NAMES",
    "ItemSnapshot",
    "Wording",
    "check_head",
    "compose_model",
    "letter_items",
    "letter_row_count",
    "preview_text",
    "render_wording",
    "template_values",
]

KIND_NAMES: Mapping[str, str] = {"提示": "提示函", "提醒": "提醒函", "督办": "督办函"}
KIND_RUNG: Mapping[str, int] = {"提示": 1, "提醒": 2, "督办": 3}
RUNG_KIND: Mapping[int, str] = {v: k for k, v in KIND_RUNG.items()}
EDITABLE = ("title", "addressee", "body_paragraphs", "closing")


@dataclass(frozen=True)
class Wording:
    """Every sentence of a letter outside the item table; frozen into the register on signing."""

    title: str
    addressee: str
    body_paragraphs: tuple[str, ...]
    closing: str
    contact: str
    cc: str
    signature: str
    issuer_mark: str

    def to_json(self) -> str:
        data = asdict(self)
        data["frozen"] = True
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Wording:
        data = json.loads(text)
        data.pop("frozen", None)
        data["body_paragraphs"] = tuple(data["body_paragraphs"])
        return cls(**data)


@dataclass(frozen=True)
class ItemSnapshot:
    """What the register keeps of one assignment in a letter (see `letter_item`)."""

    number: str
    title: str
    due: date | None
    deadline_text: str
    last_progress: str
    earlier_letters: str
    role: str = ""  # lead / responsible / supporting
    task_key: str = ""  # the task: rows with the same key are one row in the attachment
    missed: tuple[date, ...] = ()  # recurring task: occurrences missed
    progress_on: date | None = None


def check_head(kind: str, unit_name: str, head: str) -> None:
    """A 督办函 must name the unit head."""
    if normalize_kind(kind) == "督办" and not head.strip():
        raise DubanError(
            f"单位 {unit_name} 未登记负责人，督办函须写明负责人"
            "（用 duban units import --update 或在督办台单位页补充）"
        )


def days_text(due: date | None, ref: date) -> str:
    """逾期/剩余 as the letter prints it, counted to the letter's date."""
    if due is None:
        return "无固定期限"
    d = (ref - due).days
    if d > 0:
        return f"逾期{d}天"
    if d == 0:
        return "今天到期"
    return f"剩余{-d}天"


def deadline_text(due: date | None) -> str:
    return format_cn_date(due) if due else "无固定期限"


def progress_text(text: str, on: date | None) -> str:
    """ "2024年9月3日：已起草初稿" — the whole report, never shortened."""
    text = " ".join(text.split())
    if not text:
        return ""
    return f"{format_cn_date(on)}：{text}" if on else text


def _row_key(it: ItemSnapshot) -> str:
    """Items with the same key are one row of the attached list (one task)."""
    return it.task_key or f"{it.number}|{it.title}"


def letter_row_count(items: Sequence[ItemSnapshot]) -> int:
    """How many rows `letter_items` makes of these items, without formatting them."""
    return len({_row_key(it) for it in items})


def letter_items(items: Sequence[ItemSnapshot], ref: date) -> tuple[LetterItem, ...]:
    """Rows of the attached list: one per task, the unit's roles in it merged (a unit that
    leads and is responsible for a task gets one row); every task, in order."""
    groups: dict[str, list[ItemSnapshot]] = {}
    for it in items:
        groups.setdefault(_row_key(it), []).append(it)
    rows = []
    for group in groups.values():
        first = group[0]
        dues = [g.due for g in group if g.due is not None]
        due = min(dues) if dues else None
        roles = tuple(dict.fromkeys(ROLE_LABEL.get(g.role, g.role) for g in group if g.role))
        latest = max(group, key=lambda g: (g.progress_on or date.min, bool(g.last_progress)))
        earlier = "、".join(
            dict.fromkeys(n for g in group for n in g.earlier_letters.split("、") if n)
        )
        missed = sorted({d for g in group for d in g.missed})
        rows.append(
            LetterItem(
                number=first.number,
                title=first.title,
                deadline=deadline_text(due)
                if due or not first.deadline_text
                else first.deadline_text,
                days=days_text(due, ref),
                last_progress=progress_text(latest.last_progress, latest.progress_on),
                earlier_letters=earlier,
                roles=roles,
                missed=tuple(format_cn_date(d) for d in missed),
                overdue_days=(ref - due).days if due is not None else None,
            )
        )
    return tuple(rows)


def template_values(
    *,
    kind: str,
    unit_name: str,
    head: str,
    dues: Sequence[date | None],
    letter_date: date,
    reply_due: date,
    reply_workdays: int,
    settings,
    facts: LetterFacts | None = None,
    count: int | None = None,
) -> dict[str, str]:
    """Every placeholder's value for this letter (settings: a `tui.config.Settings`)."""
    known = [d for d in dues if d is not None]
    earliest = min(known) if known else None
    facts = facts or LetterFacts(letter_date=letter_date, items=len(dues))
    values = dict.fromkeys(PLACEHOLDERS, "")
    values.update(history_values(facts))
    values.update(
        {
            "单位": unit_name,
            "负责人": head.strip() or DEFAULTS["负责人"],
            "事项数": str(len(dues) if count is None else count),
            "最早期限": format_cn_date(earliest) if earliest else "（无固定期限）",
            "回复期限": format_cn_date(reply_due),
            "回复工作日": str(reply_workdays),
            "联系人": settings.contact,
            "联系电话": settings.phone,
            "发文机关": settings.office_short or settings.office,
            "日期": format_cn_date(letter_date),
            "抄送": settings.cc if normalize_kind(kind) == "督办" else "",
        }
    )
    return values


def render_wording(
    kind: str,
    values: Mapping[str, str],
    settings,
    edits: Mapping[str, object] | None = None,
    template_dir: Path | None = None,
    conds: Mapping[str, bool] | None = None,
) -> Wording:
    """The wording from the office template, with a draft's edits laid over it.

    Edited text goes through the same sandboxed renderer, so `{回复期限}` in an edit is
    filled in and an unknown name is refused like in a template."""
    parts = build_letter_parts(kind, values, template_dir, conds)
    edits = edits or {}

    def r(text: str, what: str) -> str:
        return render_template(text, values, f"修改后的{what}").strip()

    title = r(str(edits["title"]), "标题") if edits.get("title") else parts.title
    addressee = (
        r(str(edits["addressee"]), "主送").rstrip("：:")
        if edits.get("addressee")
        else parts.addressee
    )
    body = parts.body_paragraphs
    if edits.get("body_paragraphs"):
        body = tuple(p for p in (r(str(x), "正文") for x in edits["body_paragraphs"]) if p)  # type: ignore[union-attr]
    closing = r(str(edits["closing"]), "结束语") if edits.get("closing") else parts.closing
    return Wording(
        title=title,
        addressee=addressee,
        body_paragraphs=body,
        closing=closing,
        # no contact on record: leave the line out rather than print "联系人：　联系电话："
        contact=parts.contact if (settings.contact or settings.phone) else "",
        cc=parts.cc,
        signature=settings.office,
        issuer_mark=settings.issuer_mark,
    )


def compose_model(
    kind: str,
    number: str | None,
    wording: Wording,
    items: Sequence[ItemSnapshot],
    letter_date: date,
    as_of: date | None = None,
) -> LetterModel:
    """The layout model the .docx and .pdf writers render."""
    if not items:
        raise DubanError("函件没有任何事项，无法生成")
    return LetterModel(
        kind=normalize_kind(kind),
        issuer_mark=wording.issuer_mark,
        number=number,
        title=wording.title,
        addressee=wording.addressee,
        body_paragraphs=wording.body_paragraphs,
        items=letter_items(items, letter_date),
        closing=wording.closing,
        contact=wording.contact,
        signature=wording.signature,
        date=letter_date,
        cc=wording.cc,
        as_of=as_of,
    )


def preview_text(model: LetterModel) -> str:
    """The letter as plain text, for the terminal and the desk's preview pane."""
    out = [
        model.issuer_mark,
        "═" * 24,
        f"{model.number_text:>40}",
        "",
        model.title,
        "",
        model.addressee_line,
    ]
    out.extend("　　" + p for p in model.body_paragraphs)
    if model.closing:
        out.append("　　" + model.closing)
    if model.contact:
        out.append("　　" + model.contact)
    out += ["", "　　" + model.attachment_label, ""]
    out += [f"{model.signature:>36}", f"{model.date_text:>36}", ""]
    if model.as_of and model.as_of != model.date:
        out.append(
            f"（起草时事实截至 {model.as_of.isoformat()}；函件日期 {model.date.isoformat()}，"
            "逾期天数按函件日期计算）"
        )
        out.append("")
    out.append("附件：" + model.attachment_title)
    cols = table_columns(model.items)
    mode = days_mode(model.items)
    out.append(" | ".join("".join(c.header) for c in cols))
    for i, item in enumerate(model.items, start=1):
        out.append(" | ".join(c.replace("\n", "；") for c in item_cells(i, item, cols, mode)))
    if model.cc_line:
        out += ["", model.cc_line]
    return "\n".join(out) + "\n"
