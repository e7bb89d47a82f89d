"""The letters register (发文登记): what the ladder proposes, drafts, sign-off with numbering,
rendering, printing, replies, voiding, manual ladder overrides.

Rules this module keeps (GUIDE §4, §8):
- every write is one transaction with one audit batch; an error leaves the register as it was;
- numbers are taken from the `letter_counter` row under a write lock (SQLite: BEGIN
  IMMEDIATE; elsewhere the row lock of UPDATE … RETURNING), never max()+1, so two desks on
  one database get gapless, unique numbers per kind and year;
- a signed letter is immutable: its wording is frozen into `letter.body` on signing; only
  status, files and the void/print/reply fields change afterwards;
- 逾期未复 is derived (`effective_status`), never stored.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tui.clock import now
from tui.errors import DubanError
from tui.letters.compose import (
    KIND_NAMES,
    KIND_RUNG,
    RUNG_KIND,
    ItemSnapshot,
    Wording,
    check_head,
    compose_model,
    deadline_text,
    render_wording,
    template_values,
)
from tui.letters.numbering import format_number, prefix_for
from tui.letters.templates import normalize_kind
from tui.store.audit import record
from tui.store.letter_models import (
    DRAFT,
    PRINTED,
    REPLIED,
    REPLY_LATE,
    SIGNED,
    VOID,
    LadderOverride,
    Letter,
    LetterItem,
    LetterReply,
)
from tui.store.models import Assignment, Task, Unit

__all__ = [
    "DraftResult",
    "DueReport",
    "LetterRow",
    "Proposal",
    "RenderedLetter",
    "UnitDue",
    "batch_ids",
    "draft_letters",
    "due_proposals",
    "edit_draft",
    "effective_status",
    "get_letter",
    "hold_item",
    "letter_model",
    "list_letters",
    "print_letters",
    "push_item",
    "record_reply",
    "release_item",
    "render_letters",
    "sign_letters",
    "void_letter",
]


# ----------------------------------------------------------------------------- context


def _settings(settings):
    if settings is not None:
        return settings
    from tui.config import load_settings

    return load_settings()


def _calendar(settings, calendar):
    if calendar is not None:
        return calendar
    from tui.domain.calendar import WorkCalendar

    return WorkCalendar.from_dir(settings.holidays_dir or None)


def _reply_due(issued_on: date, settings, calendar) -> date:
    from tui.domain.escalation import reply_due

    return reply_due(issued_on, calendar, settings.ladder())


def _kind(kind: str) -> str:
    return normalize_kind(kind)


# ----------------------------------------------------------------------------- proposals


@dataclass(slots=True)
class Proposal:
    """One assignment the ladder puts on a rung today."""

    assignment_id: int
    unit_id: int | None
    unit_name: str
    task_number: str
    task_title: str
    role: str
    rung: int
    kind: str
    reason: str
    due: date | None
    days: int | None
    status: str
    last_progress: str
    draft_id: int | None = None  # already in a pending draft of this kind


@dataclass(slots=True)
class UnitDue:
    unit_id: int
    unit_name: str
    kind: str
    items: list[Proposal]


@dataclass(slots=True)
class DueReport:
    as_of: date
    groups: list[UnitDue]
    skipped: dict[str, int] = field(default_factory=dict)  # unresolved group → items
    warnings: list[str] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        out = [
            f"待分解的单位组“{name}”有 {n} 项应发函，已跳过：请先分解到具体单位"
            for name, n in sorted(self.skipped.items())
        ]
        return out + list(self.warnings)


def _letter_facts(session: Session) -> dict[int, list]:
    from tui.domain.escalation import LetterFact, Rung

    rows = session.connection().execute(
        text(
            "SELECT li.assignment_id, l.rung, l.issued_on, l.reply_due, l.status, "
            "(SELECT MIN(r.replied_on) FROM letter_reply r WHERE r.letter_id = l.id) "
            "FROM letter_item li JOIN letter l ON l.id = li.letter_id "
            "WHERE l.number IS NOT NULL AND l.issued_on IS NOT NULL"
        )
    )
    out: dict[int, list] = defaultdict(list)
    for aid, rung, issued, due, status, replied in rows:
        out[aid].append(
            LetterFact(
                rung=Rung(int(rung)),
                issued_on=_d(issued),
                reply_due=_d(due),
                replied_on=_d(replied),
                voided=status == VOID,
            )
        )
    return out


def _d(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _overrides(session: Session) -> dict[int, LadderOverride]:
    rows = session.exec(
        select(LadderOverride).where(LadderOverride.active.is_(True)).order_by(LadderOverride.id)
    ).all()
    return {o.assignment_id: o for o in rows}


def _pending_drafts(session: Session) -> dict[tuple[int, str], int]:
    rows = session.connection().execute(
        text(
            "SELECT li.assignment_id, l.kind, l.id FROM letter_item li "
            "JOIN letter l ON l.id = li.letter_id WHERE l.status = :s"
        ),
        {"s": DRAFT},
    )
    return {(aid, kind): lid for aid, kind, lid in rows}


def due_proposals(
    session: Session,
    as_of: date,
    *,
    settings=None,
    calendar=None,
    unit: str | None = None,
) -> DueReport:
    """What the ladder proposes as of a date, grouped by unit and kind (highest rung first)."""
    from tui.domain.board import evaluate
    from tui.domain.escalation import Rung, ladder_rung
    from tui.store.board import load_facts

    settings = _settings(settings)
    calendar = _calendar(settings, calendar)
    ladder = settings.ladder()
    unit_ids = _unit_filter(session, unit)
    raw = session.connection().connection  # DB-API connection, inside this transaction
    facts = load_facts(raw, as_of=as_of)
    letters = _letter_facts(session)
    overrides = _overrides(session)
    drafts = _pending_drafts(session)
    report = DueReport(as_of, [])
    groups: dict[tuple[int, str], UnitDue] = {}
    for ev in evaluate(facts, as_of, soon_days=settings.soon_days):
        f = ev.fact
        if unit_ids is not None and f.unit_id not in unit_ids:
            continue
        ov = overrides.get(f.id)
        decision = ladder_rung(
            ev.status,
            as_of,
            last_progress=f.progress_dates[-1] if f.progress_dates else None,
            letters=letters.get(f.id, ()),
            settings=ladder,
            manual=Rung(ov.rung) if ov is not None and ov.rung and not ov.hold else None,
            hold=bool(ov is not None and ov.hold),
        )
        if decision.rung == Rung.NONE:
            continue
        if f.unit_id is None:
            report.skipped[f.unit_name] = report.skipped.get(f.unit_name, 0) + 1
            continue
        kind = RUNG_KIND[int(decision.rung)]
        reason = decision.reason
        if ov is not None and ov.rung and not ov.hold and ov.reason:
            reason = f"{reason}（提级理由：{ov.reason}）"
        p = Proposal(
            assignment_id=f.id,
            unit_id=f.unit_id,
            unit_name=f.unit_name,
            task_number=f.task_number,
            task_title=f.task_title,
            role=f.role,
            rung=int(decision.rung),
            kind=kind,
            reason=reason,
            due=ev.status.due,
            days=ev.status.days,
            status=ev.status.status.value,
            last_progress=f.last_progress,
            draft_id=drafts.get((f.id, kind)),
        )
        key = (f.unit_id, kind)
        if key not in groups:
            groups[key] = UnitDue(f.unit_id, f.unit_name, kind, [])
        groups[key].items.append(p)
    report.groups = sorted(
        groups.values(), key=lambda g: (-KIND_RUNG[g.kind], g.unit_name, g.unit_id)
    )
    report.warnings = list(calendar.warnings)
    return report


def _unit_filter(session: Session, unit: str | None) -> set[int] | None:
    if not unit:
        return None
    if unit.isdigit() and session.get(Unit, int(unit)) is not None:
        return {int(unit)}
    from tui.store.queries import find_units

    return {u.id for u in find_units(session, unit) if u.id is not None}


# ----------------------------------------------------------------------------- drafting


class DraftResult(list):
    """The new drafts (a list of Letter), with `notes` for what was skipped and why."""

    notes: list[str]

    def __init__(self, letters: Sequence[Letter] = (), notes: Sequence[str] = ()) -> None:
        super().__init__(letters)
        self.notes = list(notes)


def _earlier_numbers(
    session: Session, assignment_ids: Sequence[int], as_of: date
) -> dict[int, str]:
    if not assignment_ids:
        return {}
    rows = session.exec(
        select(LetterItem.assignment_id, Letter.number)
        .join(Letter, Letter.id == LetterItem.letter_id)
        .where(
            LetterItem.assignment_id.in_(list(assignment_ids)),
            Letter.number.is_not(None),
            Letter.status != VOID,
            Letter.issued_on <= as_of,
        )
        .order_by(Letter.issued_on, Letter.id)
    ).all()
    out: dict[int, list[str]] = defaultdict(list)
    for aid, number in rows:
        out[aid].append(number)
    return {aid: "、".join(nums) for aid, nums in out.items()}


def draft_letters(
    session: Session,
    kind: str,
    as_of: date,
    unit: str | None = None,
    actor: str = "",
    *,
    settings=None,
    calendar=None,
    template_dir: Path | None = None,
) -> DraftResult:
    """One draft per unit for this kind, listing all that unit's items on this rung.

    Items already in a pending draft of the same kind are left out (no duplicate letters);
    unresolved group assignments are skipped and named in `notes`."""
    kind = _kind(kind)
    settings = _settings(settings)
    calendar = _calendar(settings, calendar)
    report = due_proposals(session, as_of, settings=settings, calendar=calendar, unit=unit)
    notes = list(report.notes)
    groups = [g for g in report.groups if g.kind == kind]
    batch = session.info.get("batch", "")
    created: list[Letter] = []
    in_drafts = 0
    for g in groups:
        items = [p for p in g.items if p.draft_id is None]
        in_drafts += len(g.items) - len(items)
        if not items:
            continue
        u = session.get(Unit, g.unit_id)
        head = (u.head or "") if u is not None else ""
        # the wording must render now, so a broken template stops the batch before any write
        values = template_values(
            kind=kind,
            unit_name=g.unit_name,
            head=head,
            dues=[p.due for p in items],
            letter_date=as_of,
            reply_due=_reply_due(as_of, settings, calendar),
            reply_workdays=settings.reply_workdays,
            settings=settings,
        )
        wording = render_wording(kind, values, settings, None, template_dir)
        if kind == "督办" and not head.strip():
            notes.append(f"单位 {g.unit_name} 未登记负责人，督办函签发前须补充负责人")
        letter = Letter(
            kind=kind,
            rung=KIND_RUNG[kind],
            unit_id=g.unit_id,
            addressee=wording.addressee,
            title=wording.title,
            body="",
            status=DRAFT,
            batch=batch,
            as_of=as_of,
            created_at=now(),
            created_by=actor,
        )
        session.add(letter)
        session.flush()
        earlier = _earlier_numbers(session, [p.assignment_id for p in items], as_of)
        for pos, p in enumerate(items, start=1):
            session.add(
                LetterItem(
                    letter_id=letter.id,
                    assignment_id=p.assignment_id,
                    position=pos,
                    task_number=p.task_number,
                    task_title=p.task_title,
                    due=p.due,
                    deadline_text=deadline_text(p.due),
                    last_progress=p.last_progress,
                    earlier_letters=earlier.get(p.assignment_id, ""),
                    reason=p.reason,
                )
            )
        record(
            session,
            actor,
            "letter.draft",
            "letter",
            letter.id,
            None,
            {
                "kind": kind,
                "unit_id": g.unit_id,
                "as_of": as_of,
                "assignments": [p.assignment_id for p in items],
            },
        )
        created.append(letter)
    session.flush()
    if in_drafts:
        notes.append(f"{in_drafts} 项已在未签发的{KIND_NAMES[kind]}草稿中，未重复起草")
    return DraftResult(created, notes)


def get_letter(session: Session, letter_id: int) -> Letter:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise DubanError(f"找不到函件：{letter_id}")
    return letter


def _items(session: Session, letter_id: int) -> list[LetterItem]:
    return list(
        session.exec(
            select(LetterItem)
            .where(LetterItem.letter_id == letter_id)
            .order_by(LetterItem.position)
        ).all()
    )


def _require_draft(letter: Letter) -> None:
    if letter.status == VOID:
        raise DubanError(f"函件 {letter.id} 已作废，不能修改")
    if letter.status != DRAFT or letter.number:
        raise DubanError("已签发的函件不能修改，请作废后重新起草")


def edit_draft(
    session: Session,
    letter_id: int,
    actor: str,
    *,
    title: str | None = None,
    addressee: str | None = None,
    body_paragraphs: Sequence[str] | None = None,
    closing: str | None = None,
    remove: Sequence[int] = (),
    add: Sequence[int] = (),
    template_dir: Path | None = None,
    settings=None,
) -> Letter:
    """Change a draft's wording or items (assignment ids); signed letters refuse."""
    letter = get_letter(session, letter_id)
    _require_draft(letter)
    edits = json.loads(letter.body) if letter.body else {}
    before = {"edits": dict(edits)}
    for key, value in (
        ("title", title),
        ("addressee", addressee),
        ("closing", closing),
    ):
        if value is not None:
            edits[key] = value.strip()
    if body_paragraphs is not None:
        edits["body_paragraphs"] = [p.strip() for p in body_paragraphs if p.strip()]
    items = _items(session, letter.id)
    have = {it.assignment_id: it for it in items}
    for aid in remove:
        if aid not in have:
            raise DubanError(f"函件 {letter.id} 中没有落实事项 {aid}")
        session.delete(have.pop(aid))
    session.flush()
    pos = max((it.position for it in have.values()), default=0)
    for aid in add:
        if aid in have:
            raise DubanError(f"落实事项 {aid} 已在函件 {letter.id} 中")
        a = session.get(Assignment, aid)
        if a is None or not a.active:
            raise DubanError(f"找不到落实事项：{aid}")
        if a.unit_id != letter.unit_id:
            raise DubanError(f"落实事项 {aid} 不属于本函的受函单位，不能加入")
        pos += 1
        snap = _snapshot(session, a, letter.as_of)
        item = LetterItem(letter_id=letter.id, assignment_id=aid, position=pos, **snap)
        session.add(item)
        have[aid] = item
    if not have:
        raise DubanError("函件至少要保留一项事项；不需要这封函时请作废")
    letter.body = json.dumps(edits, ensure_ascii=False) if edits else ""
    # check the edited wording renders (unknown placeholders are refused now, not at signing)
    settings = _settings(settings)
    u = session.get(Unit, letter.unit_id)
    values = template_values(
        kind=letter.kind,
        unit_name=u.name if u else "",
        head=(u.head or "") if u else "",
        dues=[it.due for it in have.values()],
        letter_date=letter.as_of,
        reply_due=letter.as_of,
        reply_workdays=settings.reply_workdays,
        settings=settings,
    )
    wording = render_wording(letter.kind, values, settings, edits, template_dir)
    letter.title, letter.addressee = wording.title, wording.addressee
    record(
        session,
        actor,
        "letter.edit",
        "letter",
        letter.id,
        before,
        {"edits": edits, "removed": list(remove), "added": list(add)},
    )
    session.flush()
    return letter


