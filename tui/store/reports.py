"""SQL for the office's other documents: unit task lists, the ledger, the year's figures.

Read functions return plain dataclasses and dicts; the two writes (registering issued
lists, applying a ledger) run inside the caller's transaction and leave audit rows.
Bulk reads are Core statements over a few flat queries, never an ORM object per row:
the ledger reads 200,000 assignments.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlmodel import Session

from tui.clock import now
from tui.errors import DubanError
from tui.store.audit import record
from tui.store.models import ListIssue, Plan
from tui.store.queries import find_plan, find_units
from tui.store.sqlconn import as_date
from tui.store.store_secret import read_store_secret

if TYPE_CHECKING:
    from tui.store.board import LedgerColumns

TOWN_KINDS = ("镇", "苏木", "街道")
DEPARTMENT_KIND = "部门"
_CHUNK = 900  # bound parameters per IN (…): below SQLite's old limit of 999


_d = as_date  # a stored date as a date, whichever database gave it


def _dates(value: str) -> tuple[date, ...]:
    return tuple(date.fromisoformat(x) for x in value.split(",")) if value else ()


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _in(ids: Sequence[int]) -> str:
    return ",".join(str(int(i)) for i in ids)


def store_secret(session: Session) -> str:
    return read_store_secret(session.connection())


# ----------------------------------------------------------------------------- plans and units


@dataclass(frozen=True)
class PlanInfo:
    id: int
    title: str
    issuer: str
    issue_date: date | None
    region: str
    period: tuple[int, int] | None
    revision: int


def _plan_info(p: Plan) -> PlanInfo:
    period = None
    if p.period_start is not None:
        period = (p.period_start, p.period_end or p.period_start)
    return PlanInfo(p.id, p.title, p.issuer, p.issue_date, p.region, period, p.revision)


def all_plans(session: Session) -> list[PlanInfo]:
    from sqlalchemy import select

    return [_plan_info(p) for p in session.exec(select(Plan).order_by(Plan.id)).scalars()]


def pick_plans(
    session: Session, ref: str | None, *, single: bool = False, region: str | None = None
) -> list[PlanInfo]:
    """The plan named by ``ref``, or every plan (of ``region``, in a city store holding
    several counties); with ``single``, exactly one or a clear error."""
    from tui.store.queries import region_plan_ids

    allowed = set(region_plan_ids(session, region)) if region else None
    if ref:
        plan = _plan_info(find_plan(session, ref))
        if allowed is not None and plan.id not in allowed:
            raise DubanError(f"计划 {plan.id}《{plan.title}》不属于地区“{region}”")
        return [plan]
    plans = [p for p in all_plans(session) if allowed is None or p.id in allowed]
    if not plans:
        if region:
            raise DubanError(f"地区“{region}”还没有计划")
        raise DubanError("数据库中还没有计划，请先导入：duban import 计划文件")
    if single and len(plans) > 1:
        listing = "；".join(f"{p.id} {p.title}" for p in plans)
        raise DubanError(f"数据库中有 {len(plans)} 个计划，请用 --plan 指定一个：{listing}")
    return plans


def pick_unit_ids(session: Session, ref: str | None) -> set[int] | None:
    if not ref:
        return None
    return {u.id for u in find_units(session, ref)}


# ----------------------------------------------------------------------------- unit lists


@dataclass
class ListRow:
    """One assignment on a unit's list, with what its deadline wording needs."""

    assignment_id: int
    unit_id: int
    role: str
    task_id: int
    task_key: str
    task_text: str
    section: str
    position: int
    due_kind: str
    due_dates: tuple[date, ...]
    recurring: bool
    override: date | None
    words: tuple[tuple[str, str, str], ...] = ()  # (kind, source, text) of the task's deadlines


@dataclass
class UnitRef:
    id: int
    name: str
    kind: str
    head: str


@dataclass
class ListData:
    plan: PlanInfo
    units: list[UnitRef]
    rows: dict[int, list[ListRow]]  # unit id → its rows in plan order
    unresolved: int = 0  # assignments still on a group (待分解): on nobody's list yet


