"""1 总览: the lights at a glance, units ranked by their share of overdue items (laggards
first; the bar shows that share, so what is sorted is what is shown), per-plan progress, the
letters waiting for a reply. A new store shows how to begin instead."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from tui.app.cells import bar, light, percent
from tui.app.keymap import bindings
from tui.app.tabs.base import DeskTab
from tui.app.widgets.vtable import Column, VirtualTable
from tui.domain.status import STATUS_STYLE, Status

UNIT_COLUMNS = (
    Column("#", 3, "right"),
    Column("单位", 0),
    Column("逾期占比", 13),
    Column("逾期/总数", 9, "right"),
    Column("完成率", 6, "right"),
)
ORDER = (Status.OVERDUE, Status.DUE_SOON, Status.ON_TRACK, Status.DONE, Status.NO_DEADLINE)

EMPTY_STORE = """这是一个新的数据库，还没有导入任何计划。

按 i 导入计划（Word、PDF、Excel 或文本文件）：先显示预检报告，确认后才写入。

单位名录：导入时按计划所属地区自动载入程序自带的名录（data/units/ 下的东胜区、阿拉善左旗）；
其他地区可用命令 duban units import 名录.toml 载入（格式见 data/units/README.md），
也可以导入后在“2 计划”页选中任务，按 w 逐个指定或新建负责单位。

想先看看督办台怎么用？在命令行运行 duban demo 打开演示库。"""


class OverviewTab(DeskTab):
    TAB_ID = "overview"
    BINDINGS = bindings("overview")

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._units: list = []

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="ov-counts")
        yield Static(EMPTY_STORE, id="ov-empty")
        with Horizontal(id="ov-body"):
            with Vertical(id="ov-units-pane"):
                yield Label("单位排名：按逾期事项占比，后进在前", id="ov-units-title")
                yield VirtualTable(
                    UNIT_COLUMNS, self._unit_cells, id="ov-units-table", empty_text=""
                )
            with VerticalScroll(id="ov-plans-pane"):
                yield Static("", id="ov-plans")
                yield Static("", id="ov-letters")

    def on_mount(self) -> None:
        self.query_one("#ov-empty").display = False

    def main_widget(self):
        return self.query_one("#ov-units-table", VirtualTable)

    def unit_at(self, n: int):
        return self._units[n] if 0 <= n < len(self._units) else None

    def _unit_cells(self, n: int) -> list:
        u = self._units[n]
        share = u.overdue / u.total if u.total else 0.0
        return [
            str(n + 1),
            u.name,
            bar(share, 8, bad_high=True) + Text(f" {percent(share):>4}"),
            Text(f"{u.overdue}/{u.total}", style="bold red" if u.overdue else "dim"),
            percent(u.rate),
        ]

    def show_board(self, board) -> None:
        self.show_overview(board.overview)

    def show_overview(self, ov) -> None:
        """Counts, ranking, plans and letters: from the aggregate queries at start-up, then
        from every board read (the same numbers)."""
        empty = ov.plan_count == 0
        self.query_one("#ov-empty").display = empty
        self.query_one("#ov-body").display = not empty
        counts = ov.counts
        done = counts[Status.DONE] + counts[Status.DONE_LATE]
        line = Text()
        for s in ORDER:
            n = done if s is Status.DONE else counts[s]
            if line:
                line.append("   ")
            line.append_text(light(s))
            line.append(f" {s.value} ", style=STATUS_STYLE[s])
            line.append(str(n), style="bold " + STATUS_STYLE[s].replace("dim ", ""))
        pending = ov.pending
        sub = Text(
            f"共 {ov.total} 项落实事项，其中逾期完成 {counts[Status.DONE_LATE]} 项"
            + (f"，待分解 {pending} 项" if pending else ""),
            style="dim",
        )
        self.query_one("#ov-counts", Static).update(Text("\n").join([line, sub]))
        self._units = ov.figures
        self.query_one("#ov-units-table", VirtualTable).set_count(len(self._units), cursor=0)
        p = Text("计划进度", style="bold")
        for f in ov.plans:
            p.append("\n")
            p.append(f.title + "\n")
            p.append_text(bar(f.rate, 10))
            p.append(f" {percent(f.rate)}  完成 {f.done}/{f.total}  逾期 {f.overdue}")
        unassigned = ov.plan_count - len(ov.plans)
        if unassigned > 0:
            p.append(
                f"\n另有 {unassigned} 份计划尚未指定负责单位（2 计划页，选任务按 w）",
                style="yellow",
            )
        self.query_one("#ov-plans", Static).update(p)
        self.query_one("#ov-letters", Static).update(letters_summary(ov.letters))

    @on(VirtualTable.Chosen, "#ov-units-table")
    def _unit_chosen(self, event: VirtualTable.Chosen) -> None:
        """Enter on a unit in the ranking opens it on the 单位 tab."""
        fig = self.unit_at(event.index)
        if fig is not None:
            self.desk.open_unit(fig.unit_id)

    def action_late_replies(self) -> None:
        self.desk.open_letters("逾期未复")

    def on_click(self, event) -> None:
        if event.widget is not None and event.widget.id == "ov-letters":
            self.action_late_replies()


def letters_summary(letters) -> Text:
    waiting = [x for x in letters if x.status in ("已签发", "已打印")]
    late = [x for x in letters if x.status == "逾期未复"]
    drafts = [x for x in letters if x.status == "草稿"]
    lt = Text("函件\n", style="bold")
    lt.append(f"待回复 {len(waiting)} 件　")
    lt.append(f"回复逾期 {len(late)} 件", style="bold red" if late else "")
    lt.append(f"　草稿待签发 {len(drafts)} 件")
    for x in late[:5]:
        # Two lines a letter, so a narrow panel wraps neither the number nor the date.
        lt.append(f"\n  {x.number}", style="red")
        lt.append(f"\n    {x.unit} · 回复期限 {x.reply_due}", style="red")
    if late:
        lt.append("\n按 y 查看回复逾期的函件，在函件页按 r 登记回复", style="dim")
    return lt
