"""Every sentence a letter states comes from the store, as of the letter's date: earlier
letters and replies in the 督办函, the draft's as-of date against the signing date, the
check before signing, the plan's period in the title, merged and recurring rows."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from tests.conftest import SEED001, SEED002
from tui.config import Settings
from tui.domain.calendar import WorkCalendar
from tui.errors import DubanError
from tui.store import letters as L
from tui.store.db import make_engine, transaction
from tui.store.letter_models import Letter, LetterItem
from tui.store.models import Assignment, Task, Unit
from tui.store.progress import record_progress

ACTOR = "测试员"
SETTINGS = Settings(
    region="阿拉善左旗",
    contact="李某",
    phone="0483-1234567",
    letter_prefix={"提示": "左依法治办提", "提醒": "左依法治办醒", "督办": "左依法治办督"},
)
CAL = WorkCalendar.from_dir()
WARN_DAY = date(2025, 1, 15)  # plan 002's tasks fall due 2024-12-31: 15 days overdue
SUP_DAY = date(2025, 2, 10)  # 41 days overdue: 督办函


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def engine(cli, db):
    assert cli("import", str(SEED002)).code == 0
    eng = make_engine(str(db))
    with transaction(eng) as s:  # a 督办函 names the unit head
        for u in s.exec(select(Unit)).all():
            u.head = "某某主任"
    yield eng
    eng.dispose()


def _draft(engine, kind: str, as_of: date, unit: str | None = None) -> list[Letter]:
    with transaction(engine) as s:
        return list(L.draft_letters(s, kind, as_of, unit, ACTOR, settings=SETTINGS, calendar=CAL))


def _sign(engine, ids, on: date):
    return L.sign_letters(engine, ids, "张主任", on=on, settings=SETTINGS, calendar=CAL)


def _render(engine, ids, out: Path):
    return L.render_letters(engine, ids, out, actor=ACTOR, settings=SETTINGS, calendar=CAL)


def _unit_of(engine, letter_id: int) -> str:
    with Session(engine) as s:
        return s.get(Unit, s.get(Letter, letter_id).unit_id).name


def test_supervision_letter_names_the_earlier_warning_only_where_one_went(engine, tmp_path):
    """Done-when 1: unit A got a 提醒函 (no reply); unit B got none. The 督办函 to A names
    that letter's number and date; the one to B says nothing about earlier letters."""
    warns = _draft(engine, "提醒", WARN_DAY)
    a = next(x for x in warns if _unit_of(engine, x.id) == "旗司法局")
    (signed_a,) = _sign(engine, [a.id], WARN_DAY)
    assert signed_a.number == "左依法治办醒〔2025〕1号"
    with transaction(engine) as s:  # the other warnings are never sent
        for x in warns:
            if x.id != a.id:
                L.void_letter(s, x.id, "不发", ACTOR)
    sups = _draft(engine, "督办", SUP_DAY)
    sup_a = next(x for x in sups if _unit_of(engine, x.id) == "旗司法局")
    sup_b = next(x for x in sups if _unit_of(engine, x.id) == "旗人大办")
    _sign(engine, [sup_a.id, sup_b.id], SUP_DAY)
    done = {r.letter_id: r for r in _render(engine, [sup_a.id, sup_b.id], tmp_path / "out")}
    text_a = flat(pdf_text(done[sup_a.id].pdf))
    text_b = flat(pdf_text(done[sup_b.id].pdf))
    assert "已于2025年1月15日以左依法治办醒〔2025〕1号函提醒，至今未见书面回复" in text_a
    assert "左依法治办醒〔2025〕1号" in text_a  # also in its attachment's 此前函件 column
    for claim in ("此前", "已于", "函提醒", "函提示", "未见", "书面回复，"):
        assert claim not in text_b, claim
    assert "函件" not in text_b.split("附件")[-1]  # no item has one: no 此前函件 column
    assert "截至2025年2月10日仍未完成" in text_b
    # drafting, signing and rendering in bulk keep the audit trail's hash chain whole
    from tui.store.audit import verify_chain

    with engine.connect() as conn:
        report = verify_chain(conn)
    assert report.broken is None and report.rows > 10


def test_a_reply_is_stated_as_a_reply(engine, tmp_path):
    warns = _draft(engine, "提醒", WARN_DAY, unit="旗司法局")
    _sign(engine, [warns[0].id], WARN_DAY)
    with transaction(engine) as s:
        L.record_reply(s, warns[0].id, date(2025, 1, 20), "正在推进", ACTOR)
    # the items still overdue ≥ 30 days a month later
    sups = _draft(engine, "督办", SUP_DAY, unit="旗司法局")
    with Session(engine) as s:
        _, model = L.letter_model(s, sups[0].id, settings=SETTINGS, calendar=CAL)
    body = "".join(model.body_paragraphs)
    assert "以左依法治办醒〔2025〕1号函提醒，贵单位已于2025年1月20日书面回复" in body
    assert "未见" not in body