def _snapshot(session: Session, a: Assignment, as_of: date) -> dict:
    task = session.get(Task, a.task_id)
    due = a.due_override
    if due is None and task is not None and task.due_dates:
        dues = [date.fromisoformat(x) for x in task.due_dates.split(",")]
        later = [d for d in dues if d >= as_of]
        due = min(later) if later and task.due_recurring else max(dues)
    last = (
        session.connection()
        .execute(
            text(
                "SELECT text FROM progress WHERE assignment_id = :a AND reported_on <= :d "
                "ORDER BY reported_on DESC, id DESC LIMIT 1"
            ),
            {"a": a.id, "d": as_of.isoformat()},
        )
        .scalar()
    )
    return {
        "task_number": task.number if task else "",
        "task_title": task.title if task else "",
        "due": due,
        "deadline_text": deadline_text(due),
        "last_progress": last or "",
        "earlier_letters": _earlier_numbers(session, [a.id], as_of).get(a.id, ""),
        "reason": "人工加入",
    }


# ----------------------------------------------------------------------------- signing


@contextmanager
def _locked(engine: Engine) -> Iterator[Session]:
    """A write transaction that holds the database write lock from its first statement.

    SQLite: BEGIN IMMEDIATE, so two desks signing at once queue up (busy_timeout) instead
    of both reading the same counter. Other databases: the UPDATE's row lock does it."""
    import uuid

    with Session(engine, expire_on_commit=False) as session:
        session.info["batch"] = uuid.uuid4().hex
        conn = session.connection()
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _next_seq(session: Session, kind: str, year: int) -> int:
    conn = session.connection()
    conn.execute(
        text(
            "INSERT INTO letter_counter (kind, year, next_seq) VALUES (:k, :y, 1) "
            "ON CONFLICT (kind, year) DO NOTHING"
        ),
        {"k": kind, "y": year},
    )
    seq = conn.execute(
        text(
            "UPDATE letter_counter SET next_seq = next_seq + 1 WHERE kind = :k AND year = :y "
            "RETURNING next_seq - 1"
        ),
        {"k": kind, "y": year},
    ).scalar_one()
    return int(seq)


