"""The editable .docx of a letter: the paragraphs, breaks and table `layout.layout_letter`
decided, written as WordprocessingML so that Word, WPS and LibreOffice paginate it like the PDF.

How it keeps the two files alike:
- every paragraph has exact line spacing (the 28.95 pt grid), no space before or after, and
  widow/orphan control off, so a word processor fills a page line by line as the layout
  does; where the layout moved paragraphs to keep the signature with body text, the .docx
  has the same page break, and the same number of blank lines for the seal;
- the letterhead (red mark 30 mm from the top, the red double lines) sits in frames at
  absolute page positions that text flows over (`w:wrap="none"`), anchored to the body's
  first paragraph, a spacer of the height the layout computed; frames in a header would
  make LibreOffice push the body down by the header's height;
- the item table has the layout's column widths and row heights ("at least"), rows that
  never split and a header row repeated on every page;
- 抄送 is a frame at the foot of the last page's type area;
- page numbers "—N—" from page 2: odd pages right, even pages left (even/odd footers).

Every run names its East Asian font (`w:eastAsia`): Word and WPS would otherwise set the
Chinese text in 宋体. Fonts are named, not embedded: 仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312.

Speed: the package parts other than document.xml depend only on the fonts and the issuer
mark; they are built and deflated once per batch and copied into every letter's file.
"""

from __future__ import annotations

import re
import struct
import time
import zlib
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from tui.errors import DubanError
from tui.letters.fonts import FontSet
from tui.letters.layout import (
    BOTTOM,
    BOTTOM_RULE,
    CELL_PAD_X,
    CELL_PAD_Y,
    LEFT,
    MARK_TOP,
    MM,
    PAGE_H,
    PAGE_NO_PT,
    PAGE_NO_TOP,
    PAGE_W,
    RED,
    RIGHT,
    RULE_GAP,
    RULE_LEN,
    RULE_TW,
    RULE_X,
    TABLE_LINE,
    TABLE_PT,
    TEXT_W,
    TOP,
    LetterLayout,
    Para,
)
from tui.letters.linebreak import NO_END, NO_START
from tui.letters.pdf_file import write_private

W_NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
HEADER_DIST = round(10 * MM)  # frames are placed on the page; the header itself is empty
FOOTER_DIST = PAGE_H - PAGE_NO_TOP - round(PAGE_NO_PT * 20)


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")


def _clean(text: str) -> str:
    """XML-escape, dropping control characters that Word would refuse."""
    return escape(_CONTROL.sub("", text))


def _attr(value: str) -> str:
    return escape(value, {'"': "&quot;"})


class _Fonts:
    def __init__(self, fonts: FontSet) -> None:
        self.names = {
            "body": fonts.body_name_docx,
            "title": fonts.title_name_docx,
            "hei": fonts.heiti_docx,
            "kai": fonts.kaiti_docx,
        }
        self._rpr: dict[tuple, str] = {}
        self.key = tuple(self.names.values())

    def rpr(self, font: str, size: float, color: str | None = None) -> str:
        key = (font, size, color)
        got = self._rpr.get(key)
        if got is None:
            got = self._rpr[key] = self._make_rpr(font, size, color)
        return got

    def _make_rpr(self, font: str, size: float, color: str | None) -> str:
        f = _attr(self.names.get(font, font))
        half = int(round(size * 2))
        c = f'<w:color w:val="{color}"/>' if color and color != "000000" else ""
        return (
            f'<w:rPr><w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}" '
            f'w:hint="eastAsia"/>{c}<w:sz w:val="{half}"/><w:szCs w:val="{half}"/></w:rPr>'
        )

    def run(self, text: str, font: str, size: float, color: str | None = None) -> str:
        """One run; "\\n" becomes a line break. Remembered (`_RUNS`): the letters of a batch
        repeat the same cell texts thousands of times."""
        key = (self.key, text, font, size, color)
        got = _RUNS.get(key)
        if got is None:
            if len(_RUNS) >= _RUNS_MAX:
                _RUNS.clear()
            rpr = self.rpr(font, size, color)
            pieces = text.split("\n")
            body = '</w:t><w:br/><w:t xml:space="preserve">'.join(_clean(t) for t in pieces)
            got = _RUNS[key] = f'<w:r>{rpr}<w:t xml:space="preserve">{body}</w:t></w:r>'
        return got


