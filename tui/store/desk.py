"""Reads and writes the desk's screens need beyond the board: plan tree, task detail, units.

Screens never build SQL: they call these functions (reads return plain dataclasses) and the
pure aggregations at the bottom, which work on the evaluated rows the desk keeps in memory.
Every write runs in the caller's transaction and leaves audit rows that `undo.py` can revert.
"""

from __future__ import annotations

import json
import threading
from array import array
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import date
from itertools import compress, repeat
from operator import and_, or_

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from tui.clock import local, now
from tui.domain.board import (
    LIGHT_CODE,
    LIGHTS,
    ColumnVerdicts,
    Evaluated,
    urgency_order,
)
from tui.domain.search import Filters, filter_rows, search_rows, task_key, unit_key
from tui.domain.status import Status, StatusResult
from tui.errors import DubanError
from tui.gc_pause import gc_paused
from tui.store.audit import record
from tui.store.board import BoardColumns, judge_columns, last_reports, load_columns, reading
from tui.store.deadlines import DeadlineView, task_deadline_views
from tui.store.facts import AssignmentFact
from tui.store.models import (
    Assignment,
    AuditLog,
    Extension,
    OutlineNode,
    Plan,
    Progress,
    Task,
    Unit,
    UnitAlias,
    UnitGroup,
    UnitGroupMember,
)
from tui.store.overview import (
    PlanFigure,
    Tally,
    UnitFigure,
    plan_figures_of,
    unit_figures_of,
)

ROLE_LABEL = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}
SORT_MODES = ("deadline", "unit", "task")  # the desk's sorts besides urgency (row order)
SORT_SHARE = 8  # fewer rows than 1/8 of the board: sorted by rank, else picked from the order


def role_label(role: str) -> str:
    return ROLE_LABEL.get(role, role)


# --------------------------------------------------------------------------- the board in memory


class _Reordered:
    """A DeskData column put in urgency order when first read, then kept (as an `array` of
    ``typecode`` when given: machine values rather than an object per row)."""

    def __init__(self, typecode: str = "") -> None:
        self.typecode = typecode

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        with obj._build_lock:  # a worker may be warming the board (`DeskData.warm`)
            col = obj.__dict__.get(self.name)
            if col is None:
                col = obj._take(obj._raw.pop(self.name))
                if self.typecode:
                    col = array(self.typecode, col)
                obj.__dict__[self.name] = col
        return col


