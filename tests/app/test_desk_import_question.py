"""The desk asks "a new plan, or a revision of plan N?" when a file's title matches a plan
but the store cannot tell (issue 9): both plans side by side, the answer decides the write,
and nothing is written before it — cancel writes nothing."""

from __future__ import annotations

import pytest

from tests.app.conftest import choose_import_file, q, settle
from tests.test_plan_identity import TOWN_A, TOWN_B, town_plan

SIZE = (120, 40)


@pytest.fixture
def town_store(cli, db, tmp_path):
    """A store holding town A's plan, and town B's plan with the same title on disk."""
    a = tmp_path / "a.txt"
    a.write_text(town_plan("甲镇", TOWN_A), encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text(town_plan("乙镇", TOWN_B), encoding="utf-8")
    assert cli("import", str(a)).code == 0
    return db, b


@pytest.fixture
def desk(town_store, desk_on):
    return lambda: desk_on(town_store[0])


def _plans(db):
    return q(db, "SELECT id, issuer, revision FROM plan ORDER BY id")


def _texts(db, plan_id):
    return [
        t
        for (t,) in q(
            db, "SELECT text FROM task WHERE plan_id = ? AND active ORDER BY position", plan_id
        )
    ]


async def test_the_desk_asks_and_a_new_plan_leaves_the_first_untouched(desk, town_store):
    db, b = town_store
    audits = q(db, "SELECT count(*) FROM audit_log")[0][0]
    app = desk()
    async with app.run_test(size=SIZE) as pilot:
        await choose_import_file(pilot, b)
        # The desk used to show the command line's error ("… 用 --new-plan …") and stop.
        assert "--new-plan" not in app.last_message, app.last_message
        from tui.app.modals.plan_question import PlanQuestionModal

        assert isinstance(app.screen, PlanQuestionModal)
        body = app.screen.text()
        assert "甲镇人民政府" in body and "乙镇人民政府" in body
        assert "4 项" in body and "3 项" in body  # task counts of both sides
        assert TOWN_A[0][0][:12] in body and TOWN_B[0][0][:12] in body  # a few task titles
        assert q(db, "SELECT count(*) FROM audit_log")[0][0] == audits  # nothing written
        await pilot.press("n")  # 作为新计划导入
        await settle(pilot)
        from tui.app.modals.review import ImportReviewScreen

        assert isinstance(app.screen, ImportReviewScreen)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert _plans(db) == [(1, "甲镇人民政府", 1), (2, "乙镇人民政府", 1)]
    assert _texts(db, 1) == [t for t, _ in TOWN_A]
    assert _texts(db, 2) == [t for t, _ in TOWN_B]


async def test_revision_answer_makes_revision_two_of_the_plan(desk, town_store):
    from tui.app.modals.plan_question import PlanQuestionModal

    db, b = town_store
    app = desk()
    async with app.run_test(size=SIZE) as pilot:
        await choose_import_file(pilot, b)
        assert isinstance(app.screen, PlanQuestionModal)
        await pilot.press("r")  # 作为计划 1 的修订版导入
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "已导入" in app.last_message
    assert _plans(db) == [(1, "乙镇人民政府", 2)]
    assert _texts(db, 1) == [t for t, _ in TOWN_B]


async def test_cancelling_the_question_writes_nothing(desk, town_store):
    from tui.app.modals.plan_question import PlanQuestionModal

    db, b = town_store
    before = (
        q(db, "SELECT count(*) FROM audit_log")[0][0],
        q(db, "SELECT count(*) FROM plan_revision")[0][0],
        q(db, "SELECT count(*) FROM unit")[0][0],
    )
    app = desk()
    async with app.run_test(size=SIZE) as pilot:
        await choose_import_file(pilot, b)
        assert isinstance(app.screen, PlanQuestionModal)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, PlanQuestionModal)
        assert "未写入" in app.last_message
    assert _plans(db) == [(1, "甲镇人民政府", 1)]
    assert _texts(db, 1) == [t for t, _ in TOWN_A]
    assert (
        q(db, "SELECT count(*) FROM audit_log")[0][0],
        q(db, "SELECT count(*) FROM plan_revision")[0][0],
        q(db, "SELECT count(*) FROM unit")[0][0],
    ) == before


def test_plan_question_snapshot_80x24(snap_compare, desk, town_store, monkeypatch):
    from datetime import date

    monkeypatch.setattr("tui.services.store_target.display_path", lambda _p: "~/督办/duban.db")
    _db, b = town_store

    async def ask(pilot) -> None:
        await choose_import_file(pilot, b)

    app = desk()
    app.as_of = date(2024, 11, 18)
    assert snap_compare(app, terminal_size=(80, 24), run_before=ask)


async def test_several_plans_of_the_title_the_officer_picks_which_one_it_revises(
    desk, town_store, cli, tmp_path
):
    from textual.widgets import OptionList

    from tui.app.modals.plan_question import PlanQuestionModal

    db, b = town_store
    assert cli("import", str(b), "--new-plan").code == 0  # plans 1 (甲镇) and 2 (乙镇)
    c = tmp_path / "c.txt"
    c.write_text(town_plan("丙镇", TOWN_B[:2]), encoding="utf-8")
    app = desk()
    async with app.run_test(size=SIZE) as pilot:
        await choose_import_file(pilot, c)
        modal = app.screen
        assert isinstance(modal, PlanQuestionModal)
        assert "已有：计划 1" in modal.text() and "甲镇人民政府" in modal.text()
        options = modal.query_one("#pq-candidates", OptionList)
        options.focus()
        options.highlighted = 1
        await pilot.pause()
        assert "已有：计划 2" in modal.text() and "乙镇人民政府" in modal.text()
        assert "与本文件同一位置的任务：2 项" in modal.text()
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "计划 2" in app.last_message and "第 2 版" in app.last_message
    assert _plans(db) == [(1, "甲镇人民政府", 1), (2, "丙镇人民政府", 2)]
    assert _texts(db, 1) == [t for t, _ in TOWN_A]
    assert _texts(db, 2) == [t for t, _ in TOWN_B[:2]]
