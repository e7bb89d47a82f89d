"""File names that work on Windows and Linux whatever a unit is called.

Unit names come from plan documents and directories typed by people: they may hold
slashes (司法局/法律援助中心), colons, quotes, invisible bidi or zero-width characters
pasted from the web, control characters, or be very long. A name is made safe by:

- NFC normalisation, then dropping control characters (C0, C1, DEL), bidi marks and
  embeddings/isolates (U+061C, U+200E/F, U+202A–202E, U+2066–2069) and zero-width
  characters (U+200B–200D, U+2060, U+FEFF): they can disguise an extension (``…exe``
  shown as ``…fdp.exe`` reversed) and never belong in a name;
- replacing the characters Windows forbids (``\\ / : * ? " < > |``) with ``_``;
- trimming spaces and dots at both ends (Windows drops trailing ones, a leading dot
  hides a file on Linux);
- prefixing ``_`` to a name Windows reserves (CON, PRN, AUX, NUL, COM1–9, LPT1–9, also
  with an extension such as ``CON.txt``);
- cutting the stem, at a character boundary, so the whole name with its extension is at
  most 200 bytes of UTF-8 (file systems count bytes: 255 on ext4, and a Chinese character
  is 3 bytes).

`unique_stems` gives every unit its own stem: two names that clean up to the same text,
or that differ only in letter case (the same file on Windows and macOS), get the unit's
id appended.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MAX_NAME_BYTES = 200
_FORBIDDEN = re.compile(r'[\\/:*?"<>|]')
_INVISIBLE = {
    0x061C,
    0x200B,
    0x200C,
    0x200D,
    0x200E,
    0x200F,
    0x202A,
    0x202B,
    0x202C,
    0x202D,
    0x202E,
    0x2060,
    0x2066,
    0x2067,
    0x2068,
    0x2069,
    0xFEFF,
}
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{dev}{n}" for dev in ("COM", "LPT") for n in (*range(1, 10), "¹", "²", "³")
}


def _keep(ch: str) -> bool:
    cp = ord(ch)
    if cp < 0x20 or 0x7F <= cp <= 0x9F or cp in _INVISIBLE:
        return False
    return unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn")


def clean_name(text: str) -> str:
    """The text with invisible and forbidden characters removed or replaced."""
    text = unicodedata.normalize("NFC", text)
    text = "".join(ch if _keep(ch) else (" " if ch in "\t\n\r" else "") for ch in text)
    text = _FORBIDDEN.sub("_", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip(" .")


def _is_reserved(stem: str) -> bool:
    return stem.split(".", 1)[0].strip().upper() in _RESERVED


def cut_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 encoding fits ``limit`` bytes."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def safe_stem(name: str, *, fallback: str = "未命名", reserve: int = 10) -> str:
    """A file name stem from any text; ``reserve`` bytes are kept for the extension."""
    stem = clean_name(name)
    if not stem:
        stem = clean_name(fallback) or "未命名"
    if _is_reserved(stem):
        stem = "_" + stem
    stem = cut_bytes(stem, MAX_NAME_BYTES - reserve).rstrip(" .")
    return stem or "_"


def unique_stems(named: Iterable[tuple[int, str]], suffix: str = "") -> dict[int, str]:
    """A safe stem per id, each unique even on a case-insensitive file system.

    ``named`` is (id, text) pairs; ``suffix`` is added to every stem before the check
    (e.g. "任务清单"). Clashes get "（id）" appended, still within the byte limit.
    """
    out: dict[int, str] = {}
    seen: set[str] = set()
    pairs = list(named)
    # Whoever would clash gets the id: decided on all names first, so the result does not
    # depend on the order the units come in.
    plain = {i: safe_stem(text + suffix, fallback=f"{i}{suffix}") for i, text in pairs}
    counts: dict[str, int] = {}
    for stem in plain.values():
        counts[stem.casefold()] = counts.get(stem.casefold(), 0) + 1
    for i, _text in pairs:
        stem = plain[i]
        if counts[stem.casefold()] > 1 or stem.casefold() in seen:
            tag = f"（{i}）"
            stem = cut_bytes(stem, MAX_NAME_BYTES - 10 - len(tag.encode("utf-8"))) + tag
        n = 2
        base = stem
        while stem.casefold() in seen:
            stem = f"{base}-{n}"
            n += 1
        seen.add(stem.casefold())
        out[i] = stem
    return out
