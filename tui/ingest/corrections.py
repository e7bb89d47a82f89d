"""Fixes an officer makes in the import review, applied again at every import of the plan.

The importer misreads some documents; the review screen lets staff correct what it
understood before it counts — a task's owners, its deadline words, a task that is really
two (split) or two that are really one (merge with the next). Each fix is stored with the
plan and replayed on the parsed document at every later import, so a re-import of the same
file (or an edited version) keeps it. A fix whose task no longer exists is reported, never
applied to another task.

Fixes name tasks by their key (tui.domain.identity) as it stands when the fix is applied:
they are replayed in the order they were made.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from tui.errors import DubanError
from tui.ingest.owners import OwnerName
from tui.ingest.parser import ROLES, ParsedPlan, ParsedTask, _title_of

KINDS = ("owners", "deadline", "merge_next", "split")
KIND_LABEL = {
    "owners": "改单位",
    "deadline": "改期限",
    "merge_next": "与下一项合并",
    "split": "拆分",
}


@dataclass(frozen=True)
class Correction:
    """One fix: ``value`` is owners [[role, name, is_group], …], deadline words, or for a
    split the character offset in the task's text where the second task begins."""

    kind: str
    task_key: str
    value: object = None

    def describe(self) -> str:
        if self.kind == "owners":
            names = "、".join(f"{n}（{_role(r)}）" for r, n, *_ in self.value or [])
            return f"{self.task_key} 单位改为：{names or '无'}"
        if self.kind == "deadline":
            return f"{self.task_key} 期限改为：{self.value or '无'}"
        if self.kind == "split":
            return f"{self.task_key} 从第 {self.value} 个字处拆为两项"
        return f"{self.task_key} 与下一项合并"


def _role(role: str) -> str:
    return {"lead": "牵头", "responsible": "责任", "supporting": "配合"}.get(role, role)


@dataclass
class Applied:
    """A plan with its corrections applied, and those that could not be, with the reason."""

    plan: ParsedPlan
    applied: list[Correction] = field(default_factory=list)
    skipped: list[tuple[Correction, str]] = field(default_factory=list)  # with the reason


def validate(c: Correction) -> None:
    """Refuse a malformed fix before it is stored."""
    if c.kind not in KINDS:
        raise DubanError(f"未知的更正种类：{c.kind}")
    if not c.task_key:
        raise DubanError("更正必须指明任务")
    if c.kind == "owners":
        rows = c.value if isinstance(c.value, list) else None
        if rows is None or not all(
            isinstance(r, list | tuple) and len(r) >= 2 and r[0] in ROLES and str(r[1]).strip()
            for r in rows
        ):
            raise DubanError(f"任务 {c.task_key} 的单位更正格式不对")
    elif c.kind == "split":
        if not isinstance(c.value, int) or c.value <= 0:
            raise DubanError(f"任务 {c.task_key} 的拆分位置不对")
    elif c.kind == "deadline" and not isinstance(c.value, str):
        raise DubanError(f"任务 {c.task_key} 的期限更正应为文字")


def apply_corrections(parsed: ParsedPlan, corrections: list[Correction]) -> Applied:
    """The parsed plan with the fixes replayed in order (the input is not changed)."""
    plan = copy.deepcopy(parsed)
    plan._keys = None
    result = Applied(plan)
    for c in corrections:
        keys = plan.task_keys()
        try:
            index = keys.index(c.task_key)
        except ValueError:
            result.skipped.append((c, "文件中已没有这项任务"))
            continue
        task = plan.tasks[index]
        if c.kind == "owners":
            task.owners = [
                OwnerName(role, str(name).strip(), bool(rest[0]) if rest else False)
                for role, name, *rest in c.value
            ]
            task.owner_fields = [
                (role, "、".join(o.name for o in task.owners if o.role == role))
                for role in ROLES
                if any(o.role == role for o in task.owners)
            ]
        elif c.kind == "deadline":
            task.deadline_text = c.value or ""
        elif c.kind == "merge_next":
            if index + 1 >= len(plan.tasks):
                result.skipped.append((c, "这已是最后一项任务，没有下一项可合并"))
                continue
            nxt = plan.tasks.pop(index + 1)
            task.text = task.text + nxt.text
            task.title = _title_of(task.text)
            task.owner_fields = task.owner_fields + nxt.owner_fields
            task.owners = _union(task.owners + nxt.owners)
            task.deadline_text = "；".join(x for x in (task.deadline_text, nxt.deadline_text) if x)
        else:  # split
            at = int(c.value)
            if at >= len(task.text):
                result.skipped.append((c, "拆分位置超出了任务文字"))
                continue
            second = ParsedTask(
                number=task.number + "之二",
                title=_title_of(task.text[at:]),
                text=task.text[at:].lstrip(),
                line=task.line,
                node=task.node,
                owner_fields=list(task.owner_fields),
                deadline_text=task.deadline_text,
                owners=list(task.owners),
            )
            task.text = task.text[:at].rstrip()
            task.title = _title_of(task.text)
            plan.tasks.insert(index + 1, second)
        plan._keys = None
        result.applied.append(c)
    plan.has_owners = any(t.owners for t in plan.tasks)
    return result


def _union(owners: list[OwnerName]) -> list[OwnerName]:
    seen: set[tuple[str, str]] = set()
    out = []
    for o in owners:
        if (o.role, o.name) not in seen:
            seen.add((o.role, o.name))
            out.append(o)
    return out
