"""Line clean-up for the artifacts real plan files carry (PDF breaks, Word bookmarks, odd spacing)."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from tui.text import strip_controls

_CJK = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026《》"
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_SPACES = " \t\u3000\u00a0"
_PAREN_SPACES = re.compile(r"[（(]\s*([一二三四五六七八九十百零〇\d]+)\s*[）)]")
_DOT_SPACES = re.compile(r"^(\d{1,3})\s*[．.](?!\d)\s*")
_DUN_SPACES = re.compile(r"^([一二三四五六七八九十百]+)\s*[、]\s*")
_PAGE_NUMBER = re.compile(r"^[\s\-—－–·]*(第\s*\d+\s*页|\d{1,4})[\s\-—－–·]*(共\s*\d+\s*页)?$")


@lru_cache(maxsize=1)
def _space_near_cjk() -> re.Pattern[str]:
    """Whitespace with a CJK character (or full-width punctuation) on at least one side.

    Compiled only for a document with many spaced lines (`_drop_spaces_near_cjk`): the
    compiler walks the CJK ranges one character at a time, 4 ms of a seed's whole import."""
    return re.compile(rf"(?<=[{_CJK}])[{_SPACES}]+|[{_SPACES}]+(?=[{_CJK}])")


_WS_RUN = re.compile(f"[{_SPACES}]+")
_CJK_PUNCT = frozenset("\u201c\u201d\u2018\u2019\u2014\u2026")  # the rest of _CJK is in ranges
# Spaced lines cleaned without the pattern before it is worth compiling (a plan's few
# "（15） 强化…" lines cost microseconds each; thousands of them, the compile pays off).
_LINES_BEFORE_PATTERN = 200
_spaced_lines = itertools.count()


def _is_cjk(ch: str) -> bool:
    """Is ``ch`` in _CJK (U+3000–U+303F and 《》 lie inside U+2E80–U+9FFF)?"""
    return "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" or ch in _CJK_PUNCT


def _drop_spaces_near_cjk(s: str) -> str:
    """``_space_near_cjk().sub("", s)``, the pattern compiled only once it pays off.

    Until then each run of whitespace is handled as the pattern's two alternatives do: left
    of position p a CJK character → the rest of the run goes; else the longest stretch from
    p followed by a CJK character (U+3000 is both a space and CJK) goes; else p stays."""
    if next(_spaced_lines) >= _LINES_BEFORE_PATTERN:
        return _space_near_cjk().sub("", s)
    out: list[str] = []
    last = 0
    n = len(s)
    for m in _WS_RUN.finditer(s):
        a, b = m.span()
        p = a
        while p < b:
            if p and _is_cjk(s[p - 1]):
                out.append(s[last:p])
                last = b
                break
            q = b
            while q > p and not (q < n and _is_cjk(s[q])):
                q -= 1
            if q > p:
                out.append(s[last:p])
                last = p = q
            else:
                p += 1
    if not out:
        return s
    out.append(s[last:])
    return "".join(out)


def leading_indent(raw: str) -> int:
    """Width of a line's indentation; PDF text marks a new paragraph (or page break) with it."""
    n = 0
    for ch in raw:
        if ch in " \t\u3000\u00a0":
            n += 2 if ch == "\u3000" else 1
        else:
            break
    return n


@lru_cache(maxsize=1 << 16)
def clean_line(raw: str) -> str:
    """Normalise one line: drop artifacts, join spaced-out CJK, canonical outline markers.
    (Cached: the reader, the table finder and the parser each clean the same lines.)"""
    s = _BOOKMARK.sub("", strip_controls(raw))
    s = s.replace("\ufeff", "").replace("\u200b", "")
    s = s.strip(" \t\u3000\u00a0\r\n")
    if any(ch in s for ch in _SPACES):
        s = _drop_spaces_near_cjk(s)
    s = _PAREN_SPACES.sub(lambda m: f"（{m.group(1)}）", s)
    s = _DOT_SPACES.sub(lambda m: f"{m.group(1)}．", s)
    s = _DUN_SPACES.sub(lambda m: f"{m.group(1)}、", s)
    s = s.replace(":", "：") if _looks_like_label(s) else s
    return s


def _looks_like_label(s: str) -> bool:
    # The colon first: a line without one needs no pattern (compiling it costs 1 ms).
    return ":" in s and bool(re.match(r"^[\u4e00-\u9fff]{2,6}:", s))


def is_page_number(s: str) -> bool:
    """'— 3 —', '- 12 -', '第3页' lines left behind by PDF extraction."""
    return bool(s) and bool(_PAGE_NUMBER.match(s))


def join_fragments(parts: list[str]) -> str:
    """Join broken lines of one paragraph: no separator between CJK, a space between Latin words."""
    out = ""
    for p in parts:
        if not p:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " "
        out += p
    return out
