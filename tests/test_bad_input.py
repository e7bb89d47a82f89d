"""Bad input: one line of Chinese, exit code 2, nothing written, no traceback."""

from __future__ import annotations

import hashlib
import os
import sqlite3

import pytest

from .conftest import FIXTURES, SEED002


def _state(db) -> str | None:
    """The store's content (not its bytes: WAL checkpoints rewrite the file at any time)."""
    if not db.exists():
        return None
    con = sqlite3.connect(db)
    try:
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    return hashlib.sha256(dump.encode()).hexdigest()


def _make_no_tasks(tmp_path):
    p = tmp_path / "notice.txt"
    p.write_text(
        "关于召开会议的通知\n各单位：\n定于下周一召开会议，请准时参加。\n", encoding="utf-8"
    )
    return p


def _make_huge(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    return p


CASES = {
    "empty": (lambda tmp: FIXTURES / "empty.txt", "为空"),
    "random bytes": (lambda tmp: FIXTURES / "garbage.bin", "文本"),
    "not a word file": (lambda tmp: FIXTURES / "not_word.docx", "Word"),
    "no tasks": (_make_no_tasks, "没有找到任何任务"),
    "50 MB": (_make_huge, "过大"),
    "missing": (lambda tmp: tmp / "nope.docx", "不存在"),
    "scanned pdf": (lambda tmp: FIXTURES / "scanned.pdf", "文字"),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("existing", [False, True], ids=["fresh store", "existing store"])
def test_bad_input(cli, db, tmp_path, case, existing):
    if existing:
        assert cli("import", str(SEED002)).code == 0
    before = _state(db)
    make, word = CASES[case]
    path = make(tmp_path)
    r = cli("import", str(path))
    assert r.code == 2
    assert r.out == ""
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    assert len(lines) == 1, r.err
    assert lines[0].startswith("错误：")
    assert word in lines[0]
    assert "Traceback" not in r.err
    assert _state(db) == before
    if not existing:
        assert not db.exists()
    for suffix in ("-wal",):
        wal = str(db) + suffix
        assert not os.path.exists(wal) or not existing or os.path.getsize(wal) >= 0


def test_bad_arguments(cli):
    r = cli("import")
    assert r.code == 2 and r.err.startswith("错误：")
    assert cli("init").code == 0
    r = cli("tasks", "--plan", "不存在的计划")
    assert r.code == 2 and "找不到计划" in r.err


def test_bad_unit_directory(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('region = "x"\n[[units]]\nname = "a"\nkind = "火星"\n', encoding="utf-8")
    r = cli("units", "import", str(bad))
    assert r.code == 2 and "火星" in r.err
    r = cli("units", "import", str(tmp_path / "missing.toml"))
    assert r.code == 2 and "不存在" in r.err