def _frozen_wording(letter: Letter) -> Wording | None:
    if letter.body:
        data = json.loads(letter.body)
        if data.get("frozen"):
            return Wording.from_json(letter.body)
    return None


def _wording(
    session: Session,
    letter: Letter,
    items: Sequence[LetterItem],
    settings,
    calendar,
    template_dir: Path | None,
) -> tuple[Wording, date]:
    """The wording and the letter's date: frozen for signed letters, from the template else."""
    frozen = _frozen_wording(letter)
    if frozen is not None:
        return frozen, letter.issued_on or letter.as_of
    letter_date = letter.issued_on or letter.as_of
    reply = letter.reply_due or _reply_due(letter_date, settings, calendar)
    u = session.get(Unit, letter.unit_id)
    values = template_values(
        kind=letter.kind,
        unit_name=u.name if u else "",
        head=(u.head or "") if u else "",
        dues=[it.due for it in items],
        letter_date=letter_date,
        reply_due=reply,
        reply_workdays=settings.reply_workdays,
        settings=settings,
    )
    edits = json.loads(letter.body) if letter.body else None
    return render_wording(letter.kind, values, settings, edits, template_dir), letter_date


def sign_letters(
    engine: Engine,
    ids: Sequence[int],
    by: str,
    *,
    on: date | None = None,
    actor: str = "",
    settings=None,
    calendar=None,
    template_dir: Path | None = None,
) -> list[Letter]:
    """签发: number the drafts (in the order given), date them, freeze their wording.

    One transaction under the write lock: all get numbers, or none does."""
    by = (by or "").strip()
    if not by:
        raise DubanError("签发必须写明签发人（--by 姓名）")
    if not ids:
        raise DubanError("请指定要签发的函件编号")
    if len(set(ids)) != len(ids):
        raise DubanError("签发的函件编号有重复")
    settings = _settings(settings)
    calendar = _calendar(settings, calendar)
    on = on or date.today()
    actor = actor or by
    signed: list[Letter] = []
    try:
        with _locked(engine) as session:
            for lid in ids:
                letter = get_letter(session, lid)
                _require_draft(letter)
                items = _items(session, letter.id)
                if not items:
                    raise DubanError(f"函件 {lid} 没有任何事项，不能签发")
                u = session.get(Unit, letter.unit_id)
                check_head(
                    letter.kind, u.name if u else str(letter.unit_id), (u.head or "") if u else ""
                )
                closed = [
                    it.task_number
                    for it in items
                    if (a := session.get(Assignment, it.assignment_id)) is not None
                    and a.completed_on is not None
                    and a.completed_on <= on
                ]
                if closed:
                    raise DubanError(
                        f"函件 {lid} 中的事项 {'、'.join(closed)} 已销号，请从草稿中移除后再签发"
                    )
                letter.issued_on = on
                letter.reply_due = _reply_due(on, settings, calendar)
                wording, _ = _wording(session, letter, items, settings, calendar, template_dir)
                prefix = prefix_for(letter.kind, settings.letter_prefix)
                seq = _next_seq(session, letter.kind, on.year)
                letter.year, letter.seq = on.year, seq
                letter.number = format_number(prefix, on.year, seq)
                letter.status = SIGNED
                letter.signed_by = by
                letter.signed_at = now()
                letter.title, letter.addressee = wording.title, wording.addressee
                letter.body = wording.to_json()
                session.flush()
                record(
                    session,
                    actor,
                    "letter.sign",
                    "letter",
                    letter.id,
                    {"status": DRAFT},
                    {
                        "status": SIGNED,
                        "number": letter.number,
                        "signed_by": by,
                        "issued_on": on,
                        "reply_due": letter.reply_due,
                    },
                )
                signed.append(letter)
            if calendar.warnings:
                pass  # shown by the caller (calendar.warnings)
    except IntegrityError as exc:
        raise DubanError(
            "发文字号冲突：编号已被占用（登记簿或计数器被改动过），本次签发未生效，请联系管理员检查"
            f"（{type(exc.orig).__name__ if exc.orig else exc}）"
        ) from None
    return signed


