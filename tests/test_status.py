"""Status lights of GUIDE §4, one-off and recurring."""

from __future__ import annotations

from datetime import date

import pytest

from tui.domain.status import (
    STATUS_STYLE,
    STATUS_SYMBOL,
    Status,
    StatusResult,
    assignment_status,
)

D = date
AS_OF = D(2024, 6, 15)


def test_enum_values_symbols_and_styles() -> None:
    assert [s.value for s in Status] == ["已完成", "逾期完成", "逾期", "临期", "正常", "无固定期限"]
    assert set(STATUS_SYMBOL) == set(Status) == set(STATUS_STYLE)
    assert len(set(STATUS_SYMBOL.values())) == len(Status)  # tell apart without colour
    assert STATUS_SYMBOL[Status.OVERDUE] == "●红"
    assert "red" in STATUS_STYLE[Status.OVERDUE]


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (D(2024, 6, 14), StatusResult(Status.OVERDUE, D(2024, 6, 14), 1)),
        (D(2024, 4, 16), StatusResult(Status.OVERDUE, D(2024, 4, 16), 60)),
        (D(2024, 6, 15), StatusResult(Status.DUE_SOON, D(2024, 6, 15), 0)),
        (D(2024, 6, 30), StatusResult(Status.DUE_SOON, D(2024, 6, 30), 15)),
        (D(2024, 7, 1), StatusResult(Status.ON_TRACK, D(2024, 7, 1), 16)),
        (D(2024, 12, 31), StatusResult(Status.ON_TRACK, D(2024, 12, 31), 199)),
    ],
)
def test_one_off(due: date, expected: StatusResult) -> None:
    assert assignment_status([due], AS_OF) == expected


def test_soon_days_setting_and_latest_date_counts() -> None:
    assert assignment_status([D(2024, 6, 25)], AS_OF, soon_days=7).status is Status.ON_TRACK
    assert assignment_status([D(2024, 6, 22)], AS_OF, soon_days=7).status is Status.DUE_SOON
    # An extension's new date supersedes the original one.
    r = assignment_status([D(2024, 5, 31), D(2024, 9, 30)], AS_OF)
    assert r == StatusResult(Status.ON_TRACK, D(2024, 9, 30), 107)


def test_no_deadline() -> None:
    assert assignment_status([], AS_OF) == StatusResult(Status.NO_DEADLINE, None, None)
    assert assignment_status((), AS_OF, recurring=True).status is Status.NO_DEADLINE
    assert assignment_status([], AS_OF, completed_on=D(2024, 1, 1)) == StatusResult(
        Status.DONE, None, None
    )


def test_done_on_time_late_and_in_the_future() -> None:
    due = [D(2024, 5, 31)]
    assert assignment_status(due, AS_OF, completed_on=D(2024, 5, 20)) == StatusResult(
        Status.DONE, D(2024, 5, 31), 11
    )
    assert assignment_status(due, AS_OF, completed_on=D(2024, 5, 31)) == StatusResult(
        Status.DONE, D(2024, 5, 31), 0
    )
    assert assignment_status(due, AS_OF, completed_on=D(2024, 6, 10)) == StatusResult(
        Status.DONE_LATE, D(2024, 5, 31), 10
    )
    # Closed after as_of: on as_of it was still open (and overdue).
    assert assignment_status(due, AS_OF, completed_on=D(2024, 6, 20)) == StatusResult(
        Status.OVERDUE, D(2024, 5, 31), 15
    )
    # Done within an extension counts as on time.
    r = assignment_status([D(2024, 3, 31), D(2024, 6, 30)], AS_OF, completed_on=D(2024, 6, 1))
    assert r.status is Status.DONE


QUARTERS = [D(2024, 3, 31), D(2024, 6, 30), D(2024, 9, 30), D(2024, 12, 31)]


def rec(as_of: date, progress: list[date], **kw: object) -> StatusResult:
    return assignment_status(QUARTERS, as_of, progress_dates=progress, recurring=True, **kw)


