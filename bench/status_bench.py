"""Benchmark: status + urgency of 200,000 synthetic assignments as of one date (budget < 1 s).

Run: python bench/status_bench.py [count]
Prints the best of 3 timings, the count per status and the machine.
"""

from __future__ import annotations

import os
import platform
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta

from tui.domain.status import Status, assignment_status
from tui.domain.urgency import urgency

BUDGET_S = 1.0
AS_OF = date(2025, 6, 30)
START = date(2024, 1, 1)
ROLES = ("lead", "responsible", "supporting")


def make_assignments(count: int, seed: int = 20240601) -> list[tuple]:
    """Synthetic rows: (due_dates, completed_on, progress_dates, recurring, role, letters, rung,
    days_since_progress). Due dates spread over three years around AS_OF."""
    rng = random.Random(seed)
    rows: list[tuple] = []
    for _ in range(count):
        recurring = rng.random() < 0.10
        if recurring:
            n = rng.randint(4, 12)
            first = START + timedelta(days=rng.randint(0, 365))
            step = rng.choice((30, 91, 182))
            dues = [first + timedelta(days=step * i) for i in range(n)]
        elif rng.random() < 0.05:
            dues = []  # no fixed deadline
        else:
            dues = [START + timedelta(days=rng.randint(0, 3 * 365))]
        completed = None
        if dues and rng.random() < 0.30:
            completed = dues[-1] + timedelta(days=rng.randint(-60, 30))
        progress = sorted(
            START + timedelta(days=rng.randint(0, 3 * 365)) for _ in range(rng.randint(0, 5))
        )
        last = max((p for p in progress if p <= AS_OF), default=None)
        rows.append(
            (
                dues,
                completed,
                progress,
                recurring,
                rng.choice(ROLES),
                rng.randint(0, 3),
                rng.randint(0, 3),
                (AS_OF - last).days if last else None,
            )
        )
    return rows


def run(rows: list[tuple]) -> tuple[float, Counter]:
    counts: Counter = Counter()
    t0 = time.perf_counter()
    for dues, completed, progress, recurring, role, letters, rung, silence in rows:
        st = assignment_status(
            dues, AS_OF, completed_on=completed, progress_dates=progress, recurring=recurring
        )
        urgency(st, role=role, letters_sent=letters, highest_rung=rung, days_since_progress=silence)
        counts[st.status] += 1
    return time.perf_counter() - t0, counts


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rows = make_assignments(count)
    best = float("inf")
    counts: Counter = Counter()
    for _ in range(3):
        elapsed, counts = run(rows)
        best = min(best, elapsed)
    u = platform.uname()
    print(f"status + urgency of {count:,} assignments as of {AS_OF}: {best:.3f} s (best of 3)")
    print(f"budget {BUDGET_S:.1f} s: {'OK' if best < BUDGET_S else 'OVER BUDGET'}")
    print("per status: " + ", ".join(f"{s.value} {counts[s]:,}" for s in Status))
    print(
        f"machine: {platform.processor() or u.machine} | {u.system} {u.release} {u.machine} | "
        f"{os.cpu_count()} CPUs | Python {platform.python_version()}"
    )
    store_best = store_run(count)
    return 0 if best < BUDGET_S and store_best < BUDGET_S else 1


def store_run(count: int) -> float:
    """The same figure end to end on a real store built by bench/gen_store.py: read every
    live assignment (tui.store.board.load_facts), then status + urgency (evaluate)."""
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from gen_store import AS_OF as STORE_AS_OF
    from gen_store import build_store

    from tui.domain.board import count_by_status, evaluate
    from tui.store.board import connect, load_facts

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "status.db"
        build_store(db, assignments=count)
        best_load = best_eval = float("inf")
        for _ in range(3):
            conn = connect(str(db))
            t0 = time.perf_counter()
            facts = load_facts(conn, as_of=STORE_AS_OF)
            t1 = time.perf_counter()
            rows = evaluate(facts, STORE_AS_OF)
            t2 = time.perf_counter()
            conn.close()
            best_load, best_eval = min(best_load, t1 - t0), min(best_eval, t2 - t1)
        counts = count_by_status(rows)
    print(
        f"from a real store ({len(facts):,} assignments, as of {STORE_AS_OF}): "
        f"read {best_load:.3f} s + status and urgency {best_eval:.3f} s (best of 3); "
        f"status alone {'OK' if best_eval < BUDGET_S else 'OVER BUDGET'}"
    )
    print("per status: " + ", ".join(f"{s.value} {counts[s]:,}" for s in Status))
    return best_eval


if __name__ == "__main__":
    raise SystemExit(main())