class DeskData:
    """Every live assignment evaluated as of one date, kept as columns in urgency order.

    At 200,000 assignments an object per row costs more than reading the store, so the desk
    keeps one list per field (row ``i`` of every list is the ``i``-th most pressing item) and
    builds an `Evaluated` row only for what a screen shows (`row`, `rows`, `by_id`). Counts,
    filters, search and sorts work on the columns. Report texts are read when a row is shown.
    """

    def __init__(
        self,
        as_of: date,
        cols: BoardColumns,
        verdicts: ColumnVerdicts,
        *,
        heads: dict[int, str],
        plans: dict[int, str],
        units: dict[int, tuple[str, str]] | None = None,
        engine: Engine | None = None,
        order: array | None = None,
    ) -> None:
        """``cols`` and ``verdicts`` as read (in id order), put in urgency order; or, with
        ``order``, in that order (row i is their row ``order[i]``: see `patched`)."""
        self._build_lock = threading.RLock()  # columns, indexes and orders built once
        if order is None:  # most pressing first; equal urgency in id order, as read
            order = array("i", urgency_order(verdicts.urgencies))
        self._take = _taker(order)
        take = self._take
        self.as_of = as_of
        # What the first screen needs is reordered now; the rest on first use (_Reordered).
        # Ids and urgencies are distinct per row: kept as machine values, not one Python
        # object each, so nothing small and long-lived is left scattered among the read's
        # temporaries (the heap would keep those pages after this board is gone).
        self.ids: Sequence[int] = array("q", take(cols.ids))
        self.task_ids: Sequence[int] = take(cols.task_ids)
        self.unit_ids: Sequence[int | None] = take(cols.unit_ids)
        self.light_codes: Sequence[int] = take(verdicts.light_codes)
        self.since: Sequence[int | None] = take(verdicts.since)
        self._raw = {
            "group_ids": cols.group_ids,
            "roles": cols.roles,
            "completed": cols.completed,
            "overrides": cols.overrides,
            "last_progress": cols.last_progress,
            "letters": cols.letters,
            "statuses": verdicts.statuses,
            "urgencies": array("d", verdicts.urgencies),
        }
        self.recurring_progress = cols.recurring_progress
        self.recurring_covers = cols.recurring_covers
        self.tasks = cols.tasks
        self.all_units = cols.units
        self.groups = cols.groups
        self.heads = heads
        self.plans = plans
        self.units = units if units is not None else dict(cols.units)
        self._engine = engine  # report texts are read through it when rows are shown
        self._lock = threading.Lock()
        self._texts: dict[int, tuple[date, str] | None] = {}
        self.texts_version = 0  # counts the reads of report texts (a drawn row may change)
        # True: a row's report text is read when the row is built. The desk sets it False
        # and fills texts in a worker (`missing_reports`, `fetch_reports`), so drawing a row
        # never waits on the database.
        self.read_on_demand = True
        self._index: dict[int, int] | None = None
        self._search: _SearchIndex | None = None
        self._ranks: dict[str, array] = {}
        self._orders: dict[str, array] = {}

    group_ids: Sequence[int | None] = _Reordered()
    roles: Sequence[str] = _Reordered()
    completed: Sequence[date | None] = _Reordered()
    overrides: Sequence[date | None] = _Reordered()
    last_progress: Sequence[date | None] = _Reordered()
    letters: Sequence[tuple[int, int] | None] = _Reordered()
    statuses: Sequence[StatusResult] = _Reordered()
    urgencies: Sequence[float] = _Reordered("d")

    def __len__(self) -> int:
        return len(self.ids)

    # ---------------------------------------------------------------- rows on demand

    @property
    def rows(self) -> RowsView:
        """Every row as `Evaluated`, built on access (for what a screen shows)."""
        return RowsView(self)

    @property
    def by_id(self) -> EvaluatedById:
        return EvaluatedById(self)

    def index_of(self, assignment_id: int) -> int | None:
        if self._index is None:
            self._index = dict(zip(self.ids, range(len(self.ids)), strict=True))
        return self._index.get(assignment_id)

    def unit_of(self, i: int) -> tuple[str, str]:
        """(name, kind) of row ``i``'s unit, or of its unresolved group (kind 待分解)."""
        uid = self.unit_ids[i]
        if uid is not None:
            return self.all_units.get(uid, ("", ""))
        return self.groups.get(self.group_ids[i], ""), "待分解"

    def row(self, i: int) -> Evaluated:
        """Row ``i`` as an `Evaluated` fact. Its ``progress_dates`` hold what the status
        rules read: every report of a recurring duty, otherwise only the latest one."""
        aid = self.ids[i]
        pid, ptitle, number, title, due, recurring, kind = self.tasks[self.task_ids[i]]
        override = self.overrides[i]
        if override is not None:
            due, recurring = (override,), False
        uname, ukind = self.unit_of(i)
        last = self.last_progress[i]
        dates = self.recurring_progress.get(aid) or ((last,) if last is not None else ())
        report = self.report(i) if last is not None else None
        sent = self.letters[i] or (0, 0)
        fact = AssignmentFact(
            aid,
            self.task_ids[i],
            pid,
            ptitle,
            number,
            title,
            self.unit_ids[i],
            uname,
            ukind,
            self.roles[i],
            due,
            recurring,
            kind,
            self.completed[i],
            dates,
            report[1] if report else "",
            sent[0],
            sent[1],
            self.recurring_covers.get(aid, ()) if recurring else (),
        )
        return Evaluated(fact, self.statuses[i], self.urgencies[i], self.since[i])

    def report(self, i: int) -> tuple[date, str] | None:
        """The latest report (date, text) of row ``i`` up to the desk's date (None when it
        has none, or, with ``read_on_demand`` off, when its text was not fetched yet)."""
        aid = self.ids[i]
        if aid not in self._texts:
            if self.last_progress[i] is None or self._engine is None or not self.read_on_demand:
                return None
            self.fetch_reports([aid])
        return self._texts[aid]

    def missing_reports(self, rows: Sequence[int]) -> list[int]:
        """Assignment ids of these rows whose report text has not been read yet."""
        texts, last, ids = self._texts, self.last_progress, self.ids
        return [ids[i] for i in rows if last[i] is not None and ids[i] not in texts]

    def fetch_reports(self, ids: Sequence[int]) -> None:
        """Read the latest report texts of these assignments (thread-safe)."""
        if not ids or self._engine is None:
            return
        with self._lock, reading(self._engine) as conn:
            self._texts.update(last_reports(conn, list(ids), self.as_of))
            for aid in ids:
                self._texts.setdefault(aid, None)
            self.texts_version += 1

    def close(self) -> None:
        """Nothing to release: each read of report texts borrows the engine's connection."""

    # ---------------------------------------------------------------- search, filters, sorts

    def search(self, query: str, among: Sequence[int] | None = None) -> list[int]:
        """Rows whose task or unit holds every word of ``query`` (see `search_rows`)."""
        ix = self._search_index()
        return search_rows(
            query,
            task_keys=ix.task_keys,
            unit_keys=ix.unit_keys,
            row_task=ix.row_task,
            row_unit=ix.row_unit,
            among=among,
            task_rows=ix.task_rows,
            unit_rows=ix.unit_rows,
        )

    def filter(self, f: Filters) -> list[int]:
        if not f.active:
            return list(range(len(self)))
        ix = self._search_index()
        return filter_rows(
            f,
            statuses=self._light_bytes(),
            status_names=[s.value for s in LIGHTS],
            roles=self.roles,
            row_task=ix.row_task,
            row_unit=ix.row_unit,
            task_plans=ix.task_plans,
            unit_names=ix.unit_names,
            unit_kinds=ix.unit_kinds,
        )

    def _light_bytes(self) -> bytes:
        """Each row's light code as one byte (a status filter is then one translate)."""
        codes = self.__dict__.get("_light_codes_bytes")
        if codes is None:
            codes = self.__dict__["_light_codes_bytes"] = bytes(self.light_codes)
        return codes

    def rank(self, mode: str) -> Sequence[int]:
        """Each row's position when sorted by ``deadline``, ``unit`` or ``task``."""
        rank = self._ranks.get(mode)
        if rank is None:
            order = self.order(mode)
            with self._build_lock:
                rank = self._ranks.get(mode)
                if rank is None:
                    rank = array("i", bytes(4 * len(order)))
                    deque(map(rank.__setitem__, order, range(len(order))), maxlen=0)
                    self._ranks[mode] = rank
        return rank

    def order(self, mode: str) -> Sequence[int]:
        """Every row, sorted by ``deadline``, ``unit`` or ``task`` (ties in urgency order);
        computed once per board and kept compact (4 bytes a row)."""
        order = self._orders.get(mode)
        if order is None:
            with self._build_lock:
                order = self._orders.get(mode)
                if order is None:
                    order = self._orders[mode] = array("i", self._sort(mode))
        return order

    def _sort(self, mode: str) -> list[int]:
        n = len(self)
        if mode == "deadline":
            far = date.max
            key = [s.due or far for s in self.statuses]
        elif mode == "unit":
            key = [self.unit_of(i)[0] for i in range(n)]
        elif mode == "task":
            key = [(self.tasks[t][0], t) for t in self.task_ids]
        else:
            raise ValueError(mode)
        return sorted(range(n), key=key.__getitem__)

    def sorted_rows(self, rows: Sequence[int], mode: str) -> list[int]:
        """``rows`` (positions) in the order of ``mode``, as `sorted` by `rank` gives them.
        A few rows (a search's result) are sorted by their rank; many are picked from the
        precomputed order with a membership mask: a few C-level passes rather than a sort."""
        order = self.order(mode)
        if len(rows) == len(order):
            return list(order)
        if len(rows) * SORT_SHARE < len(order):
            return sorted(rows, key=self.rank(mode).__getitem__)
        mask = bytearray(len(order))
        deque(map(mask.__setitem__, rows, repeat(1)), maxlen=0)
        return list(compress(order, map(mask.__getitem__, order)))

    def patched(self, cols: BoardColumns, verdicts: ColumnVerdicts, gone: Set[int]) -> DeskData:
        """A new board: this one with the rows in ``cols`` read again (judged in
        ``verdicts``) and the rows ``gone`` (no longer live) left out — what a write or
        another desk changed, without reading 200,000 rows again. The rows left alone keep
        their order; each row read again goes where a whole read would rank it (urgency,
        then id), found by bisection. Every row of ``cols`` must be on this board (a new one
        needs a whole read)."""
        n = len(self)
        fresh = [self.index_of(aid) for aid in cols.ids]
        if None in fresh:
            raise ValueError("a row read again is not on this board")
        mask = bytearray(b"\x01") * n
        for i in fresh:
            mask[i] = 0
        for aid in gone:
            i = self.index_of(aid)
            if i is not None:
                mask[i] = 0
        rest = list(compress(range(n), mask))  # rows left alone, in their order
        urgencies, ids = self.urgencies, self.ids
        new_ids = list(cols.ids)
        # The rows read again, most pressing first, each placed among the rest.
        incoming = sorted(range(len(new_ids)), key=lambda j: (-verdicts.urgencies[j], new_ids[j]))
        order: list[int] = []
        at = 0
        for j in incoming:
            to = bisect_left(
                rest,
                (-verdicts.urgencies[j], new_ids[j]),
                lo=at,
                key=lambda i: (-urgencies[i], ids[i]),
            )
            order += rest[at:to]
            order.append(n + j)  # past this board's rows: the row read again
            at = to
        order += rest[at:]

        def column(old: Sequence, new: Sequence) -> list:
            return [*old, *new]

        recurring = {a: d for a, d in self.recurring_progress.items() if a not in gone}
        covers = {a: c for a, c in self.recurring_covers.items() if a not in gone}
        for aid in new_ids:
            recurring.pop(aid, None)
            covers.pop(aid, None)
        recurring.update(cols.recurring_progress)
        covers.update(cols.recurring_covers)
        both = BoardColumns(
            ids + array("q", new_ids),
            column(self.task_ids, cols.task_ids),
            column(self.unit_ids, cols.unit_ids),
            column(self.group_ids, cols.group_ids),
            column(self.roles, cols.roles),
            column(self.completed, cols.completed),
            column(self.overrides, cols.overrides),
            column(self.last_progress, cols.last_progress),
            recurring,
            covers,
            column(self.letters, cols.letters),
            self.tasks,
            self.all_units,
            self.groups,
        )
        judged = ColumnVerdicts(
            column(self.statuses, verdicts.statuses),
            column(self.light_codes, verdicts.light_codes),
            urgencies + array("d", verdicts.urgencies),
            column(self.since, verdicts.since),
        )
        data = DeskData(
            self.as_of,
            both,
            judged,
            heads=self.heads,
            plans=self.plans,
            units=self.units,
            engine=self._engine,
            order=array("i", order),
        )
        data.read_on_demand = self.read_on_demand
        changed = set(new_ids) | set(gone)
        with self._lock:  # report texts already read stay, but not the changed rows'
            data._texts = {a: t for a, t in self._texts.items() if a not in changed}
        return data

    def shed(self) -> None:
        """Drop what can be built again on demand (search index, sort orders, row index).
        Called before the next board is read, so two boards' indexes never live side by
        side; if that read fails, this board still answers everything. Skipped while a
        worker is building them (the screen does not wait for it)."""
        if not self._build_lock.acquire(blocking=False):
            return
        try:
            self._search = None
            self._orders = {}
            self._ranks = {}
            self._index = None
        finally:
            self._build_lock.release()

    def warm(self) -> None:
        """Build what search, filters and sorts need (in a worker after a load), so the
        first keystroke of each kind does not pay for it."""
        self._search_index()
        self._light_bytes()
        for mode in SORT_MODES:
            self.rank(mode)

    def _search_index(self) -> _SearchIndex:
        """Built on the first search or filter, so the first screen does not wait for it."""
        if self._search is None:
            with self._build_lock:
                if self._search is None:
                    self._search = _SearchIndex.build(self)
        return self._search

    # ---------------------------------------------------------------- counts

    @property
    def lights(self) -> list[Status]:
        """Each row's status (逾期, 临期…), built on first use."""
        lights = self.__dict__.get("_lights")
        if lights is None:
            lights = self.__dict__["_lights"] = list(map(LIGHTS.__getitem__, self.light_codes))
        return lights

    def count_by_status(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for code, n in Counter(self.light_codes).items():
            counts[LIGHTS[code]] = n
        return counts

    def pending_count(self) -> int:
        """Rows still held by an unresolved group (待分解)."""
        return self.unit_ids.count(None)

    def needs_action(self, *, quiet_days: int = 30) -> list[int]:
        """待办 rows, in urgency order (see `needs_action`)."""
        codes, since = self.light_codes, self.since
        overdue, soon = LIGHT_CODE[Status.OVERDUE], LIGHT_CODE[Status.DUE_SOON]
        quiet = {q: q is None or q >= quiet_days for q in set(since)}
        need = map(
            or_,
            map(and_, map(overdue.__eq__, codes), map(quiet.__getitem__, since)),
            map(soon.__eq__, codes),
        )
        return list(compress(range(len(codes)), need))


def _taker(order: array):
    """A function that reorders a column by ``order`` (in C). The order is an array: an
    itemgetter of it would hold one int object per row for the board's life."""
    return lambda col: list(map(col.__getitem__, order))


class RowsView(Sequence):
    """The desk's rows as `Evaluated`, each built when read."""

    def __init__(self, data: DeskData) -> None:
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._data.row(k) for k in range(*i.indices(len(self._data)))]
        if i < 0:
            i += len(self._data)
        if not 0 <= i < len(self._data):
            raise IndexError(i)
        return self._data.row(i)


