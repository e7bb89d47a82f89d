"""Office settings from a TOML file: who the office is, letter codes, thresholds, printer.

Looked up in order: DUBAN_CONFIG, then `settings.toml` in the user's config directory.
No file at the default place means the defaults; a DUBAN_CONFIG naming a file that does not
exist, or a broken file, is an error in Chinese — never a silent guess (an office that
mistyped the path would otherwise sign letters with somebody else's name).

The office's identity (name, red mark, short name, letter codes, 抄送) may be left out: it
is then suggested from the region the office governs — the `region` setting, else the
region of the plan or unit a letter is about — so a 旗 office gets "全面依法治旗委员会办公室",
never the 区 default. `duban settings` shows every value in effect and where it came from;
`duban setup` writes the file (tui/config_cli.py).
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tui.config_file import (  # noqa: F401 - re-exported
    ENV_CONFIG,
    config_path,
    require_config_file,
)
from tui.errors import DubanError

KINDS = ("提示", "提醒", "督办")
LEVELS = "旗区县市"
GENERIC_PREFIX = {"提示": "依法治办提", "提醒": "依法治办醒", "督办": "依法治办督"}
IDENTITY = ("office", "issuer_mark", "office_short", "cc")

# What each setting is, in the words `duban settings` and `duban setup` use.
LABELS: Mapping[str, str] = {
    "region": "地区（旗/区/县/市）",
    "office": "发文机关全称（署名）",
    "issuer_mark": "发文机关标志（红头）",
    "office_short": "发文机关简称（正文用）",
    "letter_prefix": "发文字号代字",
    "contact": "联系人",
    "phone": "联系电话",
    "cc": "督办函抄送",
    "signers": "签发人",
    "printer": "打印机队列",
    "operator": "操作人",
    "soon_days": "临期天数",
    "reminder_days": "提示函：期限前天数",
    "no_progress_days": "提示函：无进展天数",
    "supervision_days": "督办函：逾期天数",
    "reply_workdays": "回复期限（工作日）",
    "font_file": "函件字体文件",
    "holidays_dir": "节假日文件目录",
    "templates_dir": "本单位函件模板目录",
    "backup_daily": "自动备份：保留天数",
    "backup_weekly": "自动备份：保留周数",
}


@dataclass(frozen=True)
class Settings:
    """The office's settings (settings.toml); every field has a default."""

    region: str = ""  # the region the office governs, e.g. 达拉特旗; suggests the identity
    office: str = ""  # 发文机关署名 (full name)
    issuer_mark: str = ""  # 发文机关标志 (the red mark)
    office_short: str = ""  # 发文机关简称, used in the body ("旗委依法治旗办")
    letter_prefix: dict[str, str] = field(default_factory=dict)  # 提示/提醒/督办 → code
    contact: str = ""
    phone: str = ""
    cc: str = ""  # 抄送 for 督办函
    signers: tuple[str, ...] = ()  # who may sign (签发人); empty = anyone named
    operator: str = ""  # who records changes; default: DUBAN_USER or the login name
    soon_days: int = 15  # 临期: due within N days
    reminder_days: int = 7  # 提示函: due within N days …
    no_progress_days: int = 30  # … and no progress for N days
    supervision_days: int = 30  # 督办函: overdue ≥ M days
    reply_workdays: int = 5  # every letter asks for a reply within K working days
    printer: str = ""  # CUPS queue name; empty = the system default
    font_file: str = ""  # a FangSong TTF/OTF for letters; empty = office font or shipped subset
    holidays_dir: str = ""  # extra holiday files (e.g. 2027.toml); default data/holidays/
    templates_dir: str = ""  # the office's own letter templates (same file names win)
    backup_daily: int = 7  # automatic daily backups kept beside the store (0 = none)
    backup_weekly: int = 4  # … and one per week for N weeks before those
    # where each value came from: setting name (letter_prefix.提示 for a code) → source
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def calendar(self):
        """China's working-day calendar with the office's holiday files (settings or data/)."""
        from tui.domain.calendar import WorkCalendar

        return WorkCalendar.from_dir(self.holidays_dir or None)

    def ladder(self):
        from tui.domain.escalation import LadderSettings

        return LadderSettings(
            reminder_days=self.reminder_days,
            no_progress_days=self.no_progress_days,
            supervision_days=self.supervision_days,
            reply_workdays=self.reply_workdays,
            soon_days=self.soon_days,
        )

    def for_region(self, region: str = "") -> Settings:
        """These settings with the identity the file leaves out suggested from the region
        (the `region` setting wins over the one passed, e.g. a letter's unit's)."""
        region = self.region or region
        hint = suggest_identity(region)
        values: dict[str, Any] = {}
        sources = dict(self.sources)
        why = f"按地区“{region}”推定（设置中未写）"
        for key in IDENTITY:
            if not getattr(self, key) and hint.get(key):
                values[key] = hint[key]
                sources[key] = why
        prefix = dict(self.letter_prefix)
        for kind in KINDS:
            if not prefix.get(kind):
                if hint.get("letter_prefix"):
                    prefix[kind] = hint["letter_prefix"][kind]
                    sources[f"letter_prefix.{kind}"] = why
                else:
                    prefix[kind] = GENERIC_PREFIX[kind]
                    sources.setdefault(
                        f"letter_prefix.{kind}", "默认值（未设置，也没有地区可推定）"
                    )
        values["letter_prefix"] = prefix
        return replace(self, sources=sources, **values)

    def require_identity(self) -> None:
        """A letter is signed only in the office's own name."""
        if not self.office.strip() or not self.issuer_mark.strip():
            raise DubanError(
                "尚未设置发文机关名称和红头（office、issuer_mark），也无法按地区推定；"
                "请先运行 duban setup"
            )


