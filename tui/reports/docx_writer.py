"""A minimal .docx writer for the unit lists: a title, paragraphs, headings and tables.

Why not python-docx: opening its template package and saving it again costs ~20 ms a
document, most of the 5-second budget for 80 lists in three formats. A list needs five
small XML parts; they are written directly, with the East Asian font named on every run
(``w:eastAsia``; GUIDE §5 — Word otherwise shows Chinese in its default font) and page
numbers in the footer. Word, WPS, LibreOffice and python-docx read the result.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.reports.xlsx_writer import xml_text

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
XBS = "方正小标宋简体"
_MM = 56.6929  # twips per millimetre
PAGE_W, PAGE_H = 210, 297
TOP, BOTTOM, LEFT, RIGHT = 37, 35, 28, 26  # GB/T 9704 margins (mm)
TEXT_W = PAGE_W - LEFT - RIGHT  # 156 mm

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


@dataclass(frozen=True)
class Para:
    text: str
    kind: str = "body"  # title / body / heading / right / plain
    size_pt: float = 16


@dataclass(frozen=True)
class Table:
    widths_mm: Sequence[float]
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    size_pt: float = 10.5
    center_cols: frozenset[int] = frozenset()


def _run(text: str, font: str, size_pt: float, bold: bool = False) -> str:
    sz = round(size_pt * 2)
    b = "<w:b/><w:bCs/>" if bold else ""
    return (
        f'<w:r><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" '
        f'w:cs="{font}"/>{b}<w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr>'
        f'<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'
    )


def _para(p: Para) -> str:
    if p.kind == "title":
        ppr = '<w:pPr><w:jc w:val="center"/><w:spacing w:after="240"/></w:pPr>'
        return f"<w:p>{ppr}{_run(p.text, XBS, 22)}</w:p>"
    if p.kind == "heading":
        ppr = '<w:pPr><w:spacing w:before="120" w:after="60"/><w:ind w:firstLine="640"/></w:pPr>'
        return f"<w:p>{ppr}{_run(p.text, HEITI, p.size_pt)}</w:p>"
    if p.kind == "right":
        ppr = '<w:pPr><w:jc w:val="right"/><w:ind w:right="640"/></w:pPr>'
        return f"<w:p>{ppr}{_run(p.text, FANGSONG, p.size_pt)}</w:p>"
    indent = round(p.size_pt * 2 * 20)  # two characters
    ppr = f'<w:pPr><w:ind w:firstLine="{indent}"/><w:jc w:val="both"/></w:pPr>'
    if p.kind == "plain":
        ppr = ""
    return f"<w:p>{ppr}{_run(p.text, FANGSONG, p.size_pt)}</w:p>"


def _cell(text: str, width: int, size: float, *, bold: bool = False, center: bool = False) -> str:
    jc = '<w:jc w:val="center"/>' if center else ""
    paras = "".join(
        f'<w:p><w:pPr>{jc}<w:spacing w:before="0" w:after="0"/></w:pPr>'
        f"{_run(line, HEITI if bold else FANGSONG, size, bold=False)}</w:p>"
        for line in (text.split("\n") if text else [""])
    )
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>'
        f'<w:vAlign w:val="{"center" if bold else "top"}"/></w:tcPr>'
        f"{paras}</w:tc>"
    )


def _table(t: Table) -> str:
    widths = [round(w * _MM) for w in t.widths_mm]
    border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    borders = "".join(border.format(side) for side in ("top", "left", "bottom", "right"))
    borders += border.format("insideH") + border.format("insideV")
    head = (
        f'<w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
        "</w:tblCellMar></w:tblPr>"
        "<w:tblGrid>" + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"
    )
    header = (
        "<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"
        + "".join(
            _cell(h, w, t.size_pt, bold=True, center=True)
            for h, w in zip(t.header, widths, strict=True)
        )
        + "</w:tr>"
    )
    body = []
    for row in t.rows:
        cells = "".join(
            _cell(str(v), w, t.size_pt, center=i in t.center_cols)
            for i, (v, w) in enumerate(zip(row, widths, strict=True))
        )
        body.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
    return f"<w:tbl>{head}{header}{''.join(body)}</w:tbl>"


def _document(blocks: Sequence[Para | Table]) -> str:
    parts = [_para(b) if isinstance(b, Para) else _table(b) for b in blocks]
    sect = (
        f'<w:sectPr><w:footerReference w:type="default" r:id="rId2"/>'
        f'<w:pgSz w:w="{round(PAGE_W * _MM)}" w:h="{round(PAGE_H * _MM)}"/>'
        f'<w:pgMar w:top="{round(TOP * _MM)}" w:right="{round(RIGHT * _MM)}" '
        f'w:bottom="{round(BOTTOM * _MM)}" w:left="{round(LEFT * _MM)}" w:header="851" '
        'w:footer="992" w:gutter="0"/></w:sectPr>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{_W}" xmlns:r="{_R}"><w:body>'
        + "".join(parts)
        + sect
        + "</w:body></w:document>"
    )


_FOOTER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:ftr xmlns:w="{_W}"><w:p><w:pPr><w:jc w:val="center"/></w:pPr>'
    + _run("— ", FANGSONG, 14)
    + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    + _run("1", FANGSONG, 14)
    + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    + _run(" —", FANGSONG, 14)
    + "</w:p></w:ftr>"
)

_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<w:styles xmlns:w="{_W}"><w:docDefaults><w:rPrDefault><w:rPr>'
    f'<w:rFonts w:ascii="{FANGSONG}" w:hAnsi="{FANGSONG}" w:eastAsia="{FANGSONG}" '
    f'w:cs="{FANGSONG}"/><w:sz w:val="32"/><w:szCs w:val="32"/><w:lang w:val="en-US" '
    'w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>'
    '<w:spacing w:after="0" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
    '</w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
    '<w:name w:val="Normal"/></w:style></w:styles>'
)

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/>'
    '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.styles+xml"/>'
    '<Override PartName="/word/footer1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.footer+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_R}/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)
_DOC_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_R}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId2" Type="{_R}/footer" Target="footer1.xml"/>'
    "</Relationships>"
)


def write_docx(path: str | os.PathLike[str], blocks: Sequence[Para | Table]) -> Path:
    """Write the document atomically (temporary file, then rename), mode 0600."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
            zf.writestr("_rels/.rels", _ROOT_RELS)
            zf.writestr("word/document.xml", _document(blocks))
            zf.writestr("word/_rels/document.xml.rels", _DOC_RELS)
            zf.writestr("word/styles.xml", _STYLES)
            zf.writestr("word/footer1.xml", _FOOTER)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
