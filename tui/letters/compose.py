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
from tui.letters.model import LetterItem, LetterModel, format_cn_date, item_row
from tui.letters.templates import (
    DEFAULTS,
    PLACEHOLDERS,
    build_letter_parts,
    normalize_kind,
    render_template,
)

KIND_NAMES: Mapping[str, str] = {"提示": "提示函", "提醒": "提醒函", "督办": "督办函"}
KIND_RUNG: Mapping[str, int] = {"提示": 1, "提醒": 2, "督办": 3}
RUNG_KIND: Mapping[int, str] = {v: k for k, v in KIND_RUNG.items()}
EDITABLE = ("title", "addressee", "body_paragraphs", "closing")
PROGRESS_CHARS = 80


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
    """What the register keeps of one item (see `letter_item`)."""

    number: str
    title: str
    due: date | None
    deadline_text: str
    last_progress: str
    earlier_letters: str


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


def _short(text: str, limit: int = PROGRESS_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def letter_items(items: Sequence[ItemSnapshot], ref: date) -> tuple[LetterItem, ...]:
    """Rows of the attached list; every item, in order (a long list flows, never cut)."""
    return tuple(
        LetterItem(
            number=it.number,
            title=it.title,
            deadline=it.deadline_text or deadline_text(it.due),
            days=days_text(it.due, ref),
            last_progress=_short(it.last_progress) if it.last_progress else "暂无",
            earlier_letters=it.earlier_letters or "无",
        )
        for it in items
    )


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
) -> dict[str, str]:
    """Every placeholder's value for this letter (settings: a `tui.config.Settings`)."""
    known = [d for d in dues if d is not None]
    earliest = min(known) if known else None
    values = dict.fromkeys(PLACEHOLDERS, "")
    values.update(
        {
            "单位": unit_name,
            "负责人": head.strip() or DEFAULTS["负责人"],
            "事项数": str(len(dues)),
            "最早期限": format_cn_date(earliest) if earliest else "（无固定期限）",
            "回复期限": format_cn_date(reply_due),
            "回复工作日": str(reply_workdays),
            "联系人": settings.contact,
            "联系电话": settings.phone,
            "发文机关": settings.office,
            "日期": format_cn_date(letter_date),
            "年度": str(earliest.year if earliest else letter_date.year),
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
) -> Wording:
    """The wording from the office template, with a draft's edits laid over it.

    Edited text goes through the same sandboxed renderer, so `{回复期限}` in an edit is
    filled in and an unknown name is refused like in a template."""
    parts = build_letter_parts(kind, values, template_dir)
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
    out.append(model.attachment_label)
    out.append(" | ".join(model.item_headers))
    for i, item in enumerate(model.items, start=1):
        out.append(" | ".join(item_row(i, item)))
    if model.cc:
        out += ["", f"抄送：{model.cc}"]
    return "\n".join(out) + "\n"