# ----------------------------------------------------------------------------- views


def effective_status(letter: Letter, today: date | None = None) -> str:
    """Stored status, or 逾期未复 for a signed/printed letter past its reply deadline."""
    today = today or date.today()
    if letter.status in (SIGNED, PRINTED) and letter.reply_due and letter.reply_due < today:
        return REPLY_LATE
    return letter.status


def letter_model(
    session: Session,
    letter_id: int,
    *,
    settings=None,
    calendar=None,
    template_dir: Path | None = None,
):
    """(Letter, LetterModel) for preview or rendering."""
    settings = _settings(settings)
    calendar = _calendar(settings, calendar)
    letter = get_letter(session, letter_id)
    items = _items(session, letter.id)
    wording, letter_date = _wording(session, letter, items, settings, calendar, template_dir)
    snaps = [
        ItemSnapshot(
            number=it.task_number,
            title=it.task_title,
            due=it.due,
            deadline_text=it.deadline_text,
            last_progress=it.last_progress,
            earlier_letters=it.earlier_letters,
        )
        for it in items
    ]
    return letter, compose_model(letter.kind, letter.number, wording, snaps, letter_date)


@dataclass(slots=True)
class LetterRow:
    id: int
    number: str | None
    kind: str
    unit_id: int
    unit: str
    addressee: str
    title: str
    status: str  # effective: 逾期未复 derived
    stored_status: str
    items: int
    batch: str
    as_of: date
    issued_on: date | None
    reply_due: date | None
    replied_on: date | None
    signed_by: str | None
    printed_at: str | None
    void_reason: str | None
    files: list[dict]

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "number": self.number,
            "kind": self.kind,
            "unit_id": self.unit_id,
            "unit": self.unit,
            "addressee": self.addressee,
            "title": self.title,
            "status": self.status,
            "items": self.items,
            "batch": self.batch,
            "as_of": self.as_of.isoformat(),
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "reply_due": self.reply_due.isoformat() if self.reply_due else None,
            "replied_on": self.replied_on.isoformat() if self.replied_on else None,
            "signed_by": self.signed_by,
            "printed_at": self.printed_at,
            "void_reason": self.void_reason,
            "files": self.files,
        }


