"""Writes on an assignment: progress, check-and-close (验收), reopen, extensions.

Each function runs inside the caller's transaction and leaves an audit row with before/after.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from tui.clock import now
from tui.domain.schedule import decode_dates
from tui.domain.status import Occurrence, occurrences
from tui.errors import DubanError
from tui.store.audit import record
from tui.store.models import Assignment, Extension, Progress, Task
from tui.text import note_text


def get_assignment(session: Session, assignment_id: int) -> Assignment:
    a = session.get(Assignment, assignment_id)
    if a is None or not a.active:
        raise DubanError(f"找不到落实事项：{assignment_id}")
    if a.unit_id is None:
        raise DubanError(f"落实事项 {assignment_id} 仍是待分解的单位组，请先分解到具体单位")
    return a


def record_progress(
    session: Session,
    assignment_id: int,
    text: str,
    on: date,
    actor: str,
    *,
    done: bool = False,
    covers: tuple[date | None, date] | None = None,
) -> Progress:
    """A unit's report. ``covers`` = (first, last) occurrence of a recurring duty that the
    report answers (first None = every open one up to ``last``); None = a plain report."""
    text, seen = note_text(text)
    if not text:
        raise DubanError("进展内容不能为空")
    a = get_assignment(session, assignment_id)
    lo, hi = covers if covers is not None else (None, None)
    if covers is not None:
        if hi is None or (lo is not None and lo > hi):
            raise DubanError("补报的期次范围有误")
        if hi > on and (lo is None or lo != hi):
            raise DubanError(f"补报截至 {hi.isoformat()} 晚于报告日期 {on.isoformat()}")
    p = Progress(
        assignment_id=a.id,
        reported_on=on,
        text=text,
        done=done,
        recorded_at=now(),
        recorded_by=actor,
        cover_from=lo,
        cover_to=hi,
    )
    session.add(p)
    session.flush()
    after = {"progress_id": p.id, "reported_on": on, "text": seen, "done": done}
    if covers is not None:
        after["covers"] = [lo, hi]
    record(session, actor, "progress.add", "assignment", a.id, None, after)
    if done:
        close(session, a.id, on, actor)
    return p


def close(session: Session, assignment_id: int, on: date, actor: str) -> None:
    """验收/销号: the office checked the item and closes it as of `on`."""
    a = get_assignment(session, assignment_id)
    if a.completed_on is not None:
        raise DubanError(f"落实事项 {assignment_id} 已于 {a.completed_on.isoformat()} 销号")
    before = {"completed_on": a.completed_on}
    a.completed_on = on
    record(session, actor, "assignment.close", "assignment", a.id, before, {"completed_on": on})
    session.flush()


def reopen(session: Session, assignment_id: int, actor: str, reason: str = "") -> None:
    a = get_assignment(session, assignment_id)
    if a.completed_on is None:
        raise DubanError(f"落实事项 {assignment_id} 尚未销号，无需重新打开")
    before = {"completed_on": a.completed_on}
    a.completed_on = None
    reason = note_text(reason)[1]
    record(
        session,
        actor,
        "assignment.reopen",
        "assignment",
        a.id,
        before,
        {"completed_on": None, "reason": reason},
    )
    session.flush()


def record_extension(
    session: Session,
    assignment_id: int,
    *,
    requested_on: date,
    reason: str,
    new_due: date,
    granted: bool,
    actor: str,
    note: str = "",
) -> Extension:
    """延期申请: kept either way; a granted one moves the assignment's deadline."""
    reason, seen = note_text(reason)
    note = note_text(note)[0]
    if not reason:
        raise DubanError("延期申请必须写明理由")
    a = get_assignment(session, assignment_id)
    ext = Extension(
        assignment_id=a.id,
        requested_on=requested_on,
        reason=reason,
        new_due=new_due,
        granted=granted,
        decision_note=note,
        previous_due=a.due_override,
        decided_at=now(),
        decided_by=actor,
    )
    session.add(ext)
    session.flush()
    after = {"extension_id": ext.id, "granted": granted, "new_due": new_due, "reason": seen}
    if granted:
        before = {"due_override": a.due_override}
        a.due_override = new_due
        after["due_override"] = new_due
        record(session, actor, "extension.grant", "assignment", a.id, before, after)
    else:
        record(session, actor, "extension.refuse", "assignment", a.id, None, after)
    session.flush()
    return ext


def assignment_dues(session: Session, a: Assignment) -> tuple[tuple[date, ...], bool]:
    """The dates an assignment must meet and whether they recur (a granted extension makes
    one date of them)."""
    if a.due_override is not None:
        return (a.due_override,), False
    task = session.get(Task, a.task_id)
    if task is None:
        return (), False
    return decode_dates(task.due_dates), bool(task.due_recurring)


def assignment_schedule(session: Session, assignment_id: int) -> tuple[tuple[date, ...], bool]:
    a = session.get(Assignment, assignment_id)
    if a is None:
        raise DubanError(f"找不到落实事项：{assignment_id}")
    return assignment_dues(session, a)


def assignment_occurrences(session: Session, assignment_id: int, as_of: date) -> list[Occurrence]:
    """A recurring duty's occurrences as of a date: met, missed or ahead (empty for a
    one-off deadline)."""
    a = session.get(Assignment, assignment_id)
    if a is None:
        return []
    dues, recurring = assignment_dues(session, a)
    if not recurring:
        return []
    dates: list[date] = []
    covers = []
    for p in session.exec(
        select(Progress)
        .where(Progress.assignment_id == a.id, Progress.reported_on <= as_of)
        .order_by(Progress.reported_on, Progress.id)
    ).scalars():
        dates.append(p.reported_on)
        if p.cover_to is not None:
            covers.append((p.reported_on, p.cover_from, p.cover_to))
    return occurrences(dues, as_of, dates, covers)
