"""Drive every screen and action of the desk through Pilot; assert on the database and screen."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, SelectionList, Tree

from tests.app.conftest import settle
from tests.conftest import SEED000
from tui.app.app import DubanApp
from tui.app.modals.base import ConfirmModal
from tui.app.modals.help import HelpScreen
from tui.app.modals.items import FilterModal
from tui.app.modals.review import ImportReviewScreen
from tui.app.modals.units import GroupResolveModal, MergeModal, UnitEditModal
from tui.app.widgets.vtable import VirtualTable
from tui.domain.search import initials
from tui.domain.status import Status
from tui.store.demo_history import DEMO_AS_OF

pytestmark = pytest.mark.both_stores

SIZE = (120, 40)


def q(db, sql, *args):
    """Rows as SQLite gives them (dates as ISO text, booleans as 0/1), on either store."""
    from datetime import date

    from tests.conftest import query

    parts = sql.split("?")
    named = "".join(p + (f":p{i}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))

    def plain(v):
        if isinstance(v, bool):
            return int(v)
        return v.isoformat() if isinstance(v, date) else v

    rows = query(db, named, {f"p{i}": a for i, a in enumerate(args)})
    return [tuple(plain(v) for v in r) for r in rows]


def cursor_row(app: DubanApp, table: str = "items"):
    tab = app.tab(table)
    t = app.query_one(f"#{table}-table", VirtualTable)
    return tab.data.rows[tab.view[t.cursor]]


def items(app: DubanApp):
    return app.tab("items")


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press(ch)


async def test_every_screen_shows_its_content(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        counts = app.status_counts()
        text = app.screen_text()
        assert f"逾期 {counts[Status.OVERDUE]}" in text
        assert "●红" in text and "按逾期事项占比" in text and "计划进度" in text
        assert "截至 2024-11-15" in app.sub_title

        await pilot.press("2")
        await settle(pilot)
        tree = app.query_one("#plan-tree", Tree)
        plans = [n for n in tree.root.children]
        assert len(plans) == 2

        # open the first task: expand its parents and put the cursor on it
        def first_task(node):
            for c in node.children:
                if c.data and c.data[0] == "task":
                    return c
                found = first_task(c)
                if found is not None:
                    return found
            return None

        task = first_task(tree.root)
        assert task is not None
        parent = task.parent
        while parent is not None and parent is not tree.root:
            parent.expand()
            parent = parent.parent
        await pilot.pause()
        tree.move_cursor(task)
        await settle(pilot)
        detail = app.screen_text()
        assert "落实事项（" in detail and "期限" in detail

        await pilot.press("3")
        await settle(pilot)
        text = app.screen_text()
        assert f"共 {len(app.board.data.rows)} 项" in text
        assert "●红" in text.splitlines()[2]  # most urgent first

        await pilot.press("4")
        await settle(pilot)
        text = app.screen_text()
        assert "区司法局" in text and "待分解" in text
        await pilot.press("enter")
        await settle(pilot)
        assert "任务清单（" in app.screen_text()

        await pilot.press("5")
        await settle(pilot)
        text = app.screen_text()
        triage = app.tab("triage")
        assert f"待办 {len(triage.view)} 项" in text
        assert all(
            triage.data.rows[i].status.status in (Status.OVERDUE, Status.DUE_SOON)
            for i in triage.view
        )


async def test_progress_done_on_overdue_item_changes_counts_and_undo_restores(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.status_counts()
        await pilot.press("5")
        await settle(pilot)
        row = cursor_row(app, "triage")
        aid = row.fact.id
        assert row.status.status is Status.OVERDUE
        n_progress = q(store, "SELECT COUNT(*) FROM progress WHERE assignment_id=?", aid)[0][0]

        await pilot.press("p")
        await pilot.pause()
        await type_text(pilot, "电话反馈已完成")
        app.screen.query_one("#pm-done").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)

        assert (
            q(store, "SELECT COUNT(*) FROM progress WHERE assignment_id=?", aid)[0][0]
            == n_progress + 1
        )
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", aid)[0][0] == "2024-11-15"
        after = app.status_counts()
        assert after[Status.OVERDUE] == before[Status.OVERDUE] - 1
        done = (Status.DONE, Status.DONE_LATE)
        assert sum(after[s] for s in done) == sum(before[s] for s in done) + 1
        assert app.board.data.by_id[aid].status.status in done
        await pilot.press("1")
        await settle(pilot)
        assert f"逾期 {after[Status.OVERDUE]}" in app.screen_text()
        actor = q(
            store,
            "SELECT actor FROM audit_log WHERE action='progress.add' ORDER BY id DESC LIMIT 1",
        )
        assert actor[0][0] == "测试员"

        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)  # says what it will undo, then asks
        await pilot.press("y")
        await settle(pilot)
        assert "已撤销" in app.last_message
        assert (
            q(store, "SELECT COUNT(*) FROM progress WHERE assignment_id=?", aid)[0][0] == n_progress
        )
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", aid)[0][0] is None
        assert app.status_counts() == before
        assert f"逾期 {before[Status.OVERDUE]}" in app.screen_text()
        assert q(store, "SELECT COUNT(*) FROM audit_log WHERE action='undo'")[0][0] == 2


async def test_search_sfj_lists_only_sifaju_items(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.pause()
        await type_text(pilot, "sfj")
        await pilot.pause()
        assert app.query_one("#search", Input).value == "sfj"
        tab = items(app)
        assert tab.view
        names = {tab.data.rows[i].fact.unit_name for i in tab.view}
        # 司法局 of both regions, plus units whose initials also spell sfj (东胜分局 = dsfj)
        assert {"区司法局", "旗司法局"} <= names
        assert all("sfj" in initials(n) for n in names)
        expected = sum(1 for r in tab.data.rows if "sfj" in initials(r.fact.unit_name))
        assert len(tab.view) == expected
        text = app.screen_text()
        assert "司法局" in text and f"显示 {expected} 项" in text
        # Chinese substring works too, and Escape keeps the result
        await pilot.press("escape")
        app.query_one("#search", Input).value = "信访"
        await pilot.pause()
        assert tab.view
        for i in tab.view:
            f = tab.data.rows[i].fact
            assert "信访" in f.unit_name + f.task_title + tab.data.heads.get(f.task_id, "")


async def test_keys_typed_in_a_burst_after_slash_go_to_the_search_box(make_app):
    """A terminal delivers `/sfj` typed quickly as four queued keys. The three letters are the
    search text, not desk keys: `s` sorts and `f` opens the filter form when the table has
    focus (the tmux run caught `f` opening the form)."""
    from textual import events

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        sort_before = items(app).sort_mode
        for key, char in (("slash", "/"), ("s", "s"), ("f", "f"), ("j", "j")):
            burst = events.Key(key, char)  # as the terminal driver sends them: all four are
            burst.set_sender(app)  # queued before the desk handles the first
            app._driver.send_message(burst)
        await settle(pilot)
        assert not isinstance(app.screen, FilterModal)
        assert app.query_one("#search", Input).value == "sfj"
        assert items(app).sort_mode == sort_before
        assert app.focused is app.query_one("#search", Input)
        # `/` acts before the keys after it are handed on; in a text box it is the character
        await pilot.press("slash")
        assert app.query_one("#search", Input).value == "sfj/"
        await pilot.press("escape", "f")
        await settle(pilot)
        assert isinstance(app.screen, FilterModal)
        unit_box = app.screen.query(Input).first()
        unit_box.focus()
        await pilot.pause()
        await pilot.press("slash")
        assert isinstance(app.screen, FilterModal) and unit_box.value == "/"


async def test_slash_right_after_a_tab_key_keeps_the_search_box_focused(make_app):
    """`3` then `/` before the tab switch has settled (a loaded machine: the tmux run in CI):
    the table's focus, deferred by the switch, must not land after `/` gave the search box
    the keys."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        switch = app.action_tab

        def switch_then_slash(tab_id: str) -> None:
            switch(tab_id)
            app.action_search()  # `/` acts on arrival: before the switch's deferred work

        app.action_tab = switch_then_slash
        await pilot.press("3")
        await settle(pilot)
        box = app.query_one("#search", Input)
        assert app.active_tab == "items" and app.focused is box
        await pilot.press("s", "f", "j")
        await settle(pilot)
        assert box.value == "sfj" and not isinstance(app.screen, FilterModal)


