"""A virtual table: draws only the rows on screen, so 200,000 rows cost nothing to show.

Textual's DataTable builds every row up front (about 12 s at 100,000 rows); this widget keeps
only a row count and asks ``row_cells(index)`` for the few rows in view (toolong's approach).
Column widths are terminal cells (Rich ``cell_len``), so Chinese text stays aligned.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.cells import without_controls
from tui.app.keymap import bindings
from tui.text import has_controls, strip_controls


@dataclass(frozen=True)
class Column:
    title: str
    width: int  # cells; 0 = takes the remaining width
    justify: str = "left"
    drop: int = 0  # > 0: left out on a narrow screen, highest first (0 = always shown)


FLEX_MIN = 14  # a flexible column (the task text) keeps at least this many cells
LINES_KEPT = 512  # drawn rows kept (with ``row_key``): a few screens


Cell = str | Text


class VirtualTable(ScrollView, can_focus=True):
    """Rows are indices 0..count-1; the owner supplies cells and keeps the data."""

    COMPONENT_CLASSES = {
        "vtable--header",
        "vtable--cursor",
        "vtable--selected",
        "vtable--odd",
    }
    BINDINGS = bindings("list")
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; }
    VirtualTable > .vtable--header { text-style: bold; background: $panel; }
    VirtualTable > .vtable--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .vtable--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    VirtualTable > .vtable--selected { text-style: bold; color: $accent; }
    VirtualTable > .vtable--odd { background: $surface; }
    """

    cursor = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        def __init__(self, table: VirtualTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Chosen(Message):
        def __init__(self, table: VirtualTable, index: int) -> None:
            super().__init__()
            self.table = table
            self.index = index

        @property
        def control(self) -> VirtualTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        row_cells: Callable[[int], Sequence[Cell]] | None = None,
        *,
        is_selected: Callable[[int], bool] | None = None,
        row_key: Callable[[int], Hashable] | None = None,
        empty_text: str = "（没有符合条件的记录）",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.row_cells = row_cells or (lambda i: ())
        self.is_selected = is_selected or (lambda i: False)
        self.empty_text = empty_text
        self.count = 0
        self._style_cache: tuple | None = None
        # With ``row_key`` (what a row shows, as a hashable value) drawn lines are kept and
        # drawn again from the cache while the key, width and marks stay (toolong's LRU).
        self.row_key = row_key
        self._lines: dict[tuple, Strip] = {}
        self._width_cache: tuple[int, list[int]] | None = None

    # ---------------------------------------------------------------- data

    def set_count(self, count: int, *, cursor: int | None = None) -> None:
        """New rows (same or new data); the cursor stays in range and in view."""
        self.count = count
        # A flexible column shrinks to 8 cells before the table scrolls sideways.
        width = sum(c.width or 8 for c in self.columns) + len(self.columns) - 1
        self.virtual_size = Size(width, count + 1)
        target = self.cursor if cursor is None else cursor
        self.cursor = max(0, min(target, count - 1)) if count else 0
        self._scroll_cursor_into_view()
        self.refresh()

    @property
    def page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    # ---------------------------------------------------------------- cursor

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        if self.count:
            self.post_message(self.Highlighted(self, new))

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        h = self.page_height
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + h:
            self.scroll_to(y=self.cursor - h + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        if self.count:
            self.cursor = max(0, min(self.count - 1, self.cursor + delta))

    def action_cursor_down(self) -> None:
        self.action_cursor(1)

    def action_cursor_up(self) -> None:
        self.action_cursor(-1)

    def action_page_down(self) -> None:
        self.action_page(1)

    def action_page_up(self) -> None:
        self.action_page(-1)

    def action_top(self) -> None:
        self.action_edge(0)

    def action_bottom(self) -> None:
        self.action_edge(1)

    def on_resize(self, event: events.Resize) -> None:
        """After a resize the row the actions use stays on screen."""
        self.call_after_refresh(self._scroll_cursor_into_view)

    def action_page(self, direction: int) -> None:
        if not self.count:
            return
        h = self.page_height
        self.cursor = max(0, min(self.count - 1, self.cursor + direction * h))
        self.scroll_to(y=max(0, int(self.scroll_y) + direction * h), animate=False, immediate=True)
        self._scroll_cursor_into_view()

    def action_edge(self, end: int) -> None:
        if self.count:
            self.cursor = self.count - 1 if end else 0

    def action_choose(self) -> None:
        if self.count:
            self.post_message(self.Chosen(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        idx = int(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= idx < self.count:
            self.cursor = idx
            if event.chain >= 2:
                self.action_choose()

    # ---------------------------------------------------------------- drawing

    def _widths(self, total: int) -> list[int]:
        """Each column's width; 0 for a column left out because the screen is too narrow
        (the least needed first), so the flexible column keeps room to be read."""
        shown = list(self.columns)
        flex = [c for c in shown if not c.width]

        def need(cols) -> int:
            return sum(c.width for c in cols) + len(cols) - 1 + FLEX_MIN * len(flex)

        for col in sorted((c for c in shown if c.drop), key=lambda c: -c.drop):
            if need(shown) <= total:
                break
            shown.remove(col)
        fixed = sum(c.width for c in shown) + len(shown) - 1
        rest = max(8, total - fixed) // max(1, len(flex))
        return [(c.width or rest) if c in shown else 0 for c in self.columns]

    def _line(self, cells: Sequence[Cell], widths: list[int]) -> Text:
        line = Text(no_wrap=True, overflow="ellipsis")
        n = 0
        for cell, col, w in zip(cells, self.columns, widths, strict=False):
            if not w:
                continue
            n += 1
            if not isinstance(cell, Text):
                # Plain cells (most of them) are padded as strings: no Text per cell.
                if n > 1:
                    line.append(" ")
                cell = str(cell)
                if has_controls(cell):
                    cell = strip_controls(cell)
                line.append(_fit(cell, w, col.justify))
                continue
            t = without_controls(cell).copy()
            t.no_wrap = True
            if t.cell_len > w:
                t.truncate(w, overflow="ellipsis")
            pad = w - t.cell_len
            if pad > 0:
                if col.justify == "right":
                    t = Text(" " * pad) + t
                else:
                    t.append(" " * pad)
            if n > 1:
                line.append(" ")
            line.append_text(t)
        return line

    def _row_styles(self) -> tuple[Style, Style, Style, Style, Style]:
        """(base, header, odd, selected, cursor), computed once until the styles or the
        focus change: CSS lookups per drawn line cost more than the line itself."""
        key = (self.has_focus, id(self.app.current_theme))
        cached = self._style_cache
        if cached is None or cached[0] != key:
            self._lines.clear()  # drawn in the old styles
            cached = self._style_cache = (
                key,
                (
                    self.rich_style,
                    self.get_component_rich_style("vtable--header"),
                    self.get_component_rich_style("vtable--odd"),
                    self.get_component_rich_style("vtable--selected"),
                    self.get_component_rich_style("vtable--cursor"),
                ),
            )
        return cached[1]

    def notify_style_update(self) -> None:
        self._style_cache = None
        self._lines.clear()
        super().notify_style_update()

    def _on_focus(self, event: events.Focus) -> None:
        self._style_cache = None
        super()._on_focus(event)

    def _on_blur(self, event: events.Blur) -> None:
        self._style_cache = None
        super()._on_blur(event)

    def _widths_for(self, width: int) -> list[int]:
        if self._width_cache is None or self._width_cache[0] != width:
            self._width_cache = (width, self._widths(width))
        return self._width_cache[1]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self._widths_for(width)
        console = self.app.console
        base, header, odd, selected, cursor = self._row_styles()
        if y == 0:
            text = self._line([c.title for c in self.columns], widths)
            return self._strip(text, width, base + header, console)
        idx = int(self.scroll_y) + y - 1
        if idx >= self.count:
            if self.count == 0 and y == 1:
                return self._strip(Text(self.empty_text, style="dim"), width, base, console)
            return Strip.blank(width, base)
        is_odd, is_selected, is_cursor = idx % 2, self.is_selected(idx), idx == self.cursor
        key = None
        if self.row_key is not None:
            key = (self.row_key(idx), width, is_odd, is_selected, is_cursor)
            strip = self._lines.get(key)
            if strip is not None:
                return strip
        text = self._line(self.row_cells(idx), widths)
        style = base
        if is_odd:
            style += odd
        if is_selected:
            style += selected
        if is_cursor:
            style += cursor
        strip = self._strip(text, width, style, console)
        if key is not None:
            if len(self._lines) >= LINES_KEPT:
                self._lines.clear()
            self._lines[key] = strip
        return strip

    def forget_lines(self) -> None:
        """The owner's rows changed (new data, texts read): draw them afresh."""
        self._lines.clear()
        self.refresh()

    def _strip(self, text: Text, width: int, style: Style, console) -> Strip:
        segments = [s for s in text.render(console, end="")]
        length = cell_len(text.plain)
        strip = Strip(segments, length).adjust_cell_length(width)
        return strip.apply_style(style)

    def render_lines_text(self) -> list[str]:
        """The visible rows as plain text (tests and the README rendering)."""
        widths = self._widths_for(self.scrollable_content_region.width or 120)
        out = [self._line([c.title for c in self.columns], widths).plain]
        top = int(self.scroll_y)
        for idx in range(top, min(self.count, top + self.page_height)):
            out.append(self._line(self.row_cells(idx), widths).plain)
        return out


def _fit(s: str, width: int, justify: str) -> str:
    """``s`` cut (with …) or padded to exactly ``width`` terminal cells."""
    n = cell_len(s)
    if n > width:
        s = set_cell_size(s, width - 1) + "…" if width > 1 else set_cell_size(s, width)
        n = width
    pad = width - n
    if pad <= 0:
        return s
    return " " * pad + s if justify == "right" else s + " " * pad
