"""Printing through a real `lp`: a CUPS queue with the cups-pdf back-end when CUPS can run
here (root, cupsd installed), else an `lp` stand-in first on PATH that records its
arguments and copies the file. Each test prints which path it took."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from tests.conftest import SEED002
from tui.config import Settings
from tui.domain.calendar import WorkCalendar
from tui.errors import DubanError
from tui.letters.printing import default_printer, print_pdf
from tui.store import letters as L
from tui.store.db import make_engine, transaction
from tui.store.letter_models import PRINTED, SIGNED, Letter

PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
QUEUE = "DubanPDF"
CUPS_PDF_DIRS = (Path.home() / "PDF", Path("/var/spool/cups-pdf/ANONYMOUS"))
SETTINGS = Settings(contact="李某", phone="0483-1234567")
CAL = WorkCalendar.from_dir()

LP_STAND_IN = """#!/bin/sh
# lp stand-in for machines where CUPS cannot run: records its arguments, copies the file.
printf '%s\\n' "$*" >> "{log}"
dest=""
while [ $# -gt 0 ]; do
  case "$1" in
    -d) dest="$2"; shift 2;;
    -t) shift 2;;
    --) shift; break;;
    *) break;;
  esac
done
if [ -n "$dest" ] && [ "$dest" != "{queue}" ]; then
  echo "lp: The printer or class does not exist." >&2
  exit 1
