"""Which fonts a letter is set in: found once, parsed once per batch, cut per document.

Order (GUIDE §5): a font file named in the settings wins; then the office's own 仿宋 /
小标宋 if installed (Windows simfang.ttf and friends, or what fontconfig knows), because that
is what the office's letters have always looked like; last the GB2312 subset of Noto Serif
CJK SC shipped in data/fonts/ (SIL OFL), so a machine with no CJK font at all still prints
real characters. A body font that lacks a character borrows it from the shipped font.

Speed (300 letters in seconds): a `FontProgram` reads a TrueType face once — character
map, advances and the raw glyph records — and each PDF then embeds its own subset by
copying only the glyph records it uses (glyph ids unchanged, the others left empty), which
is a byte copy rather than a font compilation. A CFF-outlined font (an .otf an office
names) is first cut to the batch's characters and converted to TrueType with fontTools;
that result is cached on disk under a key of the font file and the glyph set, so the next
batch or process with the same characters reuses it.

The .docx never embeds fonts: it names the ones the reader's Word/WPS has.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import struct
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tui.errors import DubanError
from tui.paths import data_dir

BUNDLED_BODY = "DubanSerifSC-Regular.ttf"
BUNDLED_TITLE = "DubanSerifSC-Bold.ttf"

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

ORIGIN_LABEL = {
    "settings": "设置中指定的字体",
    "office": "本机安装的字体",
    "bundled": "随附的后备字体（Noto Serif SC 子集，data/fonts/）",
}


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
    fallback_path: Path | None = None  # bundled font, for characters the body font lacks
    body_origin: str = "bundled"  # settings / office / bundled
    title_origin: str = "bundled"

    @property
    def source(self) -> str:
        """One line for the rendering log: which fonts, and whether it is the fallback."""
        body = (
            f"正文 {self.body_path.name}（{ORIGIN_LABEL.get(self.body_origin, self.body_origin)}）"
        )
        title = f"标题 {self.title_path.name}（{ORIGIN_LABEL.get(self.title_origin, self.title_origin)}）"
        return f"{body}，{title}"

    @property
    def uses_fallback(self) -> bool:
        return self.body_origin == "bundled"


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
    """Ask fontconfig, and believe it only if it returned the family we asked for.

    One question per family name, asked all at once (the answers are read in the order of
    `families`, so the first name that matches still wins): a machine without the fonts
    would otherwise wait for each answer in turn."""
    if shutil.which("fc-match") is None:
        return None
    asked: list[subprocess.Popen] = []
    try:
        for fam in families:
            asked.append(
                subprocess.Popen(
                    ["fc-match", "-f", "%{family}\t%{file}", f"{fam}:lang=zh-cn"],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                )
            )
        for proc in asked:
            out, _ = proc.communicate(timeout=5)
            family, _, file = out.partition("\t")
            if file and any(f.lower() in family.lower() for f in families):
                p = Path(file)
                if "cwtex" not in p.name.lower() and p.is_file():
                    return p
    except (OSError, subprocess.SubprocessError):
        return None
    finally:
        for proc in asked:  # answers no longer needed: do not leave them running
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
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
        return FontSet(
            body_path=p,
            title_path=title if have_bundled else p,
            fallback_path=fallback,
            body_origin="settings",
            title_origin="bundled" if have_bundled else "settings",
        )

    if use_system:
        body = _installed(FANGSONG_FILES, FANGSONG_FAMILIES)
        if body is not None:
            office_title = _installed(XIAOBIAOSONG_FILES, XIAOBIAOSONG_FAMILIES)
            return FontSet(
                body_path=body,
                title_path=office_title or (title if have_bundled else body),
                fallback_path=fallback,
                body_origin="office",
                title_origin="office" if office_title or not have_bundled else "bundled",
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


# ----------------------------------------------------------------------------- TrueType


def truetype_outlines(font) -> None:  # noqa: ANN001 - fontTools TTFont
    """Replace CFF outlines by TrueType quadratics (in place); used by the font tool and
    for an office's CFF font (cached, see `_converted`)."""
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
    post.formatType = 3.0
    font["head"].glyphDataFormat = 0
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    font.sfntVersion = "\0\1\0\0"