# Runs already written, keyed by the font names, text, font, size and colour: a pure
# function of those, so sharing them between letters (and batches) changes nothing.
_RUNS: dict[tuple, str] = {}
_RUNS_MAX = 50_000


def _ppr(
    *,
    line: int | None,
    align: str = "both",
    first: int = 0,
    left: int = 0,
    right: int = 0,
    hanging: int = 0,
    break_before: bool = False,
    keep_next: bool = False,
    frame: str = "",
    border: str = "",
) -> str:
    out = ["<w:pPr>"]
    if keep_next:
        out.append("<w:keepNext/>")
    if break_before:
        out.append("<w:pageBreakBefore/>")
    if frame:
        out.append(frame)
    out.append('<w:widowControl w:val="0"/>')
    if border:
        out.append(f"<w:pBdr>{border}</w:pBdr>")
    out.append('<w:overflowPunct w:val="1"/>')
    if line is None:
        out.append('<w:spacing w:before="0" w:after="0"/>')
    else:
        out.append(f'<w:spacing w:before="0" w:after="0" w:line="{line}" w:lineRule="exact"/>')
    if first or left or right or hanging:
        ind = f'<w:ind w:left="{left}" w:right="{right}"'
        ind += f' w:hanging="{hanging}"/>' if hanging else f' w:firstLine="{first}"/>'
        out.append(ind)
    out.append(f'<w:jc w:val="{align}"/></w:pPr>')
    return "".join(out)


def _para(p: Para, fonts: _Fonts) -> str:
    em = p.size * 20
    if p.role == "spacer":
        return f"<w:p>{_ppr(line=max(20, p.height))}{fonts.run('', 'body', 1)}</w:p>"
    ppr = _ppr(
        line=p.pitch,
        align=p.align,
        first=round(p.first_em * em),
        left=round((p.left_em + p.hanging_em) * em),
        right=round(p.right_em * em),
        hanging=round(p.hanging_em * em),
        break_before=p.break_before,
        keep_next=p.keep_next,
    )
    if p.runs:
        runs = "".join(fonts.run(t, f, p.size) for t, f in p.runs if t)
    else:
        text = "\n".join(p.lines) if p.role == "title" else p.text
        runs = fonts.run(text, p.font, p.size, p.color)
    return f"<w:p>{ppr}{runs}</w:p>"


def _table(lay: LetterLayout, fonts: _Fonts) -> str:
    t = lay.table
    assert t is not None
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    out = [
        "<w:tbl><w:tblPr>",
        f'<w:tblW w:w="{TEXT_W}" w:type="dxa"/><w:tblInd w:w="0" w:type="dxa"/>',
        "<w:tblBorders>",
        *(f"<w:{e} {border}/>" for e in ("top", "left", "bottom", "right", "insideH", "insideV")),
        '</w:tblBorders><w:tblLayout w:type="fixed"/>',
        f'<w:tblCellMar><w:top w:w="{CELL_PAD_Y}" w:type="dxa"/>'
        f'<w:left w:w="{CELL_PAD_X}" w:type="dxa"/>'
        f'<w:bottom w:w="{CELL_PAD_Y}" w:type="dxa"/>'
        f'<w:right w:w="{CELL_PAD_X}" w:type="dxa"/></w:tblCellMar>',
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
        'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/>',
        "</w:tblPr><w:tblGrid>",
        *(f'<w:gridCol w:w="{w}"/>' for w in t.widths),
        "</w:tblGrid>",
    ]

    split = {r for r, *_ in t.segments if sum(1 for x in t.segments if x[0] == r) > 1}

    def row(cells: list[str], height: int, header: bool, may_split: bool = False) -> None:
        out.append("<w:tr><w:trPr>" + ("" if may_split else "<w:cantSplit/>"))
        # the row's rule is added by the word processor on top of this height
        out.append(f'<w:trHeight w:val="{height - RULE_TW}" w:hRule="atLeast"/>')
        if header:
            out.append("<w:tblHeader/>")
        out.append("</w:trPr>")
        for k, text in enumerate(cells):
            col = t.columns[k]
            align = "center" if header or col.align == "center" else "left"
            font = "hei" if header else "body"
            out.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{t.widths[k]}" w:type="dxa"/>'
                f'<w:vAlign w:val="center"/></w:tcPr>'
                f"<w:p>{_ppr(line=TABLE_LINE, align=align)}"
                f"{fonts.run(text, font, TABLE_PT)}</w:p></w:tc>"
            )
        out.append("</w:tr>")

    row(["\n".join(h) for h in t.header_lines], t.header_height, True)
    for r in range(len(t.rows)):
        row(_cells_text(lay, r), t.row_heights[r], False, r in split)
    out.append("</w:tbl>")
    return "".join(out)


