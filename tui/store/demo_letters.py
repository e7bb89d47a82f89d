"""The demo store's letters: a realistic register as of the demo date.

Warnings (提醒函) went out six weeks earlier; one unit replied, one did not (逾期未复 by
now, so its items climb to 督办); reminders (提示函) went out ten days earlier; one letter was
voided and reissued; this week's 督办函 wait as drafts for sign-off. All deterministic.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tui.config import Settings
from tui.domain.calendar import WorkCalendar
from tui.store.letters import (
    draft_letters,
    due_proposals,
    record_reply,
    sign_letters,
    void_letter,
)

ACTOR = "演示"
SIGNER = "王主任"
DEMO_SETTINGS = replace(
    Settings(),
    office="全面依法治区委员会办公室",
    issuer_mark="全面依法治区委员会办公室",
    contact="张三",
    phone="0477-0000000",
    cc="分管领导",
)


def _draft(engine: Engine, kind: str, as_of: date, cal: WorkCalendar, units: int) -> list[int]:
    """Drafts of one kind for the first `units` units the ladder proposes it for."""
    with Session(engine, expire_on_commit=False) as s:
        report = due_proposals(s, as_of, settings=DEMO_SETTINGS, calendar=cal)
        names = [g.unit_name for g in report.groups if g.kind == kind][:units]
        ids: list[int] = []
        for name in names:
            drafts = draft_letters(
                s,
                kind,
                as_of,
                unit=str(_unit_id(report, name)),
                actor=ACTOR,
                settings=DEMO_SETTINGS,
                calendar=cal,
            )
            ids.extend(d.id for d in drafts)
        s.commit()
        return ids


def _workday(cal: WorkCalendar, d: date) -> date:
    """Letters go out on working days: the first one on or after `d`."""
    while not cal.is_workday(d):
        d += timedelta(days=1)
    return d


def _reminder_date(engine: Engine, as_of: date) -> date:
    """Five days before the latest deadline of the last two months: when 提示函 go out."""
    from tui.store.board import load_columns
    from tui.store.dialect import board_reader

    with engine.connect() as conn:
        cols = load_columns(board_reader(conn), as_of=as_of)
    # every row's deadlines: its task's, or the extension granted to it
    used = {t for t, o in zip(cols.task_ids, cols.overrides, strict=True) if o is None}
    dues = [d for t in used for d in cols.tasks[t][4]] + [o for o in cols.overrides if o]
    window = [d for d in dues if as_of - timedelta(days=60) < d <= as_of]
    return (max(window) if window else as_of) - timedelta(days=5)


def _unit_id(report, name: str) -> int:
    return next(g.unit_id for g in report.groups if g.unit_name == name)


def _sign(engine: Engine, ids: list[int], on: date, cal: WorkCalendar) -> None:
    if ids:
        sign_letters(engine, ids, SIGNER, on=on, actor=ACTOR, settings=DEMO_SETTINGS, calendar=cal)


def add_demo_letters(engine: Engine, as_of: date) -> int:
    """Issue the demo's letters; returns how many letters the register holds."""
    cal = WorkCalendar.from_dir()
    warned_on = _workday(cal, as_of - timedelta(days=42))
    warnings = _draft(engine, "提醒", warned_on, cal, 4)
    _sign(engine, warnings, warned_on, cal)
    with Session(engine, expire_on_commit=False) as s:
        if warnings:
            record_reply(
                s,
                warnings[0],
                warned_on + timedelta(days=4),
                "已召开专题会议研究部署，相关工作正在推进，预计本月底前完成。",
                ACTOR,
            )
        if len(warnings) > 2:
            void_letter(s, warnings[2], "主送单位名称有误，作废后重新起草", ACTOR)
        s.commit()
    reminded_on = _workday(cal, _reminder_date(engine, as_of))
    reminders = _draft(engine, "提示", reminded_on, cal, 3)
    _sign(engine, reminders, reminded_on, cal)
    _draft(engine, "督办", as_of, cal, 2)
    with Session(engine) as s:
        from sqlalchemy import func, select

        from tui.store.letter_models import Letter

        return s.exec(select(func.count()).select_from(Letter)).one()[0]