_INT_FIELDS = {f.name for f in fields(Settings) if f.type == "int"}
# What each number may be: a reply asked for within a day to three months of working days;
# the other thresholds within ten years. Out of range is a typing mistake, and a huge value
# would carry a reply deadline past the calendar's end.
INT_RANGES = {
    "reply_workdays": (1, 60),
    "soon_days": (0, 366),
    "reminder_days": (0, 366),
    "no_progress_days": (1, 3660),
    "supervision_days": (0, 3660),
    "backup_daily": (0, 366),
    "backup_weekly": (0, 520),
}


def suggest_identity(region: str) -> dict[str, Any]:
    """The identity an office of this region usually has (旗/区/县/市 from the name's end).

    "达拉特旗" → 中共达拉特旗委全面依法治旗委员会办公室, 旗委依法治旗办, 达依法治办提…"""
    region = (region or "").strip()
    if not region or region[-1] not in LEVELS:
        return {}
    level = region[-1]
    office = f"中共{region}委全面依法治{level}委员会办公室"
    code = f"{region[0]}依法治办"
    return {
        "office": office,
        "issuer_mark": office,
        "office_short": f"{level}委依法治{level}办",
        "letter_prefix": {"提示": f"{code}提", "提醒": f"{code}醒", "督办": f"{code}督"},
        "cc": f"{level}委、{level}政府分管领导",
    }


def parse_settings(data: dict[str, Any], source: str) -> Settings:
    known = {f.name for f in fields(Settings)} - {"sources"}
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    where = f"设置文件 {source}"
    for key, value in data.items():
        if key == "keys":  # the desk's key remapping table, read by tui.app.keymap
            continue
        if key not in known:
            raise DubanError(f"设置文件 {source} 中有未知的设置项：{key}")
        if key in _INT_FIELDS:
            lo, hi = INT_RANGES.get(key, (0, 3660))
            if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
                raise DubanError(
                    f"设置文件 {source} 中 {key} 应为 {lo} 到 {hi} 之间的整数，现为：{value!r}"
                )
        elif key == "letter_prefix":
            if not isinstance(value, dict) or not all(
                isinstance(v, str) and k in KINDS for k, v in value.items()
            ):
                raise DubanError(f'设置文件 {source} 中 letter_prefix 应为 提示/提醒/督办 = "代字"')
            value = {k: v.strip() for k, v in value.items() if v.strip()}
            for k in value:
                sources[f"letter_prefix.{k}"] = where
            values[key] = value
            continue
        elif key == "signers":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise DubanError(
                    f'设置文件 {source} 中 signers 应为姓名列表，如 ["王某某", "李某某"]'
                )
            value = tuple(v.strip() for v in value if v.strip())
        elif not isinstance(value, str):
            raise DubanError(f"设置文件 {source} 中 {key} 应为文字，现为：{value!r}")
        values[key] = value
        sources[key] = where
    return replace(Settings(), sources=sources, **values)


def load_settings(path: Path | None = None, *, missing_ok: bool = False) -> Settings:
    """The settings in effect. A file named by DUBAN_CONFIG must exist unless `missing_ok`
    (duban setup is about to create it); no file at the default place means the defaults."""
    explicit = path is None or path == config_path()
    path = path or config_path()
    if not path.exists():
        if os.environ.get(ENV_CONFIG) and explicit and not missing_ok:
            # named on purpose: a typo must not mean the defaults
            raise DubanError(
                f"环境变量 DUBAN_CONFIG 指向的设置文件不存在：{path}（可用 duban setup 生成）"
            )
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DubanError(f"设置文件不是 UTF-8 编码：{path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DubanError(f"设置文件格式有误：{path}（{exc}）") from exc
    except OSError as exc:
        raise DubanError(f"无法读取设置文件：{path}（{exc.strerror}）") from exc
    return parse_settings(data, str(path))


def read_raw(path: Path) -> dict[str, Any]:
    """The file's own values (to merge into when writing), {} when there is none."""
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, OSError) as exc:
        raise DubanError(f"现有设置文件无法读取，未改动：{path}（{exc}）") from exc


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # a JSON string is a valid TOML basic string (same escapes, \\uXXXX included)
    return json.dumps(str(value), ensure_ascii=False)


def to_toml(data: Mapping[str, Any]) -> str:
    """Settings as TOML: keys in the order of `Settings`, the codes as a [letter_prefix] table."""
    order = [f.name for f in fields(Settings) if f.name != "sources"]
    lines = ["# 督办台设置（duban setup 写入；可用记事本修改，保存为 UTF-8）"]
    for key in order:
        if key == "letter_prefix" or key not in data:
            continue
        lines.append(f"{key} = {_toml_value(data[key])}  # {LABELS.get(key, key)}")
    prefix = data.get("letter_prefix") or {}
    if prefix:
        lines += ["", f"[letter_prefix]  # {LABELS['letter_prefix']}"]
        for kind in KINDS:
            if prefix.get(kind):
                lines.append(
                    f"{json.dumps(kind, ensure_ascii=False)} = {_toml_value(prefix[kind])}"
                )
    return "\n".join(lines) + "\n"


def write_settings(path: Path, data: Mapping[str, Any]) -> Settings:
    """Write the settings file (owner-only, through a temporary file) and load it back —
    so what was written is known to be valid."""
    text = to_toml(data)
    check = parse_settings(tomllib.loads(text), str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise DubanError(f"无法写入设置文件：{path}（{exc.strerror or exc}）") from exc
    return check
