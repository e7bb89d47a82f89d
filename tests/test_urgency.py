"""Urgency ordering and exact values of the documented formula."""

from __future__ import annotations

from datetime import date

import pytest

from tui.domain.status import Status, StatusResult
from tui.domain.urgency import COEFFICIENTS, urgency

D = date(2024, 6, 1)


def sr(status: Status, days: int | None) -> StatusResult:
    return StatusResult(status, D if days is not None else None, days)


def test_exact_values() -> None:
    # The docstring's example.
    assert urgency(
        sr(Status.OVERDUE, 60),
        role="lead",
        letters_sent=1,
        highest_rung=2,
        days_since_progress=45,
    ) == pytest.approx(42.5)
    # 临期 3 days left, supporting, recent progress (0 days): 15 + 0.3*12 + 1 = 19.6
    assert urgency(sr(Status.DUE_SOON, 3), role="supporting", days_since_progress=0) == (
        pytest.approx(19.6)
    )
    # 正常, responsible, never any progress: 3 + 2 + 2 = 7
    assert urgency(sr(Status.ON_TRACK, 100), role="responsible") == pytest.approx(7.0)
    # Overdue days are capped at 180, letters at 3, rung at 3.
    assert urgency(
        sr(Status.OVERDUE, 400),
        role="lead",
        letters_sent=10,
        highest_rung=3,
        days_since_progress=500,
    ) == pytest.approx(30 + 18 + 3 + 1.5 + 3 + 2)
    assert urgency(sr(Status.NO_DEADLINE, None), role="责任单位", days_since_progress=9) == (
        pytest.approx(2 + 2 + 0.2)
    )


def test_done_scores_lowest() -> None:
    done = urgency(sr(Status.DONE, 3), role="lead", letters_sent=3, highest_rung=3)
    late = urgency(sr(Status.DONE_LATE, 30), role="lead")
    assert done == late == COEFFICIENTS["status.done"] == -10.0
    lowest_open = urgency(sr(Status.ON_TRACK, 300), role="unknown", days_since_progress=0)
    assert lowest_open == pytest.approx(3.0)
    assert done < lowest_open


def test_orderings() -> None:
    def u(status: Status, days: int | None, role: str = "responsible", **kw: int) -> float:
        return urgency(sr(status, days), role=role, days_since_progress=10, **kw)

    assert u(Status.OVERDUE, 60) > u(Status.OVERDUE, 1)
    assert u(Status.OVERDUE, 1) > u(Status.DUE_SOON, 0) > u(Status.ON_TRACK, 16)
    assert u(Status.DUE_SOON, 1) > u(Status.DUE_SOON, 10)
    assert u(Status.OVERDUE, 5, "lead") > u(Status.OVERDUE, 5, "responsible")
    assert u(Status.OVERDUE, 5, "responsible") > u(Status.OVERDUE, 5, "supporting")
    assert u(Status.OVERDUE, 5, "牵头") == u(Status.OVERDUE, 5, "lead")
    assert u(Status.OVERDUE, 5, letters_sent=2, highest_rung=2) > u(Status.OVERDUE, 5)
    quiet = urgency(sr(Status.ON_TRACK, 40), role="lead", days_since_progress=90)
    busy = urgency(sr(Status.ON_TRACK, 40), role="lead", days_since_progress=1)
    never = urgency(sr(Status.ON_TRACK, 40), role="lead")
    assert quiet > busy
    assert quiet == never


def test_light_always_decides_first() -> None:
    """The bound argued in the docstring: extremes of the other terms never cross a light."""
    top_soon = urgency(
        sr(Status.DUE_SOON, 0),
        role="lead",
        letters_sent=9,
        highest_rung=3,
        days_since_progress=None,
    )
    bottom_overdue = urgency(sr(Status.OVERDUE, 1), role="x", days_since_progress=0)
    top_track = urgency(
        sr(Status.ON_TRACK, 16),
        role="lead",
        letters_sent=9,
        highest_rung=3,
        days_since_progress=None,
    )
    bottom_soon = urgency(sr(Status.DUE_SOON, 40), role="x", days_since_progress=0)
    assert top_soon < bottom_overdue
    assert top_track < bottom_soon


def test_coefficients_table_is_quotable() -> None:
    assert COEFFICIENTS["status.overdue"] == 30.0
    assert (
        COEFFICIENTS["role.lead"]
        > COEFFICIENTS["role.responsible"]
        > COEFFICIENTS["role.supporting"]
    )
    import tui.domain.urgency as mod

    for key in COEFFICIENTS:
        assert key in (mod.__doc__ or ""), key
