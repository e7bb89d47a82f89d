"""The message line above the key bar: what the desk just did, or why it could not.

Instead of toasts: a toast floats over the panes, and where it crosses a pane's border the
compositor cuts its wide (Chinese) characters in half, so letters went missing. A docked
line spans the whole width, keeps the last message in view until the next one, and an
error stays red."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

STYLE = {"information": "", "warning": "bold yellow", "error": "bold red"}


class MessageBar(Static):
    DEFAULT_CSS = """
    MessageBar {
        height: auto;
        min-height: 1;
        max-height: 2;
        padding: 0 1;
        background: $boost;
        color: $text;
    }
    """

    def show(self, message: str, severity: str = "information") -> None:
        prefix = "错误：" if severity == "error" else ""
        self.update(Text(prefix + message, style=STYLE.get(severity, "")))
