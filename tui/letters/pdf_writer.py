"""The printable PDF of a letter: draws what `layout.layout_letter` decided.

Text is set in the batch's embedded fonts (see pdf_file): the body font for 仿宋 text, the
title font for the issuer mark, titles and table headers; a character the body font lacks
comes from the shipped fallback font. Justified lines are stretched by character spacing,
as Word does for Chinese text, and a Chinese character next to a Latin letter or digit
gets the same small gap Word and LibreOffice insert (0.2 em).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import groupby
from pathlib import Path

from tui.letters.fonts import BatchFonts
from tui.letters.layout import PAGE_H, LetterLayout, Placed, Rule, layout_letter
from tui.letters.linebreak import AUTO_SPACE_EM, auto_space, count_spaces
from tui.letters.model import LetterModel, letter_texts
from tui.letters.pdf_file import EmbeddedFont, write_pdf_file

ASCENT = 0.88  # where the baseline sits in a CJK em box


class PdfFonts:
    """The embedded fonts of one batch: made once, shared by every letter's PDF."""

    def __init__(self, fonts: BatchFonts, texts: Iterable[tuple[str, str]]) -> None:
        body_chars: set[str] = set()
        title_chars: set[str] = set()
        for body, title in texts:
            body_chars.update(body)
            title_chars.update(title)
        body_chars.update("—0123456789")  # page numbers
        self.batch = fonts
        self._tables: dict = {}
        # per (font key, line text): [Chinese–Latin gaps, width in ems, TJ operator] — a
        # batch prints the same few thousand lines tens of thousands of times
        self.lines: dict[tuple[str, str], list] = {}
        self.body = EmbeddedFont(fonts.body, body_chars, "F0")
        self.title = EmbeddedFont(fonts.title, title_chars, "F1")
        self.fallback: EmbeddedFont | None = None
        if fonts.fallback is not None:
            lacking = {c for c in body_chars | title_chars if not fonts.body.has(c)}
            lacking |= {c for c in title_chars if not fonts.title.has(c)}
            if lacking:
                self.fallback = EmbeddedFont(fonts.fallback, lacking, "F2")

    @property
    def list(self) -> list[EmbeddedFont]:
        out = [self.body, self.title]
        if self.fallback is not None:
            out.append(self.fallback)
        return out

    def table(self, key: str):
        t = self._tables.get(key)
        if t is None:
            t = self._tables[key] = self.batch.table(key)
        return t

    def runs(self, key: str, text: str) -> list[tuple[EmbeddedFont, str]]:
        main = self.title if key == "title" else self.body
        fb = self.fallback
        if fb is None:
            return [(main, text)]
        return [
            (main if ok else fb, "".join(g))
            for ok, g in groupby(text, key=lambda c: main.has(c) or not fb.has(c))
        ]


