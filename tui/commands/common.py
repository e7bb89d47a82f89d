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


_OPENED: list = []


def engine(args, *, create: bool = False, readonly: bool = False):
    """The store named by ``--db`` / DUBAN_DB / the default, closed by `close_engines`.

    ``create``: a missing store is created (only commands meant to start one);
    ``readonly``: listings, which must not create or change anything.
    """
    from tui.store.db import make_engine

    eng = make_engine(getattr(args, "db", None), create=create, readonly=readonly)
    _OPENED.append(eng)
    return eng


def scratch_engine(args):
    """An in-memory copy of the store for a dry run (see tui.store.db.scratch_engine)."""
    from tui.store.db import scratch_engine as scratch

    eng = scratch(getattr(args, "db", None))
    _OPENED.append(eng)
    return eng


def close_engines() -> None:
    """Checkpoint and close what this command opened, so the `.db` file alone is complete."""
    if not _OPENED:
        return
    from tui.store.db import dispose_engine

    while _OPENED:
        dispose_engine(_OPENED.pop())
