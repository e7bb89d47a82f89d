"""5 待办: what needs action as of the desk's date, most urgent first, one key per action."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Static

from tui.app.cells import days_text, iso, light
from tui.app.keymap import bindings
from tui.app.tabs.base import DeskTab, Latest
from tui.app.tabs.item_actions import ItemActions
from tui.app.tabs.item_detail import detail_text
from tui.app.widgets.vtable import Column, VirtualTable
from tui.domain.escalation import RUNG_LABEL, ladder_rung
from tui.services import board as board_svc

TRIAGE_COLUMNS = (
    Column("状态", 4),
    Column("逾期/剩余", 10),
    Column("单位", 14),
    Column("编号", 6),
    Column("任务", 0),
    Column("最近进展", 10, drop=1),
    Column("建议", 6),
)


class TriageTab(ItemActions, DeskTab):
    TAB_ID = "triage"
    BINDINGS = bindings("triage")

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.view: list[int] = []
        self._data = None
        self._detail = Latest(
            self,
            lambda aid: (board_svc.item_detail, self.desk.store, aid, self.desk.as_of),
            self._show_detail,
        )

    @property
    def data(self):
        return self._data

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="triage-status")
        yield VirtualTable(
            TRIAGE_COLUMNS, self._cells, id="triage-table", empty_text="（今天没有待办事项）"
        )
        yield Static("", id="triage-detail")

    def main_widget(self):
        return self.query_one("#triage-table", VirtualTable)

    def show_board(self, board) -> None:
        t = self.query_one("#triage-table", VirtualTable)
        current = self.targets()
        data_id = current[0].fact.id if current else None
        data = self._data = board.data
        self.view = data.needs_action()
        cursor = None
        if data_id is not None:
            i = data.index_of(data_id)
            if i is not None and i in self.view:
                cursor = self.view.index(i)
        t.set_count(len(self.view), cursor=cursor)
        self.query_one("#triage-status", Static).update(
            Text(
                f"待办 {len(self.view)} 项（逾期且 30 天无进展、临期），按紧急程度排列"
                " · p 进展  a 验收  t 期限  x 延期  w 负责单位"
            )
        )

    def targets(self, *, bulk: bool = True) -> list:
        data = self.data
        t = self.query_one("#triage-table", VirtualTable)
        if data is not None and 0 <= t.cursor < len(self.view):
            return [data.rows[self.view[t.cursor]]]
        return []

    def visible_ids(self) -> set[int]:
        return {r.fact.id for r in self.targets()}

    def _rung(self, r):
        f = r.fact
        settings = self.desk.ladder_settings
        kw = {"settings": settings} if settings else {}
        return ladder_rung(
            r.status,
            self.desk.as_of,
            last_progress=f.progress_dates[-1] if f.progress_dates else None,
            **kw,
        )

    def _cells(self, n: int) -> list:
        r = self.data.row(self.view[n])
        f = r.fact
        rung = self._rung(r)
        return [
            light(r.status.status),
            days_text(r.status),
            f.unit_name,
            f.task_number,
            f.task_title,
            iso(f.progress_dates[-1]) if f.progress_dates else "无进展",
            RUNG_LABEL[rung.rung] if rung.rung else "",
        ]

    @on(VirtualTable.Highlighted, "#triage-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        data = self.data
        if data is None or not (0 <= event.index < len(self.view)):
            return
        r = data.rows[self.view[event.index]]
        self.query_one("#triage-detail", Static).update(detail_text(r, advice=self._rung(r).reason))
        self._detail.want(r.fact.id)

    def _show_detail(self, aid: int, detail) -> None:
        data = self.data
        if data is not None and aid in data.by_id:
            r = data.by_id[aid]
            self.query_one("#triage-detail", Static).update(
                detail_text(r, detail, advice=self._rung(r).reason)
            )
