"""Every letter action at the desk (issue 10, item 7): batch sign, reply, void, edit a draft,
render with the paths kept in view; and reverting a single change from 操作记录."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.app.conftest import OPERATOR, q, settle

SIZE = (120, 40)


def rows_with(table, column: int, value: str) -> list[int]:
    return [i for i in range(table.row_count) if str(table.get_row_at(i)[column]) == value]


async def test_draft_then_sign_a_batch_with_one_confirmation(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("6", "n")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        table = app.query_one("#letters-table")
        # 督办函 go to the unit's head, which the demo units lack: sign the others
        drafts = [i for i in rows_with(table, 1, "（草稿）") if table.get_row_at(i)[2] != "督办"]
        assert len(drafts) >= 2
        tab = app.tab("letters")
        for row in drafts[:2]:
            table.move_cursor(row=row)
            await settle(pilot)
            await pilot.press("space")
            await settle(pilot)
        ids = sorted(tab.selected)
        assert len(ids) == 2 and "已选 2 件" in app.screen_text()
        await pilot.press("s")
        await settle(pilot)
        body = str(app.screen.query_one("#confirm-body").render())
        assert "签发以下 2 件函件" in body
        app.screen.query_one("#sign-by").value = "张副主任"
        await pilot.press("ctrl+s")
        await settle(pilot)
        got = q(store, f"SELECT number, signed_by FROM letter WHERE id IN ({ids[0]}, {ids[1]})")
        assert all(n and by == "张副主任" for n, by in got)
        assert not tab.selected


async def test_reply_registered_at_the_desk_closes_the_items(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("y")  # the overview's 回复逾期 line → those letters
        await settle(pilot)
        tab = app.tab("letters")
        letter = tab.current()
        assert letter.status == "逾期未复"
        items = [
            a
            for (a,) in q(
                store, "SELECT assignment_id FROM letter_item WHERE letter_id=?", letter.id
            )
        ]
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#rp-text").value = "已全部整改完毕"
        app.screen.query_one("#rp-done").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert q(store, "SELECT status FROM letter WHERE id=?", letter.id) == [("已回复",)]
        open_items = q(
            store,
            f"SELECT COUNT(*) FROM assignment WHERE id IN ({','.join(map(str, items))}) "
            "AND completed_on IS NULL",
        )
        assert open_items == [(0,)]
        assert q(store, "SELECT text FROM letter_reply WHERE letter_id=?", letter.id) == [
            ("已全部整改完毕",)
        ]
        # a reply is final: u says so and reverts nothing
        await pilot.press("u")
        await settle(pilot)
        assert "登记回复" in app.last_message and "不能撤销" in app.last_message


async def test_void_needs_a_reason_and_keeps_the_number(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        table = app.query_one("#letters-table")
        table.move_cursor(row=rows_with(table, 4, "逾期未复")[0])
        await settle(pilot)
        letter = app.tab("letters").current()
        await pilot.press("x")
        await settle(pilot)
        assert "不能撤销" in str(app.screen.query_one(".dialog-warning").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "原因" in str(app.screen.query_one("#dialog-error").render())
        app.screen.query_one("#vd-reason").value = "单位名称写错"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert q(store, "SELECT status, number, void_reason FROM letter WHERE id=?", letter.id) == [
            ("作废", letter.number, "单位名称写错")
        ]


async def test_a_drafts_wording_and_items_are_edited_at_the_desk(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("6", "n")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        table = app.query_one("#letters-table")
        tab = app.tab("letters")
        best = None
        for row in rows_with(table, 1, "（草稿）"):
            table.move_cursor(row=row)
            await settle(pilot)
            if tab.current().items >= 2:
                best = tab.current()
                break
        assert best is not None
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#ed-title").value = "关于加快整改的提醒函"
        items = app.screen.query_one("#ed-items")
        first = items.get_option_at_index(0).value
        items.deselect(first)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert q(store, "SELECT title FROM letter WHERE id=?", best.id) == [
            ("关于加快整改的提醒函",)
        ]
        left = [
            a
            for (a,) in q(store, "SELECT assignment_id FROM letter_item WHERE letter_id=?", best.id)
        ]
        assert first not in left and len(left) == best.items - 1


async def test_rendered_files_stay_listed_under_the_preview(make_app, store, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        table = app.query_one("#letters-table")
        table.move_cursor(row=rows_with(table, 4, "逾期未复")[0])
        await settle(pilot)
        await pilot.press("w")
        await settle(pilot)
        files = str(app.query_one("#letters-files").render())
        assert ".pdf" in files and str(store.parent / "letters") in files
        pdf = next(line.strip() for line in files.splitlines() if line.strip().endswith(".pdf"))
        assert Path(pdf).is_file()
        await pilot.press("j")  # another letter: the paths stay
        await settle(pilot)
        assert ".pdf" in str(app.query_one("#letters-files").render())


async def test_a_single_change_is_reverted_from_the_log_unless_a_later_one_depends(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        aid = app.tab("triage").targets()[0].fact.id
        await pilot.press("p")
        await settle(pilot)
        app.screen.query_one("#pm-text").value = "第一次电话"
        await pilot.press("ctrl+s")
        await settle(pilot)
        app.tab("triage")
        # a later change to the same item
        await pilot.press("3")
        await settle(pilot)
        app.tab("items").show_assignment(aid)
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        log = app.tab("log")
        assert log.changes[0].title == "验收销号" and log.changes[1].title == "记录进展"
        table = app.query_one("#log-table")
        table.cursor = 1
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        assert "不能撤回" in app.last_message and "验收销号" in app.last_message
        assert q(store, "SELECT COUNT(*) FROM progress WHERE text='第一次电话'") == [(1,)]
        table.cursor = 0
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        assert "验收销号" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", aid) == [(None,)]
        table.cursor = next(n for n, c in enumerate(log.changes) if c.title == "记录进展")
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT COUNT(*) FROM progress WHERE text='第一次电话'") == [(0,)]
        actors = q(store, "SELECT DISTINCT actor FROM audit_log WHERE action='undo'")
        assert actors == [(OPERATOR,)]


async def test_a_draft_that_cannot_be_signed_says_why_and_signs_nothing(make_app, store):
    # a 督办函 goes to the unit's head: without one, signing is refused before anything
    (lid, unit_id), *_ = q(
        store, "SELECT id, unit_id FROM letter WHERE kind='督办' AND number IS NULL ORDER BY id"
    )
    conn = sqlite3.connect(store)
    conn.execute("UPDATE unit SET head='' WHERE id=?", (unit_id,))
    conn.commit()
    conn.close()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        table = app.query_one("#letters-table")
        tab = app.tab("letters")
        table.move_cursor(row=next(i for i, x in enumerate(tab.shown) if x.id == lid))
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmModal"
        body = str(app.screen.query_one("#confirm-body").render())
        assert "不能签发" in body and "负责人" in body
        assert not app.screen.query("#sign-by")
        await pilot.press("y")
        await settle(pilot)
    assert q(store, "SELECT number, status FROM letter WHERE id=?", lid) == [(None, "草稿")]
