"""Deadlines typed by staff are refused when impossible, empty or unbounded."""

from __future__ import annotations

import pytest

from tui.domain.deadlines import parse_deadline_override
from tui.domain.plan_context import PlanContext
from tui.errors import DubanError

CTX = PlanContext(2024, 2025, "test")


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("RRULE:FREQ=SECONDLY", "按日"),
        ("FREQ=HOURLY", "按日"),
        ("FREQ=MINUTELY;COUNT=5", "按日"),
        ("RRULE:FREQ=MONTHLY;COUNT=0", "没有任何日期"),
        ("RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "没有任何日期"),
        ("每年13月45日前", "无法识别"),
        ("2024年2月30日", "不存在"),
        ("9999-12-31", "1900"),
        ("1850-01-01", "1900"),
    ],
)
def test_refused(value, words):
    with pytest.raises(DubanError) as exc:
        parse_deadline_override(value, CTX)
    assert words in exc.value.message


def test_daily_and_coarser_rules_are_accepted_and_bounded():
    d = parse_deadline_override("FREQ=DAILY", CTX)
    assert d.kind == "recurring" and d.due is not None
    d = parse_deadline_override("每年1月8日前", CTX)
    assert d.kind == "recurring"
    d = parse_deadline_override("2025-06-30", CTX)
    assert d.due.isoformat() == "2025-06-30"
