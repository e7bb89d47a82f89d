"""`i`: import a plan from the desk — pick a file, check it (nothing written), read the
report, confirm, import. Each step is its own callback, so a further question (e.g. "a new
plan, or a revision of X?") slots in between the report and the write."""

from __future__ import annotations

from pathlib import Path

from tui.app.modals.base import ConfirmModal
from tui.app.modals.importer import ImportPathModal, ProgressScreen, report_text
from tui.services import importing
from tui.services.desk import Change


def start_import(desk) -> None:
    if desk.store is None:
        return
    desk.push_screen(ImportPathModal(desk.import_dir), lambda path: _check(desk, path))


def _progress(desk, screen: ProgressScreen):
    return lambda stage, done, total: desk.call_from_thread(screen.advance, stage, done, total)


def _check(desk, path: Path | None) -> None:
    if path is None:
        return
    screen = ProgressScreen(f"正在检查：{path.name}")
    desk.push_screen(screen)
    desk.jobs.run(
        importing.check_plan,
        desk.store,
        path,
        desk.operator,
        _progress(desk, screen),
        on_done=lambda check: _checked(desk, check),
        on_failed=lambda _m: desk.pop_screen(),
    )


def _checked(desk, check) -> None:
    desk.pop_screen()
    desk.push_screen(
        ConfirmModal("导入预检报告（尚未写入）", report_text(check.report), confirm="确认导入 (Y)"),
        lambda ok: _write(desk, check) if ok else desk.say("已取消导入，未写入任何数据"),
    )


def _write(desk, check) -> None:
    screen = ProgressScreen(f"正在导入：{check.path.name}")
    desk.push_screen(screen)
    desk.jobs.run(
        importing.import_plan,
        desk.store,
        check,
        desk.operator,
        _progress(desk, screen),
        write=True,
        on_done=lambda report: _imported(desk, report),
        on_failed=lambda _m: desk.pop_screen(),
    )


def _imported(desk, report) -> None:
    desk.pop_screen()
    desk.changes.append(Change("", "", "导入计划", final=True))
    desk.say(
        f"已导入：{report.plan_title}（任务 {len(report.tasks)} 项，落实事项 {report.assignments} 项）"
    )
    desk.reload()