def cache_dir() -> Path:
    """Converted fonts, shared by every process on this machine (safe to delete)."""
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "duban" / "fonts"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("duban", appauthor=False)) / "fonts"


def _converted(path: Path, index: int, chars: str) -> Path:
    """A CFF font cut to `chars` and converted to TrueType, cached under the glyph set."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    st = path.stat()
    key = hashlib.sha1(
        f"{path.resolve()}|{index}|{st.st_size}|{st.st_mtime_ns}|".encode() + chars.encode()
    ).hexdigest()[:16]
    folder = cache_dir()
    dest = folder / f"{path.stem}-{key}.ttf"
    if dest.is_file():
        return dest
    font = TTFont(str(path), fontNumber=index, lazy=False)
    opts = subset.Options()
    opts.layout_features = []
    opts.notdef_outline = True
    opts.hinting = False
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.drop_tables += ["VORG", "vhea", "vmtx", "DSIG", "GSUB", "GPOS", "GDEF", "BASE"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes={ord(c) for c in chars})
    sub.subset(font)
    truetype_outlines(font)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f"{dest.name}.{os.getpid()}.part")
        font.save(str(tmp))
        os.replace(tmp, dest)
    except OSError as exc:
        raise DubanError(f"无法写入字体缓存目录 {folder}：{exc.strerror or exc}") from None
    return dest


_COMPONENT_MORE = 0x0020
_COMPONENT_WORDS = 0x0001
_COMPONENT_SCALE = 0x0008
_COMPONENT_XY = 0x0040
_COMPONENT_2X2 = 0x0080


class FontProgram:
    """One TrueType face, read once: metrics for layout, and per-document subsets."""

    def __init__(self, path: Path, index: int = 0) -> None:
        from fontTools.ttLib import TTFont

        try:
            font = TTFont(str(path), fontNumber=index, lazy=True)
            if "glyf" not in font.reader:
                raise ValueError("no glyf table")
            raw = {tag: font.reader[tag] for tag in font.reader.keys()}
            self.cmap: dict[int, int] = _parse_cmap(raw["cmap"])
            ps = _ps_name(raw.get("name", b"")) or path.stem
        except DubanError:
            raise
        except Exception as exc:  # noqa: BLE001 - any unreadable font is one message
            raise DubanError(f"无法读取函件字体 {path.name}：{exc}") from None
        self.path = path
        self.ps_name = "".join(c for c in ps if (c.isascii() and c.isalnum()) or c == "-")[:60]
        head = raw["head"]
        self.units = struct.unpack(">H", head[18:20])[0]
        self.bbox = struct.unpack(">4h", head[36:44])
        loc_format = struct.unpack(">h", head[50:52])[0]
        hhea = raw["hhea"]
        self.ascent, self.descent = struct.unpack(">2h", hhea[4:8])
        n_hmetrics = struct.unpack(">H", hhea[34:36])[0]
        self.num_glyphs = n = struct.unpack(">H", raw["maxp"][4:6])[0]
        hmtx = raw["hmtx"]
        pairs = struct.unpack(">" + "Hh" * n_hmetrics, hmtx[: 4 * n_hmetrics])
        adv = list(pairs[0::2])
        lsb = list(pairs[1::2])
        rest = n - n_hmetrics
        if rest > 0:
            lsb += list(
                struct.unpack(f">{rest}h", hmtx[4 * n_hmetrics : 4 * n_hmetrics + 2 * rest])
            )
        self.advances: list[int] = adv + [adv[-1]] * rest
        self._lsb = lsb
        loca = raw["loca"]
        if loc_format == 0:
            offs = [2 * x for x in struct.unpack(f">{n + 1}H", loca[: 2 * (n + 1)])]
        else:
            offs = list(struct.unpack(f">{n + 1}I", loca[: 4 * (n + 1)]))
        self._offsets = offs
        self._glyf = raw["glyf"]
        self.cap_height = self.ascent
        os2 = raw.get("OS/2")
        if os2 is not None and len(os2) >= 90 and struct.unpack(">H", os2[:2])[0] >= 2:
            self.cap_height = struct.unpack(">h", os2[88:90])[0]
        # tables a PDF's embedded TrueType program needs (PDF 32000 §9.9)
        self._head = head
        self._hhea = hhea
        self._maxp = raw["maxp"]
        self._keep = {t: raw[t] for t in ("cvt ", "fpgm", "prep") if t in raw}
        self._widths1000 = [round(a * 1000 / self.units) for a in self.advances]

    def has(self, ch: str) -> bool:
        return ord(ch) in self.cmap

    def gid(self, ch: str) -> int:
        return self.cmap.get(ord(ch), 0)

    def advance_em(self, ch: str) -> float:
        return self.advances[self.cmap.get(ord(ch), 0)] / self.units

    def width1000(self, gid: int) -> int:
        return self._widths1000[gid]

    def _glyph(self, gid: int) -> bytes:
        return self._glyf[self._offsets[gid] : self._offsets[gid + 1]]

    def _closure(self, gids: Iterable[int]) -> set[int]:
        todo = list({0, *gids})
        seen: set[int] = set()
        while todo:
            g = todo.pop()
            if g in seen or g >= self.num_glyphs:
                continue
            seen.add(g)
            data = self._glyph(g)
            if len(data) >= 10 and struct.unpack(">h", data[:2])[0] < 0:
                pos = 10
                while True:
                    flags, comp = struct.unpack(">HH", data[pos : pos + 4])
                    todo.append(comp)
                    pos += 4 + (4 if flags & _COMPONENT_WORDS else 2)
                    if flags & _COMPONENT_SCALE:
                        pos += 2
                    elif flags & _COMPONENT_XY:
                        pos += 4
                    elif flags & _COMPONENT_2X2:
                        pos += 8
                    if not flags & _COMPONENT_MORE:
                        break
        return seen

    def subset_program(self, gids: Iterable[int]) -> tuple[bytes, bytes]:
        """(font program, CIDToGIDMap) holding only these glyphs and what they refer to.

        The PDF keeps addressing glyphs by their ids in the full font (the CIDs); the map
        sends each to its place in the small program, so text never needs re-encoding."""
        kept = sorted(self._closure(gids))
        new = {g: i for i, g in enumerate(kept)}
        parts: list[bytes] = []
        starts: list[int] = []
        metrics: list[int] = []
        acc = 0
        for g in kept:
            data = self._glyph(g)
            if len(data) >= 10 and struct.unpack(">h", data[:2])[0] < 0:
                data = self._renumber(data, new)
            pad = (-len(data)) % 4
            if pad:
                data += b"\0" * pad
            starts.append(acc)
            parts.append(data)
            acc += len(data)
            metrics += (self.advances[g], self._lsb[g] & 0xFFFF)
        starts.append(acc)
        count = len(kept)
        head = bytearray(self._head)
        head[8:12] = b"\0\0\0\0"  # checksumAdjustment: not needed inside a PDF
        head[50:52] = struct.pack(">h", 1)  # long loca
        hhea = bytearray(self._hhea)
        hhea[34:36] = struct.pack(">H", count)
        maxp = bytearray(self._maxp)
        maxp[4:6] = struct.pack(">H", count)
        tables = dict(self._keep)
        tables.update(
            head=bytes(head),
            hhea=bytes(hhea),
            maxp=bytes(maxp),
            hmtx=struct.pack(f">{2 * count}H", *metrics),
            loca=struct.pack(f">{count + 1}I", *starts),
            glyf=b"".join(parts),
        )
        cid_map = [0] * (kept[-1] + 1)
        for g, i in new.items():
            cid_map[g] = i
        return _sfnt(tables), struct.pack(f">{len(cid_map)}H", *cid_map)

    @staticmethod
    def _renumber(data: bytes, new: dict[int, int]) -> bytes:
        out = bytearray(data)
        pos = 10
        while True:
            flags, comp = struct.unpack(">HH", out[pos : pos + 4])
            out[pos + 2 : pos + 4] = struct.pack(">H", new.get(comp, 0))
            pos += 4 + (4 if flags & _COMPONENT_WORDS else 2)
            if flags & _COMPONENT_SCALE:
                pos += 2
            elif flags & _COMPONENT_XY:
                pos += 4
            elif flags & _COMPONENT_2X2:
                pos += 8
            if not flags & _COMPONENT_MORE:
                return bytes(out)


def _parse_cmap(data: bytes) -> dict[int, int]:
    """Code point → glyph id from the best Unicode subtable (format 12, else 4)."""
    n = struct.unpack(">H", data[2:4])[0]
    subtables: dict[tuple[int, int], int] = {}
    for i in range(n):
        plat, enc, off = struct.unpack(">HHI", data[4 + 8 * i : 12 + 8 * i])
        subtables[(plat, enc)] = off
    for key in ((3, 10), (0, 4), (0, 6), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
        off = subtables.get(key)
        if off is None:
            continue
        fmt = struct.unpack(">H", data[off : off + 2])[0]
        if fmt == 12:
            groups = struct.unpack(">I", data[off + 12 : off + 16])[0]
            out: dict[int, int] = {}
            vals = struct.unpack(f">{3 * groups}I", data[off + 16 : off + 16 + 12 * groups])
            for k in range(groups):
                start, end, gid = vals[3 * k : 3 * k + 3]
                for cp in range(start, end + 1):
                    out[cp] = gid + cp - start
            return out
        if fmt == 4:
            seg2 = struct.unpack(">H", data[off + 6 : off + 8])[0]
            seg = seg2 // 2
            p = off + 14
            ends = struct.unpack(f">{seg}H", data[p : p + seg2])
            p += seg2 + 2
            starts = struct.unpack(f">{seg}H", data[p : p + seg2])
            p += seg2
            deltas = struct.unpack(f">{seg}h", data[p : p + seg2])
            p += seg2
            range_pos = p
            ranges = struct.unpack(f">{seg}H", data[p : p + seg2])
            out = {}
            for k in range(seg):
                s0, e0, d, r = starts[k], ends[k], deltas[k], ranges[k]
                if s0 == 0xFFFF:
                    continue
                for cp in range(s0, e0 + 1):
                    if r == 0:
                        gid = (cp + d) & 0xFFFF
                    else:
                        at = range_pos + 2 * k + r + 2 * (cp - s0)
                        gid = struct.unpack(">H", data[at : at + 2])[0]
                        if gid:
                            gid = (gid + d) & 0xFFFF
                    if gid:
                        out[cp] = gid
            return out
    raise ValueError("no Unicode cmap")


def _ps_name(data: bytes) -> str:
    """PostScript name (name id 6) from a raw `name` table."""
    if len(data) < 6:
        return ""
    count, strings = struct.unpack(">HH", data[2:6])
    for i in range(count):
        plat, enc, _lang, nid, length, off = struct.unpack(">6H", data[6 + 12 * i : 18 + 12 * i])
        if nid != 6:
            continue
        raw = data[strings + off : strings + off + length]
        try:
            return raw.decode("utf-16-be") if plat in (0, 3) else raw.decode("latin-1")
        except UnicodeDecodeError:
            continue
    return ""


def _checksum(data: bytes) -> int:
    pad = (-len(data)) % 4
    if pad:
        data = data + b"\0" * pad
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _sfnt(tables: dict[str, bytes]) -> bytes:
    tags = sorted(tables)
    n = len(tags)
    es = max(k for k in range(8) if 2**k <= n)
    header = struct.pack(">IHHHH", 0x00010000, n, 16 * 2**es, es, 16 * n - 16 * 2**es)
    offset = 12 + 16 * n
    records, body = [], []
    for tag in tags:
        data = tables[tag]
        records.append(
            struct.pack(">4sIII", tag.encode("latin-1"), _checksum(data), offset, len(data))
        )
        pad = (-len(data)) % 4
        body.append(data + b"\0" * pad)
        offset += len(data) + pad
    return header + b"".join(records) + b"".join(body)


@dataclass
class BatchFonts:
    """The fonts of one batch of letters, parsed once; every letter's PDF cuts from these."""

    fontset: FontSet
    body: FontProgram
    title: FontProgram
    fallback: FontProgram | None
    missing: str = ""  # characters no font has (printed as empty boxes)

    def __post_init__(self) -> None:
        self._tables: dict[str, _Advances] = {}

    def table(self, key: str) -> dict[str, float]:
        """Advances in ems for text set in `key` ("body"/"title"), filled as asked."""
        t = self._tables.get(key)
        if t is None:
            t = self._tables[key] = _Advances(self, key)
        return t

    def program(self, key: str) -> FontProgram:
        return {"body": self.body, "title": self.title}.get(key) or self.fallback or self.body

    def pick(self, key: str, ch: str) -> str:
        """The font key that draws `ch` for text set in `key` ("body"/"title")."""
        main = self.title if key == "title" else self.body
        if main.has(ch) or self.fallback is None or not self.fallback.has(ch):
            return key
        return "fallback"

    def advance(self, key: str, ch: str) -> float:
        """Advance of `ch` in ems for text set in `key`, from the font that draws it."""
        return self.table(key)[ch]

    def log_line(self) -> str:
        line = f"字体：{self.fontset.source}"
        if self.fontset.uses_fallback:
            line += "；本机未安装仿宋，使用随附的后备字体"
        if self.missing:
            line += f"；以下字符所有字体都没有，将印成空框：{self.missing}"
        return line


