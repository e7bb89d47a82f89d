"""The printable PDF of a letter, in the 信函格式 of GB/T 9704-2012 (GUIDE §5).

Layout decisions worth knowing:
- The letterhead (red issuer mark 30 mm from the top, red thick-over-thin double line
  4 mm below it, red thin-over-thick double line 20 mm from the bottom edge) is drawn on
  page 1 only: GB/T 9704 §10.1 describes both lines as the frame of the first page,
  which carries no page number; later pages carry "— N —" centred below the type area.
- Order: 发文字号, title, 主送, body, closing, contact, 附件说明, signature and date
  (room left for the seal), then the attachment (附件 + 事项清单 table) from a new page,
  and 抄送 at the foot of the last page's type area. A long item list flows over as many
  pages as it needs, header row repeated; no item is ever dropped.
- Text is wrapped by us, character by character, with the Chinese line-breaking rules
  (no line starts with "，。）" etc., none ends with "（《“"), and justified by spacing
  the characters, as Word does for Chinese text.
"""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from fpdf import FPDF

from tui.errors import DubanError
from tui.letters.fonts import FontSet
from tui.letters.model import LetterModel, item_row, title_lines

RED = (230, 0, 18)
BLACK = (0, 0, 0)
PAGE_W, PAGE_H = 210.0, 297.0
TOP, BOTTOM, LEFT, RIGHT = 37.0, 35.0, 28.0, 26.0
TEXT_W = PAGE_W - LEFT - RIGHT  # 156 mm
PT = 25.4 / 72  # mm per point
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
CC_PT = 14.0  # 4号
TABLE_PT = 10.5  # 5号: seven columns fit the 156 mm type area
PAGE_NO_PT = 14.0
LINE_H = 28.95 * PT  # fixed line pitch: 22 lines in the 225 mm type area
EM = BODY_PT * PT  # one body character, 5.64 mm
MARK_TOP = 30.0
MARK_MAX_PT = 26.0
LINE_LEN = 170.0
THICK, THIN, GAP = 0.8, 0.3, 1.0
COL_WIDTHS = (10.0, 17.0, 44.0, 21.0, 18.0, 24.0, 22.0)  # sums to 156 mm

NO_START = set("，。、；：？！）》」』】〕〗”’…—·%‰℃,.;:?!)]}")
NO_END = set("（《「『【〔〖“‘([{")


