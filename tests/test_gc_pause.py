"""`tui.gc_pause`: the collector is paused while a board is built, and what was built is not
walked again the moment it is switched back on — nor frozen for good."""

from __future__ import annotations

import gc

from tui.gc_pause import gc_paused


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector can free it


def test_what_a_pause_built_is_not_walked_when_the_collector_resumes():
    gc.collect()
    started: list[int] = []

    def watch(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(info["generation"])

    with gc_paused():
        assert not gc.isenabled()
        built = [[i] for i in range(50_000)]
        gc.callbacks.append(watch)
    try:
        assert gc.isenabled()
        # Left as they were, the 50,000 allocations of the pause would start a young
        # collection over every list at the very next allocation.
        after = [[] for _ in range(10)]
    finally:
        gc.callbacks.remove(watch)
    assert started == []
    assert gc.get_freeze_count() == 0
    assert len(built) == 50_000 and len(after) == 10


def test_cycles_built_in_a_pause_are_still_collected():
    import weakref

    with gc_paused():
        node = Node()
        ref = weakref.ref(node)
    del node
    gc.collect()
    assert ref() is None


def test_a_pause_inside_a_pause_leaves_the_collector_off():
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
