"""The letters register (发文登记): what the ladder proposes, drafts, sign-off with numbering,
rendering, printing, replies, voiding, manual ladder overrides.

Rules this module keeps (GUIDE §4, §8):
- every write is one transaction with one audit batch; an error leaves the register as it was;
- numbers are taken from the `letter_counter` row under a write lock (SQLite: BEGIN
  IMMEDIATE; elsewhere the row lock of UPDATE … RETURNING), never max()+1, so two desks on
  one database get gapless, unique numbers per kind and year;
- a letter says only what the store shows: its history sentences come from the facts
  gathered here (earlier letters to the unit about the same items, replies, progress) as
  of the letter's date — the draft's as-of date until it is signed, the signing date after;
- a draft records its as-of date; signing dates the letter, recounts the days overdue to
  that date and freezes the wording into `letter.body`; `sign_check` says beforehand which
  numbers will be issued, which dates apply and which items changed since the draft;
- a signed letter is immutable: only status, files and the void/print/reply fields change;
- 逾期未复 is derived (`effective_status`), never stored.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from tui.clock import now
from tui.domain.status import Status
from tui.errors import DubanError
from tui.file_hash import file_sha256
from tui.letters.compose import (
    KIND_NAMES,
    KIND_RUNG,
    RUNG_KIND,
    ItemSnapshot,
    Wording,
    check_head,
    compose_model,
    deadline_text,
    letter_row_count,
    render_wording,
    template_values,
)
from tui.letters.facts import EarlierLetter, LetterFacts, conditions, missed_occurrences
from tui.letters.numbering import format_number, prefix_for
from tui.letters.templates import normalize_kind, one_batch, template_warnings
from tui.store.audit import audit_rows, insert_audit, record
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
from tui.store.letter_seal import broken_seal_message, broken_seals, seals_of
from tui.store.models import Assignment, Unit
from tui.text import note_text

__all__ = [
    "DraftResult",
    "DueReport",
    "ItemFlag",
    "LetterRow",
    "Proposal",
    "RenderedLetter",
    "SignPreview",
    "UnitDue",
    "batch_ids",
    "default_letters_dir",
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
    "sign_check",
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


def _identity(settings, region: str):
    """The settings with the office's identity filled in for a unit's region."""
    if hasattr(settings, "for_region"):
        return settings.for_region(region)
    return settings


def _identities(settings) -> Callable[[str], object]:
    """`_identity` for one batch: derived once per region, not once per letter."""
    memo: dict[str, object] = {}

    def of(region: str):
        got = memo.get(region)
        if got is None:
            got = memo[region] = _identity(settings, region)
        return got

    return of


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
    task_id: int = 0


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


# The statuses `ladder_rung` may call a letter for: a closed assignment never does.
_OPEN = frozenset(Status) - {Status.DONE, Status.DONE_LATE}


def due_proposals(
    session: Session,
    as_of: date,
    *,
    settings=None,
    calendar=None,
    unit: str | None = None,
    kinds: frozenset[str] | None = None,
) -> DueReport:
    """What the ladder proposes as of a date, grouped by unit and kind (highest rung first).

    `kinds` limits the answer to some letter kinds; for 提醒 and 督办 only overdue items
    (and items pushed up by hand) can qualify, so only those are read."""
    from tui.domain.escalation import Rung, ladder_rung
    from tui.store.facts import judged_facts

    settings = _settings(settings)
    calendar = _calendar(settings, calendar)
    ladder = settings.ladder()
    unit_ids = _unit_filter(session, unit)
    from tui.store.dialect import board_reader

    raw = board_reader(session.connection())  # the board reader inside this transaction
    overrides = _overrides(session)
    # A done assignment never calls for a letter (`ladder_rung`): the rows closed by the date
    # stay in SQL, the rest are judged as columns and only the open ones become objects.
    read = dict(as_of=as_of, soon_days=settings.soon_days, unit_ids=unit_ids, statuses=_OPEN)
    if kinds is not None and not kinds & {"提示"}:
        rows = judged_facts(raw, past_due_only=True, **read)
        pushed = {o.assignment_id for o in overrides.values() if o.rung and not o.hold}
        if pushed - {ev.fact.id for ev in rows}:
            seen = {ev.fact.id for ev in rows}
            rows += [
                ev for ev in judged_facts(raw, open_only=True, **read)
                if ev.fact.id in pushed and ev.fact.id not in seen
            ]  # fmt: skip
    else:
        rows = judged_facts(raw, open_only=True, **read)
    letters = _letter_facts(session)
    drafts = _pending_drafts(session)
    report = DueReport(as_of, [])
    groups: dict[tuple[int, str], UnitDue] = {}
    for ev in rows:
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
            task_id=f.task_id,
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


# ----------------------------------------------------------------------------- facts


def _d(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _in(sql: str, *names: str):
    """A statement whose named list parameters are expanded (`IN :ids`)."""
    return text(sql).bindparams(*(bindparam(n, expanding=True) for n in names))


class _Facts:
    """What the store says about some units' letters, items and progress, read in a few
    queries; answers the questions a letter's wording asks (`letter_facts`)."""

    def __init__(self, session: Session, unit_ids: set[int], assignment_ids: set[int]) -> None:
        conn = session.connection()
        self.letters: dict[int, list[tuple[int, EarlierLetter, frozenset[int]]]] = defaultdict(list)
        self.replies: dict[int, list[date]] = defaultdict(list)
        self.progress: dict[int, list[tuple[date, str, object]]] = defaultdict(list)
        self.tasks: dict[int, tuple] = {}
        if unit_ids:
            rows = conn.execute(
                _in(
                    "SELECT l.id, l.unit_id, l.kind, l.number, l.issued_on, l.reply_due, "
                    "li.assignment_id FROM letter l JOIN letter_item li ON li.letter_id = l.id "
                    "WHERE l.number IS NOT NULL AND l.issued_on IS NOT NULL AND l.status != :void "
                    "AND l.unit_id IN :units ORDER BY l.issued_on, l.id",
                    "units",
                ),
                {"void": VOID, "units": list(unit_ids)},
            ).all()
            info: dict[int, tuple] = {}
            aids: dict[int, set[int]] = defaultdict(set)
            for lid, uid, kind, number, issued, due, aid in rows:
                info[lid] = (uid, kind, number, _d(issued), _d(due))
                aids[lid].add(aid)
            if info:
                for lid, on in conn.execute(
                    _in(
                        "SELECT letter_id, replied_on FROM letter_reply WHERE letter_id IN :ids "
                        "ORDER BY replied_on",
                        "ids",
                    ),
                    {"ids": list(info)},
                ):
                    self.replies[lid].append(_d(on))
            for lid, (uid, kind, number, issued, due) in info.items():
                e = EarlierLetter(kind, number, issued, due, None)
                self.letters[uid].append((lid, e, frozenset(aids[lid])))
        if assignment_ids:
            ids = list(assignment_ids)
            for aid, on, txt, at in conn.execute(
                _in(
                    "SELECT assignment_id, reported_on, text, recorded_at FROM progress "
                    "WHERE assignment_id IN :ids ORDER BY assignment_id, reported_on, id",
                    "ids",
                ),
                {"ids": ids},
            ):
                self.progress[aid].append((_d(on), txt, at))
            for row in conn.execute(
                _in(
                    "SELECT a.id, a.task_id, a.role, a.completed_on, a.due_override, t.number, "
                    "t.text, t.title, t.due_dates, t.due_recurring, p.period_start, p.period_end, "
                    "p.issue_date FROM assignment a JOIN task t ON t.id = a.task_id "
                    "JOIN plan p ON p.id = t.plan_id WHERE a.id IN :ids",
                    "ids",
                ),
                {"ids": ids},
            ):
                self.tasks[row[0]] = row

    def earlier(
        self, unit_id: int, aids: set[int], on: date, self_id: int | None = None
    ) -> tuple[EarlierLetter, ...]:
        """Signed letters to this unit about any of these items, issued on or before `on`."""
        out = []
        for lid, e, covered in self.letters.get(unit_id, ()):
            if lid == self_id or e.issued_on > on or not covered & aids:
                continue
            replied = next((d for d in self.replies.get(lid, ()) if d <= on), None)
            out.append(EarlierLetter(e.kind, e.number, e.issued_on, e.reply_due, replied))
        return tuple(out)

    def numbers_for(self, unit_id: int, aid: int, on: date, self_id: int | None = None) -> str:
        return "、".join(
            e.number
            for lid, e, covered in self.letters.get(unit_id, ())
            if lid != self_id and e.issued_on <= on and aid in covered
        )

    def last_progress(self, aid: int, on: date) -> tuple[date | None, str]:
        last = [(d, t) for d, t, _ in self.progress.get(aid, ()) if d <= on]
        return last[-1] if last else (None, "")

    def period(self, aids: Sequence[int], fallback: date) -> tuple[int, int] | None:
        spans = []
        for aid in aids:
            row = self.tasks.get(aid)
            if row is None:
                continue
            start, end, issued = row[10], row[11], _d(row[12])
            if start:
                spans.append((int(start), int(end or start)))
            elif issued:
                spans.append((issued.year, issued.year))
        if not spans:
            return None
        return min(a for a, _ in spans), max(b for _, b in spans)

    def missed(self, aid: int, on: date) -> tuple[date, ...]:
        row = self.tasks.get(aid)
        if row is None or not row[9] or row[4] or not row[8]:
            return ()
        dues = [date.fromisoformat(x) for x in str(row[8]).split(",") if x]
        return missed_occurrences(dues, on, [d for d, _, _ in self.progress.get(aid, ())])

    def letter_facts(
        self,
        *,
        unit: Unit | None,
        aids: Sequence[int],
        dues: Sequence[date | None],
        rows: int,
        on: date,
        settings,
        kind: str,
        self_id: int | None = None,
    ) -> LetterFacts:
        aid_set = set(aids)
        with_progress = recent = 0
        window = settings.no_progress_days
        for aid in aid_set:
            dates = [d for d, _, _ in self.progress.get(aid, ()) if d <= on]
            if dates:
                with_progress += 1
                if (on - dates[-1]).days < window:
                    recent += 1
        overdue = [(on - d).days for d in dues if d is not None]
        return LetterFacts(
            letter_date=on,
            earlier=self.earlier(unit.id, aid_set, on, self_id) if unit is not None else (),
            items=rows,
            items_with_progress=with_progress,
            items_recent_progress=recent,
            max_overdue=max(overdue) if overdue else None,
            period=self.period(list(aids), on),
            has_head=bool(unit is not None and (unit.head or "").strip()),
            has_contact=bool(settings.contact or settings.phone),
            has_cc=bool(settings.cc) and kind == "督办",
        )