def list_data(session: Session, plan: PlanInfo, unit_ids: set[int] | None = None) -> ListData:
    """Every unit with live assignments in the plan, and those assignments."""
    conn = session.connection()
    tasks = {}
    for tid, key, number, text_, section, position, kind, dues, recurring in conn.execute(
        text(
            "SELECT id, key, number, text, section_path, position, due_kind, due_dates, "
            "due_recurring FROM task WHERE plan_id = :p AND active = TRUE"
        ),
        {"p": plan.id},
    ):
        tasks[tid] = (key or number, text_, section, position, kind, _dates(dues), bool(recurring))
    words: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for tid, kind, source, text_ in conn.execute(
        text(
            "SELECT d.task_id, d.kind, d.source, d.text FROM task_deadline d "
            "JOIN task t ON t.id = d.task_id WHERE t.plan_id = :p AND t.active = TRUE "
            "AND d.active = TRUE ORDER BY d.task_id, d.id"
        ),
        {"p": plan.id},
    ):
        words[tid].append((kind, source, text_ or ""))
    rows: dict[int, list[ListRow]] = defaultdict(list)
    unresolved = 0
    for aid, tid, uid, role, override in conn.execute(
        text(
            "SELECT a.id, a.task_id, a.unit_id, a.role, a.due_override FROM assignment a "
            "JOIN task t ON t.id = a.task_id WHERE t.plan_id = :p AND t.active = TRUE "
            "AND a.active = TRUE ORDER BY t.position, a.id"
        ),
        {"p": plan.id},
    ):
        if uid is None:
            unresolved += 1
            continue
        if unit_ids is not None and uid not in unit_ids:
            continue
        key, text_, section, position, kind, dues, recurring = tasks[tid]
        rows[uid].append(
            ListRow(
                aid,
                uid,
                role,
                tid,
                key,
                text_,
                section,
                position,
                kind,
                dues,
                recurring,
                _d(override),
                tuple(words.get(tid, ())),
            )
        )
    units = []
    if rows:
        for uid, name, kind, head in conn.execute(
            text(f"SELECT id, name, kind, head FROM unit WHERE id IN ({_in(list(rows))})")
        ):
            units.append(UnitRef(uid, name, kind, head))
    order = {"镇": 0, "苏木": 0, "街道": 1, "部门": 2}
    units.sort(key=lambda u: (order.get(u.kind, 3), u.name, u.id))
    return ListData(plan, units, dict(rows), unresolved)


def issued_lists(session: Session, plan_id: int, unit_id: int | None = None) -> int:
    """How many lists of a plan (of one unit) the register holds already."""
    from sqlalchemy import func, select

    q = select(func.count()).select_from(ListIssue).where(ListIssue.plan_id == plan_id)
    if unit_id is not None:
        q = q.where(ListIssue.unit_id == unit_id)
    return int(session.exec(q).scalar_one())


def register_lists(
    session: Session,
    plan: PlanInfo,
    issued: Sequence[tuple[int, int, list[dict]]],
    issued_on: date,
    actor: str,
) -> list[int]:
    """Record that each (unit id, item count, files) got its list today; one audit row each."""
    batch = session.info.get("batch", "")
    ids = []
    for unit_id, items, files in issued:
        row = ListIssue(
            plan_id=plan.id,
            unit_id=unit_id,
            plan_revision=plan.revision,
            issued_on=issued_on,
            items=items,
            files=json.dumps(files, ensure_ascii=False),
            batch=batch,
            issued_at=now(),
            issued_by=actor,
        )
        session.add(row)
        session.flush()
        ids.append(row.id)
        record(
            session,
            actor,
            "list.issue",
            "unit",
            unit_id,
            None,
            {
                "list_issue_id": row.id,
                "plan_id": plan.id,
                "issued_on": issued_on,
                "items": items,
                "files": [f["name"] for f in files],
            },
        )
    return ids


# ----------------------------------------------------------------------------- ledger export


@dataclass
class LedgerExtras:
    """What the ledger shows besides the board's facts."""

    tasks: dict[int, tuple[str, str, str, int]]  # task id → (outline key, text, section, position)
    words: dict[int, str]  # task id → deadline words ("每年第一季度"), joined
    letters: dict[int, str]  # assignment id → numbers of the letters sent about it
    overrides: set[int]  # assignments whose date is a granted extension
    plans: dict[int, PlanInfo]