class EvaluatedById(Mapping):
    """Assignment id → its `Evaluated` row on the desk, built when read."""

    def __init__(self, data: DeskData) -> None:
        self._data = data

    def __getitem__(self, aid: int) -> Evaluated:
        i = self._data.index_of(aid)
        if i is None:
            raise KeyError(aid)
        return self._data.row(i)

    def __contains__(self, aid: object) -> bool:
        return isinstance(aid, int) and self._data.index_of(aid) is not None

    def __iter__(self):
        return iter(self._data.ids)

    def __len__(self) -> int:
        return len(self._data)


@dataclass
class _SearchIndex:
    task_order: list[int]  # task ids, by position
    task_keys: list[str]
    unit_names: list[str]
    unit_kinds: list[str]
    unit_keys: list[str]
    row_task: list[int]  # per row: position in task_order
    row_unit: list[int]  # per row: position in the unit lists
    task_rows: list[array] = field(default_factory=list)  # per task position: its rows
    unit_rows: list[array] = field(default_factory=list)  # per unit position: its rows
    task_plans: list[int] = field(default_factory=list)  # per task position: its plan

    @classmethod
    def build(cls, data: DeskData) -> _SearchIndex:
        task_order = sorted(set(data.task_ids))
        task_pos = {t: k for k, t in enumerate(task_order)}
        task_keys = []
        for t in task_order:
            _pid, _pt, number, title, *_ = data.tasks[t]
            task_keys.append(task_key(number, title, data.heads.get(t, "")))
        # Units by id, unresolved groups by minus their id.
        slot = [
            u if u is not None else -g for u, g in zip(data.unit_ids, data.group_ids, strict=True)
        ]
        slots = sorted(set(slot), key=lambda k: (k < 0, abs(k)))
        unit_pos = {k: n for n, k in enumerate(slots)}
        names, kinds = [], []
        for k in slots:
            if k >= 0:
                name, kind = data.all_units.get(k, ("", ""))
            else:
                name, kind = data.groups.get(-k, ""), "待分解"
            names.append(name)
            kinds.append(kind)
        row_task = list(map(task_pos.__getitem__, data.task_ids))
        row_unit = list(map(unit_pos.__getitem__, slot))
        return cls(
            task_order,
            task_keys,
            names,
            kinds,
            [unit_key(n) for n in names],
            row_task,
            row_unit,
            _rows_of(row_task, len(task_order)),
            _rows_of(row_unit, len(slots)),
            [data.tasks[t][0] for t in task_order],
        )


