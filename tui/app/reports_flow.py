"""The office's documents from the desk: unit task lists (L, and n on the 单位 tab), the
ledger's export (E) and import (I), the year's figures (Y) and the circulars view (C).

Each flow reads what its confirmation must state in a worker, asks, then does the work in
a worker; long work shows a progress dialog fed by the service's ``progress`` callback
through ``call_from_thread`` (the worker never touches a widget). Every failure is one
Chinese line and leaves the progress dialog closed.
"""

from __future__ import annotations

from pathlib import Path

from tui import clock

# The screens and services below are imported when first used: the desk starts without them.


def _progress(desk, screen):
    def report(done: int, total: int, what: str) -> None:
        desk.call_from_thread(screen.advance, what or "完成", done, total)

    return report


def _progress_screen(desk, title: str):
    from tui.app.modals.importer import ProgressScreen

    screen = ProgressScreen(title)
    desk.push_screen(screen)
    return screen


# ----------------------------------------------------------------------------- unit lists


def issue_lists(desk, unit_id: int | None = None, unit_name: str = "") -> None:
    """One unit's list (``unit_id``) or every unit's lists of a plan: confirm, then write."""
    from tui.app.modals.reports import ListsModal
    from tui.services import desk_reports as svc

    if desk.store is None:
        return
    folder = svc.lists_dir(desk.store)
    issued_on = clock.today()

    def opened(choices) -> None:
        if not choices:
            who = f"单位“{unit_name}”" if unit_id is not None else "数据库中"
            desk.say(f"{who}没有落实到具体单位的任务，没有可印发的清单", "warning")
            return
        desk.push_screen(
            ListsModal(choices, folder, issued_on, unit=unit_name), lambda r: r and chosen(*r)
        )

    def chosen(plan_id: int, out_dir: Path, pdf: bool) -> None:
        screen = _progress_screen(desk, "正在生成任务清单")
        # A write like any other (backed up first, the board read again, the change kept
        # for `u`, which says it is final); the dialog closes whatever happens.
        desk.write(
            svc.issue_lists,
            desk.store,
            plan_id,
            unit_id=unit_id,
            out_dir=out_dir,
            pdf=pdf,
            issued_on=issued_on,
            actor=desk.operator,
            progress=_progress(desk, screen),
            then=lambda _change: screen.dismiss(),
            failed=lambda _message: screen.dismiss(),
        )

    desk.jobs.run(svc.lists_choices, desk.store, unit_id, on_done=opened, dialog=True)


# ----------------------------------------------------------------------------- ledger


def export_ledger(desk) -> None:
    from tui.app.modals.reports import LedgerExportModal
    from tui.services import desk_reports as svc

    if desk.store is None:
        return
    as_of = desk.as_of

    def chosen(path: Path | None) -> None:
        if path is None:
            return

        screen = _progress_screen(desk, "正在导出台账")

        def done(result) -> None:
            screen.dismiss()
            lights = "，".join(f"{k} {v}" for k, v in sorted(result.statuses.items()))
            desk.say(
                f"已导出台账：{result.path}（截至 {as_of.isoformat()}，{result.rows} 条落实事项，"
                f"{len(result.sheets)} 个计划工作表；{lights}）"
            )

        desk.jobs.run(  # reads only: no backup, no write lock
            svc.export_ledger,
            desk.store,
            path,
            as_of=as_of,
            soon_days=desk.soon_days,
            progress=_progress(desk, screen),
            on_done=done,
            on_failed=lambda _message: screen.dismiss(),
        )

    desk.push_screen(LedgerExportModal(svc.default_ledger_path(desk.store, as_of), as_of), chosen)


def import_ledger(desk) -> None:
    """Pick a returned ledger → preview (nothing written) → review → confirm → apply."""
    from tui.app.modals.reports import LedgerFileModal
    from tui.services import desk_reports as svc

    if desk.store is None:
        return
    as_of = desk.as_of

    def picked(path: Path | None) -> None:
        if path is None:
            return
        screen = _progress_screen(desk, f"正在检查台账：{path.name}")
        desk.jobs.run(
            svc.preview_ledger,
            desk.store,
            path,
            as_of=as_of,
            on_done=lambda plan: previewed(screen, path, plan),
            dialog=True,
            on_failed=lambda _m: screen.dismiss(),
        )

    def previewed(screen, path: Path, plan) -> None:
        from tui.app.modals.ledger_review import LedgerReviewScreen

        screen.dismiss()
        desk.push_screen(LedgerReviewScreen(plan), lambda ok: reviewed(path, plan, ok))

    def reviewed(path: Path, plan, ok) -> None:
        if not ok:
            if plan.changes:
                desk.say("已取消导入台账，未写入任何数据")
            return

        def done(change) -> None:
            if change.batch:
                desk.changes.append(change)

        desk.write(
            svc.apply_ledger,
            desk.store,
            path,
            as_of=as_of,
            actor=desk.operator,
            expect=plan.fingerprint(),
            then=done,
            undoable=False,
        )

    desk.push_screen(LedgerFileModal(desk.import_dir), picked)


# ----------------------------------------------------------------------------- the app's keys


class ReportsFlow:
    """The app's actions for the office's documents (mixed into DubanApp)."""

    def action_circulars(self) -> None:
        from tui.app.tabs.circulars import CircularsScreen

        if self.store is not None and not isinstance(self.screen, CircularsScreen):
            self.push_screen(CircularsScreen())

    def action_all_lists(self) -> None:
        issue_lists(self)

    def action_ledger_export(self) -> None:
        export_ledger(self)

    def action_ledger_import(self) -> None:
        import_ledger(self)

    def action_year_figures(self) -> None:
        from tui.app.tabs.year import YearScreen

        if self.store is not None and not isinstance(self.screen, YearScreen):
            self.push_screen(YearScreen(self.as_of.year))