async def test_search_from_the_palette_opens_the_search_box(make_app):
    """`/` yields over another screen; run from the palette, search still opens (the palette
    is gone by the time its command runs)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"搜索")
        await pilot.press("enter")
        await settle(pilot)
        box = app.query_one("#search", Input)
        assert app.active_tab == "items" and app.focused is box
        await pilot.press("s", "f", "j")
        await settle(pilot)
        assert box.value == "sfj"


async def test_backspace_and_filters_give_the_rows_a_fresh_search_gives(make_app):
    """Query results are kept for backspace; a filter applied meanwhile must not bring back
    rows the kept results found before it."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tab = items(app)
        data = tab.data

        def fresh(q: str, statuses=None) -> list[int]:
            return [
                i
                for i in data.search(q)
                if statuses is None or data.rows[i].status.status.value in statuses
            ]

        await pilot.press("slash")
        await pilot.pause()
        await type_text(pilot, "sfj")
        await pilot.pause()
        assert tab.view == fresh("sfj")
        await pilot.press("backspace")
        await pilot.pause()
        assert tab.view == fresh("sf")
        await pilot.press("backspace")
        await pilot.pause()
        assert tab.view == fresh("s")
        await type_text(pilot, "fj")
        await pilot.pause()
        assert tab.view == fresh("sfj")
        await pilot.press("escape")
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#fm-status", SelectionList).select(Status.OVERDUE.value)
        await pilot.press("ctrl+s")
        await pilot.pause()
        overdue = {Status.OVERDUE.value}
        assert tab.view == fresh("sfj", overdue) and len(tab.view) < len(fresh("sfj"))
        app.query_one("#search", Input).value = "sf"  # as a backspace leaves it
        await pilot.pause()
        assert tab.view == fresh("sf", overdue)


