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


def drawn_rows(table: VirtualTable) -> list[str]:
    """The table's rows as `render_line` draws them (through its kept lines)."""
    return [table.render_line(y).text.rstrip() for y in range(1, table.page_height + 1)]


def fresh_rows(table: VirtualTable) -> list[str]:
    """The same rows drawn from their cells now."""
    rows = [line.rstrip() for line in table.render_lines_text()[1:]]
    return rows + [""] * (table.page_height - len(rows))


async def test_kept_lines_are_drawn_afresh_when_the_row_changes(make_app):
    """The items table keeps drawn lines by (board, row, report texts read): a report
    text read after the first drawing, a selection mark and a new board all show."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.query_one("#items-table", VirtualTable)
        tab = app.tab("items")
        data = tab.data
        # to rows with progress: drawn first without their report texts, which are read
        # once the keys are quiet
        first = next(n for n, i in enumerate(tab.view) if data.last_progress[i] is not None)
        table.cursor = first
        await pilot.pause()
        drawn_before = drawn_rows(table)
        await settle(pilot)
        assert data.texts_version > 0
        assert drawn_rows(table) == fresh_rows(table) != drawn_before
        assert any(data.report(tab.view[n]) for n in range(first, first + table.page_height))
        tab.main_widget().focus()
        await pilot.press("space")  # select the cursor's row (the cursor moves on)
        await pilot.pause()
        assert tab.selected and "✚" in "".join(drawn_rows(table))
        assert drawn_rows(table) == fresh_rows(table)
        await pilot.press("escape")
        await pilot.pause()
        assert not tab.selected and "✚" not in "".join(drawn_rows(table))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert drawn_rows(table) == fresh_rows(table)


async def test_a_warm_board_leaves_pypinyin_unloaded(desk_on, generated):
    import sys

    app = desk_on(generated, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await app.workers.wait_for_complete([w for w in app.workers if w.group == "warm"])
        assert app.tab("items").data._search is not None  # warmed: the index is built
        assert "pypinyin" not in sys.modules
        await pilot.press("slash", "s", "f", "j")  # the initials are cached: no new import
        await pilot.pause()
        assert list(app.tab("items").view) == expected(app.tab("items").data, "sfj", "urgency")
        assert "pypinyin" not in sys.modules
