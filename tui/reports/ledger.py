"""The ledger (台账) workbook: its columns, its row keys, and writing it.

One sheet per plan and a summary sheet in front. Every row is one assignment; a unit fills
in three columns (进展情况, 是否完成, 完成时间) and sends the file back.

Row identity, and why it is tamper-evident: a hidden, locked column holds the row's key
``<assignment id>-<10 hex>``, the hex being an HMAC-SHA256 of the id made with the
store's secret (tui.store.store_secret). The key is the same in every export (stable), a
unit cannot turn it into another valid key, and a row from another store's ledger fails
the check. Rows are matched by this key only, never by position, so sorting, filtering
or deleting rows in Excel changes nothing.

A second hidden column holds a digest of the row's read-only cells as written. On import,
a row whose read-only cells no longer match it (a unit typed its progress into 最近进展,
or changed a deadline) is reported and not applied.

A very hidden sheet carries what the import checks the file against: the format, the
store's public tag (an HMAC of a fixed word, so the secret never leaves the store), the
as-of date, and which sheet holds which plan.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from tui.reports.text import ROLE_CN, cn_date
from tui.reports.xlsx_writer import Column, SheetSpec, Validation, sheet_name, write_xlsx

FORMAT = "duban-ledger/1"
META_SHEET = "督办台信息"
SUMMARY_SHEET = "汇总"

KEY = "事项键"
DIGEST = "校验"
EDITABLE = ("进展情况", "是否完成", "完成时间")
READ_ONLY = (
    "序号",
    "计划",
    "章节",
    "任务编号",
    "任务内容",
    "责任单位",
    "角色",
    "完成时限",
    "状态",
    "逾期天数",
    "最近进展",
    "已发函件",
)
HEADERS = (KEY, DIGEST, *READ_ONLY, *EDITABLE)
YES, NO = "是", "否"

STATUS_FILL = {
    "逾期": "red",
    "临期": "yellow",
    "正常": "green",
    "已完成": "green",
    "逾期完成": "grey",
}

_KEY_RE = re.compile(r"^\s*(\d{1,12})-([0-9a-fA-F]{10})\s*$")


# ----------------------------------------------------------------------------- keys


def _mac(secret: str, message: str, length: int) -> str:
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()[
        :length
    ]


def row_key(secret: str, assignment_id: int) -> str:
    return f"{assignment_id}-{_mac(secret, f'assignment:{assignment_id}', 10)}"


def parse_key(value: object) -> tuple[int, str] | None:
    """(assignment id, mac) from a key cell, None when it is not shaped like a key."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return None  # a number: the key was retyped, the mac is gone
    m = _KEY_RE.match(str(value))
    return (int(m.group(1)), m.group(2).lower()) if m else None


def key_valid(secret: str, assignment_id: int, mac: str) -> bool:
    return hmac.compare_digest(_mac(secret, f"assignment:{assignment_id}", 10), mac.lower())


def store_tag(secret: str) -> str:
    """A public name of the store, written into its ledgers: equal tags, same store."""
    return _mac(secret, "ledger-store-tag", 12)


def norm_cell(value: object) -> str:
    """A cell as text for comparing what was written with what came back.

    Whitespace runs collapse to one space (Excel and LibreOffice keep text, but line ends
    and trailing spaces are easy to disturb); whole numbers lose their ".0" (a spreadsheet
    reads every number back as a float)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def digest(values: Sequence[object]) -> str:
    joined = "\x1f".join(norm_cell(v) for v in values)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:12]


# ----------------------------------------------------------------------------- rows


class LedgerRow(NamedTuple):
    """What one row shows, before the key and digest are added (a tuple: 200,000 of them)."""

    assignment_id: int
    plan: str
    section: str
    task_key: str
    task_text: str
    unit: str
    role: str  # lead / responsible / supporting
    deadline: str
    status: str
    days_overdue: int | None
    last_progress: str
    letters: str


def deadline_cell(
    dates: Sequence[date], recurring: bool, words: str, *, override: bool = False
) -> str:
    """The 完成时限 cell: the date that counts, every date of a recurring duty, the words."""
    if not dates:
        return f"无固定期限（{words}）" if words else "无固定期限"
    if override:
        return f"{cn_date(dates[-1])}（已批准延期）"
    if recurring and len(dates) > 1:
        listed = "、".join(cn_date(d) for d in dates)
        return f"{words}：{listed}" if words else f"分期完成：{listed}"
    text = cn_date(dates[-1])
    return f"{text}（{words}）" if words else text


def sheet_rows(secret: str, rows: Sequence[LedgerRow]) -> list[tuple]:
    """Each row's cells with its key and digest in front and three empty editable cells.

    The text cells are written as `norm_cell` leaves them (whitespace runs collapsed), so
    the digest hashes them as they are; each distinct text is normalised once (a task's
    text repeats on every unit's row)."""
    out = []
    append = out.append
    seen: dict[str, str] = {}

    def norm(v: str) -> str:
        t = seen.get(v)
        if t is None:
            t = seen[v] = " ".join(v.split())
        return t

    keyed = hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha256)
    sha = hashlib.sha256
    for n, r in enumerate(rows, start=1):
        texts = [
            norm(x)
            for x in (
                r.plan,
                r.section,
                r.task_key,
                r.task_text,
                r.unit,
                ROLE_CN.get(r.role, r.role),
            )
        ]
        tail = [norm(r.deadline), r.status]
        days = "" if r.days_overdue is None else str(r.days_overdue)
        more = [norm(r.last_progress), norm(r.letters)]
        mark = sha("\x1f".join([str(n), *texts, *tail, days, *more]).encode("utf-8")).hexdigest()[
            :12
        ]
        mac = keyed.copy()
        mac.update(f"assignment:{r.assignment_id}".encode())
        key = f"{r.assignment_id}-{mac.hexdigest()[:10]}"
        append((key, mark, n, *texts, *tail, r.days_overdue, *more))
    return out


