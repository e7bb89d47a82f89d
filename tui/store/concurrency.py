"""Optimistic concurrency for several desks on one store, read from the audit trail.

Every change to an assignment, a task's deadline, a unit or a letter is an audit row naming
its entity, so "has someone else changed this since I read it?" is one indexed lookup
(ix_audit_log_entity): a desk remembers the trail's latest id when it reads its board
(`latest_change`), and a write made from that board passes it back; inside the write's
transaction, after the write lock (dialect.lock_for_write), `ensure_unchanged` refuses the
write if another operator changed one of the rows since. The desk then shows
"已被他人修改（某某，时间），已刷新" and reads the board again; nothing is overwritten
silently. This is the version column of each row, kept where every change is already
recorded, so no schema change is needed and no write path can forget to bump it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from tui.errors import DubanError
from tui.store.models import AuditLog


class ChangedByOther(DubanError):
    """A write refused because another desk changed the same rows since they were read."""

    refresh = True


def latest_change(session: Session) -> int:
    """The audit trail's latest id: what a board read now has seen."""
    return int(session.exec(select(func.coalesce(func.max(AuditLog.id), 0))).scalar_one())


def ensure_unchanged(
    session: Session, entity: str, ids: Iterable[int], seen: int | None, actor: str
) -> None:
    """Refuse (ChangedByOther) if another operator changed any of the rows after ``seen``.

    ``seen`` None means the caller read nothing first (the command line): nothing to check.
    """
    if seen is None:
        return
    ids = [int(i) for i in ids]
    if not ids:
        return
    from tui.store.audit import _actor

    me = _actor(actor)
    t = AuditLog.__table__.c
    row = (
        session.connection()
        .execute(
            select(t.actor, t.at)
            .where(
                t.entity == entity,
                t.entity_id.in_(ids),
                t.id > seen,
                t.actor != me,
            )
            .order_by(t.id.desc())
            .limit(1)
        )
        .first()
    )
    if row is not None:
        from tui.clock import local

        when = local(row.at).strftime("%Y-%m-%d %H:%M")
        raise ChangedByOther(f"已被他人修改（{row.actor}，{when}），已刷新")


def latest_other_change(session: Session, seen: int, actor: str) -> tuple[str, str] | None:
    """The newest change another operator made after ``seen``: (who, when) or None. The desk
    polls this every few seconds to show what other desks changed."""
    from tui.store.audit import _actor

    t = AuditLog.__table__.c
    row = (
        session.connection()
        .execute(
            select(t.actor, t.at)
            .where(t.id > seen, t.actor != _actor(actor), t.entity != "store")
            .order_by(t.id.desc())
            .limit(1)
        )
        .first()
    )
    if row is None:
        return None
    from tui.clock import local

    return row.actor, local(row.at).strftime("%H:%M")


# The audit entities whose changes stay within board rows: an assignment's own (progress,
# closing, extension, owner removed, undo of those) and a letter's (the letters sent of its
# items). Any other change (a task's deadline, a unit, a plan, a merge) reaches rows the
# trail does not name, and the board is read whole.
ROW_ENTITIES = ("assignment", "letter")
# Past this many touched rows a whole read costs about as much as reading them one by one.
MOST_ROWS = 2000


def rows_changed_since(session: Session, seen: int, upto: int) -> set[int] | None:
    """The assignments changed by the audit rows after ``seen`` up to ``upto``: the rows a
    board read at ``seen`` must read again to show the store as of ``upto``. None when a
    change reaches beyond rows it names, or touches too many: then read the whole board."""
    from tui.store.letter_models import LetterItem

    t = AuditLog.__table__.c
    conn = session.connection()
    found = conn.execute(
        select(t.entity, t.entity_id).where(t.id > seen, t.id <= upto).distinct()
    ).all()
    if len(found) > MOST_ROWS:
        return None
    rows: set[int] = set()
    letters: set[int] = set()
    for entity, entity_id in found:
        if entity not in ROW_ENTITIES or entity_id is None:
            return None
        (rows if entity == "assignment" else letters).add(int(entity_id))
    if letters:
        li = LetterItem.__table__.c
        items = conn.execute(
            select(li.assignment_id).where(li.letter_id.in_(sorted(letters))).distinct()
        ).scalars()
        rows.update(int(a) for a in items)
    return rows if len(rows) <= MOST_ROWS else None