def _wording_for(
    kind: str,
    unit: Unit | None,
    snaps: Sequence[ItemSnapshot],
    aids: Sequence[int],
    on: date,
    reply_due: date,
    settings,
    facts: _Facts,
    edits: dict | None,
    template_dir: Path | None,
    self_id: int | None = None,
    *,
    identified: bool = False,
) -> Wording:
    """The wording of a letter dated `on`, from the template and the facts as of `on`.
    `identified`: `settings` already carry the identity for the unit's region."""
    if not identified:
        settings = _identity(settings, unit.region if unit is not None else "")
    rows = letter_row_count(snaps)  # the wording counts the attachment's rows (tasks)
    f = facts.letter_facts(
        unit=unit,
        aids=aids,
        dues=[s.due for s in snaps],
        rows=rows,
        on=on,
        settings=settings,
        kind=kind,
        self_id=self_id,
    )
    values = template_values(
        kind=kind,
        unit_name=unit.name if unit is not None else "",
        head=(unit.head or "") if unit is not None else "",
        dues=[s.due for s in snaps],
        letter_date=on,
        reply_due=reply_due,
        reply_workdays=settings.reply_workdays,
        settings=settings,
        facts=f,
        count=rows,
    )
    return render_wording(kind, values, settings, edits, template_dir, conditions(f))


