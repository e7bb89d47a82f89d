"""What the store says about one letter's unit and items, as the words a letter may use.

Every sentence of a letter that states history must be backed by a fact here (GUIDE §8):
earlier letters to this unit about these items (kind, number, date), whether a reply came,
the latest progress. Templates test these facts with named conditions (`CONDITIONS`) and
print them with placeholders (`HISTORY_PLACEHOLDERS`); the store gathers them
(`tui.store.letters`), this module only turns them into words. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tui.letters.model import format_cn_date

KIND_VERB: Mapping[str, str] = {"提示": "提示", "提醒": "提醒", "督办": "督办"}
KIND_NAME: Mapping[str, str] = {"提示": "提示函", "提醒": "提醒函", "督办": "督办函"}


@dataclass(frozen=True)
class EarlierLetter:
    """A signed, not voided letter sent before this one to the same unit about at least one
    of the same items."""

    kind: str  # 提示 / 提醒 / 督办
    number: str
    issued_on: date
    reply_due: date | None
    replied_on: date | None  # the first reply on or before the new letter's date


@dataclass(frozen=True)
class LetterFacts:
    letter_date: date
    earlier: tuple[EarlierLetter, ...] = ()  # oldest first
    items: int = 0
    items_with_progress: int = 0  # progress on or before the letter date
    items_recent_progress: int = 0  # … within the office's no-progress window
    max_overdue: int | None = None  # days, as of the letter date
    period: tuple[int, int] | None = None  # the plans' years, for the title
    has_head: bool = False
    has_contact: bool = False
    has_cc: bool = False

    @property
    def replied(self) -> tuple[EarlierLetter, ...]:
        return tuple(e for e in self.earlier if e.replied_on is not None)

    @property
    def unanswered(self) -> tuple[EarlierLetter, ...]:
        return tuple(e for e in self.earlier if e.replied_on is None)


# Conditions a template may test: 【如果 名称】 … 【否则】 … 【结束】
CONDITIONS: Mapping[str, str] = {
    "有此前函件": "此前已就本函所列事项向该单位发出过函件（未作废）",
    "无此前函件": "此前没有就这些事项向该单位发过函",
    "此前函件均未回复": "此前发出的函件都没有收到回复",
    "此前函件有回复": "此前发出的函件中至少一件收到了回复",
    "此前函件回复逾期": "此前至少一件函件已过回复期限仍未回复",
    "有进展": "所列事项中至少一项报过进展",
    "均无进展": "所列事项都没有报过进展",
    "近期均无进展": "所列事项在设置的无进展天数内都没有报过进展",
    "有负责人": "单位登记了负责人",
    "有联系人": "设置中有联系人或联系电话",
    "有抄送": "有抄送单位",
}

# The conditions that make a history sentence true; a template line that states history
# must sit inside one of these (see templates.history_warnings).
HISTORY_CONDITIONS = frozenset(
    {"有此前函件", "此前函件均未回复", "此前函件有回复", "此前函件回复逾期"}
)
PROGRESS_CONDITIONS = frozenset({"均无进展", "近期均无进展"})

HISTORY_PLACEHOLDERS: Mapping[str, str] = {
    "此前函件": "此前各件函件，如“2024年9月3日以依法治办醒〔2024〕2号函提醒”，多件以顿号分隔",
    "最近函件": "最近一件此前函件，写法同上",
    "最近函件文号": "最近一件此前函件的发文字号",
    "最近函件日期": "最近一件此前函件的发函日期",
    "未回复函件": "此前未收到回复的各件函件，写法同 {此前函件}",
    "最近回复日期": "此前函件中最近一次回复的日期",
}


def letter_phrase(e: EarlierLetter) -> str:
    """ "2024年9月3日以依法治办醒〔2024〕2号函提醒"."""
    return f"{format_cn_date(e.issued_on)}以{e.number}函{KIND_VERB.get(e.kind, e.kind)}"


def period_text(period: tuple[int, int] | None, fallback_year: int) -> str:
    """The plan's year as a title says it: "2024年度", or a period "2020—2025年"."""
    if period is None:
        return f"{fallback_year}年度"
    a, b = period
    return f"{a}年度" if a == b else f"{a}—{b}年"


def conditions(f: LetterFacts) -> dict[str, bool]:
    return {
        "有此前函件": bool(f.earlier),
        "无此前函件": not f.earlier,
        "此前函件均未回复": bool(f.earlier) and not f.replied,
        "此前函件有回复": bool(f.replied),
        "此前函件回复逾期": any(
            e.reply_due is not None and e.reply_due < f.letter_date for e in f.unanswered
        ),
        "有进展": f.items_with_progress > 0,
        "均无进展": f.items > 0 and f.items_with_progress == 0,
        "近期均无进展": f.items > 0 and f.items_recent_progress == 0,
        "有负责人": f.has_head,
        "有联系人": f.has_contact,
        "有抄送": f.has_cc,
    }


def history_values(f: LetterFacts) -> dict[str, str]:
    """Placeholder values from the facts; empty where there is nothing to say (a template
    prints them only inside the matching condition — the loader warns otherwise)."""
    last = f.earlier[-1] if f.earlier else None
    replies = [e.replied_on for e in f.earlier if e.replied_on is not None]
    return {
        "此前函件": "、".join(letter_phrase(e) for e in f.earlier),
        "最近函件": letter_phrase(last) if last else "",
        "最近函件文号": last.number if last else "",
        "最近函件日期": format_cn_date(last.issued_on) if last else "",
        "未回复函件": "、".join(letter_phrase(e) for e in f.unanswered),
        "最近回复日期": format_cn_date(max(replies)) if replies else "",
        "最长逾期天数": str(f.max_overdue)
        if f.max_overdue is not None and f.max_overdue > 0
        else "",
        "计划年度": period_text(f.period, f.letter_date.year),
        "年度": str(f.period[0] if f.period else f.letter_date.year),
    }


def missed_occurrences(
    occurrences: Sequence[date], as_of: date, progress_dates: Sequence[date]
) -> tuple[date, ...]:
    """Occurrences of a recurring deadline that passed without a report, as of a date.

    The matching rule of tui.domain.status (a report satisfies the earliest unsatisfied
    occurrence whose previous occurrence is before the report), so the letter lists
    exactly the occurrences that make the item overdue."""
    occ = sorted(occurrences)
    k = 0
    for p in sorted(d for d in progress_dates if d <= as_of):
        if k >= len(occ):
            break
        if k == 0 or occ[k - 1] < p:
            k += 1
    return tuple(o for o in occ[k:] if o < as_of)
