"""Reading a ledger a unit filled in and sent back, whatever the spreadsheet did to it.

Files come back saved by Excel, WPS or LibreOffice: sheets added (a unit's own notes),
headers renamed (进展情况（请填写）), hidden sheets made merely hidden, numbers turned into
floats, rows sorted or filtered. What the reader relies on:

- the header row is the one (within the first 20) that names most of the ledger's
  columns; a header matches exactly, or contains the column's name, or is contained in it;
  a column no header names is taken from its original position when the sheet still has
  the ledger's column count, and a notice says so;
- the key column is the one named 事项键, else the one whose cells look like keys;
- a sheet without a key column is not part of the ledger: skipped, with a notice;
- the very hidden information sheet, if it survived, says which store and which plan
  each sheet belongs to.

Everything that stops the whole file (not a zip, encrypted, an old .xls, unreadable, too
big) is one DubanError in Chinese; nothing here touches the store.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from tui.errors import DubanError, os_reason
from tui.reports.ledger import (
    DIGEST,
    EDITABLE,
    FORMAT,
    HEADERS,
    KEY,
    META_SHEET,
    READ_ONLY,
    SUMMARY_SHEET,
    parse_key,
)
from tui.text import strip_controls

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_XML_BYTES = 600 * 1024 * 1024  # the 200,000-row ledger is ~250 MB of XML
_HEADER_SCAN = 20


@dataclass
class FileRow:
    """One data row of a ledger sheet, cells by column name (None when absent)."""

    sheet: str
    row: int
    key: object
    digest: object
    read_only: tuple  # values in READ_ONLY order
    progress: object
    done: object
    when: object

    @property
    def where(self) -> str:
        return f"工作表“{strip_controls(self.sheet)}”第{self.row}行"

    def has_input(self) -> bool:
        return any(v not in (None, "") for v in (self.progress, self.done, self.when))


@dataclass
class LedgerFile:
    name: str
    sha256: str
    format: str | None = None
    tag: str | None = None
    as_of: date | None = None
    sheet_plans: dict[str, int] = field(default_factory=dict)
    rows: list[FileRow] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    sheets_without_digest: set[str] = field(default_factory=set)


def _norm(text: object) -> str:
    return "".join(str(text or "").split()).replace("：", "").replace(":", "")


def _open_checks(path: Path) -> bytes:
    name = path.name
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise DubanError(f"这是一个文件夹，不是台账文件：{path}")
        if size > MAX_FILE_BYTES:
            raise DubanError(
                f"台账文件过大（{size // (1024 * 1024)} MB），不像是督办台台账：{name}"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise DubanError(f"找不到台账文件：{path}") from None
    except PermissionError:
        raise DubanError(
            f"无法读取台账文件：{path}（没有权限，或文件正被其他程序占用，请关闭后再试）"
        ) from None
    except OSError as exc:
        raise DubanError(f"无法读取台账文件：{path}（{os_reason(exc)}）") from None
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise DubanError(
            f"{name} 是设置了打开密码的文件或旧版 .xls 文件：请在 Excel/WPS 中取消密码，"
            "另存为 .xlsx 后再导入"
        )
    if not data.startswith(b"PK"):
        raise DubanError(f"{name} 不是 .xlsx 文件（文件已损坏，或是其他格式），未导入")
    return data


def read_ledger(path: str | Path) -> LedgerFile:
    """The ledger's rows and what the file says about itself; DubanError if unreadable."""
    from tui.ingest.xlsx import read_workbook

    path = Path(path)
    data = _open_checks(path)
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            if "xl/workbook.xml" not in zf.namelist():
                raise DubanError(f"{name} 不是 Excel 工作簿（缺少工作簿内容），未导入")
            total = sum(i.file_size for i in zf.infolist())
            if total > MAX_XML_BYTES:
                raise DubanError(f"{name} 解压后内容过大，不像是督办台台账，未导入")
            bad = zf.testzip()
            if bad is not None:
                raise DubanError(f"{name} 已损坏（{bad} 校验失败），未导入")
        sheets = read_workbook(str(path), name, include_hidden=True, what="督办台台账")
    except DubanError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise DubanError(f"{name} 已损坏，或不是 .xlsx 文件，未导入") from exc
    except (KeyError, ValueError, SyntaxError) as exc:  # missing parts, broken XML
        raise DubanError(f"{name} 的内容已损坏，无法读取，未导入") from exc
    except OSError as exc:
        raise DubanError(f"无法读取台账文件：{path}（{os_reason(exc)}）") from exc
    ledger = LedgerFile(name, hashlib.sha256(data).hexdigest())
    for sheet in sheets:
        if _is_meta(sheet):
            _read_meta(sheet, ledger)
    for sheet in sheets:
        if _is_meta(sheet):
            continue
        _read_sheet(sheet, ledger)
    if not ledger.rows and ledger.format is None:
        raise DubanError(f"{name} 不是督办台导出的台账（没有找到事项键列），未导入")
    return ledger


