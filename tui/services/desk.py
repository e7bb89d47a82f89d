"""The desk's writes: each one transaction, audited, answered with a `Change`.

A `Change` says in Chinese what was done and names its audit batch, which the desk keeps
on its undo list (only changes made in this desk session are undone with `u`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from sqlmodel import Session

from tui.domain.search import initials
from tui.errors import DubanError
from tui.services.store import Store
from tui.store.concurrency import ensure_unchanged
from tui.store.db import transaction
from tui.store.deadlines import correct_task_deadline, preview_task_deadline
from tui.store.desk import (
    GroupStep,
    GroupTask,
    edit_unit,
    group_tasks,
    merge_units,
    plan_group_resolution,
    resolve_group,
    unit_infos,
    unit_name,
)
from tui.store.desk import (
    unit_assignment_count as _unit_assignment_count,
)
from tui.store.owners import Owner, OwnerChange, change_owners, task_heading, task_owners
from tui.store.progress import (
    assignment_occurrences,
    assignment_schedule,
    close,
    record_extension,
    record_progress,
    reopen,
)
from tui.store.units import create_unit

__all__ = [
    "Change",
    "GroupStep",
    "GroupTask",
    "Owner",
    "OwnerChange",
    "OwnerPlan",
    "UnitChoice",
]

T = TypeVar("T")


@dataclass
class Change:
    """A write that landed: what it did (one Chinese line) and the audit batch holding it."""

    message: str
    batch: str = ""
    title: str = ""  # what kind of change, for the undo list (记录进展, 签发函件 …)
    final: bool = False  # cannot be undone (letters signed, printed, voided, replies)
    details: list[str] = field(default_factory=list)


def _write(store: Store, fn: Callable[[Session], T]) -> tuple[T, str]:
    with transaction(store.engine) as s:
        result = fn(s)
        batch = s.info.get("batch", "")
    return result, batch


# --------------------------------------------------------------------------- items

PROGRESS_MODES = ("plain", "until", "period")


def _cover(s: Session, aid: int, mode: str, on: date, until: date | None):
    """The occurrences a report covers: None for a plain report (or a one-off deadline)."""
    if mode == "plain":
        return None
    dues, recurring = assignment_schedule(s, aid)
    if not recurring:
        return None
    if mode == "until":
        if until is None:
            raise DubanError("请填写补报截至日期")
        if until > on:
            raise DubanError(f"补报截至 {until.isoformat()} 不能晚于进展日期 {on.isoformat()}")
        return (None, until)
    later = [d for d in dues if d >= on]
    this = later[0] if later else dues[-1]
    return (this, this)


def record_progress_items(
    store: Store,
    ids: Sequence[int],
    text: str,
    on: date,
    actor: str,
    *,
    done: bool = False,
    mode: str = "plain",
    until: date | None = None,
    seen: int | None = None,
) -> Change:
    """Progress for one or many items. For a recurring duty ``mode`` says which occurrences
    the report answers: ``plain`` (the earliest open one, as the status rules match it),
    ``until`` (every open one up to ``until``) or ``period`` (this period's)."""
    if mode not in PROGRESS_MODES:
        raise DubanError(f"未知的进展方式：{mode}")

    def fn(s: Session) -> int:
        ensure_unchanged(s, "assignment", ids, seen, actor)
        for aid in ids:
            record_progress(
                s, aid, text, on, actor, done=done, covers=_cover(s, aid, mode, on, until)
            )
        return len(ids)

    n, batch = _write(store, fn)
    return Change(f"已记录进展 {n} 项" + ("并验收销号" if done else ""), batch, "记录进展")


def close_items(
    store: Store, ids: Sequence[int], on: date, actor: str, *, seen: int | None = None
) -> Change:
    def fn(s: Session) -> int:
        ensure_unchanged(s, "assignment", ids, seen, actor)
        for aid in ids:
            close(s, aid, on, actor)
        return len(ids)

    n, batch = _write(store, fn)
    return Change(f"已验收销号 {n} 项（{on.isoformat()}）", batch, "验收销号")


def reopen_item(store: Store, aid: int, actor: str, *, seen: int | None = None) -> Change:
    def fn(s: Session) -> None:
        ensure_unchanged(s, "assignment", [aid], seen, actor)
        reopen(s, aid, actor, "在督办台重新打开")

    _, batch = _write(store, fn)
    return Change("已重新打开", batch, "重新打开")


@dataclass
class OccurrencePlan:
    """What the progress dialog tells the officer about a recurring item."""

    missed: list[date]
    next_due: date | None
    this_period: date | None


def occurrence_plan(store: Store, aid: int, as_of: date) -> OccurrencePlan | None:
    """None for a one-off deadline."""
    with Session(store.engine) as s:
        occ = assignment_occurrences(s, aid, as_of)
        if not occ:
            return None
        dues, _ = assignment_schedule(s, aid)
    missed = [o.due for o in occ if o.missed]
    upcoming = [o.due for o in occ if o.state == "未到期" and o.reported is None]
    later = [d for d in dues if d >= as_of]
    return OccurrencePlan(missed, upcoming[0] if upcoming else None, later[0] if later else None)


@dataclass
class DeadlinePreview:
    dates: str  # the corrected dates, shortly
    replaced: list[str]  # "区司法局：延期至 2024-12-31"


def preview_deadline(store: Store, task_id: int, value: str) -> DeadlinePreview:
    with Session(store.engine) as s:
        sched, replaced = preview_task_deadline(s, task_id, value)
    shown = "、".join(d.isoformat() for d in sched.dates[:4]) or "无固定期限"
    if len(sched.dates) > 4:
        shown += f" 等 {len(sched.dates)} 个日期"
    return DeadlinePreview(
        shown,
        [f"{r.unit_name}：延期至 {r.due_override.isoformat()}" for r in replaced],
    )


def correct_deadline(
    store: Store, task_id: int, value: str, reason: str, actor: str, *, seen: int | None = None
) -> Change:
    def fn(s: Session) -> str:
        ensure_unchanged(s, "task", [task_id], seen, actor)
        return correct_task_deadline(s, task_id, value, reason, actor)

    number, batch = _write(store, fn)
    return Change(f"已更正任务 {number} 的期限", batch, "更正期限")


def record_extension_item(
    store: Store,
    aid: int,
    *,
    requested_on: date,
    reason: str,
    new_due: date,
    granted: bool,
    actor: str,
    note: str = "",
    seen: int | None = None,
) -> Change:
    def fn(s: Session) -> None:
        ensure_unchanged(s, "assignment", [aid], seen, actor)
        record_extension(
            s,
            aid,
            requested_on=requested_on,
            reason=reason,
            new_due=new_due,
            granted=granted,
            actor=actor,
            note=note,
        )

    _, batch = _write(store, fn)
    verdict = f"同意延期至 {new_due.isoformat()}" if granted else "不同意延期"
    return Change(f"已记录延期申请：{verdict}", batch, "延期申请")


# --------------------------------------------------------------------------- units, groups


def edit_unit_info(
    store: Store,
    unit_id: int,
    *,
    head: str,
    contact: str,
    phone: str,
    aliases: Sequence[str],
    actor: str,
    seen: int | None = None,
) -> Change:
    def fn(s: Session) -> str:
        ensure_unchanged(s, "unit", [unit_id], seen, actor)
        edit_unit(s, unit_id, head=head, contact=contact, phone=phone, aliases=aliases, actor=actor)
        return unit_name(s, unit_id)

    name, batch = _write(store, fn)
    return Change(f"已修改单位信息：{name}", batch, "修改单位信息")


def merge_unit(store: Store, source_id: int, target_id: int, actor: str) -> Change:
    def fn(s: Session) -> tuple[str, str, int]:
        names = (unit_name(s, source_id), unit_name(s, target_id))
        n = merge_units(s, source_id, target_id, actor)
        return (*names, n)

    (src, dst, n), batch = _write(store, fn)
    return Change(f"已将“{src}”并入“{dst}”（移交落实事项 {n} 项）", batch, "合并单位")


def unit_assignment_count(store: Store, unit_id: int) -> int:
    with Session(store.engine) as s:
        return _unit_assignment_count(s, unit_id)


def tasks_naming_group(store: Store, group_id: int) -> list[GroupTask]:
    with Session(store.engine) as s:
        return group_tasks(s, group_id)


def plan_group(
    store: Store, group_id: int, unit_ids: Sequence[int], task_ids: Sequence[int] | None
) -> list[GroupStep]:
    with Session(store.engine) as s:
        return plan_group_resolution(s, group_id, unit_ids, task_ids)


def resolve_group_tasks(
    store: Store,
    group_id: int,
    unit_ids: Sequence[int],
    task_ids: Sequence[int] | None,
    actor: str,
    *,
    remember: bool = False,
) -> Change:
    n, batch = _write(
        store,
        lambda s: resolve_group(s, group_id, unit_ids, actor, task_ids=task_ids, remember=remember),
    )
    return Change(f"已分解为 {n} 项单位落实事项", batch, "分解单位组")


# --------------------------------------------------------------------------- owners


@dataclass(frozen=True)
class UnitChoice:
    """A unit the picker offers, with what its search matches (name, aliases, initials)."""

    id: int
    name: str
    region: str
    kind: str
    key: str

    def matches(self, query: str) -> bool:
        q = query.strip().lower()
        return all(w in self.key for w in q.split()) if q else True


def unit_choices(store: Store) -> list[UnitChoice]:
    with Session(store.engine) as s:
        infos = unit_infos(s)
    out = []
    for u in infos:
        names = [u.name, *u.aliases]
        key = " ".join(names + [initials(n) for n in names]).lower()
        out.append(UnitChoice(u.id, u.name, u.region, u.kind, key))
    return out


def owners_of(store: Store, task_id: int) -> tuple[str, str, list[Owner]]:
    """(task label, its plan's region, live owners)."""
    with Session(store.engine) as s:
        label, region = task_heading(s, task_id)
        return label, region, task_owners(s, task_id)


@dataclass
class OwnerPlan:
    """One owners edit from the desk: for each task, what to remove, re-role and add;
    units named in ``new_units`` are created first (name → role) in ``region``."""

    task_ids: list[int]
    remove: list[int] = field(default_factory=list)
    roles: list[tuple[int, str]] = field(default_factory=list)
    add: list[tuple[int, str]] = field(default_factory=list)
    new_units: list[tuple[str, str]] = field(default_factory=list)
    region: str = ""


def save_owners(store: Store, plan: OwnerPlan, actor: str) -> Change:
    def fn(s: Session) -> list[str]:
        add = list(plan.add)
        effects = []
        for name, role in plan.new_units:
            unit = create_unit(s, plan.region, name, actor)
            effects.append(f"新建单位 {name}")
            add.append((unit.id, role))
        for tid in plan.task_ids:
            lines = change_owners(
                s,
                tid,
                OwnerChange(remove=plan.remove, roles=plan.roles, add=add),
                actor,
            )
            effects += lines
        return effects

    effects, batch = _write(store, fn)
    n = len(plan.task_ids)
    scope = f"{n} 项任务" if n > 1 else "任务"
    return Change(
        f"已修改{scope}的负责单位：" + "；".join(effects[:4]) + ("……" if len(effects) > 4 else ""),
        batch,
        "修改负责单位",
        details=effects,
    )
