"""The footer: the keys that work where the focus is, as one line of text.

Textual's Footer mounts a widget per key and restyles every one of them whenever the focus
moves (some 20 keys here: a few hundred milliseconds at start-up and on each tab change).
One Static redrawn from the screen's active bindings shows the same thing for almost nothing.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from tui.app.keymap import key_name

# Always last on the bar, in this order: how to find the rest, and how to leave.
TAIL = ("help", "command_palette", "quit")
TAIL_ORDER = {"帮助": 0, "命令": 1, "退出": 2}


class KeyBar(Static):
    """Key hints for what can be done where the focus is. When they do not fit the line, the
    bar ends with "? 更多" (the help screen lists every key)."""

    hidden = False

    COMPONENT_CLASSES = {"keybar--key", "keybar--description", "keybar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyBar > .keybar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .keybar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .keybar--disabled { text-style: dim; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.refresh_keys()

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh_keys()

    def hints(self) -> list[tuple[str, str, bool]]:
        """(key as shown, description, enabled) for each key to show: the focused widget's
        and its tab's first, then the app's; help, palette and quit last."""
        out: list[tuple[str, str, bool]] = []
        tail: list[tuple[str, str, bool]] = []
        actions: set[str] = set()
        active = self.screen.active_bindings
        for _node, binding, enabled, _tooltip in active.values():
            # A key this screen cannot use now (check_action gave None) is left out rather
            # than dimmed: twenty dim keys would not fit an 80-column line.
            if not binding.show or not enabled or binding.action in actions:
                continue
            actions.add(binding.action)
            hint = (key_name(binding.key), binding.description, enabled)
            (tail if binding.action in TAIL else out).append(hint)
        tail.sort(key=lambda h: TAIL_ORDER.get(h[1], 9))
        return out + tail

    def on_resize(self) -> None:
        self.refresh_keys()

    def refresh_keys(self) -> None:
        key_style = self.get_component_rich_style("keybar--key")
        text_style = self.get_component_rich_style("keybar--description")
        width = self.size.width or 80
        hints = self.hints()
        parts = [(f" {k} ", f"{d} ") for k, d, _e in hints]
        more = (" ? ", "更多 ")
        total = sum(cell_len(a) + cell_len(b) for a, b in parts)
        if total > width:
            # Keep what fits and say that more keys exist (? lists them all).
            room = width - cell_len(more[0]) - cell_len(more[1])
            kept, used = [], 0
            for a, b in parts:
                if b.strip() == "帮助":
                    continue
                n = cell_len(a) + cell_len(b)
                if used + n > room:
                    break
                kept.append((a, b))
                used += n
            parts = [*kept, more]
        self.hidden = total > width
        line = Text(no_wrap=True, overflow="crop")
        for key, description in parts:
            line.append(key, key_style)
            line.append(description, text_style)
        self.update(line)
