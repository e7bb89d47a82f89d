"""Build the fallback letter fonts shipped in data/fonts/ from Noto Serif CJK SC.

Why: a fresh office machine may have no CJK font at all; the PDF writer must still
embed a font that covers every character a letter can contain (GB2312 + punctuation),
and the shipped files must stay small. Run once by a developer, not at app run time:

    python tools/make_font_subset.py [--source-dir /usr/share/fonts/opentype/noto]

Outputs data/fonts/DubanSerifSC-Regular.ttf and DubanSerifSC-Bold.ttf: hinting dropped,
renamed so the modified version does not carry the original name, and the CFF outlines
converted to TrueType quadratics (tui.letters.fonts.truetype_outlines). TrueType because a
PDF then embeds each letter's own subset by copying glyph records — no font program is
compiled per letter, which is what makes 300 letters a few seconds. `--convert X.otf`
converts an already subset and renamed .otf the same way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tui.letters.fonts import truetype_outlines  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "data" / "fonts"
SC_INDEX = 2  # index of the Simplified Chinese face in the Noto Serif CJK collections

SOURCES = {
    "Regular": "NotoSerifCJK-Regular.ttc",
    "Bold": "NotoSerifCJK-Bold.ttc",
}

# Characters outside GB2312 that still show up in unit and person names or in letters.
EXTRA = "堃珺玥喆昇琇婧頔昕旻甦淼犇骉焱垚鑫磊淦赟翀彧昱晟燚祎禕祐峯崧皞曌 ‧•·“”‘’…—–―〔〕〖〗【】《》〈〉「」『』﹝﹞·■□●○◆◇★☆√×÷±≤≥≠℃‰№"


def gb2312_chars() -> str:
    """Every character GB2312 encodes (symbols rows 1–9 and 6,763 hanzi)."""
    chars = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def charset() -> set[int]:
    """Code points the subset must cover."""
    cps: set[int] = set(range(0x20, 0x7F))  # ASCII
    cps |= set(range(0xA0, 0x100))  # Latin-1 (°, ×, ·, §)
    cps |= set(range(0x2000, 0x2070))  # general punctuation
    cps |= set(range(0x2460, 0x24A0))  # ①–⑳, ⑴–⒇
    cps |= set(range(0x2160, 0x2180))  # Roman numerals Ⅰ–Ⅻ
    cps |= set(range(0x3000, 0x3040))  # CJK punctuation (incl. 〔〕)
    cps |= set(range(0x3200, 0x3260))  # ㈠–㈩ and circled ideographs
    cps |= set(range(0xFF00, 0xFFF0))  # full-width forms
    cps |= {ord(c) for c in gb2312_chars()}
    cps |= {ord(c) for c in EXTRA}
    return cps


def rename(font, style: str) -> None:
    """A modified OFL font should not present itself under the original's name."""
    family = "Duban Serif SC"
    ps = f"DubanSerifSC-{style}"
    name = font["name"]
    keep = {0, 7, 8, 9, 10, 11, 12, 13, 14}
    name.names = [r for r in name.names if r.nameID in keep]
    note = " Subset of Noto Serif CJK SC (GB2312 + punctuation) made for 督办台."
    for rec in list(name.names):
        if rec.nameID == 0:
            name.setName(rec.toUnicode() + note, 0, rec.platformID, rec.platEncID, rec.langID)
    for plat, enc, lang in ((3, 1, 0x409), (1, 0, 0)):
        name.setName(family, 1, plat, enc, lang)
        name.setName(style, 2, plat, enc, lang)
        name.setName(f"2.001;DUBAN;{ps}", 3, plat, enc, lang)
        name.setName(f"{family} {style}", 4, plat, enc, lang)
        name.setName("Version 2.001 subset", 5, plat, enc, lang)
        name.setName(ps, 6, plat, enc, lang)
    if "CFF " in font:
        cff = font["CFF "].cff
        old = cff.fontNames[0]
        cff.fontNames = [ps]
        top = cff.topDictIndex[0]
        for attr in ("FullName", "FamilyName"):
            if hasattr(top, attr):
                setattr(top, attr, f"{family} {style}" if attr == "FullName" else family)
        del old


def build(source_dir: Path) -> list[Path]:
    out = []
    cps = charset()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for style, filename in SOURCES.items():
        src = source_dir / filename
        if not src.exists():
            print(f"skip {style}: {src} not found", file=sys.stderr)
            continue
        font = TTCollection(str(src)).fonts[SC_INDEX]
        opts = subset.Options()
        opts.hinting = False  # CJK hints are most of the size; print output does not need them
        opts.layout_features = []  # horizontal set text only; alternates would double the size
        opts.name_IDs = ["*"]
        opts.name_languages = ["*"]
        opts.notdef_outline = True
        opts.drop_tables += ["VORG", "vhea", "vmtx", "DSIG"]
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=cps)
        sub.subset(font)
        rename(font, style)
        truetype_outlines(font)
        dest = OUT_DIR / f"DubanSerifSC-{style}.ttf"
        font.save(str(dest))
        print(
            f"{dest.name}: {dest.stat().st_size / 1e6:.2f} MB, {len(font.getGlyphOrder())} glyphs"
        )
        out.append(dest)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source-dir", type=Path, default=Path("/usr/share/fonts/opentype/noto"))
    ap.add_argument("--convert", type=Path, nargs="*", help="subset .otf files to convert")
    args = ap.parse_args()
    if args.convert:
        for src in args.convert:
            font = TTFont(str(src))
            truetype_outlines(font)
            dest = src.with_suffix(".ttf")
            font.save(str(dest))
            print(f"{dest.name}: {dest.stat().st_size / 1e6:.2f} MB")
        return
    build(args.source_dir)


if __name__ == "__main__":
    main()
