"""The unit directory: who a plan's owner names refer to, and which names stand for groups.

Plans name owner units loosely (司法局, 旗司法局, 阿拉善左旗司法局 are one unit) and use group
references (各镇、街道, 区直各部门). A per-region directory (TOML in ``data/units/``) lists the
units with their aliases and the groups with explicit members, so import can turn each owner
name into concrete units — or keep it visibly unresolved (待分解) when a human must decide.

Everything here is pure except ``load_directory`` / ``load_shipped_directories``, which only
read TOML files and hand the parsed dict to ``parse_directory``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.errors import DubanError
from tui.text import has_controls

KINDS: tuple[str, ...] = ("镇", "苏木", "街道", "部门", "其他")

_UNIT_KEYS = {"name", "kind", "aliases", "head", "contact", "phone", "address", "sample"}
_GROUP_KEYS = {"name", "aliases", "members"}
_TOP_KEYS = {"region", "prefixes", "match", "units", "groups"}


# --------------------------------------------------------------------------- names


_WS_RE = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_TRAIL_PUNCT = "。；，、：.,;:！!？?…·"
_LEAD_PUNCT = "。；，、：.,;:！!？?…·"


def normalize_name(s: str) -> str:
    """Canonical spelling of a unit or group name, so lookups ignore typesetting noise.

    Whitespace (also U+3000) is removed everywhere because Chinese unit names never contain
    spaces but extracted text often does; parentheses become full-width; leading and trailing
    punctuation is dropped.
    """
    s = _WS_RE.sub("", s or "")
    s = s.replace("(", "（").replace(")", "）")
    s = s.strip(_TRAIL_PUNCT)
    s = s.lstrip(_LEAD_PUNCT)
    return s


# Owner lists: separators between names (only outside brackets: 各县（市、区）政府 is one).
_SEPARATORS = frozenset("、，,；;/／ \t\u3000")
_OPEN, _CLOSE = "（(", "）)"
# A label some callers leave in front of the list: 牵头单位：…
_LABEL_RE = re.compile(r"^\s*(?:牵头|责任|参加|配合|协办|主办|参与)(?:单位|部门)\s*[:：]\s*")
# Parenthesised role markers after a name: 区司法局（牵头）
_ROLE_WRAP_RE = re.compile(
    r"[（(]\s*(?:牵头(?:单位|部门)?|负责|主责|配合(?:单位|部门)?|参与|参加|协办|主办|协助"
    r"|责任(?:单位|部门)?|按职责分工负责|按职责负责|分别负责|列第一位的为牵头单位"
    r"|排名第一的为牵头单位|第一个为牵头单位)\s*[）)]"
)
_BARE_KINDS = ("苏木镇", "街道", "苏木", "镇", "乡", "嘎查", "村", "社区")
# 各县、市、区政府: single region words after a 各… item belong to it.
_REGION_TAIL = re.compile(r"^[县市区旗盟](?:人民政府|政府)?$")
# A cell or field that says "none": —, -, /, 无, 暂无.
_NO_OWNER = re.compile(r"^(?:[—–\-－/／\\_＿·…]+|无|暂无|空|待定)$")
# Phrases trimmed off a name when the caller gives none (the importer passes its vocabulary).
DEFAULT_TRAILING: tuple[str, ...] = ("等",)


def _tokens(text: str) -> list[str]:
    """Split at separators outside brackets."""
    out: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
        if ch in _SEPARATORS and depth == 0:
            if current:
                out.append("".join(current))
                current = []
            continue
        current.append(ch)
    if current:
        out.append("".join(current))
    return out


def trim_trailing(name: str, trailing: tuple[str, ...]) -> str:
    """Drop phrases glued to the end of a name (区司法局按职责分工负责 → 区司法局), repeatedly;
    ``trailing`` is longest first. A name that is nothing but such a phrase becomes empty."""
    changed = True
    while changed and name:
        changed = False
        for phrase in trailing:
            if name.endswith(phrase):
                name = name[: -len(phrase)].rstrip("、，,；;")
                changed = True
                break
    return name


def split_owner_list(text: str, trailing: tuple[str, ...] = DEFAULT_TRAILING) -> list[str]:
    """Split one owner field into names, expanding 各镇、街道 to 各镇 + 各街道.

    The caller joins a name broken across lines before calling; this splits on 、，,；; and
    whitespace outside brackets, drops empties, trims ``trailing`` phrases (等, 按职责分工负责…)
    and strips role wrappers like （牵头）. A bare kind word (镇/街道/苏木/乡/苏木镇) following a
    各… item inherits the 各, because that is how plans write "all towns and all
    sub-districts"; single region words after a 各… item (各县、市、区政府) stay one group.
    """
    if not text:
        return []
    text = _LABEL_RE.sub("", text)
    text = _ROLE_WRAP_RE.sub("", text)
    pieces = _tokens(text)
    grouped: list[str] = []
    for piece in pieces:
        if grouped and grouped[-1].startswith("各") and _REGION_TAIL.match(piece):
            grouped[-1] += "、" + piece
        else:
            grouped.append(piece)
    # Re-attach single characters split off by stray spaces (区 司法局 → 区司法局).
    merged: list[str] = []
    for piece in grouped:
        if merged and (len(piece) == 1 or len(merged[-1]) == 1) and piece not in _BARE_KINDS:
            merged[-1] += piece
        else:
            merged.append(piece)
    names: list[str] = []
    prev_was_ge = False
    for raw in merged:
        name = trim_trailing(normalize_name(raw), trailing)
        name = normalize_name(name)
        if name in ("", "等") or _NO_OWNER.match(name):
            continue
        if name in _BARE_KINDS and prev_was_ge:
            name = "各" + name
        prev_was_ge = name.startswith("各")
        names.append(name)
    return names


_GROUP_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"^各",  # 各镇, 各有关部门, 各行政执法部门, 各级…
        r"^其他",  # 其他区政府组成部门, 其他有行政裁决职能的区直部门
        r"^(?:全体|所有|全[区旗县市盟]各?)",
        r"直(?:各|有关|相关|其他|其它|所属)",  # 区直各部门, 旗直有关部门, 区直其他部门
        r"(?:有关|相关|其他|其它)(?:部门|单位|机关|机构)",
        r"各[^、，]*?(?:部门|单位|机关|机构|委办局|部委办局)$",  # 区直各执法部门
        r"(?:组成|工作)部门$",  # 区政府组成部门, 区人民政府及其组成部门
        r"^[区旗县市盟]直(?:部门|单位|机关)$",
        r"成员单位$",
        r"等(?:部门|单位|机关)$",
    )
)


def is_group_reference(name: str) -> bool:
    """True when the name stands for a set of units (各镇, 区直有关部门…), not one unit.

    Unit names such as 区委依法治区办 contain region words, so the test looks only for
    quantifier patterns (各, 其他, 有关, 直各, 组成部门…), never for the region character.
    """
    n = normalize_name(name)
    if not n:
        return False
    return any(p.search(n) for p in _GROUP_PATTERNS)


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class UnitEntry:
    """One unit as listed in a directory; head/contact feed the letters."""

    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    head: str = ""
    contact: str = ""
    phone: str = ""
    address: str = ""
    sample: bool = False


@dataclass(frozen=True)
class GroupEntry:
    """A named set of units; members are canonical unit names of the same directory."""

    name: str
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Directory:
    """All units and groups of one region, with lookups tolerant of prefix and alias spelling."""

    region: str
    prefixes: tuple[str, ...]
    match: tuple[str, ...]
    units: tuple[UnitEntry, ...]
    groups: tuple[GroupEntry, ...] = ()
    source: str = ""
    _exact: dict[str, UnitEntry] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _loose: dict[str, tuple[UnitEntry, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _groups: dict[str, GroupEntry] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        exact: dict[str, UnitEntry] = {}
        loose: dict[str, list[UnitEntry]] = {}
        for unit in self.units:
            for spelling in (unit.name, *unit.aliases):
                key = normalize_name(spelling)
                exact.setdefault(key, unit)
                bucket = loose.setdefault(self._strip_region(key), [])
                if unit not in bucket:
                    bucket.append(unit)
        groups: dict[str, GroupEntry] = {}
        for group in self.groups:
            for spelling in (group.name, *group.aliases):
                groups.setdefault(normalize_name(spelling), group)
        object.__setattr__(self, "_exact", exact)
        object.__setattr__(self, "_loose", {k: tuple(v) for k, v in loose.items()})
        object.__setattr__(self, "_groups", groups)

    def _strip_region(self, key: str) -> str:
        """Drop one leading region word (the region name, a match word or a prefix char)."""
        candidates = sorted({self.region, *self.match, *self.prefixes}, key=len, reverse=True)
        for word in candidates:
            if word and key.startswith(word) and len(key) > len(word):
                return key[len(word) :]
        return key

    def resolve(self, name: str) -> UnitEntry | None:
        """The unit a plan means by ``name``; None when unknown or ambiguous."""
        key = normalize_name(name)
        if not key:
            return None
        hit = self._exact.get(key)
        if hit is not None:
            return hit
        matches = self._loose.get(self._strip_region(key), ())
        return matches[0] if len(matches) == 1 else None

    def resolve_group(self, name: str) -> GroupEntry | None:
        """The defined group behind a group reference; None means it stays 待分解."""
        return self._groups.get(normalize_name(name))

    def unit(self, name: str) -> UnitEntry | None:
        """A unit by its canonical name only (as listed in group members)."""
        key = normalize_name(name)
        for unit in self.units:
            if unit.name == key:
                return unit
        return None

    def group_units(self, group: GroupEntry) -> tuple[UnitEntry, ...]:
        """The member units of a group, in directory order of the members list."""
        found = (self.unit(m) for m in group.members)
        return tuple(u for u in found if u is not None)


# --------------------------------------------------------------------------- parsing


def _err(source: str, what: str) -> DubanError:
    return DubanError(f"单位名录 {source} 有误：{what}")


def _str(value: Any, source: str, where: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _err(source, f"{where}应为文字，实际为 {value!r}")
    if has_controls(value):
        raise _err(
            source, f"{where}含有不可见的控制字符（{value.encode('unicode_escape').decode()}）"
        )
    return value.strip()


def _str_list(value: Any, source: str, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _err(source, f'{where}应为文字列表，如 ["司法局"]')
    return tuple(normalize_name(v) for v in value if normalize_name(v))


def _check_keys(entry: Mapping[str, Any], allowed: set[str], source: str, where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise _err(source, f"{where}含有未知字段：{'、'.join(unknown)}")


def parse_directory(data: Mapping[str, Any], source: str) -> Directory:
    """Validate a directory dict (as read from TOML) and build the ``Directory``.

    Errors name the file and the offending entry in Chinese, because staff edit these files
    by hand and must be able to fix them without reading code.
    """
    if not isinstance(data, Mapping):
        raise _err(source, "文件内容应为 TOML 表")
    _check_keys(data, _TOP_KEYS, source, "文件顶层")
    region = _str(data.get("region"), source, "region（地区名称）")
    if not region:
        raise _err(source, "缺少 region（地区名称）")
    prefixes = _str_list(data.get("prefixes"), source, "prefixes（简称可省略的前缀）")
    for p in prefixes:
        if len(p) != 1:
            raise _err(source, f'prefixes 中的“{p}”应为单个字，如 "区"、"旗"')
    match = _str_list(data.get("match"), source, "match（识别地区的词）")
    if not match:
        match = (region,)

    raw_units = data.get("units") or []
    if not isinstance(raw_units, list) or not raw_units:
        raise _err(source, "至少需要一个 [[units]] 单位")
    units: list[UnitEntry] = []
    seen: dict[str, str] = {}  # spelling -> owner description
    for i, raw in enumerate(raw_units, start=1):
        if not isinstance(raw, Mapping):
            raise _err(source, f"第 {i} 个单位格式不对，应为 [[units]] 表")
        name = normalize_name(_str(raw.get("name"), source, f"第 {i} 个单位的 name"))
        if not name:
            raise _err(source, f"第 {i} 个单位缺少 name（名称）")
        where = f"单位“{name}”"
        _check_keys(raw, _UNIT_KEYS, source, where)
        kind = _str(raw.get("kind"), source, f"{where}的 kind")
        if kind not in KINDS:
            raise _err(source, f"{where}的类型 kind=“{kind}”无效，应为：{'、'.join(KINDS)}")
        sample = raw.get("sample", False)
        if not isinstance(sample, bool):
            raise _err(source, f"{where}的 sample 应为 true 或 false")
        aliases = tuple(
            a for a in _str_list(raw.get("aliases"), source, f"{where}的 aliases") if a != name
        )
        for spelling in (name, *aliases):
            if spelling in seen:
                raise _err(source, f"{where}的名称或别名“{spelling}”与{seen[spelling]}重复")
            seen[spelling] = where
        units.append(
            UnitEntry(
                name=name,
                kind=kind,
                aliases=tuple(dict.fromkeys(aliases)),
                head=_str(raw.get("head"), source, f"{where}的 head"),
                contact=_str(raw.get("contact"), source, f"{where}的 contact"),
                phone=_str(raw.get("phone"), source, f"{where}的 phone"),
                address=_str(raw.get("address"), source, f"{where}的 address"),
                sample=sample,
            )
        )
    by_spelling = {}
    for unit in units:
        for spelling in (unit.name, *unit.aliases):
            by_spelling[spelling] = unit.name

    raw_groups = data.get("groups") or []
    if not isinstance(raw_groups, list):
        raise _err(source, "groups 应写成 [[groups]] 表")
    groups: list[GroupEntry] = []
    for i, raw in enumerate(raw_groups, start=1):
        if not isinstance(raw, Mapping):
            raise _err(source, f"第 {i} 个分组格式不对，应为 [[groups]] 表")
        name = normalize_name(_str(raw.get("name"), source, f"第 {i} 个分组的 name"))
        if not name:
            raise _err(source, f"第 {i} 个分组缺少 name（名称）")
        where = f"分组“{name}”"
        _check_keys(raw, _GROUP_KEYS, source, where)
        aliases = tuple(
            a for a in _str_list(raw.get("aliases"), source, f"{where}的 aliases") if a != name
        )
        for spelling in (name, *aliases):
            if spelling in seen:
                raise _err(source, f"{where}的名称或别名“{spelling}”与{seen[spelling]}重复")
            seen[spelling] = where
        members_raw = _str_list(raw.get("members"), source, f"{where}的 members")
        if not members_raw:
            raise _err(source, f"{where}没有成员（members 为空）")
        members: list[str] = []
        for m in members_raw:
            canonical = by_spelling.get(m)
            if canonical is None:
                raise _err(source, f"{where}的成员“{m}”不在 [[units]] 单位列表中")
            if canonical not in members:
                members.append(canonical)
        groups.append(
            GroupEntry(name=name, aliases=tuple(dict.fromkeys(aliases)), members=tuple(members))
        )

    return Directory(
        region=region,
        prefixes=prefixes,
        match=match,
        units=tuple(units),
        groups=tuple(groups),
        source=source,
    )


def load_directory(path: str | Path) -> Directory:
    """Read one directory TOML file (UTF-8) and validate it."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DubanError(f"找不到单位名录文件：{p}") from None
    except UnicodeDecodeError:
        raise DubanError(f"单位名录 {p} 不是 UTF-8 编码，请另存为 UTF-8 后重试") from None
    except OSError as exc:
        raise DubanError(f"无法读取单位名录 {p}：{exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DubanError(f"单位名录 {p} 格式错误（TOML）：{exc}") from None
    return parse_directory(data, str(p))


def load_shipped_directories() -> list[Directory]:
    """All directories shipped in ``data/units/*.toml``, in file-name order."""
    from tui.paths import data_dir

    folder = data_dir() / "units"
    return [load_directory(p) for p in sorted(folder.glob("*.toml"))]


# --------------------------------------------------------------------------- regions


def detect_region(text: str, directories: Iterable[Directory]) -> Directory | None:
    """The directory whose match words occur most often in ``text``; None if none or a tie.

    Counting uses one longest-first alternation so 东胜区 is not counted again as 东胜.
    """
    best: Directory | None = None
    best_count = 0
    tie = False
    for directory in directories:
        words = sorted({w for w in directory.match if w}, key=len, reverse=True)
        if not words:
            continue
        pattern = re.compile("|".join(re.escape(w) for w in words))
        count = len(pattern.findall(text or ""))
        if count > best_count:
            best, best_count, tie = directory, count, False
        elif count == best_count and count > 0:
            tie = True
    if best_count < 1 or tie:
        return None
    return best
