"""`u`: undo this session's latest change, after saying what it was and asking.

Only changes made since the desk was opened are on the list; a final one (a letter signed,
printed, voided…) stops it there — undo never reaches past the operator's latest change.
Older changes are reverted one by one from the 7 操作记录 tab."""

from __future__ import annotations

from tui.app.modals.base import ConfirmModal
from tui.app.tabs.audit import change_text
from tui.services import undo

FINAL_WHY = {
    "签发函件": "文号已编发",
    "打印函件": "函件已送打印",
    "作废函件": "作废后保留文号",
    "登记回复": "回复已登记",
    "起草函件": "不需要的草稿请作废",
    "修改函件草稿": "可再次修改",
    "生成函件文件": "文件已写出",
    "导入计划": "计划已导入",
}


def undo_last(desk) -> None:
    if not desk.changes:
        desk.say("本次打开督办台后还没有可撤销的修改；更早的修改见“7 操作记录”")
        return
    last = desk.changes[-1]
    if last.final:
        why = FINAL_WHY.get(last.title, "")
        desk.say(
            f"上一步“{last.title}”不能撤销"
            + (f"（{why}）" if why else "")
            + "；更早的修改见“7 操作记录”",
            "warning",
        )
        return

    def checked(check) -> None:
        if not check.possible:
            desk.say(f"无法撤销：{check.reason}", "warning")
            return
        batch = check.change.batch
        desk.push_screen(
            ConfirmModal("撤销上一步修改？", change_text(check.change), confirm="撤销 (Y)"),
            lambda ok: (
                ok
                and desk.write(
                    undo.revert,
                    desk.store,
                    batch,
                    desk.operator,
                    undoable=False,
                    then=lambda _c: desk.forget_change(batch),
                )
            ),
        )

    desk.jobs.run(undo.check_revert, desk.store, last.batch, on_done=checked, dialog=True)
