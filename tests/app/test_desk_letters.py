"""The 函件 tab: the register, preview, drafting what the ladder proposes, sign-off, printing."""

from __future__ import annotations

import os
import stat
from datetime import date

from sqlmodel import Session, select

from tests.app.conftest import settle
from tui.store.letter_models import Letter

SIZE = (120, 40)


async def test_letters_tab_register_preview_draft_and_sign(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        overview = app.screen_text()
        assert "回复逾期" in overview and "待回复" in overview
        await pilot.press("6")
        await settle(pilot)
        text = app.screen_text()
        assert "函件登记" in text and "逾期未复" in text and "〔2024〕" in text
        # The preview pane shows the highlighted letter as text.
        await pilot.press("down")
        await settle(pilot)
        assert "特此函告" in app.screen_text() or "函" in str(
            app.query_one("#letters-preview").render()
        )

        with Session(app.store.engine) as s:
            before = len(s.exec(select(Letter)).all())
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        with Session(app.store.engine) as s:
            letters = s.exec(select(Letter)).all()
        drafts = [x for x in letters if x.number is None]
        assert len(letters) >= before and drafts

        # Sign the first draft: it gets the next number of its kind.
        table = app.query_one("#letters-table")
        draft_row = next(
            i for i in range(table.row_count) if str(table.get_row_at(i)[1]) == "（草稿）"
        )
        table.move_cursor(row=draft_row)
        await settle(pilot)
        draft_id = app.query_one("#letters-view").current_id()
        await pilot.press("s")
        await settle(pilot)
        app.screen.query_one("#sign-by").value = "王主任"
        await pilot.press("ctrl+s")
        await settle(pilot)
        with Session(app.store.engine) as s:
            signed = s.get(Letter, draft_id)
            # Signed today (the desk's as-of date only changes what is shown).
            assert signed.number and f"〔{date.today().year}〕" in signed.number
            assert signed.signed_by == "王主任"
        assert signed.number in app.screen_text()


async def test_print_from_the_desk_goes_through_lp(make_app, store, tmp_path, monkeypatch):
    """A recording `lp` stand-in on PATH (tests/test_printing.py covers real CUPS)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "lp.log"
    lp = bindir / "lp"
    lp.write_text(f'#!/bin/sh\necho "$@" >> {log}\necho "request id is Desk-1 (1 file(s))"\n')
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    app = make_app()
    settings = tmp_path / "printer.toml"
    settings.write_text('printer = "DeskTest"\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(settings))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        table = app.query_one("#letters-table")
        row = next(i for i in range(table.row_count) if str(table.get_row_at(i)[1]) != "（草稿）")
        table.move_cursor(row=row)
        await settle(pilot)
        letter_id = app.query_one("#letters-view").current_id()
        await pilot.press("p")
        await settle(pilot)
        assert "不能撤销" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await settle(pilot)
        with Session(app.store.engine) as s:
            letter = s.get(Letter, letter_id)
        assert log.exists(), app.last_message
        args = log.read_text()
        assert "-d DeskTest" in args and ".pdf" in args
        assert letter.printed_at is not None
        # the PDF's path stays on screen under the preview, not only in a message
        assert ".pdf" in str(app.query_one("#letters-files").render())