def _snap(it: LetterItem) -> ItemSnapshot:
    return ItemSnapshot(
        number=it.task_number,
        title=it.task_title,
        due=it.due,
        deadline_text=it.deadline_text,
        last_progress=it.last_progress,
        earlier_letters=it.earlier_letters,
        role=it.role or "",
        task_key=str(it.task_id) if it.task_id is not None else "",
        missed=tuple(date.fromisoformat(x) for x in (it.missed or "").split(",") if x),
        progress_on=it.progress_on,
    )


# ----------------------------------------------------------------------------- drafting


class DraftResult(list):
    """The new drafts (a list of Letter), with `notes` for what was skipped and why and
    `item_counts` (letter id → rows in its register entry)."""

    notes: list[str]
    item_counts: dict[int, int]

    def __init__(
        self,
        letters: Sequence[Letter] = (),
        notes: Sequence[str] = (),
        item_counts: dict[int, int] | None = None,
    ) -> None:
        super().__init__(letters)
        self.notes = list(notes)
        self.item_counts = dict(item_counts or {})


def _snapshot_row(
    facts: _Facts, unit_id: int, aid: int, due: date | None, on: date, fallback_title: str = ""
) -> dict:
    """What a letter keeps of one assignment, read as of `on`."""
    row = facts.tasks.get(aid)
    progress_on, progress = facts.last_progress(aid, on)
    missed = facts.missed(aid, on)
    return {
        "assignment_id": aid,
        "task_id": row[1] if row else None,
        "role": row[2] if row else "",
        "task_number": row[5] if row else "",
        # the task's whole text: the attachment never shortens it
        "task_title": (row[6] or row[7]) if row else fallback_title,
        "due": due,
        "deadline_text": deadline_text(due),
        "last_progress": progress,
        "progress_on": progress_on,
        "earlier_letters": facts.numbers_for(unit_id, aid, on),
        "missed": ",".join(d.isoformat() for d in missed),
    }


