"""The schedule that counts for a task: from its deadlines to the due dates status uses.

A task may carry several deadlines ("2022年年底前…", "每年第一季度…"). Every dated one is a
date the unit must meet, so the task's due dates are the union of the absolute dates and the
occurrences of the recurring ones inside the plan period. With more than one date the task is
met date by date, like a recurring one: a missed earlier date stays overdue until progress for
it is recorded. Relative and ongoing deadlines carry no date; a task with only those has no
fixed deadline (无固定期限). A manual correction replaces everything parsed.

Recurring occurrences count from the plan's issue date, not from the start of its period:
a breakdown issued in December 2022 for 2020–2025 cannot have missed its 2020 reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tui.domain.deadlines import Deadline


@dataclass(frozen=True)
class Schedule:
    """The dates a deadline falls due on within the plan period, as the store keeps them."""

    kind: str  # absolute / recurring / relative / ongoing / default / manual / none
    dates: tuple[date, ...]
    recurring: bool

    def encode(self) -> str:
        return ",".join(d.isoformat() for d in self.dates)


def schedule_of(
    deadlines: Sequence[Deadline],
    period: tuple[int, int] | None,
    *,
    manual: bool = False,
    issued: date | None = None,
) -> Schedule:
    start = date(period[0], 1, 1) if period else date(1900, 1, 1)
    if issued is not None and issued > start:
        start = issued
    end = date(period[1], 12, 31) if period else date(2100, 12, 31)
    dates: set[date] = set()
    recurring = False
    for d in deadlines:
        if d.kind == "recurring":
            occ = d.occurrences(start, end)
            dates.update(occ)
            recurring = recurring or len(occ) > 1
        elif d.due is not None:
            dates.add(d.due)
    kinds = {d.kind for d in deadlines}
    if manual:
        kind = "manual"
    elif not kinds:
        kind = "none"
    elif "recurring" in kinds:
        kind = "recurring"
    elif "absolute" in kinds:
        kind = "absolute"
    elif "default" in kinds:
        kind = "default"
    else:
        kind = sorted(kinds)[0]
    ordered = tuple(sorted(dates))
    return Schedule(kind, ordered, recurring or len(ordered) > 1)


def decode_dates(value: str) -> tuple[date, ...]:
    if not value:
        return ()
    return tuple(date.fromisoformat(v) for v in value.split(","))