async def test_close_reopen_and_bulk_close(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        aid = cursor_row(app).fact.id
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)  # 验收 asks first, and Enter means No
        await pilot.press("enter")
        await settle(pilot)
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", aid)[0][0] is None
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", aid)[0][0] == "2024-11-15"
        # the closed item dropped down; find it again and reopen
        t = app.query_one("#items-table", VirtualTable)
        tab = items(app)
        t.cursor = next(n for n, i in enumerate(tab.view) if tab.data.rows[i].fact.id == aid)
        await pilot.press("o")
        await settle(pilot)
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", aid)[0][0] is None

        t.cursor = 0
        await pilot.pause()
        first, second = (tab.data.rows[i].fact.id for i in tab.view[:2])
        await pilot.press("space", "space")
        assert tab.selected == {first, second}
        assert "已选 2 项" in app.screen_text()
        await pilot.press("a")
        await settle(pilot)
        body = str(app.screen.query_one("#confirm-body").render())
        assert f"#{first}" in body and f"#{second}" in body
        await pilot.press("y")
        await settle(pilot)
        done = q(
            store,
            "SELECT COUNT(*) FROM assignment WHERE id IN (?, ?) AND completed_on IS NOT NULL",
            first,
            second,
        )
        assert done[0][0] == 2
        assert tab.selected == set()
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        done = q(
            store,
            "SELECT COUNT(*) FROM assignment WHERE id IN (?, ?) AND completed_on IS NOT NULL",
            first,
            second,
        )
        assert done[0][0] == 0


async def test_bulk_progress(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "space", "space")
        ids = set(items(app).selected)
        await pilot.press("p")
        await pilot.pause()
        await type_text(pilot, "jd")
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = q(store, "SELECT assignment_id FROM progress WHERE text='jd'")
        assert {r[0] for r in rows} == ids


async def test_deadline_correction_writes_manual_row(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        row = cursor_row(app)
        tid = row.fact.task_id
        old = q(store, "SELECT due_dates FROM task WHERE id=?", tid)[0][0]
        await pilot.press("t")
        await pilot.pause()
        await type_text(pilot, "2025-03-31")
        app.screen.query_one("#dm-reason", Input).value = "jy"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)  # names the task, the date, all units
        assert "2025-03-31" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("y")
        await settle(pilot)
        manual = q(
            store,
            "SELECT due, reason, created_by FROM task_deadline WHERE task_id=? AND source='manual' AND active=TRUE",
            tid,
        )
        assert manual == [("2025-03-31", "jy", "测试员")]
        assert q(store, "SELECT due_dates FROM task WHERE id=?", tid)[0][0] == "2025-03-31"
        assert app.board.data.by_id[row.fact.id].status.status is Status.ON_TRACK
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT due_dates FROM task WHERE id=?", tid)[0][0] == old


async def test_deadline_needs_a_reason(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "t")
        await pilot.pause()
        await type_text(pilot, "2025-03-31")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "原因" in str(app.screen.query_one("#dialog-error").render())
        await pilot.press("escape")
        assert q(store, "SELECT COUNT(*) FROM audit_log WHERE actor='测试员'")[0][0] == 0


