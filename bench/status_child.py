"""One process that works out the status and urgency of every live assignment in a store.

What `status_bench.py` launches and times from the outside: the read (tui.store.board.
load_facts) and the rules (tui.domain.board.evaluate) as the product runs them, the garbage
collector as Python leaves it. Prints the count per status and its own phase times as JSON.

Run: python bench/status_child.py STORE YYYY-MM-DD
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import date

t_start = time.perf_counter()

from tui.domain.board import evaluate  # noqa: E402
from tui.store.board import connect, load_facts  # noqa: E402


def main(db: str, as_of: date) -> dict:
    t0 = time.perf_counter()
    conn = connect(db)
    try:
        facts = load_facts(conn, as_of=as_of)
    finally:
        conn.close()
    t1 = time.perf_counter()
    rows = evaluate(facts, as_of)
    t2 = time.perf_counter()
    counts = Counter(r.status.status.value for r in rows)
    return {
        "assignments": len(rows),
        "counts": dict(counts),
        "imports": t0 - t_start,
        "read": t1 - t0,
        "evaluate": t2 - t1,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], date.fromisoformat(sys.argv[2])), ensure_ascii=False))