def _cells_text(lay: LetterLayout, r: int) -> list[str]:
    """A row's cells as written (not as wrapped): the word processor wraps them itself."""
    from tui.letters.model import days_mode, item_cells

    m = lay.model
    t = lay.table
    assert t is not None
    return list(item_cells(r + 1, m.items[r], t.columns, days_mode(m.items)))


def _cc(lay: LetterLayout, fonts: _Fonts) -> str:
    cc = lay.cc
    if cc is None:
        return ""
    em = cc.size * 20
    frame = (
        f'<w:framePr w:w="{TEXT_W}" w:wrap="notBeside" w:vAnchor="margin" '
        'w:hAnchor="margin" w:x="0" w:yAlign="bottom"/>'
    )
    ppr = _ppr(
        line=cc.pitch,
        align="both",
        left=round((cc.left_em + cc.hanging_em) * em),
        right=round(cc.right_em * em),
        hanging=round(cc.hanging_em * em),
        frame=frame,
    )
    out = ""
    last_page = lay.table.row_pages[-1] if lay.table and lay.table.row_pages else lay.signature_page
    if lay.cc_page > last_page:
        out += f"<w:p>{_ppr(line=20, break_before=True)}{fonts.run('', 'body', 1)}</w:p>"
    return out + f"<w:p>{ppr}{fonts.run(cc.text, 'body', cc.size)}</w:p>"


def document_xml(lay: LetterLayout, fonts: FontSet) -> bytes:
    f = _Fonts(fonts)
    parts = [XML_HEAD, f"<w:document {W_NS}><w:body>"]
    mark = lay.model.issuer_mark.strip()
    parts.append(_letterhead_cached(fonts, mark, round(lay.mark_size, 2)))
    parts.extend(_para(p, f) for p in lay.letter)
    parts.extend(_para(p, f) for p in lay.attachment)
    if lay.table is not None:
        parts.append(_table(lay, f))
    parts.append(_cc(lay, f))
    # a body ends with a paragraph; this one is a twip tall so it never makes a page
    parts.append(f"<w:p>{_ppr(line=20)}{f.run('', 'body', 1)}</w:p>")
    parts.append(_SECT)
    parts.append("</w:body></w:document>")
    return "".join(parts).encode("utf-8")


_SECT = (
    '<w:sectPr><w:headerReference w:type="first" r:id="rIdH1"/>'
    '<w:headerReference w:type="default" r:id="rIdH2"/>'
    '<w:headerReference w:type="even" r:id="rIdH2"/>'
    '<w:footerReference w:type="first" r:id="rIdF1"/>'
    '<w:footerReference w:type="default" r:id="rIdF2"/>'
    '<w:footerReference w:type="even" r:id="rIdF3"/>'
    f'<w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
    f'<w:pgMar w:top="{TOP}" w:right="{RIGHT}" w:bottom="{BOTTOM}" w:left="{LEFT}" '
    f'w:header="{HEADER_DIST}" w:footer="{FOOTER_DIST}" w:gutter="0"/>'
    "<w:titlePg/></w:sectPr>"
)


# --------------------------------------------------------------------------- package parts


