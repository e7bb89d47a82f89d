"""Breaking Chinese text into lines the way Word, WPS and LibreOffice do for official documents.

Rules (GB/T 15834-2011 标点符号用法 §5.1.? "行首行末禁则", and the kinsoku lists the word
processors ship for zh-CN):
- a line never starts with closing punctuation or a pause mark: ，。、；：？！）》」』】〕〗”’ …
- a line never ends with opening punctuation: （《「『【〔〖“‘ …
- a run of Latin letters, digits and the signs inside numbers ("2024", "0477-8321234",
  "3.5%", "12:00") is one word and is never split; neither are "——" and "……";
- everything else may break between any two characters.

When the character that would start the next line is forbidden there, the previous
character goes down with it (no hanging punctuation, no squeezing), which is also what the
.docx asks of Word/LibreOffice (`w:overflowPunct="0"`), so both outputs break alike.

Between a Chinese character and a Latin letter or digit, Word, WPS and LibreOffice add a
small space (Word's "自动调整中文与西文/数字的间距", on by default); measured in
LibreOffice it is 0.2 em. Lines here count it the same way, and the PDF prints it.

Pure: widths come from a function the caller passes (font metrics in the PDF writer).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

# 行首禁则: may not begin a line.
NO_START = frozenset(
    "，。、；：？！）》」』】〕〗〙〛〉”’…‥·•．﹐﹑﹒﹔﹕﹖﹗﹚﹜﹞%‰℃°′″：！），．：；？］｝～"
    ",.;:?!)]}>"
)
# 行末禁则: may not end a line.
NO_END = frozenset("（《「『【〔〖〘〚〈“‘﹙﹛﹝（［｛([{<")
# Characters that keep a Latin/number run together when they sit inside it.
_INWORD = frozenset("-./:%,'_+#@&")
_PAIRS = ("——", "……")
AUTO_SPACE_EM = 0.2


def is_ideograph(ch: str) -> bool:
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x2FFFF
        or 0x3040 <= o <= 0x30FF
    )


class _Classes(dict):
    """Character → 1 (Chinese), 2 (Latin letter or digit), 0 (anything else); memoised."""

    def __missing__(self, ch: str) -> int:
        v = 1 if is_ideograph(ch) else (2 if ch.isascii() and ch.isalnum() else 0)
        self[ch] = v
        return v


CLASS = _Classes()


def auto_space(left: str, right: str) -> bool:
    """True when a Chinese character meets a Latin letter or digit (either order)."""
    return CLASS[left] ^ CLASS[right] == 3


_IDEO = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_MEET = re.compile(f"(?<=[{_IDEO}])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[{_IDEO}])")


def count_spaces(text: str) -> int:
    """How many Chinese–Latin meetings a string has (each gets the small gap)."""
    return len(_MEET.findall(text))


def spaced_width(text: str, advance: Callable[[str], float], space: float) -> float:
    """Width of a line as printed: advances plus the Chinese–Latin spaces inside it."""
    return sum(map(advance, text)) + space * count_spaces(text)


def is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9%]|[-./:,'_+#@&](?=[A-Za-z0-9]))*%?|——|……|.", re.S)


def tokens(text: str) -> list[str]:
    """Unbreakable pieces: one CJK character, a Latin/number word, "——" or "……"."""
    return _TOKEN.findall(text)


def break_lines(
    text: str,
    width: float,
    advance: Callable[[str], float],
    first_indent: float = 0.0,
    space: float = 0.0,
) -> list[str]:
    """Lines of one paragraph that fit `width` (same unit as `advance`); `space` is the
    Chinese–Latin gap in that unit (0 = none).

    Greedy, as word processors fill lines: as many pieces as fit, then the 禁则 move a
    closing mark's predecessor down and an opening mark off the line end. A word wider than
    a whole line is split by characters (nothing is ever cut); an empty paragraph is one
    empty line."""
    if not text:
        return [""]
    if first_indent <= 0 and len(text) * 1.2 * max(advance("一"), 0.01) < width:
        # short text that surely fits (every character is at most ~1 em plus its gap)
        if sum(map(advance, text)) + space * count_spaces(text) <= width - first_indent + 1e-6:
            return [text]
    toks = tokens(text)
    n = len(toks)
    widths = [sum(map(advance, t)) for t in toks]
    gaps = [0.0] * n
    if space:
        for k in range(1, n):
            if CLASS[toks[k - 1][-1]] ^ CLASS[toks[k][0]] == 3:
                gaps[k] = space
    # cum[k] = width of tokens 0..k-1 laid in one line (gaps between them included)
    cum = [0.0] * (n + 1)
    acc = 0.0
    for k in range(n):
        acc += gaps[k] + widths[k]
        cum[k + 1] = acc
    lines: list[str] = []
    s = 0
    avail = width - first_indent
    eps = 1e-6
    while s < n:
        limit = cum[s] + gaps[s] + avail + eps
        e = bisect_right(cum, limit, s + 1) - 1  # tokens s..e-1 fit
        if e <= s:
            # the first piece alone is wider than the line: split it by characters
            tok = toks[s]
            k, used = 0, 0.0
            while k < len(tok) and used + advance(tok[k]) <= avail + eps:
                used += advance(tok[k])
                k += 1
            k = max(k, 1)
            if k >= len(tok):
                e = s + 1  # one character wider than the line: alone on its line
            else:
                lines.append(tok[:k])
                rest = tok[k:] + "".join(toks[s + 1 :])
                return lines + break_lines(rest, width, advance, 0.0, space)
        if e < n:
            if toks[e][0] in NO_START:
                while e - s > 1 and toks[e - 1][0] in NO_START:
                    e -= 1
                if e - s > 1:
                    e -= 1
            while e - s > 1 and toks[e - 1][-1] in NO_END:
                e -= 1
        lines.append("".join(toks[s:e]))
        s = e
        avail = width
    return lines


def min_width(text: str, advance: Callable[[str], float]) -> float:
    """Width of the widest unbreakable piece: a column narrower than this wraps inside a word."""
    return max((sum(advance(c) for c in t) for t in tokens(text)), default=0.0)


def text_width(text: str, advance: Callable[[str], float]) -> float:
    return sum(advance(c) for c in text)
