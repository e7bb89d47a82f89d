"""A small, fast .xlsx writer: the ledger's 200,000 rows in seconds, the unit lists in milliseconds.

Why our own: openpyxl builds a Python object per cell (and per style) and takes about a
minute for the ledger's 3.4 million cells; its write-only mode still wraps every styled
cell. A worksheet is plain XML, so rows are written as text straight into the zip, with
one shared-string table and a fixed set of cell styles.

What it can do is what the documents need and no more: shared strings, integers, dates,
per-column styles (a status column coloured by value), column widths fitted to Chinese
text, hidden columns, a frozen header, an auto-filter, title rows merged across the
table, list and date validation, sheet protection with editable columns unlocked, hidden
sheets, print titles and landscape fit-to-width printing. Element order inside a
worksheet follows ECMA-376 (CT_Worksheet), which Excel enforces.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from tui.reports.text import display_width

# ----------------------------------------------------------------------------- styles

_FILLS = {  # name → ARGB
    "header": "FFD9D9D9",
    "red": "FFFFC7CE",
    "yellow": "FFFFEB9C",
    "green": "FFC6EFCE",
    "grey": "FFEDEDED",
    "edit": "FFDDEBF7",
}
_FILL_INDEX = {name: i + 2 for i, name in enumerate(_FILLS)}  # 0 none, 1 gray125 (required)

# name → (font, fill, border, numFmt, horizontal, wrap, locked)
_STYLES: dict[str, tuple[int, int, int, int, str, bool, bool]] = {
    "default": (0, 0, 0, 0, "", False, True),
    "header": (1, _FILL_INDEX["header"], 1, 0, "center", True, True),
    "text": (0, 0, 1, 0, "", True, True),
    "key": (0, 0, 1, 0, "", False, True),
    "int": (0, 0, 1, 0, "center", False, True),
    "center": (0, 0, 1, 0, "center", True, True),
    "edit": (0, _FILL_INDEX["edit"], 1, 0, "", True, False),
    "edit_center": (0, _FILL_INDEX["edit"], 1, 0, "center", False, False),
    "edit_date": (0, _FILL_INDEX["edit"], 1, 164, "center", False, False),
    "red": (0, _FILL_INDEX["red"], 1, 0, "center", False, True),
    "yellow": (0, _FILL_INDEX["yellow"], 1, 0, "center", False, True),
    "green": (0, _FILL_INDEX["green"], 1, 0, "center", False, True),
    "grey": (0, _FILL_INDEX["grey"], 1, 0, "center", False, True),
    "title": (2, 0, 0, 0, "center", True, True),
    "note": (0, 0, 0, 0, "", True, True),
    "bold": (1, 0, 1, 0, "", True, True),
}
STYLE_ID = {name: i for i, name in enumerate(_STYLES)}
DATE_FORMAT = "yyyy-mm-dd"
_EXCEL_EPOCH = date(1899, 12, 30)


def _styles_xml() -> str:
    fills = ['<fill><patternFill patternType="none"/></fill>']
    fills.append('<fill><patternFill patternType="gray125"/></fill>')
    for argb in _FILLS.values():
        fills.append(
            f'<fill><patternFill patternType="solid"><fgColor rgb="{argb}"/>'
            '<bgColor indexed="64"/></patternFill></fill>'
        )
    xfs = []
    for font, fill, border, fmt, horizontal, wrap, locked in _STYLES.values():
        attrs = f'numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
        attrs += ' applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"'
        attrs += ' applyProtection="1"' + (' applyNumberFormat="1"' if fmt else "")
        align = '<alignment vertical="top"'
        if horizontal:
            align += f' horizontal="{horizontal}"'
        if wrap:
            align += ' wrapText="1"'
        align += "/>"
        prot = f'<protection locked="{1 if locked else 0}"/>'
        xfs.append(f"<xf {attrs}>{align}{prot}</xf>")
    font = '<sz val="11"/><name val="宋体"/><family val="3"/><charset val="134"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
        f'<fonts count="3"><font>{font}</font><font><b/>{font}</font>'
        '<font><b/><sz val="14"/><name val="宋体"/><family val="3"/><charset val="134"/></font>'
        "</fonts>"
        f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
        '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/>'
        '</right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/>'
        "</bottom><diagonal/></border></borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True)
class Validation:
    """A drop-down list (``values``) or a date check (``values`` empty) on a column."""

    values: tuple[str, ...] = ()
    prompt_title: str = ""
    prompt: str = ""
    error_title: str = ""
    error: str = ""


@dataclass
class Column:
    header: str
    style: str = "text"  # a name in _STYLES
    width: float | None = None  # None: fitted to the header and a sample of the rows
    min_width: float = 6
    max_width: float = 60
    hidden: bool = False
    style_by_value: Mapping[str, str] | None = None  # e.g. {"逾期": "red"}
    inline: bool = False  # values unique per row (keys): inline, not in the shared table
    validation: Validation | None = None


@dataclass
class SheetSpec:
    """One worksheet: optional title lines merged across the table, a header row, rows.

    ``rows`` may be any sequence of value tuples (str, int, float, date or None). With
    ``protect``, every cell is locked except those of columns whose style is editable.
    """

    name: str
    columns: Sequence[Column]
    rows: Sequence[Sequence]
    title_lines: Sequence[str] = ()
    freeze: bool = True
    autofilter: bool = True
    protect: bool = False
    state: str = "visible"  # visible / hidden / veryHidden
    landscape: bool = False
    header: bool = True
    footer_lines: Sequence[str] = ()  # notes under the table, merged across


def col_letter(n: int) -> str:
    """1 → A, 27 → AA."""
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Text for an XML element: characters XML 1.0 forbids are dropped, then escaped."""
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    return escape(value)


