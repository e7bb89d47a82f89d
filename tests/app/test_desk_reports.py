"""The office's documents from the desk, end to end on a real store: unit task lists (one
unit from the 单位 tab, all units of a plan), the ledger's export and import through the
review screen, and the year's figures. Every flow confirms before it writes; cancelling
writes nothing; names with markup are drawn as text."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from tests.app.conftest import OPERATOR, settle
from tui.reports.ledger import HEADERS

SIZE = (120, 40)
TODAY = date(2024, 11, 18)  # the desk's "today" (issue date of lists)
HOSTILE = "[/x]区[bold]司法局"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr("tui.clock.today", lambda: TODAY)


def q(store: Path, sql: str, *args) -> list[tuple]:
    con = sqlite3.connect(store)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def wait(pilot) -> None:
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


def rename_unit(store: Path, old: str, new: str) -> int:
    con = sqlite3.connect(store)
    (uid,) = con.execute("SELECT id FROM unit WHERE name = ?", (old,)).fetchone()
    con.execute("UPDATE unit SET name = ? WHERE id = ?", (new, uid))
    con.commit()
    con.close()
    return uid


async def open_unit(pilot, unit_id: int) -> None:
    app = pilot.app
    await pilot.press("4")
    await settle(pilot)
    app.tab("units").select_unit(unit_id)
    await settle(pilot)
    assert app.tab("units").current_unit().id == unit_id


# ----------------------------------------------------------------------------- unit lists


async def test_one_units_list_from_the_units_tab_equals_what_the_service_writes(
    make_app, store, tmp_path
):
    uid = rename_unit(store, "区司法局", HOSTILE)
    twin = tmp_path / "twin.db"  # the same store, for the command line's use case
    shutil.copy(store, twin)
    folder = store.parent / "清单"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_unit(pilot, uid)
        await pilot.press("n")
        await wait(pilot)
        modal = app.screen
        assert type(modal).__name__ == "ListsModal"
        assert HOSTILE in modal.title_text  # drawn as text: the title is a Text
        what = str(modal.query_one("#ls-what").render())
        assert str(folder) in what and "2 个文件" in what and "Word" in what
        assert "登记" in what and TODAY.isoformat() in what
        assert HOSTILE in what
        plan_id = modal.chosen.plan_id
        assert not folder.exists()  # nothing written before the confirmation
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert type(app.screen).__name__ != "ProgressScreen"  # closed when done
        assert "已印发并登记" in app.last_message and str(folder) in app.last_message
    files = sorted(p for p in folder.iterdir())
    assert [p.suffix for p in files] == [".docx", ".xlsx"]
    # the register holds exactly these files, and the audit trail the issue
    rows = q(store, "SELECT unit_id, files FROM list_issue")
    assert [r[0] for r in rows] == [uid]
    for p in files:
        assert sha(p) in rows[0][1]
    assert q(store, "SELECT count(*) FROM audit_log WHERE action = 'list.issue'") == [(1,)]

    # the command line's use case on the twin store writes the same documents
    from tui.services.reports import write_unit_lists
    from tui.store.db import make_engine

    engine = make_engine(f"sqlite:///{twin}")
    try:
        out = tmp_path / "cli"
        res = write_unit_lists(
            engine,
            out_dir=out,
            plan=str(plan_id),
            unit_id=uid,
            issued_on=TODAY,
            actor=OPERATOR,
            office="",
        )
    finally:
        engine.dispose()
    assert [f["name"] for f in res.lists[0].files] == [p.name for p in files]
    for p in files:
        assert _content(p) == _content(out / p.name)


def _content(path: Path) -> list:
    """What a document says: the text of every paragraph and cell."""
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path)
        return [[c for c in row] for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]
    import docx

    doc = docx.Document(str(path))
    out = [p.text for p in doc.paragraphs]
    for t in doc.tables:
        out += [c.text for row in t.rows for c in row.cells]
    return out


async def test_all_lists_of_a_plan_with_progress_and_cancel_writes_nothing(make_app, store):
    folder = store.parent / "清单"
    rename_unit(store, "区司法局", HOSTILE)  # a unit of the second plan
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Esc on the confirmation: nothing written, nothing registered
        await pilot.press("L")
        await wait(pilot)
        assert type(app.screen).__name__ == "ListsModal"
        await pilot.press("escape")
        await wait(pilot)
        assert not folder.exists()
        assert q(store, "SELECT count(*) FROM list_issue") == [(0,)]

        # reached from the palette by its name too; the second plan chosen
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"印发清单")
        await pilot.press("enter")
        await wait(pilot)
        modal = app.screen
        assert type(modal).__name__ == "ListsModal"
        from textual.widgets import RadioSet

        radio = modal.query_one("#ls-plan", RadioSet)
        second = modal.choices[1]
        radio.query("RadioButton")[1].value = True
        await settle(pilot)
        what = str(modal.query_one("#ls-what").render())
        assert f"{second.units} 个单位" in what and f"共 {2 * second.units} 个文件" in what
        seen = []
        from tui.app.modals.importer import ProgressScreen

        original = ProgressScreen.advance

        def spy(self, stage, done, total):
            original(self, stage, done, total)
            seen.append((done, total, str(self.query_one("#progress-stage").render())))

        ProgressScreen.advance = spy
        try:
            await pilot.press("ctrl+s")
            await wait(pilot)
        finally:
            ProgressScreen.advance = original
        # the progress went unit by unit to the end; a name with markup is drawn as text
        assert [d for d, _t, _s in seen] == [*range(second.units), second.units]
        assert {t for _d, t, _s in seen} == {second.units}
        assert any(f"{HOSTILE}：" in label for _d, _t, label in seen)
        assert f"任务清单 {second.units} 份" in app.last_message
        # `u` knows the issue cannot be undone
        assert app.changes[-1].final and app.changes[-1].title == "印发清单"
    assert len(list(folder.glob("*.docx"))) == second.units
    assert len(list(folder.glob("*.xlsx"))) == second.units
    assert q(
        store,
        "SELECT count(*), count(DISTINCT unit_id) FROM list_issue WHERE plan_id = ?",
        second.plan_id,
    ) == [(second.units, second.units)]


async def test_a_list_that_cannot_be_written_registers_nothing(make_app, store, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("L")
        await wait(pilot)
        app.screen.query_one("#ls-folder").value = str(blocker / "sub")
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert type(app.screen).__name__ == "Screen"  # the progress dialog is gone
        assert "无法创建输出文件夹" in app.last_message
    assert q(store, "SELECT count(*) FROM list_issue") == [(0,)]


# ----------------------------------------------------------------------------- ledger


def _fill(path: Path, edits: dict[int, dict[str, object]], keys: dict[int, str] | None = None):
    """Edit the ledger as a unit would (cells by column name; ``keys`` tampers keys)."""
    wb = openpyxl.load_workbook(path)
    col = {name: HEADERS.index(name) + 1 for name in HEADERS}
    for ws in wb.worksheets:
        if ws["A1"].value != "事项键":
            continue
        for r in range(2, ws.max_row + 1):
            key = ws.cell(r, 1).value
            if not key:
                continue
            aid = int(str(key).split("-")[0])
            for name, value in edits.get(aid, {}).items():
                ws.cell(r, col[name]).value = value
            if keys and aid in keys:
                ws.cell(r, 1).value = keys[aid]
    wb.save(path)


def _open_ids(store: Path, n: int) -> list[int]:
    return [
        r[0]
        for r in q(
            store,
            "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id WHERE a.active = 1 "
            "AND t.active = 1 AND a.unit_id IS NOT NULL AND a.completed_on IS NULL "
            "AND t.plan_id = 1 ORDER BY a.id LIMIT ?",
            n,
        )
    ]


def _state(store: Path) -> tuple:
    return (
        q(store, "SELECT assignment_id, text FROM progress ORDER BY id"),
        q(
            store,
            "SELECT id, completed_on FROM assignment WHERE completed_on IS NOT NULL ORDER BY id",
        ),
        q(store, "SELECT count(*) FROM audit_log"),
    )


async def _import(pilot, path: Path):
    app = pilot.app
    await pilot.press("I")
    await settle(pilot)
    assert type(app.screen).__name__ == "LedgerFileModal"
    app.screen.query_one("#ip-path").value = str(path)
    await pilot.press("ctrl+s")
    await wait(pilot)
    assert type(app.screen).__name__ == "LedgerReviewScreen"
    return app.screen


async def test_ledger_round_trip_through_the_review_screen(make_app, store):
    uid = rename_unit(store, "区司法局", HOSTILE)
    con = sqlite3.connect(store)
    (hostile_aid,) = con.execute(
        "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id WHERE a.unit_id = ? "
        "AND a.active = 1 AND t.active = 1 AND a.completed_on IS NULL ORDER BY a.id LIMIT 1",
        (uid,),
    ).fetchone()
    con.close()
    a1, a2, a3 = _open_ids(store, 3)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # E: the path is stated before anything is written
        await pilot.press("E")
        await settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "LedgerExportModal"
        path = Path(modal.query_one("#le-path").value)
        assert path.parent == store.parent / "台账" and path.suffix == ".xlsx"
        assert "不改动任何数据" in str(modal.query_one("#le-what").render())
        assert not path.exists()
        await pilot.press("ctrl+s")
        await wait(pilot)
        assert path.exists() and "已导出台账" in app.last_message

        # a unit fills it in; one row's key is tampered with
        _fill(
            path,
            {
                a1: {"进展情况": "已完成制度起草，报送审议"},
                a2: {"是否完成": "是", "完成时间": "2024-11-10"},
                hostile_aid: {"进展情况": "[bold]已部署[/bold]"},
                a3: {"进展情况": "这一行的键被改过"},
            },
            keys={a3: f"{a3}-0000000000"},
        )
        before = _state(store)

        # I, then Esc on the review: nothing written
        review = await _import(pilot, path)
        await pilot.press("escape")
        await wait(pilot)
        assert _state(store) == before
        assert "已取消导入台账" in app.last_message

        # again: every change and the rejected row are listed; y asks once more
        review = await _import(pilot, path)
        text = review.text()
        assert "已完成制度起草，报送审议" in text and "是（完成时间 2024年11月10日）" in text
        assert "[bold]已部署[/bold]" in text and HOSTILE in text
        assert "未导入" in text and "与本数据库不符" in text
        assert "变更 3 项" in text
        await pilot.press("y")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmModal"
        assert "写入 3 项变更" in str(app.screen.query_one("#confirm-body").render())
        assert _state(store) == before  # not yet
        await pilot.press("y")
        await wait(pilot)
        assert "已导入台账" in app.last_message
        progress, closed, _audit = _state(store)
        new = [p for p in progress if p not in before[0]]
        assert sorted(new) == sorted(
            [(a1, "已完成制度起草，报送审议"), (hostile_aid, "[bold]已部署[/bold]")]
        )
        assert [c for c in closed if c not in before[1]] == [(a2, "2024-11-10")]
        assert a3 not in {p[0] for p in new}
        actions = q(
            store,
            "SELECT action, entity_id FROM audit_log WHERE id > ? ORDER BY id",
            before[2][0][0],
        )
        assert [a for a, _ in actions].count("ledger.import") == 1
        assert sorted(e for a, e in actions if a == "progress.add") == sorted([a1, hostile_aid])
        assert [e for a, e in actions if a == "assignment.close"] == [a2]
        after = _state(store)

        # the same file again: nothing to change, nothing written
        review = await _import(pilot, path)
        assert "没有需要写入的变更" in review.text()
        await pilot.press("y")
        await wait(pilot)
        assert "没有需要写入的变更" in app.last_message
        assert _state(store) == after


# ----------------------------------------------------------------------------- the year


async def test_year_figures_view_moves_years_copies_and_saves(make_app, store):
    from tui.reports.summary import table_rows
    from tui.services.reports import year_summary

    con = sqlite3.connect(store)
    con.execute("UPDATE plan SET title = ? WHERE id = 1", ("[/x]计划[bold]标题",))
    con.commit()
    con.close()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("Y")
        await wait(pilot)
        screen = app.screen
        assert type(screen).__name__ == "YearScreen" and screen.year == 2024
        expected = year_summary(app.store.engine, 2024, today=app.as_of)
        text = screen.text()
        for name, value in table_rows(expected):
            assert f"{name} {value}" in text
        assert expected.paragraph and expected.paragraph in text
        assert "[/x]计划[bold]标题" in text
        # → past the desk's date is refused; ← goes back a year
        await pilot.press("right")
        await wait(pilot)
        assert screen.year == 2024 and "还没有开始" in app.last_message
        await pilot.press("left")
        await wait(pilot)
        assert screen.year == 2023 and "2023年度数字" in screen.text()
        await pilot.press("right")
        await wait(pilot)
        # c: the clipboard; w: a file beside the store
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == expected.paragraph
        await pilot.press("w")
        await wait(pilot)
        saved = store.parent / "年度数字" / "2024年度总结段落.txt"
        assert saved.read_text(encoding="utf-8").strip() == expected.paragraph
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "Screen"


async def test_a_units_list_with_the_pdf_box_ticked_writes_a_printable_pdf(make_app, store):
    import subprocess

    from textual.widgets import Checkbox

    uid = rename_unit(store, "区司法局", HOSTILE)
    folder = store.parent / "清单"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_unit(pilot, uid)
        await pilot.press("n")
        await wait(pilot)
        app.screen.query_one("#ls-pdf", Checkbox).value = True
        await settle(pilot)
        what = str(app.screen.query_one("#ls-what").render())
        assert "PDF（.pdf）" in what and "共 3 个文件" in what
        await pilot.press("ctrl+s")
        await wait(pilot)
    assert sorted(p.suffix for p in folder.iterdir()) == [".docx", ".pdf", ".xlsx"]
    (pdf,) = folder.glob("*.pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "任务清单" in text and "[/x]区[bold]司法局" in "".join(text.split())
