"""Run one function in a forked child and get its result as a Future.

The desk's first read and Textual's import both want the interpreter at start-up. In a
thread they share one interpreter lock: the read's Python half and its row-by-row fetches
keep taking the lock back, and Textual's import ran two to three times slower beside it. A
child forked before anything heavy is imported has an interpreter of its own, on the other
core; its result comes back pickled through a pipe, read by a thread that waits in the
kernel, not on the lock.

Only where fork is safe: Linux, and only while the process has one thread (a fork copies
just the calling thread; a lock held by another would stay locked in the child forever).
Elsewhere the function runs in a thread, as before.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")

__all__ = ["can_fork", "run_forked"]


def can_fork() -> bool:
    """Whether a fork here copies a sound process (see the module docstring)."""
    return (
        sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1
    )


def run_forked(fn: Callable[[], T], *, name: str) -> Future[T]:
    """``fn()`` started now in a child process (or a thread where a fork is not safe); its
    result, or the exception it raised, in the future returned."""
    future: Future[T] = Future()
    if not can_fork():
        threading.Thread(target=_settle, args=(future, fn), name=name, daemon=True).start()
        return future
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, write, and leave without running the parent's exit code
        try:
            os.close(read_end)
            with os.fdopen(write_end, "wb") as out:
                out.write(_pickled(fn))
        finally:
            os._exit(0)
    os.close(write_end)
    threading.Thread(target=_collect, args=(future, read_end, pid), name=name, daemon=True).start()
    return future


def _settle(future: Future, fn: Callable[[], T]) -> None:
    try:
        future.set_result(fn())
    except BaseException as exc:  # noqa: BLE001 - handed to whoever waits for it
        future.set_exception(exc)


def _pickled(fn: Callable[[], T]) -> bytes:
    """``fn``'s outcome as bytes: ("ok", result) or ("error", exception); an exception that
    does not pickle travels as a RuntimeError with its text."""
    try:
        outcome: tuple = ("ok", fn())
    except BaseException as exc:  # noqa: BLE001 - the parent raises it
        outcome = ("error", exc)
    try:
        return pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001
        text = str(outcome[1]) if outcome[0] == "error" else f"结果无法传回：{exc}"
        return pickle.dumps(("error", RuntimeError(text)))


def _collect(future: Future, read_end: int, pid: int) -> None:
    try:
        with os.fdopen(read_end, "rb") as f:
            data = f.read()
        os.waitpid(pid, 0)
        if not data:
            raise RuntimeError("读取进程意外退出，未给出结果")
        kind, value = pickle.loads(data)
    except BaseException as exc:  # noqa: BLE001
        future.set_exception(exc)
        return
    if kind == "ok":
        future.set_result(value)
    else:
        future.set_exception(value)
