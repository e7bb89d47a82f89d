"""Where shipped data lives: `tui/data/` in an installed wheel, `data/` in a checkout, or DUBAN_DATA.

setup.py ships the checkout's `data/` folder inside the package as `tui/data`, so the same
samples, unit directories, templates, fonts and holiday files are found either way.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir() -> Path:
    override = os.environ.get("DUBAN_DATA")
    if override:
        return Path(override)
    installed = _PACKAGE / "data"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "data"
