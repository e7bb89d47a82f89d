"""The import review (issue 16): every parsed task before the write, doubtful ones first
with the reason; fixes (owners, deadline, split, merge) become corrections stored with the
plan and replayed when the same plan is imported again from the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from tests.app.conftest import choose_import_file, q, settle
from tests.conftest import FIXTURES
from tui.app.modals.base import ConfirmModal
from tui.app.modals.review import (
    ImportReviewScreen,
    ReviewDeadlineModal,
    ReviewOwnersModal,
    SplitModal,
)
from tui.app.widgets.vtable import VirtualTable

SIZE = (120, 40)
PLAN = FIXTURES / "review_plan.txt"


def keys(db) -> list[str]:
    return [k for (k,) in q(db, "SELECT key FROM task WHERE active ORDER BY position")]


def owners(db, key: str) -> list[tuple[str, str]]:
    return sorted(
        q(
            db,
            "SELECT a.role, coalesce(u.name, g.name) FROM assignment a JOIN task t "
            "ON t.id = a.task_id LEFT JOIN unit u ON u.id = a.unit_id LEFT JOIN unit_group g "
            "ON g.id = a.group_id WHERE t.key = ? AND t.active AND a.active",
            key,
        )
    )


def deadline(db, key: str) -> tuple[str, list[str]]:
    ((tid, words),) = q(db, "SELECT id, deadline_text FROM task WHERE key = ? AND active", key)
    dues = [d for (d,) in q(db, "SELECT due FROM task_deadline WHERE task_id = ? AND active", tid)]
    return words, dues


def text_of(db, key: str) -> str:
    return q(db, "SELECT text FROM task WHERE key = ? AND active", key)[0][0]


@pytest.fixture
def plan_file(tmp_path) -> Path:
    dest = tmp_path / "要点.txt"
    shutil.copy(PLAN, dest)
    return dest


@pytest.fixture
def desk(db, desk_on):
    return lambda: desk_on(db, create=True)


async def open_review(pilot, path) -> ImportReviewScreen:
    await choose_import_file(pilot, path)
    assert isinstance(pilot.app.screen, ImportReviewScreen), pilot.app.last_message
    return pilot.app.screen


def put_cursor(screen: ImportReviewScreen, key: str) -> None:
    table = screen.query_one(VirtualTable)
    table.cursor = next(i for i, r in enumerate(screen.rows) if r.key == key)


async def test_review_fix_split_merge_confirm_then_the_cli_replays_the_fixes(
    desk, db, plan_file, cli
):
    app = desk()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot, plan_file)
        assert keys(db) == []  # nothing written before the review is confirmed
        # The line placed in no task comes first, then the doubtful task with its reasons.
        assert not screen.rows[0].is_task and "（八）" in screen.rows[0].text
        doubtful = screen.rows[1]
        assert doubtful.key == "一、（二）"
        assert "单位“旗法制办”不在单位名录中，将新建" in doubtful.doubts
        assert "期限“待定”未能识别" in doubtful.doubts
        assert all(not r.doubts for r in screen.rows[2:])
        shown = screen.text()
        assert "未能归入任务的文字 1 处" in shown and "存疑 1 项" in shown
        assert "[/x]整治执法乱象" in shown  # markup characters from the file are text

        # Owners: the misread 旗法制办 becomes 旗司法局 (lead) and 旗委办 (responsible).
        await pilot.press("j")
        await settle(pilot)
        assert "旗法制办" in str(screen.query_one("#rv-detail").render())
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, ReviewOwnersModal)
        app.screen.query_one("#ro-lead", Input).value = "旗司法局"
        app.screen.query_one("#ro-responsible", Input).value = "旗委办"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        row = next(r for r in screen.rows if r.key == "一、（二）")
        assert row.owners["lead"] == ["旗司法局"] and row.owners["responsible"] == ["旗委办"]
        assert row.doubts == ["期限“待定”未能识别"]

        # Deadline: words the importer cannot read are refused in the dialog, then fixed.
        put_cursor(screen, "一、（二）")
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, ReviewDeadlineModal)
        app.screen.query_one("#rd-words", Input).value = "尽快"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "无法识别期限" in str(app.screen.query_one("#dialog-error").render())
        app.screen.query_one("#rd-words", Input).value = "2025年9月底前"
        await pilot.pause()
        assert "读作：2025-09-30" in str(app.screen.query_one("#rd-read").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        row = next(r for r in screen.rows if r.key == "一、（二）")
        assert row.doubts == [] and row.deadline == "2025-09-30"
        assert "存疑 0 项" in screen.text()

        # Split （三） where its second sentence begins.
        put_cursor(screen, "一、（三）")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SplitModal)
        area = app.screen.query_one("#sp-text", TextArea)
        at = area.text.index("组织")
        assert app.screen.offset() == at  # the cursor starts after the first sentence
        area.cursor_location = area.document.get_location_from_index(at)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert [r.key for r in screen.rows if r.key.startswith("一、（三）")] == [
            "一、（三）",
            "一、（三）之二",
        ]

        # Merge （五） with the next task, （六）: asked first.
        put_cursor(screen, "二、（五）")
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert "二、（六）" not in [r.key for r in screen.rows]
        assert keys(db) == []  # still nothing written

        # Confirm: the count is said, then one write.
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        body = str(app.screen.query_one("#confirm-body").render())
        assert "写入任务 7 项" in body and "本次更正 4 条" in body
        await pilot.press("y")
        await settle(pilot)
        assert "已导入" in app.last_message and "更正 4 条" in app.last_message

    expected_keys = [
        "一、（一）",
        "一、（二）",
        "一、（三）",
        "一、（三）之二",
        "二、（四）",
        "二、（五）",
        "二、（七）",
    ]

    def fixed_values():
        assert keys(db) == expected_keys
        assert owners(db, "一、（二）") == [("lead", "旗司法局"), ("responsible", "旗委办")]
        assert deadline(db, "一、（二）") == ("2025年9月底前", ["2025-09-30"])
        assert text_of(db, "一、（三）") == "加强法治宣传教育，开展宪法宣传周活动。"
        assert text_of(db, "一、（三）之二").startswith("组织“法律明白人”培训")
        assert "健全执法过错责任追究机制" in text_of(db, "二、（五）")
        assert q(db, "SELECT count(*) FROM unit WHERE name = '旗法制办'")[0][0] == 0

    fixed_values()
    assert [k for (k,) in q(db, "SELECT kind FROM import_correction ORDER BY id")] == [
        "owners",
        "deadline",
        "split",
        "merge_next",
    ]
    assert q(db, "SELECT count(*) FROM audit_log WHERE action = 'import.correction'")[0][0] == 4
    assert q(db, "SELECT count(*) FROM plan")[0][0] == 1

    # The same file again from the command line: the fixes are replayed, nothing changes.
    r = cli("import", str(plan_file), "--format", "json")
    assert r.code == 0, r.err
    assert r.json()["status"] == "unchanged"
    fixed_values()

    # An edited version of the file: a new revision, the fixes replayed on it.
    plan_file.write_text(
        plan_file.read_text(encoding="utf-8").replace(
            "开展执法专项检查", "开展执法突出问题专项检查"
        ),
        encoding="utf-8",
    )
    r = cli("import", str(plan_file), "--format", "json")
    assert r.code == 0, r.err
    rep = r.json()
    assert rep["status"] == "revised" and rep["changed"] == ["二、（七）"]
    assert len(rep["corrections"]) == 4 and rep["skipped_corrections"] == []
    fixed_values()


async def test_escape_asks_before_fixes_are_lost_and_writes_nothing(desk, db, plan_file):
    app = desk()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot, plan_file)
        await pilot.press("escape")  # no fixes yet: leaves at once
        await settle(pilot)
        assert not isinstance(app.screen, ImportReviewScreen)
        assert "未写入" in app.last_message

        screen = await open_review(pilot, plan_file)
        put_cursor(screen, "一、（二）")
        await pilot.press("w")
        await settle(pilot)
        app.screen.query_one("#ro-lead", Input).value = "旗司法局"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("1", "q")  # the desk's keys wait while the review is open
        await settle(pilot)
        assert app.screen is screen and app.is_running
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "1 条更正将丢失" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("n")  # keep reviewing
        await settle(pilot)
        assert app.screen is screen and len(screen.corrections) == 1
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not isinstance(app.screen, ImportReviewScreen)
        assert "未写入" in app.last_message
    assert keys(db) == []
    assert q(db, "SELECT count(*) FROM import_correction")[0][0] == 0
    assert q(db, "SELECT count(*) FROM unit")[0][0] == 0


async def test_a_line_placed_in_no_task_cannot_be_fixed_as_a_task(desk, db, plan_file):
    app = desk()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot, plan_file)
        assert screen.query_one(VirtualTable).cursor == 0 and not screen.rows[0].is_task
        for key in ("w", "t", "s", "m"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen
            assert "没有作为任务导入" in app.last_message
        assert screen.corrections == []


def test_review_snapshot_80x24(snap_compare, desk, plan_file):
    async def review(pilot) -> None:
        await open_review(pilot, plan_file)
        await pilot.press("j")  # the doubtful task, its reasons in the detail pane
        await settle(pilot)

    assert snap_compare(desk(), terminal_size=(80, 24), run_before=review)


async def test_the_same_file_again_changes_nothing_and_says_so(desk, db, plan_file, cli):
    assert cli("import", str(plan_file)).code == 0
    audits = q(db, "SELECT count(*) FROM audit_log")[0][0]
    app = desk()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot, plan_file)
        assert "与已导入的版本相同" in screen.text()
        await pilot.press("y")
        await settle(pilot)
        assert "不作任何更改" in str(app.screen.query_one("#confirm-body").render())
        await pilot.press("y")
        await settle(pilot)
        assert "未作任何更改" in app.last_message
    assert q(db, "SELECT count(*) FROM audit_log")[0][0] == audits
    assert q(db, "SELECT revision FROM plan")[0][0] == 1


async def test_the_desk_reads_with_the_office_vocabulary(desk, db, tmp_path, monkeypatch):
    # An office label (抓总单位) from the office's vocab.toml: the desk used to parse with
    # the shipped words only and lost these owners.
    extra = tmp_path / "vocab.toml"
    extra.write_text('[labels]\nlead = ["抓总单位"]\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_VOCAB", str(extra))
    plan = tmp_path / "plan.txt"
    plan.write_text(
        "阿拉善左旗2025年法治政府建设工作要点\n一、任务\n（一）完善法律顾问制度，年底前完成。\n"
        "抓总单位：旗司法局\n",
        encoding="utf-8",
    )
    app = desk()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot, plan)
        (row,) = screen.rows
        assert row.owners["lead"] == ["旗司法局"] and row.doubts == []
