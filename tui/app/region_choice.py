"""The desk's region in force: a city store holds several counties' plans, and the officer
works on one county at a time (or on all). Choosing one reads the board again, in a worker,
for that region alone, so every tab and every count is the region's (what "a region's"
means per tab: `tui.services.board`). A store with one region has nothing to choose: the
action is not offered and the title bar says nothing about regions."""

from __future__ import annotations

from tui.app.modals.region import RegionModal
from tui.services.regions import RegionChoice, region_choices

__all__ = ["RegionChooser", "RegionModal"]


class RegionChooser:
    """Which region the desk shows; read from the store after each board load."""

    def __init__(self, desk) -> None:
        self.desk = desk
        self.choices: list[RegionChoice] = []
        self.name = ""

    @property
    def several(self) -> bool:
        return len(self.choices) > 1

    def load(self) -> None:
        if self.desk.store is not None:
            self.desk.jobs.run(region_choices, self.desk.store, on_done=self._loaded)

    def _loaded(self, choices: list[RegionChoice]) -> None:
        self.choices = choices
        if self.name:  # still there (a plan imported or merged meanwhile changes its plans)
            found = next((c for c in choices if c.name == self.name), None)
            self.apply(self.name if found else "", found.plan_ids if found else None)

    def choose(self) -> None:
        if not self.several:
            self.desk.say("数据库中只有一个地区，无需选择")
            return

        def done(name: str | None) -> None:
            if name is None:
                return
            found = next((c for c in self.choices if c.name == name), None)
            self.apply(name if found else "", found.plan_ids if found else None)
            self.desk.say(f"只看地区：{name}" if found else "显示全部地区")

        self.desk.push_screen(RegionModal(self.choices, self.name), done)

    def apply(self, name: str, plan_ids: frozenset[int] | None) -> None:
        changed = name != self.name
        self.name = name
        self.desk._update_title()
        self.desk.tab("items").set_region(name, plan_ids)
        board = self.desk.board
        if changed or (board is not None and board.region != (name or None)):
            self.desk.reload()  # the board read again for the region (BoardFlow._read_board)

    @property
    def title(self) -> str:
        return f"　地区 {self.name}" if self.name else ""
