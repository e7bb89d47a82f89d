"""The escalation ladder (GUIDE §4): which letter, if any, an assignment calls for on a date.

Rules, in order; thresholds come from ``LadderSettings`` (each office sets its own):

1. ``hold=True`` → no letter, reason "暂缓：…" (the office decided to wait; nothing else counts).
2. Done (已完成 / 逾期完成) → no letter, even if a manual push is set.
3. Automatic rung:

   - **督办函** — 逾期 and ``days >= supervision_days`` (default 30); or 逾期 and an earlier,
     non-voided 提醒函 for the current deadline (see "current" below) whose ``reply_due`` is
     before ``as_of`` and which had no reply on or before ``as_of``.
   - **提醒函** — 逾期 by at least 1 day, otherwise.
   - **提示函** — not overdue, ``0 <= days left <= reminder_days`` (default 7), and no progress
     in the last ``no_progress_days`` (default 30) days: progress counts as recent when
     ``as_of - last_progress < no_progress_days``, so progress exactly 30 days ago is not
     recent; no progress ever is not recent; progress dated after ``as_of`` is ignored.
   - nothing otherwise (正常 beyond the reminder window, 无固定期限).

4. ``manual`` (a serious item pushed up by hand) raises the rung to at least ``manual``.
5. **No repeats.** A proposed rung R is withdrawn (no letter, with a reason saying which letter
   covers it) when a *covering* letter exists: not voided, issued on or before ``as_of``, of
   rung R or higher, for the current deadline, and whose reply is not late — it was answered on
   or before ``as_of``, has no reply deadline, or its reply deadline is on or after ``as_of``.
   So a letter is proposed once per deadline and rung; once its reply is late the ladder moves
   up (an unanswered 提醒函 → 督办函), and an unanswered 督办函 is proposed again.

   *Current deadline*: for an overdue item, a letter counts when issued on or after the deadline
   that makes it overdue (``StatusResult.due``); for an item not yet overdue, when issued on or
   after ``due - max(soon_days, reminder_days)``. Letters from before an extension or for an
   earlier recurring occurrence therefore do not block a new one. Items without a deadline
   count every letter.

A reply is due ``reply_workdays`` (default 5) working days after the letter is issued, counted
on China's official calendar: ``reply_due(issued_on, calendar)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import IntEnum

from tui.domain.calendar import WorkCalendar
from tui.domain.status import Status, StatusResult

__all__ = [
    "RUNG_LABEL",
    "RUNG_LETTER_KIND",
    "LadderSettings",
    "LetterFact",
    "Rung",
    "RungDecision",
    "ladder_rung",
    "reply_due",
]


class Rung(IntEnum):
    NONE = 0
    REMINDER = 1  # 提示函: before the deadline
    WARNING = 2  # 提醒函 (催办): the deadline has passed
    SUPERVISION = 3  # 督办函: overdue long, or a warning ignored; to the unit head


RUNG_LABEL: dict[Rung, str] = {
    Rung.NONE: "无需发函",
    Rung.REMINDER: "提示函",
    Rung.WARNING: "提醒函",
    Rung.SUPERVISION: "督办函",
}

RUNG_LETTER_KIND: dict[Rung, str] = {
    Rung.REMINDER: "提示",
    Rung.WARNING: "提醒",
    Rung.SUPERVISION: "督办",
}


@dataclass(frozen=True)
class LadderSettings:
    """The office's thresholds, in days (reply deadline in working days)."""

    reminder_days: int = 7
    no_progress_days: int = 30
    supervision_days: int = 30
    reply_workdays: int = 5
    soon_days: int = 15


@dataclass(frozen=True)
class LetterFact:
    """What the ladder needs to know about one letter already issued for this assignment."""

    rung: Rung
    issued_on: date
    reply_due: date | None
    replied_on: date | None
    voided: bool = False


@dataclass(frozen=True)
class RungDecision:
    """The rung the item calls for today, and why, in Chinese for the triage screen."""

    rung: Rung
    reason: str


_DEFAULT_SETTINGS = LadderSettings()


def reply_due(
    issued_on: date, calendar: WorkCalendar, settings: LadderSettings = _DEFAULT_SETTINGS
) -> date:
    """The reply deadline printed on a letter: ``reply_workdays`` working days after issue."""
    return calendar.add_workdays(issued_on, settings.reply_workdays)


def _replied_by(letter: LetterFact, as_of: date) -> bool:
    return letter.replied_on is not None and letter.replied_on <= as_of