class _LetterPDF(FPDF):
    """FPDF with the letterhead on page 1 and "— N —" page numbers from page 2."""

    def __init__(self, model: LetterModel) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.model = model
        self.fallback_family: str | None = None
        self._widths: dict[tuple[int, float], dict[str, float]] = {}
        self.mark_bottom = MARK_TOP
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.set_creator("督办台")
        self.set_title(model.title)
        self.set_compression(True)

    def header(self) -> None:  # noqa: D102 - FPDF hook
        if self.page_no() != 1:
            return
        m = self.model
        mark = m.issuer_mark.strip()
        if mark:
            size = min(MARK_MAX_PT, 0.98 * TEXT_W / PT / max(1, _em_width(mark)))
            self.set_font("title", size=size)
            self.set_text_color(*RED)
            w = self.measure(mark)
            fs = size * PT
            self.draw((PAGE_W - w) / 2, MARK_TOP + 0.88 * fs, mark)
            self.mark_bottom = MARK_TOP + fs
        y = self.mark_bottom + 4.0
        x0 = (PAGE_W - LINE_LEN) / 2
        self.set_draw_color(*RED)
        # thick over thin under the mark
        _hline(self, x0, y + THICK / 2, THICK)
        _hline(self, x0, y + THICK + GAP + THIN / 2, THIN)
        # thin over thick, 20 mm from the bottom edge
        yb = PAGE_H - 20.0
        _hline(self, x0, yb - THICK / 2, THICK)
        _hline(self, x0, yb - THICK - GAP - THIN / 2, THIN)
        self.set_text_color(*BLACK)
        self.set_draw_color(*BLACK)
        self.set_y(y + THICK + GAP + THIN + 2.0)

    def draw(self, x: float, y: float, text: str) -> None:
        """`text()` with our own fallback: characters the current font lacks are drawn
        in the shipped font (fpdf2's fallback fonts do not apply to `text()`)."""
        font = self.current_font
        cmap = getattr(font, "cmap", None)
        fb = self.fallback_family
        if fb is None or cmap is None or all(ord(c) in cmap for c in text):
            self.text(x, y, text)
            return
        family, style, size = self.font_family, self.font_style, self.font_size_pt
        spacing = self.char_spacing
        for main, group in groupby(text, key=lambda c: ord(c) in cmap):
            run = "".join(group)
            self.set_font(family if main else fb, style, size)
            self.text(x, y, run)
            widths = self.current_font.cw
            # fpdf2 keeps char_spacing in points
            x += (sum(widths[ord(c)] for c in run) * size * 0.001 + spacing * len(run)) / self.k
        self.set_font(family, style, size)

    def char_width(self, ch: str) -> float:
        """Width in mm of one character in the current font and size, taking it
        from the fallback font when the current one lacks it (as `draw` does)."""
        font = self.current_font
        key = (font.i, self.font_size_pt)
        table = self._widths.get(key)
        if table is None:
            table = self._widths[key] = {}
        w = table.get(ch)
        if w is None:
            cmap = getattr(font, "cmap", None)
            factor = self.font_size_pt * 0.001 / self.k
            source = font
            if cmap is not None and self.fallback_family and ord(ch) not in cmap:
                source = self.fonts.get(self.fallback_family, font)
            w = table[ch] = source.cw[ord(ch)] * factor
        return w

    def measure(self, text: str) -> float:
        return sum(self.char_width(c) for c in text)

    def footer(self) -> None:  # noqa: D102 - FPDF hook
        if self.page_no() < 2:
            return
        self.set_font("body", size=PAGE_NO_PT)
        self.set_text_color(*BLACK)
        self.set_char_spacing(0)
        label = f"— {self.page_no()} —"
        w = self.measure(label)
        self.draw((PAGE_W - w) / 2, PAGE_H - BOTTOM + 7.0 + PAGE_NO_PT * PT * 0.88, label)


def _hline(pdf: FPDF, x0: float, y: float, width: float) -> None:
    pdf.set_line_width(width)
    pdf.line(x0, y, x0 + LINE_LEN, y)


