"""Every probe a hostile user or a failing machine tried: one line of Chinese, exit code 2,
no traceback, and the store exactly as it was.

Each row is (name, arguments, words the line must contain, setup). Arguments may use
{tmp}, {db} and {plan} (seed 002). Setup functions prepare files or damage a copy of the
store before the command runs.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from .conftest import FIXTURES, SEED002


def _state(db: Path) -> str | None:
    if not db.exists():
        return None
    con = sqlite3.connect(db)
    try:
        return hashlib.sha256("\n".join(con.iterdump()).encode()).hexdigest()
    finally:
        con.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """One store with seed 002 and a little history, copied for every case."""
    from tui.cli import main

    path = tmp_path_factory.mktemp("seeded") / "duban.db"
    assert main(["import", str(SEED002), "--db", str(path)]) == 0
    assert main(["progress", "1", "已报送方案", "--date", "2024-08-01", "--db", str(path)]) == 0
    return path


# ------------------------------------------------------------------ setups


def write(name: str, data: bytes | str):
    def setup(tmp: Path, db: Path) -> None:
        p = tmp / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))

    return setup


def units_toml(text: str):
    return write("units.toml", text)


def docx_with(xml_body: str):
    def setup(tmp: Path, db: Path) -> None:
        import docx

        base = tmp / "base.docx"
        d = docx.Document()
        d.add_paragraph("x")
        d.save(str(base))
        with zipfile.ZipFile(base) as zin, zipfile.ZipFile(tmp / "bad.docx", "w") as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if info.filename == "word/document.xml":
                    data = xml_body.encode()
                zout.writestr(info, data)

    return setup


def zipped(tmp: Path, db: Path) -> None:
    with zipfile.ZipFile(tmp / "z.zip", "w") as z:
        z.writestr("说明.txt", "这是一个压缩包")


def xlsx_far_value(tmp: Path, db: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["序号", "具体措施", "牵头单位"])
    wb.active.cell(row=2_000_000 // 2, column=1, value="x")
    wb.save(str(tmp / "far.xlsx"))


def read_only_store(tmp: Path, db: Path) -> None:
    """Read-only even for root: the immutable attribute (ext4, as CI's disk)."""
    import subprocess

    if subprocess.run(["chattr", "+i", str(db)], capture_output=True).returncode != 0:
        db.chmod(0o400)  # not root, or no chattr: the mode bits are enough then


def not_a_store(tmp: Path, db: Path) -> None:
    (tmp / "other.db").write_bytes(b"SQLite format 3\x00" + b"\x01" * 4080)


def plain_sqlite(tmp: Path, db: Path) -> None:
    con = sqlite3.connect(tmp / "plain.db")
    con.execute("CREATE TABLE t(x)")
    con.commit()
    con.close()


def blocked_folder(tmp: Path, db: Path) -> None:
    (tmp / "blocker").write_text("not a folder", encoding="utf-8")


PLAN_TEXT = "某县2025年工作要点\n一、任务\n（一）完善制度，年底前完成。\n牵头单位：县司法局\n"

CASES = [
    # --- files that are not plans
    ("empty file", ["import", str(FIXTURES / "empty.txt")], "为空", None),
    ("random bytes", ["import", str(FIXTURES / "garbage.bin")], "文本", None),
    ("not a word file", ["import", str(FIXTURES / "not_word.docx")], "Word", None),
    ("scanned pdf", ["import", str(FIXTURES / "scanned.pdf")], "扫描", None),
    ("missing file", ["import", "{tmp}/没有这个文件.docx"], "不存在", None),
    ("a folder", ["import", "{tmp}"], "文件夹", None),
    (
        "png named txt",
        ["import", "{tmp}/p.txt"],
        "图片",
        write("p.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 200),
    ),
    (
        "old office",
        ["import", "{tmp}/o.doc"],
        "旧版",
        write("o.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500),
    ),
    ("rtf", ["import", "{tmp}/r.docx"], "RTF", write("r.docx", "{\\rtf1\\ansi 计划}")),
    ("zip of other things", ["import", "{tmp}/z.zip"], "压缩包", zipped),
    (
        "no tasks",
        ["import", "{tmp}/n.txt"],
        "没有找到任何任务",
        write("n.txt", "关于开会的通知\n各单位：\n请准时参加。\n"),
    ),
    (
        "headings only",
        ["import", "{tmp}/h.txt"],
        "没有找到任何任务",
        write("h.txt", "某县2025年工作要点\n一、总体要求\n二、工作安排\n"),
    ),
    ("docx of broken xml", ["import", "{tmp}/bad.docx"], "Word", docx_with("<w:document")),
    ("xlsx value a million rows down", ["import", "{tmp}/far.xlsx"], "100000 行", xlsx_far_value),
    (
        "gb18030 noise",
        ["import", "{tmp}/g.txt"],
        "文本",
        write("g.txt", bytes(range(0x81, 0xFE)) * 40),
    ),
    # --- arguments
    ("unknown region", ["import", "{plan}", "--region", "不存在的旗"], "未知的地区", None),
    (
        "both plan flags",
        ["import", "{plan}", "--new-plan", "--revision-of", "1"],
        "只能选一个",
        None,
    ),
    ("revision of nothing", ["import", "{plan}", "--revision-of", "99"], "找不到计划", None),
    ("plan year out of range", ["import", "{plan}", "--plan-year", "3000"], "计划年度", None),
    ("unknown plan with markup", ["tasks", "--plan", "[/x]"], "找不到计划", None),
    ("unknown unit", ["tasks", "--unit", "没有的单位"], "找不到单位", None),
    ("unknown region list", ["units", "list", "--region", "不存在"], "不存在", None),
    ("task of an unknown plan", ["deadlines", "（一）", "--plan", "[/x]"], "找不到计划", None),
    ("task missing", ["deadlines", "（九十九）"], "找不到任务", None),
    ("deadline secondly", ["deadline", "1", "RRULE:FREQ=SECONDLY", "--reason", "试"], "按日", None),
    (
        "deadline 13th month",
        ["deadline", "1", "每年13月45日前", "--reason", "试"],
        "无法识别",
        None,
    ),
    (
        "deadline feb 30 rule",
        ["deadline", "1", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "--reason", "试"],
        "没有任何日期",
        None,
    ),
    (
        "deadline count 0",
        ["deadline", "1", "RRULE:FREQ=MONTHLY;COUNT=0", "--reason", "试"],
        "没有任何日期",
        None,
    ),
    ("deadline year 9999", ["deadline", "1", "9999-12-31", "--reason", "试"], "1900", None),
    ("deadline impossible date", ["deadline", "1", "2024-02-30", "--reason", "试"], "不存在", None),
    ("progress far future", ["progress", "1", "将来的进展", "--date", "2999-01-01"], "2100", None),
    ("progress next year", ["progress", "1", "将来的进展", "--date", "2100-01-01"], "将来", None),
    ("progress bad date", ["progress", "1", "进展", "--date", "2024-13-01"], "格式不对", None),
    ("progress unknown item", ["progress", "99999", "进展"], "99999", None),
    ("progress not a number", ["progress", "一", "进展"], "数字", None),
    ("workdays bad date", ["workdays", "2024-02-30", "3"], "2024-02-30", None),
    ("bad as-of", ["--as-of", "9999-12-31", "overdue"], "1900", None),
    ("missing argument", ["deadline", "1"], "命令参数", None),
    ("bad choice", ["tasks", "--format", "xml"], "命令参数", None),
    ("unknown option", ["tasks", "--colour"], "命令参数", None),
    # --- unit directories
    ("units file missing", ["units", "import", "{tmp}/无.toml"], "不存在", None),
    (
        "units toml broken",
        ["units", "import", "{tmp}/units.toml"],
        "TOML",
        units_toml("region = \n"),
    ),
    (
        "units nul in name",
        ["units", "import", "{tmp}/units.toml"],
        "控制字符",
        units_toml('region = "某县"\n[[units]]\nname = "县司\\u0000法局"\nkind = "部门"\n'),
    ),
    (
        "units unknown kind",
        ["units", "import", "{tmp}/units.toml"],
        "类型",
        units_toml('region = "某县"\n[[units]]\nname = "县司法局"\nkind = "机关"\n'),
    ),
    # --- stores
    ("read-only store", ["progress", "1", "进展", "--date", "2024-08-02"], "只读", read_only_store),
    ("not a store", ["tasks", "--db", "{tmp}/other.db"], "不是督办台数据库", not_a_store),
    ("a plain sqlite file", ["tasks", "--db", "{tmp}/plain.db"], "不是督办台数据库", plain_sqlite),
    ("unknown url scheme", ["tasks", "--db", "foo://u@h/db"], "不支持", None),
    (
        "missing driver",
        ["tasks", "--db", "postgresql+psycopg2://u:secret@localhost/db"],
        "驱动",
        None,
    ),
    ("store under a file", ["init", "--db", "{tmp}/blocker/duban.db"], "文件夹", blocked_folder),
    ("backup into missing folder", ["backup", "{tmp}/无此文件夹/b.db"], "不存在", None),
    ("restore from nothing", ["restore", "{tmp}/无.db"], "不存在", None),
    ("restore from a non-store", ["restore", "{tmp}/plain.db"], "不是督办台", plain_sqlite),
]


@pytest.mark.parametrize(("name", "args", "words", "setup"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(cli, seeded, tmp_path, name, args, words, setup):
    db = tmp_path / "duban.db"
    shutil.copy(seeded, db)
    if setup is not None:
        setup(tmp_path, db)
    before = _state(db)
    argv = [a.format(tmp=tmp_path, db=db, plan=SEED002) for a in args]
    if "--db" not in argv and argv[0] != "workdays":
        argv += ["--db", str(db)]
    try:
        r = cli(*argv, use_db=False)
    finally:
        if setup is read_only_store:
            import subprocess

            subprocess.run(["chattr", "-i", str(db)], capture_output=True)
    assert r.code == 2, (name, r.out, r.err)
    lines = [x for x in r.err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误："), r.err
    assert words in lines[0], lines[0]
    assert "Traceback" not in r.err and "secret" not in r.err
    if before is not None:
        assert _state(db) == before


def test_the_table_has_at_least_forty_rows():
    assert len(CASES) >= 40
