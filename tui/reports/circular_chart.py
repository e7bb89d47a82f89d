"""The bar chart of completion by unit, drawn with PDF primitives (fpdf2's drawing calls).

Why not matplotlib: it is not needed for horizontal bars and labels, and it would add
~40 MB (with numpy) to an offline install, about half a second of import to a command whose
whole budget is two seconds, and a font configuration of its own. Drawn here with the calls
of fpdf2's API (`rect`, `line`, `text`) on the circular's own page (tui.reports.pdf_canvas
writes them as PDF operators in the document's embedded fonts), the bars are vector
rectangles and every label stays in the PDF's text layer (searchable, crisp in print).
The .docx gets the very same drawing as a picture: each part of the chart is cut from the
PDF's page and rasterised with pypdfium2 (already a dependency), so both documents show one
chart.

Legibility at 80 units: horizontal bars, one row per unit in rank order, every unit shown
(a circular ranks every unit, and each reader looks for their own). A chart taller than the
room left on a page continues on the next page under a repeated scale headed （续）; the
.docx gets one picture per part. Long unit names are cut with … in the label only — the
table above the chart prints them whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.reports.circular import percent

ROW = 6.0  # mm per unit
HEAD = 12.0  # title line and scale labels
FOOT = 3.0
LABEL_W = 46.0  # unit names, right-aligned
VALUE_W = 24.0  # "100%（22/22）"
LABEL_PT, VALUE_PT, TITLE_PT = 9.0, 8.0, 10.5
BAR = (31, 78, 121)  # dark blue: prints as a clear grey on a monochrome printer
FULL = (46, 125, 50)  # all done
GRID = (190, 190, 190)

Row = tuple[str, int, int]  # (unit, done, items)


def height(n: int) -> float:
    """Height in mm of a chart part showing ``n`` units."""
    return HEAD + n * ROW + FOOT


def rows_fitting(room: float) -> int:
    return max(0, int((room - HEAD - FOOT) // ROW))


def _fit(pdf, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def draw(pdf, x: float, y: float, width: float, rows: Sequence[Row], title: str) -> float:
    """Draw one part of the chart with its top-left at (x, y); returns its height (mm).

    ``pdf`` offers fpdf2's drawing calls in mm (tui.reports.pdf_canvas.Canvas, or an
    fpdf2 FPDF with fonts "body" and "title" added)."""
    bar_x = x + LABEL_W + 2
    bar_w = width - LABEL_W - 2 - VALUE_W
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("title", size=TITLE_PT)
    pdf.text(x + (width - pdf.get_string_width(title)) / 2, y + 4.5, title)
    pdf.set_font("body", size=VALUE_PT)
    top = y + HEAD
    bottom = top + len(rows) * ROW
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    for k in range(0, 101, 20):
        gx = bar_x + bar_w * k / 100
        pdf.line(gx, top - 1, gx, bottom)
        label = f"{k}%"
        pdf.text(gx - pdf.get_string_width(label) / 2, top - 2, label)
    pdf.set_draw_color(0, 0, 0)
    pdf.line(bar_x, top - 1, bar_x, bottom)
    for i, (name, done, items) in enumerate(rows):
        ry = top + i * ROW
        rate = percent(done, items) or 0
        pdf.set_font("body", size=LABEL_PT)
        label = _fit(pdf, name, LABEL_W)
        pdf.text(x + LABEL_W - pdf.get_string_width(label), ry + ROW * 0.68, label)
        w = bar_w * (done / items if items else 0)
        if w > 0:
            pdf.set_fill_color(*(FULL if items and done == items else BAR))
            pdf.rect(bar_x, ry + ROW * 0.18, w, ROW * 0.64, style="F")
        pdf.set_font("body", size=VALUE_PT)
        pdf.text(bar_x + w + 1.2, ry + ROW * 0.68, f"{rate}%（{done}/{items}）")
    return height(len(rows))
