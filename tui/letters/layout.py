"""Where every line of a letter goes — decided once, for both the .pdf and the .docx.

GB/T 9704-2012 信函格式, as this module applies it (vertical positions in twips, 1/20 pt,
the unit a .docx stores, so both writers round alike):

- A4; type area from 37 mm (top) to 35 mm above the bottom edge, 28 mm left, 26 mm right;
  body 3号 (16 pt) on an exact 28.95 pt pitch, 22 lines a page.
- Page 1: the red issuer mark with its top 30 mm from the top edge; 4 mm below it the red
  double line (thick over thin), 170 mm long; another (thin over thick) 20 mm above the
  bottom edge; no page number. 发文字号 under the line, right-aligned, one blank line, the
  title (2号, centred, exact 33 pt lines), one blank line, 主送, the body.
- 附件说明 one blank line below the body, indented two characters; then room for the
  seal and the signature (发文机关署名) centred over the date, the date four characters
  from the right edge (§7.3.5.1).
- The signature and the date are never alone on their page: at least two lines of body
  text precede them there (§7.3.5.4 says to adjust spacing). Tried in order: the regular
  two blank lines for the seal; one blank line; moving the last body paragraphs (at least
  two lines) to the next page. A layout is accepted only with a line to spare, so a word
  processor that sets one line more than we do still agrees on the page.
- The attachment starts on a new page: "附件" (黑体) on the first line, its title on the
  third (§8), then the item table, its header row repeated on every page; rows never split.
- 版记 (抄送) at the foot of the last page's type area, indented one character each side,
  continuation lines aligned after the colon; the letter format has no rules around it and no
  印发 line (§10.1).
- Page numbers from page 2, "—N—" in 4号, 7 mm below the type area, odd pages on the right
  and even pages on the left, one character in from the edge (§7.5).

Pure: character widths come from `BatchFonts` (the fonts the PDF embeds).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from tui.letters.linebreak import AUTO_SPACE_EM, break_lines, spaced_width
from tui.letters.model import (
    Column,
    LetterModel,
    days_mode,
    item_cells,
    table_columns,
    title_lines,
)

MM = 1440 / 25.4  # twips per millimetre
PAGE_W, PAGE_H = 11906, 16838
LEFT, RIGHT, TOP, BOTTOM = 1587, 1474, 2098, 1984
BODY_BOTTOM = PAGE_H - BOTTOM
TEXT_W = PAGE_W - LEFT - RIGHT  # 8845 twips = 156 mm
LINE = 579  # 28.95 pt: 22 lines in the 225 mm type area
BODY_PT, TITLE_PT, CC_PT, TABLE_PT, PAGE_NO_PT = 16.0, 22.0, 14.0, 10.5, 14.0
TITLE_LINE = 660  # 33 pt
MARK_TOP = round(30 * MM)
MARK_MAX_PT = 26.0
RULE_LEN = round(170 * MM)
RULE_X = (PAGE_W - RULE_LEN) // 2
RULE_GAP = round(4 * MM)  # mark → double line
RULE_THICK, RULE_SPACE, RULE_THIN = 2.0, 1.2, 0.75  # points
BOTTOM_RULE = PAGE_H - round(20 * MM)
PAGE_NO_TOP = BODY_BOTTOM + round(7 * MM)
TABLE_LINE = 280  # 14 pt lines in the table (5号 text)
CELL_PAD_X, CELL_PAD_Y = 57, 40  # twips inside each cell (1 mm, 2 pt)
RULE_TW = 10  # a table rule (0.5 pt): word processors add it to each row's height
RED = "E60012"
SEAL_GAP = 2  # blank lines between the body and the signature (the seal overlaps them)
SAFETY = LINE  # a layout near a page end is accepted only with this much to spare


class Measure(Protocol):
    """Character advances in ems per font key ("body", "title"): `BatchFonts`."""

    def table(self, key: str) -> Mapping[str, float]: ...


@dataclass
class Para:
    """One paragraph as both writers render it."""

    role: str  # spacer number blank title addressee body closing contact note gap sig date
    text: str
    font: str = "body"  # body / title / hei / kai (the PDF draws hei and kai in body)
    size: float = BODY_PT
    pitch: int = LINE
    align: str = "both"  # left / right / center / both
    first_em: float = 0.0  # first-line indent, in ems of `size`
    left_em: float = 0.0
    right_em: float = 0.0
    hanging_em: float = 0.0  # continuation lines start this far right of the first
    break_before: bool = False
    keep_next: bool = False
    color: str = "000000"
    lines: tuple[str, ...] = ()
    height: int = 0  # twips; set for spacers, else lines × pitch
    runs: tuple[tuple[str, str], ...] = ()  # (text, font) for a heading run, docx only
    top: int = 0  # where the flow placed it (page, y of its first line)
    page: int = 1


@dataclass
class Table:
    columns: tuple[Column, ...]
    header_lines: list[list[str]]
    rows: list[list[list[str]]]  # row → cell → lines
    widths: list[int]  # twips per column
    header_height: int
    row_heights: list[int]
    row_pages: list[int] = field(default_factory=list)
    row_tops: list[int] = field(default_factory=list)
    measured: dict[str, float] = field(default_factory=dict)  # cell text → twips
    # (row, page, top, height, first line, end line): a row taller than a page is split
    segments: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)


@dataclass(slots=True)
class Placed:
    """One printed line of text: page, left x and top y (twips), and how to draw it."""

    page: int
    x: float
    y: int
    pitch: int
    text: str
    font: str
    size: float
    color: str = "000000"
    justify_to: float = 0.0  # twips: stretch the line to this width (0 = natural)


@dataclass(slots=True)
class Rule:
    page: int
    x1: float
    y1: float
    x2: float
    y2: float
    width_pt: float
    color: str = "000000"


@dataclass
class LetterLayout:
    model: LetterModel
    mark_size: float
    spacer: int  # twips of space above 发文字号 on page 1
    letter: list[Para]  # page 1 onwards up to the date
    attachment: list[Para]  # 附件, its title
    table: Table | None
    cc: Para | None
    cc_top: int  # twips from the top of its page
    cc_page: int
    seal_gap: int
    moved: bool  # last body paragraphs moved to the signature's page
    pages: int
    signature_page: int
    placed: list[Placed] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)


def _em(measure: Measure, font: str) -> Callable[[str], float]:
    return measure.table("title" if font == "title" else "body").__getitem__


def text_width_tw(text: str, font: str, size: float, measure: Measure) -> float:
    """Printed width in twips, with the Chinese–Latin spaces."""
    return _spaced_em(measure, font, text) * size * 20


# What a batch's fonts (a measure) have already answered: widths in ems and broken lines.
# The letters of a batch repeat the same texts in the same widths, and both answers are
# pure functions of the text, the width and the advances. Weakly keyed: a batch's entries
# go with its fonts.
_MEMO: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MEMO_MAX = 40_000


def _memo(measure: Measure) -> dict | None:
    try:
        memo = _MEMO.get(measure)
        if memo is None or len(memo) >= _MEMO_MAX:
            memo = _MEMO[measure] = {}
        return memo
    except TypeError:  # a measure that cannot be weakly referenced: no memo
        return None


def _spaced_em(measure: Measure, font: str, text: str) -> float:
    """`spaced_width` in ems with the body or title advances, remembered per measure."""
    memo = _memo(measure)
    if memo is None:
        return spaced_width(text, _em(measure, font), AUTO_SPACE_EM)
    key = (font == "title", text)
    got = memo.get(key)
    if got is None:
        got = memo[key] = spaced_width(text, _em(measure, font), AUTO_SPACE_EM)
    return got


def _broken_lines(measure: Measure, font: str, text: str, width: float, first: float) -> list[str]:
    """`break_lines` with the body or title advances of `measure`, remembered per measure."""
    memo = _memo(measure)
    if memo is None:
        return break_lines(text, width, _em(measure, font), first, AUTO_SPACE_EM)
    key = (font == "title", text, width, first)
    got = memo.get(key)
    if got is None:
        got = memo[key] = tuple(break_lines(text, width, _em(measure, font), first, AUTO_SPACE_EM))
    return list(got)


def wrap(para: Para, width_tw: float, measure: Measure) -> tuple[str, ...]:
    em_tw = para.size * 20
    avail = (width_tw - (para.left_em + para.right_em) * em_tw) / em_tw
    # with a hanging indent the first line starts `hanging` to the left of the others
    width = avail - para.hanging_em
    first = para.first_em - para.hanging_em
    lines: list[str] = []
    for piece in para.text.split("\n"):
        lines.extend(_broken_lines(measure, para.font, piece, width, first))
        first = 0.0
    return tuple(lines)


# --------------------------------------------------------------------------- page 1 head


def mark_size(mark: str, measure: Measure) -> float:
    width = sum(map(_em(measure, "title"), mark)) or 1.0
    return min(MARK_MAX_PT, 0.98 * TEXT_W / 20 / width)


def _spacer(size: float) -> int:
    """Space above 发文字号 so it sits 7/8 of a 3号 character under the double line."""
    mark_bottom = MARK_TOP + size * 20
    rule_bottom = mark_bottom + RULE_GAP + (RULE_THICK + RULE_SPACE + RULE_THIN) * 20
    number_glyph_top = rule_bottom + 0.875 * BODY_PT * 20
    line_top = number_glyph_top - (LINE - BODY_PT * 20) / 2
    return max(0, round(line_top - TOP))


def _signature_paras(model: LetterModel, measure: Measure) -> tuple[Para, Para]:
    """署名 centred over the date, the date four characters from the right (§7.3.5.1);
    a signature longer than that is two characters from the right, the date centred under it."""
    em = BODY_PT * 20
    ws = text_width_tw(model.signature, "body", BODY_PT, measure) / em
    wd = text_width_tw(model.date_text, "body", BODY_PT, measure) / em
    date_r = 4.0
    sig_r = date_r + (wd - ws) / 2
    if sig_r < 2.0:
        sig_r = 2.0
        date_r = sig_r + (ws - wd) / 2
    sig = Para("sig", model.signature, align="right", right_em=round(sig_r, 2), keep_next=True)
    date = Para("date", model.date_text, align="right", right_em=round(date_r, 2))
    return sig, date


def _heading_runs(text: str) -> tuple[tuple[str, str], ...]:
    """一、 headings in 黑体, （一） in 楷体 (GB/T 9704 §7.3.3) — for the .docx runs."""
    import re

    for rx, font in (
        (r"^[一二三四五六七八九十]+、", "hei"),
        (r"^（[一二三四五六七八九十]+）", "kai"),
    ):
        m = re.match(rx, text)
        if m:
            end = text.find("。")
            head = text[: end + 1] if 0 < end < 40 else m.group(0)
            return ((head, font), (text[len(head) :], "body"))
    return ()


def letter_paras(model: LetterModel, measure: Measure, size: float) -> list[Para]:
    """Everything from the top of page 1 down to the date, not yet placed."""
    paras = [Para("spacer", "", height=_spacer(size))]
    paras.append(Para("number", model.number_text, align="right", right_em=1.0))
    paras.append(Para("blank", ""))
    max_em = TEXT_W / 20 / TITLE_PT - 0.5

    def title_w(s: str) -> float:
        return _spaced_em(measure, "title", s)

    title = "\n".join(title_lines(model.title, max_em, title_w))
    paras.append(
        Para("title", title, font="title", size=TITLE_PT, pitch=TITLE_LINE, align="center")
    )
    paras.append(Para("blank", ""))
    if model.addressee_line:
        paras.append(Para("addressee", model.addressee_line, align="both"))
    for text in model.body_paragraphs:
        paras.append(Para("body", text, first_em=2.0, runs=_heading_runs(text)))
    if model.closing:
        paras.append(Para("closing", model.closing, first_em=2.0))
    if model.contact:
        paras.append(Para("contact", model.contact, first_em=2.0))
    if model.items:
        paras.append(Para("blank", ""))
        paras.append(Para("note", model.attachment_label, first_em=2.0, align="left"))
    for _ in range(SEAL_GAP):
        paras.append(Para("gap", "", keep_next=True))
    paras.extend(_signature_paras(model, measure))
    for p in paras:
        if p.role != "spacer":
            p.lines = wrap(p, TEXT_W, measure)
            p.height = len(p.lines) * p.pitch
    return paras


def _flow(paras: list[Para], page: int = 1, y: int = TOP) -> tuple[int, int]:
    """Place paragraphs line by line; a line that does not fit starts the next page.
    Returns the page and y after the last one."""
    for p in paras:
        if p.break_before and not (y == TOP and page > 1):
            page, y = page + 1, TOP
        if p.role == "spacer":
            p.page, p.top = page, y
            y += p.height
            continue
        first = True
        for _ in p.lines:
            if y + p.pitch > BODY_BOTTOM:
                page, y = page + 1, TOP
            if first:
                p.page, p.top = page, y
                first = False
            y += p.pitch
    return page, y


BODY_ROLES = ("body", "closing", "contact", "addressee")


def _line_pages(paras: list[Para]) -> list[tuple[Para, int, int]]:
    """(para, page, y) for every line, after `_flow`."""
    out = []
    page, y = paras[0].page, paras[0].top
    for p in paras:
        if p.role == "spacer":
            page, y = p.page, p.top + p.height
            continue
        page, y = p.page, p.top
        for _ in p.lines:
            if y + p.pitch > BODY_BOTTOM:
                page, y = page + 1, TOP
            out.append((p, page, y))
            y += p.pitch
    return out


def _acceptable(paras: list[Para]) -> bool:
    lines = _line_pages(paras)
    sig = [(pg, y) for p, pg, y in lines if p.role == "sig"]
    date = [(pg, y) for p, pg, y in lines if p.role == "date"]
    page = date[-1][0]
    if sig and sig[0][0] != page:
        return False
    if date[-1][1] + LINE + SAFETY > BODY_BOTTOM:
        return False
    body_on_page = sum(1 for p, pg, _ in lines if pg == page and p.role in BODY_ROLES)
    if body_on_page < 2:
        return False
    # a page broken early by a moved paragraph must also keep a line to spare
    for i, p in enumerate(paras):
        if p.break_before and i > 0:
            prev = [y for q, pg, y in lines if q is paras[i - 1]]
            if prev and prev[-1] + LINE + SAFETY > BODY_BOTTOM:
                return False
    return True


def _arrange_signature(paras: list[Para]) -> tuple[list[Para], int, bool]:
    """(paragraphs, seal gap, moved) — the first arrangement that keeps body text with the
    signature, a line to spare."""
    fixed = [p for p in paras if p.role != "gap"]
    at = next(i for i, p in enumerate(fixed) if p.role == "sig")
    gaps = [Para("gap", "", keep_next=True, lines=("",), height=LINE) for _ in range(SEAL_GAP)]

    def trial(n: int, moved_from: int | None = None) -> list[Para]:
        for i, p in enumerate(fixed):
            p.break_before = i == moved_from
        out = fixed[:at] + gaps[:n] + fixed[at:]
        _flow(out)
        return out

    for gap in (SEAL_GAP, 1):
        out = trial(gap)
        if _acceptable(out):
            return out, gap, False
    # move trailing body paragraphs (two lines at least) to the signature's page
    body_idx = [i for i, p in enumerate(fixed[:at]) if p.role in ("body", "closing", "contact")]
    moved_lines = 0
    for i in reversed(body_idx):
        moved_lines += len(fixed[i].lines)
        if moved_lines >= 2:
            for gap in (SEAL_GAP, 1):
                out = trial(gap, i)
                if _acceptable(out):
                    return out, gap, True
    return trial(SEAL_GAP), SEAL_GAP, False  # nothing helps (a page-long last paragraph)


# --------------------------------------------------------------------------- attachment


def _table(model: LetterModel, measure: Measure) -> Table:
    cols = table_columns(model.items)
    mode = days_mode(model.items)
    rows = [item_cells(i, it, cols, mode) for i, it in enumerate(model.items, start=1)]
    em = TABLE_PT * 20

    widths_of: dict[str, float] = {}

    def w_body(s: str) -> float:
        w = widths_of.get(s)
        if w is None:
            w = widths_of[s] = max(
                (text_width_tw(x, "body", TABLE_PT, measure) for x in s.split("\n")), default=0.0
            )
        return w

    def w_head(lines: tuple[str, ...]) -> float:
        return max(text_width_tw(x, "title", TABLE_PT, measure) for x in lines)

    pad = 2 * CELL_PAD_X
    widths: list[float] = [0.0] * len(cols)
    flexible: list[int] = []
    natural: dict[int, float] = {}
    for k, c in enumerate(cols):
        head = w_head(c.header)
        content = max((w_body(r[k]) for r in rows), default=0.0)
        if c.nowrap:
            widths[k] = max(head, content) + pad + 0.15 * em
            continue
        # a text column: at least its header and a few characters (less if its longest
        # text is shorter), at most its longest text on one line
        flexible.append(k)
        natural[k] = max(head, content) + pad + 0.15 * em
        least = {"task": 8.0, "progress": 4.0, "earlier": 4.5}.get(c.key, 4.0) * em
        widths[k] = min(natural[k], max(head, least) + pad)
    rest = TEXT_W - sum(widths)
    # share what is left among the text columns by the square root of their text, the task
    # text weighing double (it is what the reader came for), none beyond one line's width
    weight = {
        k: math.sqrt(
            max(1.0, sum(w_body(r[k]) for r in rows)) * (2.0 if cols[k].key == "task" else 1.0)
        )
        for k in flexible
    }
    open_ = [k for k in flexible if widths[k] < natural[k]]
    while rest > 1 and open_:
        total = sum(weight[k] for k in open_)
        capped = False
        for k in list(open_):
            give = rest * weight[k] / total
            if widths[k] + give >= natural[k]:
                rest -= natural[k] - widths[k]
                widths[k] = natural[k]
                open_.remove(k)
                capped = True
        if not capped:
            for k in open_:
                widths[k] += rest * weight[k] / total
            rest = 0
    # whatever is left (every text column fits on one line) goes to the task column
    task_k = next(k for k, c in enumerate(cols) if c.key == "task")
    widths[task_k] += TEXT_W - sum(widths)
    iw = [int(w) for w in widths]
    iw[task_k] += TEXT_W - sum(iw)

    def cell_lines(text: str, k: int) -> list[str]:
        if cols[k].nowrap:  # sized to fit on one line: nothing to break
            return text.split("\n")
        avail = (iw[k] - pad) / em
        out: list[str] = []
        for piece in text.split("\n"):
            out.extend(_broken_lines(measure, "body", piece, avail, 0.0))
        return out

    header_lines = [list(c.header) for c in cols]
    header_height = max(len(h) for h in header_lines) * TABLE_LINE + 2 * CELL_PAD_Y + RULE_TW
    wrapped = [[cell_lines(cell, k) for k, cell in enumerate(r)] for r in rows]
    heights = [max(len(c) for c in r) * TABLE_LINE + 2 * CELL_PAD_Y + RULE_TW for r in wrapped]
    return Table(cols, header_lines, wrapped, iw, header_height, heights, measured=widths_of)


def _place_rows(t: Table, page: int, y: int) -> tuple[int, int]:
    """Rows never split across pages — except one taller than a whole page, which
    continues on the next (a row is never cut)."""
    top_of_page = TOP + t.header_height
    room = BODY_BOTTOM - top_of_page
    y_row = y + t.header_height
    for r, h in enumerate(t.row_heights):
        if y_row + h > BODY_BOTTOM and y_row > top_of_page and h <= room:
            page, y_row = page + 1, top_of_page
        t.row_pages.append(page)
        t.row_tops.append(y_row)
        if y_row + h <= BODY_BOTTOM:
            t.segments.append((r, page, y_row, h, 0, len(max(t.rows[r], key=len))))
            y_row += h
            continue
        lines = max(len(c) for c in t.rows[r])
        first = 0
        extra = h - lines * TABLE_LINE
        while first < lines:
            fit = int((BODY_BOTTOM - y_row - extra) // TABLE_LINE)
            if fit < 2:
                page, y_row = page + 1, top_of_page
                continue
            take = min(fit, lines - first)
            seg_h = take * TABLE_LINE + extra
            t.segments.append((r, page, y_row, seg_h, first, first + take))
            first += take
            y_row += seg_h
            if first < lines:
                page, y_row = page + 1, top_of_page
    return page, y_row


def _attachment_paras(model: LetterModel) -> list[Para]:
    return [
        Para(
            "annex",
            "附件",
            font="hei",
            align="left",
            break_before=True,
            lines=("附件",),
            height=LINE,
        ),
        Para("blank", "", lines=("",), height=LINE),
        Para(
            "annex_title",
            model.attachment_title,
            font="title",
            size=TITLE_PT,
            pitch=TITLE_LINE,
            align="center",
            lines=(model.attachment_title,),
            height=TITLE_LINE,
        ),
        Para("blank", "", pitch=LINE // 2, lines=("",), height=LINE // 2),
    ]


def _cc_para(model: LetterModel, measure: Measure) -> Para | None:
    if not model.cc_line:
        return None
    p = Para(
        "cc", model.cc_line, size=CC_PT, align="both", left_em=1.0, right_em=1.0, hanging_em=3.0
    )
    p.lines = wrap(p, TEXT_W, measure)
    p.height = len(p.lines) * LINE
    return p


# --------------------------------------------------------------------------- the whole letter


def layout_letter(model: LetterModel, measure: Measure) -> LetterLayout:
    """Decide every line's place; the PDF draws `placed`/`rules`, the .docx writes the same
    paragraphs with the same breaks, gaps and column widths."""
    size = mark_size(model.issuer_mark.strip(), measure)
    paras, gap, moved = _arrange_signature(letter_paras(model, measure, size))
    lines = _line_pages(paras)
    sig_page = next(pg for p, pg, _ in lines if p.role == "date")
    page, y = lines[-1][1], lines[-1][2] + lines[-1][0].pitch

    attachment: list[Para] = []
    table: Table | None = None
    if model.items:
        attachment = _attachment_paras(model)
        page, y = _flow(attachment, page, y)
        table = _table(model, measure)
        page, y = _place_rows(table, page, y)
    cc = _cc_para(model, measure)
    cc_top, cc_page = 0, page
    if cc is not None:
        if y + cc.height + LINE > BODY_BOTTOM:
            cc_page = page + 1
        cc_top = BODY_BOTTOM - cc.height
        cc.page, cc.top = cc_page, cc_top
    out = LetterLayout(
        model=model,
        mark_size=size,
        spacer=paras[0].height,
        letter=paras,
        attachment=attachment,
        table=table,
        cc=cc,
        cc_top=cc_top,
        cc_page=cc_page,
        seal_gap=gap,
        moved=moved,
        pages=max(page, cc_page),
        signature_page=sig_page,
    )
    _place(out, measure)
    return out


def _place(lay: LetterLayout, measure: Measure) -> None:
    """Turn the decisions into drawn lines and rules (what the PDF writer prints)."""
    placed, rules = lay.placed, lay.rules
    m = lay.model
    # letterhead
    mark = m.issuer_mark.strip()
    if mark:
        w = text_width_tw(mark, "title", lay.mark_size, measure)
        placed.append(
            Placed(
                1,
                (PAGE_W - w) / 2,
                MARK_TOP,
                round(lay.mark_size * 20),
                mark,
                "title",
                lay.mark_size,
                RED,
            )
        )
    y = MARK_TOP + lay.mark_size * 20 + RULE_GAP
    x1, x2 = RULE_X, RULE_X + RULE_LEN
    rules.append(Rule(1, x1, y + RULE_THICK * 10, x2, y + RULE_THICK * 10, RULE_THICK, RED))
    y2 = y + (RULE_THICK + RULE_SPACE + RULE_THIN / 2) * 20
    rules.append(Rule(1, x1, y2, x2, y2, RULE_THIN, RED))
    yb = BOTTOM_RULE
    rules.append(Rule(1, x1, yb - RULE_THICK * 10, x2, yb - RULE_THICK * 10, RULE_THICK, RED))
    yb2 = yb - (RULE_THICK + RULE_SPACE + RULE_THIN / 2) * 20
    rules.append(Rule(1, x1, yb2, x2, yb2, RULE_THIN, RED))

    def put(p: Para, page: int, y: int, k: int, line: str, last: bool) -> None:
        em = p.size * 20
        left = LEFT + p.left_em * em
        right = LEFT + TEXT_W - p.right_em * em
        if k == 0:
            left += p.first_em * em
        elif p.hanging_em:
            left += p.hanging_em * em
        font = "title" if p.font == "title" else "body"
        x = left
        stretch = 0.0
        if p.align == "center":
            x = left + (right - left - text_width_tw(line, font, p.size, measure)) / 2
        elif p.align == "right":
            x = right - text_width_tw(line, font, p.size, measure)
        elif p.align == "both" and not last and len(line) > 1:
            stretch = right - left
        placed.append(Placed(page, x, y, p.pitch, line, font, p.size, p.color, stretch))

    for group in (lay.letter, lay.attachment):
        for p, page, y0 in _line_pages_any(group):
            k, line = p._k, p._line  # type: ignore[attr-defined]
            if line:
                put(p, page, y0, k, line, k == len(p.lines) - 1)
    if lay.table is not None:
        _place_table(lay, measure)
    if lay.cc is not None:
        cc = lay.cc
        for k, line in enumerate(cc.lines):
            put(cc, lay.cc_page, lay.cc_top + k * cc.pitch, k, line, k == len(cc.lines) - 1)
    for page in range(2, lay.pages + 1):
        label = f"—{page}—"
        w = text_width_tw(label, "body", PAGE_NO_PT, measure)
        em = PAGE_NO_PT * 20
        x = LEFT + TEXT_W - em - w if page % 2 else LEFT + em
        placed.append(
            Placed(page, x, PAGE_NO_TOP, round(PAGE_NO_PT * 20), label, "body", PAGE_NO_PT)
        )


def _line_pages_any(paras: list[Para]):
    """Yield (para, page, y) per line with the line's index and text attached."""
    for p in paras:
        if p.role == "spacer":
            continue
        page, y = p.page, p.top
        for k, line in enumerate(p.lines):
            if y + p.pitch > BODY_BOTTOM:
                page, y = page + 1, TOP
            p._k, p._line = k, line  # type: ignore[attr-defined]
            yield p, page, y
            y += p.pitch


