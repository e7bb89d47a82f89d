"""Office settings from a TOML file: who the office is, letter prefixes, thresholds, printer.

Looked up in order: DUBAN_CONFIG, then `settings.toml` in the user's config directory.
A missing default file means the defaults; a missing DUBAN_CONFIG file or a broken one is an
error in Chinese, never a guess.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tui.errors import DubanError

ENV_CONFIG = "DUBAN_CONFIG"


@dataclass(frozen=True)
class Settings:
    office: str = "全面依法治区委员会办公室"  # 发文机关署名
    issuer_mark: str = "全面依法治区委员会办公室"  # 发文机关标志 (the red mark)
    letter_prefix: dict[str, str] = field(
        default_factory=lambda: {"提示": "依法治办提", "提醒": "依法治办醒", "督办": "依法治办督"}
    )
    contact: str = ""
    phone: str = ""
    cc: str = ""  # 抄送 for 督办函
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


_INT_FIELDS = {f.name for f in fields(Settings) if f.type == "int"}


def config_path() -> Path:
    override = os.environ.get(ENV_CONFIG)
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("duban", appauthor=False)) / "settings.toml"


def parse_settings(data: dict[str, Any], source: str) -> Settings:
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise DubanError(f"设置文件 {source} 中有未知的设置项：{key}")
        if key in _INT_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise DubanError(f"设置文件 {source} 中 {key} 应为非负整数，现为：{value!r}")
        elif key == "letter_prefix":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise DubanError(f'设置文件 {source} 中 letter_prefix 应为 提示/提醒/督办 = "前缀"')
            value = {**Settings().letter_prefix, **value}
        elif not isinstance(value, str):
            raise DubanError(f"设置文件 {source} 中 {key} 应为文字，现为：{value!r}")
        values[key] = value
    return replace(Settings(), **values)


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.exists():
        named = os.environ.get(ENV_CONFIG)
        if named and path == Path(named):  # named on purpose: a typo must not mean the defaults
            raise DubanError(f"环境变量 DUBAN_CONFIG 指向的设置文件不存在：{path}")
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise DubanError(f"设置文件不是 UTF-8 编码：{path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DubanError(f"设置文件格式有误：{path}（{exc}）") from exc
    return parse_settings(data, str(path))
