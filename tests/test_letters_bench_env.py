"""The letters bench measures what a user's install runs: the package's bytecode in place
and no development switches, whatever the shell that starts the bench has set."""

from __future__ import annotations

import sys
from pathlib import Path

from bench import letters_bench as lb


def test_measured_processes_do_not_inherit_no_bytecode(tmp_path, monkeypatch):
    """A shell with PYTHONDONTWRITEBYTECODE=1 would make every measured `duban` recompile
    the package it imports; the bench's processes run without it, the bytecode compiled."""
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("DUBAN_DEBUG", "1")
    monkeypatch.setenv("DUBAN_BENCH_RESULTS", str(tmp_path / "figures.jsonl"))
    env = lb.run_env(tmp_path, tmp_path / "bench.db")
    for name in ("PYTHONDONTWRITEBYTECODE", "DUBAN_DEBUG", "DUBAN_BENCH_RESULTS"):
        assert name not in env, name
    assert env["DUBAN_DB"] == str(tmp_path / "bench.db")
    assert env["XDG_CACHE_HOME"] == str(tmp_path / "cache") and not (tmp_path / "cache").exists()
    assert "issuer_mark" in Path(env["DUBAN_CONFIG"]).read_text(encoding="utf-8")
    tag = sys.implementation.cache_tag
    assert list((lb.ROOT / "tui" / "letters" / "__pycache__").glob(f"render.{tag}.pyc"))


def test_against_refuses_a_folder_that_is_not_a_checkout(tmp_path):
    import pytest

    with pytest.raises(SystemExit, match="not a duban checkout"):
        lb.duban_cmd(tmp_path)
    assert lb.duban_cmd(lb.ROOT) == lb.duban_cmd()
