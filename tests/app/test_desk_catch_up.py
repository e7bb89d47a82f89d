"""After a write the desk reads again only the rows it touched (issue 14: at 200,000 rows a
whole read takes seconds), and shows them as a whole read would; a change that reaches
beyond its rows (a unit's details) still reads the whole board."""

from __future__ import annotations

import pytest

from tests.app.conftest import settle
from tests.app.test_desk_pilot import SIZE, cursor_row, q
from tui.app.modals.base import ConfirmModal

pytestmark = pytest.mark.both_stores


@pytest.fixture
def whole_reads(monkeypatch) -> list[int]:
    """Counts the desk's whole-board reads (the real reader, counted on its way through)."""
    import tui.services.board as board_service

    calls: list[int] = []
    real = board_service.load_desk

    def counted(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(board_service, "load_desk", counted)
    return calls


async def test_closing_an_item_reads_only_that_row_again(make_app, store, whole_reads):
    from tui.services.board import load_board

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        aid = cursor_row(app).fact.id
        reads, loads = len(whole_reads), app.loads
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", aid)[0][0] is not None
        assert app.loads > loads, "the board shown is the one after the write"
        assert len(whole_reads) == reads, "no whole read for one closed item"
        row = next(r for r in app.board.data.rows if r.fact.id == aid)
        assert row.fact.completed_on is not None
        # what is shown is what a whole read shows now
        whole = load_board(app.store, app.as_of, soon_days=app.soon_days)
        assert list(app.board.data.ids) == list(whole.data.ids)
        assert app.board.overview == whole.overview


async def test_a_unit_change_reads_the_whole_board(make_app, store, whole_reads):
    from tui.services import desk as svc

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reads = len(whole_reads)
        unit_id = next(u for u in app.board.data.unit_ids if u is not None)
        app.write(
            svc.edit_unit_info,
            app.store,
            unit_id,
            head="王五",
            contact="李四",
            phone="0477-1234567",
            aliases=[],
            actor=app.operator,
        )
        await settle(pilot)
        assert len(whole_reads) > reads
