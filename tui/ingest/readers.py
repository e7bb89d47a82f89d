"""Turn a file on disk into a Document (lines and table rows) whatever its format.

Offices send plans as GBK text, Word files, Excel sheets and PDFs, often with the wrong
extension, so the format is taken from the content. Every failure a user can cause ends in
one line of Chinese (DubanError), never a traceback.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from tui.errors import DubanError
from tui.ingest.document import Document, Line, Note, Row

__all__ = ["read_document", "match_header"]

_MB = 1024 * 1024

# Sub-headers under a header merged over several columns: 责任单位 over 牵头 | 配合.
_SUBHEADERS = {
    "牵头": "lead",
    "牵头单位": "lead",
    "牵头部门": "lead",
    "责任": "responsible",
    "主责": "responsible",
    "责任单位": "responsible",
    "配合": "supporting",
    "配合单位": "supporting",
    "参与": "supporting",
    "协办": "supporting",
    "协同": "supporting",
}


# Tables inside table cells are read down to this depth (the outermost table is depth 1);
# deeper ones are reported as unplaced text, never dropped.
_MAX_TABLE_DEPTH = 3
# A header must match on at least this many cells; one match is too easily a coincidence.
_MIN_HEADER_MATCHES = 2
# Excel: a vertical merge over more rows than this is not filled down (a merge declared over
# a million rows must not make a million rows).
_MAX_MERGE_ROWS = 1000
# Excel: how far down a sheet the header may sit (title rows above it).
_XLSX_HEADER_SCAN_ROWS = 10
# An Office file may not unpack to more than this many times the size limit (zip bombs).
_MAX_UNZIP_RATIO = 10
# The XML of a real plan is under 5 MB; past this much XML a file is refused before parsing
# (a 1 MB .docx can unpack to hundreds of MB of repeated paragraphs).
MAX_XML_BYTES = 40 * _MB
# Plausibility checks look at this many leading characters; enough to judge, cheap on big files.
_SAMPLE_CHARS = 200_000

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"

# Signatures of binary formats people mistake for plans, with what to tell them.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OTHER_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "图片（PNG）"),
    (b"\xff\xd8\xff", "图片（JPEG）"),
    (b"GIF8", "图片（GIF）"),
    (b"Rar!", "压缩包（RAR）"),
    (b"7z\xbc\xaf\x27\x1c", "压缩包（7z）"),
    (b"\x1f\x8b", "压缩包（gzip）"),
)


def read_document(path: str | os.PathLike[str], *, max_bytes: int = 30 * _MB) -> Document:
    """Read any supported plan file; the size is checked before a single byte is read."""
    p = Path(path)
    name = p.name or str(p)
    try:
        if not p.exists():
            raise DubanError(f"文件不存在：{p}")
        if p.is_dir():
            raise DubanError(f"这是一个文件夹，不是文件：{p}")
        if not p.is_file():
            raise DubanError(f"不是普通文件，无法导入：{p}")
        size = p.stat().st_size
    except OSError as exc:
        raise DubanError(f"无法访问文件：{p}（{_os_reason(exc)}）") from exc
    if size > max_bytes:
        raise DubanError(
            f"文件过大（{size / _MB:.1f} MB），超过 {_fmt_mb(max_bytes)} MB 上限，"
            f"请拆分后再导入：{name}"
        )
    if size == 0:
        raise DubanError(f"文件为空，没有可导入的内容：{name}")

    try:
        with p.open("rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise DubanError(f"无法读取文件：{name}（{_os_reason(exc)}）") from exc

    suffix = p.suffix.lower()
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        doc = _read_zip(p, name, suffix, max_bytes)
    elif head.startswith(b"%PDF-") or (suffix == ".pdf" and b"%PDF-" in head):
        # Some PDF writers put junk before the header; a text merely quoting it is not a PDF.
        doc = _read_pdf(p, name)
    else:
        _reject_known_binary(head, name, suffix)
        try:
            data = p.read_bytes()
        except OSError as exc:
            raise DubanError(f"无法读取文件：{name}（{_os_reason(exc)}）") from exc
        doc = _read_text(data, str(p), name)

    if not any(_item_has_text(item) for item in doc.items):
        raise DubanError(f"文件为空，没有可导入的文字：{name}")
    return doc


def match_header(text: str) -> str | None:
    """Map a header cell's text onto a column name (the vocabulary's [columns])."""
    from tui.ingest.vocab import load_vocabulary

    return load_vocabulary().column_of(text)


# ---------------------------------------------------------------- helpers


def _fmt_mb(n: int) -> str:
    mb = n / _MB
    return str(int(mb)) if mb == int(mb) else f"{mb:.1f}"


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "没有读取权限"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹"
    return exc.strerror or "系统错误"


def _item_has_text(item: Line | Row | Note) -> bool:
    if isinstance(item, (Line, Note)):
        return bool(item.text.strip())
    return any(v.strip() for v in item.cells.values())


def _format_label(suffix: str) -> str:
    if suffix in (".xlsx", ".xlsm", ".xls", ".et"):
        return "Excel"
    if suffix == ".pdf":
        return "PDF"
    return "Word"


def _reject_known_binary(head: bytes, name: str, suffix: str) -> None:
    """Name the real format when a non-text file arrives, or when an Office name lies."""
    if head.startswith(_OLE_MAGIC):
        raise DubanError(
            f"无法读取 {name}：这是旧版 Office（.doc/.xls/.wps）或已加密的文件，"
            "请用 Word 或 Excel 另存为 .docx/.xlsx 后再导入"
        )
    if head.startswith(b"{\\rtf"):
        raise DubanError(f"无法读取 {name}：RTF 格式不支持，请用 Word 另存为 .docx 后再导入")
    for magic, label in _OTHER_BINARY_MAGIC:
        if head.startswith(magic):
            raise DubanError(f"无法导入 {name}：这是{label}文件，不是计划文本")
    if suffix in (".docx", ".docm", ".dotx"):
        raise DubanError(
            f"无法读取 Word 文件：{name}（文件内容不是 Word 格式，可能已损坏或改过扩展名）"
        )
    if suffix in (".xlsx", ".xlsm"):
        raise DubanError(
            f"无法读取 Excel 文件：{name}（文件内容不是 Excel 格式，可能已损坏或改过扩展名）"
        )
    if suffix == ".pdf":
        raise DubanError(
            f"无法读取 PDF 文件：{name}（文件内容不是 PDF 格式，可能已损坏或改过扩展名）"
        )


# ---------------------------------------------------------------- text


def _read_text(data: bytes, source: str, name: str) -> Document:
    text, encoding = _decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DubanError(f"文件为空，没有可导入的文字：{name}")
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    items: list[Line | Row] = [Line(no=i, text=t) for i, t in enumerate(parts, start=1)]
    return Document(source=source, kind="txt", items=items, encoding=encoding)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """BOM, then UTF-16 by NUL pattern, then UTF-8, then GBK/GB18030; garbage is refused."""
    not_text = f"不是可识别的文本文件（编码无法识别或内容是二进制数据）：{name}"
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise DubanError(not_text) from exc
            label = "utf-8-sig" if codec == "utf-8" else codec
            _check_plausible(text, name)
            return text, label

    if b"\x00" in data:
        # Text never holds NUL bytes unless it is UTF-16 (the high byte of ASCII and of
        # characters such as U+4E00); anything else with NULs is binary.
        guess = _utf16_by_content(data)
        if guess is None:
            raise DubanError(not_text)
        text, codec = guess
        _check_plausible(text, name)
        return text, codec

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        _check_plausible(text, name)
        return text, "utf-8"

    for codec in ("gbk", "gb18030"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        _check_plausible(text, name)
        outside = sum(
            n
            for c, n in Counter(text[:_SAMPLE_CHARS]).items()
            if not c.isspace() and not _in_codec(c, "gbk")
        )
        if codec == "gb18030" and outside > max(3, 0.05 * len(text)):
            # Real Chinese text stays inside GBK; many four-byte GB18030 characters mean noise.
            raise DubanError(not_text)
        if _looks_garbled_han(text):
            raise DubanError(f"不是可识别的文本文件（按 GBK 解码后是乱码，可能是其他编码）：{name}")
        return text, codec
    raise DubanError(not_text)


def _utf16_by_content(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without BOM: the byte order whose decoding looks like Chinese or ASCII text."""
    if len(data) % 2:
        return None
    best: tuple[float, str, str] | None = None
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        sample = text[:_SAMPLE_CHARS]
        score = sum(1 for c in sample if _is_common(c)) / max(1, len(sample))
        if best is None or score > best[0]:
            best = (score, text, codec)
    if best is None or best[0] < 0.8:
        return None
    return best[1], best[2]


