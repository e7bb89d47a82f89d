"""Status of one assignment as of a date: the red/yellow/green light of GUIDE §4.

Rules, applied in this order (``as_of`` is the day the office is looking from):

1. **Done.** ``completed_on`` set and ``completed_on <= as_of`` (an item closed after ``as_of``
   was not done yet on ``as_of``). The relevant deadline is the latest of ``due_dates`` (for a
   one-off, a granted extension's new date supersedes the old one; for a recurring item, the
   last occurrence). ``completed_on <= due`` → 已完成 with ``days`` = days to spare;
   otherwise 逾期完成 with ``days`` = days late (> 0). No due dates at all → 已完成,
   ``due`` and ``days`` None.
2. **No deadline.** ``due_dates`` empty → 无固定期限 (ongoing or event-relative work).
3. **One-off** (``recurring=False``). The latest of ``due_dates`` counts.
   ``as_of > due`` → 逾期, ``days`` = ``as_of - due`` (≥ 1);
   otherwise ``days`` = ``due - as_of`` (0 = due today) and ``days <= soon_days`` → 临期,
   else 正常.
4. **Recurring** (``recurring=True``; ``due_dates`` = every occurrence o1 < o2 < … in order).
   Progress reports dated on or before ``as_of`` are matched to occurrences, oldest report
   first: *a report satisfies the earliest unsatisfied occurrence whose previous occurrence is
   before the report* (for o1 there is no previous one, so any report does). A report made
   after a missed deadline therefore clears that missed occurrence first (a late report for
   it), and a report made before an occurrence is due counts for it (done early). One report
   satisfies at most one occurrence; reports that find nothing to satisfy are ignored. Because
   eligibility only ever widens with time, the satisfied occurrences are always a prefix
   o1…ok, which is what makes the match a single pass.
   Then, with o = the first unsatisfied occurrence:

   - ``o < as_of`` → 逾期, ``due`` = o, ``days`` = ``as_of - o`` (the earliest missed one);
   - ``o >= as_of`` → the next occurrence decides: ``days`` = ``o - as_of``, 临期 or 正常 as
     for a one-off;
   - every occurrence satisfied (none left, even if the last lies ahead and was reported
     early) → 已完成 with ``due`` = the last occurrence and ``days`` None; or 逾期完成 if
     any occurrence was satisfied only after it had passed, with ``due`` = that occurrence
     and ``days`` = how late its report came (the worst one).

   A report may also name the occurrences it answers (``covers``: report date, first and
   last occurrence date, the first one open = from the earliest): "the reports for January
   to October, received today" or "this month's report". Such a report satisfies every
   unsatisfied occurrence in its range, in report-date order with the others, and takes
   no part in the rule above; the satisfied occurrences need then not be a prefix, and the
   first unsatisfied one decides as before (`match_occurrences`).

Speed: 200,000 calls plus urgency must take < 1 s (GUIDE §7), so this avoids sorting when it
can, builds one small slotted result object per call, and does nothing else.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

__all__ = [
    "STATUS_STYLE",
    "STATUS_SYMBOL",
    "Cover",
    "Occurrence",
    "Status",
    "StatusResult",
    "assignment_status",
    "match_occurrences",
    "occurrences",
]

# A report that names the occurrences it answers: (report date, from, to); from None = the
# earliest. Kept as a plain tuple: the board holds many and memoises on them.
Cover = tuple[date, date | None, date]


class Status(StrEnum):
    DONE = "已完成"
    DONE_LATE = "逾期完成"
    OVERDUE = "逾期"
    DUE_SOON = "临期"
    ON_TRACK = "正常"
    NO_DEADLINE = "无固定期限"


# Readable on a monochrome terminal or a printout: the light's colour is spelled out in Chinese.
STATUS_SYMBOL: dict[Status, str] = {
    Status.DONE: "✔",
    Status.DONE_LATE: "✔迟",
    Status.OVERDUE: "●红",
    Status.DUE_SOON: "●黄",
    Status.ON_TRACK: "●绿",
    Status.NO_DEADLINE: "○",
}

# Rich style names for the same lights.
STATUS_STYLE: dict[Status, str] = {
    Status.DONE: "dim green",
    Status.DONE_LATE: "dim yellow",
    Status.OVERDUE: "bold red",
    Status.DUE_SOON: "yellow",
    Status.ON_TRACK: "green",
    Status.NO_DEADLINE: "dim",
}


class StatusResult(namedtuple("StatusResult", ("status", "due", "days"))):
    """A status (`Status`), the deadline that decided it (a date or None), and days over
    (>0, late) or left (0 = today), or None.

    A named tuple, not a frozen dataclass: as immutable and cheaper to make, and importing
    the dataclasses module (it brings inspect) cost `duban overdue` a twentieth of its run."""

    __slots__ = ()


_DONE = Status.DONE
_DONE_LATE = Status.DONE_LATE
_OVERDUE = Status.OVERDUE
_DUE_SOON = Status.DUE_SOON
_ON_TRACK = Status.ON_TRACK
_NO_DEADLINE = Status.NO_DEADLINE

_RESULT_NO_DEADLINE = StatusResult(_NO_DEADLINE, None, None)
_RESULT_DONE_UNDATED = StatusResult(_DONE, None, None)


def _sorted(dates: Sequence[date]) -> Sequence[date]:
    """The same sequence when already in order (the usual case), else a sorted copy."""
    prev = None
    for d in dates:
        if prev is not None and d < prev:
            return sorted(dates)
        prev = d
    return dates


def assignment_status(
    due_dates: Sequence[date],
    as_of: date,
    *,
    completed_on: date | None = None,
    progress_dates: Sequence[date] = (),
    recurring: bool = False,
    soon_days: int = 15,
    covers: Sequence[Cover] = (),
) -> StatusResult:
    """Status of one assignment on ``as_of``; see the module docstring for every rule.

    ``progress_dates`` holds every report date; ``covers`` the reports among them that name
    their occurrences (recurring duties only)."""
    if completed_on is not None and completed_on <= as_of:
        if not due_dates:
            return _RESULT_DONE_UNDATED
        due = max(due_dates) if len(due_dates) > 1 else due_dates[0]
        if completed_on <= due:
            return StatusResult(_DONE, due, (due - completed_on).days)
        return StatusResult(_DONE_LATE, due, (completed_on - due).days)

    if not due_dates:
        return _RESULT_NO_DEADLINE

    if not recurring:
        due = max(due_dates) if len(due_dates) > 1 else due_dates[0]
        days = (due - as_of).days
        if days < 0:
            return StatusResult(_OVERDUE, due, -days)
        return StatusResult(_DUE_SOON if days <= soon_days else _ON_TRACK, due, days)

    occ = _sorted(due_dates)
    if covers:
        return _status_from_matches(
            occ, match_occurrences(occ, as_of, progress_dates, covers), as_of, soon_days
        )
    n = len(occ)
    k = 0  # occurrences o1..ok are satisfied
    worst_late = 0
    worst_due: date | None = None
    if progress_dates:
        for p in _sorted(progress_dates):
            if p > as_of:
                break
            if k < n and (k == 0 or occ[k - 1] < p):
                o = occ[k]
                if p > o:
                    late = (p - o).days
                    if late > worst_late:
                        worst_late = late
                        worst_due = o
                k += 1
    if k >= n:
        if worst_due is not None:
            return StatusResult(_DONE_LATE, worst_due, worst_late)
        return StatusResult(_DONE, occ[-1], None)
    o = occ[k]
    days = (o - as_of).days
    if days < 0:
        return StatusResult(_OVERDUE, o, -days)
    return StatusResult(_DUE_SOON if days <= soon_days else _ON_TRACK, o, days)


def _status_from_matches(
    occ: Sequence[date], met: Sequence[date | None], as_of: date, soon_days: int
) -> StatusResult:
    worst_late = 0
    worst_due: date | None = None
    for o, p in zip(occ, met, strict=True):
        if p is None:
            days = (o - as_of).days
            if days < 0:
                return StatusResult(_OVERDUE, o, -days)
            return StatusResult(_DUE_SOON if days <= soon_days else _ON_TRACK, o, days)
        if p > o and (p - o).days > worst_late:
            worst_late, worst_due = (p - o).days, o
    if worst_due is not None:
        return StatusResult(_DONE_LATE, worst_due, worst_late)
    return StatusResult(_DONE, occ[-1], None)


def match_occurrences(
    occ: Sequence[date],
    as_of: date,
    progress_dates: Sequence[date] = (),
    covers: Sequence[Cover] = (),
) -> list[date | None]:
    """For each occurrence (in order), the date of the report that satisfied it, or None.

    Reports after ``as_of`` count for nothing. Reports are taken in date order (a covering
    report before a plain one of the same day); a covering report satisfies every open
    occurrence in its range, a plain one the earliest open occurrence whose previous
    occurrence lies before it (see the module docstring). ``progress_dates`` holds every
    report, the covering ones included: those are matched by their range only.
    """
    occ = _sorted(occ)
    n = len(occ)
    met: list[date | None] = [None] * n
    plain = list(progress_dates)
    for p, _lo, _hi in covers:
        try:
            plain.remove(p)
        except ValueError:
            pass
    events = sorted(
        [(p, 0, lo, hi) for p, lo, hi in covers] + [(p, 1, None, None) for p in plain],
        key=lambda e: (e[0], e[1]),
    )
    first_open = 0
    for p, kind, lo, hi in events:
        if p > as_of:
            break
        if kind == 0:
            for i in range(n):
                o = occ[i]
                if hi is not None and o > hi:
                    break
                if met[i] is None and (lo is None or o >= lo):
                    met[i] = p
        else:
            while first_open < n and met[first_open] is not None:
                first_open += 1
            k = first_open
            if k < n and (k == 0 or occ[k - 1] < p):
                met[k] = p
    return met


class Occurrence(namedtuple("Occurrence", ("due", "reported", "state"))):
    """One occurrence of a recurring duty as of a date: its deadline, the date of the report
    that met it (or None), and its state: 按期 / 迟报 / 未报 / 未到期 (met on time or late,
    missed, still ahead). A named tuple, as `StatusResult`."""

    __slots__ = ()

    @property
    def missed(self) -> bool:
        return self.state == "未报"


def occurrences(
    due_dates: Sequence[date],
    as_of: date,
    progress_dates: Sequence[date] = (),
    covers: Sequence[Cover] = (),
) -> list[Occurrence]:
    """Every occurrence with what the status rules made of it (the desk's detail pane)."""
    occ = list(_sorted(due_dates))
    met = match_occurrences(occ, as_of, progress_dates, covers)
    out = []
    for o, p in zip(occ, met, strict=True):
        if p is not None:
            state = "按期" if p <= o else "迟报"
        elif o < as_of:
            state = "未报"
        else:
            state = "未到期"
        out.append(Occurrence(o, p, state))
    return out
