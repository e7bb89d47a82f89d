"""What a returned ledger would change: every change listed before anything is written.

Pure: it takes the rows read from the file and, for each assignment they name, what the
store holds now (`targets`, objects with the attributes of tui.store.reports.ImportTarget),
and returns a plan: changes to apply, rows rejected (one Chinese message each, several
reasons joined), and notices. Applying is the service's job, in one transaction.

Rules:
- a row is matched by its key only; a key that is not shaped like one, whose HMAC does
  not verify with this store's secret, that names no live assignment, or that repeats an
  earlier row, is rejected;
- a row under a sheet that the file says holds plan A, naming an assignment of plan B,
  is rejected;
- a row whose read-only cells no longer match the digest written with them is rejected
  (reported, not applied), naming the columns that differ from the store;
- 是否完成 must be 是, 否 or empty; 完成时间 a date, not after the import date, and only
  with 是;
- 进展情况 becomes a progress report dated the import date, unless the assignment already
  has a report with the same text (so importing a file twice changes nothing);
- 是否完成 = 是 closes (验收/销号) the assignment on 完成时间, or on the import date when
  no time was given; one already closed is left as it is (a different date is noted);
- 是否完成 = 否 never reopens a closed assignment: that is a desk decision, noted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tui.reports.ledger import (
    NO,
    READ_ONLY,
    YES,
    digest,
    key_valid,
    norm_cell,
    parse_key,
)
from tui.reports.ledger_read import FileRow, LedgerFile
from tui.reports.text import ROLE_CN, cn_date
from tui.text import strip_controls

PROGRESS = "progress"
CLOSE = "close"
_EXCEL_EPOCH = date(1899, 12, 30)
_DATE_TEXT = re.compile(
    r"^\s*(\d{4})\s*(?:[-/.年])\s*(\d{1,2})\s*(?:[-/.月])\s*(\d{1,2})\s*日?"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
)
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
MAX_PROGRESS_CHARS = 2000


@dataclass(frozen=True)
class Change:
    where: str
    assignment_id: int
    unit: str
    task_key: str
    kind: str  # progress / close
    text: str  # the progress text (progress)
    on: date
    note: str = ""
    old: str = ""  # what the store holds now (the latest report; 未销号), for the review

    @property
    def column(self) -> str:
        return "进展情况" if self.kind == PROGRESS else "是否完成"

    @property
    def new(self) -> str:
        if self.kind == PROGRESS:
            return self.text
        return f"是（完成时间 {cn_date(self.on)}）" + (f"（{self.note}）" if self.note else "")

    def describe(self) -> str:
        head = f"{self.where}：事项 {self.assignment_id}（{self.unit}，{self.task_key}）"
        if self.kind == PROGRESS:
            return f"{head}新增进展：{self.text}"
        return f"{head}销号，完成时间 {cn_date(self.on)}" + (
            f"（{self.note}）" if self.note else ""
        )


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def describe(self) -> str:
        return f"{self.where}：{self.message}"


@dataclass
class ImportPlan:
    file: str
    sha256: str
    as_of: date
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    rows: int = 0
    unchanged: int = 0
    batch: str = ""  # set once applied: the audit batch that holds every change

    @property
    def assignments(self) -> set[int]:
        return {c.assignment_id for c in self.changes}

    def fingerprint(self) -> str:
        """Equal for two plans that would write the same thing (preview, then apply)."""
        h = hashlib.sha256()
        for c in self.changes:
            h.update(f"{c.assignment_id}|{c.kind}|{c.text}|{c.on.isoformat()}\n".encode())
        return h.hexdigest()


def parse_done(value: object) -> tuple[bool | None, str | None]:
    """(True for 是 / False for 否 / None when empty, error message or None)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return value, None
    text = "".join(str(value).split())
    if not text:
        return None, None
    if text == YES:
        return True, None
    if text == NO:
        return False, None
    return None, f"“是否完成”只能填“是”或“否”，现为“{norm_cell(value)}”"


def parse_when(value: object) -> tuple[date | None, str | None]:
    """(the date, error message or None) from a 完成时间 cell as any spreadsheet leaves it."""
    if value is None:
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    bad = f"“完成时间”不是日期：“{norm_cell(value)}”（请写成 2024-10-31）"
    if isinstance(value, bool):
        return None, bad
    if isinstance(value, (int, float)):
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            m = _COMPACT.match(str(int(value)))
        elif 1 <= value <= 73050:  # a date serial whose cell lost its date format
            return _EXCEL_EPOCH + timedelta(days=int(value)), None
        else:
            return None, bad
    else:
        text = str(value).strip()
        if not text:
            return None, None
        m = _DATE_TEXT.match(text) or _COMPACT.match(text)
    if m is None:
        return None, bad
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None, bad
    if not 1900 <= day.year <= 2100:
        return None, bad
    return day, None


def _changed_columns(row: FileRow, target, exported: date | None) -> list[str]:
    """Read-only columns whose value differs from what the store says: the stable ones,
    and the last progress as of the ledger's date (when the file still says it)."""
    now = {
        "计划": target.plan_title,
        "章节": target.section,
        "任务编号": target.task_key,
        "任务内容": target.task_text,
        "责任单位": target.unit_name,
        "角色": ROLE_CN.get(target.role, target.role),
    }
    if exported is not None:
        now["最近进展"] = target.last_report(exported)
    names = []
    for name, value in zip(READ_ONLY, row.read_only, strict=True):
        if name in now and norm_cell(value) != norm_cell(now[name]):
            names.append(name)
    return names