def _em_width(text: str) -> float:
    """Width in ems: CJK characters 1, ASCII ½ (good enough for sizing the mark)."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def wrap_text(pdf: FPDF, text: str, width: float, first_indent: float = 0.0) -> list[str]:
    """Break text into lines that fit `width` (current font), per character, with the
    Chinese rules for punctuation at line starts and ends."""
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(_wrap_para(pdf, para, width, first_indent))
        first_indent = 0.0
    return lines


def _wrap_para(pdf: FPDF, text: str, width: float, first_indent: float) -> list[str]:
    if not text:
        return [""]
    if isinstance(pdf, _LetterPDF):
        cw = pdf.char_width
    else:
        widths = pdf.current_font.cw
        factor = pdf.font_size_pt * 0.001 / pdf.k

        def cw(ch: str) -> float:
            return widths[ord(ch)] * factor

    lines: list[str] = []
    cur: list[str] = []
    cur_w = 0.0
    avail = width - first_indent
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        # keep runs of ASCII letters/digits together (numbers, phone numbers, codes)
        j = i + 1
        if ch.isascii() and ch.isalnum():
            while j < n and text[j].isascii() and (text[j].isalnum() or text[j] in "-./:"):
                j += 1
        token = text[i:j]
        tw = sum(cw(c) for c in token)
        if cur and cur_w + tw > avail + 1e-6:
            if len(token) > 1 and tw > avail:
                token, j, tw = ch, i + 1, cw(ch)  # a token longer than a line: break it
                if cur_w + tw <= avail + 1e-6:
                    cur.append(token)
                    cur_w += tw
                    i = j
                    continue
            carry: list[str] = []
            if token[0] in NO_START:
                # pull the previous character down with the punctuation
                if len(cur) > 1:
                    carry.append(cur.pop())
            while len(cur) > 1 and cur[-1][-1] in NO_END:
                carry.insert(0, cur.pop())
            lines.append("".join(cur))
            cur = carry
            cur_w = sum(cw(c) for t in cur for c in t)
            avail = width
        cur.append(token)
        cur_w += tw
        i = j
    lines.append("".join(cur))
    return lines


class _Writer:
    def __init__(
        self,
        model: LetterModel,
        fonts: FontSet,
        line_h: float = LINE_H,
        seal_lines: int = 3,
        reuse: _Writer | None = None,
    ) -> None:
        self.m = model
        self.line_h = line_h
        self.seal_lines = seal_lines
        self.lonely_signature = False
        self.short_at = (0.0, 0)
        self.content_top = TOP  # (y where the signature did not fit, 1 if signed)
        pdf = _LetterPDF(model)
        if reuse is not None:
            # a retry of the same letter: its fonts are parsed already and not yet
            # subset (that happens at output), so the new document can take them over
            pdf.fonts.update(reuse.pdf.fonts)
            pdf.fallback_family = reuse.pdf.fallback_family
            self.pdf = pdf
            return
        try:
            pdf.add_font(
                "body", fname=str(fonts.body_path), collection_font_number=fonts.body_index
            )
            pdf.add_font(
                "title", fname=str(fonts.title_path), collection_font_number=fonts.title_index
            )
            if fonts.fallback_path is not None:
                pdf.add_font("fallback", fname=str(fonts.fallback_path))
                pdf.fallback_family = "fallback"
        except (OSError, ValueError, RuntimeError) as exc:
            raise DubanError(f"无法载入函件字体 {fonts.body_path.name}：{exc}") from None
        for font in pdf.fonts.values():
            # fpdf2 re-saves the subset; recomputing every glyph's bounds for that was
            # most of the time per letter, and the PDF takes its bbox from `head` anyway
            tt = getattr(font, "ttfont", None)
            if tt is not None:
                tt.recalcBBoxes = False
        self.pdf = pdf

    # -- primitives ---------------------------------------------------------
    def lines(
        self,
        text: str,
        size: float = BODY_PT,
        family: str = "body",
        indent_em: float = 0.0,
        align: str = "J",
        line_h: float | None = None,
        width: float = TEXT_W,
        x: float = LEFT,
    ) -> None:
        """Write one paragraph on the fixed line grid; justified except its last line."""
        pdf = self.pdf
        line_h = self.line_h if line_h is None else line_h
        pdf.set_font(family, size=size)
        indent = indent_em * size * PT
        wrapped = wrap_text(pdf, text, width, indent)
        for k, line in enumerate(wrapped):
            if pdf.will_page_break(line_h):
                pdf.add_page()
            y = pdf.get_y()
            lx = x + (indent if k == 0 else 0.0)
            avail = width - (indent if k == 0 else 0.0)
            natural = pdf.measure(line)
            spacing = 0.0
            if align == "J" and k < len(wrapped) - 1 and len(line) > 1:
                spacing = max(0.0, (avail - natural) / (len(line) - 1))
                if spacing > size * PT * 0.5:  # a very short line: do not spread it out
                    spacing = 0.0
            if align == "C":
                lx = x + (width - natural) / 2
            elif align == "R":
                lx = x + width - natural
            pdf.set_char_spacing(spacing * pdf.k)  # fpdf2 takes it in points
            # baseline: centre the em box in the line pitch
            fs = size * PT
            pdf.draw(lx, y + (line_h - fs) / 2 + 0.88 * fs, line)
            pdf.set_char_spacing(0)
            pdf.set_y(y + line_h)

    def blank(self, n: float = 1.0) -> None:
        pdf = self.pdf
        h = self.line_h * n
        if pdf.get_y() + h > PAGE_H - BOTTOM:
            pdf.add_page()
        else:
            pdf.set_y(pdf.get_y() + h)

    # -- parts --------------------------------------------------------------
    def first_page(self) -> None:
        pdf = self.pdf
        pdf.add_page()  # header() draws the letterhead and sets y below the red line
        self.content_top = pdf.get_y()
        self.lines(self.m.number_text, align="R", width=TEXT_W - EM)
        self.blank(0.5)
        title = "\n".join(title_lines(self.m.title, TEXT_W / (TITLE_PT * PT) - 0.5))
        self.lines(title, size=TITLE_PT, family="title", align="C", line_h=TITLE_PT * PT * 1.5)
        self.blank(0.5)
        if self.m.addressee_line:
            self.lines(self.m.addressee_line, align="L")

    def body(self) -> None:
        for para in self.m.body_paragraphs:
            self.lines(para, indent_em=2)
        if self.m.closing:
            self.lines(self.m.closing, indent_em=2)
        if self.m.contact:
            self.lines(self.m.contact, indent_em=2)
        if self.m.items:
            self.blank()
            self.lines(self.m.attachment_label, indent_em=2, align="L")

    def signature(self) -> None:
        """署名 and 成文日期 per GB/T 9704 §7.3.5.1, with three blank lines for the seal."""
        pdf = self.pdf
        sig, dt = self.m.signature, self.m.date_text
        pdf.set_font("body", size=BODY_PT)
        ws, wd = pdf.measure(sig), pdf.measure(dt)
        if wd + 2 * EM <= ws:
            sig_right, date_right = 2 * EM, ws - wd
        else:
            date_right = 2 * EM
            sig_right = max(2 * EM, date_right + wd + 2 * EM - ws)
        need = self.line_h * (self.seal_lines + (2 if sig else 1))
        if pdf.get_y() + need > PAGE_H - BOTTOM:
            # GB/T 9704 §7.3.5.4: a signature must not stand alone on a page;
            # write_pdf retries with tighter spacing when this happens
            self.lonely_signature = True
            self.short_at = (pdf.get_y(), 1 if sig else 0)
            pdf.add_page()
        else:
            self.blank(self.seal_lines)
        if sig:
            self.lines(sig, align="R", width=TEXT_W - sig_right)
        self.lines(dt, align="R", width=TEXT_W - date_right)

    def attachment(self) -> None:
        """附件 page(s): the item table, drawn by hand so that it is fast, wraps with
        the Chinese rules, repeats its header row and splits an overlong row rather
        than cutting it."""
        pdf = self.pdf
        m = self.m
        if not m.items:
            return
        pdf.add_page()
        self.lines("附件", align="L")
        label = m.attachment_label.split("：", 1)[-1] or "事项清单"
        self.blank(0.5)
        self.lines(label, size=TITLE_PT, family="title", align="C", line_h=TITLE_PT * PT * 1.5)
        self.blank(0.5)
        ncol = len(m.item_headers)
        widths = COL_WIDTHS if ncol == len(COL_WIDTHS) else (TEXT_W / ncol,) * ncol
        pad = 1.0
        line_h = TABLE_PT * PT * 1.35
        fs = TABLE_PT * PT
        bottom = PAGE_H - BOTTOM
        pdf.set_draw_color(*BLACK)
        pdf.set_line_width(0.2)

        def wrap_row(cells: tuple[str, ...], family: str) -> list[list[str]]:
            pdf.set_font(family, size=TABLE_PT)
            return [wrap_text(pdf, c or "", widths[k] - 2 * pad - 0.2) for k, c in enumerate(cells)]

        def draw(cells: list[list[str]], family: str, header: bool, y: float, n: int) -> float:
            h = n * line_h + 2 * pad
            pdf.set_font(family, size=TABLE_PT)
            x = LEFT
            for k, lines in enumerate(cells):
                pdf.rect(x, y, widths[k], h)
                top = y + (h - len(lines) * line_h) / 2
                for i, text in enumerate(lines):
                    if not text:
                        continue
                    tw = pdf.measure(text)
                    if header or k in (0, 1, 3, 4):
                        tx = x + (widths[k] - tw) / 2
                    else:
                        tx = x + pad
                    pdf.draw(tx, top + i * line_h + (line_h - fs) / 2 + 0.88 * fs, text)
                x += widths[k]
            return y + h

        head = wrap_row(tuple(m.item_headers), "title")
        head_n = max(len(c) for c in head)
        head_h = head_n * line_h + 2 * pad
        y = draw(head, "title", True, pdf.get_y(), head_n)
        for idx, item in enumerate(m.items, start=1):
            cells = wrap_row(item_row(idx, item), "body")
            while cells:
                n = max(len(c) for c in cells)
                room = int((bottom - y - 2 * pad) // line_h)
                if n > room and (room < 2 or n * line_h + 2 * pad <= bottom - TOP - head_h):
                    # move the whole row to the next page (or split if it fits nowhere)
                    pdf.add_page()
                    y = draw(head, "title", True, pdf.get_y(), head_n)
                    continue
                take = min(n, room)
                part = [c[:take] for c in cells]
                y = draw(part, "body", False, y, take)
                rest = [c[take:] for c in cells]
                cells = rest if any(rest) else []
        pdf.set_y(y)

    def cc(self) -> None:
        """抄送 at the foot of the last page's type area (版记 of the letter format)."""
        if not self.m.cc:
            return
        pdf = self.pdf
        text = f"抄送：{self.m.cc}"
        pdf.set_font("body", size=CC_PT)
        n = len(wrap_text(pdf, text, TEXT_W - 2 * CC_PT * PT))
        h = n * LINE_H
        bottom = PAGE_H - BOTTOM
        if pdf.get_y() + LINE_H + h > bottom:
            pdf.add_page()
        pdf.set_y(bottom - h)
        self.lines(text, size=CC_PT, indent_em=1, align="J", width=TEXT_W - CC_PT * PT)