@lru_cache(maxsize=64)
def _color(hex6: str, stroke: bool = False) -> str:
    r, g, b = (int(hex6[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return f"{r:.3f} {g:.3f} {b:.3f} {'RG' if stroke else 'rg'}"


_GAP = f"{-AUTO_SPACE_EM * 1000:.0f}"


def _tj(font: EmbeddedFont, run: str, prev: str, spaces: int | None = None) -> str:
    """A TJ array: the run's glyphs, with the Chinese–Latin gap where one falls."""
    if spaces is None:
        spaces = count_spaces(prev[-1:] + run)
    if not spaces:
        return f"[<{font.encode(run)}>] TJ"
    parts: list[str] = []
    chunk_start = 0
    last = prev[-1:] or None
    for i, ch in enumerate(run):
        if last is not None and auto_space(last, ch):
            if i > chunk_start:
                parts.append(f"<{font.encode(run[chunk_start:i])}>")
            parts.append(_GAP)
            chunk_start = i
        last = ch
    parts.append(f"<{font.encode(run[chunk_start:])}>")
    return f"[{' '.join(parts)}] TJ"


class _State:
    """What the content stream has set already, so each line emits only what changes."""

    __slots__ = ("color", "font", "tc")

    def __init__(self) -> None:
        self.color = ""
        self.font = ""
        self.tc = ""


def _text_ops(line: Placed, fonts: PdfFonts, st: _State, ops: list[str]) -> None:
    size = line.size
    text = line.text
    key = "title" if line.font == "title" else "body"
    y_pt = (PAGE_H - line.y - (line.pitch - size * 20) / 2 - ASCENT * size * 20) / 20
    known = fonts.lines.get((key, text))
    if known is None:
        known = fonts.lines[(key, text)] = [count_spaces(text), None, None]
    spaces = known[0]
    spacing = 0.0
    if line.justify_to and len(text) > 1:
        if known[1] is None:
            adv = fonts.table(key)
            known[1] = sum(map(adv.__getitem__, text)) + AUTO_SPACE_EM * spaces
        natural = known[1] * size
        spacing = (line.justify_to / 20 - natural) / (len(text) - 1)
        if spacing < 0 or spacing > size * 0.5:  # a very short line: do not spread it out
            spacing = 0.0
    if line.color != st.color:
        st.color = line.color
        ops.append(_color(line.color))
    tc = f"{spacing:.3f} Tc" if spacing else "0 Tc"
    if tc != st.tc:
        st.tc = tc
        ops.append(tc)
    x = line.x / 20
    if fonts.fallback is None:  # the usual case: one font draws the whole line
        font = fonts.title if key == "title" else fonts.body
        tf = f"/{font.resource} {size:g} Tf"
        if tf != st.font:
            st.font = tf
            ops.append(tf)
        ops.append(f"1 0 0 1 {x:.2f} {y_pt:.2f} Tm")
        if known[2] is None:
            known[2] = _tj(font, text, "", spaces)
        ops.append(known[2])
        return
    adv = fonts.table(key)
    prev = ""
    for font, run in fonts.runs(key, text):
        tf = f"/{font.resource} {size:g} Tf"
        if tf != st.font:
            st.font = tf
            ops.append(tf)
        ops.append(f"1 0 0 1 {x:.2f} {y_pt:.2f} Tm")
        ops.append(_tj(font, run, prev))
        width = sum(map(adv.__getitem__, run)) + AUTO_SPACE_EM * count_spaces(prev[-1:] + run)
        x += width * size + spacing * len(run)
        prev = run


def _rule_ops(rule: Rule) -> str:
    x1, x2 = rule.x1 / 20, rule.x2 / 20
    y1, y2 = (PAGE_H - rule.y1) / 20, (PAGE_H - rule.y2) / 20
    return (
        f"{_color(rule.color, True)} {rule.width_pt:g} w {x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S"
    )


def page_streams(layout: LetterLayout, fonts: PdfFonts) -> list[bytes]:
    pages: list[list[str]] = [[] for _ in range(layout.pages)]
    for rule in layout.rules:
        pages[rule.page - 1].append(_rule_ops(rule))
    by_page: dict[int, list[Placed]] = {}
    for line in layout.placed:
        by_page.setdefault(line.page, []).append(line)
    for page, lines in by_page.items():
        ops = ["BT"]
        st = _State()
        for line in lines:
            _text_ops(line, fonts, st, ops)
        ops.append("ET")
        pages[page - 1].append("\n".join(ops))
    return ["\n".join(p).encode("ascii") for p in pages]


def write_pdf(
    model: LetterModel,
    path: str | Path,
    fonts: PdfFonts,
    layout: LetterLayout | None = None,
) -> int:
    """Write the letter as a PDF with its fonts embedded; returns the page count."""
    layout = layout or layout_letter(model, fonts)
    streams = page_streams(layout, fonts)
    write_pdf_file(path, streams, fonts.list, title=model.title)
    return layout.pages


def batch_pdf_fonts(fonts: BatchFonts, models: Sequence[LetterModel]) -> PdfFonts:
    """The embedded fonts for a batch of letters (their characters, once)."""
    return PdfFonts(fonts, (letter_texts(m) for m in models))