def _rows_of(positions: Sequence[int], size: int) -> list[array]:
    """For each of ``size`` keys, the rows (ascending) whose position is that key."""
    out = [array("i") for _ in range(size)]
    appends = [a.append for a in out]
    for i, k in enumerate(positions):
        appends[k](i)
    return out


_TASK_TEXT_SQL = "SELECT id, substr(text, 1, 60) FROM task WHERE active = TRUE"


def load_desk(
    engine: Engine, as_of: date, *, soon_days: int = 15, region: str | None = None
) -> DeskData:
    """Read and evaluate the whole board; the 200k-row hot path.

    ``region`` (a city store over its counties) keeps the board to that region's plans:
    an assignment is a region's through its task's plan (``plan.region``); ``plans`` then
    lists only that region's plans. None is every region. The read goes through the
    engine's own connection (`tui.store.board.reading`).

    The cyclic garbage collector is paused while the columns are built (it would otherwise
    rescan the fresh objects over and over: `tui.gc_pause`). Nothing is frozen after: a
    frozen board outlives its reload (the permanent generation is never collected), and
    the desk's memory grew at every reload.
    """
    with gc_paused():
        return _load_desk(engine, as_of, soon_days=soon_days, region=region)


def _load_desk(engine: Engine, as_of: date, *, soon_days: int, region: str | None) -> DeskData:
    with reading(engine) as conn:
        cols = load_columns(conn, as_of=as_of, region=region)
        cur = conn.cursor()
        cur.execute(_TASK_TEXT_SQL)
        heads = dict(cur.fetchall())
        if region is None:
            cur.execute("SELECT id, title FROM plan ORDER BY id")
        else:
            cur.execute("SELECT id, title FROM plan WHERE region = :r ORDER BY id", {"r": region})
        plans = dict(cur.fetchall())
        cur.execute("SELECT id, name, kind FROM unit WHERE merged_into IS NULL ORDER BY id")
        units = {i: (n, k) for i, n, k in cur.fetchall()}
        cur.close()
    verdicts = judge_columns(cols, as_of, soon_days=soon_days)
    return DeskData(as_of, cols, verdicts, heads=heads, plans=plans, units=units, engine=engine)


def reload_rows(
    engine: Engine,
    data: DeskData,
    ids: Set[int],
    *,
    soon_days: int = 15,
    region: str | None = None,
) -> DeskData | None:
    """``data`` with these assignments read again (a write touched them) and the ones no
    longer live left out; None when one of them is new to the board, which needs a whole
    read. A few queries on the touched rows, then the board rebuilt from its own columns."""
    with gc_paused():
        with reading(engine) as conn:
            cols = load_columns(conn, as_of=data.as_of, region=region, ids=sorted(ids))
        if any(data.index_of(aid) is None for aid in cols.ids):
            return None
        verdicts = judge_columns(cols, data.as_of, soon_days=soon_days)
        return data.patched(cols, verdicts, gone=set(ids).difference(cols.ids))


# --------------------------------------------------------------------------- pure aggregations


def tally_of(data: DeskData) -> Tally:
    """The board's rows counted by unit, plan and light (what `load_tally` reads in SQL)."""
    plan_of = {t: x[0] for t, x in data.tasks.items()}
    counts = Counter(
        zip(data.unit_ids, map(plan_of.__getitem__, data.task_ids), data.light_codes, strict=True)
    )
    return Tally(dict(counts), data.all_units, data.plans)


def unit_figures(data: DeskData | Tally) -> list[UnitFigure]:
    """Completion per unit, laggards first (`tui.store.overview.unit_figures_of`)."""
    return unit_figures_of(data if isinstance(data, Tally) else tally_of(data))


def plan_figures(data: DeskData | Tally) -> list[PlanFigure]:
    return plan_figures_of(data if isinstance(data, Tally) else tally_of(data))


def needs_action(r: Evaluated, *, quiet_days: int = 30) -> bool:
    """待办: overdue with no progress in ``quiet_days``, or due soon and not done."""
    st = r.status.status
    if st is Status.OVERDUE:
        return r.days_since_progress is None or r.days_since_progress >= quiet_days
    return st is Status.DUE_SOON


# --------------------------------------------------------------------------- plan tree and detail


@dataclass
class TreeItem:
    kind: str  # plan / node / task
    id: int
    label: str
    children: list[TreeItem] = field(default_factory=list)


