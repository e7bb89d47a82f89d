"""The import review: every task as the importer understood it, before anything is written.

Doubtful tasks come first, each with its reason (tui.services.import_review). The officer
fixes owners (w), the deadline (t), splits a task at a point in its text (s) or merges it
with the next one (m); each fix is a `Correction`, and the plan is checked again with all
of them (a dry run in a worker), so the table always shows what confirming would write.
Confirming (y) says how many tasks and fixes will be written and asks once more; Esc
cancels — after asking, when fixes would be lost. The fixes are stored with the plan and
replayed at every later import of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Input, Label, Static, TextArea

from tui.app import keymap
from tui.app.modals.base import CSS, ConfirmModal, FormModal
from tui.app.widgets.keybar import KeyBar
from tui.app.widgets.vtable import Column, VirtualTable
from tui.errors import DubanError
from tui.services import importing
from tui.services.import_review import ReviewRow, review_rows, split_point

ROLE_NAMES = {"lead": "牵头单位", "responsible": "责任单位", "supporting": "配合单位"}
COLUMNS = (
    Column("序号", 4, "right"),
    Column("存疑", 10),
    Column("任务", 0),
    Column("牵头单位", 12, drop=2),
    Column("责任单位", 12, drop=3),
    Column("期限", 14, drop=1),
    Column("编号", 10, drop=4),
)
STATUS = {"new": "新计划", "revised": "修订版", "unchanged": "与已导入的版本相同"}


class ImportReviewScreen(Screen):
    """Dismisses with the final ImportCheck (write it) or None (cancelled, nothing written)."""

    CSS_PATH = CSS
    BINDINGS = keymap.bindings("review")
    HOLDS_DESK_KEYS = True  # the desk's own keys (tabs, i, q) wait until the review is left

    def __init__(self, check) -> None:  # tui.services.importing.ImportCheck
        super().__init__()
        self.check = check
        self.rows: list[ReviewRow] = review_rows(check)
        self.busy = False

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Label(Text(f"导入审核：{self.check.report.plan_title}"), id="rv-title")
        yield Static(self._summary(), id="rv-summary")
        yield VirtualTable(COLUMNS, self._cells, id="rv-table", empty_text="（没有任务）")
        yield Static("", id="rv-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.set_count(len(self.rows), cursor=0)
        table.focus()
        self._show_detail()

    @property
    def corrections(self) -> list:
        return self.check.corrections

    def _summary(self, note: str = "") -> Text:
        r = self.check.report
        doubtful = sum(1 for row in self.rows if row.doubtful and row.is_task)
        status = STATUS.get(r.status, r.status)
        if r.status == "revised":
            status += f"（第 {r.revision} 版）"
        t = Text(f"{status}　任务 {len(r.tasks)} 项，落实事项 {r.assignments} 条　")
        t.append(f"存疑 {doubtful} 项", style="bold yellow" if doubtful else "green")
        t.append(f"　本次更正 {len(self.corrections)} 条")
        if self.check.decision:
            t.append(f"　{self.check.decision}")
        if r.unknown_units:
            t.append(f"　名录中没有、将新建的单位 {len(r.unknown_units)} 个", style="yellow")
        if r.unplaced:
            t.append(f"　未能归入任务的文字 {len(r.unplaced)} 处", style="yellow")
        if r.skipped_corrections:
            t.append(f"　未能应用的更正 {len(r.skipped_corrections)} 条", style="red")
        if note:
            t.append(f"\n{note}", style="bold")
        return t

    def _cells(self, i: int) -> list:
        row = self.rows[i]
        if not row.is_task:
            return [
                "—",
                Text("未归入", style="yellow"),
                Text(row.text, style="dim"),
                "",
                "",
                "",
                f"第{row.line}行",
            ]
        doubt = Text("、".join(row.tags), style="yellow") if row.tags else Text("—", style="dim")
        return [
            str(row.index + 1),
            doubt,
            f"{row.number}{row.title}",
            "、".join(row.owners.get("lead", [])),
            "、".join(row.owners.get("responsible", []) + row.owners.get("supporting", [])),
            Text(row.deadline.replace("（默认）", "默认"), style="dim")
            if row.deadline.endswith("（默认）")
            else row.deadline,
            row.key,
        ]

    def _current(self) -> ReviewRow | None:
        table = self.query_one(VirtualTable)
        return self.rows[table.cursor] if self.rows and table.count else None

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self._current()
        detail = self.query_one("#rv-detail", Static)
        if row is None:
            detail.update("")
            return
        t = Text()
        if not row.is_task:
            t.append(f"第 {row.line} 行（未归入任务）\n", style="bold")
            t.append(row.text)
            for d in row.doubts:
                t.append(f"\n⚠ {d}", style="yellow")
            detail.update(t)
            return
        t.append(f"{row.key}", style="bold")
        if row.section:
            t.append(f"　{row.section}", style="dim")
        t.append("\n")
        body = Text(row.text)
        for a, b in row.spans:  # the words the deadline was read from
            body.stylize("bold underline", a, b)
        t.append_text(body)
        t.append("\n")
        for role, label in ROLE_NAMES.items():
            if row.owners.get(role):
                t.append(f"{label}：{'、'.join(row.owners[role])}　")
        t.append(f"期限：{row.deadline}")
        if row.deadline_words:
            t.append(f"（原文：{row.deadline_words}）")
        for d in row.doubts:
            t.append(f"\n⚠ {d}", style="yellow")
        detail.update(t)

    def text(self) -> str:
        """The summary, the visible rows and the detail as plain text (tests)."""
        table = self.query_one(VirtualTable)
        return "\n".join(
            [
                self._summary().plain,
                *table.render_lines_text(),
                str(self.query_one("#rv-detail", Static).render()),
            ]
        )

    # ---------------------------------------------------------------- fixes

    def _fix(self, make) -> None:
        """Ask for one fix (a dialog) and, when given, check the plan again with it."""
        row = self._current()
        if row is None or self.busy:
            return
        if not row.is_task:
            self.app.say(
                "这段文字没有作为任务导入，不能在这里修改；如是任务，请在文件中补上单位后重新导入",
                "warning",
            )
            return
        make(row)

    def action_owners(self) -> None:
        def ask(row: ReviewRow) -> None:
            names = {role: [_bare(n) for n in row.owners.get(role, [])] for role in ROLE_NAMES}
            self.app.push_screen(
                ReviewOwnersModal(row, names, self.check),
                lambda fix: self._add(fix) if fix else None,
            )

        self._fix(ask)

    def action_deadline(self) -> None:
        def ask(row: ReviewRow) -> None:
            self.app.push_screen(
                ReviewDeadlineModal(row, self.check), lambda fix: self._add(fix) if fix else None
            )

        self._fix(ask)

    def action_split(self) -> None:
        def ask(row: ReviewRow) -> None:
            if len(row.text) < 2:
                self.app.say("这项任务太短，无法拆分", "warning")
                return
            self.app.push_screen(
                SplitModal(row), lambda at: self._add(_split(row, at)) if at else None
            )

        self._fix(ask)

    def action_merge(self) -> None:
        def ask(row: ReviewRow) -> None:
            nxt = next((r for r in self.rows if r.is_task and r.index == row.index + 1), None)
            if nxt is None:
                self.app.say("这已是文件中的最后一项任务，没有下一项可合并", "warning")
                return
            body = Text()
            body.append(f"{row.number}{row.title}\n")
            body.append(f"{nxt.number}{nxt.title}\n\n")
            body.append("合并为一项：文字相接，两项的单位都保留，期限合在一起。导入前都可以再改。")
            self.app.push_screen(
                ConfirmModal(f"把 {row.key} 与下一项 {nxt.key} 合并？", body, confirm="合并 (Y)"),
                lambda ok: self._add(importing.Correction("merge_next", row.key)) if ok else None,
            )

        self._fix(ask)

    def _add(self, fix) -> None:
        """Check the plan again with every fix so far and this one (a dry run in a worker)."""
        corrections = [*self.corrections, fix]
        self.busy = True
        self.query_one("#rv-summary", Static).update(self._summary("正在按更正重新检查…"))
        self.app.jobs.run(
            importing.review_again,
            self.app.store,
            self.check,
            self.app.operator,
            corrections,
            on_done=lambda check: self._rechecked(check, fix),
            on_failed=lambda _m: self._failed(),
        )

    def _failed(self) -> None:
        self.busy = False
        self.query_one("#rv-summary", Static).update(self._summary())

    def _rechecked(self, check, fix) -> None:
        self.busy = False
        if check.report is None:  # cannot happen: the answer is kept; guard all the same
            self.app.say("重新检查时需要重新回答计划问题，请取消后重新导入", "error")
            return
        keep = self._current()
        self.check = check
        self.rows = review_rows(check)
        table = self.query_one(VirtualTable)
        at = next((i for i, r in enumerate(self.rows) if keep and r.key == keep.key), None)
        table.set_count(len(self.rows), cursor=at if at is not None else table.cursor)
        table.refresh()
        self.query_one("#rv-summary", Static).update(self._summary())
        self._show_detail()
        skipped = check.report.skipped_corrections
        if skipped:
            self.app.say(f"更正未能应用：{skipped[-1]}", "warning")
        else:
            self.app.say(f"已记下更正（导入时写入）：{fix.describe()}")

    # ---------------------------------------------------------------- leaving

    def action_confirm(self) -> None:
        if self.busy:
            return
        r = self.check.report
        body = Text()
        body.append(f"《{r.plan_title}》\n")
        if r.status == "unchanged":
            body.append("与已导入的版本相同（包括以前的更正），确认后不作任何更改。")
            self.app.push_screen(
                ConfirmModal("确认导入？", body, confirm="确认 (Y)"),
                lambda ok: self.dismiss(self.check) if ok else None,
            )
            return
        body.append(
            f"写入任务 {len(r.tasks)} 项、落实事项 {r.assignments} 条"
            f"（{STATUS.get(r.status, r.status)}"
            f"{'，第 ' + str(r.revision) + ' 版' if r.status == 'revised' else ''}）；"
            f"本次更正 {len(self.corrections)} 条，与计划一起保存，以后每次导入该计划都会重新应用。"
        )
        if self.check.decision:
            body.append(f"\n{self.check.decision}。")
        doubtful = sum(1 for row in self.rows if row.doubtful and row.is_task)
        if doubtful:
            body.append(f"\n仍有 {doubtful} 项存疑，导入后可在计划页继续修改。", style="yellow")
        self.app.push_screen(
            ConfirmModal("确认导入？", body, confirm="导入 (Y)"),
            lambda ok: self.dismiss(self.check) if ok else None,
        )

    def action_cancel(self) -> None:
        if self.busy:
            return
        if not self.corrections:
            self.dismiss(None)
            return
        self.app.push_screen(
            ConfirmModal(
                "放弃更正并取消导入？",
                f"本次审核所做的 {len(self.corrections)} 条更正将丢失，不写入任何数据。",
                confirm="放弃 (Y)",
            ),
            lambda ok: self.dismiss(None) if ok else None,
        )


def _bare(shown: str) -> str:
    for note in ("（新建）", "（待分解）"):
        if shown.endswith(note):
            return shown[: -len(note)]
    return shown


def _split(row: ReviewRow, at: int):
    return importing.Correction("split", row.key, at)


# ---------------------------------------------------------------------------- fix dialogs


class ReviewOwnersModal(FormModal):
    """A task's owners by role, typed as names separated by 、 (groups such as 各镇 allowed)."""

    TITLE_TEXT = "修改负责单位"
    WIDE = True

    def __init__(self, row: ReviewRow, names: dict[str, list[str]], check) -> None:
        super().__init__(f"修改负责单位：{row.key}")
        self.row = row
        self.names = names
        self.check = check

    def fields(self) -> ComposeResult:
        yield Static(Text(f"{self.row.number}{self.row.title}"), classes="dialog-note")
        for role, label in ROLE_NAMES.items():
            yield Label(f"{label}（多个用“、”分开）")
            yield Input("、".join(self.names.get(role, [])), id=f"ro-{role}", compact=True)

    def result(self):
        typed = {role: self._value(f"ro-{role}") for role in ROLE_NAMES}
        try:
            fix = importing.owners_fix(self.check, self.row.key, typed)
        except DubanError as exc:
            raise ValueError(exc.message) from None
        if not fix.value:
            raise ValueError("请至少填写一个单位")
        return fix


