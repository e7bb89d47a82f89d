"""The layout model of one letter: everything both writers need, already decided.

Why a separate model: the register, numbering and wording are settled before layout,
so the .docx and .pdf writers only place text and never make decisions of their own —
which is what keeps the two outputs identical in content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

KINDS: tuple[str, ...] = ("提示", "提醒", "督办")

DEFAULT_ITEM_HEADERS: tuple[str, ...] = (
    "序号",
    "任务编号",
    "任务",
    "完成时限",
    "逾期/剩余",
    "最近进展",
    "此前函件",
)


@dataclass(frozen=True)
class LetterItem:
    """One row of the attached item list (附件：事项清单)."""

    number: str  # task number as the plan gives it, e.g. "（12）" or "3-2-1"
    title: str
    deadline: str  # as written for the reader, e.g. "2024年6月30日前"
    days: str  # e.g. "逾期45天" / "剩余5天"
    last_progress: str = ""
    earlier_letters: str = ""  # e.g. "东依法治办醒〔2024〕3号"


@dataclass(frozen=True)
class LetterModel:
    """A fully prepared letter; the writers render it as is."""

    kind: str  # 提示 / 提醒 / 督办
    issuer_mark: str  # 发文机关标志, e.g. "鄂尔多斯市东胜区委全面依法治区委员会办公室"
    number: str | None  # 发文字号 "东依法治办督〔2024〕7号"; None = draft, print "（草稿）"
    title: str
    addressee: str  # 主送, without the trailing colon (the writers add "：")
    body_paragraphs: tuple[str, ...]
    items: tuple[LetterItem, ...]
    closing: str  # "特此函告。"
    contact: str  # "联系人：… 联系电话：…"
    signature: str  # 发文机关署名
    date: date  # 成文日期
    cc: str = ""  # 抄送, without the "抄送：" prefix
    item_headers: tuple[str, ...] = field(default=DEFAULT_ITEM_HEADERS)
    attachment_label: str = "附件：事项清单"

    @property
    def number_text(self) -> str:
        """What is printed where the 发文字号 goes."""
        return self.number if self.number else "（草稿）"

    @property
    def addressee_line(self) -> str:
        """主送 line ending with a full-width colon, as GB/T 9704 asks."""
        text = self.addressee.rstrip("：:")
        return f"{text}：" if text else ""

    @property
    def date_text(self) -> str:
        return format_cn_date(self.date)


def item_row(index: int, item: LetterItem) -> tuple[str, ...]:
    """The cells of one table row, in DEFAULT_ITEM_HEADERS order."""
    return (
        str(index),
        item.number,
        item.title,
        item.deadline,
        item.days,
        item.last_progress,
        item.earlier_letters,
    )


def letter_texts(model: LetterModel) -> tuple[str, str]:
    """(body text, title text): every string the writers print in the body font and
    in the title font — what a batch font subset must cover."""
    body = [
        model.number_text,
        model.addressee_line,
        *model.body_paragraphs,
        model.closing,
        model.contact,
        model.attachment_label,
        model.signature,
        model.date_text,
        model.cc,
    ]
    for i, item in enumerate(model.items, start=1):
        body.extend(item_row(i, item))
    title = [model.issuer_mark, model.title, model.attachment_label, *model.item_headers]
    return "".join(body), "".join(title)


def em_width(text: str) -> float:
    """Width in ems: CJK and full-width 1, ASCII ½ (good enough to plan line breaks)."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


_TITLE_BREAK_AFTER = ("年度", "的", "关于", "、", "，", "和", "及", "与")


def title_lines(title: str, max_em: float) -> tuple[str, ...]:
    """Split a title over lines the way GB/T 9704 asks: whole words, balanced lines.

    Without a dictionary we break after words that end a phrase in official titles
    (年度, 的, 关于, punctuation) when that keeps the lines balanced."""
    if em_width(title) <= max_em:
        return (title,)
    total = em_width(title)
    if total <= 2 * max_em:
        best: tuple[float, int] | None = None
        for p in range(2, len(title) - 1):
            head, tail = title[:p], title[p:]
            if not head.endswith(_TITLE_BREAK_AFTER):
                continue
            if em_width(head) > max_em or em_width(tail) > max_em:
                continue
            if head[-1].isdigit() and tail[0].isdigit():
                continue
            diff = abs(em_width(head) - em_width(tail))
            if diff <= 6 and (best is None or diff < best[0]):
                best = (diff, p)
        if best is not None:
            return (title[: best[1]], title[best[1] :])
    # no good word break: even character split, never inside a number
    n = int(-(-total // max_em))
    lines: list[str] = []
    rest = title
    for k in range(n, 1, -1):
        target = em_width(rest) / k
        p, w = 0, 0.0
        while p < len(rest) and w + em_width(rest[p]) <= target + 0.5:
            w += em_width(rest[p])
            p += 1
        while (
            0 < p < len(rest) and rest[p - 1].isascii() and rest[p].isascii() and rest[p].isalnum()
        ):
            p -= 1
        lines.append(rest[:p])
        rest = rest[p:]
    lines.append(rest)
    return tuple(x for x in lines if x)


def format_cn_date(d: date) -> str:
    """成文日期 in Arabic numerals with no leading zeros: 2024年3月5日."""
    return f"{d.year}年{d.month}月{d.day}日"
