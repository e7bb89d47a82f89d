"""Shared test helpers: a real SQLite store in tmp_path and the real command line."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.cli import main
from tui.paths import data_dir

FIXTURES = Path(__file__).parent / "fixtures"
SEED000 = FIXTURES / "seed000_dalate_2023.txt"
SEED001 = data_dir() / "samples" / "dongsheng_2020-2025_breakdown.txt"
SEED002 = data_dir() / "samples" / "alxa_left_2024_plan.txt"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "duban.db"


@pytest.fixture
def cli(capsys, db, monkeypatch):
    """Run `duban ARGS…` in-process against the test store; returns code, stdout, stderr."""
    monkeypatch.setenv("DUBAN_USER", "测试员")
    monkeypatch.delenv("DUBAN_DB", raising=False)

    def run(*args: str, use_db: bool = True) -> Result:
        argv = [*args, "--db", str(db)] if use_db else list(args)
        code = main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def copy_fixture(tmp_path):
    def copy(src: Path, name: str | None = None) -> Path:
        dest = tmp_path / (name or src.name)
        shutil.copy(src, dest)
        return dest

    return copy
