"""The .docx paginates like the .pdf: LibreOffice (standing in for WPS and Word) renders the
.docx, and the page count, the page the signature falls on and the table rows on each page
match the app's own PDF — for bodies ending 0–21 lines before the end of a page, and for
attachments of many lengths. LibreOffice gets the shipped font under the names the .docx
asks for (仿宋_GB2312 …), as an office machine with those fonts would have them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.letters_helpers import (
    bodies_by_gap,
    flat,
    libreoffice_pdfs,
    make_model,
    page_of,
    pages,
    pdf_fonts,
    pdf_text,
    render,
)

ITEM_COUNTS = (1, 3, 6, 9, 12, 13, 17, 23, 29, 40)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("lo")
    cases = [(f"gap{n:02d}", m) for n, (_, m) in enumerate(bodies_by_gap())]
    cases += [(f"items{n:02d}", make_model(n)) for n in ITEM_COUNTS]
    pf = pdf_fonts([m for _, m in cases])
    out = []
    for name, model in cases:
        pdf, docx, lay = render(model, folder, name, pf)
        out.append((name, model, pdf, docx, lay))
    converted = libreoffice_pdfs([docx for *_, docx, _ in out], folder / "lo")
    return [(name, model, pdf, converted[docx], lay) for name, model, pdf, docx, lay in out]


def _rows_by_page(path: Path, n: int) -> list[list[str]]:
    """The item numbers on each page, in order (the body text has no "（12）")."""
    return [re.findall(r"（\d+）", flat(pdf_text(path, p))) for p in range(1, n + 1)]


def test_bodies_ending_anywhere_on_the_page_paginate_alike(rendered) -> None:
    gaps = [r for r in rendered if r[0].startswith("gap")]
    assert len(gaps) >= 22
    for name, model, ours, theirs, lay in gaps:
        n = pages(ours)
        assert n == lay.pages == pages(theirs), name
        sig = flat(model.signature) + model.date_text
        assert page_of(ours, sig) == lay.signature_page == page_of(theirs, sig), (
            name,
            lay.seal_gap,
            lay.moved,
        )


def test_attachments_of_many_lengths_paginate_alike(rendered) -> None:
    tables = [r for r in rendered if r[0].startswith("items")]
    assert len(tables) == len(ITEM_COUNTS)
    for name, _model, ours, theirs, lay in tables:
        n = pages(ours)
        assert n == pages(theirs), name
        assert _rows_by_page(ours, n) == _rows_by_page(theirs, n), name
        assert "抄送：区委、区政府分管领导。" in flat(pdf_text(theirs, n)), name
        assert lay.pages == n