def plan_import(
    ledger: LedgerFile,
    targets: Mapping[int, object],
    *,
    secret: str,
    as_of: date,
) -> ImportPlan:
    plan = ImportPlan(ledger.name, ledger.sha256, as_of, notices=list(ledger.notices))
    seen: dict[int, str] = {}
    for row in ledger.rows:
        reasons: list[str] = []
        parsed = parse_key(row.key)
        if row.key in (None, ""):
            if row.has_input():
                plan.problems.append(
                    Problem(row.where, "没有事项键（可能是新增或复制来的行），未导入")
                )
            continue
        plan.rows += 1
        if parsed is None:
            plan.problems.append(
                Problem(row.where, f"事项键“{norm_cell(row.key)}”格式不对（被改动过），未导入")
            )
            continue
        aid, mac = parsed
        if not key_valid(secret, aid, mac):
            plan.problems.append(
                Problem(
                    row.where,
                    f"事项键“{norm_cell(row.key)}”与本数据库不符（被改动过，或来自另一个数据库"
                    "导出的台账），未导入",
                )
            )
            continue
        if aid in seen:
            plan.problems.append(
                Problem(row.where, f"与{seen[aid]}是同一事项（事项 {aid}），重复的行未导入")
            )
            continue
        seen[aid] = row.where
        target = targets.get(aid)
        if target is None:
            plan.problems.append(
                Problem(row.where, f"数据库中没有事项 {aid}（可能已删除），未导入")
            )
            continue
        if not target.active or target.unit_id is None:
            # Nothing a unit can report on; a row left empty is no problem.
            if row.has_input():
                why = (
                    "已不在计划中（计划修订时移除）"
                    if not target.active
                    else "仍是待分解的单位组，请先在督办台分解到具体单位"
                )
                plan.problems.append(Problem(row.where, f"事项 {aid} {why}，本行未导入"))
            else:
                plan.unchanged += 1
            continue
        sheet_plan = ledger.sheet_plans.get(row.sheet)
        if sheet_plan is not None and sheet_plan != target.plan_id:
            reasons.append(
                f"此行属于计划“{target.plan_title}”，却在另一计划（编号 {sheet_plan}）的工作表中"
            )
        if row.sheet not in ledger.sheets_without_digest:
            if norm_cell(row.digest) != digest(row.read_only):
                cols = _changed_columns(row, target, ledger.as_of)
                which = "“" + "”“".join(cols) + "”" if cols else "只读列"
                reasons.append(
                    f"{which}被改动过（台账中只能填写“进展情况”“是否完成”“完成时间”），本行未导入"
                )
        else:
            cols = _changed_columns(row, target, ledger.as_of)
            if cols:
                reasons.append(f"“{'”“'.join(cols)}”与数据库不一致（被改动过），本行未导入")
        done, err = parse_done(row.done)
        if err:
            reasons.append(err)
        when, err = parse_when(row.when)
        if err:
            reasons.append(err)
        elif when is not None and when > as_of:
            reasons.append(f"“完成时间”{cn_date(when)}晚于导入日期{cn_date(as_of)}")
        if when is not None and done is not True and not err:
            reasons.append("填写了“完成时间”，但“是否完成”不是“是”")
        text = row.progress if row.progress not in (None, "") else ""
        text = " ".join(strip_controls(str(text)).split())
        if isinstance(row.progress, float) and row.progress.is_integer():
            text = str(int(row.progress))
        if len(text) > MAX_PROGRESS_CHARS:
            reasons.append(f"“进展情况”超过 {MAX_PROGRESS_CHARS} 字，请精简")
        if reasons:
            plan.problems.append(Problem(row.where, "；".join(reasons)))
            continue
        changed = False
        if text and text not in target.progress_texts:
            plan.changes.append(
                Change(
                    row.where,
                    aid,
                    target.unit_name,
                    target.task_key,
                    PROGRESS,
                    text,
                    as_of,
                    old=target.last_report(as_of),
                )
            )
            changed = True
        if done is True:
            if target.completed_on is None:
                note = "" if when else f"未填完成时间，按导入日期{cn_date(as_of)}"
                plan.changes.append(
                    Change(
                        row.where,
                        aid,
                        target.unit_name,
                        target.task_key,
                        CLOSE,
                        "",
                        when or as_of,
                        note,
                        old="否（未销号）",
                    )
                )
                changed = True
            elif when is not None and when != target.completed_on:
                plan.notices.append(
                    f"{row.where}：事项 {aid} 已于{cn_date(target.completed_on)}销号，"
                    f"台账填的完成时间为{cn_date(when)}，未改动"
                )
        elif done is False and target.completed_on is not None:
            plan.notices.append(
                f"{row.where}：台账填“否”，但事项 {aid} 已于{cn_date(target.completed_on)}销号；"
                "如需重新打开，请在督办台操作，本次未改动"
            )
        if not changed:
            plan.unchanged += 1
    return plan


def rows_by_id(rows: Sequence[FileRow]) -> list[int]:
    """Assignment ids named by well-formed keys (the store is asked only about these)."""
    out = []
    for row in rows:
        parsed = parse_key(row.key)
        if parsed is not None:
            out.append(parsed[0])
    return out