def ledger_read(
    session: Session,
    *,
    as_of: date,
    plan_ids: set[int] | None,
    unit_ids: set[int] | None,
    soon_days: int = 15,
) -> tuple[LedgerColumns, LedgerExtras]:
    """Every live assignment as of a date, judged, as the board's columns (no object per
    row: `tui.store.board.ledger_columns`), and the ledger's extras."""
    from tui.store.board import ledger_columns
    from tui.store.dialect import board_reader

    read = ledger_columns(
        board_reader(session.connection()),
        as_of=as_of,
        soon_days=soon_days,
        plan_ids=plan_ids,
        unit_ids=unit_ids,
    )
    conn = session.connection()
    tasks = {
        tid: (key or number, text_, section, position)
        for tid, key, number, text_, section, position in conn.execute(
            text(
                "SELECT id, key, number, text, section_path, position FROM task WHERE active = TRUE"
            )
        )
    }
    overrides = {
        aid
        for (aid,) in conn.execute(
            text("SELECT id FROM assignment WHERE active = TRUE AND due_override IS NOT NULL")
        )
    }
    words: dict[int, list[str]] = defaultdict(list)
    for tid, w in conn.execute(
        text(
            "SELECT d.task_id, d.text FROM task_deadline d JOIN task t ON t.id = d.task_id "
            "WHERE t.active = TRUE AND d.active = TRUE AND d.source <> 'default' AND d.text <> '' "
            "ORDER BY d.task_id, d.id"
        )
    ):
        if w not in words[tid]:
            words[tid].append(w)
    letters: dict[int, list[str]] = defaultdict(list)
    for aid, kind, number in conn.execute(
        text(
            "SELECT li.assignment_id, l.kind, l.number FROM letter_item li "
            "JOIN letter l ON l.id = li.letter_id WHERE l.number IS NOT NULL "
            "AND l.status <> '作废' AND l.issued_on <= :d ORDER BY l.issued_on, l.id"
        ),
        {"d": as_of.isoformat()},
    ):
        letters[aid].append(f"{kind}函 {number}")
    plans = {p.id: p for p in all_plans(session)}
    return read, LedgerExtras(
        tasks,
        {tid: "；".join(ws) for tid, ws in words.items()},
        {aid: "；".join(ns) for aid, ns in letters.items()},
        overrides,
        plans,
    )


# ----------------------------------------------------------------------------- ledger import


@dataclass
class ImportTarget:
    """An assignment a ledger row names, as the store has it now."""

    id: int
    active: bool
    plan_id: int
    plan_title: str
    task_key: str
    task_text: str
    section: str
    unit_id: int | None
    unit_name: str
    role: str
    completed_on: date | None
    progress_texts: set[str] = field(default_factory=set)  # whitespace collapsed
    reports: list[tuple[date, str]] = field(default_factory=list)  # in order

    def last_report(self, as_of: date) -> str:
        """The latest report on or before a date (what a ledger of that date showed)."""
        last = ""
        for on, text_ in self.reports:
            if on <= as_of:
                last = text_
        return last


def import_targets(session: Session, ids: Sequence[int]) -> dict[int, ImportTarget]:
    conn = session.connection()
    out: dict[int, ImportTarget] = {}
    ids = sorted(set(ids))
    for part in _chunks(ids):
        for row in conn.execute(
            text(
                "SELECT a.id, a.active AND t.active, t.plan_id, p.title, t.key, t.number, "
                "t.text, t.section_path, a.unit_id, coalesce(u.name, g.name, ''), a.role, "
                "a.completed_on FROM assignment a JOIN task t ON t.id = a.task_id "
                "JOIN plan p ON p.id = t.plan_id LEFT JOIN unit u ON u.id = a.unit_id "
                "LEFT JOIN unit_group g ON g.id = a.group_id "
                f"WHERE a.id IN ({_in(part)})"
            )
        ):
            aid, active, pid, ptitle, key, number, text_, section, uid, uname, role, done = row
            out[aid] = ImportTarget(
                aid,
                bool(active),
                pid,
                ptitle,
                key or number,
                text_,
                section,
                uid,
                uname,
                role,
                _d(done),
            )
        for aid, on, text_ in conn.execute(
            text(
                "SELECT assignment_id, reported_on, text FROM progress "
                f"WHERE assignment_id IN ({_in(part)}) ORDER BY assignment_id, reported_on, id"
            )
        ):
            if aid in out:
                out[aid].progress_texts.add(" ".join(str(text_).split()))
                out[aid].reports.append((_d(on), str(text_)))
    return out