def _snap_of(row: dict) -> ItemSnapshot:
    return ItemSnapshot(
        number=row["task_number"],
        title=row["task_title"],
        due=row["due"],
        deadline_text=row["deadline_text"],
        last_progress=row["last_progress"],
        earlier_letters=row["earlier_letters"],
        role=row["role"],
        task_key=str(row["task_id"]) if row["task_id"] is not None else "",
        missed=tuple(date.fromisoformat(x) for x in row["missed"].split(",") if x),
        progress_on=row["progress_on"],
    )


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

    The draft records its as-of date: its attachment and wording state the facts as of
    then. Items already in a pending draft of the same kind are left out (no duplicate
    letters); unresolved group assignments are skipped and named in `notes`. Written in
    a few bulk statements: a batch of 300 letters is one transaction of a few queries."""
    kind = _kind(kind)
    settings = _settings(settings)
    calendar = _calendar(settings, calendar)
    report = due_proposals(
        session, as_of, settings=settings, calendar=calendar, unit=unit, kinds=frozenset({kind})
    )
    notes = list(report.notes) + template_warnings(kind, template_dir)
    batch = session.info.get("batch", "")
    pending: list[tuple[UnitDue, list[Proposal]]] = []
    in_drafts = 0
    for g in report.groups:
        if g.kind != kind:
            continue
        items = [p for p in g.items if p.draft_id is None]
        in_drafts += len(g.items) - len(items)
        if items:
            pending.append((g, items))
    if in_drafts:
        notes.append(f"{in_drafts} 项已在未签发的{KIND_NAMES[kind]}草稿中，未重复起草")
    if not pending:
        return DraftResult([], notes)
    unit_ids = {g.unit_id for g, _ in pending}
    aids = {p.assignment_id for _, items in pending for p in items}
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(list(unit_ids)))).all()}
    facts = _Facts(session, unit_ids, aids)
    reply = _reply_due(as_of, settings, calendar)
    identity = _identities(settings)
    created_at = now()
    letter_rows: list[dict] = []
    item_rows: list[list[dict]] = []
    with one_batch():  # the template read once for the batch
        for g, items in pending:
            u = units.get(g.unit_id)
            rows = [
                _snapshot_row(facts, g.unit_id, p.assignment_id, p.due, as_of, p.task_title)
                for p in items
            ]
            for row, p in zip(rows, items, strict=True):
                row["reason"] = p.reason
            # the wording must render now, so a broken template stops the batch before any write
            wording = _wording_for(
                kind,
                u,
                [_snap_of(r) for r in rows],
                [p.assignment_id for p in items],
                as_of,
                reply,
                identity(u.region if u is not None else ""),
                facts,
                None,
                template_dir,
                identified=True,
            )
            if kind == "督办" and not ((u.head or "").strip() if u else ""):
                notes.append(f"单位 {g.unit_name} 未登记负责人，督办函签发前须补充负责人")
            letter_rows.append(
                {
                    "kind": kind,
                    "rung": KIND_RUNG[kind],
                    "unit_id": g.unit_id,
                    "addressee": wording.addressee,
                    "title": wording.title,
                    "body": "",
                    "status": DRAFT,
                    "batch": batch,
                    "as_of": as_of,
                    "created_at": created_at,
                    "created_by": actor,
                    "files": "",
                }
            )
            item_rows.append(rows)
    conn = session.connection()
    table = Letter.__table__
    ids = list(
        conn.execute(
            table.insert().returning(table.c.id, sort_by_parameter_order=True), letter_rows
        ).scalars()
    )
    flat = [
        {**row, "letter_id": lid, "position": pos}
        for lid, rows in zip(ids, item_rows, strict=True)
        for pos, row in enumerate(rows, start=1)
    ]
    conn.execute(LetterItem.__table__.insert(), flat)
    audit = [
        (
            lid,
            None,
            {
                "kind": kind,
                "unit_id": row["unit_id"],
                "as_of": as_of,
                "assignments": [r["assignment_id"] for r in rows],
            },
        )
        for lid, row, rows in zip(ids, letter_rows, item_rows, strict=True)
    ]
    insert_audit(session, audit_rows(actor, "letter.draft", "letter", audit, batch))
    letters = list(session.exec(select(Letter).where(Letter.id.in_(ids)).order_by(Letter.id)).all())
    counts = {lid: len(rows) for lid, rows in zip(ids, item_rows, strict=True)}
    return DraftResult(letters, notes, counts)


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


class _Item:
    """A letter_item row read with Core (a batch of 300 letters has 3,000 of them)."""

    __slots__ = tuple(c.name for c in LetterItem.__table__.columns)

    def __init__(self, row) -> None:  # replaced below by one unpacking assignment
        for name, value in zip(self.__slots__, row, strict=True):
            setattr(self, name, value)


def _unpacking_init(names: Sequence[str]):
    """`__init__(self, row)` as one tuple assignment of every slot (ten times cheaper than a
    setattr per column; a row of another length still raises, as zip(strict=True) did)."""
    ns: dict = {}
    targets = ", ".join(f"self.{n}" for n in names)
    exec(f"def __init__(self, row):\n    {targets}, = row\n", ns)  # noqa: S102
    return ns["__init__"]


_Item.__init__ = _unpacking_init(_Item.__slots__)  # type: ignore[method-assign]


def _items_of(session: Session, ids: Sequence[int]) -> dict[int, list[_Item]]:
    out: dict[int, list[_Item]] = defaultdict(list)
    if not ids:
        return out
    t = LetterItem.__table__
    rows = session.connection().execute(
        select(t).where(t.c.letter_id.in_(list(ids))).order_by(t.c.letter_id, t.c.position)
    )
    for row in rows:
        item = _Item(row)
        out[item.letter_id].append(item)
    return out


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
    facts = _Facts(session, {letter.unit_id}, {*have, *add})
    for aid in add:
        if aid in have:
            raise DubanError(f"落实事项 {aid} 已在函件 {letter.id} 中")
        a = session.get(Assignment, aid)
        if a is None or not a.active:
            raise DubanError(f"找不到落实事项：{aid}")
        if a.unit_id != letter.unit_id:
            raise DubanError(f"落实事项 {aid} 不属于本函的受函单位，不能加入")
        pos += 1
        due = _due_as_of(facts, aid, letter.as_of)
        row = _snapshot_row(facts, letter.unit_id, aid, due, letter.as_of)
        item = LetterItem(letter_id=letter.id, position=pos, reason="人工加入", **row)
        session.add(item)
        have[aid] = item
    if not have:
        raise DubanError("函件至少要保留一项事项；不需要这封函时请作废")
    letter.body = json.dumps(edits, ensure_ascii=False) if edits else ""
    # check the edited wording renders (unknown placeholders are refused now, not at signing)
    settings = _settings(settings)
    u = session.get(Unit, letter.unit_id)
    kept = sorted(have.values(), key=lambda it: it.position)
    wording = _wording_for(
        letter.kind,
        u,
        [_snap(it) for it in kept],
        [it.assignment_id for it in kept],
        letter.as_of,
        letter.as_of,
        settings,
        facts,
        edits,
        template_dir,
        letter.id,
    )
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


def _due_as_of(facts: _Facts, aid: int, on: date) -> date | None:
    """The deadline that counts for an assignment added by hand: an extension's date, the
    first missed occurrence of a recurring task, else its (last) date."""
    row = facts.tasks.get(aid)
    if row is None:
        return None
    if row[4]:
        return _d(row[4])
    dues = [date.fromisoformat(x) for x in str(row[8] or "").split(",") if x]
    if not dues:
        return None
    if row[9]:
        missed = facts.missed(aid, on)
        if missed:
            return missed[0]
        later = [d for d in dues if d >= on]
        return min(later) if later else max(dues)
    return max(dues)


# ----------------------------------------------------------------------------- signing


@contextmanager
def _locked(engine: Engine) -> Iterator[Session]:
    """A write transaction that holds the database write lock from its first statement.

    Two desks signing at once queue up (dialect.lock_for_write) instead of both reading the
    same counter; the counter row's own lock (`_take_seqs`) would also keep numbers apart."""
    import uuid

    with Session(engine, expire_on_commit=False) as session:
        session.info["batch"] = uuid.uuid4().hex
        from tui.store.dialect import lock_for_write

        lock_for_write(session.connection())
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _take_seqs(session: Session, kind: str, year: int, n: int) -> int:
    """Reserve `n` consecutive numbers of a kind and year; returns the first."""
    conn = session.connection()
    conn.execute(
        text(
            "INSERT INTO letter_counter (kind, year, next_seq) VALUES (:k, :y, 1) "
            "ON CONFLICT (kind, year) DO NOTHING"
        ),
        {"k": kind, "y": year},
    )
    first = conn.execute(
        text(
            "UPDATE letter_counter SET next_seq = next_seq + :n WHERE kind = :k AND year = :y "
            "RETURNING next_seq - :n"
        ),
        {"k": kind, "y": year, "n": n},
    ).scalar_one()
    return int(first)


