"""The desk's garbage collector: off while the desk starts (`tui.cli.main`), then on, with
full collections ten times rarer than Python's default.

A full collection walks every slot of every list alive. At 200,000 assignments the board's
columns are about 2.7 million slots, so each one held the desk for 130–200 ms. And they
came often: the board is few objects (its lists), so the rule that holds a full
collection back until the survivors since the last one reach a quarter of the old
generation was met by what the screens themselves keep (lines drawn, results cached).
Typing on the desk at 200,000 set one off about every second (14 while applying a filter
16 times, bench/desk_bench.py on the pty). Waiting for 100 young-generation collections
instead of 10 before considering one: 1 in the same session. Cycles are still freed; those
old enough to have reached the oldest generation wait longer.
"""

from __future__ import annotations

import gc

FULL_AFTER = 100  # collections of the middle generation before a full one (Python: 10)


def collect_from_now_on() -> None:
    """After the first screen: the collector on, its full collections rare."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_AFTER)
    gc.enable()
