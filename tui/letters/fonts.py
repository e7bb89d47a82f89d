"""Which font files the PDF embeds, and which font names the .docx asks for.

Why this order (GUIDE §5): a font the office named in its settings wins; then the
office's own 仿宋 (Windows simfang.ttf and friends), because that is what its letters
have always looked like; last the GB2312 subset of Noto Serif CJK SC shipped in
data/fonts/, so a fresh machine with no CJK font at all still prints real characters.
The .docx never embeds fonts: it names the ones the reader's Word/WPS has.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from tui.errors import DubanError
from tui.paths import data_dir

BUNDLED_BODY = "DubanSerifSC-Regular.otf"
BUNDLED_TITLE = "DubanSerifSC-Bold.otf"

# File names of 仿宋 / 小标宋 fonts as offices install them.
FANGSONG_FILES = (
    "simfang.ttf",
    "SIMFANG.TTF",
    "FangSong.ttf",
    "fangsong.ttf",
    "FangSong_GB2312.ttf",
    "仿宋_GB2312.ttf",
    "仿宋.ttf",
    "FZFSJW.TTF",
    "FZFSK.TTF",
)
XIAOBIAOSONG_FILES = (
    "FZXBSJW.TTF",
    "FZXBSK.TTF",
    "方正小标宋简体.ttf",
    "方正小标宋_GBK.ttf",
    "FZXiaoBiaoSong-B05S.ttf",
)
FANGSONG_FAMILIES = ("FangSong", "仿宋", "FangSong_GB2312", "仿宋_GB2312")
XIAOBIAOSONG_FAMILIES = ("方正小标宋简体", "FZXiaoBiaoSong-B05S", "方正小标宋_GBK")

# A Simplified-Chinese font must have these; Debian's cwTeX 仿宋 (Traditional) does not.
PROBE_CHARS = "关于督办函贵单位请书面报送时限进展发"


@dataclass(frozen=True)
class FontSet:
    """Font files for the PDF and font names for the .docx."""

    body_path: Path
    title_path: Path
    body_name_docx: str = "仿宋_GB2312"
    title_name_docx: str = "方正小标宋简体"
    heiti_docx: str = "黑体"
    kaiti_docx: str = "楷体_GB2312"
    body_index: int = 0  # face index inside a .ttc collection
    title_index: int = 0
    fallback_path: Path | None = None  # bundled subset, for characters the body font lacks

    @property
    def source(self) -> str:
        """Short description for the settings screen and logs."""
        return f"正文 {self.body_path.name}，标题 {self.title_path.name}"


def font_dirs() -> list[Path]:
    """Common places where fonts are installed on Windows, macOS and Linux."""
    home = Path.home()
    dirs = [
        Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts",
        Path(os.environ.get("LOCALAPPDATA", str(home / "AppData/Local")))
        / "Microsoft/Windows/Fonts",
        home / ".fonts",
        home / ".local/share/fonts",
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        Path("/Library/Fonts"),
        home / "Library/Fonts",
    ]
    return [d for d in dirs if d.is_dir()]


def _covers(path: Path, index: int = 0) -> bool:
    """True when the font has glyphs for common Simplified characters."""
    try:
        from fontTools.ttLib import TTFont

        font = TTFont(str(path), fontNumber=index, lazy=True)
        cmap = font.getBestCmap() or {}
        return all(ord(c) in cmap for c in PROBE_CHARS)
    except Exception:
        return False


def _find_file(names: tuple[str, ...]) -> Path | None:
    wanted = {n.lower() for n in names}
    for d in font_dirs():
        for name in names:
            p = d / name
            if p.is_file():
                return p
        try:
            for root, _dirs, files in os.walk(d):
                for f in files:
                    if f.lower() in wanted:
                        return Path(root) / f
        except OSError:
            continue
    return None


def _fc_match(families: tuple[str, ...]) -> Path | None:
    """Ask fontconfig, and believe it only if it returned the family we asked for."""
    if shutil.which("fc-match") is None:
        return None
    for fam in families:
        try:
            out = subprocess.run(
                ["fc-match", "-f", "%{family}\t%{file}", f"{fam}:lang=zh-cn"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            return None
        family, _, file = out.partition("\t")
        if file and any(f.lower() in family.lower() for f in families):
            p = Path(file)
            if "cwtex" not in p.name.lower() and p.is_file():
                return p
    return None


def _installed(files: tuple[str, ...], families: tuple[str, ...]) -> Path | None:
    for candidate in (_find_file(files), _fc_match(families)):
        if candidate is not None and _covers(candidate):
            return candidate
    return None


def bundled_dir() -> Path:
    return data_dir() / "fonts"


@lru_cache(maxsize=8)
def _resolve(configured: str | None, use_system: bool) -> FontSet:
    bundled_body = bundled_dir() / BUNDLED_BODY
    bundled_title = bundled_dir() / BUNDLED_TITLE
    have_bundled = bundled_body.is_file()
    fallback = bundled_body if have_bundled else None
    title = bundled_title if bundled_title.is_file() else bundled_body

    if configured:
        p = Path(configured).expanduser()
        if not p.is_file():
            raise DubanError(f"设置中指定的字体文件不存在：{p}")
        if p.suffix.lower() not in (".ttf", ".otf", ".ttc", ".otc"):
            raise DubanError(f"设置中指定的字体文件不是 TTF/OTF 字体：{p.name}")
        if not _covers(p):
            raise DubanError(f"设置中指定的字体 {p.name} 缺少常用简体汉字，无法用于函件")
        return FontSet(body_path=p, title_path=title if have_bundled else p, fallback_path=fallback)

    if use_system:
        body = _installed(FANGSONG_FILES, FANGSONG_FAMILIES)
        if body is not None:
            office_title = _installed(XIAOBIAOSONG_FILES, XIAOBIAOSONG_FAMILIES)
            return FontSet(
                body_path=body,
                title_path=office_title or (title if have_bundled else body),
                fallback_path=fallback,
            )

    if not have_bundled:
        raise DubanError(f"找不到函件字体：{bundled_body} 缺失，且本机未安装仿宋字体")
    return FontSet(body_path=bundled_body, title_path=title, fallback_path=None)


def resolve_fonts(configured: str | None = None, use_system: bool = True) -> FontSet:
    """The fonts for this machine; `use_system=False` forces the shipped subset
    (reproducible output, and what tests use)."""
    return _resolve(configured or None, use_system)


# Characters every letter may print besides its own text (page numbers, labels).
ALWAYS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "　、。，：；？！（）〔〕《》“”‘’—…·０１２３４５６７８９"
    + "附件事项清单抄送草稿号年月日"
)


def _to_truetype(font) -> None:  # noqa: ANN001 - fontTools TTFont
    """Replace CFF outlines by TrueType quadratics (in place).

    Why: fpdf2 subsets the font again for every PDF; for CFF that means interpreting
    every charstring (~0.2 s a letter), for glyf it is a cheap table copy."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
        "maxPoints",
        "maxContours",
        "maxCompositePoints",
        "maxCompositeContours",
        "maxComponentDepth",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["maxp"] = maxp
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].glyphDataFormat = 0
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    font.sfntVersion = "\0\1\0\0"


