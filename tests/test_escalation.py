"""The escalation ladder: each rule and each threshold boundary."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tui.domain.calendar import WorkCalendar
from tui.domain.escalation import (
    RUNG_LABEL,
    RUNG_LETTER_KIND,
    LadderSettings,
    LetterFact,
    Rung,
    RungDecision,
    ladder_rung,
    reply_due,
)
from tui.domain.status import Status, StatusResult, assignment_status

AS_OF = date(2024, 3, 15)


def due_in(days: int) -> StatusResult:
    """Status of a one-off item due ``days`` after AS_OF (negative = overdue)."""
    return assignment_status([AS_OF + timedelta(days=days)], AS_OF)


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


def warning(
    issued: date, reply: date | None, replied: date | None = None, **kw: bool
) -> LetterFact:
    return LetterFact(Rung.WARNING, issued, reply, replied, **kw)


CASES = [
    # (id, status, last_progress, letters, kwargs, expected rung, reason fragment)
    (
        "6 days left, no progress",
        due_in(6),
        None,
        (),
        {},
        Rung.REMINDER,
        "距期限 6 天（≤7 天），尚无进展记录",
    ),
    ("7 days left, stale progress", due_in(7), ago(40), (), {}, Rung.REMINDER, "已 40 天无进展"),
    ("8 days left", due_in(8), None, (), {}, Rung.NONE, "未进入提示期"),
    ("due today", due_in(0), None, (), {}, Rung.REMINDER, "今天到期"),
    (
        "progress 29 days ago",
        due_in(5),
        ago(29),
        (),
        {},
        Rung.NONE,
        "近 30 天内有进展（2024-02-15）",
    ),
    ("progress 30 days ago", due_in(5), ago(30), (), {}, Rung.REMINDER, "已 30 天无进展"),
    (
        "progress after as_of ignored",
        due_in(5),
        AS_OF + timedelta(days=1),
        (),
        {},
        Rung.REMINDER,
        "尚无进展",
    ),
    ("1 day overdue", due_in(-1), None, (), {}, Rung.WARNING, "逾期 1 天（≥1 天）"),
    ("29 days overdue", due_in(-29), AS_OF, (), {}, Rung.WARNING, "逾期 29 天"),
    ("30 days overdue", due_in(-30), AS_OF, (), {}, Rung.SUPERVISION, "逾期 30 天（≥30 天）"),
    ("31 days overdue", due_in(-31), None, (), {}, Rung.SUPERVISION, "逾期 31 天（≥30 天）"),
    (
        "warning reply late",
        due_in(-12),
        None,
        (warning(ago(10), ago(3)),),
        {},
        Rung.SUPERVISION,
        "提醒函回复期限 2024-03-12 已过，未回复",
    ),
    (
        "warning reply due today is not late",
        due_in(-12),
        None,
        (warning(ago(10), AS_OF),),
        {},
        Rung.NONE,
        "已于 2024-03-05 发出提醒函（回复期限 2024-03-15 未到），不重复发函",
    ),
    (
        "warning answered",
        due_in(-12),
        None,
        (warning(ago(10), ago(3), ago(4)),),
        {},
        Rung.NONE,
        "2024-03-11 已回复，不重复发函",
    ),
    (
        "reply recorded after as_of counts as none yet",
        due_in(-12),
        None,
        (warning(ago(10), ago(3), AS_OF + timedelta(days=2)),),
        {},
        Rung.SUPERVISION,
        "未回复",
    ),
    (
        "voided warning ignored",
        due_in(-12),
        None,
        (warning(ago(10), ago(3), voided=True),),
        {},
        Rung.WARNING,
        "逾期 12 天",
    ),
    (
        "warning before an extension is stale",
        due_in(-2),
        None,
        (warning(ago(10), ago(3)),),
        {},
        Rung.WARNING,
        "逾期 2 天",
    ),
    (
        "supervision sent, reply pending",
        due_in(-40),
        None,
        (LetterFact(Rung.SUPERVISION, ago(5), AS_OF + timedelta(days=2), None),),
        {},
        Rung.NONE,
        "发出督办函",
    ),
    (
        "supervision reply late: again",
        due_in(-40),
        None,
        (LetterFact(Rung.SUPERVISION, ago(9), ago(2), None),),
        {},
        Rung.SUPERVISION,
        "逾期 40 天（≥30 天）；已发督办函回复期限 2024-03-13 已过，未回复，再次发函",
    ),
    (
        "higher letter covers lower rung",
        due_in(-3),
        None,
        (LetterFact(Rung.SUPERVISION, ago(1), None, None),),
        {},
        Rung.NONE,
        "督办函（未设回复期限）",
    ),
    (
        "reminder already sent this cycle",
        due_in(4),
        None,
        (LetterFact(Rung.REMINDER, ago(2), AS_OF + timedelta(days=5), None),),
        {},
        Rung.NONE,
        "发出提示函",
    ),
    (
        "reminder for an earlier deadline",
        due_in(4),
        None,
        (LetterFact(Rung.REMINDER, ago(30), ago(23), None),),
        {},
        Rung.REMINDER,
        "尚无进展",
    ),
    (
        "letter issued after as_of ignored",
        due_in(-3),
        None,
        (warning(AS_OF + timedelta(days=1), None),),
        {},
        Rung.WARNING,
        "逾期 3 天",
    ),
    (
        "manual push",
        due_in(20),
        None,
        (),
        {"manual": Rung.SUPERVISION},
        Rung.SUPERVISION,
        "人工提级为督办函（自动判断：距期限 20 天",
    ),
    (
        "manual lower than auto",
        due_in(-40),
        None,
        (),
        {"manual": Rung.REMINDER},
        Rung.SUPERVISION,
        "逾期 40 天",
    ),
    (
        "manual on no deadline",
        assignment_status([], AS_OF),
        None,
        (),
        {"manual": Rung.WARNING},
        Rung.WARNING,
        "人工提级为提醒函",
    ),
    (
        "hold",
        due_in(-60),
        None,
        (),
        {"hold": True, "manual": Rung.SUPERVISION},
        Rung.NONE,
        "暂缓：",
    ),
    (
        "done",
        assignment_status([ago(5)], AS_OF, completed_on=ago(6)),
        None,
        (),
        {"manual": Rung.SUPERVISION},
        Rung.NONE,
        "已完成，无需发函",
    ),
    (
        "done late",
        assignment_status([ago(50)], AS_OF, completed_on=ago(6)),
        None,
        (),
        {},
        Rung.NONE,
        "逾期完成，无需发函",
    ),
    ("no deadline", assignment_status([], AS_OF), None, (), {}, Rung.NONE, "无固定期限"),
    ("on track", due_in(60), None, (), {}, Rung.NONE, "距期限 60 天"),
]


@pytest.mark.parametrize(
    ("status", "last_progress", "letters", "kwargs", "rung", "fragment"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_ladder_table(
    status: StatusResult,
    last_progress: date | None,
    letters: tuple[LetterFact, ...],
    kwargs: dict,
    rung: Rung,
    fragment: str,
) -> None:
    decision = ladder_rung(status, AS_OF, last_progress=last_progress, letters=letters, **kwargs)
    assert isinstance(decision, RungDecision)
    assert decision.rung == rung
    assert fragment in decision.reason


def test_thresholds_come_from_settings() -> None:
    s = LadderSettings(reminder_days=3, no_progress_days=10, supervision_days=15)
    assert ladder_rung(due_in(4), AS_OF, last_progress=None, settings=s).rung == Rung.NONE
    assert ladder_rung(due_in(3), AS_OF, last_progress=ago(10), settings=s).rung == Rung.REMINDER
    assert ladder_rung(due_in(3), AS_OF, last_progress=ago(9), settings=s).rung == Rung.NONE
    assert ladder_rung(due_in(-14), AS_OF, last_progress=None, settings=s).rung == Rung.WARNING
    d = ladder_rung(due_in(-15), AS_OF, last_progress=None, settings=s)
    assert d == RungDecision(Rung.SUPERVISION, "逾期 15 天（≥15 天）")


def test_recurring_missed_occurrence_escalates_from_that_occurrence() -> None:
    status = assignment_status(
        [date(2024, 1, 31), date(2024, 4, 30)], AS_OF, recurring=True, progress_dates=()
    )
    assert status.status is Status.OVERDUE and status.days == 44
    assert ladder_rung(status, AS_OF, last_progress=None).rung == Rung.SUPERVISION


def test_labels_and_reply_due() -> None:
    assert RUNG_LABEL[Rung.REMINDER] == "提示函"
    assert RUNG_LABEL[Rung.WARNING] == "提醒函"
    assert RUNG_LABEL[Rung.SUPERVISION] == "督办函"
    assert RUNG_LETTER_KIND == {
        Rung.REMINDER: "提示",
        Rung.WARNING: "提醒",
        Rung.SUPERVISION: "督办",
    }
    assert Rung.SUPERVISION > Rung.WARNING > Rung.REMINDER > Rung.NONE
    # Issued Friday 2024-09-27: 5 working days over National Day lands on 10-10.
    assert reply_due(date(2024, 9, 27), WorkCalendar()) == date(2024, 10, 10)
    assert reply_due(date(2024, 9, 27), WorkCalendar(), LadderSettings(reply_workdays=1)) == date(
        2024, 9, 29
    )
