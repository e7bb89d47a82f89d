"""Incremental search and filters for the desk, over a board kept as columns in memory.

A keystroke must re-filter 200,000 rows in well under 100 ms. A row is found by its task
(number, title, the head of its text) or by its unit (name and pinyin initials, so staff type
``sfj`` for 司法局 without switching input method). A store has a few thousand tasks and a few
hundred units, so a query is tested against those keys only, and the rows follow from two
lookups each, done in C by ``map`` and ``compress``.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress
from operator import and_, or_

__all__ = [
    "Filters",
    "describe_filters",
    "filter_rows",
    "initials",
    "release_pinyin",
    "search_rows",
    "task_key",
    "unit_key",
    "unit_passes",
]

TEXT_HEAD = 60  # characters of a task's text that go into its search key


@lru_cache(maxsize=65536)
def initials(text: str) -> str:
    """Lowercase pinyin initials of the Chinese characters in ``text`` (``司法局`` → ``sfj``).

    Non-Chinese characters are kept as they are (lowercased) so ``12345热线`` → ``12345rx``.
    Cached per distinct string: a store has few distinct unit names.
    """
    if not text:
        return ""
    # Imported here, not at the top: pypinyin's phrase dictionary costs ~0.2 s, which the
    # desk's first screen and every command that never searches should not pay.
    with _PINYIN_LOCK:
        from pypinyin import Style, lazy_pinyin

        parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")
    return "".join(parts).lower()


_PINYIN_LOCK = threading.Lock()  # an import of pypinyin and its forgetting never overlap


def release_pinyin() -> bool:
    """Forget pypinyin until a new name needs it: its dictionaries hold ~50 MB, and once a
    board's unit names have their initials (cached above) the desk has no use for them.
    True when it was loaded. Its memory is freed once no caller still holds a function."""
    with _PINYIN_LOCK:
        names = [m for m in sys.modules if m == "pypinyin" or m.startswith("pypinyin.")]
        for name in names:
            del sys.modules[name]
    return bool(names)


def task_key(number: str, title: str, text: str) -> str:
    """What a search may hit in a task, lowercased."""
    head = text[:TEXT_HEAD] if text else ""
    return "\x1f".join((number, title, head)).lower()


def unit_key(name: str) -> str:
    """What a search may hit in a unit: its name and the name's pinyin initials."""
    return "\x1f".join((name, initials(name))).lower()


