"""What readers hand the parser: text lines and table rows in document order.

Readers know file formats; the parser knows plan layouts. This is the seam between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Canonical table columns a reader maps header cells onto.
COLUMNS = ("number", "task", "measure", "lead", "responsible", "supporting", "deadline")


@dataclass(frozen=True)
class Line:
    """One line of running text; `no` is 1-based in the source (paragraph number for .docx)."""

    no: int
    text: str


@dataclass(frozen=True)
class Row:
    """One table row mapped onto COLUMNS (missing columns absent); `no` is the row's source line."""

    no: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Note:
    """Text a reader found but could not lay out (e.g. a table nested too deep): the parser
    reports it as unplaced, with `no` as its location, so nothing is ever silently dropped."""

    no: int
    text: str


@dataclass
class Document:
    """A file reduced to lines and rows; `kind` is the detected format (txt/docx/xlsx/pdf)."""

    source: str
    kind: str
    items: list[Line | Row | Note] = field(default_factory=list)
    encoding: str | None = None
