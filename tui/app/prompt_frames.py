"""Frames reach the terminal as soon as they are drawn.

Textual hands each frame to its output thread, which needs the interpreter lock to write
it. The desk's main thread goes on working after a frame (the events the new layout
posts, the next pane's timers) and by default keeps the lock for up to 5 ms before it
must let another thread run — once for the frame's write and often again for its flush.
Measured on the pty at 200,000 assignments, a drawn frame reached the terminal 7–11 ms
after it was queued; with a 1 ms switch interval, 2–3 ms (bench/desk_bench.py). Worker
threads (the board's load, a pane's read) switch more often too, at a cost of a few
microseconds a switch.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL_S = 0.001


@contextmanager
def prompt_frames() -> Iterator[None]:
    """While the desk runs: a thread waiting for the lock gets it within a millisecond."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, SWITCH_INTERVAL_S))
    try:
        yield
    finally:
        sys.setswitchinterval(before)
