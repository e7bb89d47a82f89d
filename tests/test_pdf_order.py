"""PDF text in reading order, whatever order the writer drew it in.

Word-exported PDFs often draw the Chinese quotation marks “ ” in a separate text object
from a Western font, after the rest of the line; a reader that follows the content stream
puts them at the end. The reader must order characters by their position on the page, as
poppler's pdftotext does.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from fpdf import FPDF

from tui.ingest.readers import read_document
from tui.paths import data_dir

LINES = [
    "（一）全面推行“谁执法谁普法”普法责任制，落实“八五”普法规划。",
    "牵头单位：县司法局",
    "（二）开展“法律进乡村”活动，培育“法律明白人”队伍。",
    "牵头单位：县委宣传部",
]
QUOTES = "“”"


def quotes_drawn_last(path) -> None:
    """Each line drawn without its quotes, then every quote drawn at its place."""
    pdf = FPDF(unit="pt")
    pdf.add_page()
    pdf.add_font("s", "", str(data_dir() / "fonts" / "DubanSerifSC-Regular.ttf"))
    size = 14
    pdf.set_font("s", size=size)
    later: list[tuple[float, float, str]] = []
    y = 80.0
    for line in LINES:
        x = 60.0
        for ch in line:
            w = pdf.get_string_width(ch)
            if ch in QUOTES:
                later.append((x, y, ch))
            else:
                pdf.text(x, y, ch)
            x += w
        y += 28
    for x, yy, ch in later:
        pdf.text(x, yy, ch)
    pdf.output(str(path))


def test_pdf_characters_in_reading_order(tmp_path):
    path = tmp_path / "quotes.pdf"
    quotes_drawn_last(path)
    doc = read_document(path)
    texts = ["".join(it.text.split()) for it in doc.items if it.text.strip()]
    assert texts == LINES


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_reader_agrees_with_pdftotext(tmp_path):
    path = tmp_path / "quotes.pdf"
    quotes_drawn_last(path)
    poppler = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    ours = "".join(it.text for it in read_document(path).items)
    assert "".join(ours.split()) == "".join(poppler.split())