def _letterhead(fonts: FontSet, mark: str, size: float) -> str:
    """The red issuer mark and double lines of page 1, as absolutely placed frames."""
    f = _Fonts(fonts)
    pitch = round(size * 24)
    y_mark = MARK_TOP - round(size * 2)
    frame = (
        f'<w:framePr w:w="{RULE_LEN}" w:h="{pitch}" w:hRule="exact" w:wrap="none" '
        f'w:vAnchor="page" w:hAnchor="page" w:x="{RULE_X}" w:y="{y_mark}"/>'
    )
    rule_y = MARK_TOP + round(size * 20) + RULE_GAP
    top_rule = (
        f'<w:framePr w:w="{RULE_LEN}" w:h="120" w:hRule="exact" w:wrap="none" '
        f'w:vAnchor="page" w:hAnchor="page" w:x="{RULE_X}" w:y="{rule_y}"/>'
    )
    bottom_rule = (
        f'<w:framePr w:w="{RULE_LEN}" w:h="120" w:hRule="exact" w:wrap="none" '
        f'w:vAnchor="page" w:hAnchor="page" w:x="{RULE_X}" w:y="{BOTTOM_RULE - 120}"/>'
    )
    thick_thin = f'<w:top w:val="thickThinSmallGap" w:sz="24" w:space="0" w:color="{RED}"/>'
    thin_thick = f'<w:bottom w:val="thinThickSmallGap" w:sz="24" w:space="0" w:color="{RED}"/>'
    return (
        f"<w:p>{_ppr(line=pitch, align='center', frame=frame)}{f.run(mark, 'title', size, RED)}</w:p>"
        f"<w:p>{_ppr(line=20, frame=top_rule, border=thick_thin)}</w:p>"
        f"<w:p>{_ppr(line=20, frame=bottom_rule, border=thin_thick)}</w:p>"
    )


@lru_cache(maxsize=16)
def _letterhead_cached(fonts: FontSet, mark: str, size: float) -> str:
    return _letterhead(fonts, mark, size)


def _empty_part(tag: str, fonts: FontSet) -> str:
    f = _Fonts(fonts)
    return f"{XML_HEAD}<w:{tag} {W_NS}><w:p>{_ppr(line=20)}{f.run('', 'body', 1)}</w:p></w:{tag}>"


def _footer(fonts: FontSet, odd: bool) -> str:
    f = _Fonts(fonts)
    em = round(PAGE_NO_PT * 20)
    ppr = _ppr(
        line=em, align="right" if odd else "left", right=em if odd else 0, left=0 if odd else em
    )
    rpr = f.rpr("body", PAGE_NO_PT)
    field = (
        f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{rpr}<w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r>{rpr}<w:t>2</w:t></w:r>"
        f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'
    )
    dash = f"<w:r>{rpr}<w:t>—</w:t></w:r>"
    return f"{XML_HEAD}<w:ftr {W_NS}><w:p>{ppr}{dash}{field}{dash}</w:p></w:ftr>"


def _styles(fonts: FontSet) -> str:
    f = _attr(fonts.body_name_docx)
    return (
        f"{XML_HEAD}<w:styles {W_NS}><w:docDefaults><w:rPrDefault><w:rPr>"
        f'<w:rFonts w:ascii="{f}" w:hAnsi="{f}" w:eastAsia="{f}" w:cs="{f}"/>'
        '<w:sz w:val="32"/><w:szCs w:val="32"/>'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:widowControl w:val="0"/><w:kinsoku/>'
        '<w:overflowPunct w:val="0"/>'
        '<w:spacing w:before="0" w:after="0"/><w:jc w:val="both"/></w:pPr></w:pPrDefault>'
        "</w:docDefaults>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/>'
        "<w:qFormat/></w:style>"
        '<w:style w:type="table" w:default="1" w:styleId="a1"><w:name w:val="Normal Table"/>'
        '<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar>'
        '<w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr></w:style></w:styles>"
    )


def _settings() -> str:
    before = _attr("".join(sorted(c for c in NO_START if ord(c) > 0x7F)))
    after = _attr("".join(sorted(c for c in NO_END if ord(c) > 0x7F)))
    return (
        f"{XML_HEAD}<w:settings {W_NS}><w:evenAndOddHeaders/>"
        '<w:defaultTabStop w:val="420"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/>'
        f'<w:noLineBreaksAfter w:lang="zh-CN" w:val="{after}"/>'
        f'<w:noLineBreaksBefore w:lang="zh-CN" w:val="{before}"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
        "</w:settings>"
    )