def list_letters(
    session: Session,
    *,
    status: str | None = None,
    kind: str | None = None,
    unit: str | None = None,
    batch: str | None = None,
    today: date | None = None,
) -> list[LetterRow]:
    """The register, newest first by number within kind; drafts last."""
    q = select(Letter, Unit.name).join(Unit, Unit.id == Letter.unit_id)
    if kind:
        q = q.where(Letter.kind == _kind(kind))
    if batch:
        q = q.where(Letter.batch == batch)
    unit_ids = _unit_filter(session, unit)
    if unit_ids is not None:
        q = q.where(Letter.unit_id.in_(list(unit_ids)))
    q = q.order_by(Letter.id)
    counts = {
        lid: n
        for lid, n in session.connection().execute(
            text("SELECT letter_id, COUNT(*) FROM letter_item GROUP BY letter_id")
        )
    }
    replies = {
        lid: _d(on)
        for lid, on in session.connection().execute(
            text("SELECT letter_id, MIN(replied_on) FROM letter_reply GROUP BY letter_id")
        )
    }
    rows: list[LetterRow] = []
    for letter, unit_name in session.exec(q).all():
        eff = effective_status(letter, today)
        if status and status not in (eff, letter.status):
            continue
        rows.append(
            LetterRow(
                id=letter.id,
                number=letter.number,
                kind=letter.kind,
                unit_id=letter.unit_id,
                unit=unit_name,
                addressee=letter.addressee,
                title=letter.title,
                status=eff,
                stored_status=letter.status,
                items=int(counts.get(letter.id, 0)),
                batch=letter.batch,
                as_of=letter.as_of,
                issued_on=letter.issued_on,
                reply_due=letter.reply_due,
                replied_on=replies.get(letter.id),
                signed_by=letter.signed_by,
                printed_at=letter.printed_at.isoformat() if letter.printed_at else None,
                void_reason=letter.void_reason,
                files=json.loads(letter.files) if letter.files else [],
            )
        )
    return rows


