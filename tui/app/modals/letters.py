"""Dialogs for letters: sign-off (with the signer, remembered), reply registration, voiding
(with a reason) and editing a draft's wording and items. Signing, voiding and printing
cannot be undone: their dialogs say so and default to No."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Label, RadioButton, RadioSet, Static, TextArea

from tui.app.modals.base import ConfirmModal, FormModal, parse_day
from tui.app.widgets.lists import DeskSelectionList

FINAL_NOTE = "此操作不能撤销。"


class SignModal(ConfirmModal):
    """签发: lists each draft with the number it will get; asks who signs (pre-filled with
    the last signer). Confirms with Y, Ctrl+S or the button; starts on 取消."""

    BINDINGS = [Binding("ctrl+s", "answer(True)", "签发")]

    def __init__(self, body: Text, signer: str) -> None:
        super().__init__(
            "签发函件",
            body,
            confirm="签发 (Y)",
            warning="签发后即编发文字号，不能撤销；有误只能作废后重新起草。",
        )
        self.signer = signer

    def extra(self) -> ComposeResult:
        yield Label("签发人（姓名）")
        yield Input(self.signer, placeholder="如：王主任", id="sign-by", compact=True)

    def on_mount(self) -> None:  # ConfirmModal.on_mount (focus on 取消) runs after this
        if not self.signer:
            self.call_after_refresh(self.query_one("#sign-by", Input).focus)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#yes").focus()

    def action_answer(self, value: bool) -> None:
        if value and not self.query_one("#sign-by", Input).value.strip():
            self.query_one("#confirm-warning", Static).update("请写明签发人")
            self.query_one("#sign-by", Input).focus()
            return
        super().action_answer(value)

    def answer(self) -> str:
        return self.query_one("#sign-by", Input).value.strip()


@dataclass
class ReplyResult:
    replied_on: date
    text: str
    settle: str | date | None
    items: list[int]


class ReplyModal(FormModal):
    """回复登记: a unit's written reply; the items it settles are closed or given a new date
    (the reply is also recorded as progress on them)."""

    TITLE_TEXT = "回复登记"
    WIDE = True
    FINAL = True

    def __init__(self, title: str, on: date, items: list[tuple[str, int]]) -> None:
        super().__init__(title)
        self.on = on
        self.items = items

    def fields(self) -> ComposeResult:
        yield Label("回复日期")
        yield Input(self.on.isoformat(), id="rp-date", compact=True)
        yield Label("回复内容（摘要）")
        yield Input(id="rp-text", compact=True)
        yield Label("所列事项")
        with RadioSet(id="rp-settle"):
            yield RadioButton("只登记回复（作为进展记入各事项）", value=True, id="rp-none")
            yield RadioButton("事项已完成：验收销号", id="rp-done")
            yield RadioButton("同意延期至下列日期", id="rp-extend")
        yield Label("新期限（选“同意延期”时填写）")
        yield Input(id="rp-new", compact=True)
        yield Label("涉及的事项（空格勾选；默认全部）")
        yield DeskSelectionList(*((label, aid, True) for label, aid in self.items), id="rp-items")
        yield Static(Text("登记回复后函件状态改为“已回复”，不能撤销。"), classes="dialog-note")

    def first_focus(self):
        return self.query_one("#rp-text", Input)

    def result(self) -> ReplyResult:
        on = parse_day(self._value("rp-date"))
        text = self._value("rp-text")
        if not text:
            raise ValueError("回复内容不能为空")
        settle: str | date | None = None
        if self.query_one("#rp-done", RadioButton).value:
            settle = "done"
        elif self.query_one("#rp-extend", RadioButton).value:
            settle = parse_day(self._value("rp-new"))
        items = list(self.query_one("#rp-items", DeskSelectionList).selected)
        if not items:
            raise ValueError("请至少勾选一个事项")
        return ReplyResult(on, text, settle, items)


class VoidModal(FormModal):
    TITLE_TEXT = "作废函件"
    SAVE_LABEL = "作废 (Ctrl+S)"
    FINAL = True

    def __init__(self, title: str, what: str) -> None:
        super().__init__(title)
        self.what = what

    def fields(self) -> ComposeResult:
        yield Static(Text(self.what), id="confirm-body")
        yield Label("作废原因（必填）")
        yield Input(id="vd-reason", compact=True)
        yield Static(
            Text("作废后函件保留其文号，不能撤销；需要时请重新起草。", style="bold"),
            classes="dialog-warning",
        )

    def result(self) -> str:
        reason = self._value("vd-reason")
        if not reason:
            raise ValueError("作废必须写明原因")
        return reason


@dataclass
class DraftEdit:
    title: str
    body: list[str]
    closing: str
    remove: list[int]


class EditDraftModal(FormModal):
    """A draft's title, body paragraphs (one per line), closing, and which items stay."""

    TITLE_TEXT = "修改函件草稿"
    WIDE = True

    def __init__(
        self, title: str, body: list[str], closing: str, items: list[tuple[str, int]]
    ) -> None:
        super().__init__("修改函件草稿")
        self.values = (title, body, closing)
        self.items = items

    def fields(self) -> ComposeResult:
        title, body, closing = self.values
        yield Label("标题")
        yield Input(title, id="ed-title", compact=True)
        yield Label("正文（每段一行）")
        yield TextArea("\n".join(body), id="ed-body", soft_wrap=True, compact=True)
        yield Label("结束语")
        yield Input(closing, id="ed-closing", compact=True)
        yield Label("保留的事项（空格取消勾选即移出本函）")
        yield DeskSelectionList(*((label, aid, True) for label, aid in self.items), id="ed-items")
        yield Static(
            Text("草稿尚未编号：修改不能撤销，但可以再次修改；签发前以预览为准。"),
            classes="dialog-note",
        )

    def result(self) -> DraftEdit:
        keep = set(self.query_one("#ed-items", DeskSelectionList).selected)
        if not keep:
            raise ValueError("函件至少要保留一项事项；不需要这封函时请作废")
        body = [p.strip() for p in self.query_one("#ed-body", TextArea).text.splitlines()]
        return DraftEdit(
            self._value("ed-title"),
            [p for p in body if p],
            self._value("ed-closing"),
            [aid for _label, aid in self.items if aid not in keep],
        )
