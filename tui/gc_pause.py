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
            _age()
            gc.enable()


def _age() -> None:
    """Move every tracked object to the oldest generation without walking any of them.

    Re-enabled as it is, the collector would start at once a young collection over
    everything built in the pause (a tenth of a second at 200,000 assignments) and walk it
    again as it ages. `freeze` moves every generation's list into the permanent one and
    resets the counts; `unfreeze` puts them straight back as the oldest generation, where a
    full collection still finds any cycle among them — nothing stays frozen (a frozen
    board outlived its reload: tests/test_desk_store.py).
    """
    gc.freeze()
    gc.unfreeze()
