"""The desk's garbage collector: off while the desk starts (`tui.cli.main`), then on, with
full collections ten times rarer than Python's default.

A full collection walks every object the collector tracks and every slot of every list
among them. At 200,000 assignments the board's columns alone are about 2.7 million slots,
so each one held the desk for 130–200 ms. And they came often: Python holds a full
collection back only until the objects promoted since the last one reach a quarter of the
oldest generation's count, and the board counts for little there (its columns are a few
lists, however long), so what the screens keep (lines drawn, results cached) met that rule
about every second of typing: 14 full collections while a filter was applied 16 times
(bench/desk_bench.py's keys on the pty). Waiting for 100 collections of the middle
generation instead of 10: 1 in the same session. Cycles are still freed; those old enough
to have reached the oldest generation wait longer — a replaced board's are collected at
once (`tui.app.board_flow`).
"""

from __future__ import annotations

import gc

FULL_AFTER = 100  # collections of the middle generation before a full one (Python: 10)


def collect_from_now_on() -> None:
    """After the first screen: the collector on, its full collections rare."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_AFTER)
    gc.enable()