def _is_meta(sheet) -> bool:
    first = sheet.cells.get((1, 1)), sheet.cells.get((1, 2))
    return sheet.name == META_SHEET or (first[0] == "格式" and str(first[1]).startswith("duban"))


def _read_meta(sheet, ledger: LedgerFile) -> None:
    for r in range(1, sheet.max_row + 1):
        label = sheet.cells.get((r, 1))
        value = sheet.cells.get((r, 2))
        if label == "格式":
            ledger.format = str(value)
        elif label == "台账标识":
            ledger.tag = str(value)
        elif label == "截至":
            try:
                ledger.as_of = date.fromisoformat(str(value)[:10])
            except ValueError:
                pass
        elif label == "工作表":
            plan = sheet.cells.get((r, 3))
            try:
                ledger.sheet_plans[str(value)] = int(float(str(plan)))
            except (TypeError, ValueError):
                continue
    if ledger.format is not None and ledger.format != FORMAT:
        raise DubanError(
            f"{ledger.name} 是另一版本督办台导出的台账（{ledger.format}），本程序读取 {FORMAT}"
        )


def _header_match(text: object, wanted: str) -> int:
    """2 exact, 1 contains or contained, 0 no match."""
    t = _norm(text)
    if not t:
        return 0
    if t == wanted:
        return 2
    if len(t) >= 2 and (wanted in t or t in wanted):
        return 1
    return 0


def _find_header(sheet) -> tuple[int, dict[str, int]] | None:
    """(header row, column name → column index) by the best-matching row."""
    best: tuple[int, int, dict[str, int]] | None = None
    for r in range(1, min(sheet.max_row, _HEADER_SCAN) + 1):
        mapping: dict[str, int] = {}
        score = 0
        for wanted in HEADERS:
            scored = [
                (_header_match(sheet.cells.get((r, c)), wanted), c)
                for c in range(1, sheet.max_col + 1)
                if c not in mapping.values()
            ]
            quality, col = max(scored, default=(0, 0))
            if quality:
                mapping[wanted] = col
                score += quality
        if mapping and (best is None or score > best[0]):
            best = (score, r, mapping)
    if best is None or len(best[2]) < 3:
        return None
    return best[1], best[2]


def _key_column_by_content(sheet, header_row: int) -> int | None:
    counts: dict[int, int] = {}
    filled: dict[int, int] = {}
    for (r, c), v in sheet.cells.items():
        if r <= header_row:
            continue
        filled[c] = filled.get(c, 0) + 1
        if parse_key(v) is not None:
            counts[c] = counts.get(c, 0) + 1
    good = [(n, c) for c, n in counts.items() if n * 2 >= filled.get(c, 1)]
    return max(good)[1] if good else None


def _read_sheet(sheet, ledger: LedgerFile) -> None:
    found = _find_header(sheet)
    if found is None:
        if sheet.name != SUMMARY_SHEET and sheet.cells:
            ledger.notices.append(
                f"工作表“{strip_controls(sheet.name)}”不是台账工作表（找不到表头），已跳过"
            )
        return
    header_row, mapping = found
    if KEY not in mapping:
        col = _key_column_by_content(sheet, header_row)
        if col is None:
            if sheet.name != SUMMARY_SHEET:
                ledger.notices.append(
                    f"工作表“{sheet.name}”没有事项键列，不是督办台导出的台账工作表，已跳过"
                )
            return
        mapping[KEY] = col
    # Columns no header names: the ledger's own position, if the sheet still has its shape.
    width = max((c for (r, c) in sheet.cells if r == header_row), default=0)
    if width == len(HEADERS):
        taken = set(mapping.values())
        for i, wanted in enumerate(HEADERS, start=1):
            if wanted not in mapping and i not in taken:
                mapping[wanted] = i
                shown = sheet.cells.get((header_row, i), "")
                ledger.notices.append(
                    f"工作表“{sheet.name}”第{i}列表头为“{shown}”，按原位置作为“{wanted}”读取"
                )
    missing = [h for h in EDITABLE if h not in mapping]
    if missing:
        ledger.notices.append(
            f"工作表“{sheet.name}”找不到“{'”“'.join(missing)}”列，这些内容无法读取"
        )
    if DIGEST not in mapping:
        ledger.sheets_without_digest.add(sheet.name)
    cells = sheet.cells

    def get(r: int, name: str):
        c = mapping.get(name)
        return cells.get((r, c)) if c is not None else None

    rows_with_content = sorted({r for (r, _c) in cells if r > header_row})
    for r in rows_with_content:
        ledger.rows.append(
            FileRow(
                sheet.name,
                r,
                get(r, KEY),
                get(r, DIGEST),
                tuple(get(r, h) for h in READ_ONLY),
                get(r, EDITABLE[0]),
                get(r, EDITABLE[1]),
                get(r, EDITABLE[2]),
            )
        )
