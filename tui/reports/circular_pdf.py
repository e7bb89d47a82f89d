"""The circular as a PDF, on the letters' GB/T 9704 page (tui.letters.layout's measures).

- A4; type area 37 mm from the top, 28 mm left, 26 mm right, 35 mm above the bottom edge;
  body 3号 (16 pt) on the 28.95 pt pitch (22 lines a page), first lines indented two
  characters; headings 一、 in the heading face.
- Page 1: the office's red mark (红头, from settings) with its top 30 mm from the top edge,
  sized to fit 170 mm; 4 mm below it the red double line (thick over thin); the 期 number
  (第N期, or （草稿）) centred under it; the title in 2号 on 33 pt lines; the addressee
  flush left with a full-width colon; no page number on page 1, and the thin-over-thick
  line 20 mm above the bottom edge.
- Section 二 carries the ranked table (header repeated on every page, rows never split)
  and the bar chart (tui.reports.circular_chart), continued under a repeated scale when it
  does not fit.
- The signature centred over the date, the date four characters in from the right edge,
  two blank lines above for the seal; never alone on a page: when it would not fit after
  the last paragraph, that paragraph starts the next page with it.
- Page numbers from page 2, "— N —" in 4号, 7 mm below the type area, odd pages right and
  even pages left.

Fonts: the letters' font order (tui.letters.fonts.resolve_fonts): a font named in settings,
else the office's installed 仿宋/小标宋, else the shipped subset, embedded as a subset by the
letters' own writer (see tui.reports.pdf_canvas for why not fpdf2's).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tui.letters.linebreak import break_lines
from tui.reports import circular_chart as chart
from tui.reports.circular import TABLE_COLS_MM, TABLE_HEADER, CircularText
from tui.reports.pdf_canvas import Canvas

MM = 1.0
PT = 25.4 / 72
PAGE_W, PAGE_H = 210.0, 297.0
TOP, BOTTOM, LEFT, RIGHT = 37.0, 35.0, 28.0, 26.0
TEXT_W = PAGE_W - LEFT - RIGHT  # 156 mm
BODY_PT, TITLE_PT, MARK_MAX_PT, TABLE_PT, NOTE_PT, PAGE_NO_PT = 16.0, 22.0, 36.0, 10.5, 12.0, 14.0
LINE = 28.95 * PT  # body pitch
TITLE_LINE = 33 * PT
TABLE_LINE = 14 * PT
PAD = 1.0
RED = (230, 0, 18)
COLS = TABLE_COLS_MM  # = 156 mm
BODY_BOTTOM = PAGE_H - BOTTOM
SIGNATURE_ROOM = 4 * LINE  # two blank lines for the seal, the signature, the date


class CircularPDF(Canvas):
    def __init__(self, fonts, texts: list[str], title: str) -> None:
        super().__init__(fonts, texts, title=title)
        self.y_pos = TOP
        self.chart_parts: list[tuple[int, float, float]] = []  # (page, top, height) in mm

    # -- pages

    def footer(self) -> None:  # noqa: D102 - Canvas hook
        n = self.page_no()
        if n == 1:
            self.set_draw_color(*RED)
            y = PAGE_H - 20
            self.set_line_width(0.75 * PT)
            self.line((PAGE_W - 170) / 2, y - 1.2 * PT, (PAGE_W + 170) / 2, y - 1.2 * PT)
            self.set_line_width(2 * PT)
            self.line((PAGE_W - 170) / 2, y + 0.5 * PT, (PAGE_W + 170) / 2, y + 0.5 * PT)
            self.set_draw_color(0, 0, 0)
            return
        self.set_text_color(0, 0, 0)
        self.set_font("body", size=PAGE_NO_PT)
        label = f"— {n} —"
        w = self.get_string_width(label)
        em = PAGE_NO_PT * PT
        x = PAGE_W - RIGHT - em - w if n % 2 else LEFT + em
        self.text(x, BODY_BOTTOM + 7 + PAGE_NO_PT * PT, label)

    def new_page(self) -> None:
        self.add_page()
        self.y_pos = TOP

    def room(self) -> float:
        return BODY_BOTTOM - self.y_pos

    def measure(self, family: str):
        return lambda ch: self.advance(family, ch)

    # -- text

    def lines(self, text: str, family: str, size: float, width: float, indent: int) -> list[str]:
        return wrap("\u3000" * indent + text, width, size, self.measure(family))

    def put_lines(
        self,
        lines: list[str],
        *,
        family: str = "body",
        size: float = BODY_PT,
        pitch: float = LINE,
        align: str = "left",
        right_em: float = 0.0,
        color: tuple[int, int, int] = (0, 0, 0),
    ) -> None:
        self.set_font(family, size=size)
        self.set_text_color(*color)
        measure = self.measure(family)
        for line in lines:
            if self.room() < pitch - 0.01:
                self.new_page()
                self.set_font(family, size=size)
                self.set_text_color(*color)
            width = sum(measure(ch) for ch in line) * size
            x = LEFT
            if align == "center":
                x = LEFT + (TEXT_W - width) / 2
            elif align == "right":
                x = LEFT + TEXT_W - width - right_em * size * PT
            # baseline: the line box's height minus a fifth of the size (descender room)
            self.text(x, self.y_pos + (pitch + size * PT) / 2 - size * PT * 0.12, line)
            self.y_pos += pitch
        self.set_text_color(0, 0, 0)

    def paragraph(
        self, text: str, *, family: str = "body", size: float = BODY_PT, indent: int = 2
    ) -> None:
        self.put_lines(self.lines(text, family, size, TEXT_W, indent), family=family, size=size)

    # -- header

    def letterhead(self, mark: str, number: str) -> None:
        size = MARK_MAX_PT
        self.set_font("title", size=size)
        w = self.get_string_width(mark)
        if w > 170:
            size = size * 170 / w
            self.set_font("title", size=size)
            w = self.get_string_width(mark)
        self.set_text_color(*RED)
        self.text((PAGE_W - w) / 2, 30 + size * PT * 0.88, mark)
        rule = 30 + size * PT + 4
        self.set_draw_color(*RED)
        self.set_line_width(2 * PT)
        self.line((PAGE_W - 170) / 2, rule, (PAGE_W + 170) / 2, rule)
        self.set_line_width(0.75 * PT)
        self.line((PAGE_W - 170) / 2, rule + 1.2 * PT + PT, (PAGE_W + 170) / 2, rule + 2.2 * PT)
        self.set_draw_color(0, 0, 0)
        self.set_text_color(0, 0, 0)
        self.y_pos = max(TOP, rule + 2)
        self.put_lines([number], align="center")

    # -- table

    def table(self, rows: list[list[str]]) -> None:
        size = TABLE_PT
        body, head = self.measure("body"), self.measure("title")

        def cell_lines(cells, measure) -> list[list[str]]:
            return [wrap(c, w - 2 * PAD, size, measure) for c, w in zip(cells, COLS, strict=True)]

        header = cell_lines(TABLE_HEADER, head)
        header_h = max(map(len, header)) * TABLE_LINE + 2 * PAD

        def draw(cells, family: str, h: float, left: set[int]) -> None:
            self.set_font(family, size=size)
            measure = self.measure(family)
            x = LEFT
            self.set_line_width(0.5 * PT)
            for k, (lines, w) in enumerate(zip(cells, COLS, strict=True)):
                self.rect(x, self.y_pos, w, h)
                y = self.y_pos + PAD + size * PT
                for line in lines:
                    tx = x + PAD if k in left else x + (w - sum(map(measure, line)) * size) / 2
                    self.text(tx, y, line)
                    y += TABLE_LINE
                x += w
            self.y_pos += h

        if self.room() < header_h + TABLE_LINE + 2 * PAD:
            self.new_page()
        draw(header, "title", header_h, set())
        for row in rows:
            cells = cell_lines(row, body)
            h = max(map(len, cells)) * TABLE_LINE + 2 * PAD
            if self.room() < h:
                self.new_page()
                draw(header, "title", header_h, set())
            draw(cells, "body", h, {1})
        self.y_pos += 2

    # -- chart

    def chart(self, rows: list[chart.Row], title: str) -> None:
        start = 0
        part = title
        while start < len(rows) or start == 0:
            fit = chart.rows_fitting(self.room())
            if fit < min(3, len(rows) - start):
                self.new_page()
                continue
            take = rows[start : start + fit]
            used = chart.draw(self, LEFT, self.y_pos, TEXT_W, take, part)
            self.chart_parts.append((self.page_no(), self.y_pos, used))
            self.y_pos += used
            start += len(take)
            part = f"{title}（续）"
            if not take:
                break
        self.y_pos += 2


def wrap(text: str, width: float, size: float, measure) -> list[str]:
    """Lines no wider than ``width`` mm at ``size`` pt, with the Chinese line-breaking rules
    of the letters (tui.letters.linebreak); ``measure(ch)`` is mm at 1 pt."""
    return break_lines(text, width, lambda ch: measure(ch) * size)


def _paragraph_lines(pdf: CircularPDF, text: str) -> list[str]:
    return pdf.lines(text, "body", BODY_PT, TEXT_W, 2)


def build_pdf(text: CircularText, fonts, chart_title: str) -> CircularPDF:
    """Lay the circular out; ``fonts`` is a tui.letters.fonts.FontSet."""
    from tui.letters.fonts import prepare_batch_fonts

    texts = [*text.texts(), chart_title + "（续）"]
    pdf = CircularPDF(prepare_batch_fonts(fonts, texts), texts, text.title)
    pdf.new_page()
    pdf.letterhead(text.issuer_mark, text.number)
    pdf.y_pos += LINE  # one blank line
    title_lines = pdf.lines(text.title, "title", TITLE_PT, TEXT_W - 2 * TITLE_PT * PT, 0)
    pdf.put_lines(title_lines, family="title", size=TITLE_PT, pitch=TITLE_LINE, align="center")
    pdf.y_pos += LINE
    if text.addressee:
        addressee = text.addressee.rstrip("：:") + "："
        pdf.put_lines(pdf.lines(addressee, "body", BODY_PT, TEXT_W, 0))
    for i, section in enumerate(text.sections):
        heading = pdf.lines(section.heading, "title", BODY_PT, TEXT_W, 2)
        first = _paragraph_lines(pdf, section.paragraphs[0]) if section.paragraphs else []
        if pdf.room() < (len(heading) + min(2, len(first))) * LINE:  # no heading alone
            pdf.new_page()
        pdf.put_lines(heading, family="title")
        last_section = i == len(text.sections) - 1
        for k, p in enumerate(section.paragraphs):
            lines = _paragraph_lines(pdf, p)
            if last_section and k == len(section.paragraphs) - 1:
                # the signature is never alone on its page: the last paragraph goes with it
                left = pdf.room() - len(lines) * LINE
                if left >= 0 and left < SIGNATURE_ROOM:
                    pdf.new_page()
            pdf.put_lines(lines)
        if i == text.table_after and text.table_rows:
            pdf.table(text.table_rows)
            pdf.put_lines(
                pdf.lines(text.table_note, "body", NOTE_PT, TEXT_W, 2),
                size=NOTE_PT,
                pitch=NOTE_PT * PT * 1.5,
            )
            pdf.y_pos += 2
            pdf.chart(text.chart, chart_title)
    # signature block: two blank lines for the seal, then the office over the date
    date_text = text.date_text
    if pdf.room() < SIGNATURE_ROOM:
        pdf.new_page()
    pdf.y_pos += 2 * LINE
    pdf.set_font("body", size=BODY_PT)
    em = BODY_PT * PT
    date_w = pdf.get_string_width(date_text)
    date_x = LEFT + TEXT_W - 4 * em - date_w
    sig_w = pdf.get_string_width(text.signature)
    sig_x = min(date_x + (date_w - sig_w) / 2, LEFT + TEXT_W - sig_w)
    base = (LINE + BODY_PT * PT) / 2 - BODY_PT * PT * 0.12
    pdf.text(max(LEFT, sig_x), pdf.y_pos + base, text.signature)
    pdf.y_pos += LINE
    pdf.text(date_x, pdf.y_pos + base, date_text)
    pdf.y_pos += LINE
    return pdf


@dataclass
class RenderedPDF:
    path: Path
    pages: int
    chart_parts: list[tuple[int, float, float]]  # (page, top, height) in mm


def write_pdf(
    path: str | os.PathLike[str], text: CircularText, fonts, chart_title: str
) -> RenderedPDF:
    """Lay out and write the PDF (mode 0600); where each part of the chart went."""
    pdf = build_pdf(text, fonts, chart_title)
    pdf.output(path)
    return RenderedPDF(Path(path), pdf.page_no(), pdf.chart_parts)


def chart_pictures(rendered: RenderedPDF, dpi: int = 200) -> list[tuple[bytes, float]]:
    """Each part of the chart as the PDF drew it, cut from its page as a PNG (for the
    .docx): (png, width in mm). One drawing, two documents."""
    import io

    import pypdfium2

    out = []
    doc = pypdfium2.PdfDocument(str(rendered.path))
    try:
        for page_no, top, height in rendered.chart_parts:
            pt = 72 / 25.4
            crop = (
                (LEFT - 1) * pt,
                (PAGE_H - top - height - 1) * pt,
                (RIGHT - 1) * pt,
                (top - 1) * pt,
            )
            image = doc[page_no - 1].render(scale=dpi / 72, crop=crop).to_pil()
            buf = io.BytesIO()
            image.convert("L").save(buf, format="PNG")
            out.append((buf.getvalue(), TEXT_W + 2))
    finally:
        doc.close()
    return out