def plan_tree(session: Session, region: str | None = None) -> list[TreeItem]:
    """Plan → outline sections → tasks, in document order; with ``region``, that region's
    plans only (``plan.region``)."""
    q = select(Plan).order_by(Plan.id)
    if region is not None:
        q = q.where(Plan.region == region)
    plans = list(session.exec(q).scalars())
    nodes = list(
        session.exec(
            select(OutlineNode).order_by(OutlineNode.plan_id, OutlineNode.position)
        ).scalars()
    )
    tasks = list(
        session.exec(
            select(Task).where(Task.active.is_(True)).order_by(Task.plan_id, Task.position)
        ).scalars()
    )
    items: dict[tuple[str, int], TreeItem] = {}
    roots = []
    for p in plans:
        it = TreeItem("plan", p.id, p.title)
        items[("plan", p.id)] = it
        roots.append(it)
    for n in nodes:
        if ("plan", n.plan_id) not in items:
            continue  # another region's plan
        it = TreeItem("node", n.id, f"{n.number}{n.heading}")
        items[("node", n.id)] = it
        parent = items.get(("node", n.parent_id)) if n.parent_id else None
        (parent or items[("plan", n.plan_id)]).children.append(it)
    for t in tasks:
        if ("plan", t.plan_id) not in items:
            continue
        it = TreeItem("task", t.id, f"{t.number}{t.title}")
        parent = items.get(("node", t.node_id)) if t.node_id else None
        (parent or items[("plan", t.plan_id)]).children.append(it)
    return roots


@dataclass
class HistoryEntry:
    on: date
    kind: str
    text: str
    actor: str


@dataclass
class AssignmentInfo:
    id: int
    task_id: int
    unit_id: int | None
    unit_name: str
    role: str
    unresolved: bool
    via_group: str
    completed_on: date | None
    due_override: date | None
    task_number: str = ""
    task_title: str = ""
    history: list[HistoryEntry] = field(default_factory=list)
    group_id: int | None = None  # the group still to resolve (待分解)


@dataclass
class TaskDetail:
    id: int
    plan_id: int
    plan_title: str
    number: str
    title: str
    text: str
    section: str
    deadline_text: str
    due_kind: str
    due_dates: str
    deadlines: list[DeadlineView]
    assignments: list[AssignmentInfo]

    def owners(self, role: str) -> list[AssignmentInfo]:
        return [a for a in self.assignments if a.role == role]

    def highlight_spans(self) -> list[tuple[int, int]]:
        """Where the task's text states its deadlines (parsed spans)."""
        return sorted(
            {(d.start, d.end) for d in self.deadlines if d.active and 0 <= d.start < d.end}
        )


_AUDIT_KIND = {
    "assignment.close": "验收销号",
    "assignment.reopen": "重新打开",
    "undo": "撤销",
    "assignment.resolve": "由单位组分解",
    "assignment.merge": "单位合并",
    "extension.supersede": "延期被期限更正取代",
    "owner.add": "列为负责单位",
    "owner.remove": "移出负责单位",
    "owner.role": "改变角色",
}


def _loads(s: str) -> dict:
    try:
        v = json.loads(s) if s else {}
    except ValueError:
        return {}
    return v if isinstance(v, dict) else {}


def assignment_history(session: Session, ids: Sequence[int]) -> dict[int, list[HistoryEntry]]:
    """Progress, extension requests and audited changes per assignment, oldest first."""
    out: dict[int, list[HistoryEntry]] = {i: [] for i in ids}
    if not ids:
        return out
    ids = list(ids)
    for p in session.exec(select(Progress).where(Progress.assignment_id.in_(ids))).scalars():
        text = p.text + ("（报告已完成）" if p.done else "")
        out[p.assignment_id].append(HistoryEntry(p.reported_on, "进展", text, p.recorded_by))
    for e in session.exec(select(Extension).where(Extension.assignment_id.in_(ids))).scalars():
        verdict = "同意" if e.granted else "不同意"
        out[e.assignment_id].append(
            HistoryEntry(
                e.requested_on,
                "延期申请",
                f"{e.reason}；申请延至 {e.new_due.isoformat()}；{verdict}",
                e.decided_by,
            )
        )
    q = select(AuditLog).where(
        AuditLog.entity == "assignment",
        AuditLog.entity_id.in_(ids),
        AuditLog.action.in_(list(_AUDIT_KIND)),
    )
    for a in session.exec(q).scalars():
        after = _loads(a.after)
        on = local(a.at).date()
        if a.action == "assignment.close" and after.get("completed_on"):
            on = date.fromisoformat(after["completed_on"])
        text = _AUDIT_KIND[a.action]
        if a.action == "undo":
            text = "撤销：" + _ACTION_LABEL.get(after.get("undone_action", ""), "操作")
        elif after.get("reason"):
            text += f"（{after['reason']}）"
        out[a.entity_id].append(HistoryEntry(on, "记录", text, a.actor))
    for v in out.values():
        v.sort(key=lambda h: h.on)
    return out


_ACTION_LABEL = {
    "progress.add": "记录进展",
    "assignment.close": "验收销号",
    "assignment.reopen": "重新打开",
    "extension.grant": "同意延期",
    "extension.refuse": "不同意延期",
    "deadline.set": "更正期限",
    "unit.edit": "修改单位信息",
    "group.resolve": "分解单位组",
    "unit.merge": "合并单位",
    "extension.supersede": "延期被期限更正取代",
    "owner.add": "新增负责单位",
    "owner.remove": "移除负责单位",
    "owner.role": "改变负责单位角色",
    "unit.create": "新建单位",
    "unit.update": "更新单位信息",
    "assignment.resolve": "由单位组分解",
    "assignment.merge": "单位合并",
    "assignment.create": "新建落实事项",
    "task.create": "新建任务",
    "task.update": "修订任务",
    "task.remove": "删除任务（计划修订）",
    "assignment.remove": "删除落实事项（计划修订）",
    "assignment.reactivate": "恢复落实事项（计划修订）",
    "plan.import": "导入计划",
    "letter.draft": "起草函件",
    "letter.edit": "修改函件草稿",
    "letter.sign": "签发函件",
    "letter.render": "生成函件文件",
    "letter.print": "打印函件",
    "letter.reply": "登记回复",
    "letter.void": "作废函件",
    "ladder.push": "人工提级",
    "ladder.hold": "暂缓催办",
    "ladder.release": "恢复自动催办",
    "undo": "撤销",
}


