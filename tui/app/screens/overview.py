"""1 总览: the lights at a glance, completion per unit (laggards first), per-plan progress."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from tui.app.screens.common import bar, light, percent
from tui.app.widgets.vtable import Column, VirtualTable
from tui.domain.status import STATUS_STYLE, Status
from tui.store.desk import DeskData, UnitFigure, plan_figures

UNIT_COLUMNS = (
    Column("#", 3, "right"),
    Column("单位", 0),
    Column("完成率", 13),
    Column("完成/总数", 9, "right"),
    Column("逾期", 4, "right"),
)
ORDER = (Status.OVERDUE, Status.DUE_SOON, Status.ON_TRACK, Status.DONE, Status.NO_DEADLINE)


class OverviewView(Vertical):
    """Shows a DeskData. The unit ranking is a virtual table: a store may hold a thousand
    units, and only the rows in view are drawn."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._units: list[UnitFigure] = []

    def unit_at(self, n: int) -> UnitFigure | None:
        return self._units[n] if 0 <= n < len(self._units) else None

    def _unit_cells(self, n: int) -> list:
        u = self._units[n]
        return [
            str(n + 1),
            u.name,
            bar(u.rate, 8) + Text(f" {percent(u.rate):>4}"),
            f"{u.done}/{u.total}",
            Text(str(u.overdue), style="bold red" if u.overdue else "dim"),
        ]

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="ov-counts")
        with Horizontal(id="ov-body"):
            with Vertical(id="ov-units-pane"):
                yield Label("单位完成率（后进在前）", id="ov-units-title")
                yield VirtualTable(
                    UNIT_COLUMNS, self._unit_cells, id="ov-units-table", empty_text=""
                )
            with VerticalScroll(id="ov-plans-pane"):
                yield Static("", id="ov-plans")
                yield Static("", id="ov-letters")

    def show(self, data: DeskData, units: list[UnitFigure], letters: Sequence = ()) -> None:
        counts = data.count_by_status()
        done = counts[Status.DONE] + counts[Status.DONE_LATE]
        line = Text()
        for s in ORDER:
            n = done if s is Status.DONE else counts[s]
            if line:
                line.append("   ")
            line.append_text(light(s))
            line.append(f" {s.value} ", style=STATUS_STYLE[s])
            line.append(str(n), style="bold " + STATUS_STYLE[s].replace("dim ", ""))
        total = len(data)
        pending = data.pending_count()
        sub = Text(
            f"共 {total} 项落实事项，其中逾期完成 {counts[Status.DONE_LATE]} 项"
            + (f"，待分解 {pending} 项" if pending else ""),
            style="dim",
        )
        self.query_one("#ov-counts", Static).update(Text("\n").join([line, sub]))

        self._units = units
        self.query_one("#ov-units-table", VirtualTable).set_count(len(units), cursor=0)

        p = Text("计划进度", style="bold")
        for f in plan_figures(data):
            p.append("\n")
            p.append(f.title + "\n")
            p.append_text(bar(f.rate, 10))
            p.append(f" {percent(f.rate)}  完成 {f.done}/{f.total}  逾期 {f.overdue}")
        self.query_one("#ov-plans", Static).update(p)
        waiting = [x for x in letters if x.status in ("已签发", "已打印")]
        late = [x for x in letters if x.status == "逾期未复"]
        drafts = [x for x in letters if x.status == "草稿"]
        lt = Text("函件\n", style="bold")
        lt.append(f"待回复 {len(waiting)} 件　")
        lt.append(f"回复逾期 {len(late)} 件", style="bold red" if late else "")
        lt.append(f"　草稿待签发 {len(drafts)} 件")
        for x in late[:5]:
            lt.append(f"\n  {x.number} {x.unit}（回复期限 {x.reply_due}）", style="red")
        self.query_one("#ov-letters", Static).update(lt)
