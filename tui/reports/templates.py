"""Wording templates for the reports, in the same plain-text form as the letter templates.

An office edits `data/templates/任务清单.txt` and `年度总结.txt` (or its own copies in the
template folder named in settings) with Notepad. Values are inserted by the letters'
sandboxed renderer (`tui.letters.templates.render_template`): only `{名称}` is allowed, so
an edited template can never run code or read a file.

Format: `#` starts a comment line; `键：内容` lines set a part (the keys each report
accepts are listed in its file); in the year's summary every other non-blank line is one
clause, and a clause that starts with `[名称]` appears only when that figure is not zero —
so the paragraph never says "下发通报0期" and never claims what the store does not show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.errors import DubanError
from tui.letters.templates import render_template
from tui.paths import data_dir

MAX_CHARS = 20_000
_KEY_LINE = re.compile(r"^\s*([^\s：:#\[]{1,12})\s*[：:]\s*(.*)$")
_CONDITION = re.compile(r"^\s*\[([^\[\]]{1,20})\]\s*(.*)$")


def template_file(name: str, template_dir: Path | None = None) -> Path:
    """The office's copy when it has one, else the shipped file."""
    if template_dir is not None:
        own = Path(template_dir) / name
        if own.is_file():
            return own
    return data_dir() / "templates" / name


def read_template(name: str, template_dir: Path | None = None) -> tuple[str, str]:
    """(text, file name): UTF-8 (with or without BOM) or GB18030, bounded in size."""
    path = template_file(name, template_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DubanError(f"找不到模板文件：{path}") from None
    except OSError as exc:
        raise DubanError(f"无法读取模板文件 {path}：{exc.strerror}") from None
    if len(raw) > MAX_CHARS * 4:
        raise DubanError(f"模板文件 {path.name} 过大，不像是模板")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding), path.name
        except UnicodeDecodeError:
            continue
    raise DubanError(f"模板文件 {path.name} 的编码无法识别，请另存为 UTF-8")  # pragma: no cover


def _lines(text: str) -> list[str]:
    out = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip().lstrip("\u3000")
        if line and not line.startswith("#"):
            out.append(line)
    return out


def parse_parts(text: str, keys: Sequence[str], name: str) -> dict[str, str]:
    """`键：内容` lines of a template whose keys are all known; every key is required."""
    parts: dict[str, str] = {}
    for line in _lines(text):
        m = _KEY_LINE.match(line)
        if not m or m.group(1) not in keys:
            raise DubanError(
                f"模板 {name} 中这一行无法识别：“{line[:30]}”（每行应为 {'、'.join(keys)} 之一加“：”）"
            )
        parts[m.group(1)] = m.group(2).strip()
    missing = [k for k in keys if k not in parts]
    if missing:
        raise DubanError(f"模板 {name} 缺少“{'：”“'.join(missing)}：”一行")
    return parts


@dataclass(frozen=True)
class Clause:
    condition: str | None  # the figure that must not be zero, or None
    text: str


def parse_clauses(text: str, name: str) -> list[Clause]:
    clauses = []
    for line in _lines(text):
        m = _CONDITION.match(line)
        if m:
            clauses.append(Clause(m.group(1).strip(), m.group(2).strip()))
        else:
            clauses.append(Clause(None, line))
    if not clauses:
        raise DubanError(f"模板 {name} 没有任何分句")
    return clauses


def render_parts(parts: Mapping[str, str], values: Mapping[str, str], name: str) -> dict[str, str]:
    return {k: render_template(v, values, name).strip() for k, v in parts.items()}


def render_clauses(
    clauses: Sequence[Clause],
    values: Mapping[str, str],
    figures: Mapping[str, float],
    name: str,
) -> str:
    """The clauses whose condition holds, joined with ， and closed with 。"""
    out = []
    for clause in clauses:
        if clause.condition is not None:
            if clause.condition not in figures:
                known = "、".join(f"[{k}]" for k in figures)
                raise DubanError(
                    f"模板 {name} 中的条件 [{clause.condition}] 未知，可用的有：{known}"
                )
            if not figures[clause.condition]:
                continue
        piece = render_template(clause.text, values, name).strip().rstrip("，。；,;")
        if piece:
            out.append(piece)
    return "，".join(out) + "。" if out else ""
