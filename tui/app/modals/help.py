"""The help screen (? or F1): every key from the registry, with the office's remapping."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tui.app.keymap import help_rows
from tui.app.modals.base import CSS, _Fits


class HelpScreen(_Fits, ModalScreen):
    CSS_PATH = CSS
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "关闭")]

    def __init__(self, keymap: dict[str, str] | None = None) -> None:
        super().__init__()
        self.keymap = keymap or {}

    def rows(self) -> list[tuple[str, str, str, str]]:
        return list(help_rows(self.keymap))

    def text(self) -> str:
        return "\n".join("  ".join(row) for row in self.rows())

    def compose(self) -> ComposeResult:
        t = Table(box=None, expand=True, show_edge=False)
        t.add_column("按键", style="bold", no_wrap=True)
        t.add_column("操作", style="bold", no_wrap=True)
        t.add_column("说明")
        t.add_column("页面", style="dim", no_wrap=True)
        for key, label, what, where in self.rows():
            t.add_row(Text(key), Text(label), Text(what), Text(where))
        with Vertical(classes="dialog dialog-wide"):
            yield Label(
                Text("督办台 按键说明（Esc 关闭；按键可在设置文件的 [keys] 中修改）"),
                classes="dialog-title",
            )
            with VerticalScroll(classes="dialog-body", id="help-body"):
                yield Static(t, id="help-table")

    def on_mount(self) -> None:
        self._fit()
        self.query_one("#help-body").focus()

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(None)
