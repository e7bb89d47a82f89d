"""The desk's region chooser (a city store holds several counties): R chooses a region, the
items list keeps to its plans and the title bar says which; a store with one region offers
no chooser at all."""

from __future__ import annotations

import os

import pytest
from textual.widgets import Select

from tests.app.conftest import OPERATOR, settle
from tests.conftest import SEED002, query
from tui.app.region_choice import RegionModal
from tui.store.demo_history import DEMO_AS_OF

SIZE = (120, 40)


def _in_region(store, region: str) -> int:
    return query(
        store,
        "SELECT count(*) FROM assignment a JOIN task t ON t.id = a.task_id "
        "JOIN plan p ON p.id = t.plan_id "
        "WHERE a.active = TRUE AND t.active = TRUE AND p.region = :r",
        {"r": region},
    )[0][0]


@pytest.mark.both_stores
async def test_choosing_a_region_keeps_the_items_to_it(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.regions.several  # the demo holds 东胜区 and 阿拉善左旗
        assert "地区" not in app.sub_title
        await pilot.press("3")
        await settle(pilot)
        tab = app.tab("items")
        total = len(tab.view)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, RegionModal)
        app.screen.query_one("#region-select", Select).value = "东胜区"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "地区 东胜区" in app.sub_title
        expected = _in_region(store, "东胜区")
        assert 0 < len(tab.view) == expected < total
        # filters set afterwards keep the region; "all" brings every item back
        await pilot.press("R")
        await settle(pilot)
        app.screen.query_one("#region-select", Select).clear()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "地区" not in app.sub_title and len(tab.view) == total
        commands = [c.title for c in app.palette_commands()]
        assert "地区" in commands


async def test_a_store_with_one_region_has_no_chooser(tmp_path, monkeypatch):
    from tui.app.app import DubanApp
    from tui.cli import main
    from tui.services.store import open_store

    monkeypatch.setenv("DUBAN_CONFIG", os.devnull)
    monkeypatch.setenv("DUBAN_USER", OPERATOR)
    db = tmp_path / "county.db"
    assert main(["import", str(SEED002), "--db", str(db)]) == 0
    handle = open_store(str(db))
    try:
        app = DubanApp(handle, as_of=DEMO_AS_OF, operator=OPERATOR)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert not app.regions.several
            assert "地区" not in [c.title for c in app.palette_commands()]
            await pilot.press("R")
            await settle(pilot)
            assert not isinstance(app.screen, RegionModal)
            assert "地区" not in app.sub_title
    finally:
        handle.engine.dispose()
