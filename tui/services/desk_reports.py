"""The office's documents at the desk: unit task lists, the ledger round trip, the year's
figures — the command line's use cases (tui.services.reports) called with the desk's store
handle from a thread worker.

Reads return plain values the screens show (what a confirmation must state before anything
is written); writes return a `Change` (final: a list issue or a ledger import cannot be
undone with `u`; both are in the audit trail). The `progress` callbacks are passed through
as they are: the desk turns them into `call_from_thread` updates of its progress dialog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import Session

from tui.errors import DubanError, os_reason
from tui.services import reports
from tui.services.desk import Change
from tui.services.store import Store

if TYPE_CHECKING:
    from tui.reports.summary import YearFigures

FORMAT_NAMES = {"docx": "Word", "xlsx": "Excel", "pdf": "PDF"}


# ----------------------------------------------------------------------------- unit lists


@dataclass(frozen=True)
class PlanLists:
    """What issuing a plan's lists would write: one list per unit with items."""

    plan_id: int
    title: str
    units: int
    items: int
    unresolved: int  # assignments still on a group: on nobody's list
    issued_before: int  # lists of this plan already registered (for these units)
    unit_name: str = ""  # set when one unit's list is asked for


def lists_dir(store: Store) -> Path:
    return reports.default_lists_dir(store.db)


def lists_choices(store: Store, unit_id: int | None = None) -> list[PlanLists]:
    """Every plan with what its lists (of one unit, with ``unit_id``) would hold."""
    from tui.store.reports import all_plans, issued_lists, list_data

    out = []
    with Session(store.engine) as s:
        for info in all_plans(s):
            data = list_data(s, info, {unit_id} if unit_id is not None else None)
            if not data.units:
                continue
            before = issued_lists(s, info.id, unit_id)
            out.append(
                PlanLists(
                    info.id,
                    info.title,
                    len(data.units),
                    sum(len(r) for r in data.rows.values()),
                    data.unresolved,
                    before,
                    data.units[0].name if unit_id is not None else "",
                )
            )
    return out


def issue_lists(
    store: Store,
    plan_id: int,
    *,
    unit_id: int | None,
    out_dir: Path,
    pdf: bool,
    issued_on: date,
    actor: str,
    progress=None,
) -> Change:
    """Write and register the lists (one transaction; no half-registered issue)."""
    settings = _settings()
    result = reports.write_unit_lists(
        store.engine,
        out_dir=out_dir,
        plan=str(plan_id),
        unit_id=unit_id,
        pdf=pdf,
        issued_on=issued_on,
        actor=actor,
        office=settings.office if settings else "",
        template_dir=_template_dir(settings),
        progress=progress,
    )
    names = [f["name"] for w in result.lists for f in w.files]
    message = (
        f"已印发并登记《{result.plan_title}》任务清单 {len(result.lists)} 份"
        f"（{result.files} 个文件，保存在 {result.out_dir}），印发日期 {issued_on.isoformat()}"
    )
    if result.unresolved:
        message += f"；另有 {result.unresolved} 个落实事项仍是待分解的单位组，未列入清单"
    return Change(
        message,
        result.batch,
        "印发清单",
        final=True,
        details=[str(result.out_dir / n) for n in names],
    )


def _settings():
    from tui.services.settings import office_settings

    return office_settings()


def _template_dir(settings) -> Path | None:
    value = settings.templates_dir if settings else ""
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise DubanError(f"模板目录不存在：{path}（见设置文件的 templates_dir）")
    return path


# ----------------------------------------------------------------------------- ledger


def ledger_dir(store: Store) -> Path:
    return reports.reports_dir(store.db, "台账")


def default_ledger_path(store: Store, as_of: date) -> Path:
    return ledger_dir(store) / f"台账-{as_of.isoformat()}.xlsx"


def export_ledger(
    store: Store, path: Path, *, as_of: date, soon_days: int, progress=None
) -> reports.LedgerExport:
    """The whole store's ledger as of a date (reads only; the default folder is created)."""
    path = Path(path).expanduser()
    if path.parent == ledger_dir(store) and not path.parent.exists():
        try:
            path.parent.mkdir(parents=True, mode=0o700)
        except OSError as exc:
            raise DubanError(f"无法创建文件夹：{path.parent}（{os_reason(exc)}）") from None
    return reports.export_ledger(
        store.engine, path, as_of=as_of, soon_days=soon_days, progress=progress
    )


def preview_ledger(store: Store, path: Path, *, as_of: date):
    """What importing the file would change (tui.reports.ledger_import.ImportPlan)."""
    return reports.preview_ledger_import(store.engine, path, as_of=as_of)


def apply_ledger(store: Store, path: Path, *, as_of: date, actor: str, expect: str) -> Change:
    """Apply the previewed changes (refused if file or store changed since the preview)."""
    plan = reports.apply_ledger_import(store.engine, path, as_of=as_of, actor=actor, expect=expect)
    if not plan.changes:
        return Change(f"台账 {plan.file} 没有需要写入的变更，数据库未改动")
    progress = sum(1 for c in plan.changes if c.kind == "progress")
    closed = len(plan.changes) - progress
    return Change(
        f"已导入台账 {plan.file}：{len(plan.assignments)} 个落实事项，新增进展 {progress} 条，"
        f"销号 {closed} 条（已记入操作记录）",
        plan.batch,
        "导入台账",
        final=True,
    )


# ----------------------------------------------------------------------------- the year


def year_figures(
    store: Store, year: int, *, today: date, soon_days: int, region: str | None = None
) -> YearFigures:
    """`duban summary --year` for the desk (tui.reports.summary.YearFigures); with
    ``region``, the desk's region's figures."""
    return reports.year_summary(
        store.engine,
        year,
        today=today,
        soon_days=soon_days,
        template_dir=_template_dir(_settings()),
        region=region,
    )


def save_paragraph(store: Store, year: int, text: str) -> Path:
    """The paragraph as a UTF-8 text file beside the store (when the terminal cannot copy)."""
    folder = reports.reports_dir(store.db, "年度数字")
    path = folder / f"{year}年度总结段落.txt"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise DubanError(f"无法保存段落：{path}（{os_reason(exc)}）") from None
    return path