def record_ledger_import(session: Session, actor: str, summary: dict) -> None:
    """The import as a whole, beside the rows each progress and closing left."""
    record(session, actor, "ledger.import", "ledger", None, None, summary)


# ----------------------------------------------------------------------------- the year's figures


@dataclass
class YearCounts:
    """Counts for the annual report; every one a plain SQL count (see `year_counts`)."""

    year: int
    as_of: date
    plans: list[PlanInfo]
    tasks: int
    assignments: int
    unresolved: int
    lists: int  # distinct (plan, unit) lists issued in the year
    list_runs: int  # list rows registered (a list issued again counts again here)
    list_units_by_kind: dict[str, int]
    list_items: int  # items on the lists issued in the year (each list's latest issue)
    letters_by_kind: dict[str, int]  # signed, not void, issued in the year
    letters_void: int
    circulars: int
    due: int  # assignments with a deadline on or before the year's end (or as-of)
    done: int  # of those, closed by then
    done_late: int
    replies: int  # letters of the year with a reply
    replies_late: int  # replied after the reply deadline
    unanswered_late: int  # no reply and the reply deadline passed by the as-of date
    regions: list[str]


def year_plans(session: Session, year: int, region: str | None = None) -> list[PlanInfo]:
    """Plans in force in the year: their period covers it (or, without a period, issued in it);
    of one region when ``region`` is given."""
    out = []
    plans = pick_plans(session, None, region=region) if region else all_plans(session)
    for p in plans:
        if p.period is not None:
            if p.period[0] <= year <= p.period[1]:
                out.append(p)
        elif p.issue_date is not None and p.issue_date.year == year:
            out.append(p)
    return out


