"""Rendering a batch of letters: fonts read once, every letter laid out once and written
as .pdf and .docx, optionally over several processes, reporting progress as it goes.

Why this shape (GUIDE §7: 300 letters in seconds):
- the fonts are read and the batch's glyphs embedded once (`PdfFonts`), every PDF reuses
  them; the .docx package parts are prepared once per batch (docx_writer._skeleton);
- one layout per letter serves both files, so the .pdf and the .docx break pages alike;
- on a multi-core machine the letters are split over forked worker processes, which
  inherit the prepared fonts (nothing is pickled but file names and page counts);
- `progress(done, total)` is called as letters finish — the command line draws a bar
  with it, the desk its own indicator.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.file_hash import file_sha256
from tui.letters.docx_writer import write_docx
from tui.letters.fonts import BatchFonts, FontSet, prepare_batch_fonts
from tui.letters.layout import layout_letter
from tui.letters.model import LetterModel, letter_texts
from tui.letters.pdf_writer import PdfFonts, write_pdf

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Job:
    model: LetterModel
    pdf: Path
    docx: Path


@dataclass(frozen=True)
class Rendered:
    pages: int
    signature_page: int
    pdf_sha256: str  # of the files as written, hashed in the worker that wrote them
    docx_sha256: str


@dataclass(frozen=True)
class BatchReport:
    results: list[Rendered]
    fonts: BatchFonts

    @property
    def log_line(self) -> str:
        return self.fonts.log_line()


_SHARED: tuple[PdfFonts, FontSet, list[Job]] | None = None  # set before forking workers


def _one(fonts: PdfFonts, fontset: FontSet, job: Job) -> Rendered:
    lay = layout_letter(job.model, fonts)
    write_pdf(job.model, job.pdf, fonts, lay)
    write_docx(lay, job.docx, fontset)
    return Rendered(lay.pages, lay.signature_page, file_sha256(job.pdf), file_sha256(job.docx))


def _chunk(indices: list[int]) -> list[tuple[int, Rendered]]:
    assert _SHARED is not None
    fonts, fontset, jobs = _SHARED
    return [(i, _one(fonts, fontset, jobs[i])) for i in indices]


def worker_count(requested: int | None, letters: int) -> int:
    """Processes worth starting: one per core up to 4, only for batches where forking pays
    off, only on platforms that fork, and never from a thread (the desk renders in one)."""
    if requested is not None and requested <= 1:
        return 1
    if letters < 24 or not hasattr(os, "fork") or sys.platform == "darwin":
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(requested or 4, cores or 1, 4))


def render_batch(
    jobs: Sequence[Job],
    fontset: FontSet,
    *,
    progress: Progress | None = None,
    workers: int | None = 1,
) -> BatchReport:
    """Write every job's .pdf and .docx; results in job order."""
    global _SHARED
    jobs = list(jobs)
    per_letter = [letter_texts(job.model) for job in jobs]  # read once, used twice
    batch = prepare_batch_fonts(fontset, [t for pair in per_letter for t in pair])
    fonts = PdfFonts(batch, per_letter)
    total = len(jobs)
    results: list[Rendered | None] = [None] * total
    n = worker_count(workers, total)
    if n <= 1:
        for i, job in enumerate(jobs):
            results[i] = _one(fonts, fontset, job)
            if progress:
                progress(i + 1, total)
        return BatchReport([r for r in results if r is not None], batch)
    import multiprocessing

    size = max(4, min(16, total // (n * 4) or 1))
    chunks = [list(range(k, min(k + size, total))) for k in range(0, total, size)]
    _SHARED = (fonts, fontset, jobs)
    done = 0
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            for part in pool.imap_unordered(_chunk, chunks):
                for i, r in part:
                    results[i] = r
                done += len(part)
                if progress:
                    progress(done, total)
    finally:
        _SHARED = None
    return BatchReport([r for r in results if r is not None], batch)