class _Advances(dict):
    def __init__(self, fonts: BatchFonts, key: str) -> None:
        super().__init__()
        self.main = fonts.title if key == "title" else fonts.body
        self.fallback = fonts.fallback

    def __missing__(self, ch: str) -> float:
        main, fb = self.main, self.fallback
        v = (
            fb.advance_em(ch)
            if fb is not None and not main.has(ch) and fb.has(ch)
            else main.advance_em(ch)
        )
        self[ch] = v
        return v


def _program(path: Path, index: int, chars: str) -> FontProgram:
    try:
        return _cached_program(path, index)
    except _NeedsConversion:
        return _cached_program(_converted(path, index, chars), 0)


class _NeedsConversion(Exception):
    pass


@lru_cache(maxsize=8)
def _cached_program(path: Path, index: int) -> FontProgram:
    from fontTools.ttLib import TTFont

    try:
        tables = TTFont(str(path), fontNumber=index, lazy=True).reader.keys()
    except Exception as exc:  # noqa: BLE001
        raise DubanError(f"无法读取函件字体 {path.name}：{exc}") from None
    if "glyf" not in tables:
        raise _NeedsConversion
    return FontProgram(path, index)


def prepare_batch_fonts(fonts: FontSet, texts: Iterable[str]) -> BatchFonts:
    """Read the fonts for one batch of letters once; `texts` are every string they print
    (`letter_texts` in model.py) — needed when a CFF font must be converted first."""
    chars = "".join(sorted(set(ALWAYS).union(*map(set, texts))))
    body = _program(fonts.body_path, fonts.body_index, chars)
    title = _program(fonts.title_path, fonts.title_index, chars)
    fallback = None
    if fonts.fallback_path is not None:
        fallback = _program(fonts.fallback_path, 0, chars)
    missing = "".join(
        c
        for c in chars
        if not c.isspace() and not body.has(c) and (fallback is None or not fallback.has(c))
    )
    return BatchFonts(fonts, body, title, fallback, missing)
