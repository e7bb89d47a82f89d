"""One process that works out the status of every live assignment in a store.

What `status_bench.py` launches and times from the outside, in one of the ways the product
does it (garbage collector as the product leaves it):

- ``ledger``: the ledger export's status read (`duban ledger export`,
  `tui.store.reports.ledger_read` → `tui.store.board.ledger_columns`): every live
  assignment read as the board's columns, judged by `judge_columns`, and the text of each
  row's latest report. The ledger then writes one line per row from those columns; no
  command builds an object per assignment for every live row any more, so this mode (once
  ``facts``: `judged_facts` over every row) measures the read the ledger does. The
  workbook itself (sorting, cells, the zip) is left out: it is the ledger's, not status;
- ``letters``: the letters' item choice (`duban letters due`, `tui.store.letters.
  due_proposals` for every kind) — `judged_facts` with ``open_only`` and the open
  statuses: the rows closed by the date stay in SQL, and only the open ones become objects
  (a closed assignment never calls for a letter). The register's own reads (letters sent,
  drafts, overrides) are left out: letters_bench.py times the whole command;
- ``columns``: the desk's board read — what `tui.store.desk.load_desk` does behind the
  desk's first screen and at every reload: `tui.store.board.load_columns`, then
  `judge_columns` (status and urgency of every row) and the rows in urgency order, with
  the same arguments. It is called here directly, over the DB-API
  (`tui.store.board.connect`), not through `tui.store.desk`: that module also holds the
  desk's ORM functions and reads through the store's SQLAlchemy engine, and importing
  SQLAlchemy and SQLModel (~0.4 s) is the desk's start-up, counted in desk_bench.py's
  figure — the desk's worker reads the board long after those imports. The SQL and the
  rules are the same.

`duban summary` and `duban overdue` read the rows that can be overdue as columns
(`tui.store.overdue_listing`); the demo's counts read the board's columns.

Prints the count per status and its own phase times as JSON ("read" is the whole of
`ledger_columns` or `judged_facts` for the first two: reading and judging are one call).

Run: python bench/status_child.py STORE YYYY-MM-DD [ledger|letters|columns]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import date
from operator import attrgetter

t_start = time.perf_counter()

_STATUS_NAME = attrgetter("status.status._value_")  # Evaluated → StatusResult → Status → name


def ledger(db: str, as_of: date) -> tuple[Counter, float]:
    from tui.domain.board import LIGHTS
    from tui.store.board import connect, ledger_columns

    t0 = time.perf_counter()
    conn = connect(db)
    try:
        read = ledger_columns(conn, as_of=as_of)
    finally:
        conn.close()
    t1 = time.perf_counter()
    counts = Counter(read.verdicts.light_codes)
    return Counter({LIGHTS[c].value: n for c, n in counts.items()}), t1 - t0


def letters(db: str, as_of: date) -> tuple[Counter, float]:
    from tui.domain.status import Status
    from tui.store.board import connect
    from tui.store.facts import judged_facts

    # as tui.store.letters.due_proposals asks (its _OPEN), without importing the register's
    # ORM modules: their start-up is letters_bench.py's
    wanted = {"open_only": True, "statuses": set(Status) - {Status.DONE, Status.DONE_LATE}}
    t0 = time.perf_counter()
    conn = connect(db)
    try:
        rows = judged_facts(conn, as_of=as_of, **wanted)
    finally:
        conn.close()
    t1 = time.perf_counter()
    # Each row's status name, reached in C (`attrgetter` through the named tuple, the slot and
    # the member's own value: `Status.value` is a Python property, and an Enum member hashes
    # in Python) and counted in C: no Python call per row.
    # (the rows are freed when this returns: counted in the phase after the read, as a
    # command pays for it too)
    return Counter(map(_STATUS_NAME, rows)), t1 - t0


def columns(db: str, as_of: date) -> tuple[Counter, float]:
    from tui.domain.board import LIGHTS, urgency_order
    from tui.gc_pause import gc_paused
    from tui.store.board import connect, judge_columns, load_columns

    with gc_paused():  # as load_desk
        t0 = time.perf_counter()
        conn = connect(db)
        try:
            cols = load_columns(conn, as_of=as_of)
        finally:
            conn.close()
        t1 = time.perf_counter()
        # judged as tui.store.desk._load_desk judges them
        verdicts = judge_columns(cols, as_of)
        order = urgency_order(verdicts.urgencies)
        codes = list(map(verdicts.light_codes.__getitem__, order))
    counts = Counter(codes)
    return Counter({LIGHTS[c].value: n for c, n in counts.items()}), t1 - t0


def main(db: str, as_of: date, mode: str) -> dict:
    import tui.domain.board  # noqa: F401  (imports timed apart from the work)
    import tui.store.board  # noqa: F401

    t0 = time.perf_counter()
    counts, read = {"ledger": ledger, "letters": letters, "columns": columns}[mode](db, as_of)
    t2 = time.perf_counter()
    return {
        "assignments": sum(counts.values()),
        "counts": dict(counts),
        "imports": t0 - t_start,
        "read": read,
        "evaluate": t2 - t0 - read,
    }


if __name__ == "__main__":
    mode = sys.argv[3] if len(sys.argv) > 3 else "ledger"
    result = main(sys.argv[1], date.fromisoformat(sys.argv[2]), mode)
    print(json.dumps(result, ensure_ascii=False))
