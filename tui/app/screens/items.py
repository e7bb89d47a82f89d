"""3 督办事项: every assignment, by urgency; search, filters, sort, multi-select."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.app.widgets.vtable import Cell, Column, VirtualTable

ITEM_COLUMNS = (
    Column("", 1),
    Column("状态", 4),
    Column("逾期/剩余", 10),
    Column("期限", 10),
    Column("编号", 6),
    Column("任务", 0),
    Column("单位", 14),
    Column("角色", 4),
    Column("最近进展", 16),
    Column("函", 2, "right"),
)


class ItemsView(Vertical):
    def __init__(
        self,
        row_cells: Callable[[int], Sequence[Cell]],
        is_selected: Callable[[int], bool],
        **kw,
    ) -> None:
        super().__init__(**kw)
        self._row_cells = row_cells
        self._is_selected = is_selected

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="items-status")
        yield Input(placeholder="搜索：任务内容、单位名称或拼音首字母（如 sfj）", id="search")
        yield VirtualTable(
            ITEM_COLUMNS, self._row_cells, is_selected=self._is_selected, id="items-table"
        )
        yield Static("", id="items-detail")
