"""Where the settings file is, and the one check every command makes on it before it runs,
kept apart from `tui.config` (TOML parser, settings dataclass): `duban overdue` is timed as
a whole process and reads no settings, and `duban import` only looks beside the file for
the office's vocab.toml."""

from __future__ import annotations

import os
from pathlib import Path

from tui.errors import DubanError

ENV_CONFIG = "DUBAN_CONFIG"


def require_config_file() -> None:
    """A DUBAN_CONFIG naming a file that does not exist is a mistake to say, not to guess
    around: every command but `duban setup` (which creates it) stops with one line."""
    override = os.environ.get(ENV_CONFIG)
    if override and not os.path.exists(override):
        raise DubanError(
            f"环境变量 DUBAN_CONFIG 指向的设置文件不存在：{override}（可用 duban setup 生成）"
        )


def config_path() -> Path:
    """The settings file: DUBAN_CONFIG, else settings.toml in the user's config folder."""
    override = os.environ.get(ENV_CONFIG)
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("duban", appauthor=False)) / "settings.toml"