def _next_seq(session: Session, kind: str, year: int) -> int:
    return _take_seqs(session, kind, year, 1)


def _frozen_wording(letter: Letter) -> Wording | None:
    if letter.body:
        data = json.loads(letter.body)
        if data.get("frozen"):
            return Wording.from_json(letter.body)
    return None


def _load(session: Session, ids: Sequence[int]) -> list[Letter]:
    """The letters, in the order given; an unknown id is an error."""
    found = {x.id: x for x in session.exec(select(Letter).where(Letter.id.in_(list(ids)))).all()}
    return _in_order(found, ids)


def _read(session: Session, ids: Sequence[int]) -> list:
    """The letters' rows for reading only (Core rows: same columns and types as `Letter`,
    attribute access, no ORM identity map), in the order given; an unknown id is an error."""
    t = Letter.__table__
    rows = session.connection().execute(select(t).where(t.c.id.in_(list(ids))))
    return _in_order({r.id: r for r in rows}, ids)


def _in_order(found: dict, ids: Sequence[int]) -> list:
    missing = [i for i in ids if i not in found]
    if missing:
        raise DubanError(f"找不到函件：{'、'.join(map(str, missing))}")
    return [found[i] for i in ids]


@dataclass(slots=True)
class ItemFlag:
    """Something that changed for an item since its draft was read."""

    assignment_id: int
    task_number: str
    what: str  # 进展 / 已销号 / 期限调整
    on: date | None
    text: str
    blocking: bool = False  # signing is refused (a closed item)

    def describe(self) -> str:
        when = f"{self.on.isoformat()} " if self.on else ""
        return f"事项 {self.task_number}（{self.assignment_id}）{when}{self.what}：{self.text}"


@dataclass(slots=True)
class SignPreview:
    """What signing one draft will do: the number it gets, its dates, what changed."""

    letter_id: int
    kind: str
    unit: str
    number: str  # the number it will get if signed now, in the order given
    as_of: date  # the draft's facts are as of this date
    sign_date: date  # the letter's date once signed; days overdue are counted to it
    reply_due: date
    flags: list[ItemFlag] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # reasons signing would be refused

    @property
    def dates_differ(self) -> bool:
        return self.as_of != self.sign_date

    def summary(self) -> str:
        dates = (
            f"起草截至 {self.as_of.isoformat()}，签发日期 {self.sign_date.isoformat()}"
            "（函件日期和逾期天数按签发日期计算）"
            if self.dates_differ
            else f"日期 {self.sign_date.isoformat()}"
        )
        return (
            f"函件 {self.letter_id}　{self.unit}　{KIND_NAMES.get(self.kind, self.kind)}"
            f"　将编号 {self.number}　{dates}　回复期限 {self.reply_due.isoformat()}"
        )


def _changes(
    session: Session, letters: Sequence[Letter], items: dict[int, list], on: date
) -> dict[int, list[ItemFlag]]:
    """Per letter, items whose facts moved after the draft was read: progress dated after
    the draft's as-of date (or entered after it was drafted), closed, or a new deadline.
    Two queries for the whole batch."""
    from datetime import datetime

    out: dict[int, list[ItemFlag]] = {x.id: [] for x in letters}
    where: dict[int, list[tuple[Letter, object]]] = defaultdict(list)
    for letter in letters:
        for it in items.get(letter.id, []):
            where[it.assignment_id].append((letter, it))
    if not where:
        return out
    conn = session.connection()
    aids = list(where)
    for aid, rep, txt, at in conn.execute(
        _in(
            "SELECT assignment_id, reported_on, text, recorded_at FROM progress "
            "WHERE assignment_id IN :ids ORDER BY reported_on, id",
            "ids",
        ),
        {"ids": aids},
    ):
        reported = _d(rep)
        if reported is None or reported > on:
            continue
        recorded = at
        if isinstance(at, str):
            try:
                recorded = datetime.fromisoformat(at)
            except ValueError:
                recorded = None
        for letter, it in where[aid]:
            later = letter.as_of < reported
            entered = (
                recorded is not None
                and letter.created_at is not None
                and _naive(recorded) > _naive(letter.created_at)
            )
            if later or entered:
                text_ = " ".join(str(txt).split())
                out[letter.id].append(ItemFlag(aid, it.task_number, "报来进展", reported, text_))
    for aid, completed, override in conn.execute(
        _in("SELECT id, completed_on, due_override FROM assignment WHERE id IN :ids", "ids"),
        {"ids": aids},
    ):
        done, new_due = _d(completed), _d(override)
        for letter, it in where[aid]:
            if done is not None and done <= on:
                out[letter.id].append(
                    ItemFlag(aid, it.task_number, "已销号", done, "须从草稿中移除", True)
                )
            if new_due is not None and new_due > (it.due or date.min):
                out[letter.id].append(
                    ItemFlag(
                        aid, it.task_number, "期限调整", None, f"已延期至 {new_due.isoformat()}"
                    )
                )
    return out


def _naive(dt):
    return dt.replace(tzinfo=None) if getattr(dt, "tzinfo", None) else dt


