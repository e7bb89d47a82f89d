"""6 函件: the letter register — drafts, signed, printed, replied, late replies — with a
preview, and every letter action: draft, edit a draft, sign (with the signer, remembered),
render, print, register a reply, void. Signing, printing and voiding say they are final and
ask first; the files a letter was written to stay listed under its preview."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from tui import clock
from tui.app.cells import short
from tui.app.keymap import bindings
from tui.app.modals.base import ConfirmModal
from tui.app.modals.letters import EditDraftModal, ReplyModal, SignModal, VoidModal
from tui.app.tabs.base import DeskTab, Latest
from tui.app.widgets.lists import DeskDataTable
from tui.services import desk_state
from tui.services import letters as svc

STATUS_STYLE = {
    "草稿": "dim",
    "已签发": "cyan",
    "已打印": "green",
    "已回复": "green",
    "逾期未复": "bold red",
    "作废": "dim strike",
}
FILTERS: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("全部", None),
    ("草稿", frozenset({"草稿"})),
    ("待回复", frozenset({"已签发", "已打印"})),
    ("逾期未复", frozenset({"逾期未复"})),
    ("已回复", frozenset({"已回复"})),
    ("作废", frozenset({"作废"})),
)
SIGNED = ("已签发", "已打印", "逾期未复", "已回复")


class LettersTab(DeskTab):
    TAB_ID = "letters"
    BINDINGS = bindings("letters")

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.letters: list = []  # every letter (LetterRow)
        self.shown: list = []  # those the filter lets through, in table order
        self.selected: set[int] = set()
        self.filter = 0
        self.files: list[str] = []  # the files of the last render or print, kept in view
        self._preview = Latest(
            self,
            lambda lid: (svc.preview, self.desk.store, lid),
            self._show_preview,
            self._preview_failed,
        )

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="letters-status")
        yield DeskDataTable(id="letters-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="letters-preview-box"):
            yield Static("", id="letters-files")
            yield Static("", id="letters-preview")

    def on_mount(self) -> None:
        table = self.query_one("#letters-table", DataTable)
        table.add_columns(
            "", "发文字号", "种类", "单位", "状态", "事项", "发函日期", "回复期限", "签发人"
        )

    def main_widget(self):
        return self.query_one("#letters-table", DataTable)

    # ---------------------------------------------------------------- the register

    def show_board(self, board) -> None:
        self.letters = list(board.letters)
        ids = {x.id for x in self.letters}
        self.selected &= ids
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#letters-table", DataTable)
        keep = self.current_id()
        wanted = FILTERS[self.filter][1]
        self.shown = [x for x in self.letters if wanted is None or x.status in wanted]
        table.clear()
        for row in self.shown:
            table.add_row(
                Text("✚", style="bold") if row.id in self.selected else "",
                Text(row.number or "（草稿）"),
                row.kind,
                Text(row.unit),
                Text(row.status, style=STATUS_STYLE.get(row.status, "")),
                str(row.items),
                row.issued_on.isoformat() if row.issued_on else "",
                row.reply_due.isoformat() if row.reply_due else "",
                row.signed_by or "",
                key=str(row.id),
            )
        if self.shown:
            n = next((k for k, x in enumerate(self.shown) if x.id == keep), 0)
            table.move_cursor(row=n)
        self._status()
        if not self.shown:
            self.query_one("#letters-preview", Static).update("")

    def _status(self) -> None:
        counts: dict[str, int] = {}
        for row in self.letters:
            counts[row.status] = counts.get(row.status, 0) + 1
        summary = "  ".join(f"{k} {v}" for k, v in counts.items()) or "尚无函件"
        name = FILTERS[self.filter][0]
        line = f"函件登记：共 {len(self.letters)} 件　{summary}　筛选：{name}（f 切换）"
        if self.selected:
            line += f"　已选 {len(self.selected)} 件（Esc 清除）"
        self.query_one("#letters-status", Static).update(Text(line))

    def current_id(self) -> int | None:
        table = self.query_one("#letters-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key and key.value else None

    def current(self):
        lid = self.current_id()
        return next((x for x in self.letters if x.id == lid), None)

    def show_filter(self, status: str) -> None:
        self.filter = next(k for k, (name, _s) in enumerate(FILTERS) if name == status)
        self._fill()

    def action_cycle_filter(self) -> None:
        self.filter = (self.filter + 1) % len(FILTERS)
        self._fill()
        self.desk.say(f"函件筛选：{FILTERS[self.filter][0]}")

    # ---------------------------------------------------------------- selection

    def action_toggle_select(self) -> None:
        lid = self.current_id()
        if lid is None:
            return
        self.selected ^= {lid}
        table = self.query_one("#letters-table", DataTable)
        row = table.cursor_row
        self._fill()
        if row + 1 < table.row_count:
            table.move_cursor(row=row + 1)

    def action_clear_selection(self) -> None:
        if self.selected:
            self.selected.clear()
            self._fill()

    def _chosen(self, statuses: tuple[str, ...]) -> list:
        """The selected letters (or the highlighted one) whose status fits."""
        rows = [x for x in self.letters if x.id in self.selected] if self.selected else []
        if not rows:
            cur = self.current()
            rows = [cur] if cur is not None else []
        return [x for x in rows if x.status in statuses]

    # ---------------------------------------------------------------- preview

    @on(DataTable.RowHighlighted, "#letters-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        lid = self.current_id()
        if lid is not None:
            self._preview.want(lid)

    def _show_preview(self, _lid: int, p) -> None:
        self.query_one("#letters-preview", Static).update(Text(p.text))
        self._show_files(p.files)

    def _preview_failed(self, _lid: int, message: str) -> None:
        self.query_one("#letters-preview", Static).update(Text(message))

    def _show_files(self, files: list[str]) -> None:
        t = Text()
        if files:
            t.append("本函文件：", style="bold")
            for f in files:
                t.append("\n  " + f)
        if self.files:
            t.append(("\n" if files else "") + "上次生成或打印的文件：", style="bold")
            for f in self.files[:8]:
                t.append("\n  " + f)
            if len(self.files) > 8:
                t.append(f"\n  ……共 {len(self.files)} 个")
        self.query_one("#letters-files", Static).update(t)

    def _keep_files(self, change) -> None:
        self.files = list(change.details)
        self._show_files([])

    # ---------------------------------------------------------------- drafting

    def action_draft_letters(self) -> None:
        desk = self.desk
        body = Text(
            f"按督办阶梯起草截至 {desk.as_of.isoformat()} 应发的提示函、提醒函、督办函："
            "每个单位每种一件，列出该单位在这一级的全部事项。\n"
            "草稿不编号，签发前可修改（e）或作废（x）；起草本身不能撤销。"
        )
        desk.push_screen(
            ConfirmModal("起草函件", body, confirm="起草 (Y)"),
            lambda ok: ok and desk.write(svc.draft_due, desk.store, desk.as_of, desk.operator),
        )

    def action_edit_draft(self) -> None:
        cur = self.current()
        desk = self.desk
        if cur is None or cur.status != "草稿":
            desk.say("只能修改草稿；已签发的函件请作废后重新起草", "warning")
            return

        def opened(p) -> None:
            items = [
                (Text(short(x.task_number + x.task_title, 60)), x.assignment_id) for x in p.lines
            ]
            desk.push_screen(EditDraftModal(p.title, p.body, p.closing, items), saved)

        def saved(res) -> None:
            if res is None:
                return
            desk.write(
                svc.edit_letter,
                desk.store,
                cur.id,
                desk.operator,
                title=res.title,
                body_paragraphs=res.body,
                closing=res.closing,
                remove=res.remove,
            )

        desk.jobs.run(svc.preview, desk.store, cur.id, on_done=opened, dialog=True)

    # ---------------------------------------------------------------- signing

    def action_sign_letters(self) -> None:
        desk = self.desk
        rows = self._chosen(("草稿",))
        if not rows:
            desk.say("请选中要签发的草稿（空格可选多件）", "warning")
            return
        ids = [x.id for x in rows]
        today = clock.today()

        def read():
            return svc.sign_preview(desk.store, ids, today), desk_state.last_signer(
                desk.store, desk.operator
            )

        def opened(result) -> None:
            lines, signer = result
            problems = [p for s in lines for p in s.problems]
            body = Text(
                f"签发以下 {len(lines)} 件函件（发函日期 {today.isoformat()}）：\n", style="bold"
            )
            for s in lines:
                body.append(f"  {s.number}", style="bold cyan")
                body.append(f"　{s.kind}函　{s.unit}\n")
                if s.dates_differ:
                    body.append(f"    草稿按 {s.as_of.isoformat()} 的情况起草\n", style="dim")
                for f in s.flags:
                    body.append(f"    {f.describe()}\n", style="yellow")
                for p in s.problems:
                    body.append(f"    不能签发：{p}\n", style="bold red")
            if problems:
                desk.push_screen(ConfirmModal("不能签发", body, confirm="知道了 (Y)"))
                return
            body.append("以上是预计的发文字号；签发后文号即编发，不能撤销。", style="dim")
            desk.push_screen(SignModal(body, signer), lambda by: by and sign(by))

        def sign(by: str) -> None:
            desk.write(svc.sign, desk.store, ids, by, desk.operator, today, then=lambda _c: done())
            desk.jobs.run(desk_state.remember_signer, desk.store, desk.operator, by)

        def done() -> None:
            self.selected.clear()

        desk.jobs.run(read, on_done=opened, dialog=True)

    # ---------------------------------------------------------------- files and printing

    def action_render_letters(self) -> None:
        desk = self.desk
        rows = self._chosen(("草稿", *SIGNED))
        if not rows:
            desk.say("请选中要生成文件的函件", "warning")
            return
        desk.say(f"正在生成 {len(rows)} 件函件的文件…")
        # Writing files changes no item or letter: it is not on the undo list.
        desk.write(
            svc.render,
            desk.store,
            [x.id for x in rows],
            desk.operator,
            then=self._keep_files,
            undoable=False,
        )

    def action_print_letters(self) -> None:
        desk = self.desk
        rows = self._chosen(SIGNED)
        if not rows:
            desk.say("请选中已签发的函件（草稿须先签发）", "warning")
            return
        body = Text(f"打印以下 {len(rows)} 件函件：\n", style="bold")
        for x in rows:
            body.append(f"  {x.number}　{x.kind}函　{x.unit}\n")
        body.append("送打印机后登记为“已打印”，不能撤销。", style="dim")

        def printed(change) -> None:
            self._keep_files(change)
            self.selected.clear()

        desk.push_screen(
            ConfirmModal("打印函件", body, confirm="打印 (Y)"),
            lambda ok: (
                ok
                and desk.write(
                    svc.print_batch, desk.store, [x.id for x in rows], desk.operator, then=printed
                )
            ),
        )

    # ---------------------------------------------------------------- replies, void

    def action_reply(self) -> None:
        desk = self.desk
        cur = self.current()
        if cur is None or cur.status not in ("已签发", "已打印", "逾期未复", "已回复"):
            desk.say("只能为已签发的函件登记回复", "warning")
            return

        def opened(p) -> None:
            items = [
                (Text(short(x.task_number + x.task_title, 60)), x.assignment_id) for x in p.lines
            ]
            title = f"回复登记 — {cur.number}（{cur.unit}）"
            desk.push_screen(ReplyModal(title, desk.as_of, items), saved)

        def saved(res) -> None:
            if res is None:
                return
            desk.write(
                svc.reply,
                desk.store,
                cur.id,
                res.replied_on,
                res.text,
                desk.operator,
                settle=res.settle,
                items=res.items,
            )

        desk.jobs.run(svc.preview, desk.store, cur.id, on_done=opened, dialog=True)

    def action_void(self) -> None:
        desk = self.desk
        cur = self.current()
        if cur is None or cur.status == "作废":
            desk.say("请选中要作废的函件", "warning")
            return
        what = f"{cur.number or '草稿'}　{cur.kind}函　{cur.unit}（{cur.status}）"

        def done(reason) -> None:
            if reason:
                desk.write(svc.void, desk.store, cur.id, reason, desk.operator)

        desk.push_screen(VoidModal("作废函件", what), done)