SHEET_NAME_MAX = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(text: str, used: set[str]) -> str:
    """A valid, unique sheet name: ≤ 31 characters, none of []:*?/\\, not starting or
    ending with an apostrophe; unique regardless of case (Excel's rule)."""
    base = _SHEET_FORBIDDEN.sub("_", _ILLEGAL.sub("", text)).strip("' ") or "Sheet"
    base = base[:SHEET_NAME_MAX]
    name, n = base, 2
    while name.casefold() in used:
        tag = f"({n})"
        name = base[: SHEET_NAME_MAX - len(tag)] + tag
        n += 1
    used.add(name.casefold())
    return name


# ----------------------------------------------------------------------------- writing


class _Strings:
    """The shared-string table: each distinct text once, cells refer to it by index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.index)
        return i

    def xml(self) -> Iterable[str]:
        yield (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'uniqueCount="{len(self.index)}">'
        )
        for s in self.index:
            yield f'<si><t xml:space="preserve">{xml_text(s)}</t></si>'
        yield "</sst>"


def _fit_widths(spec: SheetSpec, sample: int = 500) -> list[float]:
    """Widths from the header and the first rows: a CJK character is two units wide."""
    widths = []
    rows = spec.rows[:sample]
    for i, col in enumerate(spec.columns):
        if col.width is not None:
            widths.append(col.width)
            continue
        longest = display_width(col.header) if spec.header else 0
        seen: set = set()
        for row in rows:
            v = row[i] if i < len(row) else None
            if v is None or v in seen:
                continue
            seen.add(v)
            text = v.isoformat() if isinstance(v, date) else str(v)
            longest = max(longest, max(display_width(x) for x in text.split("\n")))
            if longest + 2 >= col.max_width:
                break
        widths.append(max(col.min_width, min(col.max_width, longest + 2)))
    return widths


def _general_cell(col: Column, strings: _Strings) -> Callable[[str, object], str]:
    """A function (ref, value) → the cell's XML for any value (the rows' slow path)."""
    base = STYLE_ID[col.style]
    by_value = {k: STYLE_ID[v] for k, v in (col.style_by_value or {}).items()}
    empty = f' s="{base}"/>' if base and not col.style.startswith("edit") else None

    def general(ref: str, v: object) -> str:
        if v is None or v == "":
            return f'<c r="{ref}"{empty}' if empty else ""
        s = by_value.get(v, base) if by_value else base
        if isinstance(v, str):
            if col.inline:
                return f'<c r="{ref}" s="{s}" t="inlineStr"><is><t>{xml_text(v)}</t></is></c>'
            return f'<c r="{ref}" s="{s}" t="s"><v>{strings(v)}</v></c>'
        if isinstance(v, bool):
            return f'<c r="{ref}" s="{s}" t="b"><v>{int(v)}</v></c>'
        if isinstance(v, (int, float)):
            return f'<c r="{ref}" s="{s}"><v>{v}</v></c>'
        if isinstance(v, datetime):
            v = v.date()
        if isinstance(v, date):  # a serial day number; the column's style shows it as a date
            return f'<c r="{ref}" s="{s}"><v>{(v - _EXCEL_EPOCH).days}</v></c>'
        return f'<c r="{ref}" s="{s}" t="s"><v>{strings(str(v))}</v></c>'

    return general


def _row_writer(columns: Sequence[Column], strings: _Strings) -> Callable[[str, Sequence], str]:
    """A function (row number, values) → the row's XML, generated once per sheet.

    Why generated: 200,000 rows × 17 cells as one function call per cell is most of the
    ledger's time. The generated function holds one expression per column with the
    column's letter and style baked in; strings (the common case), integers and empty
    cells are written inline, anything else through `_general_cell`. Only constants
    computed here go into the source; values are arguments.

    An empty cell of an editable column is not written at all: the column's style (see
    `<col style>`) unlocks it, and 200,000 rows × 3 such cells are a tenth of the file.
    Empty cells elsewhere are written with their style, so the table keeps its borders.
    """
    env: dict = {"_get": strings.index.get, "_add": strings, "_esc": xml_text, "_str": str}
    parts = []
    for i, col in enumerate(columns):
        letter = col_letter(i + 1)
        base = STYLE_ID[col.style]
        env[f"_g{i}"] = _general_cell(col, strings)
        slow = f"_g{i}('{letter}' + rs, v{i})"
        if col.inline:
            fast = (
                f'(f\'<c r="{letter}{{rs}}" s="{base}" t="inlineStr"><is><t>'
                f"{{_esc(v{i})}}</t></is></c>' if v{i}.__class__ is _str and v{i} else {slow})"
            )
        elif col.style_by_value:
            env[f"_s{i}"] = {k: STYLE_ID[v] for k, v in col.style_by_value.items()}.get
            fast = (
                f'(f\'<c r="{letter}{{rs}}" s="{{_s{i}(v{i}, {base})}}" t="s"><v>'
                f"{{i if (i := _get(v{i})) is not None else _add(v{i})}}</v></c>' "
                f"if v{i}.__class__ is _str and v{i} else {slow})"
            )
        else:
            fast = (
                f'(f\'<c r="{letter}{{rs}}" s="{base}" t="s"><v>'
                f"{{i if (i := _get(v{i})) is not None else _add(v{i})}}</v></c>' "
                f"if v{i}.__class__ is _str and v{i} else "
                f'f\'<c r="{letter}{{rs}}" s="{base}"><v>{{v{i}}}</v></c>\' '
                f"if v{i}.__class__ is int else {slow})"
            )
        parts.append(fast)
    names = ", ".join(f"v{i}" for i in range(len(columns)))
    source = (
        f"def _row(rs, {names}):\n"
        f"    return '<row r=\"' + rs + '\">' + " + " + ".join(parts) + " + '</row>'\n"
    )
    exec(compile(source, "<xlsx row writer>", "exec"), env)  # noqa: S102 - constants only
    row = env["_row"]
    n = len(columns)

    def write(rs: str, values: Sequence) -> str:
        if len(values) != n:
            values = (*values[:n], *([None] * (n - len(values))))
        return row(rs, *values)

    return write


def _sheet_xml(spec: SheetSpec, strings: _Strings, on_rows: Callable[[int], None] | None):
    ncols = len(spec.columns)
    letters = [col_letter(i + 1) for i in range(ncols)]
    last = letters[-1]
    widths = _fit_widths(spec)
    titles = len(spec.title_lines)
    header_row = titles + 1 if spec.header else titles
    first_data = header_row + 1
    pr = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'  # printed to the page width
    head = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
        pr,
    ]
    if spec.freeze and header_row:
        top = f"A{header_row + 1}"
        head.append(
            '<sheetViews><sheetView workbookViewId="0">'
            f'<pane ySplit="{header_row}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
            f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>'
            "</sheetView></sheetViews>"
        )
    else:
        head.append('<sheetViews><sheetView workbookViewId="0"/></sheetViews>')
    head.append('<sheetFormatPr defaultRowHeight="14.25"/>')
    cols = []
    for i, (col, w) in enumerate(zip(spec.columns, widths, strict=True), start=1):
        attrs = f'min="{i}" max="{i}" width="{w:.1f}" customWidth="1"'
        if col.style.startswith("edit"):
            attrs += f' style="{STYLE_ID[col.style]}"'  # cells typed below the table stay editable
        if col.hidden:
            attrs += ' hidden="1"'
        cols.append(f"<col {attrs}/>")
    head.append(f"<cols>{''.join(cols)}</cols><sheetData>")
    yield "".join(head)

    r = 0
    merges = []
    for line in spec.title_lines:
        r += 1
        style = STYLE_ID["title"] if r == 1 else STYLE_ID["note"]
        height = ' ht="24" customHeight="1"' if r == 1 else ""
        yield (
            f'<row r="{r}"{height}><c r="A{r}" s="{style}" t="s"><v>{strings(line)}</v></c></row>'
        )
        if ncols > 1:
            merges.append(f"A{r}:{last}{r}")
    if spec.header:
        r += 1
        hs = STYLE_ID["header"]
        cells = "".join(
            f'<c r="{letters[i]}{r}" s="{hs}" t="s"><v>{strings(col.header)}</v></c>'
            for i, col in enumerate(spec.columns)
        )
        yield f'<row r="{r}">{cells}</row>'
    write_row = _row_writer(spec.columns, strings)
    chunk: list[str] = []
    for row in spec.rows:
        r += 1
        chunk.append(write_row(str(r), row))
        if len(chunk) >= 2000:
            yield "".join(chunk)
            if on_rows is not None:
                on_rows(len(chunk))
            chunk = []
    if chunk:
        yield "".join(chunk)
        if on_rows is not None:
            on_rows(len(chunk))
    last_data = r
    for line in spec.footer_lines:
        r += 1
        yield f'<row r="{r}"><c r="A{r}" s="{STYLE_ID["note"]}" t="s"><v>{strings(line)}</v></c></row>'
        if ncols > 1:
            merges.append(f"A{r}:{last}{r}")
    tail = ["</sheetData>"]
    if spec.protect:
        tail.append(
            '<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" '
            'formatRows="0" autoFilter="0" sort="0"/>'
        )
    if spec.autofilter and spec.header:
        tail.append(f'<autoFilter ref="A{header_row}:{last}{max(last_data, header_row)}"/>')
    if merges:
        tail.append(
            f'<mergeCells count="{len(merges)}">'
            + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
            + "</mergeCells>"
        )
    validations = []
    end = max(last_data, first_data) + 1000  # room for rows a unit adds under the table
    for i, col in enumerate(spec.columns):
        v = col.validation
        if v is None:
            continue
        ref = f"{letters[i]}{first_data}:{letters[i]}{end}"
        msgs = (
            f' showInputMessage="1" showErrorMessage="1" promptTitle={quoteattr(v.prompt_title)}'
            f" prompt={quoteattr(v.prompt)} errorTitle={quoteattr(v.error_title)}"
            f" error={quoteattr(v.error)}"
        )
        if v.values:
            formula = xml_text('"' + ",".join(v.values) + '"')
            validations.append(
                f'<dataValidation type="list" allowBlank="1"{msgs} sqref="{ref}">'
                f"<formula1>{formula}</formula1></dataValidation>"
            )
        else:
            validations.append(
                f'<dataValidation type="date" operator="between" allowBlank="1"{msgs} '
                f'sqref="{ref}"><formula1>1</formula1><formula2>73050</formula2></dataValidation>'
            )
    if validations:
        tail.append(
            f'<dataValidations count="{len(validations)}">{"".join(validations)}</dataValidations>'
        )
    tail.append(
        '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
    )
    orient = "landscape" if spec.landscape else "portrait"
    tail.append(f'<pageSetup paperSize="9" orientation="{orient}" fitToWidth="1" fitToHeight="0"/>')
    tail.append("</worksheet>")
    yield "".join(tail)


def write_xlsx(
    path: str | os.PathLike[str],
    sheets: Sequence[SheetSpec],
    *,
    on_rows: Callable[[int], None] | None = None,
    compresslevel: int = 6,
    creator: str = "督办台",
) -> Path:
    """Write the workbook atomically (a temporary file beside it, then renamed), mode 0600.

    ``on_rows`` is called now and then with the number of data rows written so far, over
    all sheets (for a progress bar).
    """
    path = Path(path)
    strings = _Strings()
    written = 0

    def count(n: int) -> None:
        nonlocal written
        written += n
        if on_rows is not None:
            on_rows(written)

    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
            zf.writestr("[Content_Types].xml", _content_types(len(sheets)))
            zf.writestr("_rels/.rels", _ROOT_RELS)
            zf.writestr("docProps/core.xml", _core(creator))
            zf.writestr("xl/workbook.xml", _workbook(sheets))
            zf.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
            zf.writestr("xl/styles.xml", _styles_xml())
            for n, spec in enumerate(sheets, start=1):
                with zf.open(f"xl/worksheets/sheet{n}.xml", "w") as out:
                    for piece in _sheet_xml(spec, strings, count):
                        out.write(piece.encode("utf-8"))
            with zf.open("xl/sharedStrings.xml", "w") as out:
                buf: list[str] = []
                for piece in strings.xml():
                    buf.append(piece)
                    if len(buf) >= 5000:
                        out.write("".join(buf).encode("utf-8"))
                        buf = []
                out.write("".join(buf).encode("utf-8"))
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
    'metadata/core-properties" Target="docProps/core.xml"/>'
    "</Relationships>"
)


def _content_types(n: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, n + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{sheets}"
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
        'package.core-properties+xml"/>'
        "</Types>"
    )


def _core(creator: str) -> str:
    from tui.clock import now

    stamp = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:creator>{xml_text(creator)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        "</cp:coreProperties>"
    )


def _workbook(sheets: Sequence[SheetSpec]) -> str:
    entries = []
    names = []
    for i, spec in enumerate(sheets, start=1):
        state = f' state="{spec.state}"' if spec.state != "visible" else ""
        entries.append(
            f'<sheet name={quoteattr(xml_text(spec.name))} sheetId="{i}"{state} r:id="rId{i}"/>'
        )
        quoted = "'" + spec.name.replace("'", "''") + "'"
        header_row = len(spec.title_lines) + 1
        last = col_letter(len(spec.columns))
        if spec.autofilter and spec.header:
            end = header_row + len(spec.rows)
            names.append(
                f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i - 1}" hidden="1">'
                f"{xml_text(quoted)}!$A${header_row}:${last}${end}</definedName>"
            )
        if spec.header and spec.state == "visible":
            names.append(
                f'<definedName name="_xlnm.Print_Titles" localSheetId="{i - 1}">'
                f"{xml_text(quoted)}!${header_row}:${header_row}</definedName>"
            )
    defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{''.join(entries)}</sheets>{defined}</workbook>"
    )


def _workbook_rels(n: int) -> str:
    rels = [
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, n + 1)
    ]
    rels.append(
        f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/styles" Target="styles.xml"/>'
    )
    rels.append(
        f'<Relationship Id="rId{n + 2}" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(rels)
        + "</Relationships>"
    )