async def test_extension_granted_and_refused(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        aid = cursor_row(app, "triage").fact.id
        await pilot.press("x")
        await pilot.pause()
        await type_text(pilot, "rygz")
        app.screen.query_one("#em-new", Input).value = "2025-01-31"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert q(store, "SELECT due_override FROM assignment WHERE id=?", aid)[0][0] == "2025-01-31"
        assert (
            q(store, "SELECT granted FROM extension WHERE assignment_id=? ORDER BY id DESC", aid)[
                0
            ][0]
            == 1
        )
        assert app.board.data.by_id[aid].status.status is Status.ON_TRACK

        await pilot.press("5")
        await settle(pilot)
        other = cursor_row(app, "triage").fact.id
        await pilot.press("x")
        await pilot.pause()
        await type_text(pilot, "ly")
        app.screen.query_one("#em-new", Input).value = "2025-06-30"
        app.screen.query_one("#em-refuse").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert q(store, "SELECT due_override FROM assignment WHERE id=?", other)[0][0] is None
        assert q(store, "SELECT granted, reason FROM extension WHERE assignment_id=?", other)[
            -1
        ] == (0, "ly")


async def test_filters_and_sort(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "f")
        await pilot.pause()
        assert isinstance(app.screen, FilterModal)
        app.screen.query_one("#fm-status", SelectionList).select(Status.OVERDUE.value)
        app.screen.query_one("#fm-role", Select).value = "lead"
        await pilot.press("ctrl+s")
        await pilot.pause()
        tab = items(app)
        assert tab.view
        assert all(
            tab.data.rows[i].status.status is Status.OVERDUE
            and tab.data.rows[i].fact.role == "lead"
            for i in tab.view
        )
        assert "筛选：状态=逾期，角色=牵头" in app.screen_text()
        n = len(tab.view)
        await pilot.press("s")
        await pilot.pause()
        assert "排序：期限" in app.screen_text()
        dues = [tab.data.rows[i].status.due for i in tab.view]
        assert dues == sorted(dues) and len(dues) == n
        await pilot.press("s")
        await pilot.pause()
        names = [tab.data.rows[i].fact.unit_name for i in tab.view]
        assert names == sorted(names)
        # filter by unit kind via pinyin initials of the unit
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#fm-clear").press()
        await pilot.pause()
        assert len(tab.view) == len(tab.data.rows)


async def test_unit_edit_and_undo(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        t = app.query_one("#units-table", VirtualTable)
        units = app.tab("units").units
        t.cursor = next(n for n, u in enumerate(units) if u.name == "区司法局")
        uid = units[t.cursor].id
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, UnitEditModal)
        app.screen.query_one("#ue-head", Input).value = "李局长"
        app.screen.query_one("#ue-phone", Input).value = "0477-1234567"
        app.screen.query_one("#ue-aliases", Input).value = "司法局、东胜区司法局、区法务局"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert q(store, "SELECT head, phone FROM unit WHERE id=?", uid) == [
            ("李局长", "0477-1234567")
        ]
        aliases = {r[0] for r in q(store, "SELECT alias FROM unit_alias WHERE unit_id=?", uid)}
        assert "区法务局" in aliases
        await pilot.press("enter")
        await settle(pilot)
        assert "李局长" in app.screen_text()
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT head FROM unit WHERE id=?", uid)[0][0] != "李局长"
        aliases = {r[0] for r in q(store, "SELECT alias FROM unit_alias WHERE unit_id=?", uid)}
        assert "区法务局" not in aliases


async def test_unit_merge(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        t = app.query_one("#units-table", VirtualTable)
        units = app.tab("units").units
        t.cursor = next(n for n, u in enumerate(units) if u.name == "区人大办")
        src = units[t.cursor].id
        dst = next(u.id for u in units if u.name == "区政协办")
        n_src = q(store, "SELECT COUNT(*) FROM assignment WHERE unit_id=? AND active=TRUE", src)[0][
            0
        ]
        assert n_src > 0
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MergeModal)
        app.screen.query_one("#mm-target", Select).value = dst
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert f"移交落实事项 {n_src} 项" in str(app.screen.query_one("#confirm-body").render())
        assert q(store, "SELECT merged_into FROM unit WHERE id=?", src)[0][0] is None
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT merged_into FROM unit WHERE id=?", src)[0][0] == dst
        assert (
            q(store, "SELECT COUNT(*) FROM assignment WHERE unit_id=? AND active=TRUE", src)[0][0]
            == 0
        )
        assert ("区人大办",) in q(store, "SELECT alias FROM unit_alias WHERE unit_id=?", dst)
        assert all(u.name != "区人大办" for u in app.tab("units").units)
        assert "并入" in app.last_message


async def test_group_resolution(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        tab = app.tab("units")
        group = tab.groups[0]
        n_pending = group.assignments
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, GroupResolveModal)
        # every task, when asked for (the button), and two units
        app.screen.query_one("#gr-all-tasks").press()
        await pilot.pause()
        sl = app.screen.query_one("#gr-units", SelectionList)
        units = [u for u in tab.units if u.region == group.region][:2]
        for u in units:
            sl.select(u.id)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        created = q(
            store,
            "SELECT unit_id FROM assignment WHERE via_group_id=? AND active=TRUE",
            group.group_id,
        )
        assert len(created) >= n_pending  # one per unit per task (minus ones already there)
        assert {r[0] for r in created} <= {u.id for u in units}
        assert (
            q(
                store,
                "SELECT COUNT(*) FROM assignment WHERE group_id=? AND active=TRUE",
                group.group_id,
            )[0][0]
            == 0
        )
        assert all(g.group_id != group.group_id for g in tab.groups)


async def test_import_cancel_writes_nothing_then_confirm_imports(make_app, store):
    app = make_app(import_dir=SEED000.parent)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        plans = q(store, "SELECT COUNT(*) FROM plan")[0][0]
        audits = q(store, "SELECT COUNT(*) FROM audit_log")[0][0]
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#ip-path", Input).value = str(SEED000)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ImportReviewScreen)  # the review before the write
        assert "任务 32 项" in app.screen.text()
        await pilot.press("escape")
        await settle(pilot)
        assert "取消" in app.last_message
        assert q(store, "SELECT COUNT(*) FROM plan")[0][0] == plans
        assert q(store, "SELECT COUNT(*) FROM audit_log")[0][0] == audits

        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#ip-path", Input).value = str(SEED000)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        body = str(app.screen.query_one("#confirm-body").render())
        assert "写入任务 32 项" in body
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT COUNT(*) FROM plan")[0][0] == plans + 1
        assert "已导入" in app.last_message
        assert app.board.plan_count == plans + 1


async def test_import_bad_path_is_refused_in_the_dialog(make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i")
        await pilot.pause()
        app.screen.query_one("#ip-path", Input).value = str(tmp_path / "nope.docx")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "文件不存在" in str(app.screen.query_one("#dialog-error").render())


async def test_as_of_date_change_and_help_and_palette(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = app.status_counts()
        await pilot.press("d")
        await pilot.pause()
        app.screen.query_one("#date-value", Input).value = "2026-01-31"
        await pilot.press("enter")
        await settle(pilot)
        assert app.as_of.isoformat() == "2026-01-31"
        assert "截至 2026-01-31" in app.sub_title
        assert app.status_counts()[Status.OVERDUE] > before[Status.OVERDUE]

        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-table").render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        titles = {c.title for c in app.palette_commands("items")}
        for t in (
            "进展",
            "验收",
            "重开",
            "期限",
            "延期",
            "搜索",
            "筛选",
            "排序",
            "撤销",
            "导入",
            "帮助",
        ):
            assert t in titles
        titles = {c.title for c in app.palette_commands("units")}
        assert {"合并", "分解", "改单位"} <= titles
        assert text is not None


async def test_undo_with_nothing_left_says_so(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert "还没有可撤销的修改" in app.last_message


async def test_quit(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code in (0, None)


def test_demo_as_of_is_inside_both_plans():
    assert DEMO_AS_OF.year == 2024


async def test_overview_ranking_opens_the_unit_and_key_bar_follows_the_tab(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        bar = app.query_one("KeyBar")
        keys = {k for k, _d, _e in bar.hints()}
        assert {"q", "/", "u"} <= keys and "a" not in keys  # 验收 only where items are
        ranking = app.query_one("#ov-units-table", VirtualTable)
        assert app.focused is ranking and ranking.count == len(app.board.figures)
        await pilot.press("down", "enter")
        await settle(pilot)
        fig = app.tab("overview").unit_at(1)
        assert app.active_tab == "units"
        units = app.query_one("#units-table", VirtualTable)
        assert app.tab("units").units[units.cursor].id == fig.unit_id
        assert fig.name in app.screen_text()
        await pilot.press("3")
        await settle(pilot)
        keys = {k for k, _d, _e in app.query_one("KeyBar").hints()}
        assert {"a", "p", "s", "f"} <= keys