def search_rows(
    query: str,
    *,
    task_keys: Sequence[str],
    unit_keys: Sequence[str],
    row_task: Sequence[int],
    row_unit: Sequence[int],
    among: Sequence[int] | None = None,
    task_rows: Sequence[Sequence[int]] | None = None,
    unit_rows: Sequence[Sequence[int]] | None = None,
) -> list[int]:
    """Rows (positions) whose task or unit holds every word of the query.

    ``row_task`` / ``row_unit`` give each row's position in ``task_keys`` / ``unit_keys``;
    ``among`` narrows the candidates (the previous result while the query grows), in order.
    A word may hit the task and another word the unit: "决策 sfj" finds 司法局's rows of
    tasks about 决策.

    ``task_rows`` / ``unit_rows`` (each task's and unit's rows, ascending: the inverse of
    ``row_task`` / ``row_unit``) let a word that hits few rows gather them directly instead
    of testing every row: a keystroke then costs what it finds, not the board's size.
    """
    words = query.lower().split()
    n = len(row_task)
    if not words:
        return list(range(n)) if among is None else list(among)
    masks = []
    for w in words:
        tm = bytes(w in k for k in task_keys)
        um = bytes(w in k for k in unit_keys)
        masks.append((tm, um, any(tm), any(um)))
    if among is not None and len(among) * 4 < n:
        out = list(among)
        for tm, um, _t, _u in masks:
            out = [i for i in out if tm[row_task[i]] or um[row_unit[i]]]
        return out
    if task_rows is not None and unit_rows is not None:
        found = _gathered(masks, task_rows, unit_rows, limit=n // GATHER_SHARE)
        if found is not None:
            found_rows, rest = found
            if among is None:
                out = sorted(found_rows)
            else:
                out = [i for i in among if i in found_rows]
            for tm, um, _t, _u in rest:
                out = [i for i in out if tm[row_task[i]] or um[row_unit[i]]]
            return out
    row_mask = None
    for tm, um, any_task, any_unit in masks:
        if not any_task and not any_unit:
            return []
        if any_task and any_unit:
            m = bytes(map(or_, map(tm.__getitem__, row_task), map(um.__getitem__, row_unit)))
        elif any_task:
            m = bytes(map(tm.__getitem__, row_task))
        else:
            m = bytes(map(um.__getitem__, row_unit))
        row_mask = m if row_mask is None else bytes(map(and_, row_mask, m))
    if among is None:
        return list(compress(range(n), row_mask))
    return [i for i in among if row_mask[i]]


GATHER_SHARE = 3  # gather a word's rows when it hits at most 1/3 of the board, else mask


def _gathered(masks, task_rows, unit_rows, *, limit: int):
    """The rows of the word that hits the fewest (as a set), and the other words' masks;
    None when every word hits more than ``limit`` rows (testing every row is cheaper)."""
    best = None
    for k, (tm, um, _t, _u) in enumerate(masks):
        tasks = list(compress(range(len(tm)), tm))
        units = list(compress(range(len(um)), um))
        size = sum(len(task_rows[t]) for t in tasks) + sum(len(unit_rows[u]) for u in units)
        if size <= limit and (best is None or size < best[0]):
            best = (size, k, tasks, units)
    if best is None:
        return None
    _size, k, tasks, units = best
    rows: set[int] = set()
    for t in tasks:
        rows.update(task_rows[t])
    for u in units:
        rows.update(unit_rows[u])
    return rows, masks[:k] + masks[k + 1 :]


@dataclass(frozen=True)
class Filters:
    """What the filter modal sets; empty means "any"."""

    statuses: frozenset[str] = field(default_factory=frozenset)  # Status values (Chinese)
    unit: str = ""  # substring of the unit name, or its pinyin initials
    unit_kind: str = ""  # 镇 / 苏木 / 街道 / 部门 / 其他 / 待分解
    plan_id: int | None = None
    role: str = ""  # lead / responsible / supporting
    # The desk's region in force (a city store holds several counties): its plans. Kept
    # apart from what the filter modal sets: clearing the filters leaves the region.
    region: str = ""
    plan_ids: frozenset[int] | None = None

    @property
    def active(self) -> bool:
        return bool(
            self.statuses
            or self.unit
            or self.unit_kind
            or self.plan_id
            or self.role
            or self.plan_ids is not None
        )

    def in_region(self, region: str, plan_ids: frozenset[int] | None) -> Filters:
        from dataclasses import replace

        return replace(self, region=region, plan_ids=plan_ids)


def _role_label(role: str) -> str:
    return {"lead": "牵头", "responsible": "责任", "supporting": "配合"}.get(role, role)


def describe_filters(f: Filters, plan_titles: dict[int, str] | None = None) -> str:
    """A short Chinese summary of the active filters, "" when none."""
    parts = []
    if f.statuses:
        parts.append("状态=" + "/".join(sorted(f.statuses)))
    if f.unit:
        parts.append(f"单位含“{f.unit}”")
    if f.unit_kind:
        parts.append(f"类别={f.unit_kind}")
    if f.plan_id is not None:
        title = (plan_titles or {}).get(f.plan_id, str(f.plan_id))
        parts.append(f"计划={title[:10]}")
    if f.role:
        parts.append(f"角色={_role_label(f.role)}")
    if f.region:
        parts.append(f"地区={f.region}")
    return "，".join(parts)


def unit_passes(f: Filters, unit_name: str, unit_kind: str) -> bool:
    """The unit part of the filters; the unit filter accepts Chinese or pinyin initials."""
    if f.unit_kind and unit_kind != f.unit_kind:
        return False
    if f.unit:
        u = f.unit.lower()
        if u not in unit_name.lower() and u not in initials(unit_name):
            return False
    return True


def filter_rows(
    f: Filters,
    *,
    statuses: Sequence[str],
    roles: Sequence[str],
    row_task: Sequence[int],
    row_unit: Sequence[int],
    task_plans: Sequence[int],
    unit_names: Sequence[str],
    unit_kinds: Sequence[str],
    status_names: Sequence[str] | None = None,
) -> list[int]:
    """Rows (positions) passing the filters. ``statuses`` holds each row's status value
    (逾期, 临期…), or, with ``status_names``, each row's position in that list (the desk's
    light codes: one table lookup per row instead of a string test; as ``bytes``, one
    `bytes.translate` for the whole board); the plan is judged per
    task and the unit per unit, then looked up. Every per-row step runs in C (`map`)."""
    n = len(statuses)
    if not f.active:
        return list(range(n))
    mask = None
    if f.plan_id is not None or f.plan_ids is not None or f.unit or f.unit_kind:
        task_ok = bytes(
            (f.plan_id is None or p == f.plan_id) and (f.plan_ids is None or p in f.plan_ids)
            for p in task_plans
        )
        unit_ok = bytes(
            unit_passes(f, name, kind) for name, kind in zip(unit_names, unit_kinds, strict=True)
        )
        mask = bytes(
            map(and_, map(task_ok.__getitem__, row_task), map(unit_ok.__getitem__, row_unit))
        )
    if f.statuses:
        wanted = f.statuses
        if status_names is not None:
            table = bytes(name in wanted for name in status_names)
            if isinstance(statuses, bytes):  # codes as bytes: one C pass (bytes.translate)
                m = statuses.translate(table.ljust(256, b"\0"))
            else:
                m = bytes(map(table.__getitem__, statuses))
        else:
            m = bytes(map(wanted.__contains__, statuses))
        mask = m if mask is None else bytes(map(and_, mask, m))
    if f.role:
        m = bytes(map(f.role.__eq__, roles))
        mask = m if mask is None else bytes(map(and_, mask, m))
    return list(compress(range(n), mask))
