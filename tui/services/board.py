"""Reads for the desk: the board as of a date, the plan tree, task, unit and item details.

Everything here runs in the desk's worker threads; results are plain objects the screens
draw without going back to the database.

A region (a city store over its counties; the desk's chooser, `tui.app.region_choice`)
narrows every tab the board feeds, and what is "a region's" is:

- plans: ``plan.region`` (the plans tab's tree, the overview's plan figures, the plan count);
- assignments (督办事项, 分诊, the overview's counts and unit ranking): through their task's
  plan, so a city unit assigned in a county's plan counts in that county;
- units and pending groups: ``unit.region`` and ``unit_group.region`` (the county's own
  directory);
- letters: through the unit they are addressed to (``unit.region``, merged units included).

None is every region: the whole store, as a county's own store always shows. The circulars
register, the year view and the audit trail are not narrowed (they are the office's own
registers, read by their tabs, not from the board).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from tui.domain.status import Occurrence
from tui.services.first_screen import Overview
from tui.services.store import Store
from tui.store.board import reading
from tui.store.deadlines import DeadlineBasis, deadline_basis
from tui.store.desk import (
    AssignmentInfo,
    DeskData,
    PendingGroup,
    PlanFigure,
    TaskDetail,
    TreeItem,
    UnitFigure,
    UnitInfo,
    load_desk,
    pending_groups,
    plan_figures,
    plan_tree,
    region_unit_ids,
    tally_of,
    task_detail,
    unit_figures,
    unit_infos,
    unit_list,
)
from tui.store.letters import LetterRow, list_letters
from tui.store.overview import load_tally
from tui.store.progress import assignment_occurrences

__all__ = [
    "AssignmentInfo",
    "Board",
    "DeskData",
    "ItemDetail",
    "Overview",
    "PendingGroup",
    "TaskDetail",
    "TreeItem",
    "UnitFigure",
    "UnitInfo",
    "fetch_reports",
    "item_detail",
    "load_board",
    "load_overview",
    "load_plan_tree",
    "load_task",
    "load_unit_items",
    "others_changed",
    "refresh_board",
]


def load_overview(store: Store, as_of: date, *, soon_days: int = 15) -> Overview:
    """The first screen from aggregate queries, shown while the board is read behind it;
    its numbers are the board's (`Board.overview`)."""
    with reading(store.engine) as conn:
        tally = load_tally(conn, as_of=as_of, soon_days=soon_days)
    with Session(store.engine) as s:
        letters = list_letters(s, today=as_of)
    return Overview.of(as_of, tally, letters)


@dataclass
class Board:
    """What every tab shows, as of one date, read in one go."""

    as_of: date
    data: DeskData
    units: list[UnitInfo]
    groups: list[PendingGroup]
    letters: list[LetterRow]
    figures: list[UnitFigure]
    plans: list[PlanFigure]
    plan_count: int = 0  # plans in the store (some may have no assignments yet)
    unit_count: int = 0
    # The audit trail's latest id before this board was read: a write made from it passes
    # this back, and is refused if another desk changed its rows since (store.concurrency).
    seen: int = 0
    region: str | None = None  # the region it was read for; None: every region

    def close(self) -> None:
        self.data.close()

    @property
    def overview(self) -> Overview:
        """The first screen, from the board's own rows."""
        data = self.data
        return Overview(
            self.as_of,
            data.count_by_status(),
            len(data),
            data.pending_count(),
            self.figures,
            self.plans,
            self.plan_count,
            self.letters,
        )


def load_board(
    store: Store, as_of: date, *, soon_days: int = 15, region: str | None = None
) -> Board:
    """Every tab's rows as of a date; with ``region``, that region's (module docstring)."""
    from tui.store.concurrency import latest_change

    with Session(store.engine) as s:
        seen = latest_change(s)
    data = load_desk(store.engine, as_of, soon_days=soon_days, region=region)
    data.read_on_demand = False
    return _board_of(store, data, seen=seen, region=region)


def refresh_board(store: Store, board: Board, *, soon_days: int = 15) -> Board | None:
    """The board brought up to date with what changed since it was read — a write of this
    desk or another's — reading only the rows the changes name (the audit trail says which,
    `tui.store.concurrency.rows_changed_since`); the lists beside the rows (units, groups,
    letters) are read again whole, as they are small. None when a change reaches beyond the
    rows it names (a deadline, a unit, a plan…): then the whole board must be read."""
    from tui.store.concurrency import latest_change, rows_changed_since
    from tui.store.desk import reload_rows

    with Session(store.engine) as s:
        seen = latest_change(s)
        touched = rows_changed_since(s, board.seen, seen)
    if touched is None:
        return None
    data = board.data
    if touched:
        data = reload_rows(store.engine, data, touched, soon_days=soon_days, region=board.region)
        if data is None:
            return None
    return _board_of(store, data, seen=seen, region=board.region)


def _board_of(store: Store, data: DeskData, *, seen: int, region: str | None) -> Board:
    """A board of these rows, with the store's units, groups and letters beside them."""
    as_of = data.as_of
    with Session(store.engine) as s:
        units = unit_infos(s, region)
        groups = pending_groups(s, region)
        letters = list_letters(s, today=as_of)
        if region is not None:
            ours = region_unit_ids(s, region)
            letters = [x for x in letters if x.unit_id in ours]
    tally = tally_of(data)
    return Board(
        as_of,
        data,
        units,
        groups,
        letters,
        unit_figures(tally),
        plan_figures(tally),
        plan_count=len(data.plans),
        unit_count=len(units),
        seen=seen,
        region=region,
    )


def others_changed(store: Store, seen: int, operator: str) -> tuple[str, str] | None:
    """Has another desk changed the store since the board was read? (who, when) or None."""
    from tui.store.concurrency import latest_other_change

    with Session(store.engine) as s:
        return latest_other_change(s, seen, operator)


def fetch_reports(data: DeskData, ids: list[int]) -> None:
    """Latest report texts of a few rows (the ones on screen)."""
    data.fetch_reports(ids)


def load_plan_tree(store: Store, region: str | None = None) -> list[TreeItem]:
    with Session(store.engine) as s:
        return plan_tree(s, region)


def load_task(store: Store, task_id: int) -> TaskDetail:
    with Session(store.engine) as s:
        return task_detail(s, task_id)


def load_unit_items(store: Store, unit_id: int) -> list[AssignmentInfo]:
    with Session(store.engine) as s:
        return unit_list(s, unit_id)


@dataclass
class ItemDetail:
    """Why an item has the date and the light it has: the rule in force and, for a
    recurring duty, every occurrence met, missed or ahead."""

    assignment_id: int
    basis: DeadlineBasis
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def missed(self) -> list[Occurrence]:
        return [o for o in self.occurrences if o.missed]

    @property
    def next_due(self) -> Occurrence | None:
        return next((o for o in self.occurrences if o.state == "未到期" and not o.reported), None)


def item_detail(store: Store, assignment_id: int, as_of: date) -> ItemDetail:
    with Session(store.engine) as s:
        return ItemDetail(
            assignment_id,
            deadline_basis(s, assignment_id),
            assignment_occurrences(s, assignment_id, as_of),
        )
