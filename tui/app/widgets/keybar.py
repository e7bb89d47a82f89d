"""The footer: the keys that work where the focus is, as one line of text.

Textual's Footer mounts a widget per key and restyles every one of them whenever the focus
moves (some 20 keys here: a few hundred milliseconds at start-up and on each tab change).
One Static redrawn from the screen's active bindings shows the same thing for almost nothing.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static


class KeyBar(Static):
    """Key hints for what can be done where the focus is; ^p opens the palette."""

    COMPONENT_CLASSES = {"keybar--key", "keybar--description", "keybar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
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
        """(key as shown, description, enabled) for each key to show, palette last."""
        out: list[tuple[str, str, bool]] = []
        actions: set[str] = set()
        palette = None
        active = self.screen.active_bindings
        for _node, binding, enabled, _tooltip in active.values():
            if binding.key == self.app.COMMAND_PALETTE_BINDING:
                palette = (self.app.get_key_display(binding), "命令", enabled)
                continue
            # A key this screen cannot use now (check_action gave None) is left out rather
            # than dimmed: twenty dim keys would push 帮助 and 退出 off an 80-column line.
            if not binding.show or not enabled or binding.action in actions:
                continue
            actions.add(binding.action)
            out.append((self.app.get_key_display(binding), binding.description, enabled))
        if palette and self.app.ENABLE_COMMAND_PALETTE:
            out.append(palette)
        return out

    def refresh_keys(self) -> None:
        key_style = self.get_component_rich_style("keybar--key")
        text_style = self.get_component_rich_style("keybar--description")
        dim = self.get_component_rich_style("keybar--disabled")
        line = Text(no_wrap=True, overflow="ellipsis")
        for key, description, enabled in self.hints():
            line.append(f" {key} ", key_style if enabled else key_style + dim)
            line.append(f"{description} ", text_style if enabled else text_style + dim)
        self.update(line)
