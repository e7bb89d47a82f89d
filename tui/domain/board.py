"""Status and urgency for every assignment as of a date, sorted the way the desk works."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from itertools import compress, count, repeat
from operator import attrgetter

from tui.domain.status import Status, StatusResult, assignment_status
from tui.domain.urgency import (
    DONE_SCORE,
    letters_term,
    role_term,
    rung_term,
    silence_term,
    status_term,
)
from tui.gc_pause import gc_paused


class Evaluated(namedtuple("Evaluated", ("fact", "status", "urgency", "days_since_progress"))):
    """One fact with its verdict: the fact (a `tui.store.facts.AssignmentFact`; domain does
    not import store), its `StatusResult`, its urgency and the days since its last report
    (or None). A named tuple, not a dataclass: `evaluate` builds one per assignment, and a
    tuple is made in C (`_rows`) where a dataclass runs its Python ``__init__`` — a third of
    the evaluation at 200,000 rows."""

    __slots__ = ()


def _rows(*columns: Iterable) -> list[Evaluated]:
    """`Evaluated` rows from its four columns, built without a Python call per row."""
    return list(map(tuple.__new__, repeat(Evaluated), zip(*columns, strict=True)))


def evaluate(facts: Iterable, as_of: date, *, soon_days: int = 15) -> list[Evaluated]:
    """Status and urgency of every fact as of a date.

    The facts are taken apart into columns and judged by `evaluate_columns`, the desk's
    way: the rules are applied once per distinct input (at 200,000 assignments most inputs
    repeat), and one `Evaluated` per fact is all that is built per row. Fact due-date tuples
    are shared per distinct value by the store, so their identity is a cheap key (all facts
    stay alive during the call).
    """
    with gc_paused():  # one object per fact: see tui.gc_pause
        return _evaluate(facts if isinstance(facts, list) else list(facts), as_of, soon_days)


_DUES = attrgetter("due_dates")
_RECURRING = attrgetter("recurring")
_PROGRESS = attrgetter("progress_dates")


def _evaluate(facts: list, as_of: date, soon_days: int) -> list[Evaluated]:
    if not facts:
        return []
    due_tuples = list(map(_DUES, facts))
    recurring = list(map(_RECURRING, facts))
    # (deadlines, recurs) of a fact stand in for the desk's task: one key per distinct pair.
    due_keys = list(zip(map(id, due_tuples), recurring, strict=True))
    dues = dict(zip(due_keys, zip(due_tuples, recurring, strict=True), strict=True))
    ids = list(map(attrgetter("id"), facts))
    progress = list(map(_PROGRESS, facts))
    recurring_progress = {}
    recurring_covers = {}
    if any(recurring):
        for f in compress(facts, recurring):
            if f.progress_dates:
                recurring_progress[f.id] = f.progress_dates
            if f.progress_covers:
                recurring_covers[f.id] = f.progress_covers
    verdicts = evaluate_columns(
        task_ids=due_keys,
        dues=dues,
        overrides=repeat(None, len(facts)),
        completed=list(map(attrgetter("completed_on"), facts)),
        recurring_progress=recurring_progress,
        recurring_covers=recurring_covers,
        ids=ids,
        last_progress=[p[-1] if p else None for p in progress],
        roles=list(map(attrgetter("role"), facts)),
        letters=list(
            zip(
                map(attrgetter("letters_sent"), facts),
                map(attrgetter("highest_rung"), facts),
                strict=True,
            )
        ),
        as_of=as_of,
        soon_days=soon_days,
    )
    return _rows(facts, verdicts.statuses, verdicts.urgencies, verdicts.since)


def by_urgency(rows: Sequence[Evaluated]) -> list[Evaluated]:
    """Most pressing first; ties keep the order they came in (plan, task, assignment)."""
    return sorted(rows, key=_urgency_key, reverse=True)


def _urgency_key(row: Evaluated) -> float:
    return row.urgency


# Every light, and each one's position: a small int hashes and counts much faster than an
# enum member (whose __hash__ runs in Python).
LIGHTS: tuple[Status, ...] = tuple(Status)
LIGHT_CODE: dict[Status, int] = {s: n for n, s in enumerate(LIGHTS)}


class ColumnVerdicts:
    """Per row, in the rows' own order: status, urgency and days since the last report.
    (A plain slotted class: see `StatusResult` on why no dataclass.)"""

    __slots__ = ("statuses", "light_codes", "urgencies", "since")

    def __init__(
        self,
        statuses: Sequence[StatusResult],
        light_codes: Sequence[int],  # statuses[i].status as its position in LIGHTS (cheap to count)
        urgencies: Sequence[float],
        since: Sequence[int | None],
    ) -> None:
        self.statuses, self.light_codes = statuses, light_codes
        self.urgencies, self.since = urgencies, since


def evaluate_columns(
    *,
    task_ids: Sequence[int],
    dues: Mapping[int, tuple[tuple[date, ...], bool]],
    overrides: Sequence[date | None],
    completed: Sequence[date | None],
    recurring_progress: Mapping[int, tuple[date, ...]],
    ids: Sequence[int],
    last_progress: Sequence[date | None],
    roles: Sequence[str],
    letters: Sequence[tuple[int, int] | None],
    as_of: date,
    soon_days: int = 15,
    recurring_covers: Mapping[int, tuple] | None = None,
) -> ColumnVerdicts:
    """`evaluate` for a board kept as columns (the desk at 200,000 rows).

    ``dues`` maps a task to its deadlines and whether they recur; ``overrides`` replace them
    for one row. ``recurring_progress`` holds every report date of the rows whose duty
    recurs (by row id), ``recurring_covers`` the reports among them that name the
    occurrences they answer (see `assignment_status`); a one-off deadline never looks at
    reports. Each distinct status
    input is judged once by `assignment_status`, and urgency is the sum of its terms, each
    looked up per distinct value: per row only C-level maps and one addition remain.
    """
    # Tasks with the same deadlines share one key, so a status is judged per distinct
    # (deadlines, closing date) rather than per task.
    due_key: dict[tuple, int] = {}
    due_of: dict[int, int] = {}
    for tid, due in dues.items():
        due_of[tid] = due_key.setdefault(due, len(due_key))
    due_list = list(due_key)
    # Only recurring duties have report dates here, so other rows key on None. Reports that
    # name their occurrences (few) ride along with the dates as (dates, covers): merged
    # into the per-id map, so each row still costs one look-up in C.
    progress_of = recurring_progress
    if recurring_covers:
        progress_of = dict(recurring_progress)
        for aid, cover in recurring_covers.items():
            progress_of[aid] = (recurring_progress.get(aid) or (), cover)
    # Each row's distinct input is numbered by the first row holding it (`setdefault` with
    # the row's position): one hash per row, no key kept per row, and each verdict is then
    # taken from a list by that position.
    first_of: dict[tuple, int] = {}
    firsts = list(
        map(
            first_of.setdefault,
            zip(
                map(due_of.__getitem__, task_ids),
                overrides,
                completed,
                map(progress_of.get, ids),
                strict=True,
            ),
            count(),
        )
    )
    n = len(firsts)
    by_first: list = [None] * n
    term_first: list[float | None] = [None] * n  # None: closed (urgency DONE_SCORE)
    light_first = [0] * n
    for key, i in first_of.items():
        k, override, done, progress = key
        due, recurring = due_list[k]
        if override is not None:
            due, recurring = (override,), False
        covers: tuple = ()
        if progress and isinstance(progress[-1], tuple):
            progress, covers = progress
        judged = assignment_status(
            due,
            as_of,
            completed_on=done,
            progress_dates=progress or (),
            recurring=recurring,
            soon_days=soon_days,
            covers=covers if recurring else (),
        )
        by_first[i] = judged
        light_first[i] = LIGHT_CODE[judged.status]
        term_first[i] = status_term(judged)
    del first_of
    statuses = list(map(by_first.__getitem__, firsts))
    light_codes = list(map(light_first.__getitem__, firsts))
    days = {d: (as_of - d).days for d in set(last_progress) if d is not None}
    days[None] = None
    since = list(map(days.__getitem__, last_progress))
    # urgency() is a sum of terms; add them in its order so the float is the same.
    by_role = {r: role_term(r) for r in set(roles)}
    kinds = set(letters)
    by_letters = {x: letters_term(x[0]) if x else 0.0 for x in kinds}
    by_rung = {x: rung_term(x[1]) if x else 0.0 for x in kinds}
    by_since = {d: silence_term(d) for d in set(since)}
    urgencies = [
        DONE_SCORE if s is None else s + r + lt + rt + q
        for s, r, lt, rt, q in zip(
            map(term_first.__getitem__, firsts),
            map(by_role.__getitem__, roles),
            map(by_letters.__getitem__, letters),
            map(by_rung.__getitem__, letters),
            map(by_since.__getitem__, since),
            strict=True,
        )
    ]
    return ColumnVerdicts(statuses, light_codes, urgencies, since)


def urgency_order(urgencies: Sequence[float]) -> list[int]:
    """Row positions, most pressing first; ties keep their order (as `by_urgency`)."""
    return sorted(range(len(urgencies)), key=urgencies.__getitem__, reverse=True)
