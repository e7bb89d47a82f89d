"""通报: the circulars register as a full-screen view over the tabs (C, or 通报 in the
palette). Lists every circular; for the highlighted one, its ranking as a bar of completion
per unit, read from the circular's own snapshot (what it states, not today's store).

Keys (from the registry, scope ``circulars``): n drafts a circular of a plan as of the
desk's date (confirm, naming the plan and the date); s signs with a confirmation that
states the number it will take, exactly as the 函件 tab signs letters (read the preview in
a worker, ask who signs, refuse if the number was taken meanwhile); w writes the PDF and
Word files beside the store; x voids (its number stays used); Esc goes back to the tabs.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from tui import clock
from tui.app.keymap import bindings
from tui.app.modals.base import ConfirmModal
from tui.app.modals.letters import SignModal, VoidModal
from tui.app.widgets.keybar import KeyBar
from tui.app.widgets.lists import DeskDataTable
from tui.app.widgets.messagebar import MessageBar
from tui.services import circulars as svc
from tui.services import desk_state
from tui.text import strip_controls

BAR = 30  # characters of a full bar


def bar_text(figures) -> Text:
    """The ranking as bars: one line per unit in rank order, completion drawn to scale."""
    t = Text()
    t.append(f"各单位完成率（截至 {figures.as_of.isoformat()}，按排名）\n", style="bold")
    if not figures.units:
        t.append("没有落实到具体单位的事项")
        return t
    width = max(len(strip_controls(u.name)) for u in figures.units[:200])
    width = min(width, 12)
    for i, u in enumerate(figures.units, 1):
        name = strip_controls(u.name)
        name = name if len(name) <= width else name[: width - 1] + "…"
        filled = round(BAR * u.done / u.items) if u.items else 0
        rate = round(100 * u.done / u.items) if u.items else 0
        t.append(f"{i:>3} ")
        t.append(name + "\u3000" * (width - len(name)) + " ")
        style = "green" if u.items and u.done == u.items else "cyan"
        t.append("█" * filled, style=style)
        t.append("░" * (BAR - filled), style="dim")
        t.append(f" {u.rate if u.rate is not None else rate}%（{u.done}/{u.items}）")
        if u.overdue:
            t.append(f" 逾期{u.overdue}", style="red")
        t.append("\n")
    return t


class VoidCircularModal(VoidModal):
    TITLE_TEXT = "作废通报"

    def fields(self) -> ComposeResult:
        yield Static(Text(self.what), id="confirm-body")
        yield Label("作废原因（必填）")
        yield Input(id="vd-reason", compact=True)
        yield Static(
            Text("作废后通报保留其期号，该期号不再使用；不能撤销。", style="bold"),
            classes="dialog-warning",
        )


class CircularsScreen(Screen):
    BINDINGS = bindings("circulars")
    DEFAULT_CSS = """
    CircularsScreen { layout: vertical; }
    #circ-status { height: 1; padding: 0 1; }
    #circ-table { height: 10; }
    #circ-bars-box { height: 1fr; padding: 0 1; }
    #circ-footer { height: auto; dock: bottom; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []
        self.files: list[str] = []

    @property
    def desk(self):
        return self.app

    @property
    def desk_region(self) -> str | None:
        """The desk's region (a city store): its plans' circulars only, as every tab."""
        return self.desk.regions.name or None

    def compose(self) -> ComposeResult:
        yield Static("正在读取通报登记…", id="circ-status")
        yield DeskDataTable(id="circ-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="circ-bars-box"):
            yield Static("", id="circ-files")
            yield Static("", id="circ-bars")
        with Vertical(id="circ-footer"):
            yield MessageBar(id="circ-message")
            yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#circ-table", DataTable)
        table.add_columns(
            "期号", "状态", "截至", "签发日期", "签发人", "单位", "事项", "已办结", "逾期", "计划"
        )
        table.focus()
        self.reload()

    # ---------------------------------------------------------------- the register

    def reload(self) -> None:
        self.desk.jobs.run(svc.desk_register, self.desk.store, self.desk_region, on_done=self._fill)

    def _fill(self, rows) -> None:
        keep = self.current_id()
        self.rows = list(rows)
        table = self.query_one("#circ-table", DataTable)
        table.clear()
        for r in self.rows:
            table.add_row(
                Text(r.number),
                r.status,
                r.as_of.isoformat(),
                r.issued_on.isoformat() if r.issued_on else "",
                Text(strip_controls(r.signed_by)),
                str(r.units),
                str(r.items),
                str(r.done),
                str(r.overdue),
                Text(strip_controls(r.plan_title)),
                key=str(r.id),
            )
        if self.rows:
            n = next((k for k, r in enumerate(self.rows) if r.id == keep), len(self.rows) - 1)
            table.move_cursor(row=n)
        signed = sum(1 for r in self.rows if r.number != "（草稿）")
        self.query_one("#circ-status", Static).update(
            Text(
                (f"地区 {strip_controls(self.desk_region)}　" if self.desk_region else "")
                + f"通报登记：共 {len(self.rows)} 件，已编号 {signed} 件　"
                f"查看日期 {self.desk.as_of.isoformat()}　n 起草　s 签发　w 生成文件　x 作废　Esc 返回"
            )
        )
        if not self.rows:
            self.query_one("#circ-bars", Static).update(Text("还没有通报：按 n 起草"))

    def current_id(self) -> int | None:
        table = self.query_one("#circ-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key and key.value else None

    def current(self):
        cid = self.current_id()
        return next((r for r in self.rows if r.id == cid), None)

    @on(DataTable.RowHighlighted, "#circ-table")
    def _highlighted(self, _event) -> None:
        cid = self.current_id()
        if cid is not None:
            self.desk.jobs.run(
                svc.desk_figures,
                self.desk.store,
                cid,
                on_done=lambda f, cid=cid: self._show_bars(cid, f),
                group="detail",
            )

    def _show_bars(self, cid: int, figures) -> None:
        if cid == self.current_id():
            self.query_one("#circ-bars", Static).update(bar_text(figures))

    def say(self, message: str, severity: str = "information") -> None:
        self.desk.say(message, severity)
        self.query_one("#circ-message", MessageBar).show(message, severity)

    def text(self) -> str:
        """What the screen shows, as plain text (tests)."""
        from tui.app.tabs.base import plain

        table = self.query_one("#circ-table", DataTable)
        rows = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        parts = [plain(self.query_one("#circ-status", Static)), *rows]
        parts += [plain(self.query_one("#circ-files", Static))]
        parts += [plain(self.query_one("#circ-bars", Static))]
        return "\n".join(parts)

    def _write(self, fn, *args, then=None, **kw) -> None:
        def done(change) -> None:
            if then is not None:
                then(change)
            self.reload()

        self.desk.write(fn, *args, then=done, **kw)

    # ---------------------------------------------------------------- actions

    def action_close_circulars(self) -> None:
        self.dismiss(None)

    def action_draft_circular(self) -> None:
        desk = self.desk

        def opened(plans) -> None:
            if not plans:
                where = f"地区“{self.desk_region}”" if self.desk_region else "数据库中"
                self.say(f"{where}还没有计划，请先导入", "warning")
                return
            # the plan of the highlighted circular, else the newest plan
            cur = self.current()
            pid, title = plans[-1]
            if cur is not None:
                pid, title = next(((p, t) for p, t in plans if t == cur.plan_title), (pid, title))
            body = Text.assemble((f"按截至 {desk.as_of.isoformat()} 的情况起草通报：\n", "bold"))
            body.append(f"  计划：{strip_controls(title)}\n")
            body.append(
                "统计各单位的事项数、已办结、逾期、完成率和收到的函件，排名并列出收到督办函后"
                "仍未办结的单位。数字在起草时存档，以后不随数据库变化。\n"
                "草稿不编号，签发时才编为本年下一期；起草本身不能撤销（可作废）。"
            )
            if len(plans) > 1:
                others = "、".join(strip_controls(t) for p, t in plans if p != pid)
                body.append(
                    f"\n其他计划（{others}）：在命令行用 duban circular draft --plan 起草。",
                    style="dim",
                )
            desk.push_screen(
                ConfirmModal("起草通报", body, confirm="起草 (Y)"),
                lambda ok: (
                    ok and self._write(svc.desk_draft, desk.store, pid, desk.as_of, desk.operator)
                ),
            )

        desk.jobs.run(svc.desk_plans, desk.store, self.desk_region, on_done=opened, dialog=True)

    def action_sign_circular(self) -> None:
        desk = self.desk
        cur = self.current()
        if cur is None or cur.status != "草稿":
            self.say("请选中要签发的通报草稿", "warning")
            return
        today = clock.today()

        def read():
            return svc.desk_sign_preview(desk.store, cur.id, today), desk_state.last_signer(
                desk.store, desk.operator
            )

        def opened(result) -> None:
            preview, signer = result
            body = Text.assemble((f"签发通报（签发日期 {today.isoformat()}）：\n", "bold"))
            body.append(f"  将编为 {preview.number}", style="bold cyan")
            body.append(f"　数字截至 {preview.as_of.isoformat()}\n")
            for p in preview.problems:
                body.append(f"    不能签发：{p}\n", style="bold red")
            if preview.problems:
                desk.push_screen(ConfirmModal("不能签发", body, confirm="知道了 (Y)"))
                return
            body.append("以上是将编的期号；签发后即编号，不能撤销。", style="dim")

            def sign(by: str) -> None:
                self._write(
                    svc.desk_sign, desk.store, cur.id, by, desk.operator, today, preview.number
                )
                desk.jobs.run(desk_state.remember_signer, desk.store, desk.operator, by)

            modal = SignModal(body, signer)
            modal.question = "签发通报"
            modal.warning = "签发后即编为该期，不能撤销；有误只能作废后重新起草。"
            desk.push_screen(modal, lambda by: by and sign(by))

        desk.jobs.run(read, on_done=opened, dialog=True)

    def action_render_circular(self) -> None:
        desk = self.desk
        cur = self.current()
        if cur is None or cur.status == "作废":
            self.say("请选中要生成文件的通报", "warning")
            return
        self.say(f"正在生成通报 {cur.number} 的文件…")

        def keep(change) -> None:
            self.files = list(change.details)
            t = Text.assemble(("生成的文件：", "bold"))
            for f in self.files:
                t.append("\n  " + f)
            self.query_one("#circ-files", Static).update(t)

        self._write(svc.desk_render, desk.store, cur.id, desk.operator, then=keep, undoable=False)

    def action_void_circular(self) -> None:
        desk = self.desk
        cur = self.current()
        if cur is None or cur.status == "作废":
            self.say("请选中要作废的通报", "warning")
            return
        what = f"通报 {cur.number}（{cur.status}，截至 {cur.as_of.isoformat()}）"

        def done(reason) -> None:
            if reason:
                self._write(svc.desk_void, desk.store, cur.id, reason, desk.operator)

        desk.push_screen(VoidCircularModal("作废通报", what), done)
