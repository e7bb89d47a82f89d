"""Send a letter's PDF to the system print queue.

Linux and macOS: `lp` (CUPS) with the printer from settings, else the system default queue
(`lpstat -d`). Windows: the shell's print verb. Every failure is one line of Chinese that
gives the PDF path, so staff can still print it by hand; the register is only marked
已打印 by the caller after this returns.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tui.errors import DubanError

LP_TIMEOUT = 60


@dataclass(frozen=True)
class PrintJob:
    """What was sent where: shown to the user and written to the audit trail."""

    path: str
    printer: str  # queue name, or "默认打印机"
    job: str  # the queue's answer (e.g. "request id is PDF-3 (1 file(s))")


def default_printer() -> str | None:
    """The CUPS default queue (`lpstat -d`), None when there is none or no CUPS."""
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return None
    try:
        res = subprocess.run(
            [lpstat, "-d"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    out = res.stdout.strip()
    if res.returncode != 0 or ":" not in out:
        return None
    name = out.rsplit(":", 1)[1].strip()
    return name or None


def print_pdf(path: str | Path, printer: str = "", *, title: str = "") -> PrintJob:
    """Print one PDF; raises DubanError (with the PDF path) when it cannot be queued."""
    path = Path(path)
    if not path.is_file():
        raise DubanError(f"找不到要打印的 PDF 文件：{path}（请先用 duban letters render 生成）")
    if sys.platform.startswith("win"):  # pragma: no cover - Windows only
        try:
            os.startfile(str(path), "print")  # type: ignore[attr-defined]
        except OSError as exc:
            raise DubanError(f"打印失败（{exc.strerror or exc}），请手工打印：{path}") from None
        return PrintJob(str(path), printer or "默认打印机", "")
    lp = shutil.which("lp")
    if lp is None:
        raise DubanError(f"本机没有打印命令 lp（未安装 CUPS），请手工打印：{path}")
    printer = printer.strip()
    if not printer and default_printer() is None:
        raise DubanError(
            f"未设置打印机（设置中的 printer 为空），系统也没有默认打印机；请手工打印：{path}"
        )
    cmd = [lp]
    if printer:
        cmd += ["-d", printer]
    if title:
        cmd += ["-t", title]
    cmd += ["--", str(path)]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=LP_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise DubanError(
            f"打印队列 {LP_TIMEOUT} 秒无响应，请检查打印机后重试，或手工打印：{path}"
        ) from None
    except OSError as exc:
        raise DubanError(f"无法调用 lp（{exc.strerror or exc}），请手工打印：{path}") from None
    if res.returncode != 0:
        why = " ".join((res.stderr or res.stdout or "").split()) or f"退出码 {res.returncode}"
        where = f"打印机 {printer} " if printer else "默认打印机"
        raise DubanError(f"{where}拒绝了打印任务（{why}），函件状态未改变；请手工打印：{path}")
    return PrintJob(str(path), printer or "默认打印机", res.stdout.strip())
