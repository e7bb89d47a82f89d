"""The actions on 落实事项 that 督办事项 and 待办 share: progress, 验收, reopen, deadline,
extension, owners. A tab mixes this in and says which rows its actions act on (`targets`)."""

from __future__ import annotations

from rich.text import Text

from tui.app.cells import short
from tui.app.modals.base import ConfirmModal
from tui.app.modals.items import (
    DeadlineModal,
    ExtensionModal,
    Occurrences,
    ProgressModal,
)
from tui.app.tabs.flows import edit_owners
from tui.services import desk as svc


def item_line(f, cells: int = 58) -> str:
    """One item for lists in dialogs, on one line: id, unit, task."""
    return short(f"#{f.id} {f.unit_name}：{f.task_number}{f.task_title}", cells)


HIDDEN = " 不在当前列表"  # said of a selected item the current search or filter hides


class ItemActions:
    """Needs from the tab: ``desk``, ``targets(bulk)``, ``visible_ids()`` and
    ``after_bulk()`` (what to do once a bulk write landed, e.g. clear the selection)."""

    def targets(self, *, bulk: bool = True) -> list:  # pragma: no cover - the tab's
        return []

    def visible_ids(self) -> set[int]:  # pragma: no cover - the tab's
        return set()

    def after_bulk(self) -> None:
        """A bulk write landed."""

    def _need(self, targets: list) -> bool:
        if not targets:
            self.desk.say("请先在列表中选中落实事项", "warning")
            return False
        return True

    @staticmethod
    def _label(targets: list) -> str:
        if len(targets) == 1:
            f = targets[0].fact
            return short(f"{f.unit_name}：{f.task_number}{f.task_title}", 52)
        return f"已选 {len(targets)} 项"

    # ---------------------------------------------------------------- progress

    def action_progress(self) -> None:
        targets = self.targets()
        if not self._need(targets):
            return
        desk = self.desk
        one = targets[0].fact if len(targets) == 1 else None
        if one is not None and one.recurring and one.unit_id is not None:
            desk.jobs.run(
                svc.occurrence_plan,
                desk.store,
                one.id,
                desk.as_of,
                on_done=lambda plan: self._progress_dialog(targets, plan),
                dialog=True,
            )
        else:
            self._progress_dialog(targets, None)

    def _progress_dialog(self, targets: list, plan) -> None:
        desk = self.desk
        ids = [t.fact.id for t in targets]
        visible = self.visible_ids()
        items = [
            (item_line(t.fact, 58 if t.fact.id in visible else 50), t.fact.id in visible)
            for t in targets
        ]
        occ = Occurrences(plan.missed, plan.next_due, plan.this_period) if plan else None
        seen = desk.seen()

        def done(res) -> None:
            if res is None:
                return
            desk.write(
                svc.record_progress_items,
                desk.store,
                ids,
                res.text,
                res.on,
                desk.operator,
                done=res.done,
                mode=res.mode,
                until=res.until,
                seen=seen,
                then=lambda _c: self.after_bulk() if len(ids) > 1 else None,
            )

        desk.push_screen(
            ProgressModal(
                f"记录进展 — {self._label(targets)}", desk.as_of, items=items, occurrences=occ
            ),
            done,
        )

    # ---------------------------------------------------------------- 验收

    def action_close(self) -> None:
        targets = self.targets()
        if not self._need(targets):
            return
        desk = self.desk
        ids = [t.fact.id for t in targets]
        visible = self.visible_ids()
        body = Text(f"以 {desk.as_of.isoformat()} 验收销号以下 {len(ids)} 项：\n", style="bold")
        for t in targets:
            shown = t.fact.id in visible
            body.append(item_line(t.fact, 58 if shown else 50))
            if not shown:
                body.append(HIDDEN, style="bold yellow")
            body.append("\n")
        body.append("可用 u 撤销。", style="dim")
        seen = desk.seen()

        def ok(answer) -> None:
            if answer:
                desk.write(
                    svc.close_items,
                    desk.store,
                    ids,
                    desk.as_of,
                    desk.operator,
                    seen=seen,
                    then=lambda _c: self.after_bulk(),
                )

        desk.push_screen(ConfirmModal("验收销号", body, confirm="验收 (Y)"), ok)

    def action_reopen(self) -> None:
        targets = self.targets(bulk=False)
        if self._need(targets):
            self.desk.write(
                svc.reopen_item,
                self.desk.store,
                targets[0].fact.id,
                self.desk.operator,
                seen=self.desk.seen(),
            )

    # ---------------------------------------------------------------- deadline, extension

    def action_deadline(self) -> None:
        targets = self.targets(bulk=False)
        if not self._need(targets):
            return
        desk = self.desk
        f = targets[0].fact
        current = "、".join(d.isoformat() for d in f.due_dates[:4])
        if len(f.due_dates) > 4:
            current += f" 等 {len(f.due_dates)} 个日期"
        seen = desk.seen()

        def entered(res) -> None:
            if res is None:
                return
            desk.jobs.run(
                svc.preview_deadline,
                desk.store,
                f.task_id,
                res.value,
                on_done=lambda preview: confirm(res, preview),
                dialog=True,
            )

        def confirm(res, preview) -> None:
            body = Text(f"{f.task_number}{f.task_title}\n", style="bold")
            body.append(f"现行期限：{current or '无固定期限'}\n")
            body.append(f"更正为：{preview.dates}\n")
            body.append(f"原因：{res.reason}\n")
            body.append("影响该任务的全部单位。\n")
            if preview.replaced:
                body.append(
                    f"以下 {len(preview.replaced)} 个单位的延期早于新期限，将被新期限取代：\n",
                    style="yellow",
                )
                for line in preview.replaced:
                    body.append(f"    {line}\n")
            body.append("可用 u 撤销。", style="dim")
            desk.push_screen(
                ConfirmModal("更正期限", body, confirm="更正 (Y)"),
                lambda ok: (
                    ok
                    and desk.write(
                        svc.correct_deadline,
                        desk.store,
                        f.task_id,
                        res.value,
                        res.reason,
                        desk.operator,
                        seen=seen,
                    )
                ),
            )

        title = short(f"更正期限（影响该任务全部单位）— {f.task_number}{f.task_title}", 66)
        desk.push_screen(DeadlineModal(title, current), entered)

    def action_extension(self) -> None:
        targets = self.targets(bulk=False)
        if not self._need(targets):
            return
        desk = self.desk
        aid = targets[0].fact.id
        seen = desk.seen()

        def done(res) -> None:
            if res is None:
                return
            desk.write(
                svc.record_extension_item,
                desk.store,
                aid,
                requested_on=res.requested_on,
                reason=res.reason,
                new_due=res.new_due,
                granted=res.granted,
                actor=desk.operator,
                note=res.note,
                seen=seen,
            )

        desk.push_screen(ExtensionModal(f"延期申请 — {self._label(targets)}", desk.as_of), done)

    # ---------------------------------------------------------------- owners

    def action_owners(self) -> None:
        targets = self.targets(bulk=False)
        if self._need(targets):
            edit_owners(self.desk, [targets[0].fact.task_id])
