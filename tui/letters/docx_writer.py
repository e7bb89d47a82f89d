"""The editable .docx of a letter, in the 信函格式 of GB/T 9704-2012 (GUIDE §5).

Same content and order as the PDF (see pdf_writer): the red issuer mark and red
thick-over-thin double line sit in the first-page header, 30 mm from the top edge, so
they stay put while the office edits the body; page numbers "— N —" in the footer of
later pages only. Every run names its East Asian font (`w:eastAsia`), otherwise Word
and WPS fall back to 宋体 for the Chinese text. The docx names fonts, it does not embed
them: the reader's machine supplies 仿宋_GB2312 / 方正小标宋简体.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date as _date
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from tui.errors import DubanError
from tui.letters.fonts import FontSet
from tui.letters.model import LetterModel, item_row, title_lines

RED = RGBColor(0xE6, 0x00, 0x12)
BODY_PT = 16.0
TITLE_PT = 22.0
CC_PT = 14.0
TABLE_PT = 10.5
LINE_PT = 28.95  # fixed pitch: 22 lines a page
MARK_MAX_PT = 26.0
TEXT_W_MM = 156.0
COL_WIDTHS_MM = (10.0, 17.0, 44.0, 21.0, 18.0, 24.0, 22.0)

_HEADING1 = re.compile(r"^[一二三四五六七八九十]+、")
_HEADING2 = re.compile(r"^（[一二三四五六七八九十]+）")


def set_run_font(
    run: Run,
    name: str,
    size_pt: float,
    bold: bool = False,
    color: RGBColor | None = None,
) -> Run:
    """Font on all four slots, East Asian included, so WPS and Word agree."""
    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._r.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), name)
    rfonts.set(qn("w:hint"), "eastAsia")
    return run


def _set_default_fonts(doc, body: str) -> None:
    """Defaults for paragraph marks and anything typed later by the office."""
    style = doc.styles["Normal"]
    style.font.name = body
    style.font.size = Pt(BODY_PT)
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for slot in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(slot), body)
    pf = style.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)


def _fmt(
    p: Paragraph,
    align: WD_ALIGN_PARAGRAPH | None = None,
    line_pt: float | None = LINE_PT,
    first_indent_pt: float | None = None,
    left_mm: float | None = None,
    right_mm: float | None = None,
    right_pt: float | None = None,
) -> Paragraph:
    pf = p.paragraph_format
    if align is not None:
        p.alignment = align
    if line_pt is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line_pt)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if first_indent_pt is not None:
        pf.first_line_indent = Pt(first_indent_pt)
    if left_mm is not None:
        pf.left_indent = Mm(left_mm)
    if right_mm is not None:
        pf.right_indent = Mm(right_mm)
    if right_pt is not None:
        pf.right_indent = Pt(right_pt)
    return p


def _border(p: Paragraph, size_eighths: int, space_pt: int) -> None:
    """A single red bottom border; two of these stacked make the double line."""
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size_eighths))
    bottom.set(qn("w:space"), str(space_pt))
    bottom.set(qn("w:color"), "E60012")
    bdr.append(bottom)
    # CT_PPr is a sequence: pBdr goes after these and before spacing/ind/jc
    before = {
        qn(t)
        for t in (
            "w:pStyle",
            "w:keepNext",
            "w:keepLines",
            "w:pageBreakBefore",
            "w:framePr",
            "w:widowControl",
            "w:numPr",
            "w:suppressLineNumbers",
        )
    }
    pos = 0
    for i, child in enumerate(ppr):
        if child.tag in before:
            pos = i + 1
    ppr.insert(pos, bdr)


def _add_field(p: Paragraph, instr: str, font: str, size: float) -> None:
    for kind, text in (("begin", None), (None, instr), ("end", None)):
        run = p.add_run()
        set_run_font(run, font, size)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            run._r.append(it)


def _em_width(text: str) -> float:
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def _clean(text: str) -> str:
    """XML-escape, dropping control characters that Word would refuse."""
    text = "".join(ch for ch in text if ch >= " " or ch in "\t\n")
    return escape(text)


def _rpr_xml(font: str, size_pt: float, bold: bool = False, color: str | None = None) -> str:
    f = escape(font, {'"': "&quot;"})
    half = int(round(size_pt * 2))
    b = "<w:b/><w:bCs/>" if bold else ""
    c = f'<w:color w:val="{color}"/>' if color else ""
    return (
        f'<w:rPr><w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}" '
        f'w:hint="eastAsia"/>{b}{c}<w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>'
    )


def _run_xml(text: str, font: str, size_pt: float, bold: bool = False) -> str:
    """One run with its East Asian font named; newlines become line breaks."""
    body = '</w:t><w:br/><w:t xml:space="preserve">'.join(_clean(t) for t in text.split("\n"))
    return f'<w:r>{_rpr_xml(font, size_pt, bold)}<w:t xml:space="preserve">{body}</w:t></w:r>'


_JC = {"left": "left", "center": "center", "right": "right", "both": "both"}


def _ppr_xml(
    align: str = "both",
    line_pt: float | None = LINE_PT,
    first_twips: int = 0,
    right_twips: int = 0,
    keep_next: bool = False,
) -> str:
    parts = ["<w:pPr>"]
    if keep_next:
        parts.append("<w:keepNext/>")
    if line_pt is not None:
        parts.append(
            f'<w:spacing w:before="0" w:after="0" w:line="{int(round(line_pt * 20))}" '
            'w:lineRule="exact"/>'
        )
    else:
        parts.append('<w:spacing w:before="0" w:after="0"/>')
    if first_twips or right_twips:
        parts.append(f'<w:ind w:right="{right_twips}" w:firstLine="{first_twips}"/>')
    parts.append(f'<w:jc w:val="{_JC[align]}"/></w:pPr>')
    return "".join(parts)


def _page_setup(doc, model: LetterModel, fonts: FontSet) -> None:  # noqa: ANN001
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.header_distance = Mm(30)
    sec.footer_distance = Mm(28)
    sec.different_first_page_header_footer = True
    # first page: red issuer mark and the thick-over-thin double line in the header
    hdr = sec.first_page_header
    mark = model.issuer_mark.strip()
    size = min(MARK_MAX_PT, 0.98 * TEXT_W_MM / (25.4 / 72) / max(1.0, _em_width(mark)))
    p1 = hdr.paragraphs[0]
    _fmt(p1, WD_ALIGN_PARAGRAPH.CENTER, size * 1.15, left_mm=-8, right_mm=-6)
    set_run_font(p1.add_run(mark), fonts.title_name_docx, size, color=RED)
    _border(p1, 18, 11)  # 2.25 pt thick line ~4 mm below the mark
    p2 = hdr.add_paragraph()
    _fmt(p2, None, 3, left_mm=-8, right_mm=-6)
    set_run_font(p2.add_run(""), fonts.body_name_docx, 2)
    _border(p2, 6, 0)  # 0.75 pt thin line ~1 mm below it
    # later pages: empty header, "— N —" centred in the footer
    set_run_font(sec.header.paragraphs[0].add_run(""), fonts.body_name_docx, 10.5)
    fp = sec.footer.paragraphs[0]
    _fmt(fp, WD_ALIGN_PARAGRAPH.CENTER, None)
    set_run_font(fp.add_run("— "), fonts.body_name_docx, 14)
    _add_field(fp, "PAGE", fonts.body_name_docx, 14)
    set_run_font(fp.add_run(" —"), fonts.body_name_docx, 14)
    set_run_font(sec.first_page_footer.paragraphs[0].add_run(""), fonts.body_name_docx, 10.5)


@lru_cache(maxsize=16)
def _skeleton(fonts: FontSet, issuer_mark: str) -> tuple[tuple[str, bytes], ...]:
    """Every part of the .docx except the body, built once per batch with python-docx:
    styles, page setup, the red letterhead header and the page-number footer."""
    doc = Document()
    _set_default_fonts(doc, fonts.body_name_docx)
    probe = LetterModel(
        kind="",
        issuer_mark=issuer_mark,
        number=None,
        title="",
        addressee="",
        body_paragraphs=(),
        items=(),
        closing="",
        contact="",
        signature="",
        date=_date(2000, 1, 1),
    )
    _page_setup(doc, probe, fonts)
    cp = doc.core_properties
    cp.author = "督办台"
    cp.last_modified_by = "督办台"
    cp.title = ""
    cp.comments = ""
    buf = BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(BytesIO(buf.getvalue())) as z:
        return tuple((name, z.read(name)) for name in z.namelist())


class _DocxWriter:
    """Builds the body as WordprocessingML text: an order of magnitude faster than
    python-docx's object API, which matters for a batch of 300 letters."""

    def __init__(self, model: LetterModel, fonts: FontSet) -> None:
        self.m = model
        self.f = fonts
        self.xml: list[str] = []

    # -- building blocks ------------------------------------------------------
    def para(
        self,
        text: str,
        size: float = BODY_PT,
        font: str | None = None,
        indent_em: float = 0.0,
        align: str = "both",
        line_pt: float | None = LINE_PT,
        right_em: float = 0.0,
        runs: str | None = None,
        keep_next: bool = False,
    ) -> None:
        font = font or self.f.body_name_docx
        ppr = _ppr_xml(
            align,
            line_pt,
            int(round(indent_em * size * 20)),
            int(round(right_em * size * 20)),
            keep_next,
        )
        if runs is None:
            # an empty paragraph still gets a font on its (empty) run and its mark
            runs = _run_xml(text, font, size)
        self.xml.append(f"<w:p>{ppr}{runs}</w:p>")

    def body_para(self, text: str) -> None:
        """Body paragraph; a leading 一、 heading in 黑体, （一） in 楷体 (GB/T 9704 §7.3.3)."""
        runs = ""
        for rx, font in ((_HEADING1, self.f.heiti_docx), (_HEADING2, self.f.kaiti_docx)):
            m = rx.match(text)
            if m:
                end = text.find("。")
                head = text[: end + 1] if 0 < end < 40 else m.group(0)
                runs += _run_xml(head, font, BODY_PT)
                text = text[len(head) :]
                break
        if text:
            runs += _run_xml(text, self.f.body_name_docx, BODY_PT)
        self.para("", indent_em=2, runs=runs)

    # -- parts ------------------------------------------------------------------
    def letter(self) -> None:
        m, f = self.m, self.f
        self.para(m.number_text, align="right", right_em=1)
        self.para("", line_pt=LINE_PT / 2)
        title = "\n".join(title_lines(m.title, TEXT_W_MM / (TITLE_PT * 25.4 / 72) - 0.5))
        self.para(title, TITLE_PT, f.title_name_docx, align="center", line_pt=TITLE_PT * 1.5)
        self.para("", line_pt=LINE_PT / 2)
        if m.addressee_line:
            self.para(m.addressee_line, align="left")
        for text in m.body_paragraphs:
            self.body_para(text)
        if m.closing:
            self.para(m.closing, indent_em=2)
        if m.contact:
            self.para(m.contact, indent_em=2)
        if m.items:
            self.para("")
            self.para(m.attachment_label, indent_em=2, align="left")
        for _ in range(3):
            self.para("", keep_next=True)  # room for the seal
        sig, dt = m.signature, m.date_text
        ws, wd = _em_width(sig), _em_width(dt)
        if wd + 2 <= ws:
            sig_r, date_r = 2.0, ws - wd
        else:
            date_r = 2.0
            sig_r = max(2.0, date_r + wd + 2 - ws)
        if sig:
            self.para(sig, align="right", right_em=sig_r, keep_next=True)
        self.para(dt, align="right", right_em=date_r)

    def attachment(self) -> None:
        m, f = self.m, self.f
        if not m.items:
            return
        brk = f'<w:r>{_rpr_xml(f.body_name_docx, BODY_PT)}<w:br w:type="page"/></w:r>'
        self.para("", align="left", runs=brk + _run_xml("附件", f.heiti_docx, BODY_PT))
        label = m.attachment_label.split("：", 1)[-1] or "事项清单"
        self.para("", line_pt=LINE_PT / 2)
        self.para(label, TITLE_PT, f.title_name_docx, align="center", line_pt=TITLE_PT * 1.5)
        self.para("", line_pt=LINE_PT / 2)
        headers = m.item_headers
        ncol = len(headers)
        widths = COL_WIDTHS_MM if ncol == len(COL_WIDTHS_MM) else (TEXT_W_MM / ncol,) * ncol
        tw = [int(round(w / 25.4 * 1440)) for w in widths]
        line = TABLE_PT * 1.35
        border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
        out = [
            "<w:tbl><w:tblPr>",
            f'<w:tblW w:w="{sum(tw)}" w:type="dxa"/><w:jc w:val="center"/>',
            "<w:tblBorders>",
            *(
                f"<w:{e} {border}/>"
                for e in ("top", "left", "bottom", "right", "insideH", "insideV")
            ),
            '</w:tblBorders><w:tblLayout w:type="fixed"/>',
            '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
            "</w:tblCellMar></w:tblPr><w:tblGrid>",
            *(f'<w:gridCol w:w="{w}"/>' for w in tw),
            "</w:tblGrid>",
        ]
        center_cols = {0, 1, 3, 4}

        def row(cells: tuple[str, ...], font: str, header: bool) -> None:
            out.append("<w:tr><w:trPr><w:cantSplit/>")
            if header:
                out.append("<w:tblHeader/>")
            out.append("</w:trPr>")
            for k, text in enumerate(cells):
                align = "center" if header or k in center_cols else "left"
                out.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{tw[k]}" w:type="dxa"/><w:vAlign w:val="center"/>'
                    f"</w:tcPr><w:p>{_ppr_xml(align, line)}"
                    f"{_run_xml(text or '', font, TABLE_PT)}</w:p></w:tc>"
                )
            out.append("</w:tr>")

        row(tuple(headers), f.heiti_docx, True)
        for r, item in enumerate(m.items, start=1):
            row(item_row(r, item), f.body_name_docx, False)
        out.append("</w:tbl>")
        self.xml.append("".join(out))

    def cc(self) -> None:
        if not self.m.cc:
            return
        self.para("")
        self.para(f"抄送：{self.m.cc}", CC_PT, indent_em=1, align="left", right_em=1)


def write_docx(model: LetterModel, path: str | Path, fonts: FontSet) -> None:
    """Write the letter as a .docx that Word and WPS open in the letter format."""
    w = _DocxWriter(model, fonts)
    w.letter()
    w.attachment()
    w.cc()
    body = "".join(w.xml).encode("utf-8")
    try:
        with zipfile.ZipFile(str(path), "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
            for name, data in _skeleton(fonts, model.issuer_mark.strip()):
                if name == "word/document.xml":
                    k = data.index(b"<w:body>") + len(b"<w:body>")
                    data = data[:k] + body + data[k:]
                z.writestr(name, data)
    except OSError as exc:
        raise DubanError(f"无法写入 Word 文件 {path}：{exc.strerror or exc}") from None
