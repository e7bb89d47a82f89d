"""Small wording helpers shared by the documents: dates, roles, display widths."""

from __future__ import annotations

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


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet or terminal: wide (CJK) characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def ordinal(n: int) -> str:
    """一、二、… for section headings (n ≥ 1; beyond 十, Arabic numerals)."""
    return CN_ORDINALS[n - 1] if 1 <= n <= len(CN_ORDINALS) else str(n)