def test_recurring_next_occurrence_counts() -> None:
    assert rec(D(2024, 3, 1), []) == StatusResult(Status.ON_TRACK, D(2024, 3, 31), 30)
    assert rec(D(2024, 3, 20), []) == StatusResult(Status.DUE_SOON, D(2024, 3, 31), 11)
    assert rec(D(2024, 3, 31), []) == StatusResult(Status.DUE_SOON, D(2024, 3, 31), 0)
    # Q1 reported on time: Q2 is next.
    assert rec(D(2024, 5, 1), [D(2024, 3, 25)]) == StatusResult(Status.ON_TRACK, D(2024, 6, 30), 60)


def test_recurring_missed_occurrence_stays_overdue_until_reported() -> None:
    # Q1 missed, nothing reported: overdue from Q1 even though Q2 is still ahead.
    assert rec(D(2024, 5, 1), []) == StatusResult(Status.OVERDUE, D(2024, 3, 31), 31)
    # Q1 and Q2 missed: days count from the earliest missed one.
    assert rec(D(2024, 7, 10), []) == StatusResult(Status.OVERDUE, D(2024, 3, 31), 101)
    # A late report for Q1 clears Q1 only; Q2 still missed.
    assert rec(D(2024, 7, 10), [D(2024, 4, 20)]) == StatusResult(Status.OVERDUE, D(2024, 6, 30), 10)
    # Two reports after both deadlines clear both (one each), then Q3 decides.
    assert rec(D(2024, 7, 10), [D(2024, 7, 2), D(2024, 7, 3)]) == StatusResult(
        Status.ON_TRACK, D(2024, 9, 30), 82
    )
    # A single report cannot satisfy two occurrences.
    assert rec(D(2024, 7, 10), [D(2024, 7, 2)]).due == D(2024, 6, 30)


def test_recurring_report_before_previous_occurrence_does_not_count_twice() -> None:
    # Two reports in Q1's window: the first pays for Q1; the second cannot pay for Q2,
    # because Q2's previous occurrence (03-31) is not before it.
    r = rec(D(2024, 7, 5), [D(2024, 3, 10), D(2024, 3, 20)])
    assert r == StatusResult(Status.OVERDUE, D(2024, 6, 30), 5)


def test_recurring_progress_after_as_of_and_unsorted_input() -> None:
    assert rec(D(2024, 5, 1), [D(2024, 5, 2)]).status is Status.OVERDUE
    shuffled = [QUARTERS[2], QUARTERS[0], QUARTERS[3], QUARTERS[1]]
    r = assignment_status(
        shuffled, D(2024, 7, 10), progress_dates=[D(2024, 7, 3), D(2024, 7, 2)], recurring=True
    )
    assert r == StatusResult(Status.ON_TRACK, D(2024, 9, 30), 82)


def test_recurring_all_satisfied_is_done() -> None:
    on_time = [D(2024, 3, 30), D(2024, 6, 29), D(2024, 9, 29), D(2024, 12, 30)]
    assert rec(D(2025, 1, 10), on_time) == StatusResult(Status.DONE, D(2024, 12, 31), None)
    late = [D(2024, 3, 30), D(2024, 7, 9), D(2024, 9, 29), D(2025, 1, 3)]
    assert rec(D(2025, 1, 10), late) == StatusResult(Status.DONE_LATE, D(2024, 6, 30), 9)
    # Past the last occurrence with one missing: still overdue.
    assert rec(D(2025, 1, 10), on_time[:3]) == StatusResult(Status.OVERDUE, D(2024, 12, 31), 10)
    # Closed by the office: compared with the last occurrence.
    assert rec(D(2025, 1, 10), [], completed_on=D(2025, 1, 5)) == StatusResult(
        Status.DONE_LATE, D(2024, 12, 31), 5
    )


def test_result_is_frozen() -> None:
    r = assignment_status([D(2024, 6, 30)], AS_OF)
    with pytest.raises(AttributeError):
        r.days = 3  # type: ignore[misc]
