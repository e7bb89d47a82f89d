"""Flows more than one tab starts: editing a task's owners and resolving a group (待分解).

Each is read → dialog → (check → confirm) → write, every database step in a worker."""

from __future__ import annotations

from rich.text import Text

from tui.app.cells import short
from tui.app.modals.base import ConfirmModal
from tui.app.modals.units import GroupResolveModal, OwnerRow, OwnersModal
from tui.services import desk as svc


def edit_owners(desk, task_ids: list[int], then=None) -> None:
    """The owners dialog for one task (remove, re-role, add) or several (add only);
    ``then`` runs once the change is written."""
    store = desk.store
    if not task_ids:
        desk.say("请先选中任务", "warning")
        return

    def read():
        heading = svc.owners_of(store, task_ids[0])
        return heading, svc.unit_choices(store)

    def opened(result) -> None:
        (label, region, owners), choices = result
        rows = [OwnerRow(o.assignment_id, o.unit_id, o.name, o.role, o.unresolved) for o in owners]
        several = len(task_ids) if len(task_ids) > 1 else 0
        title = (
            short(f"负责单位 — {label}", 66)
            if not several
            else f"负责单位 — 已标记 {several} 项任务"
        )
        desk.push_screen(
            OwnersModal(title, region, rows, choices, several=several),
            lambda res: saved(res, region),
        )

    def saved(res, region: str) -> None:
        if res is None:
            return
        plan = svc.OwnerPlan(
            list(task_ids),
            remove=res.remove,
            roles=res.roles,
            add=res.add,
            new_units=res.new_units,
            region=region,
        )
        desk.write(svc.save_owners, store, plan, desk.operator, then=then)

    desk.jobs.run(read, on_done=opened, dialog=True)


def resolve_group(desk, group_id: int, group_name: str, region: str, ticked: set[int]) -> None:
    """Pick tasks and units for a group, see what will be done, confirm, write."""
    store = desk.store
    units = [
        (Text(f"{u.name}（{u.kind}）"), u.id, _unit_key(u))
        for u in desk.board.units
        if u.region == region
    ]

    def opened(tasks) -> None:
        if not tasks:
            desk.say(f"单位组“{group_name}”没有待分解的落实事项")
            return
        choices = [(Text(short(t.label, 60)), t.task_id) for t in tasks]
        desk.push_screen(
            GroupResolveModal(group_id, group_name, choices, units, ticked=ticked), chosen
        )

    def chosen(res) -> None:
        if res is None:
            return
        desk.jobs.run(
            svc.plan_group,
            store,
            res.group_id,
            res.unit_ids,
            res.task_ids,
            on_done=lambda steps: confirm(res, steps),
            dialog=True,
        )

    def confirm(res, steps) -> None:
        made = [s for s in steps if s.action in ("create", "reactivate")]
        skipped = [s for s in steps if s.action in ("exists", "leads")]
        tasks = sorted({s.task_id for s in steps})
        body = Text(
            f"将为 {len(tasks)} 项任务把“{group_name}”分解为具体单位，"
            f"新增落实事项 {len(made)} 项：\n",
            style="bold",
        )
        last = None
        for s in steps:
            if s.task_id != last:
                body.append(f"{s.task_label}\n")
                last = s.task_id
            style = "dim" if s.action in ("exists", "leads") else ""
            body.append(f"    {s.note}\n", style=style)
        if skipped:
            body.append(f"不重复增加 {len(skipped)} 项（见上，灰色）。\n", style="dim")
        if res.remember:
            body.append("所选单位同时记为该单位组的成员。\n")
        desk.push_screen(
            ConfirmModal("分解单位组", body, confirm="分解 (Y)"),
            lambda ok: (
                ok
                and desk.write(
                    svc.resolve_group_tasks,
                    store,
                    res.group_id,
                    res.unit_ids,
                    res.task_ids,
                    desk.operator,
                    remember=res.remember,
                )
            ),
        )

    desk.jobs.run(svc.tasks_naming_group, store, group_id, on_done=opened, dialog=True)


def _unit_key(u) -> str:
    from tui.domain.search import initials

    names = [u.name, *u.aliases]
    return " ".join(names + [initials(n) for n in names]).lower()
