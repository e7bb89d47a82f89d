"""5 待办: what needs action as of the desk's date, most urgent first, one key per action."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from tui.app.widgets.vtable import Cell, Column, VirtualTable

TRIAGE_COLUMNS = (
    Column("状态", 4),
    Column("逾期/剩余", 10),
    Column("单位", 14),
    Column("编号", 6),
    Column("任务", 0),
    Column("最近进展", 10),
    Column("建议", 6),
)


class TriageView(Vertical):
    def __init__(self, row_cells: Callable[[int], Sequence[Cell]], **kw) -> None:
        super().__init__(**kw)
        self._row_cells = row_cells

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="triage-status")
        yield VirtualTable(
            TRIAGE_COLUMNS, self._row_cells, id="triage-table", empty_text="（今天没有待办事项）"
        )
        yield Static("", id="triage-detail")
