"""The desk's trees and lists: every one moves with j/k and g/G (keys from `tui.app.keymap`),
and keeps its cursor on screen after a resize."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.widgets import DataTable, OptionList, SelectionList, Tree

from tui.app.keymap import bindings


class DeskTree(Tree):
    """A tree with the desk's list keys; space on a node can be taken by the owner (to mark
    a task) instead of folding it."""

    BINDINGS = bindings("list")

    def __init__(self, *args, on_space: Callable[[object], bool] | None = None, **kw) -> None:
        super().__init__(*args, **kw)
        self.on_space = on_space

    def action_top(self) -> None:
        self.action_scroll_home()

    def action_bottom(self) -> None:
        self.action_scroll_end()

    def action_choose(self) -> None:
        self.action_select_cursor()

    def action_toggle_node(self) -> None:
        node = self.cursor_node
        if node is not None and self.on_space is not None and self.on_space(node):
            return
        super().action_toggle_node()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._keep_cursor)

    def _keep_cursor(self) -> None:
        if self.cursor_line >= 0:
            self.scroll_to_line(self.cursor_line, animate=False)


class DeskDataTable(DataTable):
    """A row table with the desk's list keys."""

    BINDINGS = bindings("list")

    def action_top(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_bottom(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)

    def action_choose(self) -> None:
        self.action_select_cursor()

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._keep_cursor)

    def _keep_cursor(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.cursor_row, scroll=True)


class _ListKeys:
    def action_top(self) -> None:
        self.action_first()

    def action_bottom(self) -> None:
        self.action_last()

    def action_choose(self) -> None:
        self.action_select()


class DeskOptionList(_ListKeys, OptionList):
    """An option list with the desk's list keys."""

    BINDINGS = bindings("list")


class DeskSelectionList(_ListKeys, SelectionList):
    """A selection list (space ticks) with the desk's list keys."""

    BINDINGS = bindings("list")
