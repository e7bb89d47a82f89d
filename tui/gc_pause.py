"""Pause the cyclic garbage collector while a few hundred thousand objects are built.

Building the facts of 200,000 assignments creates that many container objects; with the
collector on, every 700 allocations start a collection that walks the young objects, and
the older generations are walked again and again as the batch ages into them — about a
third of the build. Nothing built here forms a cycle worth collecting, so the collector
is paused for the build and restored after (a caller that had it off keeps it off).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
