"""SVG snapshots of every tab and every dialog (fixed as-of date, fixed "today", a fixed
store label in the title bar). Dialogs are taken at 80×24, the smallest terminal the desk
supports: each must show its buttons.

Review changes with the snapshot report before running ``pytest --snapshot-update``.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from textual.widgets import Tree

from tests.app.conftest import settle
from tui.paths import data_dir

SMALL = (80, 24)
LARGE = (120, 40)


@pytest.fixture(autouse=True)
def fixed_world(monkeypatch):
    """What would change between runs: the store's path and the real date."""
    monkeypatch.setattr("tui.services.store_target.display_path", lambda _p: "~/督办/duban.db")
    monkeypatch.setattr("tui.clock.today", lambda: date(2024, 11, 18))


def _first_task(node):
    for c in node.children:
        if c.data and c.data[0] == "task":
            return c
        found = _first_task(c)
        if found is not None:
            return found
    return None


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


def _keys(*keys: str):
    async def run(pilot) -> None:
        await settle(pilot)
        for k in keys:
            await pilot.press(k)
            await settle(pilot)

    return run


# ---------------------------------------------------------------------------- tabs


def test_overview_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=LARGE, run_before=_keys())


def test_overview_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys())


def test_plans_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=LARGE, run_before=_open_first_task)


def test_items_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=LARGE, run_before=_keys("3"))


def test_items_80x24_key_bar_says_more_keys_exist(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("3"))


def test_units_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=LARGE, run_before=_open_first_unit)


def test_triage_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=LARGE, run_before=_keys("5"))


def test_letters_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=LARGE, run_before=_keys("6"))


def test_letters_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("6"))


def test_empty_store_teaches_80x24(snap_compare, tmp_path, monkeypatch):
    from tui.app.app import DubanApp
    from tui.services.store import open_store

    monkeypatch.setenv("DUBAN_CONFIG", os.devnull)
    app = DubanApp(
        open_store(str(tmp_path / "new.db"), create=True),
        as_of=date(2024, 11, 15),
        operator="测试员",
    )
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys())


# ---------------------------------------------------------------------------- dialogs at 80×24


def test_progress_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("5", "p"))


async def _bulk_progress_with_a_hidden_item(pilot) -> None:
    await settle(pilot)
    await pilot.press("3", "space", "space", "space")
    await settle(pilot)
    tab = pilot.app.tab("items")
    first = tab.data.by_id[min(tab.selected)].fact
    await pilot.press("slash")
    pilot.app.query_one("#search").value = first.unit_name
    await settle(pilot)
    await pilot.press("escape", "p")
    await settle(pilot)


def test_bulk_progress_dialog_lists_every_selected_item(snap_compare, make_app):
    assert snap_compare(
        make_app(), terminal_size=SMALL, run_before=_bulk_progress_with_a_hidden_item
    )


async def _recurring_progress(pilot) -> None:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    tab = pilot.app.tab("items")
    aid = next(
        tab.data.ids[i]
        for i in tab.view
        if tab.data.rows[i].fact.task_number == "（48）"
        and tab.data.rows[i].status.status.value == "逾期"
    )
    tab.show_assignment(aid)
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)


def test_recurring_progress_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_recurring_progress)


def test_close_confirmation(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("5", "a"))


def test_deadline_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("5", "t"))


async def _deadline_confirmation(pilot) -> None:
    await _keys("5", "t")(pilot)
    pilot.app.screen.query_one("#dm-value").value = "2025-06-30"
    pilot.app.screen.query_one("#dm-reason").value = "市里统一调整"
    await pilot.press("ctrl+s")
    await settle(pilot)


def test_deadline_confirmation(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_deadline_confirmation)


def test_extension_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("5", "x"))


def test_owners_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("5", "w"))


def test_filter_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("3", "f"))


def test_date_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("d"))


def test_unit_edit_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("4", "e"))


def test_merge_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("4", "m"))


def test_group_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("4", "b"))


async def _draft_row(pilot) -> None:
    await _keys("6")(pilot)
    table = pilot.app.query_one("#letters-table")
    row = next(i for i in range(table.row_count) if str(table.get_row_at(i)[1]) == "（草稿）")
    table.move_cursor(row=row)
    await settle(pilot)


async def _signed_row(pilot) -> None:
    await _keys("6")(pilot)
    table = pilot.app.query_one("#letters-table")
    row = next(i for i in range(table.row_count) if str(table.get_row_at(i)[4]) == "逾期未复")
    table.move_cursor(row=row)
    await settle(pilot)


def _then(first, *keys):
    async def run(pilot) -> None:
        await first(pilot)
        for k in keys:
            await pilot.press(k)
            await settle(pilot)

    return run


def test_sign_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_then(_draft_row, "s"))


def test_edit_draft_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_then(_draft_row, "e"))


