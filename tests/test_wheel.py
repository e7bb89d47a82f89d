"""`pip install` of a built wheel into a fresh venv carries all of data/ and runs outside the
checkout: the demo builds from the shipped samples and a shipped sample imports.

Slow (a venv and its dependencies from the package index pip is configured with, ~30 s),
but it is the only test that sees the program the way an office installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache"
)


def _run(cmd, *, cwd, env=None, timeout=600) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{cmd}\n{r.stdout}\n{r.stderr}"
    return r


def test_wheel_in_a_fresh_venv_runs_demo_and_import(tmp_path):
    # Build from a copy, so the checkout gets no build/ or egg-info from the test.
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=IGNORE)
    wheels = tmp_path / "wheels"
    _run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-w", str(wheels), "-q"],
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("duban-*.whl")

    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("tui/data/")}
    expected = {
        "tui/data/" + p.relative_to(ROOT / "data").as_posix()
        for p in (ROOT / "data").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert expected and expected <= shipped, sorted(expected - shipped)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    _run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=tmp_path)

    work = tmp_path / "office"  # outside the checkout, nothing of it on the path
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DUBAN_DATA", "DUBAN_DB")}
    env.update(
        DUBAN_USER="测试员",
        DUBAN_CONFIG=os.devnull,
        XDG_DATA_HOME=str(tmp_path / "xdg"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    where = _run(
        [str(bindir / "python"), "-c", "import tui.paths; print(tui.paths.data_dir())"],
        cwd=work,
        env=env,
    ).stdout.strip()
    assert Path(where).resolve().is_relative_to(venv.resolve()), where

    duban = str(bindir / "duban")
    r = _run([duban, "demo", "--no-open", "--db", "demo.db"], cwd=work, env=env)
    assert "已生成演示库" in r.stderr
    con = sqlite3.connect(work / "demo.db")
    assert con.execute("SELECT COUNT(*) FROM plan").fetchone() == (2,)
    assert con.execute("SELECT COUNT(*) FROM letter").fetchone()[0] > 0
    con.close()

    sample = Path(where) / "samples" / "alxa_left_2024_plan.txt"
    r = _run(
        [duban, "import", str(sample), "--format", "json", "--db", "office.db"], cwd=work, env=env
    )
    report = json.loads(r.stdout)
    assert report["tasks_count"] == 26 and report["region"] == "阿拉善左旗"
    assert report["unknown_units"] == [], "the shipped unit directory was not found"

    r = _run([duban, "workdays", "2024-09-27", "5"], cwd=work, env=env)
    assert "2024-10-10" in r.stdout

    # The Alembic environment and revisions ship inside the package and run from the wheel.
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"tui/store/alembic/env.py", "tui/store/alembic/script.py.mako"} <= names
    assert "tui/store/alembic/versions/schema8.py" in names
    shutil.copy(ROOT / "tests" / "fixtures" / "store_schema1.sqlite", work / "old.db")
    r = _run([duban, "db", "upgrade", "--db", "old.db"], cwd=work, env=env)
    assert "已从版本 1 升级到" in r.stdout, r.stdout
    con = sqlite3.connect(work / "old.db")
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0].startswith("schema")
    con.close()


def test_readme_and_ci_name_what_a_stock_debian_needs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3-venv" in readme
    # Nothing outside the repository: no parent-folder paths, no web links.
    assert "../" not in readme and "http://" not in readme and "https://" not in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "--no-install-recommends" in ci
    for needed in ("/usr/lib/cups/backend/cups-pdf", "pdftotext", "tmux", "ensurepip", "lpadmin"):
        assert needed in ci, needed