def batch_ids(session: Session, batch: str) -> list[int]:
    """The letters of one drafting batch, in number order (drafts after, by id)."""
    letters = session.exec(select(Letter).where(Letter.batch.startswith(batch))).all()
    if not letters:
        raise DubanError(f"找不到起草批次：{batch}")
    if len({x.batch for x in letters}) > 1:
        raise DubanError(f"批次“{batch}”对应多个起草批次，请写完整")
    letters = sorted(letters, key=lambda x: (x.seq is None, x.kind, x.seq or 0, x.id))
    return [x.id for x in letters if x.id is not None]


# ----------------------------------------------------------------------------- rendering


@dataclass(slots=True)
class RenderedLetter:
    letter_id: int
    number: str | None
    pdf: Path
    docx: Path
    pages: int


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _file_stem(letter: Letter, unit_name: str) -> str:
    head = letter.number or f"草稿{letter.id}"
    return _UNSAFE.sub("_", f"{head}_{KIND_NAMES[letter.kind]}_{unit_name}")[:120]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def render_letters(
    engine: Engine,
    ids: Sequence[int],
    out_dir: str | Path,
    *,
    actor: str = "",
    settings=None,
    calendar=None,
    template_dir: Path | None = None,
    fonts=None,
) -> list[RenderedLetter]:
    """Write each letter's .docx and .pdf into `out_dir` and record the files with SHA-256.

    Every letter is composed before any file is written, so a broken template or a
    missing letter stops the run with nothing written and the register unchanged."""
    from tui.letters.docx_writer import write_docx
    from tui.letters.fonts import prepare_batch_fonts, resolve_fonts
    from tui.letters.model import letter_texts
    from tui.letters.pdf_writer import write_pdf

    if not ids:
        raise DubanError("请指定要生成的函件编号")
    settings = _settings(settings)
    calendar = _calendar(settings, calendar)
    out = Path(out_dir)
    models = []
    with Session(engine) as session:
        for lid in ids:
            letter, model = letter_model(
                session, lid, settings=settings, calendar=calendar, template_dir=template_dir
            )
            if letter.status == VOID:
                raise DubanError(f"函件 {lid} 已作废，不再生成")
            u = session.get(Unit, letter.unit_id)
            models.append((letter, model, _file_stem(letter, u.name if u else "")))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DubanError(f"无法创建输出目录：{out}（{exc.strerror}）") from None
    fonts = fonts or resolve_fonts(settings.font_file or None)
    done: list[RenderedLetter] = []
    with tempfile.TemporaryDirectory(prefix="duban-fonts-") as tmp:
        if len(models) > 1:
            texts = [letter_texts(m) for _, m, _ in models]
            fonts = prepare_batch_fonts(
                fonts, [b for b, _ in texts], [t for _, t in texts], Path(tmp)
            )
        for letter, model, stem in models:
            pdf, docx = out / f"{stem}.pdf", out / f"{stem}.docx"
            pages = write_pdf(model, pdf, fonts)
            write_docx(model, docx, fonts)
            done.append(RenderedLetter(letter.id, letter.number, pdf, docx, pages))
    with _locked(engine) as session:
        for r in done:
            letter = get_letter(session, r.letter_id)
            files = [
                {
                    "type": "pdf",
                    "path": str(r.pdf.resolve()),
                    "sha256": _sha256(r.pdf),
                    "pages": r.pages,
                },
                {"type": "docx", "path": str(r.docx.resolve()), "sha256": _sha256(r.docx)},
            ]
            before = json.loads(letter.files) if letter.files else []
            letter.files = json.dumps(files, ensure_ascii=False)
            record(session, actor, "letter.render", "letter", letter.id, before, files)
    return done


