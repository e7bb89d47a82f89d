"""Regenerate the corpus documents that are not plain UTF-8 text from their readable sources.

Run: python tests/corpus/make_corpus.py   (writes next to this file)

The simplified UTF-8 ``.txt`` documents in this folder are their own sources. Everything else
is made here: Word, Excel and PDF files from ``src/*.txt`` (a small markup, below), the GBK text
from its UTF-8 source, and the traditional-character twins with OpenCC (``s2t``). Outputs are
deterministic (fixed timestamps, fixed zip entry dates), so regenerating does not churn git.

Source markup (one paragraph per line; blank lines are ignored):

- ``# …``            a comment, not part of the document
- ``@center 文字``   a centred paragraph (titles); ``@right 文字`` a right-aligned one (signatures);
  ``@bold 文字`` a bold heading paragraph
- ``@sheet 名称``    (Excel) the worksheet's name
- ``@table`` … ``@end``   a table, one row a line, cells separated by `` | ``; a cell ``<`` is
  merged into the cell on its left, ``^`` into the cell above; ``\\n`` is a line break in a cell
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
ROOT = HERE.parents[1]
FONT = ROOT / "data" / "fonts" / "DubanSerifSC-Regular.ttf"
FIXED_TIME = datetime(2025, 1, 1, 8, 0, 0)
MAX_BYTES = 200 * 1024

# PDF page (GB/T 9704 type area: A4, top 37 mm, left 28 mm, right 26 mm, bottom 35 mm) with
# body lines wrapped at 35 characters, as the PDFs offices publish.
PDF_CHARS_PER_LINE = 35
PDF_FONT_SIZE = 12.5
PDF_TITLE_SIZE = 18
PDF_LINE_MM = 7.6
PDF_LEFT, PDF_TOP, PDF_BOTTOM = 28.0, 37.0, 262.0
# Line-breaking rules of Chinese typesetting: these never start a line, those never end one.
NO_LINE_START = "，。、；：？！）》」』”’％%…—·,.;:?!)]"
NO_LINE_END = "（《「『“‘([<"

# (source, output, kind, options)
JOBS: tuple[tuple[str, str, str, dict], ...] = (
    ("src/cangyan_2023_qingdan.txt", "cangyan_2023_qingdan.docx", "docx", {}),
    ("src/cangyan_2023_qingdan.txt", "cangyan_2023_qingdan_fanti.docx", "docx", {"s2t": True}),
    ("src/lanze_2022_fangan.txt", "lanze_2022_fangan.docx", "docx", {}),
    ("src/hefeng_sfj_2025_fengong.txt", "hefeng_sfj_2025_fengong.docx", "docx", {}),
    ("src/hefeng_2025_fenjie.txt", "hefeng_2025_fenjie.docx", "docx", {}),
    ("src/anlan_2021_qingdan.txt", "anlan_2021_qingdan.xlsx", "xlsx", {}),
    ("src/ningchuan_2026_fenjie.txt", "ningchuan_2026_fenjie.xlsx", "xlsx", {}),
    ("src/liuxi_sfj_2026_qingdan.txt", "liuxi_sfj_2026_qingdan.xlsx", "xlsx", {}),
    ("src/luming_2020_yaodian.txt", "luming_2020_yaodian.pdf", "pdf", {}),
    ("src/anlan_2022_fangan.txt", "anlan_2022_fangan.pdf", "pdf", {"quotes_last": True}),
    ("src/baihua_2019_fenjie.txt", "baihua_2019_fenjie_gbk.txt", "gbk", {}),
    ("liuxi_2025_fenjie.txt", "liuxi_2025_fenjie_fanti.txt", "txt", {"s2t": True}),
)


# ---------------------------------------------------------------- source markup


@dataclass
class Para:
    text: str
    align: str = "left"  # left | center | right
    bold: bool = False


@dataclass
class Table:
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    blocks: list[Para | Table]
    sheet: str = "Sheet1"


def read_source(path: Path, convert=None) -> Source:
    conv = convert or (lambda s: s)
    blocks: list[Para | Table] = []
    sheet = "Sheet1"
    table: Table | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not line.strip() or line.startswith("#"):
            continue
        if line == "@table":
            table = Table()
            continue
        if line == "@end":
            assert table is not None, f"{path.name}: @end without @table"
            blocks.append(table)
            table = None
            continue
        if table is not None:
            cells = [c.strip().replace("\\n", "\n") for c in line.split("|")]
            table.rows.append([conv(c) for c in cells])
            continue
        if line.startswith("@sheet "):
            sheet = conv(line[len("@sheet ") :].strip())
            continue
        for tag, kw in (("@center ", {"align": "center"}), ("@right ", {"align": "right"})):
            if line.startswith(tag):
                blocks.append(Para(conv(line[len(tag) :].strip()), **kw))
                break
        else:
            if line.startswith("@bold "):
                blocks.append(Para(conv(line[len("@bold ") :].strip()), bold=True))
            else:
                blocks.append(Para(conv(line)))
    assert table is None, f"{path.name}: @table without @end"
    for block in blocks:
        if isinstance(block, Table):
            widths = {len(r) for r in block.rows}
            assert len(widths) == 1, f"{path.name}: table rows of different widths {widths}"
    return Source(blocks, sheet)


def merges(rows: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """(top, left, bottom, right) 0-based ranges from the < and ^ markers."""
    out = []
    done: set[tuple[int, int]] = set()
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text in ("<", "^") or (r, c) in done:
                continue
            right = c
            while right + 1 < len(row) and row[right + 1] == "<":
                right += 1
            bottom = r
            while bottom + 1 < len(rows) and rows[bottom + 1][c] == "^":
                bottom += 1
            if right > c or bottom > r:
                out.append((r, c, bottom, right))
                for rr in range(r, bottom + 1):
                    for cc in range(c, right + 1):
                        done.add((rr, cc))
    return out


# ---------------------------------------------------------------- conversions


def s2t():
    import opencc

    forward = opencc.OpenCC("s2t")
    back = opencc.OpenCC("t2s")

    def convert(text: str) -> str:
        out = forward.convert(text)
        # The twin must read back to exactly its original, or the keys would not apply to it.
        assert back.convert(out) == text, f"s2t/t2s round trip changes: {text!r} → {out!r}"
        return out

    return convert


# ---------------------------------------------------------------- writers


def normalise_zip(path: Path) -> None:
    """Rewrite an Office zip with fixed entry dates so regenerated bytes are identical."""
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)",
                    rb"\g<1>2025-01-01T08:00:00Z\g<2>",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    path.write_bytes(buf.getvalue())


def _east_asian(run, name: str, size: float | None = None, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.name = name
    if size:
        run.font.size = Pt(size)
    run.bold = bold or None
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), name)


def write_docx(source: Source, out: Path) -> None:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc = docx.Document()
    props = doc.core_properties
    props.created = props.modified = FIXED_TIME
    props.author = props.last_modified_by = "duban"
    align = {
        "left": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }
    for block in source.blocks:
        if isinstance(block, Para):
            para = doc.add_paragraph()
            para.alignment = align[block.align]
            if block.align == "center":
                _east_asian(para.add_run(block.text), "方正小标宋简体", 22)
            elif block.bold:
                _east_asian(para.add_run(block.text), "黑体", 16)
            else:
                _east_asian(para.add_run(block.text), "仿宋_GB2312", 16)
            continue
        rows = block.rows
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if text in ("<", "^") or not text:
                    continue
                cell = table.cell(r, c)
                for i, part in enumerate(text.split("\n")):
                    para = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
                    _east_asian(para.add_run(part), "仿宋_GB2312", 12)
        for top, left, bottom, right in merges(rows):
            table.cell(top, left).merge(table.cell(bottom, right))
    doc.save(str(out))
    normalise_zip(out)


def write_xlsx(source: Source, out: Path) -> None:
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    tables = [b for b in source.blocks if isinstance(b, Table)]
    assert len(tables) == 1 and len(source.blocks) == 1, "an Excel source is one table"
    rows = tables[0].rows
    wb = openpyxl.Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.properties.creator = "duban"
    ws = wb.active
    ws.title = source.sheet
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            if text in ("<", "^") or not text:
                continue
            cell = ws.cell(row=r, column=c, value=text)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
    for top, left, bottom, right in merges(rows):
        ws.merge_cells(
            start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1
        )
    ws.cell(row=1, column=1).font = Font(size=16, bold=True)
    ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", vertical="center")
    for c in range(1, len(rows[0]) + 1):
        longest = max((len(part) for row in rows[1:] for part in row[c - 1].split("\n")), default=4)
        ws.column_dimensions[get_column_letter(c)].width = min(48, max(6, longest * 1.6))
    wb.save(str(out))
    normalise_zip(out)


def wrap(text: str, width: int) -> list[str]:
    """Break a paragraph into lines of ``width`` characters, keeping the kinsoku rules."""
    lines: list[str] = []
    rest = text
    while len(rest) > width:
        cut = width
        # A line may take one more character rather than start the next with punctuation.
        while cut < len(rest) and rest[cut] in NO_LINE_START and cut < width + 2:
            cut += 1
        while cut > 1 and rest[cut - 1] in NO_LINE_END:
            cut -= 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        lines.append(rest)
    return lines


def check_font_covers(texts: list[str]) -> None:
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(FONT)).getBestCmap()
    missing = sorted({ch for t in texts for ch in t if ord(ch) not in cmap and not ch.isspace()})
    assert not missing, f"the shipped font lacks {''.join(missing)}"


def write_pdf(source: Source, out: Path, quotes_last: bool = False) -> None:
    """A PDF of 35-character lines with page numbers. ``quotes_last`` writes each page's
    quotation marks after the rest of its text, at their places, as some Word exports do
    (the quote glyphs come from the Latin font, a separate run): a reader that follows the
    content stream then finds them at the end of the page; pdftotext reads them in place."""
    from fpdf import FPDF

    paras = [b for b in source.blocks if isinstance(b, Para)]
    assert len(paras) == len(source.blocks), "a PDF source has no tables"
    check_font_covers([p.text for p in paras])
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_producer("duban corpus")
    pdf.set_auto_page_break(False)
    pdf.add_font("DubanSerif", fname=str(FONT))
    page_width = 210.0
    state = {"y": PDF_TOP, "page": 0}
    quotes: list[tuple[float, float, float, str]] = []  # this page's (x, y, size, mark)

    def new_page() -> None:
        if state["page"]:
            footer()
        pdf.add_page()
        state["page"] += 1
        state["y"] = PDF_TOP

    def footer() -> None:
        for x, y, size, mark in quotes:
            pdf.set_font("DubanSerif", size=size)
            pdf.text(x, y, mark)
        quotes.clear()
        pdf.set_font("DubanSerif", size=14)
        label = f"— {state['page']} —"
        pdf.text((page_width - pdf.get_string_width(label)) / 2, 297 - 20, label)

    def put(text: str, x: float, size: float) -> None:
        if state["y"] + PDF_LINE_MM > PDF_BOTTOM:
            new_page()
        pdf.set_font("DubanSerif", size=size)
        if quotes_last and ("“" in text or "”" in text):
            run, run_x = "", x
            for ch in text:
                if ch in "“”":
                    if run:
                        pdf.text(run_x, state["y"], run)
                    quotes.append((run_x + pdf.get_string_width(run), state["y"], size, ch))
                    run_x += pdf.get_string_width(run + ch)
                    run = ""
                else:
                    run += ch
            if run:
                pdf.text(run_x, state["y"], run)
        else:
            pdf.text(x, state["y"], text)
        state["y"] += PDF_LINE_MM

    new_page()
    pdf.set_font("DubanSerif", size=PDF_FONT_SIZE)
    em = pdf.get_string_width("国")
    for p in paras:
        if p.align == "center":
            pdf.set_font("DubanSerif", size=PDF_TITLE_SIZE)
            width = pdf.get_string_width(p.text)
            put(p.text, (page_width - width) / 2, PDF_TITLE_SIZE)
            continue
        if p.align == "right":
            pdf.set_font("DubanSerif", size=PDF_FONT_SIZE)
            width = pdf.get_string_width(p.text)
            put(p.text, PDF_LEFT + PDF_CHARS_PER_LINE * em - width - 2 * em, PDF_FONT_SIZE)
            continue
        # First line indented by two characters, the indent counted in the line's width.
        lines = wrap("\u3000\u3000" + p.text, PDF_CHARS_PER_LINE)
        for i, line in enumerate(lines):
            if i == 0:
                put(line[2:], PDF_LEFT + 2 * em, PDF_FONT_SIZE)
            else:
                put(line, PDF_LEFT, PDF_FONT_SIZE)
    footer()
    pdf.output(str(out))


def write_text(text: str, out: Path, encoding: str) -> None:
    data = text.encode(encoding)
    assert data.decode(encoding) == text
    out.write_bytes(data)


def plain_text(path: Path) -> str:
    """A text source without its comment lines."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("#"))


def main() -> None:
    convert = None
    for src, name, kind, opts in JOBS:
        conv = None
        if opts.get("s2t"):
            convert = convert or s2t()
            conv = convert
        out = HERE / name
        if kind == "docx":
            write_docx(read_source(HERE / src, conv), out)
        elif kind == "xlsx":
            write_xlsx(read_source(HERE / src, conv), out)
        elif kind == "pdf":
            write_pdf(read_source(HERE / src, conv), out, opts.get("quotes_last", False))
        elif kind == "gbk":
            write_text(plain_text(HERE / src), out, "gbk")
        elif kind == "txt":
            text = plain_text(HERE / src)
            write_text(conv(text) if conv else text, out, "utf-8")
        else:  # pragma: no cover - a typo in JOBS
            sys.exit(f"unknown kind {kind}")
        size = out.stat().st_size
        assert size < MAX_BYTES, f"{name} is {size} bytes"
        print(f"{name:36} {size:>8} bytes")


if __name__ == "__main__":
    main()