def _reply_late(letter: LetterFact, as_of: date) -> bool:
    return (
        letter.reply_due is not None and letter.reply_due < as_of and not _replied_by(letter, as_of)
    )


def _auto(
    status: StatusResult,
    as_of: date,
    last_progress: date | None,
    letters: Sequence[LetterFact],
    settings: LadderSettings,
) -> RungDecision:
    st = status.status
    days = status.days
    if st is Status.OVERDUE and days is not None and status.due is not None:
        if days >= settings.supervision_days:
            return RungDecision(
                Rung.SUPERVISION, f"逾期 {days} 天（≥{settings.supervision_days} 天）"
            )
        late = [
            lt.reply_due
            for lt in letters
            if lt.rung == Rung.WARNING
            and not lt.voided
            and status.due <= lt.issued_on <= as_of
            and _reply_late(lt, as_of)
        ]
        if late:
            first = min(d for d in late if d is not None)
            return RungDecision(
                Rung.SUPERVISION, f"提醒函回复期限 {first.isoformat()} 已过，未回复"
            )
        return RungDecision(Rung.WARNING, f"逾期 {days} 天（≥1 天）")
    if st is Status.NO_DEADLINE or days is None:
        return RungDecision(Rung.NONE, "无固定期限，不自动发函")
    if 0 <= days <= settings.reminder_days:
        when = "今天到期" if days == 0 else f"距期限 {days} 天"
        window = f"（≤{settings.reminder_days} 天）"
        if last_progress is not None and last_progress <= as_of:
            since = (as_of - last_progress).days
            if since < settings.no_progress_days:
                return RungDecision(
                    Rung.NONE,
                    f"{when}{window}，但近 {settings.no_progress_days} 天内有进展"
                    f"（{last_progress.isoformat()}）",
                )
            return RungDecision(Rung.REMINDER, f"{when}{window}，已 {since} 天无进展")
        return RungDecision(Rung.REMINDER, f"{when}{window}，尚无进展记录")
    return RungDecision(
        Rung.NONE, f"距期限 {days} 天，未进入提示期（≤{settings.reminder_days} 天）"
    )


def ladder_rung(
    status: StatusResult,
    as_of: date,
    *,
    last_progress: date | None,
    letters: Sequence[LetterFact] = (),
    settings: LadderSettings = _DEFAULT_SETTINGS,
    manual: Rung | None = None,
    hold: bool = False,
) -> RungDecision:
    """The letter this assignment calls for on ``as_of``; every rule is in the module docstring."""
    if hold:
        return RungDecision(Rung.NONE, "暂缓：已标记暂缓督办，本期不发函")
    if status.status in (Status.DONE, Status.DONE_LATE):
        return RungDecision(Rung.NONE, f"{status.status.value}，无需发函")

    decision = _auto(status, as_of, last_progress, letters, settings)
    if manual is not None and manual > decision.rung:
        decision = RungDecision(
            Rung(manual), f"人工提级为{RUNG_LABEL[Rung(manual)]}（自动判断：{decision.reason}）"
        )
    if decision.rung == Rung.NONE:
        return decision

    if status.due is None:
        cutoff = None
    elif status.status is Status.OVERDUE:
        cutoff = status.due
    else:
        cutoff = status.due - timedelta(days=max(settings.soon_days, settings.reminder_days))
    late_letter: LetterFact | None = None
    for lt in letters:
        if lt.voided or lt.rung < decision.rung or lt.issued_on > as_of:
            continue
        if cutoff is not None and lt.issued_on < cutoff:
            continue
        label = RUNG_LABEL[Rung(lt.rung)]
        replied, reply_by = lt.replied_on, lt.reply_due
        if replied is not None and replied <= as_of:
            return RungDecision(
                Rung.NONE,
                f"已于 {lt.issued_on.isoformat()} 发出{label}，{replied.isoformat()} 已回复，不重复发函",
            )
        if reply_by is None or reply_by >= as_of:
            due_text = f"回复期限 {reply_by.isoformat()} 未到" if reply_by else "未设回复期限"
            return RungDecision(
                Rung.NONE,
                f"已于 {lt.issued_on.isoformat()} 发出{label}（{due_text}），不重复发函",
            )
        late_letter = lt
    if late_letter is not None and late_letter.rung == decision.rung and late_letter.reply_due:
        label = RUNG_LABEL[Rung(late_letter.rung)]
        return RungDecision(
            decision.rung,
            f"{decision.reason}；已发{label}回复期限 "
            f"{late_letter.reply_due.isoformat()} 已过，未回复，再次发函",
        )
    return decision