# ----------------------------------------------------------------------------- printing


def _current_pdf(letter: Letter) -> Path | None:
    for f in json.loads(letter.files) if letter.files else []:
        if f.get("type") == "pdf":
            p = Path(f["path"])
            if p.is_file() and _sha256(p) == f.get("sha256"):
                return p
    return None


def default_letters_dir(db: str | None) -> Path:
    """Where letters are written unless told otherwise: `letters/` beside the store."""
    from tui.store.location import resolve_db_url, sqlite_path

    path = sqlite_path(resolve_db_url(db))
    if path is not None:
        return path.parent / "letters"
    from platformdirs import user_data_dir

    return Path(user_data_dir("duban", appauthor=False)) / "letters"


def print_letters(
    engine: Engine,
    ids: Sequence[int],
    actor: str,
    *,
    out_dir: str | Path | None = None,
    settings=None,
    calendar=None,
    template_dir: Path | None = None,
    printer: str | None = None,
) -> list:
    """Print signed letters in the order given; each success is recorded as 已打印 at once.

    A letter whose recorded PDF is missing or changed is rendered again first (into
    `out_dir`). The first failure stops the run with a message naming the PDF; letters
    printed before it stay recorded, the failing one keeps its status."""
    from tui.letters.printing import print_pdf

    if not ids:
        raise DubanError("请指定要打印的函件编号")
    settings = _settings(settings)
    printer = settings.printer if printer is None else printer
    jobs = []
    with Session(engine) as session:
        for lid in ids:  # check them all before sending anything
            letter = get_letter(session, lid)
            if letter.status == VOID:
                raise DubanError(f"函件 {lid} 已作废，不能打印")
            if letter.status == DRAFT:
                raise DubanError(f"函件 {lid} 是草稿，尚未签发，不能打印（先用 letters sign 签发）")
    for lid in ids:
        with Session(engine) as session:
            letter = get_letter(session, lid)
            pdf = _current_pdf(letter)
        if pdf is None:
            if out_dir is None:
                raise DubanError(f"函件 {lid} 还没有生成 PDF，请先用 duban letters render 生成")
            render_letters(
                engine,
                [lid],
                out_dir,
                actor=actor,
                settings=settings,
                calendar=calendar,
                template_dir=template_dir,
            )
            with Session(engine) as session:
                pdf = _current_pdf(get_letter(session, lid))
        assert pdf is not None
        job = print_pdf(pdf, printer, title=letter.number or "")
        with _locked(engine) as session:
            letter = get_letter(session, lid)
            before = {"status": letter.status, "printed_at": letter.printed_at}
            if letter.status == SIGNED:
                letter.status = PRINTED
            letter.printed_at = now()
            letter.printed_by = actor
            record(
                session,
                actor,
                "letter.print",
                "letter",
                lid,
                before,
                {"status": letter.status, "printer": job.printer, "job": job.job, "file": job.path},
            )
        jobs.append(job)
    return jobs


# ----------------------------------------------------------------------------- replies, void