_CT = (
    f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    + "".join(
        f'<Override PartName="/{name}" ContentType="{ctype}"/>'
        for name, ctype in (
            (
                "word/document.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            ),
            (
                "word/styles.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
            ),
            (
                "word/settings.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml",
            ),
            (
                "word/header1.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
            ),
            (
                "word/header2.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
            ),
            (
                "word/footer1.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
            ),
            (
                "word/footer2.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
            ),
            (
                "word/footer3.xml",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
            ),
            ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
            (
                "docProps/app.xml",
                "application/vnd.openxmlformats-officedocument.extended-properties+xml",
            ),
        )
    )
    + "</Types>"
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ROOT_RELS = (
    f'{XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_DOC_RELS = (
    f'{XML_HEAD}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rIdS" Type="{_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rIdT" Type="{_REL}/settings" Target="settings.xml"/>'
    f'<Relationship Id="rIdH1" Type="{_REL}/header" Target="header1.xml"/>'
    f'<Relationship Id="rIdH2" Type="{_REL}/header" Target="header2.xml"/>'
    f'<Relationship Id="rIdF1" Type="{_REL}/footer" Target="footer1.xml"/>'
    f'<Relationship Id="rIdF2" Type="{_REL}/footer" Target="footer2.xml"/>'
    f'<Relationship Id="rIdF3" Type="{_REL}/footer" Target="footer3.xml"/>'
    "</Relationships>"
)
_APP = (
    f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
    'extended-properties"><Application>督办台</Application></Properties>'
)
_CORE = (
    f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
    'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
    "<dc:creator>督办台</dc:creator><cp:lastModifiedBy>督办台</cp:lastModifiedBy>"
    "</cp:coreProperties>"
)


class _Entry:
    """A zip member deflated once (raw deflate), with its CRC and sizes."""

    __slots__ = ("name", "data", "crc", "size")

    def __init__(self, name: str, raw: bytes) -> None:
        self.name = name.encode("utf-8")
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.data = comp.compress(raw) + comp.flush()
        self.crc = zlib.crc32(raw)
        self.size = len(raw)


@lru_cache(maxsize=16)
def _skeleton(fonts: FontSet, mark: str, size: float) -> tuple[_Entry, ...]:
    """Every part except document.xml, deflated once per fonts and issuer mark."""
    parts = {
        "[Content_Types].xml": _CT,
        "_rels/.rels": _ROOT_RELS,
        "docProps/core.xml": _CORE,
        "docProps/app.xml": _APP,
        "word/_rels/document.xml.rels": _DOC_RELS,
        "word/styles.xml": _styles(fonts),
        "word/settings.xml": _settings(),
        "word/header1.xml": _empty_part("hdr", fonts),
        "word/header2.xml": _empty_part("hdr", fonts),
        "word/footer1.xml": _empty_part("ftr", fonts),
        "word/footer2.xml": _footer(fonts, odd=True),
        "word/footer3.xml": _footer(fonts, odd=False),
    }
    return tuple(_Entry(name, text.encode("utf-8")) for name, text in parts.items())


def _zip(entries: list[_Entry]) -> bytes:
    """A zip file from already deflated members (what zipfile cannot take)."""
    t = time.localtime()
    dos_time = (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2)
    dos_date = ((t.tm_year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday
    out = bytearray()
    central = bytearray()
    for e in entries:
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            0x0800,
            8,
            dos_time,
            dos_date,
            e.crc,
            len(e.data),
            e.size,
            len(e.name),
            0,
        )
        out += e.name + e.data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0x0800,
            8,
            dos_time,
            dos_date,
            e.crc,
            len(e.data),
            e.size,
            len(e.name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += e.name
    start = len(out)
    out += central
    out += struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), start, 0
    )
    return bytes(out)


def write_docx(lay: LetterLayout, path: str | Path, fonts: FontSet) -> None:
    """Write the laid-out letter as a .docx that Word, WPS and LibreOffice open as is."""
    skeleton = _skeleton(fonts, lay.model.issuer_mark.strip(), round(lay.mark_size, 2))
    entries = list(skeleton)
    entries.insert(5, _Entry("word/document.xml", document_xml(lay, fonts)))
    try:
        write_private(Path(path), _zip(entries))
    except OSError as exc:
        raise DubanError(f"无法写入 Word 文件 {path}：{exc.strerror or exc}") from None
