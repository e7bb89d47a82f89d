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
    """Status and urgency of every fact as of a date.

    At 200,000 assignments most inputs repeat (the units of one task share its dates), so
    both are memoised: a one-off deadline's status depends only on its dates and closing
    date, a recurring one's also on the progress dates; urgency on the status, role,
    letters and days since progress. Fact due-date tuples are shared per distinct value by
    the store, so their identity is a cheap key (all facts stay alive during the call).
    """
    status_cache: dict = {}
    urgency_cache: dict = {}
    out: list[Evaluated] = []
    append = out.append
    for f in facts:
        progress = f.progress_dates
        if f.recurring:
            skey = (id(f.due_dates), f.completed_on, progress)
        else:
            skey = (id(f.due_dates), f.completed_on)
        st = status_cache.get(skey)
        if st is None:
            st = status_cache[skey] = assignment_status(
                f.due_dates,
                as_of,
                completed_on=f.completed_on,
                progress_dates=progress,
                recurring=f.recurring,
                soon_days=soon_days,
            )
        since = (as_of - progress[-1]).days if progress else None
        ukey = (st, f.role, f.letters_sent, f.highest_rung, since)
        u = urgency_cache.get(ukey)
        if u is None:
            u = urgency_cache[ukey] = urgency(
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
