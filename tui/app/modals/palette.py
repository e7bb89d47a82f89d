"""The command palette (Ctrl+P), in Chinese: every action from the registry that can be used
where the officer is, found by its name, its help text or the pinyin initials of its name
(签发 → qf). Textual's own palette (English: "Search for commands…", Theme, Keys, Quit) is
not used."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label
from textual.widgets.option_list import Option

from tui.app.modals.base import CSS
from tui.app.widgets.lists import DeskOptionList
from tui.domain.search import initials


@dataclass(frozen=True)
class Command:
    title: str
    help: str
    keys: str  # as shown, e.g. "s" or "Ctrl+P"
    run: Callable[[], object]

    @property
    def key(self) -> str:
        return f"{self.title} {initials(self.title)} {self.help}".lower()

    def matches(self, query: str) -> bool:
        q = query.strip().lower()
        return all(w in self.key for w in q.split()) if q else True


class PaletteScreen(ModalScreen):
    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "close", "关闭"),
        Binding("down", "move(1)", "下移", show=False),
        Binding("up", "move(-1)", "上移", show=False),
    ]

    def __init__(self, commands: list[Command]) -> None:
        super().__init__()
        self.commands = commands
        self.shown: list[Command] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Label(
                "命令面板（输入名称或拼音首字母，回车执行，Esc 关闭）", classes="dialog-title"
            )
            yield Input(placeholder="查找命令，如 签发 或 qf", id="palette-input", compact=True)
            yield DeskOptionList(id="palette-list")
            yield Label("", id="palette-empty")

    def on_mount(self) -> None:
        self._show("")
        self.query_one("#palette-input").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _show(self, query: str) -> None:
        self.shown = [c for c in self.commands if c.matches(query)]
        ol = self.query_one("#palette-list", DeskOptionList)
        ol.clear_options()
        for c in self.shown:
            t = Text(c.title, style="bold")
            t.append(f"  {c.keys}", style="reverse")
            t.append(f"\n  {c.help}", style="dim")
            ol.add_option(Option(t))
        if self.shown:
            ol.highlighted = 0
        self.query_one("#palette-empty", Label).update("" if self.shown else "没有匹配的命令")

    def action_move(self, delta: int) -> None:
        ol = self.query_one("#palette-list", DeskOptionList)
        if self.shown:
            cur = ol.highlighted or 0
            ol.highlighted = max(0, min(len(self.shown) - 1, cur + delta))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        ol = self.query_one("#palette-list", DeskOptionList)
        if ol.highlighted is not None and self.shown:
            self._run(self.shown[ol.highlighted])

    def on_option_list_option_selected(self, event: DeskOptionList.OptionSelected) -> None:
        event.stop()
        self._run(self.shown[event.option_index])

    def _run(self, command: Command) -> None:
        self.dismiss(None)
        self.app.call_later(command.run)

    def action_close(self) -> None:
        self.dismiss(None)


def desk_commands(desk, tab: str) -> list[Command]:
    """The palette's commands: what works anywhere, then what works on this tab (with the
    office's remapped keys)."""
    from tui.app import keymap

    out = []
    for e in keymap.REGISTRY:
        if not e.palette or not ("app" in e.scopes or tab in e.scopes):
            continue
        if not desk.offers(e.action):
            continue
        keys = keymap.keys_text(keymap.effective_keys(e, desk.user_keys), first=True)
        owner = None if "app" in e.scopes else desk.tab(tab)
        out.append(Command(e.label, e.help, keys, _runner(desk, e.action, owner)))
    return out


def _runner(desk, action: str, owner) -> Callable[[], object]:
    def run():
        return desk.run_action(action, owner)

    return run
