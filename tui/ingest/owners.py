"""How a plan names a task's owners, in every form seen in real documents.

- a line of its own: ``牵头单位：区司法局`` (any label of the vocabulary; person labels such as
  ``牵头负责领导：张三`` name people and yield no unit);
- a labelled bracket closing the task: ``（牵头单位：旗委编办；责任单位：各有关部门）``;
- an unlabeled bracket closing the task: ``（区司法局牵头，各镇按职责分工负责）``,
  ``（市发改委、市财政局牵头，市统计局配合）``, ``（区司法局负责）``.
Only a bracket that closes the task counts: "由司法局牵头研究" inside a sentence is text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tui.domain.units import is_group_reference, normalize_name, split_owner_list
from tui.ingest.vocab import Vocabulary

_OPEN, _CLOSE = "（(", "）)"
_CLAUSE_SEP = "，,；;"
# A name inside an unlabeled bracket is short; a longer "name" is a sentence.
_MAX_NAME = 40


@dataclass(frozen=True)
class LineLabel:
    """A labelled line of a task (牵头单位：…, 联系人：…, 完成时限：…): what it labels and its value."""

    kind: str  # owner / person / deadline
    role: str | None
    value: str


@dataclass(frozen=True)
class OwnerName:
    """One owner named in a task, with its role and whether the name stands for a group."""

    role: str
    name: str
    group: bool  # the name stands for several units (各镇, 乡镇人民政府 …)


def _matching_open(text: str) -> int | None:
    """Index of the bracket that opens the bracket closing ``text``, or None."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in _CLOSE:
            depth += 1
        elif ch in _OPEN:
            depth -= 1
            if depth == 0:
                return i
    return None


def _top_level_split(text: str, seps: str) -> list[str]:
    out, current, depth = [], [], 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if ch in seps and depth == 0:
            out.append("".join(current))
            current = []
        else:
            current.append(ch)
    out.append("".join(current))
    return [p.strip() for p in out if p.strip()]


class OwnerGrammar:
    """The owner forms above, compiled from one vocabulary."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        owner_labels = vocab.alternation(vocab.labels)
        any_label = vocab.alternation([*vocab.labels, *vocab.person_labels, *vocab.deadline_labels])
        self._line = re.compile(rf"^({any_label})\s*[：:]\s*(.*)$")
        self._label_in_bracket = re.compile(
            rf"({vocab.alternation([*vocab.labels, *vocab.person_labels])})\s*[：:]"
        )
        self._starts_labelled = re.compile(
            rf"^\s*(?:{owner_labels}|"
            rf"{vocab.alternation(vocab.person_labels)})\s*[：:]"
        )
        self._verbs = sorted(vocab.bracket, key=len, reverse=True)
        self._people = set(vocab.person_labels)
        self._deadline_labels = set(vocab.deadline_labels)
        # Owner fields repeat through a plan (the same lead pair, 各镇、街道 …): each distinct
        # field is split once.
        self._names: dict[tuple[str, str], tuple[OwnerName, ...]] = {}

    # ---------------------------------------------------------------- lines

    def line_label(self, line: str) -> LineLabel | None:
        """A labelled line: owners, a person (no unit) or a deadline."""
        m = self._line.match(line)
        if not m:
            return None
        label, value = m.group(1), m.group(2).strip()
        if label in self._people:
            return LineLabel("person", None, value)
        if label in self._deadline_labels:
            return LineLabel("deadline", None, value)
        return LineLabel("owner", self.vocab.labels[label], value)

    # ---------------------------------------------------------------- brackets

    def closing_owners(self, text: str) -> tuple[str, list[tuple[str, str]]] | None:
        """(text before, [(role, raw names)]) when ``text`` ends with an owner bracket."""
        t = text.rstrip(" 。；;，,\u3000")
        if not t or t[-1] not in _CLOSE:
            return None
        start = _matching_open(t)
        if start is None:
            return None
        inner = t[start + 1 : -1].strip()
        before = t[:start].rstrip()
        if not inner:
            return None
        if self._starts_labelled.match(inner):
            return before, self._labelled(inner)
        owners = self._unlabeled(inner)
        if owners is None:
            return None
        return before, owners

    def _labelled(self, inner: str) -> list[tuple[str, str]]:
        owners: list[tuple[str, str]] = []
        marks = list(self._label_in_bracket.finditer(inner))
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(inner)
            label = m.group(1)
            value = inner[m.end() : end].strip().rstrip("；;，,。")
            if label in self._people or not value:
                continue
            owners.append((self.vocab.labels[label], value))
        return owners

    def _unlabeled(self, inner: str) -> list[tuple[str, str]] | None:
        """``X牵头，Y按职责分工负责``: every clause must be names + a role word, or it is
        not an owner bracket at all (a date, a note, an example)."""
        clauses: list[tuple[str, str, str]] = []  # (names, verb, role)
        for clause in _top_level_split(inner, _CLAUSE_SEP):
            for verb in self._verbs:
                if clause.endswith(verb):
                    names = clause[: -len(verb)].strip()
                    names = names[1:] if names.startswith("由") else names
                    if not names or len(names) > _MAX_NAME or any(c in names for c in "。：:"):
                        return None
                    clauses.append((names, verb, self.vocab.bracket[verb]))
                    break
            else:
                return None
        if not clauses:
            return None
        has_lead = any(role == "lead" for _n, _v, role in clauses)
        out = []
        for names, verb, role in clauses:
            if verb == "负责" and not has_lead:
                role = "lead"  # the one unit 负责 for a task is its lead
            out.append((role, names))
        return out

    # ---------------------------------------------------------------- names

    def names(self, role: str, raw: str) -> list[OwnerName]:
        """The unit and group names in one owner field, trimmed of trailing phrases."""
        key = (role, raw)
        found = self._names.get(key)
        if found is None:
            found = tuple(
                OwnerName(role, name, self.is_group(name))
                for name in split_owner_list(raw, self.vocab.trailing)
                if name not in self._people
            )
            self._names[key] = found
        return list(found)

    def is_group(self, name: str) -> bool:
        n = normalize_name(name)
        return is_group_reference(n) or any(
            n == w or n.startswith(w) for w in self.vocab.group_words
        )
