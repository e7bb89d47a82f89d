"""Small helpers shared by the command implementations."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from tui.errors import DubanError


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def print_json(data: Any) -> None:
    """JSON on stdout: UTF-8, dates as ISO strings."""

    def default(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=default) + "\n")


def parse_date(value: str | None, what: str = "日期") -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DubanError(f"{what}格式不对：{value}（应为 YYYY-MM-DD）") from exc


def engine(args, *, create: bool = True):
    from tui.store.db import make_engine

    return make_engine(getattr(args, "db", None), create=create)
