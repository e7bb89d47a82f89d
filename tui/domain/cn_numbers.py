"""Chinese numerals and text normalisation shared by the deadline and plan parsers.

Plans arrive as PDF extractions and Word exports: spaces inside words ("2016 年 6 月"),
full-width digits ("２０２３"), line breaks mid-sentence. Parsers work on a cleaned copy,
but must report spans in the text the user sees, so normalisation keeps an index map.
"""

from __future__ import annotations

import re

_DIGITS = {
    "〇": 0,
    "○": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}

# Characters that may form a number: ASCII digits and Chinese numerals.
CN_NUMERAL_CHARS = "0123456789〇○零一二两三四五六七八九十百千"

_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)}
_SPACE = re.compile(r"\s")
_NONSPACE = re.compile(r"\S+")


def cn_to_int(s: str) -> int:
    """Read "2023", "二〇二三", "三十", "十五", "一百零五" as an int.

    Raises ValueError for anything else, so callers can treat a bad match as no match.
    """
    s = s.strip().translate(_FULLWIDTH)
    if not s:
        raise ValueError("empty numeral")
    if s.isdigit() and s.isascii():
        return int(s)
    if all(c in _DIGITS for c in s):
        # Digit by digit: years like 二〇二三, or a single digit.
        value = 0
        for c in s:
            value = value * 10 + _DIGITS[c]
        return value
    total = 0
    current: int | None = None
    for c in s:
        if c in _DIGITS:
            if current is not None and current != 0:
                raise ValueError(f"bad numeral: {s}")
            current = _DIGITS[c]
        elif c in _UNITS:
            unit = _UNITS[c]
            total += (1 if current is None else current) * unit
            current = None
        elif c.isdigit() and c.isascii():
            if current is not None:
                raise ValueError(f"bad numeral: {s}")
            current = int(c)
        else:
            raise ValueError(f"bad numeral: {s}")
    if current is not None:
        total += current
    return total


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Drop all whitespace and fold full-width digits; return the copy and, for each of its
    characters, the index of the character it came from in ``text``.

    Every kept character maps one to one, so a span [s, e) in the copy is
    [index[s], index[e - 1] + 1) in the original.
    """
    folded = text.translate(_FULLWIDTH)
    if not _SPACE.search(folded):
        return folded, list(range(len(folded)))
    out: list[str] = []
    index: list[int] = []
    for m in _NONSPACE.finditer(folded):
        out.append(m.group())
        index.extend(range(m.start(), m.end()))
    return "".join(out), index


def original_span(index: list[int], start: int, end: int) -> tuple[int, int]:
    """Map a span of the normalised copy back to the original text."""
    return index[start], index[end - 1] + 1
