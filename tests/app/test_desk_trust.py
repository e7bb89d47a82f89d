"""The desk an office can trust (issue 10): each test reproduces one defect seen at the desk.

Every test here failed on the desk before this work (one key signed a letter, `u` reached back
into an earlier session, a hidden selection was written to unseen, `g` resolved a group for
every task, a plan without owners could not be assigned, a monthly duty took one entry per
missed month, an extension outlived a later correction). They drive the real app through
Pilot and assert on the SQLite file.
"""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import OPERATOR, q, settle
from tests.conftest import SEED000

SIZE = (120, 40)


def screen_name(app) -> str:
    return type(app.screen).__name__


def body_text(app, selector: str = "#confirm-body") -> str:
    w = app.screen.query_one(selector)
    r = w.render()
    return getattr(r, "plain", None) or str(getattr(w, "content", r))


async def open_letters_on_draft(pilot) -> int:
    """Tab 6 with the cursor on the first draft; returns its letter id."""
    app = pilot.app
    await pilot.press("6")
    await settle(pilot)
    table = app.query_one("#letters-table")
    row = next(i for i in range(table.row_count) if str(table.get_row_at(i)[1]) == "（草稿）")
    table.move_cursor(row=row)
    await settle(pilot)
    return app.query_one("#letters-view").current_id()


# --------------------------------------------------------------------------- keys