def _is_common(ch: str) -> bool:
    """Characters an official document is made of: ASCII, Han, CJK and full-width punctuation."""
    o = ord(ch)
    return (
        0x20 <= o < 0x7F
        or ch in "\t\n\r\f"
        or 0x4E00 <= o <= 0x9FFF
        or 0x3000 <= o <= 0x303F
        or 0xFF00 <= o <= 0xFFEF
        or 0x2000 <= o <= 0x206F
        or 0x3400 <= o <= 0x4DBF
    )


def _looks_garbled_han(text: str) -> bool:
    """Nearly every Han character of a mainland document is in GB2312; bytes that only
    happen to decode as GBK (binary, Big5) land mostly on the rare GBK extension."""
    han = [c for c in text[:_SAMPLE_CHARS] if "\u4e00" <= c <= "\u9fff"]
    if len(han) < 20:
        return False
    common = sum(1 for c in han if _in_codec(c, "gb2312"))
    return common < 0.5 * len(han)


def _in_codec(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def _is_bad_char(ch: str) -> bool:
    if ch in "\t\n\r\f\v":
        return False
    if ch == "\ufffd":
        return True
    return unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs")


def _is_wordish(ch: str) -> bool:
    # Letters of any script (Han, Mongolian, Latin) and digits carry content; the rest is noise.
    return unicodedata.category(ch)[0] in "LN"


def _check_plausible(text: str, name: str) -> None:
    """Decoding garbage can succeed; reject text made of control, private or unassigned chars."""
    # Counted per distinct character (a plan uses a few thousand), not per character.
    counts = {c: n for c, n in Counter(text[:_SAMPLE_CHARS]).items() if not c.isspace()}
    total = sum(counts.values())
    if not total:
        return  # empty: reported as such by the caller
    bad = sum(n for c, n in counts.items() if _is_bad_char(c))
    if bad > max(3, 0.02 * total):
        raise DubanError(f"不是可识别的文本文件（含大量控制字符或乱码）：{name}")
    wordish = sum(n for c, n in counts.items() if _is_wordish(c))
    if wordish < 0.3 * total:
        raise DubanError(f"不是可识别的文本文件（几乎没有汉字或字母）：{name}")


# ---------------------------------------------------------------- zip: docx / xlsx


def _read_zip(p: Path, name: str, suffix: str, max_bytes: int) -> Document:
    import zipfile  # deferred: a .txt plan never opens a zip

    label = _format_label(suffix)
    try:
        with zipfile.ZipFile(p) as zf:
            names = set(zf.namelist())
            unpacked = sum(info.file_size for info in zf.infolist())
            xml = sum(
                info.file_size
                for info in zf.infolist()
                if info.filename.endswith((".xml", ".rels"))
            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise DubanError(f"无法读取 {label} 文件：{name}（文件已损坏或不完整）") from exc
    if xml > MAX_XML_BYTES:
        raise DubanError(
            f"文件解压后的文字内容过大（{xml / _MB:.0f} MB），超过 {_fmt_mb(MAX_XML_BYTES)} MB 上限，"
            f"不像是一份计划，未导入：{name}"
        )
    if unpacked > _MAX_UNZIP_RATIO * max_bytes:
        raise DubanError(
            f"文件解压后过大（{unpacked / _MB:.0f} MB），超过 {_fmt_mb(_MAX_UNZIP_RATIO * max_bytes)} MB "
            f"上限，无法导入：{name}"
        )
    if "word/document.xml" in names:
        return _read_docx(p, name)
    if "xl/workbook.xml" in names:
        return _read_xlsx(p, name)
    if "content.xml" in names and "mimetype" in names:
        raise DubanError(
            f"无法读取 {name}：OpenDocument（.odt/.ods）格式不支持，请另存为 .docx 或 .xlsx 后再导入"
        )
    if suffix in (".docx", ".xlsx", ".xlsm", ".docm"):
        raise DubanError(f"无法读取 {label} 文件：{name}（文件内容不是 {label} 格式，可能已损坏）")
    raise DubanError(f"无法导入 {name}：这是一个压缩包，不是 Word 或 Excel 文件，请解压后再导入")


# ---------------------------------------------------------------- docx


def _read_docx(p: Path, name: str) -> Document:
    import docx  # deferred: python-docx costs import time the text path does not need

    try:
        wdoc = docx.Document(str(p))
        body = wdoc.element.body
        items = list(_docx_items(body, wdoc))
    except DubanError:
        raise
    except Exception as exc:  # python-docx/lxml raise many types on damaged files
        raise DubanError(f"无法读取 Word 文件：{name}（文件已损坏或格式不正确）") from exc
    return Document(source=str(p), kind="docx", items=items)


class _Counter:
    """One running number over paragraphs and table rows, so `no` keeps document order."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> int:
        self.n += 1
        return self.n


def _docx_items(body: Any, wdoc: Any) -> Iterator[Line | Row]:
    from docx.table import Table

    counter = _Counter()
    state: dict[str, Any] = {"mapping": None, "width": None}
    for el in _block_elements(body):
        if el.tag == _W + "p":
            no = counter.next()
            for piece in _para_text(el).split("\n"):
                yield Line(no=no, text=piece)
        elif el.tag == _W + "tbl":
            yield from _docx_table(Table(el, wdoc), counter, state, depth=1)


def _block_elements(parent: Any) -> Iterator[Any]:
    """Paragraphs and tables in order, looking through content controls (w:sdt)."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag in (_W + "p", _W + "tbl"):
            yield child
        elif tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _block_elements(content)
        elif tag in (_W + "customXml", _W + "ins", _W + "moveTo"):
            yield from _block_elements(child)


_SKIP_SUBTREES = {_W + "del", _W + "moveFrom", _MC + "Fallback", _W + "rPr", _W + "pPr"}


def _para_text(p_el: Any) -> str:
    """Paragraph text as Word shows it: insertions in, deletions out, breaks as newlines."""
    out: list[str] = []

    def walk(el: Any) -> None:
        for child in el.iterchildren():
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_SUBTREES:
                continue
            if tag == _W + "t":
                out.append(child.text or "")
            elif tag == _W + "tab":
                out.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                out.append("\n")
            elif tag == _W + "noBreakHyphen":
                out.append("-")
            else:
                walk(child)

    walk(p_el)
    return "".join(out)


def _cell_text(cell: Any) -> str:
    return "\n".join(_para_text(p._p) for p in cell.paragraphs).strip()


def _docx_grid(table: Any) -> list[list[tuple[Any, str]]]:
    """Each row as (tc element, text) per layout column; padding for gridBefore is (None, "")."""
    grid: list[list[tuple[Any, str]]] = []
    cache: dict[int, str] = {}
    for row in table.rows:
        cells: list[tuple[Any, str]] = [(None, "")] * _safe_int(getattr(row, "grid_cols_before", 0))
        for cell in row.cells:
            tc = cell._tc
            key = id(tc)
            if key not in cache:
                cache[key] = _cell_text(cell)
            cells.append((tc, cache[key]))
        grid.append(cells)
    return grid


def _safe_int(v: Any) -> int:
    try:
        return max(0, int(v or 0))
    except (TypeError, ValueError):
        return 0


def _header_mapping(texts: list[str]) -> dict[int, str] | None:
    """Column index → column name when at least two distinct columns are recognised."""
    mapping: dict[int, str] = {}
    for i, text in enumerate(texts):
        col = match_header(text)
        if col is not None and col not in mapping.values():
            mapping[i] = col
    return mapping if len(mapping) >= _MIN_HEADER_MATCHES else None


def find_header(
    rows: list[list[str]], origins: list[list[Any]], scan: int
) -> tuple[int, int, dict[int, str]] | None:
    """(first header row, last header row, column index → column) for a grid of distinct
    cell texts, where ``origins[i][j]`` tells which cell a merged cell belongs to.

    A header cell merged over several columns is resolved from the row below it when that
    row holds sub-headers (责任单位 over 牵头 | 配合 → lead, supporting); a 工作任务 header
    merged over two columns covers the task group and the task itself (task, measure).
    """
    for i, texts in enumerate(rows[:scan]):
        mapping = _header_mapping(texts)
        if mapping is None:
            continue
        header_at = i
        below = rows[i + 1] if i + 1 < len(rows) else []
        row_origins = origins[i]
        for j, col in sorted(mapping.items()):
            span = [j]
            k = j + 1
            while (
                k < len(row_origins)
                and row_origins[k] is not None
                and (row_origins[k] == row_origins[j])
            ):
                span.append(k)
                k += 1
            if len(span) < 2:
                continue
            subs = {
                k: _SUBHEADERS.get("".join(below[k].split())) if k < len(below) else None
                for k in span
            }
            if any(subs.values()):
                del mapping[j]
                for k, sub in subs.items():
                    if sub and sub not in mapping.values():
                        mapping[k] = sub
                header_at = i + 1
            elif col == "task" and "measure" not in mapping.values():
                mapping[span[1]] = "measure"
        return i, header_at, mapping
    return None


def _docx_table(
    table: Any, counter: _Counter, state: dict[str, Any], *, depth: int
) -> Iterator[Line | Row | Note]:
    grid = _docx_grid(table)
    width = max((len(r) for r in grid), default=0)
    header_at: int | None = None
    mapping: dict[int, str] | None = None
    found = find_header(
        [_distinct_texts(row) for row in grid],
        [[id(tc) if tc is not None else None for tc, _ in row] for row in grid],
        len(grid),
    )
    header_from = None
    if found is not None:
        header_from, header_at, mapping = found
    if mapping is None and state["mapping"] is not None and state["width"] == width:
        # A table split over pages often loses its header; reuse the previous table's columns.
        mapping, header_at = state["mapping"], -1
    if mapping is not None and header_at is not None:
        state["mapping"], state["width"] = mapping, width

    for i, row in enumerate(grid):
        no = counter.next()
        if header_from is not None and header_from <= i < header_at:
            pass  # the first of a two-row header
        elif mapping is None or header_at is None or i < header_at:
            if joined := " ".join(t for t in _distinct_texts(row) if t):
                yield Line(no=no, text=joined)
        elif i > header_at:
            item = _map_row(no, row, mapping)
            if item is not None:
                yield item
        # Tables inside this row's cells follow the row, in document order.
        for nested in _nested_tables(row):
            if depth < _MAX_TABLE_DEPTH:
                from docx.table import Table

                inner_state: dict[str, Any] = {"mapping": None, "width": None}
                yield from _docx_table(
                    Table(nested, table._parent), counter, inner_state, depth=depth + 1
                )
            else:
                yield from _too_deep(nested, counter, depth + 1)


def _nested_tables(row: list[tuple[Any, str]]) -> Iterator[Any]:
    """The w:tbl elements directly inside each distinct cell of a row."""
    seen: set[int] = set()
    for tc, _text in row:
        if tc is None or id(tc) in seen:
            continue
        seen.add(id(tc))
        for el in _block_elements(tc):
            if el.tag == _W + "tbl":
                yield el


def _too_deep(tbl: Any, counter: _Counter, depth: int) -> Iterator[Note]:
    """A table nested past _MAX_TABLE_DEPTH: the text of each of its rows (the innermost row
    a paragraph sits in), reported with where it was."""
    rows: dict[int, list[str]] = {}
    for p in tbl.iter(_W + "p"):
        tr = p.getparent()
        while tr is not None and tr.tag != _W + "tr":
            tr = tr.getparent()
        text = _para_text(p).strip()
        if text:
            rows.setdefault(id(tr), []).append(text)
    for texts in rows.values():
        yield Note(
            no=counter.next(),
            text=f"表格嵌套过深（第 {depth} 层表格），未能识别：{' '.join(texts)}",
        )


def _distinct_texts(row: list[tuple[Any, str]]) -> list[str]:
    """Cell texts per column, a horizontally merged cell counted only in its first column."""
    out: list[str] = []
    prev = None
    for tc, text in row:
        out.append("" if tc is not None and tc is prev else text)
        prev = tc
    return out


def _map_row(no: int, row: list[tuple[Any, str]], mapping: dict[int, str]) -> Line | Row | None:
    texts = [t for _, t in row]
    non_empty = [t for t in texts if t]
    if not non_empty:
        return None
    if len(texts) > 1 and len(non_empty) == len(texts) and len(set(texts)) == 1:
        return Line(no=no, text=texts[0])  # a section heading merged across the row
    distinct = _distinct_texts(row)
    cells: dict[str, str] = {}
    for idx, col in mapping.items():
        if idx < len(distinct) and distinct[idx]:
            cells[col] = distinct[idx]
    if not cells:
        # Text only in unmapped columns (e.g. a 备注 column): keep it as running text.
        return Line(no=no, text=" ".join(t for t in distinct if t))
    return Row(no=no, cells=cells)


# ---------------------------------------------------------------- xlsx


def _read_xlsx(p: Path, name: str) -> Document:
    from tui.ingest.xlsx import read_workbook

    try:
        sheets = read_workbook(str(p), name)
    except DubanError:
        raise
    except Exception as exc:  # damaged XML, missing parts, bad references
        raise DubanError(f"无法读取 Excel 文件：{name}（文件已损坏或格式不正确）") from exc
    items: list[Line | Row | Note] = []
    for sheet in sheets:
        items.extend(_xlsx_sheet(sheet))
    return Document(source=str(p), kind="xlsx", items=items)


def _cell_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_sheet(sheet: Any) -> Iterator[Line | Row]:
    """The sheet's rows that hold text, in order; only cells that exist are looked at."""
    texts = {rc: t for rc, v in sheet.cells.items() if (t := _cell_str(v))}
    # Rows to look at: those with text, and those a (sane) vertical merge fills down into.
    rows = {r for r, _c in texts}
    for r1, _c1, r2, _c2 in sheet.merged:
        if r2 - r1 <= _MAX_MERGE_ROWS:
            rows.update(range(r1, r2 + 1))
    row_numbers = sorted(rows)
    # (row, col) → (source row, source col) for every cell of those rows inside a merge.
    source: dict[tuple[int, int], tuple[int, int]] = {}
    for r1, c1, r2, c2 in sheet.merged:
        for r in range(r1, r2 + 1) if r2 - r1 <= _MAX_MERGE_ROWS else rows:
            if r1 <= r <= r2:
                for c in range(c1, c2 + 1):
                    source[(r, c)] = (r1, c1)
    max_col = max([c for _r, c in texts] + [c2 for *_x, c2 in sheet.merged], default=0)

    def value_at(r: int, c: int) -> str:
        return texts.get(source.get((r, c), (r, c)), "")

    def distinct_row(r: int) -> list[str]:
        # A horizontally merged cell counts in its first column only.
        out = []
        for c in range(1, max_col + 1):
            _sr, sc = source.get((r, c), (r, c))
            out.append(value_at(r, c) if sc == c else "")
        return out

    header_no: int | None = None
    mapping: dict[int, str] | None = None
    scan = row_numbers[: _XLSX_HEADER_SCAN_ROWS + 1]
    found = find_header(
        [distinct_row(r) for r in scan],
        [[source.get((r, c), (r, c)) for c in range(1, max_col + 1)] for r in scan],
        _XLSX_HEADER_SCAN_ROWS,
    )
    header_from = None
    if found is not None:
        header_from, header_no, mapping = scan[found[0]], scan[found[1]], found[2]

    for r in row_numbers:
        distinct = distinct_row(r)
        non_empty = [t for t in distinct if t]
        if not non_empty:
            continue
        if header_from is not None and header_from <= r < header_no:
            continue  # the first of a two-row header
        if mapping is None or header_no is None or r < header_no:
            yield Line(no=r, text=" ".join(non_empty))
            continue
        if r == header_no:
            continue
        full = [value_at(r, c) for c in range(1, max_col + 1)]
        spans_row = all((r, c) in source for c in range(1, max_col + 1)) and (
            len({source[(r, c)] for c in range(1, max_col + 1)}) == 1
        )
        if spans_row or (max_col > 1 and len(set(full)) == 1):
            yield Line(no=r, text=non_empty[0])  # a section heading merged across the row
            continue
        cells: dict[str, str] = {}
        for idx, col in mapping.items():
            c = idx + 1
            _sr, sc = source.get((r, c), (r, c))
            if sc != c:
                continue
            text = value_at(r, c)  # vertical merges: the top-left value filled down
            if text:
                cells[col] = text
        if cells:
            yield Row(no=r, cells=cells)
        else:
            yield Line(no=r, text=" ".join(non_empty))


# ---------------------------------------------------------------- pdf


def _pdf_lines(textpage: Any) -> list[str]:
    """A page's text lines in reading order: characters grouped into lines by where they
    sit and ordered left to right, as poppler's pdftotext does — not in the order the
    writer drew them (Word often draws “ ” last, from another font). Indentation is kept as
    leading spaces (two per character width), which the parser reads as a new paragraph."""
    import ctypes

    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    x, y = ctypes.c_double(), ctypes.c_double()
    # (baseline y, left, right, font size, char)
    glyphs: list[tuple[float, float, float, float, str]] = []
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code in (10, 13) or pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            continue
        ch = chr(code)
        if ch.isspace() or not ch.isprintable():
            continue
        size = pdfium_c.FPDFText_GetFontSize(raw, i)
        if (
            not pdfium_c.FPDFText_GetCharOrigin(raw, i, ctypes.byref(x), ctypes.byref(y))
            or size <= 0
        ):
            return _pdf_content_order(textpage)
        left, _bottom, right, _top = textpage.get_charbox(i)
        glyphs.append((y.value, min(left, x.value), max(right, x.value), size, ch))
    if not glyphs:
        return []
    glyphs.sort(key=lambda g: (-g[0], g[1]))
    rows: list[list[tuple[float, float, float, float, str]]] = []
    baseline = 0.0
    for g in glyphs:
        if rows and abs(g[0] - baseline) <= 0.4 * g[3]:
            rows[-1].append(g)
        else:
            rows.append([g])
            baseline = g[0]
    sizes = sorted(g[3] for g in glyphs)
    unit = sizes[len(sizes) // 2]
    margin = min(g[1] for g in glyphs)
    lines = []
    for row in rows:
        row.sort(key=lambda g: g[1])
        indent = round((row[0][1] - margin) / unit)
        out = ["  " * indent if indent > 0 else ""]
        prev_right = None
        for _y, left, right, _size, ch in row:
            if prev_right is not None and left - prev_right > 0.5 * unit:
                out.append(" ")
            out.append(ch)
            prev_right = right
        lines.append("".join(out))
    return lines


def _pdf_content_order(textpage: Any) -> list[str]:
    """The page's text as the content stream orders it (when positions are unusable)."""
    text = textpage.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return parts


def _read_pdf(p: Path, name: str) -> Document:
    import pypdfium2 as pdfium  # deferred: only PDFs need it

    items: list[Line | Row] = []
    try:
        pdf = pdfium.PdfDocument(str(p))
    except Exception as exc:  # PdfiumError and friends
        reason = (
            "文件已加密，需要密码" if "password" in str(exc).lower() else "文件已损坏或格式不正确"
        )
        raise DubanError(f"无法读取 PDF 文件：{name}（{reason}）") from exc
    try:
        no = 0
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                textpage = page.get_textpage()
                try:
                    parts = _pdf_lines(textpage)
                finally:
                    textpage.close()
            finally:
                page.close()
            for part in parts:
                no += 1
                items.append(Line(no=no, text=part))
    except Exception as exc:
        raise DubanError(f"无法读取 PDF 文件：{name}（页面内容无法解析）") from exc
    finally:
        pdf.close()
    if not any(line.text.strip() for line in items if isinstance(line, Line)):
        raise DubanError(
            f"这是扫描版 PDF，没有文字层，无法直接导入：{name}。请先用 OCR 软件识别成文字后再导入"
        )
    return Document(source=str(p), kind="pdf", items=items)