def write_pdf(model: LetterModel, path: str | Path, fonts: FontSet) -> int:
    """Write the letter as a PDF with the font embedded; returns the page count."""
    # GB/T 9704 §7.3.5.4: when the signature and date do not fit under the body, adjust
    # the spacing rather than leave them alone on a page: fewer blank lines for the
    # seal first, then a slightly tighter line pitch.
    # Each retry re-renders the first part, so options predicted not to fit (line pitch
    # scales the text block below the letterhead) are skipped.
    w = _Writer(model, fonts)
    w.first_page()
    w.body()
    w.signature()
    if w.lonely_signature:
        y_short, signed = w.short_at
        top = TOP if w.pdf.page_no() > 2 else w.content_top
        for line_h, seal in ((LINE_H, 2), (LINE_H * 0.95, 2), (LINE_H * 0.9, 2)):
            scale = line_h / LINE_H
            predicted = top + (y_short - top) * scale + line_h * (seal + 1 + signed)
            if predicted > PAGE_H - BOTTOM + 0.5:
                continue
            w = _Writer(model, fonts, line_h, seal, reuse=w)
            w.first_page()
            w.body()
            w.signature()
            if not w.lonely_signature:
                break
    if w.lonely_signature:
        w = _Writer(model, fonts, reuse=w)  # nothing helps: keep the regular layout
        w.first_page()
        w.body()
        w.signature()
    w.attachment()
    w.cc()
    try:
        w.pdf.output(str(path))
    except OSError as exc:
        raise DubanError(f"无法写入 PDF 文件 {path}：{exc.strerror or exc}") from None
    return w.pdf.pages_count
