"""Traditional characters → Simplified, before parsing.

Plans copied from Hong Kong/Taiwan-encoded pages or run through a converter arrive as
牽頭單位：旗司法局；責任單位：各鎮. The whole document is converted with OpenCC (t2s) when
its share of traditional-only characters says it is traditional; simplified text is never
touched, because a simplified character converts to itself.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from functools import lru_cache

from tui.ingest.document import Document, Line, Note, Row
from tui.ingest.t2s_chars import CONVERTED, FIRST, LAST

# Share of Han characters that must be traditional-only for a document to count as
# traditional; a simplified document has none, a traditional one some 15–30 %.
_TRADITIONAL_SHARE = 0.03
_MIN_TRADITIONAL = 5
_SAMPLE = 50_000


@lru_cache(maxsize=1)
def _han():
    """The Han-character pattern, compiled when first needed: the compiler walks its 21,000
    characters one by one (2 ms), and a simplified document never needs it (is_traditional)."""
    return re.compile("[\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _converter():
    import opencc  # deferred: only traditional documents need it

    return opencc.OpenCC("t2s")


def _texts(doc: Document):
    for item in doc.items:
        if isinstance(item, (Line, Note)):
            yield item.text
        else:
            yield from item.cells.values()


def is_traditional(doc: Document) -> bool:
    """Is the document traditional: of the Han characters in its first texts (up to
    _SAMPLE of them), enough traditional-only ones?

    While no text so far holds a convertible character and the texts are too short to
    reach the sample's end, nothing needs counting: the Han characters are counted (from the
    first text on, with the same cut) only once either happens, so a short simplified plan
    never compiles the Han pattern."""
    texts = _texts(doc)
    pending: list[str] = []
    length = 0  # an upper bound of the Han characters in `pending`
    for text in texts:
        pending.append(text)
        length += len(text)
        if length >= _SAMPLE or not CONVERTED.isdisjoint(text):
            break
    else:
        return False  # a short text without one convertible character: nothing to count
    han_of = _han().findall
    seen = traditional = 0
    for text in itertools.chain(pending, texts):
        han = han_of(text)  # the Han characters of a line, found in C
        seen += len(han)
        if not CONVERTED.isdisjoint(text):  # most lines of most plans: none to count
            # Every Han character is in FIRST–LAST, where CONVERTED is OpenCC's answer.
            traditional += sum(1 for ch in han if ch in CONVERTED)
        if seen >= _SAMPLE:
            break
    if not seen:
        return False
    return traditional >= _MIN_TRADITIONAL and traditional >= _TRADITIONAL_SHARE * seen


def to_simplified(doc: Document) -> tuple[Document, bool]:
    """(the document in simplified characters, whether it was converted)."""
    if not is_traditional(doc):
        return doc, False
    convert = _converter().convert
    items: list[Line | Row | Note] = []
    for item in doc.items:
        if isinstance(item, Row):
            items.append(Row(item.no, {k: convert(v) for k, v in item.cells.items()}))
        else:
            items.append(replace(item, text=convert(item.text)))
    return replace(doc, items=items), True


# Characters known to convert to themselves one by one (every character of a simplified
# text): has_traditional answers for them in C instead of calling OpenCC on the text.
_SAME: set[str] = set()


def has_traditional(text: str) -> bool:
    """Does any character of ``text`` convert to another on its own? Asked of every short
    line of a document (could it be a header in traditional characters?); each distinct
    character goes to OpenCC once (one of FIRST–LAST not even that: CONVERTED answers)."""
    if _SAME.issuperset(text):
        return False
    found = False
    rest = []
    for ch in set(text).difference(_SAME):
        if not FIRST <= ch <= LAST:
            rest.append(ch)
        elif ch in CONVERTED:
            found = True
        else:
            _SAME.add(ch)
    if not rest:
        return found
    convert = _converter().convert
    for ch in rest:
        if convert(ch) == ch:
            _SAME.add(ch)
        else:
            found = True
    return found


def simplified_text(text: str) -> str:
    """One string in simplified characters (a table header, a label)."""
    return _converter().convert(text)
