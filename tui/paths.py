"""Where shipped data lives: `data/` beside the package (editable install), or DUBAN_DATA."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    override = os.environ.get("DUBAN_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "data"
