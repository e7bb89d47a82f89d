"""One process that works out the status of every live assignment in a store.

What `status_bench.py` launches and times from the outside, in one of two ways the product
does it (garbage collector as the product leaves it):

- ``facts``: one object per assignment — `tui.store.board.load_facts` and
  `tui.domain.board.evaluate` (status and urgency) over every live assignment, as the
  ledger export reads it (`tui.store.reports.ledger_facts`: it writes one line per
  assignment, so the objects are its output), and as the demo's history and letters and
  the letters' item choice (`tui.store.letters`) still read it. `duban summary` and
  `duban overdue` no longer do: they read the rows that can be overdue as columns
  (`tui.store.overdue_listing`);
- ``columns``: the desk's board read — what `tui.store.desk.load_desk` does behind the
  desk's first screen and at every reload: `tui.store.board.load_columns`, then
  `tui.domain.board.evaluate_columns` (status and urgency of every row) and the rows in
  urgency order, with the same arguments. It is called here directly, over the DB-API
  (`tui.store.board.connect`), not through `tui.store.desk`: that module also holds the
  desk's ORM functions and reads through the store's SQLAlchemy engine, and importing
  SQLAlchemy and SQLModel (~0.4 s) is the desk's start-up, counted in desk_bench.py's
  figure — the desk's worker reads the board long after those imports. The SQL and the
  rules are the same.

Prints the count per status and its own phase times as JSON.

Run: python bench/status_child.py STORE YYYY-MM-DD [facts|columns]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import date
from operator import attrgetter

t_start = time.perf_counter()


def facts(db: str, as_of: date) -> tuple[Counter, float]:
    from tui.domain.board import evaluate
    from tui.store.board import connect, load_facts

    t0 = time.perf_counter()
    conn = connect(db)
    try:
        rows = load_facts(conn, as_of=as_of)
    finally:
        conn.close()
    t1 = time.perf_counter()
    rows = evaluate(rows, as_of)
    lights = Counter(map(attrgetter("status.status"), rows))
    return Counter({s.value: n for s, n in lights.items()}), t1 - t0


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
    if mode == "columns":
        import tui.domain.board  # noqa: F401  (imports timed apart from the work)
        import tui.store.board  # noqa: F401
    else:
        import tui.domain.board  # noqa: F401
        import tui.store.board  # noqa: F401
    t0 = time.perf_counter()
    counts, read = (columns if mode == "columns" else facts)(db, as_of)
    t2 = time.perf_counter()
    return {
        "assignments": sum(counts.values()),
        "counts": dict(counts),
        "imports": t0 - t_start,
        "read": read,
        "evaluate": t2 - t0 - read,
    }


if __name__ == "__main__":
    mode = sys.argv[3] if len(sys.argv) > 3 else "facts"
    result = main(sys.argv[1], date.fromisoformat(sys.argv[2]), mode)
    print(json.dumps(result, ensure_ascii=False))
