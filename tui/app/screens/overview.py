"""1 总览: the lights at a glance, completion per unit (laggards first), per-plan progress."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static

from tui.app.screens.common import bar, light, percent
from tui.domain.board import count_by_status
from tui.domain.status import STATUS_STYLE, Status
from tui.store.desk import DeskData, plan_figures, unit_figures

ORDER = (Status.OVERDUE, Status.DUE_SOON, Status.ON_TRACK, Status.DONE, Status.NO_DEADLINE)


class OverviewView(Vertical):
    """Shows a DeskData; holds no data of its own."""

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="ov-counts")
        with Horizontal(id="ov-body"):
            with VerticalScroll(id="ov-units-pane"):
                yield Static("", id="ov-units")
            with VerticalScroll(id="ov-plans-pane"):
                yield Static("", id="ov-plans")
                yield Static("", id="ov-letters")

    def show(self, data: DeskData, letters: Sequence = ()) -> None:
        counts = count_by_status(data.rows)
        done = counts[Status.DONE] + counts[Status.DONE_LATE]
        line = Text()
        for s in ORDER:
            n = done if s is Status.DONE else counts[s]
            if line:
                line.append("   ")
            line.append_text(light(s))
            line.append(f" {s.value} ", style=STATUS_STYLE[s])
            line.append(str(n), style="bold " + STATUS_STYLE[s].replace("dim ", ""))
        total = len(data.rows)
        pending = sum(1 for r in data.rows if r.fact.unit_id is None)
        sub = Text(
            f"共 {total} 项落实事项，其中逾期完成 {counts[Status.DONE_LATE]} 项"
            + (f"，待分解 {pending} 项" if pending else ""),
            style="dim",
        )
        self.query_one("#ov-counts", Static).update(Text("\n").join([line, sub]))

        units = unit_figures(data.rows)
        t = Table(
            title="单位完成率（后进在前）",
            title_justify="left",
            box=None,
            pad_edge=False,
            expand=True,
            show_edge=False,
        )
        t.add_column("#", justify="right", no_wrap=True)
        t.add_column("单位", no_wrap=True, overflow="ellipsis", ratio=1)
        t.add_column("完成率", no_wrap=True)
        t.add_column("完成/总数", justify="right", no_wrap=True)
        t.add_column("逾期", justify="right", no_wrap=True)
        for n, u in enumerate(units, 1):
            t.add_row(
                str(n),
                u.name,
                bar(u.rate, 8) + Text(f" {percent(u.rate):>4}"),
                f"{u.done}/{u.total}",
                Text(str(u.overdue), style="bold red" if u.overdue else "dim"),
            )
        self.query_one("#ov-units", Static).update(t)

        p = Text("计划进度", style="bold")
        for f in plan_figures(data.rows, data.plans):
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
