"""4 单位: units with counts and completion; a unit's list; groups still to resolve (待分解)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from tui.app.cells import percent
from tui.app.keymap import bindings
from tui.app.modals.base import ConfirmModal
from tui.app.modals.units import MergeModal, UnitEditModal
from tui.app.tabs.base import DeskTab, Latest
from tui.app.tabs.flows import resolve_group
from tui.app.tabs.plans import assignment_line, history_lines
from tui.app.widgets.vtable import Column, VirtualTable
from tui.services import board as board_svc
from tui.services import desk as svc

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


class UnitsTab(DeskTab):
    TAB_ID = "units"
    BINDINGS = bindings("units")

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.units: list = []
        self.groups: list = []
        self.figures: dict = {}
        self._shown: int | None = None
        self._reader = Latest(
            self, lambda uid: (board_svc.load_unit_items, self.desk.store, uid), self._show_unit
        )

    def compose(self) -> ComposeResult:
        with Horizontal():
            with Vertical(id="units-left"):
                yield VirtualTable(UNIT_COLUMNS, self._unit_cells, id="units-table")
                yield Label("待分解的单位组（b 分解）", id="groups-title")
                yield VirtualTable(
                    GROUP_COLUMNS,
                    self._group_cells,
                    id="groups-table",
                    empty_text="（没有待分解的单位组）",
                )
            with VerticalScroll(id="unit-detail-pane"):
                yield Static("回车查看单位的任务清单", id="unit-detail")

    def main_widget(self):
        return self.query_one("#units-table", VirtualTable)

    def show_board(self, board) -> None:
        self.units = board.units
        self.groups = board.groups
        self.figures = {f.unit_id: f for f in board.figures}
        self.query_one("#units-table", VirtualTable).set_count(len(self.units))
        self.query_one("#groups-table", VirtualTable).set_count(len(self.groups))
        if self._shown is not None:
            self.show_unit_id(self._shown)

    def _unit_cells(self, n: int) -> list:
        u = self.units[n]
        fig = self.figures.get(u.id)
        total, done, overdue = (fig.total, fig.done, fig.overdue) if fig else (0, 0, 0)
        return [
            u.name,
            u.kind,
            str(total),
            str(done),
            Text(str(overdue), style="bold red") if overdue else "0",
            percent(fig.rate) if fig else "—",
            u.head or "",
        ]

    def _group_cells(self, n: int) -> list:
        g = self.groups[n]
        return [g.region, g.name, str(g.assignments)]

    # ---------------------------------------------------------------- a unit's list

    def current_unit(self):
        t = self.query_one("#units-table", VirtualTable)
        return self.units[t.cursor] if 0 <= t.cursor < len(self.units) else None

    def select_unit(self, unit_id: int) -> None:
        n = next((k for k, u in enumerate(self.units) if u.id == unit_id), None)
        if n is not None:
            self.query_one("#units-table", VirtualTable).cursor = n
            self.show_unit_id(unit_id)

    @on(VirtualTable.Chosen, "#units-table")
    def _unit_chosen(self, event: VirtualTable.Chosen) -> None:
        if 0 <= event.index < len(self.units):
            self.show_unit_id(self.units[event.index].id)

    @on(VirtualTable.Chosen, "#groups-table")
    def _group_chosen(self, event: VirtualTable.Chosen) -> None:
        self.action_resolve_group()

    def show_unit_id(self, unit_id: int) -> None:
        u = next((x for x in self.units if x.id == unit_id), None)
        if u is None:
            return
        self._shown = unit_id
        self._reader.want(unit_id)

    def _show_unit(self, unit_id: int, items) -> None:
        u = next((x for x in self.units if x.id == unit_id), None)
        board = self.board
        if u is not None and board is not None:
            self.query_one("#unit-detail", Static).update(
                unit_text(u, self.figures.get(u.id), items, board.data.by_id)
            )

    # ---------------------------------------------------------------- actions

    def action_edit_unit(self) -> None:
        u = self.current_unit()
        if u is None:
            return
        desk = self.desk
        seen = desk.seen()

        def done(res) -> None:
            if res is None:
                return
            desk.write(
                svc.edit_unit_info,
                desk.store,
                u.id,
                head=res.head,
                contact=res.contact,
                phone=res.phone,
                aliases=res.aliases,
                actor=desk.operator,
                seen=seen,
            )

        desk.push_screen(
            UnitEditModal(f"修改单位信息 — {u.name}", u.head, u.contact, u.phone, u.aliases), done
        )

    def action_merge_unit(self) -> None:
        u = self.current_unit()
        if u is None:
            return
        desk = self.desk
        candidates = [(x.name, x.id) for x in self.units if x.region == u.region and x.id != u.id]

        def chosen(target: int | None) -> None:
            if target is None:
                return
            name = next((x.name for x in self.units if x.id == target), str(target))
            desk.jobs.run(
                svc.unit_assignment_count,
                desk.store,
                u.id,
                on_done=lambda n: confirm(target, name, n),
                dialog=True,
            )

        def confirm(target: int, name: str, n: int) -> None:
            body = Text(f"把“{u.name}”并入“{name}”：\n", style="bold")
            body.append(f"移交落实事项 {n} 项（“{name}”已有同一任务同一角色的，不重复）；\n")
            body.append(f"“{u.name}”的别名归入“{name}”，并记为其别名；\n")
            body.append("可用 u 撤销。", style="dim")
            desk.push_screen(
                ConfirmModal("合并单位", body, confirm="合并 (Y)"),
                lambda ok: (
                    ok and desk.write(svc.merge_unit, desk.store, u.id, target, desk.operator)
                ),
            )

        desk.push_screen(MergeModal(u.name, candidates), chosen)

    def action_unit_list(self) -> None:
        from tui.app.reports_flow import issue_lists

        u = self.current_unit()
        if u is None:
            self.desk.say("请先选中一个单位", "warning")
            return
        issue_lists(self.desk, u.id, u.name)

    def action_resolve_group(self) -> None:
        if not self.groups:
            self.desk.say("没有待分解的单位组")
            return
        gt = self.query_one("#groups-table", VirtualTable)
        g = self.groups[gt.cursor] if 0 <= gt.cursor < len(self.groups) else self.groups[0]
        resolve_group(self.desk, g.group_id, g.name, g.region, set())


def unit_text(info, figure, items, status_of) -> Text:
    out = [Text(f"{info.name}（{info.region or '未分地区'}·{info.kind}）", style="bold")]
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
    return Text("\n").join(out)
