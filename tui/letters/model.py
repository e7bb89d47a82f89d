"""The layout model of one letter: everything both writers need, already decided.

Why a separate model: the register, numbering and wording are settled before layout,
so the .docx and .pdf writers only place text and never make decisions of their own —
which is what keeps the two outputs identical in content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

KINDS: tuple[str, ...] = ("提示", "提醒", "督办")
ROLE_LABEL = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}


@dataclass(frozen=True)
class LetterItem:
    """One row of the attached item list (附件：事项清单): one task, whatever roles the unit
    has in it (a unit that leads and is responsible for a task gets one row)."""

    number: str  # task number as the plan gives it, e.g. "（12）" or "3-2-1"
    title: str  # the task's full text, never shortened
    deadline: str  # the deadline that counts, e.g. "2024年6月30日"; "无固定期限"
    days: str  # e.g. "逾期45天" / "剩余5天" (see `days_cell`)
    last_progress: str = ""  # "2024年9月3日：已起草初稿" or ""
    earlier_letters: str = ""  # e.g. "东依法治办醒〔2024〕3号"
    roles: tuple[str, ...] = ()  # 牵头 / 责任 / 配合
    missed: tuple[str, ...] = ()  # recurring task: occurrences missed, as printed dates
    overdue_days: int | None = None  # > 0 overdue, <= 0 days left, None no deadline


@dataclass(frozen=True)
class LetterModel:
    """A fully prepared letter; the writers render it as is."""

    kind: str  # 提示 / 提醒 / 督办
    issuer_mark: str  # 发文机关标志, e.g. "中共鄂尔多斯市东胜区委全面依法治区委员会办公室"
    number: str | None  # 发文字号 "东依法治办督〔2024〕7号"; None = draft, print "（草稿）"
    title: str
    addressee: str  # 主送, without the trailing colon (the writers add "：")
    body_paragraphs: tuple[str, ...]
    items: tuple[LetterItem, ...]
    closing: str  # "特此函告。"
    contact: str  # "联系人：… 联系电话：…"
    signature: str  # 发文机关署名
    date: date  # 成文日期: the signing date once signed, the as-of date for a draft
    cc: str = ""  # 抄送, without the "抄送：" prefix
    attachment_label: str = "附件：事项清单"
    as_of: date | None = None  # the date the draft's facts were read on

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

    @property
    def cc_line(self) -> str:
        """版记: "抄送：A，B。" — GB/T 9704 §7.4.2 ends the list with a full stop."""
        text = self.cc.strip().rstrip("。.；;，,")
        return f"抄送：{text}。" if text else ""

    @property
    def attachment_title(self) -> str:
        return self.attachment_label.split("：", 1)[-1] or "事项清单"


# --------------------------------------------------------------------------- the item table


@dataclass(frozen=True)
class Column:
    key: str
    header: tuple[str, ...]  # header lines (a header breaks only where written)
    nowrap: bool  # content never wraps (numbers, dates, days)
    align: str  # left / center


def days_mode(items: tuple[LetterItem, ...]) -> str:
    """overdue (all past due), left (none past due), mixed."""
    known = [it.overdue_days for it in items if it.overdue_days is not None]
    if known and all(d > 0 for d in known):
        return "overdue"
    if known and all(d <= 0 for d in known):
        return "left"
    return "mixed"


def days_cell(item: LetterItem, mode: str) -> str:
    d = item.overdue_days
    if d is None:
        return "—"
    if mode == "overdue":
        return f"{d}天"
    if mode == "left":
        return "今天到期" if d == 0 else f"{-d}天"
    return item.days


def table_columns(items: tuple[LetterItem, ...]) -> tuple[Column, ...]:
    """The attachment's columns: 职责 when a row merges roles or the roles differ (a list
    where every row is 责任 says nothing), 此前函件 only when some item has one."""
    mode = days_mode(items)
    days_header = {"overdue": ("逾期", "天数"), "left": ("剩余", "天数")}.get(mode, ("距期限",))
    cols = [
        Column("seq", ("序号",), True, "center"),
        Column("number", ("编号",), True, "center"),
        Column("task", ("工作任务",), False, "left"),
    ]
    roles = {it.roles for it in items}
    if len(roles) > 1 or any(len(r) > 1 for r in roles):
        cols.append(Column("roles", ("职责",), True, "center"))
    cols += [
        Column("deadline", ("完成时限",), True, "center"),
        Column("days", days_header, True, "center"),
        Column("progress", ("最近", "进展"), False, "left"),
    ]
    if any(it.earlier_letters for it in items):
        cols.append(Column("earlier", ("此前", "函件"), False, "left"))
    return tuple(cols)


def item_cells(
    index: int, item: LetterItem, columns: tuple[Column, ...], mode: str
) -> tuple[str, ...]:
    """The cells of one row, in `columns` order; "\\n" separates lines the writer keeps."""
    task = item.title
    if item.missed:
        task += "\n未完成的期次：" + "、".join(item.missed)
    values = {
        "seq": str(index),
        "number": item.number,
        "task": task,
        "roles": "\n".join(item.roles) if item.roles else "—",
        "deadline": item.deadline,
        "days": days_cell(item, mode),
        "progress": item.last_progress or "暂无",
        "earlier": item.earlier_letters or "—",
    }
    return tuple(values[c.key] for c in columns)


def letter_texts(model: LetterModel) -> tuple[str, str]:
    """(body text, title text): every string the writers print in the body font and
    in the title font — what a batch's fonts must cover."""
    cols = table_columns(model.items)
    mode = days_mode(model.items)
    body = [
        model.number_text,
        model.addressee_line,
        *model.body_paragraphs,
        model.closing,
        model.contact,
        model.attachment_label,
        model.signature,
        model.date_text,
        model.cc_line,
    ]
    for i, item in enumerate(model.items, start=1):
        body.extend(item_cells(i, item, cols, mode))
    title = [model.issuer_mark, model.title, model.attachment_title, "附件"]
    title.extend("".join(c.header) for c in cols)
    return "".join(body), "".join(title)


def em_width(text: str) -> float:
    """Width in ems: CJK and full-width 1, ASCII ½ (good enough to plan line breaks)."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


_TITLE_BREAK_AFTER = ("年度", "年", "的", "关于", "、", "，", "和", "及", "与")


def title_lines(
    title: str, max_em: float, width: Callable[[str], float] = em_width
) -> tuple[str, ...]:
    """Split a title over lines the way GB/T 9704 asks: whole words, balanced lines.

    Without a dictionary we break after words that end a phrase in official titles
    (年度, 的, 关于, punctuation) when that keeps the lines balanced."""
    em_width = width  # noqa: N806 - the measure the caller chose
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
            if tail[0] in "年度的":
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
        p = 0
        while p < len(rest) and em_width(rest[: p + 1]) <= min(target + 0.5, max_em):
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
