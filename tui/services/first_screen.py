"""The desk's first screen, read before anything heavy is imported.

`duban` starts this read (in a child process: `tui.forked`) the moment it knows the store
file (it needs only the standard library's sqlite3 and the aggregate queries of
`tui.store.overview`), while Textual is still being imported; the overview draws its
counts from it, and SQLAlchemy, the store models, pypinyin and the other tabs are loaded
after that first paint. The numbers are the
board's own (`Board.overview` gives the same Overview once the whole board is read).

A PostgreSQL store takes the same way with psycopg alone (`tui.store.pg_first`): the one
stated exception to "every read goes through the store's Engine" — the Engine is what
importing SQLAlchemy and opening the store build, and this read runs before both. A server
store not at this program's schema (or unreachable) fails the read, and the desk opens it
the ordinary way, which upgrades it or says what is wrong.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from tui.domain.status import Status
from tui.store.overview import (
    LetterLine,
    PlanFigure,
    Tally,
    UnitFigure,
    letter_lines,
    load_tally,
    pending_total,
    plan_figures_of,
    status_counts,
    unit_figures_of,
)
from tui.store.sqlite_files import open_readonly

__all__ = ["LetterLine", "Overview", "read_first_screen", "start_first_screen"]


@dataclass
class Overview:
    """What the first screen shows: counts per light, units ranked, plans, letters."""

    as_of: date
    counts: dict[Status, int]
    total: int
    pending: int  # held by an unresolved group (待分解)
    figures: list[UnitFigure]
    plans: list[PlanFigure]
    plan_count: int  # plans in the store (some may have no assignments yet)
    letters: list  # LetterRow from the board, LetterLine from the first read

    @classmethod
    def of(cls, as_of: date, tally: Tally, letters: list) -> Overview:
        counts = status_counts(tally)
        return cls(
            as_of,
            counts,
            sum(counts.values()),
            pending_total(tally),
            unit_figures_of(tally),
            plan_figures_of(tally),
            len(tally.plans),
            letters,
        )


def read_first_screen(source: Path | str, as_of: date, *, soon_days: int = 15) -> Overview:
    """The overview of the SQLite store at ``source`` (a file at this program's schema
    version: `tui.store.schema_version.file_is_current`), or of the PostgreSQL store at
    that URL, over the DB-API, read-only."""
    if isinstance(source, Path):
        conn = open_readonly(source)
    else:
        from tui.store.pg_first import open_current

        conn = open_current(source)
        if conn is None:
            raise LookupError("the server store takes the ordinary way")
    try:
        tally = load_tally(conn, as_of=as_of, soon_days=soon_days)
        letters = letter_lines(conn, today=as_of)
    finally:
        conn.close()
    return Overview.of(as_of, tally, letters)


def start_first_screen(path: Path | str, as_of: date, *, soon_days: int = 15) -> Future[Overview]:
    """`read_first_screen` started now, beside the imports that follow; its result (or
    error) in the future returned. It runs in a forked child where that is safe, so that it
    does not share the interpreter lock with Textual's import (`tui.forked`)."""
    from tui.forked import run_forked

    return run_forked(
        lambda: read_first_screen(path, as_of, soon_days=soon_days), name="duban-first-screen"
    )
