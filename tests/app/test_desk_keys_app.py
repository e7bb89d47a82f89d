"""The items tab's keystrokes on a generated board, and what a reload leaves behind.

The tab keeps the whole board as a range or the kept sort order, narrows searches by the
previous result and answers backspace from its kept results: its list must be, after every
key, exactly the rows a plain scan and a plain sort give. A reload must leave the old board
unreachable (the desk's memory stays flat across reloads only if nothing holds it).
"""

from __future__ import annotations

import gc
import weakref

import pytest

from bench.gen_store import AS_OF, build_store
from tests.app.conftest import settle
from tests.test_desk_keys import reference_key, reference_search
from tui.app.tabs.items import SORTS
from tui.app.widgets.vtable import VirtualTable
from tui.domain.search import Filters
from tui.heap import release_free_memory

SIZE = (120, 40)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    db = tmp_path_factory.mktemp("keysapp") / "board.db"
    build_store(db, assignments=4000, seed=13)
    return db


def expected(data, query: str, mode: str, base=None) -> list[int]:
    rows = reference_search(data, query, base) if query else list(base or range(len(data)))
    if mode != "urgency":
        rows = sorted(rows, key=reference_key(data, mode))
    return rows


async def test_search_backspace_sort_and_filter_keep_the_plain_answer(desk_on, generated):
    app = desk_on(generated, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        tab = app.tab("items")
        data = tab.data
        table = app.query_one("#items-table", VirtualTable)
        assert list(tab.view) == list(range(len(data)))
        await pilot.press("slash")
        await pilot.pause()
        typed = ""
        for ch in "sfj":
            typed += ch
            await pilot.press(ch)
            await pilot.pause()
            assert list(tab.view) == expected(data, typed, "urgency"), typed
        for _ in range(3):
            typed = typed[:-1]
            await pilot.press("backspace")
            await pilot.pause()
            assert list(tab.view) == expected(data, typed, "urgency"), typed
        await pilot.press("escape")
        await pilot.pause()
        # every sort of the whole board, the cursor staying on its item
        table.cursor = 17
        await pilot.pause()
        aid = tab.current_id()
        for mode, _name in SORTS[1:] + SORTS[:1]:
            await pilot.press("s")
            await pilot.pause()
            assert SORTS[tab.sort_mode][0] == mode
            assert list(tab.view) == expected(data, "", mode), mode
            assert tab.current_id() == aid, mode
        # a search while sorted, then a filter under it
        await pilot.press("s")  # by deadline
        await pilot.pause()
        await pilot.press("slash")
        for ch in "zf":
            await pilot.press(ch)
        await pilot.pause()
        assert list(tab.view) == expected(data, "zf", "deadline")
        over = Filters(statuses=frozenset({"逾期"}))
        tab.filters = over
        tab._forget_results()
        tab.recompute()
        base = data.filter(over)
        assert list(tab.view) == expected(data, "zf", "deadline", base)
        await pilot.press("backspace")
        await pilot.pause()
        assert list(tab.view) == expected(data, "z", "deadline", base)


async def test_a_reload_leaves_the_old_board_unreachable(desk_on, generated):
    app = desk_on(generated, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("slash", "s", "f")  # the tab keeps results of the old board
        await settle(pilot)
        old_board = weakref.ref(app.board)
        old_data = weakref.ref(app.board.data)
        loads = app.loads
        await pilot.press("escape", "escape")
        await pilot.press("ctrl+r")
        for _ in range(200):
            await settle(pilot)
            if app.loads > loads:
                break
        assert app.loads == loads + 1
        await settle(pilot)
        gc.collect()
        assert old_board() is None and old_data() is None
        # the new board answers as the old one did
        assert list(app.tab("items").view) == expected(app.board.data, "sf", "urgency")


def test_free_memory_is_given_back_where_the_allocator_can():
    import sys

    assert release_free_memory() in (True, False)
    if sys.platform.startswith("linux"):
        import platform

        if platform.libc_ver()[0] == "glibc":
            assert release_free_memory() is True