def test_draft_confirmation(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("6", "n"))


def test_reply_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_then(_signed_row, "r"))


def test_void_dialog(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_then(_signed_row, "x"))


def test_print_confirmation(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_then(_signed_row, "p"))


def test_help_screen(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("question_mark"))


def test_command_palette(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("3", "ctrl+p"))


def test_import_dialog(snap_compare, make_app, monkeypatch):
    monkeypatch.chdir(data_dir() / "samples")
    app = make_app(import_dir=Path("."))
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys("i"))


async def _import_report(pilot) -> None:
    await _keys("i")(pilot)
    sample = "alxa_left_2024_plan.txt"
    pilot.app.screen.query_one("#ip-path").value = sample
    await pilot.press("ctrl+s")
    await settle(pilot)


def test_import_report(snap_compare, make_app, monkeypatch):
    monkeypatch.chdir(data_dir() / "samples")
    app = make_app(import_dir=Path("."))
    assert snap_compare(app, terminal_size=SMALL, run_before=_import_report)


async def _undo_confirmation(pilot) -> None:
    await _keys("5", "x")(pilot)
    pilot.app.screen.query_one("#em-reason").value = "人员调整"
    pilot.app.screen.query_one("#em-new").value = "2025-01-31"
    await pilot.press("ctrl+s")
    await settle(pilot)
    await pilot.press("u")
    await settle(pilot)


def test_undo_confirmation(snap_compare, make_app, monkeypatch):
    monkeypatch.setattr("tui.app.tabs.audit.when", lambda _at: "2024-11-18 09:30")
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_undo_confirmation)


def test_new_store_question(snap_compare, tmp_path, monkeypatch):
    from tui.app.app import DubanApp
    from tui.services.store import locate

    monkeypatch.setenv("DUBAN_CONFIG", os.devnull)
    app = DubanApp(
        None, as_of=date(2024, 11, 15), target=locate(str(tmp_path / "new.db")), operator="测试员"
    )
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys())


# ---------------------------------------------------------------------------- the office's documents


@pytest.fixture
def fixed_folders(monkeypatch):
    """The folders beside the store, as the dialogs state them, at a fixed path."""
    monkeypatch.setattr(
        "tui.services.desk_reports.lists_dir", lambda _store: Path("/srv/督办/清单")
    )
    monkeypatch.setattr(
        "tui.services.desk_reports.default_ledger_path",
        lambda _store, as_of: Path(f"/srv/督办/台账/台账-{as_of.isoformat()}.xlsx"),
    )


async def _unit_list(pilot) -> None:
    await _open_first_unit(pilot)
    await pilot.press("n")
    await settle(pilot)


def test_unit_list_dialog(snap_compare, make_app, fixed_folders):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_unit_list)


def test_all_lists_dialog(snap_compare, make_app, fixed_folders):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("L"))


def test_ledger_export_dialog(snap_compare, make_app, fixed_folders):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("E"))


def test_ledger_file_dialog(snap_compare, make_app, monkeypatch):
    monkeypatch.chdir(data_dir() / "samples")
    app = make_app(import_dir=Path("."))
    assert snap_compare(app, terminal_size=SMALL, run_before=_keys("I"))


def _ledger_review(tmp: Path, *extra: str):
    async def run(pilot) -> None:
        import openpyxl

        from tui.reports.ledger import HEADERS
        from tui.services.reports import export_ledger

        await settle(pilot)
        path = tmp / "台账.xlsx"
        export_ledger(pilot.app.store.engine, path, as_of=pilot.app.as_of)
        wb = openpyxl.load_workbook(path)
        ws = next(w for w in wb.worksheets if w["A1"].value == "事项键")
        progress, done = HEADERS.index("进展情况") + 1, HEADERS.index("是否完成") + 1
        ws.cell(2, progress).value = "已完成制度起草，报送审议"
        ws.cell(3, done).value = "是"
        ws.cell(4, done).value = "可能"
        ws.cell(5, 1).value = "1-0000000000"
        ws.cell(5, progress).value = "键被改过"
        wb.save(path)
        await pilot.press("I")
        await settle(pilot)
        pilot.app.screen.query_one("#ip-path").value = str(path)
        await pilot.press("ctrl+s")
        await settle(pilot)
        for key in extra:
            await pilot.press(key)
            await settle(pilot)

    return run


def test_ledger_review_screen(snap_compare, make_app, tmp_path):
    app = make_app()
    assert snap_compare(app, terminal_size=SMALL, run_before=_ledger_review(tmp_path))


def test_ledger_import_confirmation(snap_compare, make_app, tmp_path):
    app = make_app()
    assert snap_compare(app, terminal_size=SMALL, run_before=_ledger_review(tmp_path, "y"))


def test_year_figures_view(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SMALL, run_before=_keys("Y"))
