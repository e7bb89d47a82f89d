"""Cell helpers shared by the views: status lights, days, bars — all in terminal cells."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from tui.domain.status import STATUS_STYLE, STATUS_SYMBOL, Status, StatusResult

ROLE_SHORT = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}
SOURCE_LABEL = {"parsed": "原文", "default": "默认", "manual": "人工更正"}
KIND_LABEL = {
    "absolute": "确定日期",
    "recurring": "周期",
    "relative": "相对期限",
    "ongoing": "长期",
    "default": "计划期末",
    "manual": "人工",
}


def light(status: Status, *, words: bool = False) -> Text:
    """The status light: symbol (spells the colour) plus colour; ``words`` adds the status."""
    label = STATUS_SYMBOL[status] + (f" {status.value}" if words else "")
    return Text(label, style=STATUS_STYLE[status])


def days_text(st: StatusResult) -> Text:
    s, d = st.status, st.days
    if d is None:
        return Text("")
    if s is Status.OVERDUE:
        return Text(f"逾期{d}天", style=STATUS_STYLE[s])
    if s in (Status.DUE_SOON, Status.ON_TRACK):
        return Text("今天到期" if d == 0 else f"剩{d}天", style=STATUS_STYLE[s])
    if s is Status.DONE_LATE:
        return Text(f"迟{d}天", style=STATUS_STYLE[s])
    return Text("按期", style=STATUS_STYLE[s])


def iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def bar(rate: float, width: int = 10, *, bad_high: bool = False) -> Text:
    """A bar of ``rate`` (0–1); green when good: high, or low with ``bad_high`` (a share of
    overdue items)."""
    filled = round(rate * width)
    if bad_high:  # any overdue share is a concern; a tenth or more is a laggard
        style = "red" if rate >= 0.1 else ("yellow" if rate > 0 else "green")
    else:
        style = "green" if rate >= 0.8 else ("yellow" if rate >= 0.5 else "red")
    return Text("█" * filled, style=style) + Text("░" * (width - filled), style="dim")


def percent(rate: float) -> str:
    return f"{rate * 100:.0f}%"


def short(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` terminal cells (with …): one line in a dialog title or list."""
    from rich.cells import cell_len, set_cell_size

    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, cells - 1) + "…"


def without_controls(t: Text) -> Text:
    """A Text whose characters cannot steer the terminal: what came from the store was
    cleaned when it was written, but a store edited directly, or written by an older version,
    may still hold ESC or bidi controls. Styles go with them (a rare, hostile case)."""
    from tui.text import has_controls, strip_controls

    if not has_controls(t.plain):
        return t
    return Text(strip_controls(t.plain), style=t.style, no_wrap=t.no_wrap)