def action_label(action: str) -> str:
    return _ACTION_LABEL.get(action, action)


def _assignment_infos(session: Session, assignments: list[Assignment]) -> list[AssignmentInfo]:
    unit_ids = {a.unit_id for a in assignments if a.unit_id}
    units = (
        {u.id: u.name for u in session.exec(select(Unit).where(Unit.id.in_(unit_ids))).scalars()}
        if unit_ids
        else {}
    )
    groups = {g.id: g.name for g in session.exec(select(UnitGroup)).scalars()}
    task_ids = {a.task_id for a in assignments}
    tasks = (
        {t.id: t for t in session.exec(select(Task).where(Task.id.in_(task_ids))).scalars()}
        if task_ids
        else {}
    )
    history = assignment_history(session, [a.id for a in assignments])
    out = []
    for a in assignments:
        t = tasks.get(a.task_id)
        out.append(
            AssignmentInfo(
                a.id,
                a.task_id,
                a.unit_id,
                units.get(a.unit_id, "") if a.unit_id else groups.get(a.group_id, "?"),
                a.role,
                a.unit_id is None,
                groups.get(a.via_group_id, "") if a.via_group_id else "",
                a.completed_on,
                a.due_override,
                t.number if t else "",
                t.title if t else "",
                history[a.id],
                a.group_id,
            )
        )
    return out


def task_detail(session: Session, task_id: int) -> TaskDetail:
    t = session.get(Task, task_id)
    if t is None:
        raise DubanError(f"找不到任务：{task_id}")
    plan = session.get(Plan, t.plan_id)
    assignments = list(
        session.exec(
            select(Assignment)
            .where(Assignment.task_id == task_id, Assignment.active.is_(True))
            .order_by(Assignment.id)
        ).scalars()
    )
    return TaskDetail(
        t.id,
        t.plan_id,
        plan.title if plan else "",
        t.number,
        t.title,
        t.text,
        t.section_path,
        t.deadline_text,
        t.due_kind,
        t.due_dates,
        task_deadline_views(session, task_id),
        _assignment_infos(session, assignments),
    )


# --------------------------------------------------------------------------- units


@dataclass
class UnitInfo:
    id: int
    region: str
    name: str
    kind: str
    head: str
    contact: str
    phone: str
    aliases: list[str]


@dataclass
class PendingGroup:
    group_id: int
    region: str
    name: str
    assignments: int


def unit_infos(session: Session, region: str | None = None) -> list[UnitInfo]:
    """The live units (with ``region``, that region's directory: ``unit.region``)."""
    aliases: dict[int, list[str]] = {}
    for a in session.exec(select(UnitAlias).order_by(UnitAlias.id)).scalars():
        aliases.setdefault(a.unit_id, []).append(a.alias)
    q = select(Unit).where(Unit.merged_into.is_(None)).order_by(Unit.region, Unit.id)
    if region is not None:
        q = q.where(Unit.region == region)
    return [
        UnitInfo(u.id, u.region, u.name, u.kind, u.head, u.contact, u.phone, aliases.get(u.id, []))
        for u in session.exec(q).scalars()
    ]


def region_unit_ids(session: Session, region: str) -> set[int]:
    """Every unit of a region's directory, merged ones included (their letters stay)."""
    return set(session.exec(select(Unit.id).where(Unit.region == region)).scalars())


def pending_groups(session: Session, region: str | None = None) -> list[PendingGroup]:
    """Groups that still stand for unnamed units on live assignments (待分解); with
    ``region``, that region's groups (``unit_group.region``)."""
    counts: dict[int, int] = {}
    for gid in session.exec(
        select(Assignment.group_id).where(
            Assignment.group_id.is_not(None), Assignment.active.is_(True)
        )
    ).scalars():
        counts[gid] = counts.get(gid, 0) + 1
    if not counts:
        return []
    q = select(UnitGroup).where(UnitGroup.id.in_(list(counts)))
    if region is not None:
        q = q.where(UnitGroup.region == region)
    groups = session.exec(q).scalars()
    return sorted(
        (PendingGroup(g.id, g.region, g.name, counts[g.id]) for g in groups),
        key=lambda g: (g.region, -g.assignments, g.name),
    )


def unit_list(session: Session, unit_id: int) -> list[AssignmentInfo]:
    """A unit's 任务清单: its live assignments with their history."""
    assignments = list(
        session.exec(
            select(Assignment)
            .where(Assignment.unit_id == unit_id, Assignment.active.is_(True))
            .order_by(Assignment.task_id, Assignment.id)
        ).scalars()
    )
    return _assignment_infos(session, assignments)


def unit_assignment_count(session: Session, unit_id: int) -> int:
    """Live assignments of a unit (what a merge would move)."""
    from sqlalchemy import func

    return int(
        session.exec(
            select(func.count()).where(Assignment.unit_id == unit_id, Assignment.active.is_(True))
        ).scalar_one()
    )


def unit_name(session: Session, unit_id: int) -> str:
    u = session.get(Unit, unit_id)
    return u.name if u else str(unit_id)


def _unit_state(session: Session, unit: Unit) -> dict:
    aliases = list(
        session.exec(
            select(UnitAlias.alias).where(UnitAlias.unit_id == unit.id).order_by(UnitAlias.id)
        ).scalars()
    )
    return {"head": unit.head, "contact": unit.contact, "phone": unit.phone, "aliases": aliases}


def set_unit_aliases(session: Session, unit: Unit, aliases: Sequence[str]) -> None:
    """Make the unit's aliases exactly ``aliases``; an alias held by another unit is refused."""
    wanted = [a.strip() for a in aliases if a.strip() and a.strip() != unit.name]
    have = {
        a.alias: a
        for a in session.exec(select(UnitAlias).where(UnitAlias.unit_id == unit.id)).scalars()
    }
    for alias, row in have.items():
        if alias not in wanted:
            session.delete(row)
    session.flush()
    for alias in wanted:
        if alias in have:
            continue
        taken = (
            session.exec(
                select(UnitAlias).where(UnitAlias.region == unit.region, UnitAlias.alias == alias)
            )
            .scalars()
            .first()
        )
        if taken is not None:
            other = session.get(Unit, taken.unit_id)
            raise DubanError(f"别名“{alias}”已属于单位“{other.name if other else taken.unit_id}”")
        session.add(UnitAlias(unit_id=unit.id, region=unit.region, alias=alias))
    session.flush()