def _batch_subset(path: Path, index: int, chars: str, workdir: Path) -> Path:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    key = hashlib.sha1(f"{path}|{index}|{path.stat().st_mtime_ns}|".encode() + chars.encode())
    dest = workdir / f"{path.stem}-{key.hexdigest()[:12]}.ttf"
    if dest.exists():
        return dest
    font = TTFont(str(path), fontNumber=index, lazy=False)
    opts = subset.Options()
    opts.layout_features = []
    opts.notdef_outline = True
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    # only what a PDF embedding needs: fewer tables, less work per letter in fpdf2
    opts.drop_tables += ["VORG", "vhea", "vmtx", "DSIG", "GSUB", "GPOS", "GDEF", "BASE"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes={ord(c) for c in chars})
    sub.subset(font)
    if "CFF " in font or "CFF2" in font:
        _to_truetype(font)
    font["post"].formatType = 3.0  # no glyph names to parse again for every letter
    tmp = dest.with_suffix(".part")
    font.save(str(tmp))
    os.replace(tmp, dest)
    return dest


def prepare_batch_fonts(
    fonts: FontSet, body_text: Iterable[str], title_text: Iterable[str], workdir: Path
) -> FontSet:
    """A FontSet cut down to the characters of one batch of letters, in TrueType form.

    Why: embedding means subsetting per PDF; from the 8,000-glyph shipped font that
    costs ~0.25 s a letter, from a batch subset of a few hundred glyphs ~0.02 s. Pass
    every string the letters print (`letter_texts` in model.py collects them); the
    files are written to `workdir` and reused for identical batches."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    body_chars = "".join(sorted(set(ALWAYS).union(*map(set, body_text))))
    title_chars = "".join(sorted(set(ALWAYS).union(*map(set, title_text))))
    body = _batch_subset(fonts.body_path, fonts.body_index, body_chars, workdir)
    title = _batch_subset(fonts.title_path, fonts.title_index, title_chars, workdir)
    fallback = None
    if fonts.fallback_path is not None:
        fallback = _batch_subset(fonts.fallback_path, 0, body_chars + title_chars, workdir)
    return replace(
        fonts, body_path=body, title_path=title, body_index=0, title_index=0, fallback_path=fallback
    )
