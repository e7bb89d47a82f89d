"""The desk's frame: the store it opens and closes, its keys and their registry, its
Chinese, its messages and errors, its behaviour at 80×24."""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from tests.app.conftest import OPERATOR, q, settle
from tui.app import keymap
from tui.store.demo_history import DEMO_AS_OF

SIZE = (120, 40)
SMALL = (80, 24)


# --------------------------------------------------------------------------- the store


async def test_the_title_bar_names_the_open_store(make_app, store):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert str(store.name) in app.title and "督办台" in app.title


async def test_after_quitting_the_db_file_alone_holds_every_change(make_app, store, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5", "p")
        await settle(pilot)
        app.screen.query_one("#pm-text").value = "退出前记下的进展"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
    copy = tmp_path / "copied" / "only.db"
    copy.parent.mkdir()
    shutil.copy(store, copy)  # the .db file alone, without -wal/-shm
    assert q(copy, "SELECT COUNT(*) FROM progress WHERE text='退出前记下的进展'") == [(1,)]
    wal = Path(str(store) + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


async def test_a_store_that_does_not_exist_is_created_only_when_asked(tmp_path, monkeypatch):
    from tui.app.app import DubanApp
    from tui.services.store import locate

    monkeypatch.setenv("DUBAN_CONFIG", os.devnull)
    path = tmp_path / "sub" / "new.db"
    app = DubanApp(None, target=locate(str(path)), as_of=DEMO_AS_OF, operator=OPERATOR)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmModal"
        assert "数据库不存在" in str(app.screen.query_one("#confirm-body").render())
        assert not path.exists()
        await pilot.press("n")
        await settle(pilot)
    assert not path.exists() and not path.parent.exists()

    app = DubanApp(None, target=locate(str(path)), as_of=DEMO_AS_OF, operator=OPERATOR)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert path.exists() and app.store is not None
        assert "i" in app.screen_text() and "导入" in app.screen_text()  # the empty store teaches
        assert "data/units" in app.screen_text()


# --------------------------------------------------------------------------- keys


def test_one_entry_per_key_and_no_action_on_j_k_h_l():
    seen: dict[tuple[str, str], str] = {}
    for e in keymap.REGISTRY:
        for key in e.keys.split(","):
            for scope in e.scopes:
                assert (scope, key) not in seen, (
                    f"{key} 在 {scope} 重复：{e.id} / {seen[(scope, key)]}"
                )
                seen[(scope, key)] = e.id
        if "list" not in e.scopes:
            assert not set(e.keys.split(",")) & {"j", "k", "h", "l"}, e.id
    # the app's keys never shadow a tab's or a list's
    app_keys = {k for (s, k) in seen if s == "app"}
    for (scope, key), eid in seen.items():
        if scope != "app":
            assert key not in app_keys, f"{eid} 的 {key} 与全局按键冲突"
    assert len({e.id for e in keymap.REGISTRY}) == len(keymap.REGISTRY)


def test_key_names_are_shown_as_the_desk_says_them():
    assert keymap.key_name("space") == "空格"
    assert keymap.key_name("ctrl+p") == "Ctrl+P"
    assert keymap.key_name("question_mark") == "?"
    assert keymap.key_name("G") == "G"
    assert keymap.keys_text("j,down") == "j / ↓"


async def test_an_office_remaps_a_key_in_its_settings(make_app, store, tmp_path, monkeypatch):
    settings = tmp_path / "settings.toml"
    settings.write_text('[keys]\nprogress = "ctrl+j"\n', encoding="utf-8")
    app = make_app()
    monkeypatch.setenv("DUBAN_CONFIG", str(settings))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5", "p")
        await settle(pilot)
        assert type(app.screen).__name__ == "Screen"  # p no longer records progress
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert type(app.screen).__name__ == "ProgressModal"
        await pilot.press("escape")
        await settle(pilot)
        hints = dict((d, k) for k, d, _e in app.query_one("KeyBar").hints())
        assert hints["进展"] == "Ctrl+J"
        assert "Ctrl+J" in {c.keys for c in app.palette_commands("triage") if c.title == "进展"}


def test_an_unknown_action_in_the_keys_table_is_refused_in_chinese():
    from tui.errors import DubanError

    with pytest.raises(DubanError, match="没有这个操作：fly"):
        keymap.parse_keymap({"fly": "f"}, "settings.toml")


# --------------------------------------------------------------------------- Chinese


ALLOWED = {
    "Esc",
    "Ctrl",
    "PgUp",
    "PgDn",
    "Home",
    "End",
    "Tab",
    "F1",
    "F5",
    "Y",
    "N",
    "Word",
    "PDF",
    "Excel",
    "sfj",
    "qf",
    "ctrl",
    "g",
}  # key names, file kinds and the pinyin examples the help gives


def _english_words(text: str) -> set[str]:
    words = set(re.findall(r"[A-Za-z][A-Za-z0-9]+", text))
    return {w for w in words if w not in ALLOWED and not re.fullmatch(r"F\d+", w)}


async def test_palette_and_help_speak_chinese(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for tab in keymap.TAB_IDS:
            for c in app.palette_commands(tab):
                assert not _english_words(c.title + " " + c.help), (tab, c.title, c.help)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert type(app.screen).__name__ == "PaletteScreen"
        placeholder = app.screen.query_one("#palette-input").placeholder
        assert not _english_words(placeholder)
        # pinyin initials find a command: qf = 签发 (on the letters tab)
        await pilot.press("escape")
        await pilot.press("6", "ctrl+p")
        await settle(pilot)
        app.screen.query_one("#palette-input").value = "qf"
        await settle(pilot)
        assert [c.title for c in app.screen.shown] == ["签发"]
        await pilot.press("escape", "question_mark")
        await settle(pilot)
        assert app.screen.query("#help-table")
        text = app.screen.text()
        assert "签发" in text and "回复登记" in text and "撤回此项" in text
        assert not _english_words(text), _english_words(text)
        await pilot.press("escape")
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert app.last_message == "要退出督办台请按 q"


# --------------------------------------------------------------------------- messages, errors


async def test_a_worker_error_is_shown_in_chinese_and_logged(make_app, store, monkeypatch):
    def broken(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("tui.services.desk.close_items", broken)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5", "a")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.last_message.startswith("内部错误：RuntimeError：disk on fire")
        bar = str(app.query_one("#message").render())
        assert "内部错误" in bar
    log = store.parent / "desk-errors.log"
    assert "disk on fire" in log.read_text(encoding="utf-8")


async def test_a_long_message_keeps_every_character_at_80_columns(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        message = "已将“区人大办”并入“区政协办”（移交落实事项 12 项），原单位的别名归入新单位"
        app.say(message)
        await pilot.pause()
        from tui.app.tabs.base import plain

        assert plain(app.query_one("#message")) == message


# --------------------------------------------------------------------------- 80×24


async def test_at_80x24_the_key_bar_says_more_keys_exist_and_the_cursor_stays_in_view(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        table = app.query_one("#items-table")
        for _ in range(30):
            await pilot.press("j")
        await settle(pilot)
        assert table.cursor == 30
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        top = int(table.scroll_y)
        assert top <= table.cursor < top + table.page_height
        bar = app.query_one("KeyBar")
        assert bar.hidden and "? 更多" in str(bar.render())


async def test_every_dialog_keeps_its_buttons_on_screen_at_80x24(make_app):
    app = make_app()
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for keys in (("5", "p"), ("5", "x"), ("5", "t"), ("3", "f"), ("4", "b"), ("5", "w")):
            await pilot.press(*keys)
            await settle(pilot)
            screen = app.screen
            buttons = list(screen.query("Button"))
            assert buttons, keys
            for b in buttons:
                if b.id in ("save", "cancel", "yes", "no"):
                    r = b.region
                    assert r.height >= 1 and 0 <= r.y < 24 and r.right <= 80, (keys, b.id, r)
            await pilot.press("escape")
            await settle(pilot)


async def test_the_focused_pane_shows_focus(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4", "enter")
        await settle(pilot)
        pane = app.query_one("#unit-detail-pane")
        table = app.query_one("#units-table")
        assert app.focused is table
        before = pane.styles.background
        row_style = table.get_component_rich_style("vtable--cursor")
        pane.focus()
        await settle(pilot)
        assert app.focused is pane and pane.styles.background != before
        # the table that lost focus shows its cursor row dimmer than when it had focus
        assert table.get_component_rich_style("vtable--cursor") != row_style


# --------------------------------------------------------------------------- overview


async def test_the_late_replies_line_leads_to_those_letters(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        late = [x for x in app.board.letters if x.status == "逾期未复"]
        assert late and f"回复逾期 {len(late)} 件" in app.screen_text()
        await pilot.press("y")
        await settle(pilot)
        assert app.active_tab == "letters"
        tab = app.tab("letters")
        assert len(tab.shown) == len(late) and all(x.status == "逾期未复" for x in tab.shown)


async def test_the_overview_ranking_shows_what_it_sorts_by(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tab = app.tab("overview")
        shares = [u.overdue / u.total for u in tab._units]
        assert shares == sorted(shares, reverse=True)
        text = app.screen_text()
        assert "按逾期事项占比" in text and "逾期占比" in text
        first = tab._units[0]
        assert f"{round(first.overdue / first.total * 100)}%" in text.splitlines()[4]
        assert date.today()  # the as-of date is fixed; nothing here depends on today


def test_the_readme_key_table_is_the_registry():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert keymap.readme_table() in readme


async def test_c_shows_every_item_again_and_keeps_the_selection(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("3", "space")
        tab = app.tab("items")
        await pilot.press("slash")
        app.query_one("#search").value = "sfj"
        await settle(pilot)
        await pilot.press("escape")
        assert len(tab.view) < len(tab.data)
        await pilot.press("c")
        await settle(pilot)
        assert len(tab.view) == len(tab.data) and len(tab.selected) == 1
        assert app.query_one("#search").value == ""
