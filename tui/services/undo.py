"""Undo at the desk: describe a change before reverting it, revert it whole, read the trail.

The desk's `u` reverts only changes made in the current desk session (it keeps their batch
ids); the 操作记录 view can revert any single change that nothing later depends on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from tui.services.desk import Change
from tui.services.store import Store
from tui.store.db import transaction
from tui.store.undo import ChangeInfo, change_log, describe_change, later_changes, undo_change

__all__ = ["ChangeInfo", "RevertCheck", "check_revert", "load_log", "revert"]


@dataclass
class RevertCheck:
    """A change and whether it can be reverted now (and if not, why)."""

    change: ChangeInfo
    later: list[ChangeInfo] = field(default_factory=list)

    @property
    def possible(self) -> bool:
        return self.change.undoable and not self.later

    @property
    def reason(self) -> str:
        if not self.change.undoable:
            return self.change.why_not
        if self.later:
            first = self.later[0]
            return f"之后的“{first.title}”（{first.actor}）修改了同一内容，请先撤销那一项"
        return ""


def check_revert(store: Store, batch: str) -> RevertCheck:
    with Session(store.engine) as s:
        info = describe_change(s, batch)
        later = later_changes(s, batch) if info.undoable else []
    return RevertCheck(info, later)


def revert(store: Store, batch: str, actor: str) -> Change:
    with transaction(store.engine) as s:
        message = undo_change(s, batch, actor)
        undo_batch = s.info.get("batch", "")
    return Change(message, undo_batch, "撤销", final=True)


def load_log(store: Store, limit: int = 300) -> list[ChangeInfo]:
    with Session(store.engine) as s:
        return change_log(s, limit=limit)