fi
n=$(ls "{out}" | wc -l)
cp "$1" "{out}/job-$((n + 1)).pdf"
echo "request id is {queue}-$((n + 1)) (1 file(s))"
"""


def _scheduler_running() -> bool:
    if shutil.which("lpstat") is None:
        return False
    res = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, check=False)
    return "scheduler is running" in res.stdout and "not" not in res.stdout


@pytest.fixture(scope="module")
def queue(tmp_path_factory):
    """("cups" | "stand-in", output directories to watch, stand-in log or None)."""
    started = None
    can_cups = (
        not os.environ.get("DUBAN_TEST_NO_CUPS")  # set to check the stand-in path
        and shutil.which("cupsd")
        and shutil.which("lpadmin")
        and shutil.which("lp")
        and hasattr(os, "geteuid")
        and os.geteuid() == 0
        and PPD.exists()
    )
    if can_cups:
        if not _scheduler_running():
            started = subprocess.Popen(
                ["cupsd", "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            for _ in range(100):
                if _scheduler_running():
                    break
                time.sleep(0.1)
        if _scheduler_running():
            res = subprocess.run(
                ["lpadmin", "-p", QUEUE, "-v", "cups-pdf:/", "-E", "-P", str(PPD)],
                capture_output=True,
                text=True,
                check=False,
            )
            if res.returncode == 0:
                print(f"\n[printing] 使用真实 CUPS 队列 {QUEUE}（cups-pdf 后端）")
                yield "cups", CUPS_PDF_DIRS, None
                subprocess.run(["lpadmin", "-x", QUEUE], capture_output=True, check=False)
                if started is not None:
                    started.terminate()
                    started.wait(timeout=10)
                return
        if started is not None:
            started.terminate()
            started.wait(timeout=10)
    base = tmp_path_factory.mktemp("lp")
    out, log, bindir = base / "out", base / "lp.log", base / "bin"
    out.mkdir()
    bindir.mkdir()
    script = bindir / "lp"
    script.write_text(LP_STAND_IN.format(log=log, queue=QUEUE, out=out), encoding="utf-8")
    script.chmod(0o755)
    print("\n[printing] CUPS 无法在此运行，改用 PATH 上的 lp 替身（记录参数并复制文件）")
    mp = pytest.MonkeyPatch()
    mp.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    yield "stand-in", (out,), log
    mp.undo()


def _snapshot(dirs) -> set[Path]:
    return {p for d in dirs if d.is_dir() for p in d.glob("*.pdf")}


def _wait_new(dirs, before: set[Path], n: int, timeout: float = 30.0) -> list[Path]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        new = sorted(_snapshot(dirs) - before, key=lambda p: p.stat().st_mtime)
        if len(new) >= n and all(p.stat().st_size > 0 for p in new):
            time.sleep(0.3)  # let cups-pdf finish writing
            return new
        time.sleep(0.25)
    return sorted(_snapshot(dirs) - before)


def _pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def signed(cli, db, tmp_path):
    """Two signed, rendered 提醒函 on a real store."""
    assert cli("import", str(SEED002)).code == 0
    engine = make_engine(str(db))
    with transaction(engine) as s:
        drafts = L.draft_letters(
            s, "提醒", date(2025, 1, 15), actor="测试员", settings=SETTINGS, calendar=CAL
        )
    ids = [drafts[0].id, drafts[1].id]
    L.sign_letters(engine, ids, "张主任", on=date(2025, 1, 15), settings=SETTINGS, calendar=CAL)
    rendered = L.render_letters(engine, ids, tmp_path / "letters", settings=SETTINGS, calendar=CAL)
    yield engine, ids, rendered
    engine.dispose()


def test_print_through_lp_records_printed(queue, signed):
    mode, dirs, log = queue
    engine, ids, rendered = signed
    print(f"[printing] 方式：{mode}")
    before = _snapshot(dirs)
    jobs = L.print_letters(engine, ids, "测试员", settings=SETTINGS, printer=QUEUE)
    assert [j.path for j in jobs] == [str(r.pdf) for r in rendered]
    assert all(j.printer == QUEUE for j in jobs)
    assert all("request id is" in j.job for j in jobs)
    new = _wait_new(dirs, before, 2)
    assert len(new) >= 2, f"{mode}: 打印输出未出现在 {dirs}"
    assert sorted(_pages(p) for p in new[:2]) == sorted(r.pages for r in rendered)
    for p in new:  # leave the cups-pdf output directory as it was
        p.unlink(missing_ok=True)
    if log is not None:
        lines = log.read_text(encoding="utf-8").splitlines()
        assert lines[-2].startswith(f"-d {QUEUE} -t ") and lines[-2].endswith(str(rendered[0].pdf))
        assert lines[-1].endswith(str(rendered[1].pdf))  # in the order given
    with Session(engine) as s:
        for lid in ids:
            letter = s.get(Letter, lid)
            assert letter.status == PRINTED
            assert letter.printed_by == "测试员" and letter.printed_at is not None


def test_failing_queue_gives_the_pdf_path_and_keeps_status(queue, signed):
    mode, _dirs, _log = queue
    engine, ids, rendered = signed
    print(f"[printing] 方式：{mode}")
    with pytest.raises(DubanError) as exc:
        L.print_letters(engine, ids[:1], "测试员", settings=SETTINGS, printer="NoSuchQueue")
    msg = exc.value.message
    assert "打印机 NoSuchQueue 拒绝了打印任务" in msg
    assert "函件状态未改变" in msg and str(rendered[0].pdf) in msg
    assert "\n" not in msg
    with Session(engine) as s:
        letter = s.get(Letter, ids[0])
        assert letter.status == SIGNED and letter.printed_at is None


def test_no_printer_configured_and_no_default(queue, tmp_path, monkeypatch):
    mode, _dirs, _log = queue
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n")
    if default_printer() is not None:  # a real default queue exists: hide it for this case
        bindir = tmp_path / "bin"
        bindir.mkdir()
        (bindir / "lpstat").write_text("#!/bin/sh\necho 'no system default destination'\n")
        (bindir / "lpstat").chmod(0o755)
        monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    print(f"[printing] 方式：{mode}")
    with pytest.raises(DubanError) as exc:
        print_pdf(pdf, "")
    assert exc.value.message == (
        f"未设置打印机（设置中的 printer 为空），系统也没有默认打印机；请手工打印：{pdf}"
    )
    with pytest.raises(DubanError, match="找不到要打印的 PDF 文件"):
        print_pdf(tmp_path / "missing.pdf", QUEUE)
