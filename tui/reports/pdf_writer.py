"""Printable PDF of a unit's task list: our own small table layout on fpdf2.

Why our own layout: fpdf2's `table()` measures every cell through its generic line
breaker (~0.2 s for a 30-row list) and knows no Chinese line-breaking rules. Here text is
wrapped character by character with cached widths (no line starts with ，。）… and none
ends with （《“), runs of Latin letters and digits stay together, a row taller than the
rest of the page continues on the next one, and the header row repeats on every page.

Fonts: the shipped OFL subset (data/fonts/DubanSerifSC-*.ttf) so a machine without any
Chinese font prints real characters, cut once per run to the characters the run prints
(`batch_fonts`) — fpdf2 subsets the font again for every file, which for the full
8,000-glyph font costs ~0.2 s a file. The letters' font machinery is being reworked
(issue 11), so this module depends only on the shipped files.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from fpdf import FPDF

from tui.paths import data_dir
from tui.reports.text import cn_date
from tui.reports.unit_list import UnitList

PAGE_W, PAGE_H = 210.0, 297.0
TOP, BOTTOM, LEFT, RIGHT = 30.0, 28.0, 20.0, 20.0
TEXT_W = PAGE_W - LEFT - RIGHT  # 170 mm
PT = 25.4 / 72
COLS = (10.0, 26.0, 76.0, 32.0, 26.0)  # 序号, 任务编号, 任务内容, 完成时限, 报送要求 = 170 mm
TABLE_PT = 10.0
LINE = 1.45  # line pitch, in font sizes
PAD = 1.2  # cell padding (mm)

NO_START = set("，。、；：？！）》」』】〕〗”’…—·%‰℃,.;:?!)]}")
NO_END = set("（《「『【〔〖“‘([{")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.%\-/]*|.", re.S)

BODY_FONT = "DubanSerifSC-Regular.ttf"
TITLE_FONT = "DubanSerifSC-Bold.ttf"
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + "　—第页共（）、。，：；"


def batch_fonts(
    body_texts: Iterable[str], title_texts: Iterable[str], workdir: Path
) -> tuple[Path, Path]:
    """The shipped body and title fonts cut to the characters of this run, as TrueType.

    Why TrueType: fpdf2 subsets the font again for every PDF; for CFF outlines that costs
    ~0.15 s a file, for TrueType outlines left compiled (bounding boxes not recomputed,
    see ListPDF) a third of that. Converting a plan's ~900 characters once costs ~1.5 s;
    the title font (titles, headings, table headers) needs only a few dozen."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    out = []
    for name, texts in ((BODY_FONT, body_texts), (TITLE_FONT, title_texts)):
        chars = "".join(sorted(set(ALWAYS).union(*map(set, texts))))
        src = data_dir() / "fonts" / name
        key = hashlib.sha1(f"{src}|{src.stat().st_mtime_ns}|{chars}".encode()).hexdigest()[:16]
        dest = Path(workdir) / f"{src.stem}-{key}.ttf"
        if not dest.exists():
            font = TTFont(str(src), recalcBBoxes=False)
            options = subset.Options()
            options.layout_features = []
            options.hinting = False
            options.notdef_outline = True
            options.name_IDs = ["*"]
            options.drop_tables += ["VORG", "vhea", "vmtx", "DSIG", "GSUB", "GPOS", "GDEF", "BASE"]
            sub = subset.Subsetter(options)
            sub.populate(unicodes={ord(c) for c in chars})
            sub.subset(font)
            _to_truetype(font)
            fd, tmp = tempfile.mkstemp(dir=workdir, suffix=".part")
            os.close(fd)
            font.save(tmp)
            os.replace(tmp, dest)
        out.append(dest)
    return out[0], out[1]


def _to_truetype(font) -> None:  # noqa: ANN001 - fontTools TTFont
    """CFF outlines → TrueType quadratic outlines, in place (the letters' conversion), with
    glyf bounds recomputed once (cheap, and required for fpdf2)."""
    from tui.letters.fonts import truetype_outlines

    truetype_outlines(font)
    font.recalcBBoxes = True


class _Widths:
    """Advance widths at 1 pt per (font, character), shared by every PDF of a run."""

    def __init__(self) -> None:
        self.cache: dict[tuple[str, str], float] = {}

    def of(self, pdf: FPDF, family: str, ch: str) -> float:
        key = (family, ch)
        w = self.cache.get(key)
        if w is None:
            size = pdf.font_size_pt
            pdf.set_font(family, size=1)
            w = self.cache[key] = pdf.get_string_width(ch)
            pdf.set_font(family, size=size)
        return w


def wrap(text: str, width: float, size: float, measure) -> list[str]:
    """Lines of ``text`` no wider than ``width`` mm at ``size`` pt, Chinese rules applied;
    ``measure(ch)`` is a character's width in mm at 1 pt."""
    lines: list[str] = []
    for para in text.split("\n"):
        line, used = "", 0.0
        for token in _TOKEN.findall(para):
            w = sum(measure(ch) for ch in token) * size
            if line and used + w > width:
                if token[0] in NO_START and len(line) > 1:  # pull the last character down too
                    line, carry = line[:-1], line[-1]
                    lines.append(line)
                    line, used = carry, measure(carry) * size
                elif line[-1] in NO_END and len(line) > 1:
                    carry = line[-1]
                    lines.append(line[:-1])
                    line, used = carry, measure(carry) * size
                else:
                    lines.append(line)
                    line, used = "", 0.0
            line += token
            used += w
        lines.append(line)
    return lines