class ReviewDeadlineModal(FormModal):
    TITLE_TEXT = "修改期限"

    def __init__(self, row: ReviewRow, check) -> None:
        super().__init__(f"修改期限：{row.key}")
        self.row = row
        self.check = check

    def fields(self) -> ComposeResult:
        yield Static(
            Text(f"{self.row.number}{self.row.title}\n现在读作：{self.row.deadline}"),
            classes="dialog-note",
        )
        yield Label("完成时限（如 2025年6月底前、2025-06-30、每年1月8日前、长期坚持）")
        yield Input(self.row.deadline_words, id="rd-words", compact=True)
        yield Static("", id="rd-read", classes="dialog-note")

    def on_input_changed(self, event: Input.Changed) -> None:
        try:
            _fix, read = importing.deadline_fix(self.check, self.row.key, event.value)
        except DubanError:
            read = "（无法识别）" if event.value.strip() else ""
        self.query_one("#rd-read", Static).update(Text(f"读作：{read}" if read else ""))

    def result(self):
        try:
            fix, _read = importing.deadline_fix(self.check, self.row.key, self._value("rd-words"))
        except DubanError as exc:
            raise ValueError(exc.message) from None
        return fix


@dataclass
class _SplitAt:
    offset: int


class SplitModal(FormModal):
    """The task's text with a cursor: the second task starts where the cursor stands."""

    TITLE_TEXT = "拆分任务"
    SAVE_LABEL = "在光标处拆分 (Ctrl+S)"
    WIDE = True

    def __init__(self, row: ReviewRow) -> None:
        super().__init__(f"拆分任务：{row.key}（移动光标到第二项的开头）")
        self.row = row

    def fields(self) -> ComposeResult:
        area = TextArea(self.row.text, read_only=True, soft_wrap=True, id="sp-text")
        area.show_line_numbers = False
        yield area
        yield Static("", id="sp-preview", classes="dialog-note")

    def first_focus(self):
        return self.query_one("#sp-text", TextArea)

    def on_mount(self) -> None:
        area = self.query_one("#sp-text", TextArea)
        area.cursor_location = area.document.get_location_from_index(split_point(self.row.text))
        self._preview()

    def on_text_area_selection_changed(self, event: TextArea.SelectionChanged) -> None:
        self._preview()

    def offset(self) -> int:
        area = self.query_one("#sp-text", TextArea)
        return area.document.get_index_from_location(area.cursor_location)

    def _preview(self) -> None:
        at = self.offset()
        text = self.row.text
        first, second = text[:at].rstrip(), text[at:].lstrip()
        t = Text()
        t.append("第一项：", style="bold")
        t.append(first[-30:] if len(first) > 30 else first)
        t.append("\n第二项：", style="bold")
        t.append(second[:30])
        self.query_one("#sp-preview", Static).update(t)

    def result(self) -> int:
        at = self.offset()
        text = self.row.text
        if at <= 0 or at >= len(text) or not text[:at].strip() or not text[at:].strip():
            raise ValueError("光标要放在任务文字中间：前后都要有文字")
        return at
