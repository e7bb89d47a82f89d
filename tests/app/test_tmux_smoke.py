"""`duban demo` in a real terminal under tmux: keys in, screen text out, clean quit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

# One tmux server per test process: suites run side by side on one machine must not share
# (and kill) each other's session.
SERVER = f"duban-test-{os.getpid()}"


def _duban() -> str:
    exe = Path(sys.executable).parent / "duban"
    if exe.exists():
        return str(exe)
    found = shutil.which("duban")
    if not found:
        pytest.fail("duban 命令不存在（先 pip install -e .）")
    return found


def tmux(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["tmux", "-L", SERVER, "-f", "/dev/null", *args],
        capture_output=True,
        text=True,
        check=check,
        timeout=20,
    )


def capture() -> str:
    return tmux("capture-pane", "-p", "-t", "desk").stdout


def wait_for(text: str, timeout: float = 20.0) -> str:
    end = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < end:
        screen = capture()
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"等待“{text}”超时，屏幕内容：\n{screen}")


def test_demo_under_tmux(tmp_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux 未安装（.ci/run 会安装）")
    db = tmp_path / "demo.db"
    env_prefix = "env -u COLUMNS -u LINES DUBAN_USER=测试员 DUBAN_CONFIG=/dev/null TERM=xterm-256color LANG=C.UTF-8"
    marker = tmp_path / "exit-code"
    cmd = f"{env_prefix} {_duban()} demo --db {db}; echo $? > {marker}"
    try:
        tmux("new-session", "-d", "-s", "desk", "-x", "120", "-y", "40", cmd)
        tmux("set-option", "-t", "desk", "window-size", "manual", check=False)
        tmux("resize-window", "-t", "desk", "-x", "120", "-y", "40", check=False)
        screen = wait_for("总览")
        wait_for("逾期 ")
        assert "截至 2024-11-15" in capture()
        tmux("send-keys", "-t", "desk", "3")
        wait_for("逾期/剩余")
        tmux("send-keys", "-t", "desk", "/")
        time.sleep(0.5)
        tmux("send-keys", "-t", "desk", "-l", "sfj")
        screen = wait_for("搜索：sfj")
        assert "区司法局" in screen or "旗司法局" in screen
        tmux("send-keys", "-t", "desk", "Escape")
        time.sleep(0.3)
        tmux("send-keys", "-t", "desk", "?")
        screen = wait_for("按键说明")
        assert "撤销" in screen and "导入计划" in screen
        tmux("send-keys", "-t", "desk", "Escape")
        time.sleep(0.3)
        tmux("send-keys", "-t", "desk", "q")
        end = time.monotonic() + 10
        while time.monotonic() < end and not marker.exists():
            time.sleep(0.2)
        assert marker.exists(), "督办台未退出"
        assert marker.read_text().strip() == "0"
    finally:
        tmux("kill-server", check=False)
        os.environ.pop("TMUX", None)
