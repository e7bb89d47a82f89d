"""Tables that arrive as text: rows with | separators, or one cell per line.

A table copied from a web page or a converted document reaches us as text. Two layouts are
recognised by their header words (the vocabulary's [columns]), and their rows become table
rows like those of a Word or Excel table:

- ``| 序号 | 工作任务 | 牵头单位 | … |`` — one row per line; a row with a single filled cell
  is a section heading; ``|----|`` lines are rulers;
- an HTML table flattened to one cell per line: at least three header cells on consecutive
  lines, then the cells of each row. When the first column is 序号, each row starts at a
  number line (so an empty cell lost in the flattening cannot shift the rest of the table);
  otherwise rows are taken N lines at a time until a blank line.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tui.ingest.clean import clean_line
from tui.ingest.document import Line, Note, Row

Match = Callable[[str], "str | None"]

_PIPE = re.compile(r"[|｜]")
_RULER = re.compile(r"^[\s\-—:：=+]*$")
_NUMBER = re.compile(r"^\d{1,6}[．.、]?$")
_MIN_FLAT_HEADER = 3


def _pipe_cells(text: str) -> list[str] | None:
    if len(_PIPE.findall(text)) < 2:
        return None
    cells = [c.strip() for c in _PIPE.split(text.strip())]
    if cells and cells[0] == "":
        cells = cells[1:]
    if cells and cells[-1] == "":
        cells = cells[:-1]
    return cells


def _mapping(cells: list[str], match: Match) -> dict[int, str] | None:
    mapping: dict[int, str] = {}
    for i, cell in enumerate(cells):
        col = match(cell)
        if col is not None and col not in mapping.values():
            mapping[i] = col
    return mapping if len(mapping) >= 2 else None


def _row(no: int, cells: list[str], mapping: dict[int, str]) -> Row | Line | None:
    filled = [c for c in cells if c]
    if not filled:
        return None
    if len(filled) == 1 and len(cells) > 1 and not cells[0].strip().isdigit():
        return Line(no, filled[0])  # a section heading spanning the row
    mapped = {col: cells[i] for i, col in mapping.items() if i < len(cells) and cells[i]}
    if not mapped:
        return Line(no, " ".join(filled))
    return Row(no, mapped)


def text_tables(items: list, match: Match) -> list:
    """The items with text tables turned into rows; everything else passes through."""
    out: list = []
    i = 0
    n = len(items)
    while i < n:
        item = items[i]
        if not isinstance(item, Line):
            out.append(item)
            i += 1
            continue
        cells = _pipe_cells(item.text)
        mapping = _mapping(cells, match) if cells else None
        if mapping is not None:
            i = _take_pipe_table(items, i + 1, mapping, out)
            continue
        header = _flat_header(items, i, match)
        if header is not None:
            i = _take_flat_table(items, i + len(header), header, out)
            continue
        out.append(item)
        i += 1
    return out


def _take_pipe_table(items: list, i: int, mapping: dict[int, str], out: list) -> int:
    while i < len(items):
        item = items[i]
        if isinstance(item, (Row, Note)):
            break
        cells = _pipe_cells(item.text)
        if cells is None:
            heading = clean_line(item.text)
            if not heading and _pipe_follows(items, i + 1):
                i += 1
                continue
            if (
                heading
                and len(heading) <= 40
                and "。" not in heading
                and _pipe_follows(items, i + 1)
            ):
                out.append(Line(item.no, heading))  # a section heading between rows
                i += 1
                continue
            break
        i += 1
        if all(_RULER.match(c) for c in cells):
            continue
        row = _row(item.no, [clean_line(c) for c in cells], mapping)
        if row is not None:
            out.append(row)
    return i


def _pipe_follows(items: list, i: int) -> bool:
    """The table goes on after a line: the next non-blank line is a | row."""
    while i < len(items) and isinstance(items[i], Line) and not items[i].text.strip():
        i += 1
    return i < len(items) and isinstance(items[i], Line) and _pipe_cells(items[i].text) is not None


def _flat_header(items: list, i: int, match: Match) -> list[str] | None:
    """The columns of a flattened header starting at item i, or None."""
    columns: list[str] = []
    j = i
    while j < len(items) and isinstance(items[j], Line):
        col = match(clean_line(items[j].text))
        if col is None or col in columns:
            break
        columns.append(col)
        j += 1
    return columns if len(columns) >= _MIN_FLAT_HEADER else None


def _take_flat_table(items: list, i: int, columns: list[str], out: list) -> int:
    mapping = dict(enumerate(columns))
    width = len(columns)
    numbered = columns[0] == "number"
    while i < len(items):
        item = items[i]
        if not isinstance(item, Line):
            break
        first = clean_line(item.text)
        if numbered:
            if not _NUMBER.match(first):
                if first and not _starts_row_after(items, i):
                    break  # the table has ended: prose follows
                if first:
                    out.append(Line(item.no, first))  # a section heading between rows
                i += 1
                continue
            cells = [first.rstrip("．.、")]
            i += 1
            while i < len(items) and len(cells) < width and isinstance(items[i], Line):
                text = clean_line(items[i].text)
                if (
                    _NUMBER.match(text)
                    and len(cells) > 1
                    and text.rstrip("．.、").isdigit()
                    and (int(text.rstrip("．.、")) == int(cells[0]) + 1)
                ):
                    break  # the next row begins: this one lost an empty cell
                cells.append(text)
                i += 1
        else:
            if not first:
                break
            cells = []
            while i < len(items) and len(cells) < width and isinstance(items[i], Line):
                cells.append(clean_line(items[i].text))
                i += 1
        row = _row(item.no, cells, mapping)
        if row is not None:
            out.append(row)
    return i


def _starts_row_after(items: list, i: int) -> bool:
    """A line between rows is a section heading if a numbered row follows it."""
    j = i + 1
    while j < len(items) and isinstance(items[j], Line) and not clean_line(items[j].text):
        j += 1
    return (
        j < len(items)
        and isinstance(items[j], Line)
        and bool(_NUMBER.match(clean_line(items[j].text)))
    )
