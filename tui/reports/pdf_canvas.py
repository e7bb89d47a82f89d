"""A small drawing surface for the circular's PDF: the few fpdf2 calls it uses (millimetres,
origin top-left), written as PDF operators with the letters' embedded fonts.

Why not fpdf2 itself: importing fpdf2 costs ~0.7 s and its per-document font subsetting
~0.5 s more, against a two-second budget for the whole `circular render`; the letters'
fonts (tui.letters.fonts: parsed once, subset by copying glyph records, the office's own
仿宋 first, the shipped font as fallback for characters it lacks) and file writer
(tui.letters.pdf_file) do the same work in a few hundredths of a second. The API mirrors
fpdf2's names (`text`, `rect`, `line`, `set_font`, `get_string_width`, …) so the drawing
code reads as fpdf2 code and could run on an `FPDF` unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tui.letters.fonts import BatchFonts
from tui.letters.pdf_file import write_pdf_file
from tui.letters.pdf_writer import PdfFonts

PT_PER_MM = 72 / 25.4


class Canvas:
    """Pages of PDF operators; `footer()` is called as each page closes, as fpdf2 does."""

    def __init__(
        self,
        fonts: BatchFonts,
        texts: Iterable[str],
        *,
        title: str = "",
        page_mm: tuple[float, float] = (210.0, 297.0),
    ) -> None:
        # what the drawing adds to the texts: indents (U+3000), page numbers, chart values
        chars = "".join(set("".join(texts)) | set("\u3000—0123456789%（）/… "))
        self.fonts = PdfFonts(fonts, [(chars, chars)])
        self.title = title
        self.w, self.h = page_mm
        self.pages: list[list[str]] = []
        self.family = "body"
        self.font_size_pt = 12.0
        self._fill = "0 g"
        self._text = "0 g"
        self._ops: list[str] = []
        self.undrawn: set[str] = set()  # characters drawn as .notdef (a box): a bug if any

    # -- pages

    def footer(self) -> None:
        """Hook: drawn on each page as it closes."""

    def add_page(self) -> None:
        if self.pages:
            self.footer()
        self._ops = []
        self.pages.append(self._ops)

    def page_no(self) -> int:
        return len(self.pages)

    def output(self, path: str | Path) -> None:
        if self.pages:
            self.footer()
        write_pdf_file(
            path,
            ["\n".join(p).encode("ascii") for p in self.pages],
            self.fonts.list,
            title=self.title,
            size_pt=(self.w * PT_PER_MM, self.h * PT_PER_MM),
        )

    # -- state

    def set_font(self, family: str, size: float | None = None) -> None:
        self.family = "title" if family == "title" else "body"
        if size is not None:
            self.font_size_pt = float(size)

    @staticmethod
    def _rgb(r: int, g: int | None, b: int | None, op: str) -> str:
        if g is None or b is None:
            g = b = r
        return f"{r / 255:.4f} {g / 255:.4f} {b / 255:.4f} {op}"

    def set_text_color(self, r: int, g: int | None = None, b: int | None = None) -> None:
        self._text = self._rgb(r, g, b, "rg")

    def set_fill_color(self, r: int, g: int | None = None, b: int | None = None) -> None:
        self._fill = self._rgb(r, g, b, "rg")

    def set_draw_color(self, r: int, g: int | None = None, b: int | None = None) -> None:
        self._ops.append(self._rgb(r, g, b, "RG"))

    def set_line_width(self, width_mm: float) -> None:
        self._ops.append(f"{width_mm * PT_PER_MM:.3f} w")

    # -- measuring

    def advance(self, family: str, ch: str) -> float:
        """Width of ``ch`` in mm at 1 pt."""
        key = "title" if family == "title" else "body"
        return self.fonts.table(key)[ch] / PT_PER_MM

    def get_string_width(self, text: str) -> float:
        table = self.fonts.table(self.family)
        return sum(map(table.__getitem__, text)) * self.font_size_pt / PT_PER_MM

    # -- drawing

    def _y(self, y_mm: float) -> float:
        return (self.h - y_mm) * PT_PER_MM

    def text(self, x: float, y: float, text: str) -> None:
        """``text`` with its baseline at (x, y) mm."""
        if not text:
            return
        size = self.font_size_pt
        table = self.fonts.table(self.family)
        ops = [self._text, "BT"]
        x_pt = x * PT_PER_MM
        for font, run in self.fonts.runs(self.family, text):
            self.undrawn.update(ch for ch in run if not font.has(ch))
            ops.append(f"/{font.resource} {size:g} Tf")
            ops.append(f"1 0 0 1 {x_pt:.2f} {self._y(y):.2f} Tm")
            ops.append(f"<{font.encode(run)}> Tj")
            x_pt += sum(map(table.__getitem__, run)) * size
        ops.append("ET")
        self._ops.append("\n".join(ops))

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self._ops.append(
            f"{x1 * PT_PER_MM:.2f} {self._y(y1):.2f} m {x2 * PT_PER_MM:.2f} {self._y(y2):.2f} l S"
        )

    def rect(self, x: float, y: float, w: float, h: float, style: str = "D") -> None:
        box = f"{x * PT_PER_MM:.2f} {self._y(y + h):.2f} {w * PT_PER_MM:.2f} {h * PT_PER_MM:.2f} re"
        if style == "F":
            self._ops.append(f"{self._fill} {box} f")
        else:
            self._ops.append(f"{box} S")
