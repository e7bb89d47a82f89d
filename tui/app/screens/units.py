"""4 单位: units with counts and completion; a unit's list; groups still to resolve (待分解)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from tui.app.screens.plans import assignment_line, history_lines
from tui.app.widgets.vtable import Cell, Column, VirtualTable
from tui.domain.board import Evaluated
from tui.store.desk import AssignmentInfo, UnitFigure, UnitInfo

UNIT_COLUMNS = (
    Column("单位", 16),
    Column("类别", 4),
    Column("总数", 4, "right"),
    Column("完成", 4, "right"),
    Column("逾期", 4, "right"),
    Column("完成率", 6, "right"),
    Column("负责人", 0),
)
GROUP_COLUMNS = (Column("地区", 10), Column("单位组", 0), Column("待分解事项", 10, "right"))


class UnitsView(Horizontal):
    def __init__(
        self,
        unit_cells: Callable[[int], Sequence[Cell]],
        group_cells: Callable[[int], Sequence[Cell]],
        **kw,
    ) -> None:
        super().__init__(**kw)
        self._unit_cells = unit_cells
        self._group_cells = group_cells

    def compose(self) -> ComposeResult:
        with Vertical(id="units-left"):
            yield VirtualTable(UNIT_COLUMNS, self._unit_cells, id="units-table")
            yield Label("待分解的单位组（g 分解）", id="groups-title")
            yield VirtualTable(
                GROUP_COLUMNS,
                self._group_cells,
                id="groups-table",
                empty_text="（没有待分解的单位组）",
            )
        with VerticalScroll(id="unit-detail-pane"):
            yield Static("回车查看单位的任务清单", id="unit-detail")

    def show_unit(
        self,
        info: UnitInfo,
        figure: UnitFigure | None,
        items: list[AssignmentInfo],
        status_of: dict[int, Evaluated],
    ) -> None:
        out = [Text(f"{info.name}（{info.region}·{info.kind}）", style="bold")]
        out.append(
            Text(
                f"负责人：{info.head or '—'}  联系人：{info.contact or '—'}  电话：{info.phone or '—'}"
            )
        )
        out.append(Text(f"别名：{'、'.join(info.aliases) or '—'}", style="dim"))
        if figure:
            out.append(
                Text(
                    f"共 {figure.total} 项，完成 {figure.done}，逾期 {figure.overdue}，"
                    f"临期 {figure.due_soon}，完成率 {figure.rate * 100:.0f}%"
                )
            )
        out.append(Text(""))
        out.append(Text(f"任务清单（{len(items)}）", style="bold"))
        for a in items:
            out.append(Text("  ") + assignment_line(a, status_of.get(a.id), with_task=True))
            out += history_lines(a.history)
        self.query_one("#unit-detail", Static).update(Text("\n").join(out))
