"""Choosing the region the desk shows (tui.app.region_choice)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Label, Select

from tui.app.modals.base import FormModal
from tui.services.regions import RegionChoice


class RegionModal(FormModal):
    TITLE_TEXT = "选择地区"
    SAVE_LABEL = "确定 (Ctrl+S)"

    def __init__(self, choices: list[RegionChoice], current: str) -> None:
        super().__init__()
        self.choices = choices
        self.current = current

    def fields(self) -> ComposeResult:
        yield Label(Text("只看某地区（旗县区）的计划、事项、单位和函件；选“全部地区”恢复"))
        yield Select(
            [(c.name, c.name) for c in self.choices],
            prompt="全部地区",
            value=self.current or Select.NULL,
            id="region-select",
            compact=True,
        )

    def first_focus(self):
        return self.query_one("#region-select")

    def result(self) -> str:
        v = self.query_one("#region-select", Select).value
        return "" if v is Select.NULL or v is Select.BLANK else str(v)
