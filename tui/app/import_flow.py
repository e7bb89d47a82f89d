"""`i`: import a plan from the desk — pick a file, check it (nothing written), answer the
plan question when there is one, review and fix every task, confirm, import.

Each step is its own callback and every database call runs in a worker:
path → check (dry run) → [question: new plan or revision of N → check again] → review
(fixes → check again) → confirm → write, in one transaction. Until the write nothing is
stored; cancelling at any step says so.
"""

from __future__ import annotations

from pathlib import Path

from tui.app.modals.importer import ImportPathModal, ProgressScreen
from tui.services import importing
from tui.services.desk import Change

CANCELLED = "已取消导入，未写入任何数据"


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
    # Loaded when first needed: the desk starts without them.
    from tui.app.modals.plan_question import PlanQuestionModal
    from tui.app.modals.review import ImportReviewScreen

    desk.pop_screen()
    if check.question is not None:
        desk.push_screen(
            PlanQuestionModal(check.question), lambda choice: _answered(desk, check, choice)
        )
        return
    desk.push_screen(ImportReviewScreen(check), lambda final: _reviewed(desk, final))


def _answered(desk, check, choice) -> None:
    if choice is None:
        desk.say(CANCELLED)
        return
    kind, plan_id = choice
    screen = ProgressScreen(f"正在检查：{check.path.name}")
    desk.push_screen(screen)
    desk.jobs.run(
        importing.answer,
        desk.store,
        check,
        desk.operator,
        new_plan=kind == "new",
        revision_of=plan_id if kind == "revision" else None,
        progress=_progress(desk, screen),
        on_done=lambda answered: _checked(desk, answered),
        on_failed=lambda _m: desk.pop_screen(),
    )


def _reviewed(desk, check) -> None:
    if check is None:
        desk.say(CANCELLED)
        return
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
    if report.status == "unchanged":
        desk.say(f"计划 {report.plan_id}《{report.plan_title}》与已导入的版本相同，未作任何更改")
        return
    desk.changes.append(Change("", "", "导入计划", final=True))
    fixed = f"，更正 {len(report.corrections)} 条" if report.corrections else ""
    desk.say(
        f"已导入：计划 {report.plan_id}《{report.plan_title}》（第 {report.revision} 版，"
        f"任务 {len(report.tasks)} 项，落实事项 {report.assignments} 项{fixed}）"
    )
    desk.reload()
