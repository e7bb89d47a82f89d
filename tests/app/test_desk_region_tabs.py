"""The desk's region reaches every tab the board feeds: with a county chosen, the overview's
counts and ranking, the plans tree, the items, the units and groups and the letters are that
county's; "全部地区" brings the whole store back (what "a region's" means per tab:
`tui.services.board`). The demo store holds two counties' plans, 东胜区 and 阿拉善左旗."""

from __future__ import annotations

import pytest
from textual.widgets import Select

from tests.app.conftest import settle
from tests.conftest import query
from tui.app.region_choice import RegionModal
from tui.domain.status import Status

SIZE = (120, 40)
_ITEMS = (
    "SELECT count(*) FROM assignment a JOIN task t ON t.id = a.task_id "
    "JOIN plan p ON p.id = t.plan_id WHERE a.active = TRUE AND t.active = TRUE"
)


def expected(store, region: str | None) -> dict:
    """What each tab should hold, counted straight from the store (outside the desk)."""
    r = {"r": region}
    where = " AND p.region = :r" if region else ""
    unit_where = " AND region = :r" if region else ""
    return {
        "items": query(store, _ITEMS + where, r)[0][0],
        "plans": sorted(i for (i,) in query(store, "SELECT id FROM plan p WHERE 1 = 1" + where, r)),
        "units": sorted(
            i
            for (i,) in query(
                store, "SELECT id FROM unit WHERE merged_into IS NULL" + unit_where, r
            )
        ),
        "letters": sorted(
            i
            for (i,) in query(
                store,
                "SELECT l.id FROM letter l JOIN unit u ON u.id = l.unit_id WHERE 1 = 1"
                + (" AND u.region = :r" if region else ""),
                r,
            )
        ),
        "region_units": {
            i for (i,) in query(store, "SELECT id FROM unit WHERE 1 = 1" + unit_where, r)
        },
    }


async def choose(pilot, region: str | None) -> None:
    app = pilot.app
    await pilot.press("R")
    await settle(pilot)
    assert isinstance(app.screen, RegionModal)
    select = app.screen.query_one("#region-select", Select)
    if region is None:
        select.clear()
    else:
        select.value = region
    await pilot.press("ctrl+s")
    await settle(pilot)


def tabs_now(app) -> dict:
    """What every tab holds at this moment."""
    plans_tree = app.tab("plans").query_one("#plan-tree")
    return {
        "items": len(app.tab("items").view),
        "plans": sorted(n.data[1] for n in plans_tree.root.children),
        "units": sorted(u.id for u in app.tab("units").units),
        "letters": sorted(x.id for x in app.tab("letters").letters),
        "overview_units": [u.unit_id for u in app.tab("overview")._units],
        "counts": dict(app.board.overview.counts),
        "total": app.board.overview.total,
        "plan_count": app.board.overview.plan_count,
        "board_plans": sorted(f.plan_id for f in app.board.plans),
        "groups": {g.region for g in app.tab("units").groups},
    }


@pytest.mark.both_stores
async def test_every_tab_and_count_is_the_chosen_regions(make_app, store):
    regions = ["东胜区", "阿拉善左旗"]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the plans tab builds its tree when shown
        await settle(pilot)
        whole = tabs_now(app)
        everything = expected(store, None)
        assert whole["items"] == everything["items"] == whole["total"]
        assert whole["plans"] == everything["plans"]
        assert whole["units"] == everything["units"]
        assert whole["letters"] == everything["letters"]
        seen = {}
        for region in regions:
            await choose(pilot, region)
            assert f"地区 {region}" in app.sub_title
            assert app.board.region == region
            now, want = tabs_now(app), expected(store, region)
            assert 0 < now["items"] == want["items"] == now["total"] < whole["items"]
            assert now["plans"] == want["plans"] and now["plan_count"] == len(want["plans"])
            assert set(now["board_plans"]) <= set(want["plans"])
            assert now["units"] == want["units"] and 0 < len(now["units"]) < len(whole["units"])
            assert now["letters"] == want["letters"]
            assert now["groups"] <= {region}
            # the overview's ranking names only units that have this region's items
            assert now["overview_units"] and len(now["overview_units"]) < len(
                whole["overview_units"]
            )
            seen[region] = now
        # the two counties make up the city: every light's count adds up
        for s in Status:
            assert sum(seen[r]["counts"][s] for r in regions) == whole["counts"][s], s
        assert sum(seen[r]["items"] for r in regions) == whole["items"]
        assert (
            sorted(seen["东胜区"]["letters"] + seen["阿拉善左旗"]["letters"]) == (whole["letters"])
        )
        # 全部地区: the whole store again
        await choose(pilot, None)
        assert "地区" not in app.sub_title and app.board.region is None
        again = tabs_now(app)
        assert again == whole


async def test_circulars_and_year_views_are_the_chosen_regions(make_app, store):
    """The 通报 register lists the chosen county's circulars and drafts only for its plans;
    the year's figures are the county's (`duban summary --year --region`)."""
    from tui.app.tabs.circulars import CircularsScreen
    from tui.reports.summary import table_rows
    from tui.services.circulars import draft_circular
    from tui.services.reports import year_summary

    app = make_app()
    plans = dict(query(store, "SELECT region, id FROM plan"))
    for region in ("东胜区", "阿拉善左旗"):
        draft_circular(app.store.engine, as_of=app.as_of, actor="测试员", plan_id=plans[region])
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await choose(pilot, "东胜区")
        await pilot.press("C")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CircularsScreen)
        assert [r.plan_title for r in screen.rows] == [
            query(store, "SELECT title FROM plan WHERE id = :p", {"p": plans["东胜区"]})[0][0]
        ]
        assert "地区 东胜区" in screen.text() and "共 1 件" in screen.text()
        await pilot.press("n")  # drafting offers the county's plan alone
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        body = str(app.screen.query_one("#confirm-body").render())
        assert "东胜区" in body and "阿拉善左旗" not in body and "其他计划" not in body
        await pilot.press("escape", "escape")
        await settle(pilot)
        await pilot.press("Y")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        year = app.screen
        assert type(year).__name__ == "YearScreen"
        ours = year_summary(app.store.engine, year.year, today=app.as_of, region="东胜区")
        whole = year_summary(app.store.engine, year.year, today=app.as_of)
        assert year.figures == ours and ours != whole
        text = year.text()
        assert "东胜区" in text
        for name, value in table_rows(ours):
            assert f"{name} {value}" in text
