"""SQL of the circulars register (通报): the facts a circular counts, and its writes.

Every write here runs inside the caller's transaction (tui.services.circulars opens it
with the write lock taken first) and leaves one audit row. The 期 number comes from the
`circular_counter` row (UPDATE … RETURNING under the lock), never max()+1, so two desks
signing at once get consecutive numbers and a voided circular keeps its number.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session, select

from tui.clock import now
from tui.domain.circular_facts import ItemFact, LetterFact
from tui.errors import DubanError
from tui.store.audit import record
from tui.store.circular_models import Circular

DRAFT, SIGNED, PRINTED, VOID = "草稿", "已签发", "已打印", "作废"


def _d(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def number_text(year: int, seq: int) -> str:
    """How the register names a circular: 2024年第3期."""
    return f"{year}年第{seq}期"


# ----------------------------------------------------------------------------- facts


@dataclass
class CircularFacts:
    tasks: int
    items: list[ItemFact]
    unresolved: int
    letters: list[LetterFact]


def circular_facts(session: Session, plan_id: int, as_of: date) -> CircularFacts:
    """The plan's live assignments as of a date (closing and progress after it left out),
    and the letters signed by then that list them. Five flat queries."""
    conn = session.connection()
    p = {"p": plan_id, "d": as_of.isoformat()}
    tasks = {}
    for tid, number, key, pos, dues, recurring in conn.execute(
        text(
            "SELECT id, number, key, position, due_dates, due_recurring FROM task "
            "WHERE plan_id = :p AND active = TRUE"
        ),
        p,
    ):
        due = tuple(date.fromisoformat(x) for x in dues.split(",")) if dues else ()
        tasks[tid] = (number or key, pos, due, bool(recurring))
    progress: dict[int, list[date]] = defaultdict(list)
    covers: dict[int, list[tuple]] = defaultdict(list)  # reports naming their occurrences
    for aid, on, lo, hi in conn.execute(
        text(
            "SELECT pr.assignment_id, pr.reported_on, pr.cover_from, pr.cover_to "
            "FROM progress pr "
            "JOIN assignment a ON a.id = pr.assignment_id JOIN task t ON t.id = a.task_id "
            "WHERE t.plan_id = :p AND t.active = TRUE AND a.active = TRUE AND pr.reported_on <= :d "
            "ORDER BY pr.assignment_id, pr.reported_on, pr.id"
        ),
        p,
    ):
        progress[aid].append(_d(on))
        if hi is not None:
            covers[aid].append((_d(on), _d(lo), _d(hi)))
    names = dict(conn.execute(text("SELECT id, name FROM unit")).all())
    items: list[ItemFact] = []
    unresolved = 0
    for aid, tid, uid, completed, override in conn.execute(
        text(
            "SELECT a.id, a.task_id, a.unit_id, a.completed_on, a.due_override FROM assignment a "
            "JOIN task t ON t.id = a.task_id WHERE t.plan_id = :p AND t.active = TRUE "
            "AND a.active = TRUE ORDER BY t.position, a.id"
        ),
        p,
    ):
        if uid is None:
            unresolved += 1
            continue
        number, pos, due, recurring = tasks[tid]
        if override:
            due, recurring = (_d(override),), False
        done = _d(completed)
        if done is not None and done > as_of:
            done = None
        items.append(
            ItemFact(
                aid,
                number,
                pos,
                uid,
                names.get(uid, ""),
                due,
                recurring,
                done,
                tuple(progress.get(aid, ())),
                tuple(covers.get(aid, ())) if recurring else (),
            )
        )
    by_letter: dict[int, list] = {}
    for lid, kind, number, uid, issued, aid in conn.execute(
        text(
            "SELECT l.id, l.kind, l.number, l.unit_id, l.issued_on, li.assignment_id "
            "FROM letter l JOIN letter_item li ON li.letter_id = l.id "
            "JOIN assignment a ON a.id = li.assignment_id JOIN task t ON t.id = a.task_id "
            "WHERE t.plan_id = :p AND l.number IS NOT NULL AND l.status <> '作废' "
            "AND l.issued_on <= :d ORDER BY l.id, li.position"
        ),
        p,
    ):
        entry = by_letter.setdefault(lid, [kind, number, uid, _d(issued), []])
        entry[4].append(aid)
    letters = [
        LetterFact(lid, kind, number, uid, issued, tuple(aids))
        for lid, (kind, number, uid, issued, aids) in by_letter.items()
    ]
    return CircularFacts(len(tasks), items, unresolved, letters)


# ----------------------------------------------------------------------------- register


def get_circular(session: Session, ref: str | int) -> Circular:
    """By id, or by its number as printed in the register (2024年第3期)."""
    value = str(ref).strip()
    found = None
    if value.isdigit():
        found = session.get(Circular, int(value))
    else:
        # this office's own register first: a county's merged circulars share its numbers
        found = session.exec(
            select(Circular).where(Circular.number == value).order_by(Circular.origin, Circular.id)
        ).first()
    if found is None:
        raise DubanError(f"找不到通报：{value}（请用通报编号，或如“2024年第3期”的期号）")
    return found


def list_circulars(session: Session, plan_ids: set[int] | None = None) -> list[Circular]:
    """The register in order; with ``plan_ids``, only those plans' circulars (a region's)."""
    q = select(Circular).order_by(Circular.id)
    if plan_ids is not None:
        q = q.where(Circular.plan_id.in_(plan_ids))
    return list(session.exec(q).all())


def insert_draft(
    session: Session, plan_id: int, as_of: date, title: str, figures: str, actor: str
) -> Circular:
    row = Circular(
        plan_id=plan_id,
        as_of=as_of,
        status=DRAFT,
        title=title,
        figures=figures,
        batch=session.info.get("batch", ""),
        created_at=now(),
        created_by=actor,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "circular.draft",
        "circular",
        row.id,
        None,
        {"plan_id": plan_id, "as_of": as_of, "title": title, "figures": json.loads(figures)},
    )
    return row


def peek_seq(session: Session, year: int) -> int:
    """The 期 the next signing in ``year`` would take (reads only)."""
    got = (
        session.connection()
        .execute(text("SELECT next_seq FROM circular_counter WHERE year = :y"), {"y": year})
        .scalar()
    )
    return int(got or 1)


def take_seq(session: Session, year: int) -> int:
    """Take the next 期 of ``year``; call under the write lock (begin_write)."""
    conn = session.connection()
    conn.execute(
        text(
            "INSERT INTO circular_counter (year, next_seq) VALUES (:y, 1) "
            "ON CONFLICT (year) DO NOTHING"
        ),
        {"y": year},
    )
    return int(
        conn.execute(
            text(
                "UPDATE circular_counter SET next_seq = next_seq + 1 WHERE year = :y "
                "RETURNING next_seq - 1"
            ),
            {"y": year},
        ).scalar_one()
    )


def mark_signed(
    session: Session,
    c: Circular,
    *,
    year: int,
    seq: int,
    on: date,
    by: str,
    body: str,
    title: str,
    actor: str,
) -> None:
    c.year, c.seq, c.number = year, seq, number_text(year, seq)
    c.status, c.signed_by, c.signed_at, c.issued_on = SIGNED, by, now(), on
    c.body, c.title = body, title
    session.add(c)
    session.flush()
    record(
        session,
        actor,
        "circular.sign",
        "circular",
        c.id,
        {"status": DRAFT, "as_of": c.as_of},
        {"status": SIGNED, "number": c.number, "signed_by": by, "issued_on": on},
    )


def set_files(session: Session, c: Circular, files: list[dict], actor: str) -> None:
    before = json.loads(c.files) if c.files else []
    c.files = json.dumps(files, ensure_ascii=False)
    session.add(c)
    record(session, actor, "circular.render", "circular", c.id, {"files": before}, {"files": files})


def mark_printed(session: Session, c: Circular, actor: str, job: dict) -> None:
    before = {"status": c.status, "printed_at": c.printed_at}
    if c.status == SIGNED:
        c.status = PRINTED
    c.printed_at, c.printed_by = now(), actor
    session.add(c)
    record(session, actor, "circular.print", "circular", c.id, before, {"status": c.status, **job})


def void(session: Session, c: Circular, reason: str, actor: str) -> None:
    reason = " ".join((reason or "").split())
    if not reason:
        raise DubanError("作废通报必须写明原因（--reason）")
    if c.status == VOID:
        raise DubanError(f"通报 {c.id} 已经作废")
    before = {"status": c.status}
    c.status, c.voided_at, c.voided_by, c.void_reason = VOID, now(), actor, reason
    session.add(c)
    record(
        session,
        actor,
        "circular.void",
        "circular",
        c.id,
        before,
        {"status": VOID, "number": c.number, "reason": reason},
    )