def sign_check(
    session: Session,
    letter_ids: Sequence[int],
    sign_date: date,
    *,
    settings=None,
    calendar=None,
    by: str | None = None,
) -> list[SignPreview]:
    """What signing these drafts on `sign_date` would do — the desk's sign confirmation and
    `letters sign` both show this before anything is written. Reads only.

    Per letter: the number it would get (in the order given, continuing the counter), the
    draft's as-of date beside the signing date, items with progress reported after the
    as-of date (or entered after drafting), closed items, extended deadlines, and anything
    that would make signing refuse (no unit head on a 督办函, no office identity)."""
    settings = _settings(settings)
    calendar = _calendar(settings, calendar)
    letters = _read(session, letter_ids)  # reads only: rows, not ORM objects
    items = _items_of(session, letter_ids)
    units = {
        u.id: u
        for u in session.exec(
            select(Unit).where(Unit.id.in_(list({x.unit_id for x in letters})))
        ).all()
    }
    counters = {
        (k, y): n
        for k, y, n in session.connection().execute(
            text("SELECT kind, year, next_seq FROM letter_counter WHERE year = :y"),
            {"y": sign_date.year},
        )
    }
    reply = _reply_due(sign_date, settings, calendar)
    changes = _changes(session, letters, items, sign_date)
    identity = _identities(settings)
    out: list[SignPreview] = []
    for letter in letters:
        u = units.get(letter.unit_id)
        ident = identity(u.region if u else "")
        problems: list[str] = []
        try:
            _require_draft(letter)
        except DubanError as exc:
            problems.append(exc.message)
        try:
            ident.require_identity() if hasattr(ident, "require_identity") else None
        except DubanError as exc:
            problems.append(exc.message)
        try:
            check_head(
                letter.kind, u.name if u else str(letter.unit_id), (u.head or "") if u else ""
            )
        except DubanError as exc:
            problems.append(exc.message)
        if by and getattr(ident, "signers", ()) and by not in ident.signers:
            problems.append(f"签发人“{by}”不在设置的签发人名单中（{'、'.join(ident.signers)}）")
        try:
            prefix = prefix_for(letter.kind, ident.letter_prefix)
        except DubanError as exc:
            problems.append(exc.message)
            prefix = "？"
        key = (letter.kind, sign_date.year)
        seq = counters.get(key, 1)
        counters[key] = seq + 1
        flags = changes[letter.id]
        problems += [
            f"事项 {f.task_number} 已于 {f.on.isoformat() if f.on else ''} 销号，请从草稿中移除后再签发"
            for f in flags
            if f.blocking
        ]
        out.append(
            SignPreview(
                letter_id=letter.id,
                kind=letter.kind,
                unit=u.name if u else "",
                number=format_number(prefix, sign_date.year, seq) if prefix != "？" else "？",
                as_of=letter.as_of,
                sign_date=sign_date,
                reply_due=reply,
                flags=[f for f in flags if not f.blocking],
                problems=problems,
            )
        )
    return out


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

    The signing date is the letter's date: the wording's facts (earlier letters, replies,
    progress) and the days overdue are as of that date, not the draft's as-of date.
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
    try:
        with _locked(engine) as session:
            letters = _load(session, ids)
            items = _items_of(session, ids)
            unit_ids = {x.unit_id for x in letters}
            units = {
                u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(list(unit_ids)))).all()
            }
            aids = {it.assignment_id for its in items.values() for it in its}
            facts = _Facts(session, unit_ids, aids)
            closed = (
                {
                    aid: _d(done)
                    for aid, done in session.connection().execute(
                        _in(
                            "SELECT id, completed_on FROM assignment WHERE id IN :ids "
                            "AND completed_on IS NOT NULL",
                            "ids",
                        ),
                        {"ids": list(aids)},
                    )
                    if _d(done) <= on
                }
                if aids
                else {}
            )
            reply = _reply_due(on, settings, calendar)
            identity = _identities(settings)
            plans: list[tuple[Letter, Wording, str]] = []
            missed_updates: list[dict] = []
            with one_batch():  # the template read once for the batch
                for letter in letters:
                    _require_draft(letter)
                    its = items.get(letter.id, [])
                    if not its:
                        raise DubanError(f"函件 {letter.id} 没有任何事项，不能签发")
                    u = units.get(letter.unit_id)
                    ident = identity(u.region if u else "")
                    if hasattr(ident, "require_identity"):
                        ident.require_identity()
                    if getattr(ident, "signers", ()) and by not in ident.signers:
                        raise DubanError(
                            f"签发人“{by}”不在设置的签发人名单中（{'、'.join(ident.signers)}），"
                            "请用 duban setup 补充"
                        )
                    check_head(
                        letter.kind,
                        u.name if u else str(letter.unit_id),
                        (u.head or "") if u else "",
                    )
                    shut = [it.task_number for it in its if it.assignment_id in closed]
                    if shut:
                        raise DubanError(
                            f"函件 {letter.id} 中的事项 {'、'.join(shut)} 已销号，请从草稿中移除后再签发"
                        )
                    for (
                        it
                    ) in its:  # a recurring task: the occurrences missed as of the letter's date
                        missed = ",".join(d.isoformat() for d in facts.missed(it.assignment_id, on))
                        if missed != (it.missed or ""):
                            it.missed = missed
                            missed_updates.append({"item": it.id, "missed": missed})
                    edits = json.loads(letter.body) if letter.body else None
                    wording = _wording_for(
                        letter.kind,
                        u,
                        [_snap(it) for it in its],
                        [it.assignment_id for it in its],
                        on,
                        reply,
                        ident,
                        facts,
                        edits,
                        template_dir,
                        letter.id,
                        identified=True,
                    )
                    plans.append((letter, wording, prefix_for(letter.kind, ident.letter_prefix)))
            # numbers: one block per kind, handed out in the order given
            need: dict[str, int] = defaultdict(int)
            for letter, _, _ in plans:
                need[letter.kind] += 1
            next_seq = {k: _take_seqs(session, k, on.year, n) for k, n in need.items()}
            signed_at = now()
            audit = []
            for letter, wording, prefix in plans:
                seq = next_seq[letter.kind]
                next_seq[letter.kind] += 1
                letter.issued_on = on
                letter.reply_due = reply
                letter.year, letter.seq = on.year, seq
                letter.number = format_number(prefix, on.year, seq)
                letter.status = SIGNED
                letter.signed_by = by
                letter.signed_at = signed_at
                letter.title, letter.addressee = wording.title, wording.addressee
                letter.body = wording.to_json()
                audit.append(
                    (
                        letter.id,
                        {"status": DRAFT, "as_of": letter.as_of},
                        {
                            "status": SIGNED,
                            "number": letter.number,
                            "signed_by": by,
                            "issued_on": on,
                            "reply_due": reply,
                        },
                    )
                )
            session.flush()
            if missed_updates:
                session.connection().execute(
                    text("UPDATE letter_item SET missed = :missed WHERE id = :item"),
                    missed_updates,
                )
            seals = seals_of(session, [letter.id for letter, _, _ in plans])
            for lid, _before, after in audit:
                after["seal"] = seals[lid]
            insert_audit(
                session,
                audit_rows(actor, "letter.sign", "letter", audit, session.info.get("batch", "")),
            )
    except IntegrityError as exc:
        raise DubanError(
            "发文字号冲突：编号已被占用（登记簿或计数器被改动过），本次签发未生效，请联系管理员检查"
            f"（{type(exc.orig).__name__ if exc.orig else exc}）"
        ) from None
    return letters


