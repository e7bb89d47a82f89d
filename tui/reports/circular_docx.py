"""The circular as a .docx: the same content and page as the PDF, for offices that edit.

python-docx here (not the lists' hand-written XML): one document per run, and it brings
the picture part the chart needs. Every run names its East Asian font (`w:eastAsia`,
GUIDE §5); page margins are GB/T 9704's; the red mark and double line head page 1; the
ranked table repeats its header row; the chart is a picture per `DOCX_ROWS` units, drawn by
the same code as the PDF's (tui.reports.circular_chart).
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

from tui.reports.circular import MARK_MM, TABLE_COLS_MM, TABLE_HEADER, TEXT_MM, CircularText

FANGSONG, HEITI, XBS = "仿宋_GB2312", "黑体", "方正小标宋简体"
RED = "E60012"


def _font(run, name: str, size: float, color: str | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.size = Pt(size)
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(slot), name)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def _para(
    doc,
    text: str,
    *,
    font: str = FANGSONG,
    size: float = 16,
    align=None,
    indent_chars: float = 0,
    color: str | None = None,
    right_chars: float = 0,
):
    from docx.shared import Pt

    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28.95 if size <= 16 else 33)
    if align is not None:
        p.alignment = align
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
    if right_chars:
        fmt.right_indent = Pt(size * right_chars)
    _font(p.add_run(text), font, size, color)
    return p


def _double_rule(p) -> None:
    """A red thick-over-thin line under the paragraph (the 红头's double line)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "thickThinSmallGap")
    bottom.set(qn("w:sz"), "24")
    bottom.set(qn("w:space"), "4")
    bottom.set(qn("w:color"), RED)
    bdr.append(bottom)
    ppr.append(bdr)


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)


def build_docx(text: CircularText, pictures: list[tuple[bytes, float]]):
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    # The mark and its double line are 170 mm wide (GB/T 9704), 7 mm into each margin of
    # the 156 mm text block; sized at 96 % so a viewer's substitute font cannot wrap it.
    mark_size = min(36.0, 0.96 * MARK_MM / max(1, len(text.issuer_mark)) * 72 / 25.4)
    mark = _para(doc, text.issuer_mark, font=XBS, size=mark_size, align=center, color=RED)
    outset = Mm((MARK_MM - TEXT_MM) / 2)
    mark.paragraph_format.left_indent = mark.paragraph_format.right_indent = -outset
    _double_rule(mark)
    _para(doc, text.number, align=center)
    _para(doc, "")
    _para(doc, text.title, font=XBS, size=22, align=center)
    _para(doc, "")
    if text.addressee:
        _para(doc, text.addressee.rstrip("：:") + "：")
    for i, section in enumerate(text.sections):
        _para(doc, section.heading, font=HEITI, indent_chars=2)
        for p in section.paragraphs:
            _para(doc, p, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        if i == text.table_after and text.table_rows:
            table = doc.add_table(rows=1, cols=len(TABLE_HEADER))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            table.autofit = False  # fixed layout: the grid's widths, not equal columns
            widths = [Mm(w) for w in TABLE_COLS_MM]
            for k, w in enumerate(widths):
                table.columns[k].width = w  # the grid (LibreOffice lays out by it)
            for k, label in enumerate(TABLE_HEADER):
                cell = table.rows[0].cells[k]
                cell.width = widths[k]
                cp = cell.paragraphs[0]
                cp.alignment = center
                _font(cp.add_run(label), HEITI, 10.5)
            _repeat_header(table.rows[0])
            for row in text.table_rows:
                cells = table.add_row().cells
                for k, value in enumerate(row):
                    cells[k].width = widths[k]
                    cp = cells[k].paragraphs[0]
                    cp.alignment = None if k == 1 else center
                    _font(cp.add_run(value), FANGSONG, 10.5)
            _para(doc, text.table_note, size=12, indent_chars=2)
            for png, width_mm in pictures:
                pic = doc.add_paragraph()
                pic.alignment = center
                pic.add_run().add_picture(io.BytesIO(png), width=Mm(min(width_mm, 156)))
    _para(doc, "")
    _para(doc, "")
    date_text = text.date_text
    _para(
        doc,
        text.signature,
        align=right,
        right_chars=max(0.0, 4 + (len(date_text) - len(text.signature)) / 2),
    )
    _para(doc, date_text, align=right, right_chars=4)
    for p in doc.paragraphs:  # the default style's spacing would drift from the PDF
        p.paragraph_format.space_after = Pt(0)
    return doc


def write_docx(
    path: str | os.PathLike[str], text: CircularText, pictures: list[tuple[bytes, float]]
) -> None:
    """Write atomically (temporary file, then rename), mode 0600. ``pictures`` are the
    chart's parts as PNG with their width in mm (tui.reports.circular_pdf.chart_pictures)."""
    path = Path(path)
    doc = build_docx(text, pictures)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        doc.save(tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
