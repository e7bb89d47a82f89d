"""Which task is which: a task's identity is its place in the plan's outline.

Plans restart their numbering in every section (（一）（二） under 一、, then again under 二、),
so the number alone names several tasks. The key of a task is the numbers of its enclosing
outline nodes, its own number as written, and — when the same place holds the same number
more than once — its occurrence. The importer, its report, revision matching, the desk's
preview and `duban tasks` all take keys from `task_keys`, so they can never disagree.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

# (outline path labels, task number as written)
Place = tuple[Sequence[str], str]


def path_label(number: str, heading: str) -> str:
    """How one outline node appears in a key: its number, or its heading when unnumbered
    (a table's 重点任务 group has no number of its own)."""
    if number:
        return number
    return f"「{''.join(heading.split())}」" if heading else ""


def task_keys(places: Iterable[Place]) -> list[str]:
    """One key per task, in order; linear in the number of tasks."""
    seen: dict[str, int] = {}
    keys: list[str] = []
    for path, number in places:
        base = "".join(path) + number
        n = seen.get(base, 0) + 1
        seen[base] = n
        keys.append(base if n == 1 else f"{base}#{n}")
    return keys


def _norm(text: str) -> str:
    return "".join(text.split())


# (old task id, key, number, text) and (key, number, text)
OldTask = tuple[int, str, str, str]
NewTask = tuple[str, str, str]


def match_tasks(old: Sequence[OldTask], new: Sequence[NewTask]) -> list[int | None]:
    """For each new task, the id of the old task it continues, or None if it is new.

    In order of confidence: the same place and the same text; the same text elsewhere (a
    task moved when a section was inserted or removed); the same place with edited text; and,
    only in plans whose numbers are unique throughout (（1）…（85）), the same number.
    Each old task continues at most one new task. Linear in the number of tasks.
    """
    result: list[int | None] = [None] * len(new)
    taken: set[int] = set()

    def assign(index_of: dict, key_of) -> None:
        for i, n in enumerate(new):
            if result[i] is not None:
                continue
            candidates = index_of.get(key_of(n))
            while candidates:
                tid = candidates.popleft()
                if tid not in taken:
                    taken.add(tid)
                    result[i] = tid
                    break

    def index(key_of_old) -> dict:
        out: dict = {}
        for o in old:
            out.setdefault(key_of_old(o), deque()).append(o[0])
        return out

    assign(index(lambda o: (o[1], _norm(o[3]))), lambda n: (n[0], _norm(n[2])))
    assign(index(lambda o: _norm(o[3])), lambda n: _norm(n[2]))
    assign(index(lambda o: o[1]), lambda n: n[0])
    old_numbers = [o[2] for o in old]
    new_numbers = [n[1] for n in new]
    if len(set(old_numbers)) == len(old_numbers) and len(set(new_numbers)) == len(new_numbers):
        assign(index(lambda o: o[2]), lambda n: n[1])
    return result
