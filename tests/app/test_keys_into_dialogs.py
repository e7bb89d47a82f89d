"""Keys typed right after the key that opens a dialog are the dialog's (tui.app.key_hold).

Seen in use: `p` then the progress text, typed in one burst. A recurring duty's dialog
opens after a read in a worker, and the keys that came meanwhile went to the list as desk
keys: `a` opened 验收销号 over the progress dialog (a following `y` would have confirmed
it), digits switched tabs. The keys here come the way a terminal delivers a burst: all
handed to the driver at once, nothing waited for between them.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, TabbedContent

from tests.app.conftest import settle
from tests.app.test_desk_pilot import SIZE, cursor_row, q
from tui.app.modals.base import ConfirmModal
from tui.app.modals.items import ProgressModal

pytestmark = pytest.mark.both_stores


def burst(app, keys: list[str]) -> None:
    """The keys as one burst from the terminal: queued before the desk handles the first."""
    for key in keys:
        char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


async def _recurring_row(app, pilot):
    await pilot.press("3")
    await settle(pilot)
    for _ in range(200):
        fact = cursor_row(app).fact
        if fact.recurring and fact.unit_id is not None:
            return fact
        await pilot.press("j")
    raise AssertionError("the demo store has a recurring duty among the first 200 rows")


async def test_text_typed_after_p_lands_in_the_progress_dialog(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        fact = await _recurring_row(app, pilot)
        burst(app, ["p", "a", "y", "1", "2"])
        await settle(pilot)
        assert isinstance(app.screen, ProgressModal), type(app.screen).__name__
        assert len(app.screen_stack) == 2, "nothing opened over it or beside it"
        assert app.screen.query_one("#pm-text", Input).value == "ay12"
        assert app.query_one(TabbedContent).active == "items", "`1` did not switch tabs"
        # nothing was closed by the `a … y` that would have confirmed 验收销号
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", fact.id)[0][0] is None


async def test_keys_typed_after_a_synchronous_dialog_reach_its_field(make_app, store):
    """A one-off duty's dialog is pushed at once; its field is focused only once mounted."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        for _ in range(200):
            if not cursor_row(app).fact.recurring:
                break
            await pilot.press("j")
        burst(app, ["p", "x", "j", "k"])
        await settle(pilot)
        assert isinstance(app.screen, ProgressModal), type(app.screen).__name__
        assert app.screen.query_one("#pm-text", Input).value == "xjk"


async def test_keys_typed_for_a_dialog_that_never_opens_do_not_act_on_the_desk(
    make_app, store, monkeypatch
):
    """The read behind the dialog fails: its error is shown, and the keys typed for the
    dialog are dropped rather than taken as desk keys."""
    from tui.app.tabs import item_actions
    from tui.errors import DubanError

    def fails(*_a, **_k):
        raise DubanError("读取周期失败")

    monkeypatch.setattr(item_actions.svc, "occurrence_plan", fails)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _recurring_row(app, pilot)
        burst(app, ["p", "a", "y"])
        await settle(pilot)
        assert len(app.screen_stack) == 1, type(app.screen).__name__
        assert not isinstance(app.screen, ConfirmModal)
        assert "读取周期失败" in app.last_message
        # the desk answers keys again
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)


async def test_a_confirmation_is_never_answered_by_keys_typed_before_it_was_shown(make_app, store):
    """`a` then `y` in one burst: 验收销号 asks, and the `y` typed before the question was on
    screen does not answer it (before, it reached the question's own Y and closed the item
    unseen); the desk says it ignored the key, and a `y` pressed now answers."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        fact = cursor_row(app).fact
        burst(app, ["a", "y"])
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", fact.id)[0][0] is None
        assert "已忽略" in app.last_message
        await pilot.press("y")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert q(store, "SELECT completed_on FROM assignment WHERE id=?", fact.id)[0][0]


async def test_a_hold_given_up_after_its_limit_does_not_end_a_later_one(
    make_app, store, monkeypatch
):
    """A dialog that took too long lets go of the keys (the desk must keep answering); when
    its own release comes late, it must not end the hold of the next dialog on its way."""
    import asyncio

    from tui.app import key_hold

    monkeypatch.setattr(key_hold, "LIMIT_S", 0.05)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.key_hold.hold()
        await asyncio.sleep(0.3)
        await pilot.pause()  # the limit passed: the first hold is given up
        monkeypatch.setattr(key_hold, "LIMIT_S", 60.0)  # the second is not timed out here
        second = app.key_hold.hold()
        app.key_hold.release(first)  # late, and not the second's to end
        burst(app, ["3"])
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "overview", "the key is still held"
        app.key_hold.release(second)
        await settle(pilot)
        assert app.query_one(TabbedContent).active == "items", "then handed on"
