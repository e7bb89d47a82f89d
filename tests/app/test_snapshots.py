"""SVG snapshots of the five screens at 120×40 and the overview at 80×24 (fixed as-of date).

Review changes with the snapshot report before running ``pytest --snapshot-update``.
"""

from __future__ import annotations

from textual.widgets import Tree

from tests.app.conftest import settle


def _first_task(node):
    for c in node.children:
        if c.data and c.data[0] == "task":
            return c
        found = _first_task(c)
        if found is not None:
            return found
    return None


async def _ready(pilot) -> None:
    await settle(pilot)


async def _open_first_task(pilot) -> None:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    tree = pilot.app.query_one("#plan-tree", Tree)
    task = _first_task(tree.root)
    parent = task.parent
    while parent is not None and parent is not tree.root:
        parent.expand()
        parent = parent.parent
    await pilot.pause()
    tree.move_cursor(task)
    await settle(pilot)


async def _open_first_unit(pilot) -> None:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def test_overview_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_ready)


def test_overview_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_ready)


def test_plans_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_open_first_task)


async def _tab3(pilot) -> None:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)


async def _tab5(pilot) -> None:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)


def test_items_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_tab3)


def test_units_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_open_first_unit)


def test_triage_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_tab5)


async def _letters(pilot) -> None:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)


def test_letters_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_letters)
