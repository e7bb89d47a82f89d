"""Two desks on one store, through Pilot: what another operator changed after this desk read
its board is never overwritten; the desk says who changed it and when, and shows it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.app.conftest import settle
from tests.app.test_desk_pilot import SIZE, cursor_row, q
from tui.app.modals.base import ConfirmModal

pytestmark = pytest.mark.both_stores


async def test_closing_an_item_another_desk_closed_is_refused_and_refreshed(make_app, store):
    from tui.services import desk as svc
    from tui.services.store import open_store

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        aid = cursor_row(app).fact.id
        loads = app.loads
        # another desk (乙) closes the item after this one read its board
        other = open_store(str(store))
        try:
            svc.close_items(other, [aid], date(2024, 11, 12), "乙")
        finally:
            other.engine.dispose()
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert "已被他人修改（乙，" in app.last_message and "已刷新" in app.last_message
        # 乙's date stands; the desk read its board again and shows the item closed
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", aid)[0][0] == (
            "2024-11-12"
        )
        assert app.loads > loads
        row = next(r for r in app.board.data.rows if r.fact.id == aid)
        assert row.fact.completed_on == date(2024, 11, 12)
        # now that it is shown, this desk may act on it (reopen it)
        tab = app.tab("items")
        from tui.app.widgets.vtable import VirtualTable

        t = app.query_one("#items-table", VirtualTable)
        t.cursor = next(n for n, i in enumerate(tab.view) if tab.data.rows[i].fact.id == aid)
        await pilot.press("o")
        await settle(pilot)
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", aid)[0][0] is None


async def test_the_desk_shows_another_desks_change_within_seconds(make_app, store, monkeypatch):
    import tui.app.app as app_module
    from tui.services import desk as svc
    from tui.services.store import open_store

    monkeypatch.setattr(app_module, "POLL_SECONDS", 0.2)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(0.5)  # polls that find nothing change nothing
        loads = app.loads
        assert "其他督办台" not in app.last_message
        await pilot.press("3")
        await settle(pilot)
        aid = cursor_row(app).fact.id
        other = open_store(str(store))
        try:
            svc.close_items(other, [aid], date(2024, 11, 12), "乙")
        finally:
            other.engine.dispose()
        for _ in range(50):  # the next poll finds it (a person would wait a few seconds)
            await pilot.pause(0.1)
            if app.loads > loads:
                break
        await settle(pilot)
        assert app.loads > loads
        assert "其他督办台有更新（乙，" in app.last_message
        row = next(r for r in app.board.data.rows if r.fact.id == aid)
        assert row.fact.completed_on == date(2024, 11, 12)