def test_signing_date_is_the_letter_date_and_the_check_shows_both(engine, cli, tmp_path):
    """A draft keeps its as-of date; signing dates the letter and recounts the days; the
    check before signing names the number, both dates and progress reported since."""
    (draft,) = _draft(engine, "提醒", WARN_DAY, unit="旗司法局")
    sign_day = date(2025, 1, 20)
    with Session(engine) as s:
        items = s.exec(select(LetterItem).where(LetterItem.letter_id == draft.id)).all()
        aid = items[0].assignment_id
    with transaction(engine) as s:
        record_progress(s, aid, "已完成调研，正在起草", date(2025, 1, 17), ACTOR)
    with Session(engine) as s:
        (check,) = L.sign_check(s, [draft.id], sign_day, settings=SETTINGS, calendar=CAL)
        _, preview = L.letter_model(s, draft.id, settings=SETTINGS, calendar=CAL, on=sign_day)
    assert check.number == "左依法治办醒〔2025〕1号"
    assert check.as_of == WARN_DAY and check.sign_date == sign_day and check.dates_differ
    assert [(f.assignment_id, f.on, f.what) for f in check.flags] == [
        (aid, date(2025, 1, 17), "报来进展")
    ]
    assert "起草截至 2025-01-15，签发日期 2025-01-20" in check.summary()
    assert preview.date == sign_day and preview.as_of == WARN_DAY
    assert {it.days for it in preview.items} == {"逾期20天"}
    from tui.letters.compose import preview_text

    assert "起草时事实截至 2025-01-15；函件日期 2025-01-20" in preview_text(preview)
    # nothing was written by the check
    with Session(engine) as s:
        assert s.get(Letter, draft.id).number is None

    # the command line refuses without --yes, says why, and writes nothing
    res = cli("letters", "sign", str(draft.id), "--by", "张主任", "--date", "2025-01-20")
    assert res.code == 2 and "起草后报来进展" in res.err
    assert "已完成调研" in res.out and "将编号" in res.out
    res = cli("letters", "sign", str(draft.id), "--by", "张主任", "--date", "2025-01-20", "--check")
    assert res.code == 0
    with Session(engine) as s:
        assert s.get(Letter, draft.id).number is None
    (signed,) = _sign(engine, [draft.id], sign_day)
    assert signed.issued_on == sign_day and signed.as_of == WARN_DAY
    with Session(engine) as s:
        _, model = L.letter_model(s, draft.id, settings=SETTINGS, calendar=CAL)
    assert model.date == sign_day and {it.days for it in model.items} == {"逾期20天"}


def test_closed_item_blocks_signing_in_the_check(engine):
    (draft,) = _draft(engine, "提醒", WARN_DAY, unit="旗司法局")
    from tui.store.progress import close

    with Session(engine) as s:
        aid = (
            s.exec(select(LetterItem).where(LetterItem.letter_id == draft.id)).first().assignment_id
        )
    with transaction(engine) as s:
        close(s, aid, date(2025, 1, 16), ACTOR)
    with Session(engine) as s:
        (check,) = L.sign_check(s, [draft.id], date(2025, 1, 17), settings=SETTINGS, calendar=CAL)
    assert any("已" in p and "销号" in p for p in check.problems)
    with pytest.raises(DubanError, match="已销号"):
        _sign(engine, [draft.id], date(2025, 1, 17))


