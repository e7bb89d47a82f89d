"""Small files that claim to be huge are read by what they hold, or refused with the limit.

Each case runs `duban import` as a whole process under a 1 GB address-space limit with a
timeout, the way a hostile file would meet the product.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parents[1]
GIB = 1 << 30


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GIB, GIB))


def run_import(path: Path, db: Path) -> tuple[int, str, float]:
    t0 = time.monotonic()
    res = subprocess.run(
        [sys.executable, "-m", "tui.cli", "import", str(path), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        preexec_fn=_limit_memory,
        env={"PATH": "/usr/bin:/bin", "DUBAN_USER": "测试员", "HOME": str(db.parent)},
    )
    return res.returncode, res.stderr, time.monotonic() - t0


def _plan_sheet(ws) -> None:
    ws.append(["某旗2025年法治政府建设重点任务分解表"])
    ws.append(["序号", "具体措施", "牵头单位", "完成时限"])
    ws.append([1, "开展行政执法案卷评查，督促整改。", "旗司法局", "2025年10月底前"])


def test_styled_empty_cell_at_the_last_cell_of_a_sheet(tmp_path):
    wb = openpyxl.Workbook()
    _plan_sheet(wb.active)
    wb.active.cell(row=1048576, column=16384).font = Font(bold=True)
    path = tmp_path / "far_style.xlsx"
    wb.save(str(path))
    assert path.stat().st_size < 20_000
    code, err, seconds = run_import(path, tmp_path / "a.db")
    assert code == 0, err
    assert seconds < 30


def test_a_value_a_million_rows_down_is_refused_with_the_limit(tmp_path):
    wb = openpyxl.Workbook()
    _plan_sheet(wb.active)
    wb.active.cell(row=1_000_000, column=1, value="x")
    path = tmp_path / "far_value.xlsx"
    wb.save(str(path))
    code, err, seconds = run_import(path, tmp_path / "b.db")
    assert code == 2
    assert "100000 行" in err and "A1000000" in err
    assert err.count("\n") == 1
    assert seconds < 30
    assert not (tmp_path / "b.db").exists()


def test_docx_that_unpacks_to_hundreds_of_megabytes_is_refused_at_once(tmp_path):
    import zipfile

    import docx

    small = tmp_path / "small.docx"
    d = docx.Document()
    d.add_paragraph("某旗2025年法治政府建设工作要点")
    d.save(str(small))
    paragraph = "<w:p><w:r><w:t>（一）完善行政执法制度。</w:t></w:r></w:p>" * 1000
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                head, tail = data.decode().split("<w:body>", 1)
                body = "".join([paragraph] * 1400)  # ~ 84 MB of XML in a < 1 MB file
                data = (head + "<w:body>" + body + tail).encode()
            dst.writestr(info, data)
    assert path.stat().st_size < 5_000_000
    code, err, seconds = run_import(path, tmp_path / "c.db")
    assert code == 2
    assert "40 MB 上限" in err
    assert seconds < 30


def test_a_small_docx_of_129000_numbered_paragraphs_finishes_bounded(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from synth import repeated_paragraphs_docx

    path = tmp_path / "paragraphs.docx"
    repeated_paragraphs_docx(path, 129_000)
    assert path.stat().st_size < 200_000
    code, err, seconds = run_import(path, tmp_path / "d.db")
    assert code == 2
    assert "50000 项的上限" in err
    assert seconds < 30
