"""One line that says which machine a figure was measured on."""

from __future__ import annotations

import os
import platform


def describe() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} CPU, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {load()}"
    )


def load() -> str:
    """The load average now: figures taken while other work runs say so."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "负载未知"
    return f"负载 {one:.2f} / {five:.2f} / {fifteen:.2f}（1/5/15 分钟）"