def edit_unit(
    session: Session,
    unit_id: int,
    *,
    head: str,
    contact: str,
    phone: str,
    aliases: Sequence[str],
    actor: str,
) -> None:
    unit = session.get(Unit, unit_id)
    if unit is None or unit.merged_into is not None:
        raise DubanError(f"找不到单位：{unit_id}")
    before = _unit_state(session, unit)
    unit.head, unit.contact, unit.phone = head.strip(), contact.strip(), phone.strip()
    set_unit_aliases(session, unit, aliases)
    after = _unit_state(session, unit)
    if after == before:
        raise DubanError("单位信息没有变化")
    record(session, actor, "unit.edit", "unit", unit.id, before, after)
    session.flush()


@dataclass
class GroupStep:
    """What resolving a group does for one task and one unit."""

    task_id: int
    task_label: str
    unit_id: int
    unit_name: str
    role: str
    action: str  # create / reactivate / exists / leads
    group_assignment: int

    @property
    def note(self) -> str:
        role = role_label(self.role)
        if self.action == "exists":
            return f"{self.unit_name}已是该任务的{role}单位，不重复"
        if self.action == "leads":
            return f"{self.unit_name}已是该任务的牵头单位，不再列为{role}单位"
        return f"{self.unit_name}（{role}）"


@dataclass
class GroupTask:
    """A task whose owners name a group still to resolve (待分解)."""

    task_id: int
    label: str  # number + title
    role: str
    group_assignment: int


def group_tasks(session: Session, group_id: int) -> list[GroupTask]:
    """The tasks that name this group on a live row, in plan order."""
    rows = session.exec(
        select(Assignment, Task)
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.group_id == group_id, Assignment.active.is_(True))
        .order_by(Task.plan_id, Task.position, Assignment.id)
    ).all()
    return [GroupTask(t.id, f"{t.number}{t.title}", a.role, a.id) for a, t in rows]


def plan_group_resolution(
    session: Session,
    group_id: int,
    unit_ids: Sequence[int],
    task_ids: Sequence[int] | None = None,
) -> list[GroupStep]:
    """What `resolve_group` would do, row by row, without writing anything."""
    group = session.get(UnitGroup, group_id)
    if group is None:
        raise DubanError(f"找不到单位组：{group_id}")
    unit_ids = list(dict.fromkeys(unit_ids))
    if not unit_ids:
        raise DubanError("请至少选择一个单位")
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(unit_ids))).scalars()}
    missing = [i for i in unit_ids if i not in units]
    if missing:
        raise DubanError(f"找不到单位：{missing[0]}")
    q = select(Assignment).where(Assignment.group_id == group_id, Assignment.active.is_(True))
    if task_ids is not None:
        if not task_ids:
            raise DubanError("请至少选择一项任务")
        q = q.where(Assignment.task_id.in_(list(task_ids)))
    pending = list(session.exec(q.order_by(Assignment.task_id, Assignment.id)).scalars())
    if not pending:
        raise DubanError(f"单位组“{group.name}”没有待分解的落实事项")
    task_rows = {
        t.id: t
        for t in session.exec(
            select(Task).where(Task.id.in_([g.task_id for g in pending]))
        ).scalars()
    }
    owners: dict[tuple[int, int], dict[str, Assignment]] = {}
    for a in session.exec(
        select(Assignment).where(
            Assignment.task_id.in_(list(task_rows)),
            Assignment.unit_id.in_(unit_ids),
            Assignment.group_id.is_(None),
        )
    ).scalars():
        roles = owners.setdefault((a.task_id, a.unit_id), {})
        if a.role not in roles or a.active:
            roles[a.role] = a
    steps: list[GroupStep] = []
    planned: set[tuple[int, int, str]] = set()
    for g in pending:
        t = task_rows[g.task_id]
        label = f"{t.number}{t.title}"
        for uid in unit_ids:
            have = owners.get((g.task_id, uid), {})
            lead = have.get("lead")
            same = have.get(g.role)
            if (g.task_id, uid, g.role) in planned:
                continue
            planned.add((g.task_id, uid, g.role))
            if g.role != "lead" and lead is not None and lead.active:
                action = "leads"
            elif same is not None and same.active:
                action = "exists"
            elif same is not None:
                action = "reactivate"
            else:
                action = "create"
            steps.append(GroupStep(g.task_id, label, uid, units[uid].name, g.role, action, g.id))
    return steps


def resolve_group(
    session: Session,
    group_id: int,
    unit_ids: Sequence[int],
    actor: str,
    *,
    task_ids: Sequence[int] | None = None,
    remember: bool = False,
) -> int:
    """待分解 → named units, for the chosen tasks (``task_ids``; None = every task that names
    the group).

    A group means different units for different tasks ("区直有关部门"), so the desk resolves
    it per task. Each resolved group row stays (inactive) for history; new rows carry
    ``via_group_id``. No (task, unit, role) row is made twice, and a unit that leads a task
    is not also made responsible for it. With ``remember`` the units also become the
    group's members, so that the next import expands the group by itself.
    Returns the number of unit assignments created or reactivated.
    """
    group = session.get(UnitGroup, group_id)
    steps = plan_group_resolution(session, group_id, unit_ids, task_ids)
    pending_ids = sorted({s.group_assignment for s in steps})
    created: list[int] = []
    reactivated: list[int] = []
    skipped = [s.note for s in steps if s.action in ("exists", "leads")]
    for aid in pending_ids:
        session.get(Assignment, aid).active = False
    for st in steps:
        if st.action == "reactivate":
            a = (
                session.exec(
                    select(Assignment).where(
                        Assignment.task_id == st.task_id,
                        Assignment.unit_id == st.unit_id,
                        Assignment.group_id.is_(None),
                        Assignment.role == st.role,
                    )
                )
                .scalars()
                .first()
            )
            a.active = True
            reactivated.append(a.id)
        elif st.action == "create":
            a = Assignment(
                task_id=st.task_id,
                unit_id=st.unit_id,
                via_group_id=group_id,
                role=st.role,
                created_at=now(),
            )
            session.add(a)
            session.flush()
            created.append(a.id)
    unit_ids = list(dict.fromkeys(unit_ids))
    added_members: list[int] = []
    if remember:
        members = set(
            session.exec(
                select(UnitGroupMember.unit_id).where(UnitGroupMember.group_id == group_id)
            ).scalars()
        )
        added_members = [u for u in unit_ids if u not in members]
        for uid in added_members:
            session.add(UnitGroupMember(group_id=group_id, unit_id=uid))
    names = {s.unit_id: s.unit_name for s in steps}
    record(
        session,
        actor,
        "group.resolve",
        "unit_group",
        group_id,
        {"group_assignments": pending_ids},
        {
            "units": [names[u] for u in unit_ids if u in names],
            "tasks": sorted({s.task_id for s in steps}),
            "created": created,
            "reactivated": reactivated,
            "skipped": skipped,
            "members_added": added_members,
        },
    )
    for aid in created + reactivated:
        record(session, actor, "assignment.resolve", "assignment", aid, None, {"group": group.name})
    session.flush()
    return len(created) + len(reactivated)


