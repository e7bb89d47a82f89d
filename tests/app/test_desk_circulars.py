"""The 通报 view at the desk: reached by its key and the palette, drafting (confirmed), the
bar view of completion by unit, signing with a confirmation that states the number."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from tests.app.conftest import settle
from tui.store.circular_models import Circular

SIZE = (120, 40)


async def test_circulars_view_draft_bars_sign_render(make_app, store, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # reached from the command palette (by its name) as well as by its key
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"通报")
        await pilot.press("enter")
        await settle(pilot)
        from tui.app.tabs.circulars import CircularsScreen

        assert isinstance(app.screen, CircularsScreen)
        assert "还没有通报" in app.screen.text()

        # n: the confirmation names the plan and the date; nothing is written before Y
        await pilot.press("n")
        await settle(pilot)
        body = str(app.screen.query_one("#confirm-body").render())
        assert "起草通报" in body or "截至" in body
        assert app.as_of.isoformat() in body
        with Session(app.store.engine) as s:
            assert not s.exec(select(Circular)).all()
        await pilot.press("y")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        with Session(app.store.engine) as s:
            (c,) = s.exec(select(Circular)).all()
        assert c.status == "草稿" and c.number is None and c.as_of == app.as_of
        screen = app.screen
        text = screen.text()
        assert "（草稿）" in text and "各单位完成率" in text
        assert "█" in text or "░" in text  # the bar view of the circular's snapshot
        assert "%（" in text

        # s: states the number it will take; signing needs a signer and Y / Ctrl+S
        await pilot.press("s")
        await settle(pilot)
        number = f"{date.today().year}年第1期"
        assert number in str(app.screen.query_one("#confirm-body").render())
        app.screen.query_one("#sign-by").value = "王主任"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        with Session(app.store.engine) as s:
            c = s.get(Circular, c.id)
        assert c.number == number and c.signed_by == "王主任" and c.status == "已签发"
        assert number in screen.text()

        # w: the files beside the store, listed on screen
        await pilot.press("w")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert ".pdf" in screen.text() and ".docx" in screen.text()

        # Esc back to the tabs
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, CircularsScreen)