def year_counts(session: Session, year: int, as_of: date, region: str | None = None) -> YearCounts:
    """Counts for a year, as of ``as_of`` (its last day, or today while it runs). With
    ``region``: that region's plans, their lists and circulars, and the letters sent to the
    region's units."""
    conn = session.connection()
    plans = year_plans(session, year, region)
    pids = _in([p.id for p in plans]) or "NULL"
    start, end = date(year, 1, 1).isoformat(), as_of.isoformat()

    def one(sql: str, **params) -> int:
        return int(conn.execute(text(sql), params).scalar() or 0)

    tasks = one(f"SELECT count(*) FROM task WHERE active = TRUE AND plan_id IN ({pids})")
    live = (
        "FROM assignment a JOIN task t ON t.id = a.task_id "
        f"WHERE a.active = TRUE AND t.active = TRUE AND t.plan_id IN ({pids})"
    )
    assignments = one(f"SELECT count(*) {live} AND a.unit_id IS NOT NULL")
    unresolved = one(f"SELECT count(*) {live} AND a.unit_id IS NULL")
    # A deadline that counts by the as-of date: a granted new date, else the task's first.
    due_cond = (
        "((a.due_override IS NOT NULL AND a.due_override <= :e) OR "
        "(a.due_override IS NULL AND t.due_first <> '' AND t.due_first <= :e_text))"
    )
    # (task dates are ISO text, assignment dates are DATE: a server binds a name to one type)
    due = one(f"SELECT count(*) {live} AND a.unit_id IS NOT NULL AND {due_cond}", e=end, e_text=end)
    done = one(
        f"SELECT count(*) {live} AND a.unit_id IS NOT NULL AND {due_cond} "
        "AND a.completed_on IS NOT NULL AND a.completed_on <= :e",
        e=end,
        e_text=end,
    )
    # late: after the granted date, else after the task's last date (the last ISO date of
    # the comma-separated, sorted due_dates)
    done_late = one(
        f"SELECT count(*) {live} AND a.unit_id IS NOT NULL AND {due_cond} "
        "AND a.completed_on IS NOT NULL AND a.completed_on <= :e AND (CASE "
        "WHEN a.due_override IS NOT NULL THEN a.completed_on > a.due_override "
        "ELSE CAST(a.completed_on AS VARCHAR) > substr(t.due_dates, length(t.due_dates) - 9) "
        "END)",
        e=end,
        e_text=end,
    )
    issue_window = "li.issued_on >= :s AND li.issued_on <= :e"
    if region:
        issue_window += f" AND li.plan_id IN ({pids})"
    lists = one(
        "SELECT count(*) FROM (SELECT DISTINCT li.plan_id, li.unit_id FROM list_issue li "
        f"WHERE {issue_window}) AS issued",
        s=start,
        e=end,
    )
    list_runs = one(f"SELECT count(*) FROM list_issue li WHERE {issue_window}", s=start, e=end)
    by_kind: dict[str, int] = {}
    for kind, n in conn.execute(
        text(
            "SELECT u.kind, count(DISTINCT li.unit_id) FROM list_issue li "
            f"JOIN unit u ON u.id = li.unit_id WHERE {issue_window} GROUP BY u.kind"
        ),
        {"s": start, "e": end},
    ):
        by_kind[kind] = int(n)
    list_items = one(
        "SELECT coalesce(sum(li.items), 0) FROM list_issue li WHERE li.id IN ("
        "SELECT max(id) FROM list_issue li WHERE "
        f"{issue_window} GROUP BY li.plan_id, li.unit_id)",
        s=start,
        e=end,
    )
    letter_window = (
        "l.number IS NOT NULL AND l.issued_on >= :s AND l.issued_on <= :e AND l.status <> '作废'"
    )
    in_region = ""
    if region:
        units = conn.execute(text("SELECT id FROM unit WHERE region = :r"), {"r": region})
        in_region = f" AND l.unit_id IN ({_in([u for (u,) in units]) or 'NULL'})"
        letter_window += in_region
    letters_by_kind = {
        kind: int(n)
        for kind, n in conn.execute(
            text(f"SELECT l.kind, count(*) FROM letter l WHERE {letter_window} GROUP BY l.kind"),
            {"s": start, "e": end},
        )
    }
    letters_by_kind.pop("通报", 0)  # not a letter kind; circulars have their own register
    circulars = one(
        "SELECT count(*) FROM circular c WHERE c.number IS NOT NULL AND c.status <> '作废' "
        "AND c.issued_on >= :s AND c.issued_on <= :e"
        + (f" AND c.plan_id IN ({pids})" if region else ""),
        s=start,
        e=end,
    )
    letters_void = one(
        "SELECT count(*) FROM letter l WHERE l.number IS NOT NULL AND l.issued_on >= :s "
        "AND l.issued_on <= :e AND l.status = '作废'" + in_region,
        s=start,
        e=end,
    )
    first_reply = (
        "(SELECT min(r.replied_on) FROM letter_reply r WHERE r.letter_id = l.id "
        "AND r.replied_on <= :e)"
    )
    replies = one(
        f"SELECT count(*) FROM letter l WHERE {letter_window} AND {first_reply} IS NOT NULL",
        s=start,
        e=end,
    )
    replies_late = one(
        f"SELECT count(*) FROM letter l WHERE {letter_window} AND l.reply_due IS NOT NULL "
        f"AND {first_reply} > l.reply_due",
        s=start,
        e=end,
    )
    unanswered_late = one(
        f"SELECT count(*) FROM letter l WHERE {letter_window} AND l.reply_due IS NOT NULL "
        f"AND l.reply_due < :e AND {first_reply} IS NULL",
        s=start,
        e=end,
    )
    regions = sorted({p.region for p in plans if p.region})
    return YearCounts(
        year=year,
        as_of=as_of,
        plans=plans,
        tasks=tasks,
        assignments=assignments,
        unresolved=unresolved,
        lists=lists,
        list_runs=list_runs,
        list_units_by_kind=by_kind,
        list_items=list_items,
        letters_by_kind=letters_by_kind,
        letters_void=letters_void,
        circulars=circulars,
        due=due,
        done=done,
        done_late=done_late,
        replies=replies,
        replies_late=replies_late,
        unanswered_late=unanswered_late,
        regions=regions,
    )
