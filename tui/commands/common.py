"""Small helpers shared by the command implementations."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date

from tui.errors import DubanError

TYPE_CHECKING = False  # what typing.TYPE_CHECKING says at run time, without importing typing
if TYPE_CHECKING:
    from typing import Any


def add_region(p) -> None:
    """`--region`: a city store holds several counties' plans; a listing or report can keep
    to one of them (the plans' region)."""
    p.add_argument("--region", metavar="地区", help="只看某地区的计划（市级库中某旗县区的数据）")


def console(stderr: bool = False):
    """Rich output; piped or redirected, lines are never wrapped at 80 columns."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, highlight=False, soft_wrap=not _isatty(stream))


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def plain_cell(value: Any) -> str:
    """A cell for tab-separated output: text only, no tabs or line breaks inside."""
    text = getattr(value, "plain", value)
    return " ".join(str(text).split()) if text is not None else ""


def print_rows(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A table: boxed by Rich on a terminal; piped, plain tab-separated lines with every cell
    whole (nothing cut at 80 columns), ready for `cut -f`, a spreadsheet or another program.

    Cells may be `str` or `rich.text.Text` (never markup strings: text from documents is data).
    """
    if not _isatty(sys.stdout):
        lines = ["\t".join(headers)]
        lines += ["\t".join(map(plain_cell, row)) for row in rows]
        sys.stdout.write("\n".join(lines) + "\n")
        return
    from rich.table import Table
    from rich.text import Text

    table = Table()
    for h in headers:
        table.add_column(h)
    for row in rows:
        table.add_row(*(c if isinstance(c, Text) else Text(str(c)) for c in row))
    console().print(table)


def print_json(data: Any) -> None:
    """JSON on stdout: UTF-8, dates as ISO strings."""

    def default(value: Any) -> Any:
        if isinstance(value, date):
            return value.isoformat()
        raise TypeError(type(value).__name__)

    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=default) + "\n")


def print_json_array(items) -> None:
    """A JSON array streamed item by item: one compact item per line, written by the C
    encoder (an indented dump of 200,000 assignments takes seconds in pure Python)."""
    encode = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
    out = sys.stdout
    items = iter(items)
    head = next(items, None)  # any error of the queries comes before the first byte
    if head is None:
        out.write("[]\n")
        return
    out.write("[\n  " + encode(head))
    for item in items:
        out.write(",\n  ")
        out.write(encode(item))
    out.write("\n]\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


FIRST_YEAR, LAST_YEAR = 1900, 2100


def parse_date(value: str | None, what: str = "日期") -> date:
    """A date the user typed (YYYY-MM-DD, years 1900–2100); today when none was given."""
    if not value:
        return date.today()
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise DubanError(f"{what}格式不对：{value}（应为 YYYY-MM-DD）") from exc
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DubanError(f"{what}超出范围：{value}（应在 {FIRST_YEAR}–{LAST_YEAR} 年之间）")
    return day


_OPENED: list = []
# What this command has already saved, for a Ctrl+C that comes after the commit.
_COMMITTED: list[str] = []


def note_committed(what: str) -> None:
    """Say that ``what`` is saved: an interruption after this point must not look like a
    loss (the report that follows may take long to print)."""
    _COMMITTED.append(what)


def committed_so_far() -> list[str]:
    done = list(_COMMITTED)
    _COMMITTED.clear()
    return done


def engine(args, *, create: bool = False, readonly: bool = False):
    """The store named by ``--db`` / DUBAN_DB / the default, closed by `close_engines`.

    ``create``: a missing store is created (only commands meant to start one);
    ``readonly``: listings, which must not create or change anything.
    """
    from tui.store.db import make_engine
    from tui.store.location import resolve_db_url, sqlite_path

    path = None if readonly else sqlite_path(resolve_db_url(getattr(args, "db", None)))
    existed = path is not None and path.is_file()  # a store made just now needs no copy
    eng = make_engine(getattr(args, "db", None), create=create, readonly=readonly)
    _OPENED.append(eng)
    if existed:
        _daily_backup(path)
    return eng


def import_store(args):
    """The store `duban import` writes to, closed by `close_engines`: a SQLite file at this
    program's schema version, or one created now, is opened without SQLAlchemy
    (tui.store.lite: importing it was most of a small import's time); anything else — a
    server, an older or newer store — through `engine` as every other command."""
    from tui.store.lite import open_lite
    from tui.store.location import resolve_db_url, sqlite_path

    db = getattr(args, "db", None)
    path = sqlite_path(resolve_db_url(db))
    existed = path is not None and path.is_file()  # a store made just now needs no copy
    store = open_lite(db, create=True)
    if store is None:
        return engine(args, create=True)
    _OPENED.append(store)
    if existed:
        _daily_backup(path)
    return store


def _daily_backup(path) -> None:
    """Before the first write of the day, a copy of the store (see tui.store.backups). A
    backup that cannot be made is said, once, and the command goes on: it is not the
    command's own failure."""
    from tui.services.daily_backup import auto_backup

    try:
        auto_backup(path)
    except DubanError as exc:
        from rich.text import Text  # only to say so: most commands never load Rich's text

        console(stderr=True).print(Text(f"提示：今天的自动备份未完成：{exc.message}"))


def scratch_engine(args):
    """An in-memory copy of the store for a dry run (see tui.store.db.scratch_engine)."""
    from tui.store.db import scratch_engine as scratch

    eng = scratch(getattr(args, "db", None))
    _OPENED.append(eng)
    return eng


def close_engines() -> None:
    """Checkpoint and close what this command opened, so the `.db` file alone is complete."""
    while _OPENED:
        opened = _OPENED.pop()
        if hasattr(opened, "lite_transaction"):  # tui.store.lite: no SQLAlchemy to load
            opened.close()
            continue
        from tui.store.db import dispose_engine

        dispose_engine(opened)