class ListPDF(FPDF):
    def __init__(self, fonts: tuple[Path, Path], widths: _Widths, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(LEFT, TOP, RIGHT)
        self.set_auto_page_break(False)
        self.set_creator("督办台")
        self.set_title(title)
        self.set_compression(True)
        self.add_font("body", fname=str(fonts[0]))
        self.add_font("title", fname=str(fonts[1]))
        for font in self.fonts.values():
            # The batch font's bounding boxes are already right: keeping its glyphs compiled
            # makes fpdf2's per-file subset a byte copy instead of a recompilation.
            font.ttfont.recalcBBoxes = False
        self.widths = widths
        self.y_pos = TOP

    def footer(self) -> None:  # noqa: D102 - FPDF hook
        self.set_font("body", size=10.5)
        label = f"— {self.page_no()} —"
        w = self.get_string_width(label)
        self.text((PAGE_W - w) / 2, PAGE_H - BOTTOM + 12, label)

    def measure_fn(self, family: str):
        cache = self.widths
        return lambda ch: cache.of(self, family, ch)

    def new_page(self) -> None:
        self.add_page()
        self.y_pos = TOP

    def room(self) -> float:
        return PAGE_H - BOTTOM - self.y_pos

    def paragraph(
        self,
        text: str,
        *,
        family: str = "body",
        size: float = 12.0,
        indent: float = 2.0,
        align: str = "left",
        gap: float = 1.5,
    ) -> None:
        self.set_font(family, size=size)
        em = size * PT
        measure = self.measure_fn(family)
        first = "\u3000" * int(indent) if indent else ""
        lines = wrap(first + text, TEXT_W, size, measure)
        lh = size * PT * LINE
        for line in lines:
            if self.room() < lh:
                self.new_page()
            width = sum(measure(ch) for ch in line) * size
            x = LEFT
            if align == "center":
                x = LEFT + (TEXT_W - width) / 2
            elif align == "right":
                x = LEFT + TEXT_W - width - 2 * em
            self.text(x, self.y_pos + size * PT, line)
            self.y_pos += lh
        self.y_pos += gap

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        size = TABLE_PT
        lh = size * PT * LINE
        body = self.measure_fn("body")
        head = self.measure_fn("title")

        def lines_of(cells: Sequence[str], measure) -> list[list[str]]:
            return [wrap(c, w - 2 * PAD, size, measure) for c, w in zip(cells, COLS, strict=True)]

        header_lines = lines_of(header, head)
        header_h = max(map(len, header_lines)) * lh + 2 * PAD

        def draw(cells: list[list[str]], family: str, height: float, center: set[int]) -> None:
            self.set_font(family, size=size)
            measure = self.measure_fn(family)
            x = LEFT
            for k, (lines, w) in enumerate(zip(cells, COLS, strict=True)):
                self.rect(x, self.y_pos, w, height)
                y = self.y_pos + PAD + size * PT
                for line in lines:
                    tx = x + PAD
                    if k in center:
                        tx = x + (w - sum(measure(ch) for ch in line) * size) / 2
                    self.text(tx, y, line)
                    y += lh
                x += w
            self.y_pos += height

        def header_row() -> None:
            draw(header_lines, "title", header_h, set(range(len(COLS))))

        if self.room() < header_h + lh + 2 * PAD:
            self.new_page()
        header_row()
        for row in rows:
            remaining = lines_of(row, body)
            while any(remaining):
                fit = int((self.room() - 2 * PAD) / lh)
                need = max(map(len, remaining))
                if fit < min(need, 2):
                    self.new_page()
                    header_row()
                    continue
                take = min(fit, need)
                part = [lines[:take] for lines in remaining]
                remaining = [lines[take:] for lines in remaining]
                draw(part, "body", take * lh + 2 * PAD, {0})
        self.y_pos += 3


def write_list_pdf(
    path: str | os.PathLike[str], doc: UnitList, fonts: tuple[Path, Path], widths: _Widths
) -> Path:
    path = Path(path)
    pdf = ListPDF(fonts, widths, doc.title)
    pdf.new_page()
    pdf.paragraph(doc.title, family="title", size=18, indent=0, align="center", gap=4)
    pdf.paragraph(doc.basis, size=12)
    pdf.y_pos += 2
    numbered = doc.table_rows()
    n = 0
    for heading, note, items in doc.headings():
        pdf.paragraph(heading, family="title", size=12, indent=0)
        if note:
            pdf.paragraph(note, size=10.5)
        rows = []
        for item in items:
            row = numbered[n]
            n += 1
            rows.append((row[0], item.task_key, item.task_text, item.deadline, item.report))
        pdf.table(("序号", "任务编号", "任务内容", "完成时限", "报送要求"), rows)
    pdf.y_pos += 4
    pdf.paragraph(doc.signature, size=12, indent=0, align="right", gap=0)
    pdf.paragraph(cn_date(doc.issued_on), size=12, indent=0, align="right")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:40]}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        pdf.output(tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def new_widths() -> _Widths:
    return _Widths()
