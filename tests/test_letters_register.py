"""The letters register on a real store: drafting by the ladder, sign-off, void, replies,
reply-late escalation, immutability, template errors, the 督办函 head rule, long lists."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import text
from sqlmodel import Session, select

from tests.conftest import SEED002
from tui.config import Settings
from tui.domain.calendar import WorkCalendar
from tui.errors import DubanError
from tui.paths import data_dir
from tui.store import letters as L
from tui.store.db import make_engine, transaction
from tui.store.dialect import board_reader
from tui.store.facts import load_facts
from tui.store.letter_models import (
    DRAFT,
    PRINTED,
    REPLIED,
    REPLY_LATE,
    SIGNED,
    VOID,
    Letter,
    LetterItem,
)
from tui.store.models import Assignment, Unit
from tui.store.progress import close, record_progress

pytestmark = pytest.mark.both_stores

AS_OF = date(2025, 1, 15)  # plan 002's tasks fall due 2024-12-31: overdue 15 days
ACTOR = "测试员"
SETTINGS = Settings(
    office="阿拉善左旗全面依法治旗委员会办公室",
    issuer_mark="中共阿拉善左旗委员会全面依法治旗委员会办公室",
    letter_prefix={"提示": "左依法治办提", "提醒": "左依法治办醒", "督办": "左依法治办督"},
    contact="李某",
    phone="0483-1234567",
    cc="旗委、旗政府主要领导",
)
CAL = WorkCalendar.from_dir()


@pytest.fixture
def engine(cli, db):
    assert cli("import", str(SEED002)).code == 0
    eng = make_engine(str(db))
    yield eng
    eng.dispose()


def _overdue_by_unit(cli, as_of: date) -> dict[str, set[int]]:
    """The expected items, from the independent `duban overdue` command."""
    res = cli("overdue", "--as-of", as_of.isoformat(), "--format", "json")
    assert res.code == 0, res.err
    out: dict[str, set[int]] = defaultdict(set)
    for row in res.json():
        if row["unresolved_group"]:
            continue
        out[row["unit"]].add(row["assignment_id"])
    return dict(out)


def _draft(engine, kind: str, as_of: date = AS_OF, **kw) -> L.DraftResult:
    with transaction(engine) as s:
        return L.draft_letters(s, kind, as_of, actor=ACTOR, settings=SETTINGS, calendar=CAL, **kw)


def _items(engine, letter_id: int) -> list[LetterItem]:
    with Session(engine) as s:
        return list(
            s.exec(
                select(LetterItem)
                .where(LetterItem.letter_id == letter_id)
                .order_by(LetterItem.position)
            ).all()
        )


def _sign(engine, ids, on: date = AS_OF, **kw):
    return L.sign_letters(engine, ids, "张主任", on=on, settings=SETTINGS, calendar=CAL, **kw)


def _unit_assignments(engine, name: str) -> list[int]:
    with Session(engine) as s:
        u = s.exec(select(Unit).where(Unit.name == name)).one()
        return [
            a.id
            for a in s.exec(
                select(Assignment).where(Assignment.unit_id == u.id).order_by(Assignment.id)
            ).all()
        ]


def test_draft_warning_one_letter_per_unit_with_exactly_its_overdue_items(engine, cli):
    justice = sorted(_overdue_by_unit(cli, AS_OF)["旗司法局"])
    with transaction(engine) as s:  # one item closed, one with progress: both facts count
        close(s, justice[0], date(2025, 1, 10), ACTOR)
        record_progress(s, justice[1], "已起草制度文件", date(2025, 1, 12), ACTOR)
    expected = _overdue_by_unit(cli, AS_OF)
    assert justice[0] not in expected["旗司法局"] and justice[1] in expected["旗司法局"]

    result = _draft(engine, "提醒")
    assert any("待分解的单位组" in n and "已跳过" in n for n in result.notes)
    with Session(engine) as s:
        got = {}
        for letter in result:
            assert letter.status == DRAFT and letter.number is None and letter.kind == "提醒"
            unit = s.get(Unit, letter.unit_id).name
            assert unit not in got, "one letter per unit"
            got[unit] = {it.assignment_id for it in _items(engine, letter.id)}
    assert got == expected
    # the snapshot carries the last progress and the deadline
    item = next(it for it in _items(engine, result[0].id))
    assert item.due == date(2024, 12, 31) or item.due is not None
    with Session(engine) as s:
        justice_letter = next(x for x in result if s.get(Unit, x.unit_id).name == "旗司法局")
    snap = {it.assignment_id: it for it in _items(engine, justice_letter.id)}
    assert snap[justice[1]].last_progress == "已起草制度文件"

    # drafting again does not duplicate what is already in a pending draft
    again = _draft(engine, "提醒")
    assert list(again) == []
    assert any("已在未签发的提醒函草稿中" in n for n in again.notes)
    # --unit limits the batch
    with transaction(engine) as s:
        for x in result:
            L.void_letter(s, x.id, "重新起草", ACTOR)
    one = _draft(engine, "提醒", unit="旗司法局")
    assert len(one) == 1


def test_sign_numbers_per_kind_and_year_void_keeps_number(engine):
    drafts = _draft(engine, "提醒")
    ids = [x.id for x in drafts]
    n = len(ids)
    assert n >= 10
    signed = _sign(engine, ids)
    assert [x.number for x in signed] == [f"左依法治办醒〔2025〕{i}号" for i in range(1, n + 1)]
    assert all(x.status == SIGNED and x.signed_by == "张主任" for x in signed)
    assert {x.issued_on for x in signed} == {AS_OF}
    assert {x.reply_due for x in signed} == {date(2025, 1, 22)}  # 5 working days
    frozen = json.loads(signed[0].body)
    assert frozen["frozen"] and frozen["signature"] == SETTINGS.office

    # the board sees the letters (the query in tui.store.board)
    with Session(engine) as s:
        facts = load_facts(board_reader(s.connection()), as_of=AS_OF)
    sent = {f.id: (f.letters_sent, f.highest_rung) for f in facts if f.letters_sent}
    first_items = [it.assignment_id for it in _items(engine, ids[0])]
    assert sent[first_items[0]] == (1, 2)

    # void keeps the number; it no longer counts on the board; the next number is n+1
    with transaction(engine) as s:
        v = L.void_letter(s, ids[0], "单位名称有误", ACTOR)
    assert v.status == VOID and v.number == "左依法治办醒〔2025〕1号"
    with pytest.raises(DubanError, match="作废必须写明原因"):
        with transaction(engine) as s:
            L.void_letter(s, ids[1], " ", ACTOR)
    with Session(engine) as s:
        facts = load_facts(board_reader(s.connection()), as_of=AS_OF)
    assert all(f.letters_sent == 0 for f in facts if f.id == first_items[0])
    redo = _draft(engine, "提醒", unit=str(v.unit_id))
    assert len(redo) == 1
    again = _sign(engine, [redo[0].id])
    assert again[0].number == f"左依法治办醒〔2025〕{n + 1}号"
    # another kind has its own counter
    with transaction(engine) as s:
        u = s.get(Unit, v.unit_id)
        u.head = "王某某主任"
        L.push_item(s, first_items[0], "督办", "群众反映强烈", ACTOR)
    sup = _draft(engine, "督办")
    assert len(sup) == 1
    assert _sign(engine, [sup[0].id])[0].number == "左依法治办督〔2025〕1号"
    with Session(engine) as s:
        rows = L.list_letters(s, today=AS_OF)
    assert [r.number for r in rows if r.status == VOID] == ["左依法治办醒〔2025〕1号"]


def test_signed_letter_is_immutable(engine):
    d = _draft(engine, "提醒")[0]
    with transaction(engine) as s:
        L.edit_draft(s, d.id, ACTOR, title="关于{单位}逾期任务的提醒函", settings=SETTINGS)
    with Session(engine) as s:
        letter = s.get(Letter, d.id)
        unit = s.get(Unit, letter.unit_id).name
    assert letter.title == f"关于{unit}逾期任务的提醒函"
    signed = _sign(engine, [d.id])[0]
    assert signed.title == f"关于{unit}逾期任务的提醒函"
    with pytest.raises(DubanError) as exc:
        with transaction(engine) as s:
            L.edit_draft(s, d.id, ACTOR, title="改个标题", settings=SETTINGS)
    assert exc.value.message == "已签发的函件不能修改，请作废后重新起草"
    with pytest.raises(DubanError, match="已签发的函件不能修改"):
        _sign(engine, [d.id])
    with Session(engine) as s:
        assert s.get(Letter, d.id).title == f"关于{unit}逾期任务的提醒函"


def test_reply_settles_items_and_late_reply_feeds_supervision(engine):
    drafts = _draft(engine, "提醒")
    ids = [x.id for x in drafts]
    signed = _sign(engine, ids)
    late_day = date(2025, 1, 24)  # after the 2025-01-22 reply deadline, overdue 24 days < 30

    # nobody replied: every letter is 逾期未复 and its items go up to 督办
    with Session(engine) as s:
        rows = L.list_letters(s, today=late_day)
        assert {r.status for r in rows} == {REPLY_LATE}
        due = L.due_proposals(s, late_day, settings=SETTINGS, calendar=CAL)
    sup = {p.assignment_id for g in due.groups if g.kind == "督办" for p in g.items}
    all_items = {it.assignment_id for lid in ids for it in _items(engine, lid)}
    assert sup == all_items
    reason = next(p.reason for g in due.groups for p in g.items)
    assert "提醒函回复期限 2025-01-22 已过，未回复" in reason

    # replies: one settles its items as done, one grants a new date, one only answers
    a, b, c = signed[0], signed[1], signed[2]
    with transaction(engine) as s:
        L.record_reply(s, a.id, date(2025, 1, 20), "已全部完成", ACTOR, settle="done")
        L.record_reply(s, b.id, date(2025, 1, 21), "申请延期", ACTOR, settle=date(2025, 3, 31))
        L.record_reply(s, c.id, date(2025, 1, 21), "正在推进", ACTOR)
    with Session(engine) as s:
        assert s.get(Letter, a.id).status == REPLIED
        for it in _items(engine, a.id):
            assert s.get(Assignment, it.assignment_id).completed_on == date(2025, 1, 20)
        for it in _items(engine, b.id):
            assert s.get(Assignment, it.assignment_id).due_override == date(2025, 3, 31)
        rows = {r.id: r for r in L.list_letters(s, today=late_day)}
        assert rows[c.id].status == REPLIED and rows[c.id].replied_on == date(2025, 1, 21)
        assert rows[signed[3].id].status == REPLY_LATE
        due = L.due_proposals(s, late_day, settings=SETTINGS, calendar=CAL)
    proposed = {p.assignment_id: p.kind for g in due.groups for p in g.items}
    for letter in (a, b, c):
        for it in _items(engine, letter.id):
            assert it.assignment_id not in proposed  # answered, closed or extended
    for it in _items(engine, signed[3].id):
        assert proposed[it.assignment_id] == "督办"

    with pytest.raises(DubanError, match="尚未签发"):
        d = _draft(engine, "督办", as_of=late_day)[0]
        with transaction(engine) as s:
            L.record_reply(s, d.id, late_day, "x", ACTOR)
    with pytest.raises(DubanError, match="早于发函日期"):
        with transaction(engine) as s:
            L.record_reply(s, signed[4].id, date(2025, 1, 1), "x", ACTOR)


def test_unknown_placeholder_in_template_leaves_register_unchanged(engine, tmp_path):
    own = tmp_path / "templates"
    own.mkdir()
    src = (data_dir() / "templates" / "提醒.txt").read_text(encoding="utf-8")
    (own / "提醒.txt").write_text(src.replace("{事项数}", "{事项总数}"), encoding="utf-8")

    def count() -> tuple[int, int]:
        with Session(engine) as s:
            c = s.connection()
            return (
                c.execute(text("SELECT COUNT(*) FROM letter")).scalar(),
                c.execute(text("SELECT COUNT(*) FROM letter_item")).scalar(),
            )

    with pytest.raises(DubanError, match=r"未知占位符 \{事项总数\}"):
        _draft(engine, "提醒", template_dir=own)
    assert count() == (0, 0)
    # a good draft, then signing with the broken template: nothing signed, no number used
    d = _draft(engine, "提醒")[0]
    with pytest.raises(DubanError, match="未知占位符"):
        _sign(engine, [d.id], template_dir=own)
    with Session(engine) as s:
        assert s.get(Letter, d.id).status == DRAFT and s.get(Letter, d.id).number is None
        assert s.connection().execute(text("SELECT COUNT(*) FROM letter_counter")).scalar() == 0
    # an edited draft with an unknown placeholder is refused too
    with pytest.raises(DubanError, match="未知占位符"):
        with transaction(engine) as s:
            L.edit_draft(s, d.id, ACTOR, title="关于{不存在}的函", settings=SETTINGS)
    with Session(engine) as s:
        assert "{" not in s.get(Letter, d.id).title


def test_supervision_letter_needs_the_unit_head(engine):
    sup_day = date(2025, 2, 10)  # overdue 41 days ≥ 30: 督办
    drafts = _draft(engine, "督办", as_of=sup_day)
    with Session(engine) as s:
        no_head = next(x for x in drafts if not s.get(Unit, x.unit_id).head)
        name = s.get(Unit, no_head.unit_id).name
    assert any(f"单位 {name} 未登记负责人" in n for n in drafts.notes)
    with pytest.raises(DubanError) as exc:
        _sign(engine, [no_head.id], on=sup_day)
    assert exc.value.message == (
        f"单位 {name} 未登记负责人，督办函须写明负责人"
        "（用 duban units import --update 或在督办台单位页补充）"
    )
    with Session(engine) as s:
        assert s.get(Letter, no_head.id).status == DRAFT
    with transaction(engine) as s:
        s.get(Unit, no_head.unit_id).head = "赵某某局长"
    signed = _sign(engine, [no_head.id], on=sup_day)[0]
    assert signed.addressee == f"{name}赵某某局长"
    frozen = json.loads(signed.body)
    assert frozen["cc"] == SETTINGS.cc
    # the head changing later does not change the signed letter
    with transaction(engine) as s:
        s.get(Unit, no_head.unit_id).head = "钱某某局长"
    with Session(engine) as s:
        _, model = L.letter_model(s, signed.id, settings=SETTINGS, calendar=CAL)
    assert model.addressee == f"{name}赵某某局长"


def test_hold_and_push_override_the_ladder(engine, cli):
    justice = sorted(_overdue_by_unit(cli, AS_OF)["旗司法局"])
    early = date(2024, 11, 1)  # 60 days before the deadline: no rung
    with transaction(engine) as s:
        L.push_item(s, justice[0], "督办", "上级交办，重点督办", ACTOR)
        L.hold_item(s, justice[1], "单位已书面说明，暂缓", ACTOR)
    with Session(engine) as s:
        due = L.due_proposals(s, early, settings=SETTINGS, calendar=CAL, unit="旗司法局")
        late = L.due_proposals(s, AS_OF, settings=SETTINGS, calendar=CAL, unit="旗司法局")
    pushed = [p for g in due.groups for p in g.items]
    assert [(p.assignment_id, p.kind) for p in pushed] == [(justice[0], "督办")]
    assert "人工提级为督办函" in pushed[0].reason and "上级交办" in pushed[0].reason
    assert justice[1] not in {p.assignment_id for g in late.groups for p in g.items}
    with pytest.raises(DubanError, match="必须写明理由"):
        with transaction(engine) as s:
            L.hold_item(s, justice[2], "", ACTOR)
    with transaction(engine) as s:
        L.release_item(s, justice[1], "情况已变化", ACTOR)
    with Session(engine) as s:
        late = L.due_proposals(s, AS_OF, settings=SETTINGS, calendar=CAL, unit="旗司法局")
    assert justice[1] in {p.assignment_id for g in late.groups for p in g.items}


def test_sixty_item_letter_renders_every_item(engine, tmp_path):
    d = _draft(engine, "提醒", unit="旗司法局")[0]
    first = _items(engine, d.id)[0]
    with transaction(engine) as s:  # a long list: 60 items on one letter
        for it in _items(engine, d.id):
            s.delete(s.get(LetterItem, it.id))
        s.flush()
        for i in range(1, 61):
            s.add(
                LetterItem(
                    letter_id=d.id,
                    assignment_id=first.assignment_id if i == 1 else _fake_assignment(s, first, i),
                    position=i,
                    task_number=f"（{i}）",
                    task_title=f"第{i}项任务：落实行政执法三项制度",
                    due=date(2024, 12, 31),
                    deadline_text="2024年12月31日",
                )
            )
    signed = _sign(engine, [d.id])[0]
    out = tmp_path / "out"
    done = L.render_letters(engine, [d.id], out, actor=ACTOR, settings=SETTINGS, calendar=CAL)
    assert done[0].pages >= 4
    txt = subprocess.run(
        ["pdftotext", str(done[0].pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    compact = "".join(txt.split())
    for i in range(1, 61):
        assert f"第{i}项任务" in compact, i
    assert signed.number in compact
    table = Document(str(done[0].docx)).tables[-1]
    assert len(table.rows) == 61
    with Session(engine) as s:
        files = json.loads(s.get(Letter, d.id).files)
    assert {f["type"] for f in files} == {"pdf", "docx"}
    import hashlib

    for f in files:
        assert hashlib.sha256(Path(f["path"]).read_bytes()).hexdigest() == f["sha256"]


def _fake_assignment(s, like: LetterItem, i: int) -> int:
    """Another assignment row for the same unit (the letter_item pair must be unique)."""
    from tui.clock import now

    base = s.get(Assignment, like.assignment_id)
    a = Assignment(
        task_id=base.task_id,
        unit_id=base.unit_id,
        role=f"supporting{i}",
        created_at=now(),
    )
    s.add(a)
    s.flush()
    return a.id


def test_print_requires_signature_and_records_printed(engine, tmp_path, monkeypatch):
    d = _draft(engine, "提醒")[0]
    with pytest.raises(DubanError, match="草稿"):
        L.print_letters(engine, [d.id], ACTOR, settings=SETTINGS)
    _sign(engine, [d.id])
    # an lp stand-in: this test is about the register; tests/test_printing.py uses CUPS
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "lp").write_text("#!/bin/sh\necho 'request id is X-1 (1 file(s))'\n")
    (bindir / "lp").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:{shutil.os.environ['PATH']}")
    jobs = L.print_letters(
        engine, [d.id], ACTOR, out_dir=tmp_path / "out", settings=SETTINGS, printer="X"
    )
    assert jobs[0].printer == "X" and Path(jobs[0].path).is_file()
    with Session(engine) as s:
        letter = s.get(Letter, d.id)
        assert letter.status == PRINTED and letter.printed_by == ACTOR
