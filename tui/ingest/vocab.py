"""The words plans use for owners, deadlines and table columns, read from TOML.

Offices write 牵头单位, 牵头责任单位, 主责单位, 责任科室… and a new document brings a new
spelling. The vocabulary lives in ``data/vocab/owners.toml`` (documented there) so an office
can add a label without code; an office's own file, when given, extends the shipped one.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from tui.errors import DubanError
from tui.ingest.document import COLUMNS

ROLES = ("lead", "responsible", "supporting")


@dataclass(frozen=True)
class Vocabulary:
    """Everything the parser and readers need to know about how plans name things."""

    labels: dict[str, str]  # label → role, e.g. 牵头责任单位 → lead
    person_labels: tuple[str, ...]  # 牵头负责领导: people, never units
    bracket: dict[str, str]  # role word in an unlabeled bracket → role (负责 → responsible)
    trailing: tuple[str, ...]  # phrases trimmed off the end of a unit name, longest first
    group_words: tuple[str, ...]  # names that stand for a set of units
    columns: dict[str, str]  # table header spelling → column
    deadline_labels: tuple[str, ...]  # 完成时限 … on a line of their own

    def column_of(self, text: str) -> str | None:
        """The table column a header cell names; spaces and a bracketed note are ignored.
        (Remembered per cell text: every line of a document is asked, and lines repeat.)"""
        key = "".join(text.split())
        if not key:
            return None
        known = self._column_cache
        if key not in known:
            if len(known) > 50_000:
                known.clear()
            known[key] = self._column_of(key)
        return known[key]

    @cached_property
    def _column_cache(self) -> dict[str, str | None]:
        return {}

    def _column_of(self, key: str) -> str | None:
        if key in self.columns:
            return self.columns[key]
        for bracket in ("（", "("):
            head, sep, _ = key.partition(bracket)
            if sep and head in self.columns:
                return self.columns[head]
        head = key.partition("（")[0].partition("(")[0]
        if not head and not self._bracketed_columns:
            # A line opening with a bracket (（一）…, most task lines) names no column, in any
            # script: no column's spelling opens with one (checked, not assumed).
            return None
        if len(head) <= self._longest_column + 4 and any(ord(c) > 0x3400 for c in key):
            # A header in traditional characters (牽頭單位): the readers map columns before
            # the parser converts the document. Only a cell as short as a header is converted
            # (a character for a character, give or take a phrase): every line of a document
            # is asked whether it starts a flattened table, and conversion is the dear part.
            from tui.ingest.script import has_traditional, simplified_text

            if not has_traditional(key):
                return None  # simplified already: conversion could not change it
            simple = simplified_text(key)
            if simple != key:
                return self.column_of(simple)
        return None

    @cached_property
    def _bracketed_columns(self) -> bool:
        """Does any column's spelling open with a bracket (an office's own vocab.toml may)?"""
        return any(k[:1] in ("（", "(") for k in self.columns)

    @cached_property
    def _longest_column(self) -> int:
        return max((len(k) for k in self.columns), default=0)

    def alternation(self, words) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _err(source: str, what: str) -> DubanError:
    return DubanError(f"词表 {source} 有误：{what}")


def _words(value: Any, source: str, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _err(source, f'{where} 应为文字列表，如 ["牵头单位"]')
    return ["".join(v.split()) for v in value]


def _by_role(table: Any, keys: tuple[str, ...], source: str, where: str) -> dict[str, str]:
    if table is None:
        return {}
    if not isinstance(table, dict):
        raise _err(source, f"[{where}] 应为表")
    unknown = sorted(set(table) - set(keys))
    if unknown:
        raise _err(
            source, f"[{where}] 中有未知的项：{'、'.join(unknown)}（可用：{'、'.join(keys)}）"
        )
    out: dict[str, str] = {}
    for key in keys:
        for word in _words(table.get(key), source, f"[{where}] 的 {key}"):
            out.setdefault(word, key)
    return out


_TOP = {"labels", "people", "bracket", "names", "columns", "deadlines"}


def _table(data: dict[str, Any], key: str, fields: set[str], source: str) -> dict[str, Any]:
    table = data.get(key) or {}
    if not isinstance(table, dict):
        raise _err(source, f"[{key}] 应为表")
    unknown = sorted(set(table) - fields)
    if unknown:
        raise _err(source, f"[{key}] 中有未知的项：{'、'.join(unknown)}")
    return table


def parse_vocabulary(data: dict[str, Any], source: str) -> Vocabulary:
    unknown = sorted(set(data) - _TOP)
    if unknown:
        raise _err(source, f"有未知的项：{'、'.join(unknown)}（可用：{'、'.join(sorted(_TOP))}）")
    people = _table(data, "people", {"labels"}, source)
    names = _table(data, "names", {"trailing", "groups"}, source)
    deadlines = _table(data, "deadlines", {"labels"}, source)
    return Vocabulary(
        labels=_by_role(data.get("labels"), ROLES, source, "labels"),
        person_labels=tuple(_words(people.get("labels"), source, "[people] 的 labels")),
        bracket=_by_role(data.get("bracket"), ROLES, source, "bracket"),
        trailing=tuple(
            sorted(
                _words(names.get("trailing"), source, "[names] 的 trailing"), key=len, reverse=True
            )
        ),
        group_words=tuple(_words(names.get("groups"), source, "[names] 的 groups")),
        columns=_by_role(data.get("columns"), COLUMNS, source, "columns"),
        deadline_labels=tuple(_words(deadlines.get("labels"), source, "[deadlines] 的 labels")),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        raise DubanError(f"找不到词表文件：{path}") from None
    except UnicodeDecodeError:
        raise DubanError(f"词表 {path} 不是 UTF-8 编码，请另存为 UTF-8 后重试") from None
    except tomllib.TOMLDecodeError as exc:
        raise DubanError(f"词表 {path} 格式错误（TOML）：{exc}") from None
    except OSError as exc:
        raise DubanError(f"无法读取词表 {path}：{exc.strerror or exc}") from None


def merge(base: Vocabulary, extra: Vocabulary) -> Vocabulary:
    """The shipped vocabulary extended by an office's own words (its spellings win)."""
    return Vocabulary(
        labels={**base.labels, **extra.labels},
        person_labels=tuple(dict.fromkeys(base.person_labels + extra.person_labels)),
        bracket={**base.bracket, **extra.bracket},
        trailing=tuple(
            sorted(dict.fromkeys(base.trailing + extra.trailing), key=len, reverse=True)
        ),
        group_words=tuple(dict.fromkeys(base.group_words + extra.group_words)),
        columns={**base.columns, **extra.columns},
        deadline_labels=tuple(dict.fromkeys(base.deadline_labels + extra.deadline_labels)),
    )


@lru_cache(maxsize=8)
def load_vocabulary(extra: str | None = None) -> Vocabulary:
    """The shipped vocabulary, extended by the office file ``extra`` when given."""
    from tui.paths import data_dir

    shipped = data_dir() / "vocab" / "owners.toml"
    vocab = parse_vocabulary(_read(shipped), str(shipped))
    if extra:
        vocab = merge(vocab, parse_vocabulary(_read(Path(extra)), extra))
    return vocab