def merge_units(session: Session, source_id: int, target_id: int, actor: str) -> int:
    """Two names for one unit: the source's assignments, aliases and memberships go to the target.

    The source row stays with ``merged_into`` set (history keeps pointing at it). Where the
    target already has the same task in the same role, the source's row is deactivated instead
    of moved. Returns the number of assignments moved.
    """
    if source_id == target_id:
        raise DubanError("不能把单位合并到它自己")
    src, dst = session.get(Unit, source_id), session.get(Unit, target_id)
    if src is None or dst is None or src.merged_into or dst.merged_into:
        raise DubanError("找不到要合并的单位（或已被合并）")
    if src.region != dst.region:
        raise DubanError(f"只能合并同一地区的单位：{src.region}≠{dst.region}")
    moved: list[int] = []
    deactivated: list[int] = []
    target_keys = {
        (a.task_id, a.role)
        for a in session.exec(
            select(Assignment).where(Assignment.unit_id == target_id, Assignment.active.is_(True))
        ).scalars()
    }
    for a in session.exec(
        select(Assignment).where(Assignment.unit_id == source_id, Assignment.active.is_(True))
    ).scalars():
        if (a.task_id, a.role) in target_keys:
            a.active = False
            deactivated.append(a.id)
        else:
            a.unit_id = target_id
            moved.append(a.id)
            target_keys.add((a.task_id, a.role))
    aliases_moved = []
    for al in session.exec(select(UnitAlias).where(UnitAlias.unit_id == source_id)).scalars():
        al.unit_id = target_id
        aliases_moved.append(al.id)
    name_alias = None
    taken = (
        session.exec(
            select(UnitAlias).where(UnitAlias.region == dst.region, UnitAlias.alias == src.name)
        )
        .scalars()
        .first()
    )
    if taken is None:
        row = UnitAlias(unit_id=target_id, region=dst.region, alias=src.name)
        session.add(row)
        session.flush()
        name_alias = row.id
    groups_moved = []
    for m in list(
        session.exec(select(UnitGroupMember).where(UnitGroupMember.unit_id == source_id)).scalars()
    ):
        groups_moved.append(m.group_id)
        session.delete(m)
        session.flush()
        if session.get(UnitGroupMember, (m.group_id, target_id)) is None:
            session.add(UnitGroupMember(group_id=m.group_id, unit_id=target_id))
    src.merged_into = target_id
    record(
        session,
        actor,
        "unit.merge",
        "unit",
        source_id,
        {"merged_into": None, "name": src.name},
        {
            "merged_into": target_id,
            "target": dst.name,
            "moved": moved,
            "deactivated": deactivated,
            "aliases_moved": aliases_moved,
            "name_alias": name_alias,
            "groups": groups_moved,
        },
    )
    for aid in moved + deactivated:
        record(
            session,
            actor,
            "assignment.merge",
            "assignment",
            aid,
            {"unit_id": source_id},
            {"unit_id": target_id, "reason": f"{src.name} 并入 {dst.name}"},
        )
    session.flush()
    return len(moved)


def find_unit_by_name(session: Session, name: str, region: str | None = None) -> Unit:
    """A live unit by exact name or alias (within a region when given)."""
    name = name.strip()
    q = select(Unit).where(Unit.name == name, Unit.merged_into.is_(None))
    if region:
        q = q.where(Unit.region == region)
    u = session.exec(q).scalars().first()
    if u is None:
        aq = select(UnitAlias).where(UnitAlias.alias == name)
        if region:
            aq = aq.where(UnitAlias.region == region)
        al = session.exec(aq).scalars().first()
        u = session.get(Unit, al.unit_id) if al else None
    if u is None or u.merged_into is not None:
        raise DubanError(f"找不到单位：{name}")
    return u


# --------------------------------------------------------------------------- letters at the desk


def next_letter_seqs(
    session: Session, keys: Sequence[tuple[str, int]]
) -> dict[tuple[str, int], int]:
    """The next sequence number per (kind, year), as the counter stands now (a preview for
    the sign-off dialog; signing takes the numbers under the write lock)."""
    from sqlalchemy import text

    out: dict[tuple[str, int], int] = {}
    for kind, year in dict.fromkeys(keys):
        row = (
            session.connection()
            .execute(
                text("SELECT next_seq FROM letter_counter WHERE kind = :k AND year = :y"),
                {"k": kind, "y": year},
            )
            .first()
        )
        out[(kind, year)] = int(row[0]) if row else 1
    return out


@dataclass
class LetterLine:
    assignment_id: int
    task_number: str
    task_title: str


def letter_lines(session: Session, letter_id: int) -> list[LetterLine]:
    """A letter's items (assignment, task number and title), in their order."""
    from sqlalchemy import text

    rows = session.connection().execute(
        text(
            "SELECT assignment_id, task_number, task_title FROM letter_item "
            "WHERE letter_id = :l ORDER BY position"
        ),
        {"l": letter_id},
    )
    return [LetterLine(int(a), n or "", t or "") for a, n, t in rows]
