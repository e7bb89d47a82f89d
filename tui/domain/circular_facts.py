"""What a circular counts, as plain values: the store reads them, tui.reports.circular
decides the figures and the wording from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

__all__ = ["ItemFact", "LetterFact"]


@dataclass(frozen=True, slots=True)
class ItemFact:
    """One live assignment of the plan to a unit, as of the circular's date."""

    assignment_id: int
    task_number: str
    task_position: int
    unit_id: int
    unit_name: str
    due_dates: tuple[date, ...]
    recurring: bool
    completed_on: date | None  # already None when closed after the as-of date
    progress_dates: tuple[date, ...] = ()  # on or before the as-of date
    # reports naming the occurrences they answer: (reported on, from, to), as the desk
    # judges them (`assignment_status`'s ``covers``); recurring duties only
    covers: tuple[tuple[date, date | None, date], ...] = ()


@dataclass(frozen=True, slots=True)
class LetterFact:
    """A signed, not voided letter issued by the as-of date, with the items of this plan it
    lists (assignment ids)."""

    letter_id: int
    kind: str
    number: str
    unit_id: int
    issued_on: date
    assignment_ids: tuple[int, ...]