async def test_k_on_the_letters_tab_moves_the_cursor_and_signs_nothing(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        signed = q(store, "SELECT COUNT(*) FROM letter WHERE number IS NOT NULL")
        await pilot.press("6")
        await settle(pilot)
        table = app.query_one("#letters-table")
        assert table.row_count >= 3
        await pilot.press("j", "j")
        await settle(pilot)
        assert table.cursor_row == 2
        await pilot.press("k")
        await settle(pilot)
        assert table.cursor_row == 1
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor_row == table.row_count - 1
        await pilot.press("g")
        await settle(pilot)
        assert table.cursor_row == 0
        assert q(store, "SELECT COUNT(*) FROM letter WHERE number IS NOT NULL") == signed


async def test_j_k_g_G_move_in_the_plan_tree_and_the_unit_list(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        groups = q(store, "SELECT COUNT(*) FROM assignment WHERE group_id IS NOT NULL AND active=1")
        await pilot.press("2")
        await settle(pilot)
        tree = app.query_one("#plan-tree")
        start = tree.cursor_line
        await pilot.press("j", "j")
        assert tree.cursor_line == start + 2
        await pilot.press("k")
        assert tree.cursor_line == start + 1
        await pilot.press("4")
        await settle(pilot)
        units = app.query_one("#units-table")
        await pilot.press("G")
        assert units.cursor == units.count - 1
        await pilot.press("g")
        assert units.cursor == 0
        # g no longer resolves a group (it used to, on the units tab)
        assert screen_name(app) == "Screen"
        assert (
            q(store, "SELECT COUNT(*) FROM assignment WHERE group_id IS NOT NULL AND active=1")
            == groups
        )


# --------------------------------------------------------------------------- signing


async def test_signing_asks_for_confirmation_and_records_the_given_signer(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        draft = await open_letters_on_draft(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.query("#sign-by"), screen_name(app)
        body = body_text(app)
        assert "〔" in body and "号" in body  # the number it will get
        assert "不能撤销" in body
        assert q(store, "SELECT number FROM letter WHERE id=?", draft) == [(None,)]
        # Enter does not sign: the dialog defaults to No
        await pilot.press("escape")
        await settle(pilot)
        assert q(store, "SELECT number FROM letter WHERE id=?", draft) == [(None,)]

        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#sign-by").value = "王主任"
        app.screen.query_one("#yes").press()
        await settle(pilot)
        ((number, by),) = q(store, "SELECT number, signed_by FROM letter WHERE id=?", draft)
        assert number and by == "王主任"
        actor = q(
            store, "SELECT actor FROM audit_log WHERE action='letter.sign' ORDER BY id DESC LIMIT 1"
        )
        assert actor == [(OPERATOR,)]
        assert number in app.screen_text()

    # The next desk session offers the same signer (on a reminder it drafts: a 督办函 goes
    # to the unit's head, which the demo's units lack).
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("6", "n")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        table = app.query_one("#letters-table")
        row = next(
            i
            for i in range(table.row_count)
            if str(table.get_row_at(i)[1]) == "（草稿）" and str(table.get_row_at(i)[2]) != "督办"
        )
        table.move_cursor(row=row)
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.screen.query_one("#sign-by").value == "王主任"


# --------------------------------------------------------------------------- undo


async def _edit_unit_head(pilot, name: str, head: str) -> None:
    app = pilot.app
    await pilot.press("4")
    await settle(pilot)
    t = app.query_one("#units-table")
    rows = [line for line in t.render_lines_text()]
    assert rows
    units = pilot.app.units if hasattr(pilot.app, "units") else None
    if units is None:
        units = app.query_one("#units-view").units
    t.cursor = next(n for n, u in enumerate(units) if u.name == name)
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    app.screen.query_one("#ue-head").value = head
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_undo_after_signing_reverts_nothing_unrelated_and_says_what_it_would_undo(
    make_app, store
):
    # An earlier run of the desk, by the same operator: a unit edit.
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _edit_unit_head(pilot, "区司法局", "李局长")
    assert q(store, "SELECT head FROM unit WHERE name='区司法局'") == [("李局长",)]

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        draft = await open_letters_on_draft(pilot)
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#sign-by").value = "王主任"
        app.screen.query_one("#yes").press()
        await settle(pilot)
        assert q(store, "SELECT status FROM letter WHERE id=?", draft) == [("已签发",)]

        await pilot.press("u")
        await settle(pilot)
        if app.screen.query("#yes"):
            app.screen.query_one("#yes").press()
            await settle(pilot)
        # nothing unrelated was reverted, and the desk said why nothing was undone
        assert q(store, "SELECT head FROM unit WHERE name='区司法局'") == [("李局长",)]
        assert q(store, "SELECT status FROM letter WHERE id=?", draft) == [("已签发",)]
        assert "签发" in app.last_message and "不能撤销" in app.last_message

        # A change of this session: `u` names it and asks before reverting it.
        await pilot.press("5")
        await settle(pilot)
        before = q(store, "SELECT COUNT(*) FROM progress")
        await pilot.press("p")
        await settle(pilot)
        app.screen.query_one("#pm-text").value = "电话反馈正在推进"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert q(store, "SELECT COUNT(*) FROM progress")[0][0] == before[0][0] + 1
        await pilot.press("u")
        await settle(pilot)
        assert screen_name(app) == "ConfirmModal"
        body = body_text(app)
        assert "记录进展" in body and OPERATOR in body and "电话反馈正在推进" in body
        await pilot.press("n")
        await settle(pilot)
        assert q(store, "SELECT COUNT(*) FROM progress")[0][0] == before[0][0] + 1
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT COUNT(*) FROM progress") == before
        assert q(store, "SELECT head FROM unit WHERE name='区司法局'") == [("李局长",)]


# --------------------------------------------------------------------------- selections


async def test_bulk_progress_lists_selected_items_hidden_by_a_search_before_writing(
    make_app, store
):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.query_one("#items-table")
        for _ in range(2):
            await pilot.press("space")
            await settle(pilot)
        tab = app.query_one("#items-view")
        ids = sorted(tab.selected)
        assert len(ids) == 2
        rows = {i: tab.data.by_id[i].fact for i in ids}
        # A search that shows only the second item's unit, and not the first item
        first, second = (rows[i] for i in ids)
        query = second.unit_name if second.unit_name != first.unit_name else second.task_title
        await pilot.press("slash")
        await settle(pilot)
        app.query_one("#search").value = query
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        visible = {tab.data.ids[i] for i in tab.view}
        hidden = [i for i in ids if i not in visible]
        assert hidden, "the search should hide one selected item"
        assert sorted(tab.selected) == ids  # a search keeps the selection
        assert "已选 2 项" in app.screen_text()

        await pilot.press("p")
        await settle(pilot)
        listed = body_text(app, "#pm-items")
        for i in ids:
            assert f"#{i}" in listed
        assert "不在当前列表" in listed
        assert q(store, "SELECT COUNT(*) FROM progress WHERE text='批量进展'") == [(0,)]
        app.screen.query_one("#pm-text").value = "批量进展"
        await pilot.press("ctrl+s")
        await settle(pilot)
        got = {r[0] for r in q(store, "SELECT assignment_id FROM progress WHERE text='批量进展'")}
        assert got == set(ids)
        assert table is app.query_one("#items-table")


async def test_escape_clears_the_selection_and_v_shows_only_selected(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "space", "j", "space")
        await settle(pilot)
        tab = app.query_one("#items-view")
        assert len(tab.selected) == 2
        await pilot.press("v")
        await settle(pilot)
        assert len(tab.view) == 2 and "只看选中" in app.screen_text()
        await pilot.press("v")
        await settle(pilot)
        assert len(tab.view) == len(tab.data)
        await pilot.press("escape")
        await settle(pilot)
        assert not tab.selected and "已选" not in app.screen_text()


# --------------------------------------------------------------------------- groups and owners


async def test_resolving_a_group_for_one_task_leaves_other_tasks_and_makes_no_duplicates(
    make_app, store
):
    (gid,) = q(store, "SELECT id FROM unit_group WHERE name='各有关部门'")[0]
    pending = q(
        store,
        "SELECT id, task_id FROM assignment WHERE group_id=? AND active=1 ORDER BY task_id",
        gid,
    )
    assert len(pending) > 5
    target_task = pending[0][1]
    leads = q(
        store,
        "SELECT u.id, u.name FROM assignment a JOIN unit u ON u.id=a.unit_id "
        "WHERE a.task_id=? AND a.role='lead' AND a.active=1",
        target_task,
    )
    lead_id = leads[0][0]
    (other_id,) = q(
        store,
        "SELECT id FROM unit WHERE region=(SELECT region FROM unit WHERE id=?) AND id NOT IN "
        "(SELECT unit_id FROM assignment WHERE task_id=? AND unit_id IS NOT NULL) LIMIT 1",
        lead_id,
        target_task,
    )[0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        groups_table = app.query_one("#groups-table")
        tab = app.query_one("#units-view")
        groups_table.focus()
        groups_table.cursor = next(n for n, g in enumerate(tab.groups) if g.group_id == gid)
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert screen_name(app) == "GroupResolveModal"
        tasks = app.screen.query_one("#gr-tasks")
        assert not tasks.selected  # never every task unless asked
        tasks.select(target_task)
        units = app.screen.query_one("#gr-units")
        units.select(lead_id)
        units.select(other_id)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen_name(app) == "ConfirmModal"
        body = body_text(app)
        assert "1 项任务" in body
        await pilot.press("y")
        await settle(pilot)

    still = q(store, "SELECT task_id FROM assignment WHERE group_id=? AND active=1", gid)
    assert sorted(t for (t,) in still) == sorted(t for _a, t in pending[1:])
    rows = q(
        store,
        "SELECT unit_id, role FROM assignment WHERE task_id=? AND active=1 AND unit_id IS NOT NULL",
        target_task,
    )
    assert (other_id, "responsible") in rows
    assert (lead_id, "responsible") not in rows  # it leads the task already
    dupes = q(
        store,
        "SELECT task_id, unit_id, role, COUNT(*) FROM assignment WHERE active=1 "
        "AND unit_id IS NOT NULL GROUP BY 1, 2, 3 HAVING COUNT(*) > 1",
    )
    assert dupes == []


def _import_seed000(store: Path) -> int:
    from tui.ingest.parser import parse_document
    from tui.ingest.readers import read_document
    from tui.store.db import make_engine
    from tui.store.importer import import_parsed

    engine = make_engine(str(store))
    doc = read_document(SEED000)
    import_parsed(engine, parse_document(doc), source=str(SEED000), kind=doc.kind, actor="导入")
    engine.dispose()
    (pid,) = q(store, "SELECT id FROM plan WHERE title LIKE '%2023年度工作计划%'")[0]
    return pid


def _task_node(tree, task_id: int):
    def walk(node):
        for c in node.children:
            if c.data == ("task", task_id):
                return c
            found = walk(c)
            if found is not None:
                return found
        return None

    return walk(tree.root)


async def _open_task(pilot, task_id: int) -> None:
    await pilot.press("2")
    await settle(pilot)
    tree = pilot.app.query_one("#plan-tree")
    node = _task_node(tree, task_id)
    parent = node.parent
    while parent is not None and parent is not tree.root:
        parent.expand()
        parent = parent.parent
    await pilot.pause()
    tree.move_cursor(node)
    await settle(pilot)


async def test_a_plan_without_owners_gets_owners_assigned_at_the_desk(make_app, store):
    pid = _import_seed000(store)
    first, second = (
        t for (t,) in q(store, "SELECT id FROM task WHERE plan_id=? ORDER BY position LIMIT 2", pid)
    )
    assert q(
        store,
        "SELECT COUNT(*) FROM assignment a JOIN task t ON t.id=a.task_id WHERE t.plan_id=?",
        pid,
    ) == [(0,)]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _open_task(pilot, first)
        await pilot.press("w")
        await settle(pilot)
        assert screen_name(app) == "OwnersModal"
        # a unit the store does not know yet: created in the plan's region
        app.screen.query_one("#ow-role").value = "lead"
        search = app.screen.query_one("#ow-search")
        search.focus()
        search.value = "达拉特旗司法局"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        # and a unit found by pinyin initials: qsfj is 旗司法局 and also 区司法局 (↓ picks)
        app.screen.query_one("#ow-role").value = "responsible"
        search.value = "qsfj"
        await settle(pilot)
        matches = app.screen.query_one("#ow-matches")
        labels = [str(matches.get_option_at_index(i).prompt) for i in range(matches.option_count)]
        assert any("区司法局" in x for x in labels) and any("旗司法局" in x for x in labels)
        for _ in range(next(i for i, x in enumerate(labels) if x.startswith("旗司法局"))):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert "达拉特旗司法局" in body_text(app, "#ow-pending")
        await pilot.press("ctrl+s")
        await settle(pilot)
        rows = q(
            store,
            "SELECT u.name, a.role FROM assignment a JOIN unit u ON u.id=a.unit_id "
            "WHERE a.task_id=? AND a.active=1 ORDER BY a.role",
            first,
        )
        assert ("达拉特旗司法局", "lead") in rows and ("旗司法局", "responsible") in rows
        assert app.query_one("#items-view").data is not None
        assert any(
            app.query_one("#items-view").data.by_id[a].fact.task_id == first
            for (a,) in q(store, "SELECT id FROM assignment WHERE task_id=? AND active=1", first)
        )
        # adding the same unit in the same role again is refused, nothing duplicated
        await pilot.press("w")
        await settle(pilot)
        app.screen.query_one("#ow-role").value = "responsible"
        search = app.screen.query_one("#ow-search")
        search.focus()
        search.value = "旗司法局"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        dupes = q(
            store,
            "SELECT COUNT(*) FROM assignment WHERE task_id=? AND active=1 AND role='responsible'",
            first,
        )
        assert dupes == [(1,)]
        if screen_name(app) != "Screen":
            await pilot.press("escape")
            await settle(pilot)
        # the owners change is undoable as one change
        await pilot.press("u")
        await settle(pilot)
        assert "负责单位" in body_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT COUNT(*) FROM assignment WHERE task_id=? AND active=1", first) == [
            (0,)
        ]
        assert second


# --------------------------------------------------------------------------- recurring, deadlines


async def _cursor_to(pilot, assignment_id: int) -> None:
    tab = pilot.app.query_one("#items-view")
    tab.show_assignment(assignment_id)
    await settle(pilot)


async def test_one_progress_action_clears_every_missed_month_up_to_a_date(make_app, store):
    (tid,) = q(store, "SELECT id FROM task WHERE number='（48）' AND due_recurring=1")[0]
    candidates = [
        a
        for (a,) in q(
            store,
            "SELECT a.id FROM assignment a WHERE a.task_id=? AND a.active=1 "
            "AND a.unit_id IS NOT NULL AND a.completed_on IS NULL ORDER BY a.id",
            tid,
        )
    ]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        tab = app.query_one("#items-view")
        # a unit of the monthly duty that has missed months (red)
        aid = next(a for a in candidates if tab.data.by_id[a].status.status.value == "逾期")
        await _cursor_to(pilot, aid)
        row = tab.data.by_id[aid]
        assert row.status.status.value == "逾期"
        detail = app.screen_text()
        assert "未报" in detail and "期" in detail  # the occurrences say why it is red
        before = q(store, "SELECT COUNT(*) FROM progress WHERE assignment_id=?", aid)[0][0]
        await pilot.press("p")
        await settle(pilot)
        app.screen.query_one("#pm-mode-until").value = True
        app.screen.query_one("#pm-until").value = "2024-11-15"
        app.screen.query_one("#pm-text").value = "补报1月至10月月通报"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert q(store, "SELECT COUNT(*) FROM progress WHERE assignment_id=?", aid)[0][0] == (
            before + 1
        )
        row = tab.data.by_id[aid]
        assert row.status.status.value != "逾期", row.status


async def test_a_later_deadline_correction_supersedes_an_earlier_extension(make_app, store):
    # a one-off task with several units, none closed
    tid, aid, other = q(
        store,
        "SELECT a.task_id, a.id, b.id FROM assignment a JOIN assignment b "
        "ON b.task_id=a.task_id AND b.id<>a.id AND b.active=1 AND b.unit_id IS NOT NULL "
        "JOIN task t ON t.id=a.task_id WHERE t.due_recurring=0 AND t.due_dates<>'' "
        "AND a.active=1 AND a.unit_id IS NOT NULL AND a.completed_on IS NULL "
        "AND b.completed_on IS NULL AND a.due_override IS NULL ORDER BY a.id LIMIT 1",
    )[0]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await _cursor_to(pilot, aid)
        await pilot.press("x")
        await settle(pilot)
        app.screen.query_one("#em-reason").value = "人员调整"
        app.screen.query_one("#em-new").value = "2024-12-31"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert q(store, "SELECT due_override FROM assignment WHERE id=?", aid) == [("2024-12-31",)]
        await _cursor_to(pilot, other)
        await pilot.press("t")
        await settle(pilot)
        app.screen.query_one("#dm-value").value = "2025-06-30"
        app.screen.query_one("#dm-reason").value = "市里统一调整"
        await pilot.press("ctrl+s")
        await settle(pilot)
        if screen_name(app) == "ConfirmModal":
            assert "延期" in body_text(app)
            await pilot.press("y")
            await settle(pilot)
        assert q(store, "SELECT due_override FROM assignment WHERE id=?", aid) == [(None,)]
        tab = app.query_one("#items-view")
        assert tab.data.by_id[aid].status.due.isoformat() == "2025-06-30"
        await _cursor_to(pilot, aid)
        assert "人工更正" in app.screen_text()
        # undo brings the extension back
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT due_override FROM assignment WHERE id=?", aid) == [("2024-12-31",)]
        assert tid
