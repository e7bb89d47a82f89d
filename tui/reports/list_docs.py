"""A unit's list laid out for Word and for Excel (the PDF has its own writer)."""

from __future__ import annotations

from tui.reports.docx_writer import TEXT_W, Para, Table
from tui.reports.text import cn_date
from tui.reports.unit_list import HEADERS, UnitList
from tui.reports.xlsx_writer import Column, SheetSpec

# 序号, 任务编号, 任务内容, 完成时限, 报送要求 — sums to the 156 mm type area.
DOCX_WIDTHS = (10.0, 24.0, 70.0, 28.0, 24.0)
assert abs(sum(DOCX_WIDTHS) - TEXT_W) < 0.01


def list_blocks(doc: UnitList) -> list[Para | Table]:
    """Title, the cover line, one heading and table per role, signature and date."""
    blocks: list[Para | Table] = [Para(doc.title, "title"), Para(doc.basis, "body", 14)]
    numbered = doc.table_rows()
    n = 0
    for heading, note, items in doc.headings():
        blocks.append(Para(heading, "heading", 14))
        if note:
            blocks.append(Para(note, "body", 12))
        rows = []
        for item in items:
            rows.append((numbered[n][0], item.task_key, item.task_text, item.deadline, item.report))
            n += 1
        blocks.append(
            Table(
                DOCX_WIDTHS,
                ("序号", "任务编号", "任务内容", "完成时限", "报送要求"),
                rows,
                center_cols=frozenset({0}),
            )
        )
    blocks.append(Para("", "plain"))
    blocks.append(Para(doc.signature, "right", 14))
    blocks.append(Para(cn_date(doc.issued_on), "right", 14))
    return blocks


def list_sheet(doc: UnitList) -> SheetSpec:
    """One sheet: title, cover line and date above a table of every item by role."""
    columns = [
        Column(HEADERS[0], style="int", width=6),
        Column(HEADERS[1], style="center", width=6),
        Column(HEADERS[2], max_width=18),
        Column(HEADERS[3], max_width=60),
        Column(HEADERS[4], max_width=36),
        Column(HEADERS[5], max_width=30),
    ]
    rows = [(int(r[0]), *r[1:]) for r in doc.table_rows()]
    notes = [note for _h, note, _i in doc.headings() if note]
    return SheetSpec(
        "任务清单",
        columns,
        rows,
        title_lines=(doc.title, doc.basis, f"{doc.signature}　{cn_date(doc.issued_on)}"),
        footer_lines=tuple(notes),
        landscape=True,
    )
