"""A small PDF file writer: pages of positioned text and lines, with embedded CID fonts.

Why our own: a letter needs only text, rules and boxes, and the expensive part of a
general PDF library is subsetting the font again for every file. Here the fonts of a
batch become PDF objects once (`EmbeddedFont`: the batch's glyphs, their widths and the
ToUnicode map, compressed once) and every letter's file reuses those bytes; only the
pages' content streams are made per letter.

Fonts are Type0/CIDFontType2 with Identity-H encoding: a string is the glyph ids of the
full font, and CIDToGIDMap sends each to its place in the embedded subset. The ToUnicode
map keeps the text layer searchable and copyable (pdftotext reads it).
"""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from tui.errors import DubanError
from tui.letters.fonts import FontProgram


class _Hex(dict):
    def __missing__(self, ch: str) -> str:
        return "0000"


class EmbeddedFont:
    """One font's PDF objects for a batch, serialised once."""

    def __init__(self, program: FontProgram, chars: Iterable[str], resource: str) -> None:
        self.program = program
        self.resource = resource
        cps = sorted({ord(c) for c in chars if ord(c) in program.cmap})
        self.hex = _Hex((chr(cp), f"{program.cmap[cp]:04X}") for cp in cps)
        gids = sorted({program.cmap[cp] for cp in cps} | {0})
        prog, cid_map = program.subset_program(gids)
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha1(prog).digest()[:6])
        self.base_name = f"{tag}+{program.ps_name or 'Font'}"
        self._file = zlib.compress(prog, 6)
        self._file_len = len(prog)
        self._cid_map = zlib.compress(cid_map, 6)
        self._widths = self._w_array(gids)
        self._tounicode = zlib.compress(self._cmap({program.cmap[cp]: cp for cp in cps}), 6)

    def encode(self, text: str) -> str:
        """Hex glyph ids for a string of characters this font has (others: .notdef)."""
        return "".join(map(self.hex.__getitem__, text))

    def has(self, ch: str) -> bool:
        return ch in self.hex

    def _w_array(self, gids: list[int]) -> bytes:
        p = self.program
        parts = []
        run: list[int] = []
        start = None
        for g in gids:
            if start is not None and g == start + len(run):
                run.append(p.width1000(g))
                continue
            if start is not None:
                parts.append(f"{start} [{' '.join(map(str, run))}]")
            start, run = g, [p.width1000(g)]
        if start is not None:
            parts.append(f"{start} [{' '.join(map(str, run))}]")
        return ("[" + " ".join(parts) + "]").encode("ascii")

    @staticmethod
    def _cmap(gid_to_cp: dict[int, int]) -> bytes:
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        items = sorted(gid_to_cp.items())
        for i in range(0, len(items), 100):
            chunk = items[i : i + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            for gid, cp in chunk:
                if cp > 0xFFFF:
                    v = cp - 0x10000
                    uni = f"{0xD800 + (v >> 10):04X}{0xDC00 + (v & 0x3FF):04X}"
                else:
                    uni = f"{cp:04X}"
                lines.append(f"<{gid:04X}> <{uni}>")
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode("ascii")

    def objects(self, first: int) -> list[bytes]:
        """The six objects of this font, numbered from `first` (Type0 font is `first`)."""
        p = self.program
        s = 1000 / p.units
        bbox = " ".join(str(round(v * s)) for v in p.bbox)
        name = f"/{self.base_name}"
        type0, cid, desc, file, cmap, tounicode = range(first, first + 6)
        return [
            (
                f"<< /Type /Font /Subtype /Type0 /BaseFont {name} /Encoding /Identity-H "
                f"/DescendantFonts [{cid} 0 R] /ToUnicode {tounicode} 0 R >>"
            ).encode("ascii"),
            (
                f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont {name} "
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                f"/FontDescriptor {desc} 0 R /DW 1000 /CIDToGIDMap {cmap} 0 R /W "
            ).encode("ascii")
            + self._widths
            + b" >>",
            (
                f"<< /Type /FontDescriptor /FontName {name} /Flags 4 /FontBBox [{bbox}] "
                f"/ItalicAngle 0 /Ascent {round(p.ascent * s)} /Descent {round(p.descent * s)} "
                f"/CapHeight {round(p.cap_height * s)} /StemV 80 /FontFile2 {file} 0 R >>"
            ).encode("ascii"),
            _stream(self._file, f"/Length1 {self._file_len} /Filter /FlateDecode"),
            _stream(self._cid_map, "/Filter /FlateDecode"),
            _stream(self._tounicode, "/Filter /FlateDecode"),
        ]


def _stream(data: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(data)} {extra} >>\nstream\n".encode("ascii") + data + b"\nendstream"


def _pdf_text(value: str) -> str:
    """A text string for the document info: UTF-16BE with BOM, as hex."""
    return "<FEFF" + value.encode("utf-16-be").hex().upper() + ">"


def write_pdf_file(
    path: str | Path,
    pages: list[bytes],
    fonts: list[EmbeddedFont],
    *,
    title: str = "",
    size_pt: tuple[float, float] = (595.28, 841.89),
    created: datetime | None = None,
) -> None:
    """Write pages (content streams, uncompressed) using fonts /F0, /F1, … to a file."""
    objs: list[bytes] = []
    n_font_objs = 6 * len(fonts)
    # 1 catalog, 2 pages, 3 info, then fonts, then page + content pairs
    font_first = 4
    page_first = font_first + n_font_objs
    kids = [page_first + 2 * i for i in range(len(pages))]
    objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objs.append(
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(pages)} >>".encode()
    )
    stamp = (created or datetime.now()).strftime("D:%Y%m%d%H%M%S")
    objs.append(
        (
            f"<< /Title {_pdf_text(title)} /Creator {_pdf_text('督办台')} "
            f"/Producer {_pdf_text('督办台')} /CreationDate ({stamp}) >>"
        ).encode("ascii")
    )
    font_res = []
    for i, f in enumerate(fonts):
        first = font_first + 6 * i
        objs.extend(f.objects(first))
        font_res.append(f"/{f.resource} {first} 0 R")
    resources = f"<< /Font << {' '.join(font_res)} >> /ProcSet [/PDF /Text] >>"
    w, h = size_pt
    for i, content in enumerate(pages):
        page_obj = page_first + 2 * i
        objs.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:.2f} {h:.2f}] "
                f"/Resources {resources} /Contents {page_obj + 1} 0 R >>"
            ).encode("ascii")
        )
        objs.append(_stream(zlib.compress(content, 6), "/Filter /FlateDecode"))
    out = bytearray(b"%PDF-1.6\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{num} 0 obj\n".encode("ascii") + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += b"".join(f"{o:010d} 00000 n \n".encode("ascii") for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R /Info 3 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode("ascii")
    try:
        write_private(Path(path), bytes(out))
    except OSError as exc:
        raise DubanError(f"无法写入 PDF 文件 {path}：{exc.strerror or exc}") from None


def write_private(path: Path, data: bytes) -> None:
    """Write a file readable by its owner only (letters are official papers, GUIDE §8).

    Written in place: a file cut short by a crash no longer matches the SHA-256 the
    register records, so printing renders it again rather than sending it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        os.chmod(path, 0o600)  # an existing file keeps its mode through O_TRUNC
    except OSError:
        pass