def test_title_year_from_the_plan_period(cli, db, tmp_path, monkeypatch):
    cfg = tmp_path / "s.toml"
    cfg.write_text('region = "东胜区"\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    assert cli("import", str(SEED001)).code == 0
    eng = make_engine(str(db))
    with transaction(eng) as s:
        drafts = L.draft_letters(s, "督办", date(2024, 3, 15), None, ACTOR, calendar=CAL)
    with Session(eng) as s:
        _, model = L.letter_model(s, drafts[0].id, calendar=CAL)
    assert "2020—2025年" in model.title and "年度" not in model.title
    assert model.signature == "中共东胜区委全面依法治区委员会办公室"
    eng.dispose()


def test_lead_and_responsible_for_one_task_is_one_row(engine, tmp_path):
    with transaction(engine) as s:
        unit = s.exec(select(Unit).where(Unit.name == "旗司法局")).one()
        lead = s.exec(
            select(Assignment).where(Assignment.unit_id == unit.id, Assignment.role == "lead")
        ).first()
        s.add(
            Assignment(
                task_id=lead.task_id,
                unit_id=unit.id,
                role="responsible",
                created_at=datetime.now(UTC),
            )
        )
        full = s.get(Task, lead.task_id).text
    (draft,) = _draft(engine, "提醒", WARN_DAY, unit="旗司法局")
    with Session(engine) as s:
        stored = s.exec(select(LetterItem).where(LetterItem.letter_id == draft.id)).all()
        _, model = L.letter_model(s, draft.id, settings=SETTINGS, calendar=CAL)
    assert sum(1 for it in stored if it.task_id == lead.task_id) == 2
    rows = [it for it in model.items if it.title == full]
    assert len(rows) == 1 and rows[0].roles == ("牵头", "责任")
    assert len(model.items) == len(stored) - 1
    assert all("…" not in it.title for it in model.items)


def test_recurring_task_lists_the_missed_occurrences(engine):
    with transaction(engine) as s:
        unit = s.exec(select(Unit).where(Unit.name == "旗司法局")).one()
        a = s.exec(select(Assignment).where(Assignment.unit_id == unit.id)).first()
        task = s.get(Task, a.task_id)
        task.due_dates = "2024-03-31,2024-06-30,2024-09-30,2024-12-31,2025-03-31"
        task.due_recurring = True
        task.due_first = "2024-03-31"
        task_id = task.id
    with transaction(engine) as s:
        record_progress(s, a.id, "一季度已报送", date(2024, 3, 20), ACTOR)
    # the first missed occurrence (2024-06-30) is 199 days past: a 督办函
    (draft,) = _draft(engine, "督办", WARN_DAY, unit="旗司法局")
    with Session(engine) as s:
        _, model = L.letter_model(s, draft.id, settings=SETTINGS, calendar=CAL)
        item = s.exec(
            select(LetterItem).where(
                LetterItem.letter_id == draft.id, LetterItem.task_id == task_id
            )
        ).one()
    assert item.missed == "2024-06-30,2024-09-30,2024-12-31"
    row = next(it for it in model.items if it.missed)
    assert row.missed == ("2024年6月30日", "2024年9月30日", "2024年12月31日")
    assert row.deadline == "2024年6月30日"


def test_letters_list_and_render_accept_a_batch(cli, engine, tmp_path):
    res = cli("letters", "draft", "--kind", "提醒", "--as-of", "2025-01-15", "--format", "json")
    drafted = res.json()
    short = drafted["batch"][:8]
    res = cli("letters", "sign", "--batch", short, "--by", "张主任", "--date", "2025-01-15")
    assert res.code == 0, res.err
    assert f"已签发 {len(drafted['ids'])} 件" in res.out
    res = cli("letters", "render", "--batch", short, "--out", str(tmp_path / "out"))
    assert res.code == 0, res.err
    assert "后备字体" in res.out  # which font was used
    log = (tmp_path / "out" / L.RENDER_LOG).read_text(encoding="utf-8")
    assert f"生成 {len(drafted['ids'])} 件函件" in log and "DubanSerifSC-Regular.ttf" in log
    assert len(list((tmp_path / "out").glob("*.pdf"))) == len(drafted["ids"])


@pytest.mark.parametrize("start", [3, 6])
def test_migration_adds_the_item_columns(tmp_path, start):
    """3 → 4 adds letter_item's columns; a store made at 6 by a release built without the
    letters step gets them from 6 → 7."""
    db = tmp_path / "old.db"
    eng = make_engine(str(db))
    eng.dispose()
    con = sqlite3.connect(db)
    for col in ("task_id", "role", "missed", "progress_on"):
        con.execute(f"ALTER TABLE letter_item DROP COLUMN {col}")
    con.execute("UPDATE meta SET value = :v WHERE key = 'schema_version'", {"v": str(start)})
    con.commit()
    con.close()
    eng = make_engine(str(db))
    eng.dispose()
    con = sqlite3.connect(db)
    cols = {r[1] for r in con.execute("PRAGMA table_info(letter_item)")}
    assert {"task_id", "role", "missed", "progress_on"} <= cols
    from tui.store.models import SCHEMA_VERSION

    version = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    assert version == str(SCHEMA_VERSION)
    con.close()


def test_frozen_wording_survives_template_and_settings_changes(engine, tmp_path):
    (draft,) = _draft(engine, "提醒", WARN_DAY, unit="旗司法局")
    (signed,) = _sign(engine, [draft.id], WARN_DAY)
    frozen = json.loads(signed.body)
    assert frozen["frozen"] and frozen["signature"] == "中共阿拉善左旗委全面依法治旗委员会办公室"
    with Session(engine) as s:
        _, model = L.letter_model(
            s, draft.id, settings=replace(SETTINGS, office="别的机关"), calendar=CAL
        )
    assert model.signature == frozen["signature"]


def test_an_item_pushed_up_by_hand_is_drafted_although_not_overdue(engine):
    """Drafting 提醒/督办 reads only overdue items — and those pushed up by hand."""
    early = date(2024, 11, 1)  # 60 days before the deadline: no rung of its own
    with Session(engine) as s:
        unit = s.exec(select(Unit).where(Unit.name == "旗司法局")).one()
        aid = s.exec(select(Assignment).where(Assignment.unit_id == unit.id)).first().id
    with transaction(engine) as s:
        L.push_item(s, aid, "督办", "上级交办，重点督办", ACTOR)
    (draft,) = _draft(engine, "督办", early)
    with Session(engine) as s:
        items = s.exec(select(LetterItem).where(LetterItem.letter_id == draft.id)).all()
    assert [it.assignment_id for it in items] == [aid]
    assert _draft(engine, "提醒", early) == []
