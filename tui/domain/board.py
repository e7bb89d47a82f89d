"""Status and urgency for every assignment as of a date, sorted the way the desk works."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from tui.domain.status import Status, StatusResult, assignment_status
from tui.domain.urgency import urgency


@dataclass(slots=True)
class Evaluated:
    fact: object  # tui.store.board.AssignmentFact (kept untyped: domain does not import store)
    status: StatusResult
    urgency: float
    days_since_progress: int | None


def evaluate(facts: Iterable, as_of: date, *, soon_days: int = 15) -> list[Evaluated]:
    out: list[Evaluated] = []
    append = out.append
    for f in facts:
        st = assignment_status(
            f.due_dates,
            as_of,
            completed_on=f.completed_on,
            progress_dates=f.progress_dates,
            recurring=f.recurring,
            soon_days=soon_days,
        )
        since = (as_of - f.progress_dates[-1]).days if f.progress_dates else None
        u = urgency(
            st,
            role=f.role,
            letters_sent=f.letters_sent,
            highest_rung=f.highest_rung,
            days_since_progress=since,
        )
        append(Evaluated(f, st, u, since))
    return out


def by_urgency(rows: Sequence[Evaluated]) -> list[Evaluated]:
    """Most pressing first; ties keep the order they came in (plan, task, assignment)."""
    return sorted(rows, key=_urgency_key, reverse=True)


def _urgency_key(row: Evaluated) -> float:
    return row.urgency


def count_by_status(rows: Iterable[Evaluated]) -> dict[Status, int]:
    counts = dict.fromkeys(Status, 0)
    for r in rows:
        counts[r.status.status] += 1
    return counts