def record_reply(
    session: Session,
    letter_id: int,
    replied_on: date,
    reply_text: str,
    actor: str,
    *,
    settle: str | date | None = None,
    items: Sequence[int] | None = None,
) -> LetterReply:
    """A unit's written reply; `settle` = "done" closes the items, a date grants it as the
    new deadline (an extension), None only records the reply (and the reply as progress)."""
    from tui.store.progress import record_extension, record_progress

    reply_text = (reply_text or "").strip()
    if not reply_text:
        raise DubanError("回复内容不能为空")
    letter = get_letter(session, letter_id)
    if letter.status == VOID:
        raise DubanError(f"函件 {letter_id} 已作废，不能登记回复")
    if letter.status == DRAFT or not letter.issued_on:
        raise DubanError(f"函件 {letter_id} 尚未签发，不能登记回复")
    if replied_on < letter.issued_on:
        raise DubanError(
            f"回复日期 {replied_on.isoformat()} 早于发函日期 {letter.issued_on.isoformat()}"
        )
    if isinstance(settle, str) and settle not in ("", "done"):
        raise DubanError(f"--settle 只能是 done 或新的期限日期，现为：{settle}")
    if isinstance(settle, date) and settle <= replied_on:
        raise DubanError(f"新的期限 {settle.isoformat()} 应晚于回复日期 {replied_on.isoformat()}")
    all_items = _items(session, letter.id)
    chosen = all_items
    if items:
        by_aid = {it.assignment_id: it for it in all_items}
        missing = [a for a in items if a not in by_aid]
        if missing:
            raise DubanError(f"函件 {letter_id} 中没有落实事项：{'、'.join(map(str, missing))}")
        chosen = [by_aid[a] for a in items]
    label = letter.number or f"函件{letter.id}"
    for it in chosen:
        a = session.get(Assignment, it.assignment_id)
        if a is None or not a.active or a.completed_on is not None:
            continue
        record_progress(
            session,
            a.id,
            f"回复{label}：{reply_text}",
            replied_on,
            actor,
            done=settle == "done",
        )
        if isinstance(settle, date):
            record_extension(
                session,
                a.id,
                requested_on=replied_on,
                reason=f"{label}回复：{reply_text}",
                new_due=settle,
                granted=True,
                actor=actor,
            )
    reply = LetterReply(
        letter_id=letter.id,
        replied_on=replied_on,
        text=reply_text,
        settle=settle.isoformat() if isinstance(settle, date) else (settle or ""),
        recorded_by=actor,
        recorded_at=now(),
    )
    session.add(reply)
    before = {"status": letter.status}
    letter.status = REPLIED
    session.flush()
    record(
        session,
        actor,
        "letter.reply",
        "letter",
        letter.id,
        before,
        {"status": REPLIED, "replied_on": replied_on, "text": reply_text, "settle": reply.settle},
    )
    return reply


def void_letter(session: Session, letter_id: int, reason: str, actor: str) -> Letter:
    """作废: the letter keeps its number; a correction is a new draft."""
    reason = (reason or "").strip()
    if not reason:
        raise DubanError("作废必须写明原因（--reason）")
    letter = get_letter(session, letter_id)
    if letter.status == VOID:
        raise DubanError(f"函件 {letter_id} 已于此前作废")
    before = {"status": letter.status}
    letter.status = VOID
    letter.voided_at = now()
    letter.voided_by = actor
    letter.void_reason = reason
    session.flush()
    record(
        session,
        actor,
        "letter.void",
        "letter",
        letter.id,
        before,
        {"status": VOID, "reason": reason, "number": letter.number},
    )
    return letter


# ----------------------------------------------------------------------------- overrides


def _override(
    session: Session, assignment_id: int, rung: int | None, hold: bool, reason: str, actor: str
) -> LadderOverride | None:
    from tui.store.progress import get_assignment

    reason = (reason or "").strip()
    if not reason:
        raise DubanError("人工提级或暂缓必须写明理由（--reason）")
    a = get_assignment(session, assignment_id)
    old = session.exec(
        select(LadderOverride).where(
            LadderOverride.assignment_id == a.id, LadderOverride.active.is_(True)
        )
    ).all()
    for o in old:
        o.active = False
    before = [{"rung": o.rung, "hold": o.hold, "reason": o.reason} for o in old]
    new = None
    if rung is not None or hold:
        new = LadderOverride(
            assignment_id=a.id, rung=rung, hold=hold, reason=reason, by=actor, at=now()
        )
        session.add(new)
    session.flush()
    action = "ladder.hold" if hold else ("ladder.push" if rung else "ladder.release")
    record(
        session,
        actor,
        action,
        "assignment",
        a.id,
        before or None,
        {"rung": rung, "hold": hold, "reason": reason},
    )
    return new


def push_item(
    session: Session, assignment_id: int, kind: str, reason: str, actor: str
) -> LadderOverride:
    """A serious item goes straight to a higher rung by hand (at least `kind`)."""
    rung = KIND_RUNG[_kind(kind)]
    result = _override(session, assignment_id, rung, False, reason, actor)
    assert result is not None
    return result


def hold_item(session: Session, assignment_id: int, reason: str, actor: str) -> LadderOverride:
    """Hold an item back: the ladder proposes no letter until released."""
    result = _override(session, assignment_id, None, True, reason, actor)
    assert result is not None
    return result


def release_item(session: Session, assignment_id: int, reason: str, actor: str) -> None:
    """Drop a manual push or hold; the automatic ladder applies again."""
    _override(session, assignment_id, None, False, reason, actor)


def letter_statuses() -> tuple[str, ...]:
    """Every status a user can filter by, derived 逾期未复 included."""
    return (DRAFT, SIGNED, PRINTED, REPLIED, REPLY_LATE, VOID)
