"""The office's other documents as use cases: unit task lists, the ledger round trip, the
year's figures. The command line calls these today; the desk's screens will call the same
functions (from a thread worker) and pass a `progress` callback.

Each function takes the store's Engine and opens its own session or transaction:
- `write_unit_lists`: reads, writes the files into a staging folder, then registers the
  issue and moves the files in within one transaction (a failure leaves the register and
  the folder as they were: the register never claims a list that is not on disk);
- `export_ledger`: reads only;
- `preview_ledger_import` reads only; `apply_ledger_import` re-reads the file and the store
  inside one transaction, refuses if the result differs from the preview the user saw,
  and applies every change or none (progress and closing through tui.store.progress, so
  each change is audited, plus one audit row for the import as a whole);
- `year_summary`: reads only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tui.errors import DubanError, os_reason
from tui.file_hash import file_sha256

# (done, total, what is being done) — for a progress bar; may be called from a worker thread.
Progress = Callable[[int, int, str], None]


def _noop(_done: int, _total: int, _label: str) -> None:
    return None


# ----------------------------------------------------------------------------- unit lists

FORMATS = ("docx", "xlsx")


def reports_dir(db: str | None, name: str) -> Path:
    """Where the office's documents go unless told otherwise: a folder beside the store, as
    letters (`letters/`) and circulars (`通报/`) do — 清单/, 台账/, 年度数字/."""
    from tui.store.letters import default_letters_dir

    return default_letters_dir(db).parent / name


def default_lists_dir(db: str | None) -> Path:
    """`duban lists` without --out, and the desk: `清单/` beside the store."""
    return reports_dir(db, "清单")


@dataclass
class ListsResult:
    plan_id: int
    plan_title: str
    out_dir: Path
    issued_on: date
    lists: list = field(default_factory=list)  # tui.reports.unit_list.WrittenList
    unresolved: int = 0
    registered: bool = False
    batch: str = ""  # the audit batch of the registration (for the desk's undo list)

    @property
    def files(self) -> int:
        return sum(len(w.files) for w in self.lists)


def _prepare_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise DubanError(f"输出位置已有同名文件，不是文件夹：{out_dir}") from None
    except OSError as exc:
        raise DubanError(f"无法创建输出文件夹：{out_dir}（{os_reason(exc)}）") from None
    if not os.access(out_dir, os.W_OK):
        raise DubanError(f"输出文件夹不可写：{out_dir}（没有权限）")


def write_unit_lists(
    engine: Engine,
    *,
    out_dir: str | Path,
    plan: str | None = None,
    unit: str | None = None,
    unit_id: int | None = None,
    region: str | None = None,
    pdf: bool = False,
    issued_on: date,
    actor: str,
    office: str,
    draft: bool = False,
    template_dir: Path | None = None,
    progress: Progress | None = None,
) -> ListsResult:
    """One list per unit of the plan (.docx and .xlsx, .pdf with ``pdf``), registered as
    issued on ``issued_on`` unless ``draft``. ``unit`` is a name or alias as typed (the
    command line), ``unit_id`` a unit the desk has selected; ``plan`` an id or title part.
    ``progress`` is called before each unit and once at the end."""
    from tui.reports.docx_writer import write_docx
    from tui.reports.filenames import unique_stems
    from tui.reports.list_docs import list_blocks, list_sheet
    from tui.reports.unit_list import ListWording, WrittenList, build_unit_list
    from tui.reports.xlsx_writer import write_xlsx
    from tui.store.db import transaction
    from tui.store.reports import list_data, pick_plans, pick_unit_ids, register_lists

    progress = progress or _noop
    out = Path(out_dir).expanduser()
    wording = ListWording.load(template_dir)
    with Session(engine) as s:
        info = pick_plans(s, plan, single=True, region=region)[0]
        unit_ids = pick_unit_ids(s, unit)
        if unit_id is not None:
            unit_ids = {unit_id} if unit_ids is None else unit_ids & {unit_id}
        data = list_data(s, info, unit_ids)
    if not data.units:
        which = f"单位“{unit}”在此计划中" if unit else "此计划"
        raise DubanError(f"{which}没有落实到具体单位的任务，没有可印发的清单：{info.title}")
    docs = [
        build_unit_list(
            u,
            data.rows[u.id],
            info,
            issued_on=issued_on,
            office=office,
            wording=wording,
            draft=draft,
        )
        for u in data.units
    ]
    _prepare_dir(out)
    stems = unique_stems([(d.unit_id, d.unit_name) for d in docs], suffix="任务清单")
    result = ListsResult(info.id, info.title, out, issued_on, unresolved=data.unresolved)
    total = len(docs)
    # Files are written into a hidden folder beside their place and moved in only once the
    # register has them: a failure anywhere leaves the lists already in the folder (an
    # earlier issue) as they were, and the register never names a file that is not there.
    try:
        staging = Path(tempfile.mkdtemp(prefix=".duban-lists-", dir=out))
    except OSError as exc:
        raise DubanError(f"无法在输出文件夹中写入：{out}（{os_reason(exc)}）") from exc
    moved: list[Path] = []
    workdir = None
    try:
        fonts = widths = None
        if pdf:
            from tui.reports.pdf_writer import batch_fonts, new_widths, write_list_pdf

            workdir = tempfile.TemporaryDirectory(prefix="duban-fonts-")
            fonts = batch_fonts(
                (t for d in docs for t in d.body_texts()),
                (t for d in docs for t in d.title_texts()),
                Path(workdir.name),
            )
            widths = new_widths()
        for n, doc in enumerate(docs):
            progress(n, total, doc.unit_name)
            stem = stems[doc.unit_id]
            entry = WrittenList(doc.unit_id, doc.unit_name, len(doc.items))
            kinds = ["docx", "xlsx", "pdf"] if pdf else ["docx", "xlsx"]
            for kind in kinds:
                path = staging / f"{stem}.{kind}"
                if kind == "docx":
                    write_docx(path, list_blocks(doc))
                elif kind == "xlsx":
                    write_xlsx(path, [list_sheet(doc)])
                else:
                    write_list_pdf(path, doc, fonts, widths)
                entry.files.append({"name": path.name, "type": kind, "sha256": file_sha256(path)})
            result.lists.append(entry)
        progress(total, total, "")

        def move_in() -> None:
            for w in result.lists:
                for f in w.files:
                    target = out / f["name"]
                    os.replace(staging / f["name"], target)
                    moved.append(target)

        if draft:
            move_in()
        else:
            with transaction(engine) as s:
                register_lists(
                    s,
                    info,
                    [(w.unit_id, w.items, w.files) for w in result.lists],
                    issued_on,
                    actor,
                )
                result.batch = s.info["batch"]
                move_in()  # a failure here rolls the registration back
            result.registered = True
    except OSError as exc:
        _remove(moved)
        where = f"：{exc.filename}" if exc.filename else ""
        raise DubanError(
            f"无法写入清单文件{where}（{os_reason(exc)}），本次未登记任何清单"
        ) from exc
    except BaseException:
        _remove(moved)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if workdir is not None:
            workdir.cleanup()
    return result


def _remove(paths: list[Path]) -> None:
    """Never leave lists on disk that the register does not know about (lists moved in
    before a failed commit)."""
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass


# ----------------------------------------------------------------------------- ledger export


@dataclass
class LedgerExport:
    path: Path
    as_of: date
    rows: int
    sheets: list[tuple[int, str, int]]  # (plan id, title, rows)
    statuses: Counter


def export_ledger(
    engine: Engine,
    path: str | Path,
    *,
    as_of: date,
    plan: str | None = None,
    unit: str | None = None,
    region: str | None = None,
    soon_days: int = 15,
    progress: Progress | None = None,
) -> LedgerExport:
    """Every live assignment (of a plan, of a unit) with its status as of a date."""
    from tui.clock import now
    from tui.domain.status import Status
    from tui.reports.ledger import LedgerRow, PlanSheet, SummaryLine, deadline_cell, write_ledger
    from tui.reports.text import ROLE_ORDER
    from tui.store.reports import ledger_read, pick_plans, pick_unit_ids, store_secret

    progress = progress or _noop
    path = Path(path).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise DubanError(f"台账文件名应以 .xlsx 结尾：{path.name}")
    if not path.parent.is_dir():
        raise DubanError(f"保存台账的文件夹不存在：{path.parent}")
    progress(0, 0, "读取数据库")
    with Session(engine) as s:
        plans = pick_plans(s, plan, region=region)
        unit_ids = pick_unit_ids(s, unit)
        plan_ids = {p.id for p in plans} if plan or region else None
        read, extras = ledger_read(
            s, as_of=as_of, plan_ids=plan_ids, unit_ids=unit_ids, soon_days=soon_days
        )
        secret = store_secret(s)
    cols = read.cols
    if not cols.ids:
        raise DubanError("没有符合条件的落实事项，未生成台账")
    # The rows are the board's columns, judged as the desk judges them; only the ledger's
    # own row (LedgerRow) is built per assignment.
    role_rank = {r: i for i, r in enumerate(ROLE_ORDER)}
    tasks, board_tasks = extras.tasks, cols.tasks
    units, groups = cols.units, cols.groups
    ids, task_ids, uids, gids = cols.ids, cols.task_ids, cols.unit_ids, cols.group_ids
    roles, due_overrides = cols.roles, cols.overrides
    statuses, texts = read.verdicts.statuses, read.last_texts

    def unit_name(i: int) -> str:
        named = units.get(uids[i])
        return named[0] if named is not None else groups.get(gids[i], "")

    names = [unit_name(i) for i in range(len(ids))]

    def order(i: int) -> tuple:
        tid = task_ids[i]
        return (board_tasks[tid][0], tasks[tid][3], tid, role_rank.get(roles[i], 9), names[i])

    by_plan: dict[int, list] = {}
    counts: dict[int, Counter] = {}
    deadlines: dict = {}
    words, overrides, letters = extras.words, extras.overrides, extras.letters
    overdue = Status.OVERDUE
    for i in sorted(range(len(ids)), key=order):
        aid, tid, st = ids[i], task_ids[i], statuses[i]
        plan_id, plan_title, _number, _title, due_dates, recurring, _kind = board_tasks[tid]
        if due_overrides[i] is not None:
            due_dates, recurring = (due_overrides[i],), False
        key, text, section, _pos = tasks[tid]
        status = st.status.value
        extended = aid in overrides
        # One wording per task's dates (a task's units share them); extensions differ.
        dkey = (tid, due_dates) if extended else tid
        deadline = deadlines.get(dkey)
        if deadline is None:
            deadline = deadlines[dkey] = deadline_cell(
                due_dates, recurring, words.get(tid, ""), override=extended
            )
        row = LedgerRow(
            aid,
            plan_title,
            section,
            key,
            text,
            names[i] if uids[i] is not None else f"{names[i]}（待分解）",
            roles[i],
            deadline,
            status,
            st.days if st.status is overdue else None,
            texts.get(aid, ""),
            letters.get(aid, ""),
        )
        rows = by_plan.get(plan_id)
        if rows is None:
            rows = by_plan[plan_id] = []
            counts[plan_id] = Counter()
        rows.append(row)
        counts[plan_id][status] += 1
    sheets = [
        PlanSheet(pid, extras.plans[pid].title, rows) for pid, rows in sorted(by_plan.items())
    ]
    summary = [SummaryLine(s.plan_title, dict(counts[s.plan_id])) for s in sheets]
    total = len(ids)
    progress(0, total, "写入台账")
    try:
        write_ledger(
            path,
            sheets,
            summary,
            secret=secret,
            as_of=as_of,
            exported_at=now(),
            on_rows=lambda n: progress(n, total, "写入台账"),
        )
    except OSError as exc:
        raise DubanError(f"无法写入台账文件：{path}（{os_reason(exc)}）") from exc
    progress(total, total, "")
    all_counts: Counter = Counter()
    for c in counts.values():
        all_counts.update(c)
    return LedgerExport(
        path,
        as_of,
        total,
        [(s.plan_id, s.plan_title, len(s.rows)) for s in sheets],
        all_counts,
    )


# ----------------------------------------------------------------------------- ledger import


def _plan(session: Session, ledger, as_of: date):
    from tui.reports.ledger import store_tag
    from tui.reports.ledger_import import plan_import, rows_by_id
    from tui.store.reports import import_targets, store_secret

    secret = store_secret(session)
    if ledger.tag is not None and ledger.tag != store_tag(secret):
        raise DubanError(
            f"{ledger.name} 不是从本数据库导出的台账（台账标识 {ledger.tag}，本库 "
            f"{store_tag(secret)}），未导入任何内容"
        )
    targets = import_targets(session, rows_by_id(ledger.rows))
    return plan_import(ledger, targets, secret=secret, as_of=as_of)


def preview_ledger_import(engine: Engine, path: str | Path, *, as_of: date):
    """What importing the file would change (tui.reports.ledger_import.ImportPlan); writes
    nothing."""
    from tui.reports.ledger_read import read_ledger

    ledger = read_ledger(Path(path).expanduser())
    with Session(engine) as s:
        return _plan(s, ledger, as_of)


def apply_ledger_import(
    engine: Engine,
    path: str | Path,
    *,
    as_of: date,
    actor: str,
    expect: str | None = None,
):
    """Apply the file's changes in one transaction; ``expect`` is the fingerprint of the
    preview the user saw (the import is refused if file or store changed since)."""
    from tui.reports.ledger_import import CLOSE, PROGRESS
    from tui.reports.ledger_read import read_ledger
    from tui.store.db import transaction
    from tui.store.progress import close, record_progress
    from tui.store.reports import record_ledger_import

    ledger = read_ledger(Path(path).expanduser())
    with Session(engine) as s:  # a no-op import opens no write transaction at all
        plan = _plan(s, ledger, as_of)
    if expect is not None and plan.fingerprint() != expect:
        raise DubanError("预览之后台账文件或数据库有了变化，未导入；请重新运行以查看新的变更")
    if not plan.changes:
        return plan
    with transaction(engine) as s:
        plan.batch = s.info["batch"]
        again = _plan(s, ledger, as_of)
        if again.fingerprint() != plan.fingerprint():
            raise DubanError("导入期间数据库有了变化，未导入；请重新运行")
        for c in plan.changes:
            if c.kind == PROGRESS:
                record_progress(s, c.assignment_id, c.text, c.on, actor)
            elif c.kind == CLOSE:
                close(s, c.assignment_id, c.on, actor)
        record_ledger_import(
            s,
            actor,
            {
                "file": ledger.name,
                "sha256": ledger.sha256,
                "as_of": as_of,
                "progress": sum(1 for c in plan.changes if c.kind == PROGRESS),
                "closed": sum(1 for c in plan.changes if c.kind == CLOSE),
                "assignments": sorted(plan.assignments),
                "rejected_rows": len(plan.problems),
            },
        )
    return plan


# ----------------------------------------------------------------------------- year figures


def year_summary(
    engine: Engine,
    year: int,
    *,
    today: date,
    soon_days: int = 15,
    template_dir: Path | None = None,
    region: str | None = None,
):
    """The year's figures and paragraph (tui.reports.summary.YearFigures); reads only. With
    ``region``, one county's figures in a city store."""
    from tui.reports.summary import year_figures
    from tui.store.overdue_listing import judge_candidates, overdue_positions
    from tui.store.reports import year_counts

    if not 1990 <= year <= 2100:
        raise DubanError(f"年度“{year}”不正确：请写四位年份，如 2024")
    if year > today.year:
        raise DubanError(f"{year}年还没有开始（今天是 {today.isoformat()}）")
    as_of = min(date(year, 12, 31), today)
    with Session(engine) as s:
        counts = year_counts(s, year, as_of, region)
        plan_ids = {p.id for p in counts.plans}
        overdue = 0
        if plan_ids:
            from tui.store.dialect import board_reader

            # the rows that can be overdue, as columns: a count needs no object per row
            cols, verdicts, _ = judge_candidates(
                board_reader(s.connection()), as_of, plan_ids=plan_ids, soon_days=soon_days
            )
            units = cols.unit_ids
            overdue = sum(units[i] is not None for i in overdue_positions(verdicts))
    return year_figures(counts, overdue, template_dir)