# ----------------------------------------------------------------------------- views


def effective_status(letter: Letter, today: date | None = None) -> str:
    """Stored status, or 逾期未复 for a signed/printed letter past its reply deadline."""
    today = today or date.today()
    if letter.status in (SIGNED, PRINTED) and letter.reply_due and letter.reply_due < today:
        return REPLY_LATE
    return letter.status


def letter_models(
    session: Session,
    ids: Sequence[int],
    *,
    settings=None,
    calendar=None,
    template_dir: Path | None = None,
    on: date | None = None,
) -> list[tuple[Letter, object]]:
    """(letter, LetterModel) for each id, read in a few queries (rendering a batch); the
    letter is a read-only row with `Letter`'s columns as attributes.

    A signed letter renders its frozen wording and snapshot on its own date. A draft is
    shown as it would be signed on `on` (default: its as-of date): wording from the
    template with the facts as of that date, days overdue counted to it."""
    settings = _settings(settings)
    calendar = _calendar(settings, calendar)
    letters = _read(session, ids)  # the letters as read-only rows (`_read`)
    items = _items_of(session, ids)
    drafts = [x for x in letters if _frozen_wording(x) is None]
    facts = None
    units: dict[int, Unit] = {}
    if drafts:
        unit_ids = {x.unit_id for x in drafts}
        units = {
            u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(list(unit_ids)))).all()
        }
        aids = {it.assignment_id for x in drafts for it in items.get(x.id, [])}
        facts = _Facts(session, unit_ids, aids)
    out = []
    with one_batch():  # the template read once for the batch
        for letter in letters:
            its = items.get(letter.id, [])
            snaps = [_snap(it) for it in its]
            frozen = _frozen_wording(letter)
            if frozen is not None:
                when = letter.issued_on or letter.as_of
                wording = frozen
            else:
                when = on or letter.issued_on or letter.as_of
                reply = letter.reply_due or _reply_due(when, settings, calendar)
                edits = json.loads(letter.body) if letter.body else None
                assert facts is not None
                wording = _wording_for(
                    letter.kind,
                    units.get(letter.unit_id),
                    snaps,
                    [it.assignment_id for it in its],
                    when,
                    reply,
                    settings,
                    facts,
                    edits,
                    template_dir,
                    letter.id,
                )
            model = compose_model(letter.kind, letter.number, wording, snaps, when, letter.as_of)
            out.append((letter, model))
    return out


def letter_model(
    session: Session,
    letter_id: int,
    *,
    settings=None,
    calendar=None,
    template_dir: Path | None = None,
    on: date | None = None,
):
    """(Letter, LetterModel) for preview or rendering; a draft as it would read if signed
    on `on` (default its as-of date)."""
    ((letter, model),) = letter_models(
        session, [letter_id], settings=settings, calendar=calendar, template_dir=template_dir, on=on
    )
    return letter, model


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
    seal_broken: bool = False  # signed, and changed since (tui.store.letter_seal)

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
            "seal_broken": self.seal_broken,
        }


