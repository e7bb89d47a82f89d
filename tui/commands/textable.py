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
from itertools import repeat

from tui.text import strip_controls

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
    plain: bool | None = None,
) -> None:
    """Rows of strings; `styles[i]` colours row i (a name from _ANSI) on a terminal.

    Listings repeat the same units, plans and task titles thousands of times, so each
    distinct cell is measured and padded once per column. ``plain`` (the default when not
    writing to a terminal): tab-separated lines with every cell whole, nothing cut.
    """
    out = out or sys.stdout
    color = out.isatty()
    if plain if plain is not None else not color:
        _print_plain(headers, rows, out)
        return
    n = len(headers)
    limits = list(max_widths or [60] * n)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in range(n)]
    widths = [width(h) for h in headers]
    padded_columns = []
    for i, col in enumerate(columns):
        limit = limits[i]
        if (
            col
            and all(map(str.isascii, col))
            and all(map(str.isprintable, col))
            and max(map(len, col)) <= limit
        ):
            # Ids, dates: plain ASCII, one cell per character; pad in C.
            widths[i] = max(widths[i], max(map(len, col)))
            padded_columns.append(col if i == n - 1 else map(str.ljust, col, repeat(widths[i])))
            continue
        measured: dict[str, tuple[str, int]] = {}
        for c in set(col):
            safe = strip_controls(c)  # nothing printed can move the cursor or retitle
            if safe.isascii() and len(safe) <= limit:
                measured[c] = (safe, len(safe))
            else:
                shown = clip(safe, limit)
                measured[c] = (shown, width(shown))
        if measured:
            widths[i] = max(widths[i], max(w for _, w in measured.values()))
        if i == n - 1:
            pad = {c: shown for c, (shown, _) in measured.items()}
        else:
            pad = {c: shown + " " * (widths[i] - w) for c, (shown, w) in measured.items()}
        padded_columns.append(map(pad.__getitem__, col))
    lines = list(map("  ".join, zip(*padded_columns, strict=True))) if rows else []
    head = "  ".join(h + " " * (widths[i] - width(h)) for i, h in enumerate(headers)).rstrip()
    chunks = [
        (_ANSI["bold"] + head + _RESET if color else head),
        "  ".join("─" * w for w in widths),
    ]
    if color and styles:
        chunks.extend(
            _ANSI[st] + text + _RESET if st in _ANSI else text
            for text, st in zip(lines, styles, strict=True)
        )
    else:
        chunks.extend(lines)
    out.write("\n".join(chunks) + "\n")


def plain_cell(cell: str) -> str:
    """A cell as the plain (tab-separated) output prints it: control characters and tabs
    become single spaces, so nothing printed can move the cursor or shift a column."""
    if cell.isprintable():  # a tab is not printable either
        return cell
    return " ".join(strip_controls(cell).split())


def _print_plain(headers: Sequence[str], rows: Sequence[Sequence[str]], out) -> None:
    def line(row: Sequence[str]) -> str:
        # One C-level test per row (a tab is not printable either); cells only when it fails.
        if "".join(row).isprintable():
            return "\t".join(row)
        return "\t".join(map(plain_cell, row))

    lines = ["\t".join(headers)]
    lines += list(map(line, rows))
    out.write("\n".join(lines) + "\n")
