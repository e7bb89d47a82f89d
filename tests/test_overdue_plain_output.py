"""`duban overdue` to a file or a pipe: a UTF-8 stream gets the rows as bytes built from each
distinct cell encoded once (`overdue._write_plain`); any other stream — another encoding, or
one with no byte buffer under it — gets the same lines as text. Whichever way they go, the
lines, their order and the closing count line are the same.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_store import AS_OF, build_store  # noqa: E402
from tui.cli import main  # noqa: E402


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("plain") / "s.db", assignments=1500, seed=3)


def _listing(monkeypatch, db: Path, stream, *options: str) -> None:
    monkeypatch.delenv("DUBAN_DB", raising=False)
    monkeypatch.setattr(sys, "stdout", stream)
    argv = ["--db", str(db), "overdue", "--as-of", AS_OF.isoformat(), *options]
    assert main(argv) == 0
    stream.flush()


@pytest.mark.parametrize("options", [(), ("--format", "table")])
def test_every_kind_of_stream_gets_the_same_lines(store, monkeypatch, options):
    utf8 = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    _listing(monkeypatch, store, utf8, *options)
    text = utf8.buffer.getvalue().decode("utf-8")

    other = io.TextIOWrapper(io.BytesIO(), encoding="gb18030")  # every character, other bytes
    _listing(monkeypatch, store, other, *options)
    bare = io.StringIO()  # no byte buffer under it
    _listing(monkeypatch, store, bare, *options)

    lines = text.splitlines()
    assert len(lines) > 20  # a real listing: the header, many rows, the count line
    assert lines[0].split("\t")[:2] == ["事项", "计划"]
    assert lines[-1].startswith("截至 ") and lines[-1].endswith(f"逾期未完成 {len(lines) - 2} 条")
    assert all(line.count("\t") == 8 for line in lines[:-1])
    assert other.buffer.getvalue().decode("gb18030") == text
    assert bare.getvalue() == text


def test_text_written_before_the_rows_stays_before_them(store, monkeypatch):
    """The rows go to the byte buffer under the text stream: whatever the stream still
    holds as text is flushed first."""
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    stream.write("前言\n")  # held in the text layer, not yet in the buffer
    _listing(monkeypatch, store, stream)
    text = stream.buffer.getvalue().decode("utf-8")
    assert text.startswith("前言\n事项\t")
    assert text.endswith("条\n")
