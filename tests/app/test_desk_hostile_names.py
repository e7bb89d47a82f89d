"""The desk shows names and titles as text: a unit named with Rich markup (`[/x]`, `[bold]`)
or terminal escapes, and a task whose title holds them, are drawn as written on every tab,
in the detail panes and the ranking — and nothing crashes."""

from __future__ import annotations

import sqlite3

from .conftest import settle

SIZE = (120, 40)
UNIT = "[/x]区[bold]司法局"
TITLE = "完善[/]执法[red]公示[/red]制度\x1b[2J"


async def test_markup_in_names_is_drawn_as_text_on_every_tab(make_app, store):
    con = sqlite3.connect(store)
    uid, aid = con.execute(
        "SELECT u.id, a.id FROM unit u JOIN assignment a ON a.unit_id = u.id "
        "WHERE u.name = '区司法局' AND a.completed_on IS NULL ORDER BY a.id LIMIT 1"
    ).fetchone()
    con.execute("UPDATE unit SET name = ? WHERE id = ?", (UNIT, uid))
    con.execute(
        "UPDATE task SET title = ? WHERE id = (SELECT task_id FROM assignment WHERE id = ?)",
        (TITLE, aid),
    )
    con.commit()
    con.close()
    app = make_app()
    seen = set()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in "1234567":
            await pilot.press(key)
            await settle(pilot)
            text = app.screen_text()
            assert "\x1b" not in text
            if "[/x]区[bold]" in text:
                seen.add(key)
            if "执法[red]公示" in text:
                seen.add("title")
        # a search for the unit finds it and shows the name as written
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*"司法局")
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen_text()
        assert "[/x]区[bold]" in text and "区司法局" not in text
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press(*["backspace"] * 3, *"执法[red]")
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen_text()
        assert "执法[red]公示[/red]制度" in text and "\x1b" not in text
        await pilot.press("2")  # the plan's outline and the task's page
        await settle(pilot)
        assert "\x1b" not in app.screen_text()
    assert {"3", "4", "5", "6"} <= seen, seen  # items, units, to-do, letters
