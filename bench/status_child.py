"""One process that works out the status of every live assignment in a store.

What `status_bench.py` launches and times from the outside, in one of two ways the product
does it (garbage collector as the product leaves it):

- ``facts``: one object per assignment — `tui.store.board.load_facts` and
  `tui.domain.board.evaluate` (status and urgency), as `duban summary`, the letters' item
  choice and the demo history read every row;
- ``columns``: the desk's board read — `tui.store.desk.load_desk` (columns read, status and
  urgency of every row, rows in urgency order), what the desk does behind its first screen
  and at every reload.

Prints the count per status and its own phase times as JSON.

Run: python bench/status_child.py STORE YYYY-MM-DD [facts|columns]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import date

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
    return Counter(r.status.status.value for r in rows), t1 - t0


def columns(db: str, as_of: date) -> tuple[Counter, float]:
    from tui.store.db import make_engine
    from tui.store.desk import load_desk

    engine = make_engine(db, create=False, readonly=True)
    try:
        data = load_desk(engine, as_of)
    finally:
        engine.dispose()
    return Counter({s.value: n for s, n in data.count_by_status().items() if n}), 0.0


def main(db: str, as_of: date, mode: str) -> dict:
    if mode == "columns":
        import tui.store.desk  # noqa: F401  (imports timed apart from the work)
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
