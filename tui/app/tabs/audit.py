"""7 操作记录: the audit trail as changes, newest first. Any single change can be reverted
here (z) after confirmation, when nothing later touched what it changed; the dialog names
the later change that stands in the way."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from tui.app.keymap import bindings
from tui.app.modals.base import ConfirmModal
from tui.app.tabs.base import DeskTab, Latest
from tui.app.widgets.vtable import Column, VirtualTable
from tui.services import undo as svc

COLUMNS = (
    Column("时间", 16),
    Column("操作人", 8),
    Column("操作", 0),
    Column("条数", 4, "right"),
    Column("状态", 8),
)


def when(at) -> str:
    from tui.clock import local

    return local(at).strftime("%Y-%m-%d %H:%M")


def change_text(c) -> Text:
    """A change as the confirm dialogs and the detail pane show it: what, when, by whom."""
    t = Text(f"{c.title}\n", style="bold")
    t.append(f"{when(c.at)}　操作人 {c.actor}　共 {c.rows} 条记录\n", style="dim")
    for line in c.lines:
        t.append(f"  {line}\n")
    return t


class LogTab(DeskTab):
    TAB_ID = "log"
    BINDINGS = bindings("log")

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.changes: list = []
        self._stale = True
        self._reader = Latest(
            self, lambda batch: (svc.check_revert, self.desk.store, batch), self._show_change
        )

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "操作记录：每一项修改及其操作人（最新的在前）；z 撤回选中的一项", id="log-status"
            )
            yield VirtualTable(COLUMNS, self._cells, id="log-table", empty_text="（尚无操作记录）")
            with VerticalScroll(id="log-detail-pane"):
                yield Static("", id="log-detail")

    def main_widget(self):
        return self.query_one("#log-table", VirtualTable)

    def show_board(self, board) -> None:
        self._stale = True
        if self.desk.active_tab == self.TAB_ID:
            self.load()

    def activated(self) -> None:
        super().activated()
        if self._stale:
            self.load()

    def load(self) -> None:
        self._stale = False
        self.desk.jobs.run(svc.load_log, self.desk.store, on_done=self._fill)

    def _fill(self, changes) -> None:
        self.changes = changes
        self.query_one("#log-table", VirtualTable).set_count(len(changes))

    def _cells(self, n: int) -> list:
        c = self.changes[n]
        state = "已撤销" if c.undone else ("" if c.undoable else "不可撤销")
        what = c.title + (f"：{c.lines[0].split('：', 1)[-1]}" if c.lines else "")
        return [when(c.at), c.actor, what, str(c.rows), Text(state, style="dim")]

    def current(self):
        t = self.query_one("#log-table", VirtualTable)
        return self.changes[t.cursor] if 0 <= t.cursor < len(self.changes) else None

    @on(VirtualTable.Highlighted, "#log-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        c = self.current()
        if c is None:
            return
        self._reader.want(c.batch)

    def _show_change(self, _batch: str, check) -> None:
        t = change_text(check.change)
        if not check.possible:
            t.append(f"不能撤回：{check.reason}", style="yellow")
        self.query_one("#log-detail", Static).update(t)

    def action_revert(self) -> None:
        c = self.current()
        if c is None:
            return
        desk = self.desk

        def checked(check) -> None:
            if not check.possible:
                desk.say(f"不能撤回：{check.reason}", "warning")
                return
            body = change_text(check.change)
            body.append("撤回后恢复到这项操作之前的样子（撤回本身记入操作记录）。", style="dim")
            desk.push_screen(
                ConfirmModal("撤回这项操作？", body, confirm="撤回 (Y)"),
                lambda ok: (
                    ok
                    and desk.write(
                        svc.revert,
                        desk.store,
                        c.batch,
                        desk.operator,
                        undoable=False,
                        then=reverted,
                    )
                ),
            )

        def reverted(_change) -> None:
            desk.forget_change(c.batch)

        desk.jobs.run(svc.check_revert, desk.store, c.batch, on_done=checked, dialog=True)
