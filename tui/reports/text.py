"""Small wording helpers shared by the documents: dates, roles, display widths."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

ROLE_ORDER = ("lead", "responsible", "supporting")
ROLE_CN = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}
ROLE_HEADING = {"lead": "牵头任务", "responsible": "责任任务", "supporting": "配合任务"}
CN_ORDINALS = "一二三四五六七八九十"


def cn_date(d: date | None) -> str:
    """2024年3月5日: Arabic numerals, no leading zeros (GB/T 9704 成文日期)."""
    if d is None:
        return ""
    return f"{d.year}年{d.month}月{d.day}日"


def cn_dates(dates: Sequence[date], limit: int = 0) -> str:
    """Several dates joined with 、; with ``limit``, the rest are counted, never dropped silently."""
    shown = list(dates) if not limit or len(dates) <= limit else list(dates[:limit])
    text = "、".join(cn_date(d) for d in shown)
    if len(shown) < len(dates):
        text += f"等{len(dates)}期"
    return text


def cited_title(title: str) -> str:
    """A document's title as an official text cites it: in 《》, with the book-title marks
    inside it made single (〈〉), as GB/T 15834 nests them; a title already in 《》 is not
    wrapped twice."""
    inner = title.strip()
    if inner.startswith("《") and inner.endswith("》") and inner.count("《") == 1:
        inner = inner[1:-1]
    return "《" + inner.replace("《", "〈").replace("》", "〉") + "》"


# East Asian wide and full-width ranges (Unicode EastAsianWidth W/F), for counting in C.
_WIDE = re.compile(
    "[\u1100-\u115f\u231a\u231b\u2329\u232a\u2e80-\u303e\u3041-\u33ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\ua960-\ua97f\uac00-\ud7a3"
    "\uf900-\ufaff\ufe10-\ufe19\ufe30-\ufe6f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]"
)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet or terminal: wide (CJK) characters count 2."""
    return len(text) + len(_WIDE.findall(text))


def display_width_exact(text: str) -> int:
    """`display_width` by the Unicode database, character by character (for checking)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def ordinal(n: int) -> str:
    """一、二、… for section headings (n ≥ 1; beyond 十, Arabic numerals)."""
    return CN_ORDINALS[n - 1] if 1 <= n <= len(CN_ORDINALS) else str(n)