def resolve_batch(session: Session, batch: str) -> str:
    """A drafting batch from the id or any unambiguous start of it (`letters draft` prints
    the first eight characters)."""
    batch = (batch or "").strip()
    if not batch:
        raise DubanError("请写明起草批次")
    found = [
        b
        for (b,) in session.connection().execute(
            text("SELECT DISTINCT batch FROM letter WHERE batch LIKE :p ESCAPE '\\'"),
            {"p": batch.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"},
        )
    ]
    if not found:
        raise DubanError(f"找不到起草批次：{batch}")
    if len(found) > 1:
        raise DubanError(f"批次“{batch}”对应多个起草批次，请写完整")
    return found[0]


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
        q = q.where(Letter.batch == resolve_batch(session, batch))
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
    signed = [r.id for r in rows if r.number]
    for lid in set(broken_seals(session, signed)) if signed else ():
        next(r for r in rows if r.id == lid).seal_broken = True
    return rows


def batch_ids(session: Session, batch: str) -> list[int]:
    """The letters of one drafting batch, in number order (drafts after, by id)."""
    full = resolve_batch(session, batch)
    letters = session.exec(select(Letter).where(Letter.batch == full)).all()
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


class RenderResult(list):
    """The rendered letters (a list of RenderedLetter) and the rendering log line — which
    fonts were used, so an office knows when it prints with the fallback font."""

    log: str

    def __init__(self, rendered: Sequence[RenderedLetter] = (), log: str = "") -> None:
        super().__init__(rendered)
        self.log = log


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')
RENDER_LOG = "生成记录.log"


def _file_stem(letter: Letter, unit_name: str) -> str:
    head = letter.number or f"草稿{letter.id}"
    return _UNSAFE.sub("_", f"{head}_{KIND_NAMES[letter.kind]}_{unit_name}")[:120]


def _resolved(base: Path, path: Path) -> str:
    """`path.resolve()` for a file written into the folder `base` resolves to."""
    inside = base / path.name
    return str(inside.resolve() if inside.is_symlink() else inside)


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
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = 1,
    on: date | None = None,
) -> RenderResult:
    """Write each letter's .docx and .pdf into `out_dir` and record the files with SHA-256.

    Every letter is composed before any file is written, so a broken template or a
    missing letter stops the run with nothing written and the register unchanged. The
    fonts are read once for the batch; `progress(done, total)` reports as letters finish;
    `workers` > 1 spreads the batch over processes (the command line; the desk renders in
    a thread and keeps 1). The fonts used are logged in `生成记录.log` beside the files."""
    from tui.letters.fonts import resolve_fonts
    from tui.letters.render import Job, render_batch

    if not ids:
        raise DubanError("请指定要生成的函件编号")
    settings = _settings(settings)
    calendar = _calendar(settings, calendar)
    out = Path(out_dir)
    with Session(engine) as session:
        _refuse_broken_seals(session, ids)
        pairs = letter_models(
            session, ids, settings=settings, calendar=calendar, template_dir=template_dir, on=on
        )
        names = {
            uid: name
            for uid, name in session.connection().execute(
                _in("SELECT id, name FROM unit WHERE id IN :ids", "ids"),
                {"ids": list({x.unit_id for x, _ in pairs})},
            )
        }
    for letter, _ in pairs:
        if letter.status == VOID:
            raise DubanError(f"函件 {letter.id} 已作废，不再生成")
    try:
        if not out.exists():
            out.mkdir(parents=True, mode=0o700)
    except OSError as exc:
        raise DubanError(f"无法创建输出目录：{out}（{exc.strerror}）") from None
    fonts = fonts or resolve_fonts(settings.font_file or None)
    jobs = []
    for letter, model in pairs:
        stem = _file_stem(letter, names.get(letter.unit_id, ""))
        jobs.append(Job(model, out / f"{stem}.pdf", out / f"{stem}.docx"))  # type: ignore[arg-type]
    report = render_batch(jobs, fonts, progress=progress, workers=workers)
    done = RenderResult(
        [
            RenderedLetter(letter.id, letter.number, job.pdf, job.docx, r.pages)
            for (letter, _), job, r in zip(pairs, jobs, report.results, strict=True)
        ],
        report.log_line,
    )
    _log_render(out, done, actor)
    # the workers hashed the files they wrote; the folder is resolved once, not per file
    sums = {
        letter.id: (r.pdf_sha256, r.docx_sha256)
        for (letter, _), r in zip(pairs, report.results, strict=True)
    }
    base = out.resolve()
    with _locked(engine) as session:
        conn = session.connection()
        t = Letter.__table__
        before_files = {
            lid: files
            for lid, files in conn.execute(
                select(t.c.id, t.c.files).where(t.c.id.in_([r.letter_id for r in done]))
            )
        }
        _in_order(before_files, [r.letter_id for r in done])  # every letter is still there
        audit = []
        updates = []
        for r in done:
            pdf_sum, docx_sum = sums[r.letter_id]
            files = [
                {
                    "type": "pdf",
                    "path": _resolved(base, r.pdf),
                    "sha256": pdf_sum,
                    "pages": r.pages,
                },
                {
                    "type": "docx",
                    "path": _resolved(base, r.docx),
                    "sha256": docx_sum,
                },
            ]
            stored = before_files[r.letter_id]
            before = json.loads(stored) if stored else []
            updates.append({"lid": r.letter_id, "new_files": json.dumps(files, ensure_ascii=False)})
            audit.append((r.letter_id, before, {"files": files, "fonts": done.log}))
        # one statement for the batch (a letter's files are not part of its seal)
        conn.execute(
            t.update().where(t.c.id == bindparam("lid")).values(files=bindparam("new_files")),
            updates,
        )
        insert_audit(
            session,
            audit_rows(actor, "letter.render", "letter", audit, session.info.get("batch", "")),
        )
    return done


def _log_render(out: Path, done: RenderResult, actor: str) -> None:
    """One line per run in 生成记录.log: when, who, how many, and which fonts."""
    import os

    line = (
        f"{now().isoformat(timespec='seconds')}　{actor or '—'}　生成 {len(done)} 件函件"
        f"（{'、'.join(r.number or f'草稿{r.letter_id}' for r in done[:3])}"
        f"{'等' if len(done) > 3 else ''}）　{done.log}\n"
    )
    path = out / RENDER_LOG
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(line)
    except OSError as exc:
        raise DubanError(f"无法写入生成记录 {path}：{exc.strerror or exc}") from None


# ----------------------------------------------------------------------------- printing


def _refuse_broken_seals(session: Session, ids: Sequence[int]) -> None:
    broken = broken_seals(session, list(ids))
    if broken:
        numbers = [get_letter(session, lid).number or str(lid) for lid in broken]
        raise DubanError(broken_seal_message(numbers))


def _current_pdf(letter: Letter) -> Path | None:
    for f in json.loads(letter.files) if letter.files else []:
        if f.get("type") == "pdf":
            p = Path(f["path"])
            if p.is_file() and file_sha256(p) == f.get("sha256"):
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
        _refuse_broken_seals(session, ids)
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

    reply_text = note_text(reply_text)[0]
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
    reason = note_text(reason)[0]
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