def _place_table(lay: LetterLayout, measure: Measure) -> None:
    t = lay.table
    assert t is not None
    placed, rules = lay.placed, lay.rules
    xs = [LEFT]
    for w in t.widths:
        xs.append(xs[-1] + w)

    known = t.measured

    def draw_cells(
        page: int, top: int, height: int, cells: list[list[str]], font: str, header: bool
    ) -> None:
        for k, lines in enumerate(cells):
            col = t.columns[k]
            y = top + (height - len(lines) * TABLE_LINE) / 2
            for i, line in enumerate(lines):
                if not line:
                    continue
                if header or col.align == "center":
                    w = known.get(line) if font == "body" else None
                    if w is None:
                        w = text_width_tw(line, font, TABLE_PT, measure)
                    x = xs[k] + (t.widths[k] - w) / 2
                else:
                    x = xs[k] + CELL_PAD_X
                placed.append(
                    Placed(page, x, round(y + i * TABLE_LINE), TABLE_LINE, line, font, TABLE_PT)
                )

    # the grid, page by page: one horizontal rule per row edge, the column rules full height
    pages: dict[int, list[int]] = {}
    for r, page, top, height, first, end in t.segments:
        if page not in pages:
            pages[page] = [top - t.header_height, top]
            draw_cells(page, top - t.header_height, t.header_height, t.header_lines, "title", True)
        cells = [c[first:end] for c in t.rows[r]]
        draw_cells(page, top, height, cells, "body", False)
        pages[page].append(top + height)
    for page, edges in pages.items():
        for y in sorted(set(edges)):
            rules.append(Rule(page, xs[0], y, xs[-1], y, 0.5))
        for x in xs:
            rules.append(Rule(page, x, edges[0], x, max(edges), 0.5))
