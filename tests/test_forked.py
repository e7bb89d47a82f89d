"""`tui.forked`: the desk's first read in a child process of its own, so that it does not
share the interpreter lock with Textual's import. What comes back must be the function's
own result or its own error, in a fork and in the thread used where a fork is unsafe."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from tui.errors import DubanError
from tui.forked import can_fork, run_forked


def _in_fresh_process(body: str) -> str:
    """``body`` run in a new interpreter (one thread, as `duban` is when it forks)."""
    done = subprocess.run(
        [sys.executable, "-c", body], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


def test_a_fresh_process_forks_and_gets_the_childs_result():
    out = _in_fresh_process(
        "import os\n"
        "from tui.forked import can_fork, run_forked\n"
        "assert can_fork()\n"
        "parent = os.getpid()\n"
        "f = run_forked(lambda: (os.getpid(), {'n': 3}), name='t')\n"
        "pid, value = f.result(timeout=30)\n"
        "print(pid != parent, value)\n"
    )
    assert out == "True {'n': 3}"


def test_the_childs_error_is_raised_in_the_parent_as_it_was():
    out = _in_fresh_process(
        "from tui.errors import DubanError\n"
        "from tui.forked import run_forked\n"
        "def fail():\n"
        "    raise DubanError('数据库已损坏')\n"
        "try:\n"
        "    run_forked(fail, name='t').result(timeout=30)\n"
        "except DubanError as exc:\n"
        "    print(type(exc).__name__, exc.message)\n"
    )
    assert out == "DubanError 数据库已损坏"


def test_an_error_that_cannot_travel_comes_back_as_its_text():
    out = _in_fresh_process(
        "import threading\n"
        "from tui.forked import run_forked\n"
        "class Odd(Exception):\n"
        "    def __init__(self):\n"
        "        super().__init__('读不出：' + 'x')\n"
        "        self.lock = threading.Lock()  # a lock does not pickle\n"
        "def fail():\n"
        "    raise Odd()\n"
        "try:\n"
        "    run_forked(fail, name='t').result(timeout=30)\n"
        "except RuntimeError as exc:\n"
        "    print(exc)\n"
    )
    assert out == "读不出：x"


def test_a_child_that_dies_without_a_word_is_an_error_not_a_hang():
    out = _in_fresh_process(
        "import os\n"
        "from tui.forked import run_forked\n"
        "try:\n"
        "    run_forked(lambda: os._exit(3), name='t').result(timeout=30)\n"
        "except RuntimeError as exc:\n"
        "    print(exc)\n"
    )
    assert out == "读取进程意外退出，未给出结果"


def test_with_other_threads_running_it_runs_in_a_thread_instead():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert not can_fork()
        f = run_forked(lambda: os.getpid(), name="t")
        assert f.result(timeout=30) == os.getpid()  # the same process: no fork
        with pytest.raises(DubanError, match="坏了"):
            run_forked(_raise_duban, name="t").result(timeout=30)
    finally:
        stop.set()
        other.join()


def _raise_duban():
    raise DubanError("坏了")


def test_the_first_screen_read_in_a_child_equals_the_read_in_place(tmp_path):
    """The overview that crosses the pipe is the one read directly (counts, figures,
    letters)."""
    from tui.commands.demo import build_demo_store
    from tui.store.demo_history import DEMO_AS_OF

    store = tmp_path / "demo.db"
    build_demo_store(str(store))
    out = _in_fresh_process(
        "from datetime import date\n"
        "from pathlib import Path\n"
        "from tui.services.first_screen import read_first_screen, start_first_screen\n"
        f"p, d = Path({str(store)!r}), date.fromisoformat({DEMO_AS_OF.isoformat()!r})\n"
        "ov = start_first_screen(p, d).result(timeout=60)\n"
        "print(ov == read_first_screen(p, d), ov.total > 0)\n"
    )
    assert out == "True True"
