"""A plain, fast table printer for long listings (tens of thousands of rows).

Rich's Table measures every cell several times; for `duban overdue` on a county's whole
store that costs seconds. This prints aligned columns by display width (CJK = 2 cells),
colours a column when writing to a terminal, and truncates long cells with "…".
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

_ANSI = {
    "red": "\x1b[31m",
    "yellow": "\x1b[33m",
    "green": "\x1b[32m",
    "dim": "\x1b[2m",
    "bold": "\x1b[1m",
}
_RESET = "\x1b[0m"


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def width(s: str) -> int:
    if s.isascii():
        return len(s)
    return sum(_char_width(c) for c in s)


def clip(s: str, limit: int) -> str:
    if width(s) <= limit:
        return s
    out, w = [], 0
    for c in s:
        cw = _char_width(c)
        if w + cw > limit - 1:
            break
        out.append(c)
        w += cw
    return "".join(out) + "…"


def print_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    max_widths: Sequence[int] | None = None,
    styles: Sequence[str | None] | None = None,
    out=None,
) -> None:
    """Rows of strings; `styles[i]` colours row i (a name from _ANSI) on a terminal."""
    out = out or sys.stdout
    color = out.isatty()
    n = len(headers)
    limits = list(max_widths or [60] * n)
    clipped = [[clip(str(c), limits[i]) for i, c in enumerate(r)] for r in rows]
    widths = [width(h) for h in headers]
    for r in clipped:
        for i, c in enumerate(r):
            w = width(c)
            if w > widths[i]:
                widths[i] = w

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (widths[i] - width(c)) for i, c in enumerate(cells)).rstrip()

    write = out.write
    head = line(headers)
    write((_ANSI["bold"] + head + _RESET if color else head) + "\n")
    write("  ".join("─" * w for w in widths) + "\n")
    for i, r in enumerate(clipped):
        text = line(r)
        style = styles[i] if styles and color else None
        write((_ANSI[style] + text + _RESET if style in _ANSI else text) + "\n")