def plan_columns() -> list[Column]:
    yes_no = Validation(
        (YES, NO),
        "是否完成",
        "请从下拉列表中选择“是”或“否”",
        "输入有误",
        "“是否完成”只能填“是”或“否”",
    )
    when = Validation(
        (),
        "完成时间",
        "请填写日期，如 2024-10-31",
        "不是日期",
        "“完成时间”请填写日期，如 2024-10-31",
    )
    return [
        Column(KEY, style="key", width=16, hidden=True, inline=True),
        Column(DIGEST, style="key", width=14, hidden=True, inline=True),
        Column("序号", style="int", width=6),
        Column("计划", max_width=24),
        Column("章节", max_width=28),
        Column("任务编号", max_width=16),
        Column("任务内容", max_width=60),
        Column("责任单位", max_width=24),
        Column("角色", style="center", width=6),
        Column("完成时限", max_width=30),
        Column("状态", style="center", width=10, style_by_value=STATUS_FILL),
        Column("逾期天数", style="int", width=9),
        Column("最近进展", max_width=36),
        Column("已发函件", max_width=30),
        Column("进展情况", style="edit", width=36),
        Column("是否完成", style="edit_center", width=9, validation=yes_no),
        Column("完成时间", style="edit_date", width=12, validation=when),
    ]


@dataclass
class PlanSheet:
    plan_id: int
    plan_title: str
    rows: list[LedgerRow]


@dataclass(frozen=True)
class SummaryLine:
    plan: str
    counts: dict[str, int]  # status → count


SUMMARY_STATUSES = ("已完成", "逾期完成", "逾期", "临期", "正常", "无固定期限")


def _summary_sheet(lines: Sequence[SummaryLine], as_of: date, tag: str) -> SheetSpec:
    columns = [Column("计划", max_width=50), Column("落实事项", style="int", width=10)]
    columns += [Column(s, style="int", width=10) for s in SUMMARY_STATUSES]
    columns.append(Column("完成率", style="center", width=10))
    rows = []
    totals = dict.fromkeys(SUMMARY_STATUSES, 0)
    for line in lines:
        n = sum(line.counts.values())
        done = line.counts.get("已完成", 0) + line.counts.get("逾期完成", 0)
        rows.append(
            (line.plan, n, *(line.counts.get(s, 0) for s in SUMMARY_STATUSES), _rate(done, n))
        )
        for s in SUMMARY_STATUSES:
            totals[s] += line.counts.get(s, 0)
    if len(lines) > 1:
        n = sum(totals.values())
        rows.append(("合计", n, *totals.values(), _rate(totals["已完成"] + totals["逾期完成"], n)))
    return SheetSpec(
        SUMMARY_SHEET,
        columns,
        rows,
        title_lines=(f"督办台账（截至{cn_date(as_of)}）",),
        footer_lines=(
            "各计划工作表中，请只填写“进展情况”“是否完成”（选“是”或“否”）“完成时间”三列；"
            "其余各列与隐藏的事项键用于核对，请勿改动、删除。",
            f"台账标识：{tag}（导入时核对，用于确认台账出自本办公室的督办台）",
        ),
        autofilter=False,
    )


def _rate(done: int, n: int) -> str:
    return f"{round(100 * done / n)}%" if n else "—"


def write_ledger(
    path: str | Path,
    sheets: Sequence[PlanSheet],
    summary: Sequence[SummaryLine],
    *,
    secret: str,
    as_of: date,
    exported_at: datetime,
    on_rows: Callable[[int], None] | None = None,
) -> Path:
    """The whole workbook, written atomically."""
    tag = store_tag(secret)
    used = {SUMMARY_SHEET.casefold(), META_SHEET.casefold()}
    specs = [_summary_sheet(summary, as_of, tag)]
    meta_rows: list[tuple] = [
        ("格式", FORMAT, ""),
        ("台账标识", tag, ""),
        ("截至", as_of.isoformat(), ""),
        ("导出时间", exported_at.isoformat(timespec="seconds"), ""),
        ("列", "|".join(HEADERS), ""),
    ]
    columns = plan_columns()
    for sheet in sheets:
        name = sheet_name(f"{sheet.plan_id} {sheet.plan_title}", used)
        meta_rows.append(("工作表", name, str(sheet.plan_id)))
        specs.append(
            SheetSpec(
                name,
                columns,
                sheet_rows(secret, sheet.rows),
                protect=True,
                landscape=True,
            )
        )
    specs.append(
        SheetSpec(
            META_SHEET,
            [Column("项目", width=10), Column("内容", width=40), Column("计划", width=8)],
            meta_rows,
            header=False,
            freeze=False,
            autofilter=False,
            protect=True,
            state="veryHidden",
        )
    )
    # Level 1 deflate: the 200,000-row ledger is written twice as fast and ~15 % larger.
    big = sum(len(s.rows) for s in sheets) > 20_000
    return write_xlsx(path, specs, on_rows=on_rows, compresslevel=1 if big else 6)
