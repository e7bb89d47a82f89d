"""The dialog frames: a form (fields, 保存/取消) and a yes/no question that defaults to No.

Both scroll their body and keep their buttons on screen at any terminal size (80×24 too):
the body's height is capped from the screen's on every resize.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

CSS = "modals.tcss"
# Rows a dialog needs besides its body: border, title, error line, buttons, margins.
CHROME = 9


def parse_day(value: str) -> date:
    """YYYY-MM-DD (also YYYY/MM/DD and YYYY.MM.DD); ValueError with a Chinese message."""
    v = value.strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(v)
    except ValueError:
        parts = v.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                pass
    raise ValueError(f"日期格式应为 2024-11-15：{value}")


class _Fits:
    """Caps the dialog body to the screen, so the buttons stay visible and the body scrolls."""

    def _fit(self) -> None:
        for body in self.query(".dialog-body"):  # type: ignore[attr-defined]
            body.styles.max_height = max(3, self.size.height - CHROME)  # type: ignore[attr-defined]

    def on_resize(self, event: events.Resize) -> None:
        self._fit()


class FormModal(_Fits, ModalScreen):
    """Shared frame: a title, fields, an error line, 保存/取消 buttons.

    Ctrl+S saves, Esc cancels. Enter in a field moves to the next one and saves from the
    last, unless the dialog is ``FINAL`` (its action cannot be undone): then only Ctrl+S
    or the button acts."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "cancel", "取消"),
        Binding("ctrl+s", "save", "保存"),
    ]
    TITLE_TEXT = ""
    SAVE_LABEL = "保存 (Ctrl+S)"
    FINAL = False
    WIDE = False

    def __init__(self, title: str = "") -> None:
        super().__init__()
        self.title_text = title or self.TITLE_TEXT

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide" if self.WIDE else "dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield from self.fields()
            yield Static("", classes="dialog-error", id="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.SAVE_LABEL, variant="primary", id="save", compact=True)
                yield Button("取消 (Esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self._fit()
        first = self.first_focus()
        if first is not None:
            first.focus()

    def first_focus(self):
        inputs = list(self.query(Input))
        return inputs[0] if inputs else None

    def fields(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()

    def error(self, message: str) -> None:
        self.query_one("#dialog-error", Static).update(Text(message))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            result = self.result()
        except ValueError as exc:
            self.error(str(exc))
            return
        self.dismiss(result)

    def result(self):  # pragma: no cover - overridden
        return None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()
        else:
            self.extra_button(event.button.id or "")

    def extra_button(self, button_id: str) -> None:
        """Buttons of a dialog's own (besides 保存/取消)."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = list(self.query(Input))
        if inputs and event.input is inputs[-1] and not self.FINAL:
            self.action_save()
        else:
            self.focus_next()

    def _value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value.strip()


class ConfirmModal(_Fits, ModalScreen[bool]):
    """A question that names what will change. Y confirms; N, Esc and Enter (the focus
    starts on 取消) do not."""

    CSS_PATH = CSS
    TYPED_AHEAD = False  # keys typed before it was on screen never answer it (key_hold)
    BINDINGS = [
        Binding("y", "answer(True)", "确认"),
        Binding("n,escape", "answer(False)", "取消"),
    ]

    def __init__(
        self,
        question: str,
        body: str | Text = "",
        *,
        confirm: str = "确认 (Y)",
        warning: str = "",
    ) -> None:
        super().__init__()
        self.question = question
        self.body = body
        self.confirm = confirm
        self.warning = warning

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Label(Text(self.question), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                body = self.body if isinstance(self.body, Text) else Text(self.body)
                yield Static(body, id="confirm-body")
                yield from self.extra()
            if self.warning:
                yield Static(Text(self.warning), classes="dialog-warning", id="confirm-warning")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm, variant="primary", id="yes", compact=True)
                yield Button("取消 (N)", id="no", compact=True)

    def extra(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self._fit()
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "yes":
            self.action_answer(True)
        elif event.button.id == "no":
            self.action_answer(False)

    def action_answer(self, value: bool) -> None:
        self.dismiss(self.answer() if value else None)

    def answer(self):
        """What confirming returns (True; a dialog with fields returns their values)."""
        return True
