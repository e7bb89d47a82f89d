"""Read an .xlsx workbook cell by cell from its XML, bounded whatever the file claims.

A 5 KB workbook can declare one styled cell at XFD1048576; a reader that walks
max_row × max_column then builds 17 billion cells. This one streams each visible sheet's
XML and keeps only the cells that hold a value (and the merged ranges), so memory follows
the content, not the declared size. It refuses, with one line, a sheet whose content
exceeds MAX_ROWS rows or MAX_COLUMNS columns — no plan is that large.

What a cell shows is what openpyxl's ``data_only`` mode gives: the cached value of a
formula, shared and inline strings, booleans, and numbers — dates when the cell's number
format is a date format (1900 or 1904 date system).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any
from xml.etree.ElementTree import iterparse

from tui.errors import DubanError

MAX_ROWS = 100_000
MAX_COLUMNS = 512

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
# Built-in number formats that are dates or times (ECMA-376 §18.8.30).
_BUILTIN_DATES = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}
_DATE_CODE = re.compile(r"[ymdhs]", re.IGNORECASE)
_FORMAT_NOISE = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


@dataclass
class Sheet:
    """The cells that hold a value, and the merged ranges, of one visible sheet."""

    name: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)  # (row, col) → value
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2
    max_row: int = 0
    max_col: int = 0
    state: str = "visible"  # visible / hidden / veryHidden


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _ref(ref: str) -> tuple[int, int]:
    m = _CELL_REF.match(ref)
    if not m:
        raise ValueError(ref)
    return int(m.group(2)), col_index(m.group(1))


def _text(el) -> str:
    """The text of a shared or inline string: plain, or rich-text runs joined; phonetic
    guides (rPh) are not part of it."""
    parts = []
    for child in el:
        if child.tag == _NS + "t":
            parts.append(child.text or "")
        elif child.tag == _NS + "r":
            t = child.find(_NS + "t")
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts)


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    try:
        data = zf.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out: list[str] = []
    with data:
        for _event, el in iterparse(data):
            if el.tag == _NS + "si":
                out.append(_text(el))
                el.clear()
    return out


def _date_styles(zf: zipfile.ZipFile) -> set[int]:
    """Indexes of cell styles whose number format shows a date."""
    try:
        data = zf.read("xl/styles.xml")
    except KeyError:
        return set()
    from xml.etree.ElementTree import fromstring

    root = fromstring(data)
    custom: dict[int, str] = {}
    fmts = root.find(_NS + "numFmts")
    if fmts is not None:
        for f in fmts.findall(_NS + "numFmt"):
            custom[int(f.get("numFmtId", "0"))] = f.get("formatCode", "")
    dates: set[int] = set()
    xfs = root.find(_NS + "cellXfs")
    if xfs is None:
        return dates
    for i, xf in enumerate(xfs.findall(_NS + "xf")):
        fid = int(xf.get("numFmtId", "0"))
        code = custom.get(fid)
        if fid in _BUILTIN_DATES or (
            code is not None and _DATE_CODE.search(_FORMAT_NOISE.sub("", code))
        ):
            dates.add(i)
    return dates


def _sheet_paths(
    zf: zipfile.ZipFile, include_hidden: bool = False
) -> tuple[list[tuple[str, str, str]], bool]:
    """[(sheet name, part path, state)] of the visible sheets (or all) in workbook order;
    1904 date system."""
    from xml.etree.ElementTree import fromstring

    wb = fromstring(zf.read("xl/workbook.xml"))
    pr = wb.find(_NS + "workbookPr")
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    rels = {}
    try:
        for rel in fromstring(zf.read("xl/_rels/workbook.xml.rels")).iter(
            _PKG_REL + "Relationship"
        ):
            rels[rel.get("Id")] = rel.get("Target", "")
    except KeyError:
        pass
    out = []
    sheets = wb.find(_NS + "sheets")
    for sh in sheets.findall(_NS + "sheet") if sheets is not None else []:
        state = sh.get("state", "visible")
        if state != "visible" and not include_hidden:
            continue  # hidden sheets hold lookup lists, not the plan
        target = rels.get(sh.get(_REL_NS + "id"), "")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        out.append((sh.get("name", ""), str(PurePosixPath(path)), state))
    return out, date1904


def _serial_to_datetime(value: float, date1904: bool) -> datetime:
    base = datetime(1904, 1, 1) if date1904 else datetime(1899, 12, 30)
    return base + timedelta(days=value)


def read_workbook(
    path: str, name: str, *, include_hidden: bool = False, what: str = "计划表"
) -> list[Sheet]:
    """Every visible sheet's cells with values (with ``include_hidden``, hidden sheets too);
    DubanError on a sheet past the limits."""
    with zipfile.ZipFile(path) as zf:
        strings = _shared_strings(zf)
        dates = _date_styles(zf)
        paths, date1904 = _sheet_paths(zf, include_hidden)
        sheets = []
        for sheet_name, part, state in paths:
            try:
                data = zf.open(part)
            except KeyError:
                continue
            with data:
                sheet = _read_sheet(data, sheet_name, strings, dates, date1904, name, what)
            sheet.state = state
            sheets.append(sheet)
        return sheets


def _read_sheet(data, sheet_name, strings, dates, date1904, name, what="计划表") -> Sheet:
    sheet = Sheet(sheet_name)
    for _event, el in iterparse(data):
        tag = el.tag
        if tag == _NS + "c":
            value = _cell_value(el, strings, dates, date1904)
            if value is not None and value != "":
                r, c = _ref(el.get("r", ""))
                if r > MAX_ROWS or c > MAX_COLUMNS:
                    raise DubanError(
                        f"工作表“{sheet_name}”在 {el.get('r')} 还有内容，超过 {MAX_ROWS} 行、"
                        f"{MAX_COLUMNS} 列的上限，不像是{what}，未导入：{name}"
                    )
                sheet.cells[(r, c)] = value
                sheet.max_row = max(sheet.max_row, r)
                sheet.max_col = max(sheet.max_col, c)
            el.clear()
        elif tag == _NS + "row":
            el.clear()
        elif tag == _NS + "mergeCell":
            ref = el.get("ref", "")
            if ":" in ref:
                (r1, c1), (r2, c2) = (_ref(x) for x in ref.split(":", 1))
                r2, c2 = min(r2, MAX_ROWS), min(c2, MAX_COLUMNS)
                if r1 <= r2 and c1 <= c2:
                    sheet.merged.append((r1, c1, r2, c2))
    return sheet


def _cell_value(el, strings, dates, date1904):
    t = el.get("t", "n")
    if t == "inlineStr":
        is_ = el.find(_NS + "is")
        return _text(is_) if is_ is not None else ""
    v = el.find(_NS + "v")
    if v is None or v.text is None:
        return None
    raw = v.text
    if t == "s":
        i = int(raw)
        return strings[i] if 0 <= i < len(strings) else ""
    if t in ("str", "e"):
        return raw
    if t == "b":
        return raw.strip() in ("1", "true")
    try:
        number = float(raw)
    except ValueError:
        return raw
    style = int(el.get("s", "0") or 0)
    if style in dates:
        try:
            return _serial_to_datetime(number, date1904)
        except OverflowError:
            return raw
    return number
