"""Status and urgency for every assignment as of a date, sorted the way the desk works."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tui.domain.status import Status, StatusResult, assignment_status
from tui.domain.urgency import (
    DONE_SCORE,
    letters_term,
    role_term,
    rung_term,
    silence_term,
    status_term,
    urgency,
)
from tui.gc_pause import gc_paused


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
    with gc_paused():  # one object per fact: see tui.gc_pause
        return _evaluate(facts, as_of, soon_days)


def _evaluate(facts: Iterable, as_of: date, soon_days: int) -> list[Evaluated]:
    status_cache: dict = {}
    urgency_cache: dict = {}
    out: list[Evaluated] = []
    append = out.append
    for f in facts:
        progress = f.progress_dates
        covers = f.progress_covers
        if f.recurring:
            skey = (id(f.due_dates), f.completed_on, progress, covers)
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
                covers=covers if f.recurring else (),
            )
        since = (as_of - progress[-1]).days if progress else None
        # The status object itself stands for its value: every one is kept in status_cache
        # (hashing the frozen dataclass would run its Python __hash__ per row).
        ukey = (id(st), f.role, f.letters_sent, f.highest_rung, since)
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


# Every light, and each one's position: a small int hashes and counts much faster than an
# enum member (whose __hash__ runs in Python).
LIGHTS: tuple[Status, ...] = tuple(Status)
LIGHT_CODE: dict[Status, int] = {s: n for n, s in enumerate(LIGHTS)}


@dataclass(slots=True)
class ColumnVerdicts:
    """Per row, in the rows' own order: status, urgency and days since the last report."""

    statuses: list[StatusResult]
    light_codes: list[int]  # statuses[i].status as its position in LIGHTS (cheap to count)
    urgencies: list[float]
    since: list[int | None]


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
    dkeys = list(map(due_of.__getitem__, task_ids))
    # Only recurring duties have report dates here, so other rows key on None. Reports that
    # name their occurrences (few) ride along with the dates as (dates, covers).
    progs = map(recurring_progress.get, ids)
    if recurring_covers:
        covered = recurring_covers
        progs = (
            (p or (), covered[aid]) if aid in covered else p
            for p, aid in zip(map(recurring_progress.get, ids), ids, strict=True)
        )
    # Distinct inputs get a small int code: hashing ints is cheap, hashing a frozen
    # dataclass per row is not.
    skeys = list(zip(dkeys, overrides, completed, progs, strict=True))
    del dkeys, progs
    code_of = dict.fromkeys(skeys)
    judged: list[StatusResult] = []
    for key in code_of:
        k, override, done, progress = key
        due, recurring = due_list[k]
        if override is not None:
            due, recurring = (override,), False
        covers: tuple = ()
        if progress and isinstance(progress[-1], tuple):
            progress, covers = progress
        code_of[key] = len(judged)
        judged.append(
            assignment_status(
                due,
                as_of,
                completed_on=done,
                progress_dates=progress or (),
                recurring=recurring,
                soon_days=soon_days,
                covers=covers if recurring else (),
            )
        )
    codes = list(map(code_of.__getitem__, skeys))
    del skeys, code_of
    statuses = list(map(judged.__getitem__, codes))
    light_codes = list(map([LIGHT_CODE[j.status] for j in judged].__getitem__, codes))
    days = {d: (as_of - d).days for d in set(last_progress) if d is not None}
    days[None] = None
    since = list(map(days.__getitem__, last_progress))
    # urgency() is a sum of terms; add them in its order so the float is the same.
    by_code = [status_term(j) for j in judged]
    by_role = {r: role_term(r) for r in set(roles)}
    by_letters = {x: letters_term(x[0]) if x else 0.0 for x in set(letters)}
    by_rung = {x: rung_term(x[1]) if x else 0.0 for x in set(letters)}
    by_since = {d: silence_term(d) for d in set(since)}
    urgencies = [
        DONE_SCORE if s is None else s + r + lt + rt + q
        for s, r, lt, rt, q in zip(
            map(by_code.__getitem__, codes),
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
