"""Circulars (通报) end to end: a store with recorded progress, closings and letters for the
seed-002 plan; the circular's percentages, ranking and named laggards against values the
test computes itself (plain SQL and Python, none of the product's functions); the PDF's
text layer and drawing, the .docx picture; the 期 numbers across two processes; hostile
unit names; the 8 → 9 migration."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import zipfile
import zlib
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from tests.conftest import SEED002

SETTINGS_TOML = """
office = "阿拉善左旗全面依法治旗委员会办公室"
issuer_mark = "中共阿拉善左旗委员会全面依法治旗委员会办公室"
office_short = "旗委依法治旗办"
contact = "李某"
phone = "0483-1234567"

[letter_prefix]
"提示" = "左依法治办示"
"提醒" = "左依法治办醒"
"督办" = "左依法治办督"
"""
AS_OF = "2025-03-10"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def env(cli, tmp_path, monkeypatch):
    cfg = tmp_path / "settings.toml"
    cfg.write_text(SETTINGS_TOML, encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    assert cli("import", str(SEED002)).code == 0
    return cfg


def _q(db: Path, sql: str, *params):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _aid(db: Path, unit: str, number: str) -> int:
    (row,) = _q(
        db,
        "SELECT a.id FROM assignment a JOIN unit u ON u.id = a.unit_id "
        "JOIN task t ON t.id = a.task_id WHERE u.name = ? AND t.number = ? AND a.active = 1",
        unit,
        number,
    )
    return row[0]


def _close(cli, db: Path, unit: str, number: str, on: str) -> None:
    res = cli(
        "progress",
        str(_aid(db, unit, number)),
        "已完成并报送材料",
        "--done",
        "--date",
        on,
        "--as-of",
        on,
    )
    assert res.code == 0, res.err


def _history(cli, db: Path) -> None:
    """Progress, closings and letters in the style of a real year."""
    for unit, number, on in (
        ("旗委依法治旗办", "（三）", "2024-12-20"),
        ("旗委依法治旗办", "（四）", "2024-12-20"),
        ("旗委依法治旗办", "（十六）", "2025-01-10"),
        ("旗委依法治旗办", "（二十四）", "2024-11-30"),
        ("旗委依法治旗办", "（二十五）", "2024-12-31"),
        ("旗人大办", "（十八）", "2025-01-08"),
        ("旗政务服务局", "（一）", "2024-12-10"),
        ("旗政务服务局", "（二）", "2024-12-10"),
        ("旗政务服务局", "（四）", "2025-01-05"),
        ("旗政务服务局", "（二十）", "2024-12-28"),
        ("旗委编办", "（一）", "2024-12-15"),
        ("旗市监局", "（四）", "2024-12-15"),
        ("旗司法局", "（五）", "2024-12-01"),
    ):
        _close(cli, db, unit, number, on)
    res = cli(
        "progress",
        str(_aid(db, "旗司法局", "（七）")),
        "已起草初稿",
        "--date",
        "2025-01-03",
        "--as-of",
        "2025-01-03",
    )
    assert res.code == 0, res.err
    # 提醒函 to every unit with overdue items, then 督办函 (the unit heads are on file)
    _draft_and_sign(cli, db, "提醒", "2025-01-15", "2025-01-16")
    con = sqlite3.connect(db)
    con.execute("UPDATE unit SET head = '主要负责同志' WHERE head = ''")
    con.commit()
    con.close()
    _draft_and_sign(cli, db, "督办", "2025-02-20", "2025-02-21")
    # after the 督办函: one unit closes everything, one closes part, one closes after as-of
    for number in ("（八）", "（十三）", "（十四）", "（十七）"):
        _close(cli, db, "旗委政法委", number, "2025-03-01")
    _close(cli, db, "旗应急管理局", "（九）", "2025-03-02")
    _close(cli, db, "旗司法局", "（六）", "2025-03-20")  # after the circular's date


def _draft_and_sign(cli, db: Path, kind: str, as_of: str, on: str) -> None:
    """Draft the letters of one kind as of a date and sign the whole batch the next day."""
    assert cli("letters", "draft", "--kind", kind, "--as-of", as_of).code == 0
    signed = cli("letters", "sign", "--batch", _batch(db), "--by", "王某", "--date", on, "--yes")
    assert signed.code == 0, signed.err


def _batch(db: Path) -> str:
    return _q(db, "SELECT batch FROM letter WHERE status = '草稿' ORDER BY id DESC LIMIT 1")[0][0]


def _pct(part: int, whole: int) -> str:
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP)}%"


def _expected(db: Path, as_of: str):
    """Per unit: (name, items, done, overdue, letters), ranked; the laggards; the totals —
    from SQL and Python of the test's own."""
    rows = _q(
        db,
        "SELECT u.id, u.name, a.id, a.completed_on, coalesce(a.due_override, t.due_dates), "
        "t.number, t.position FROM assignment a JOIN task t ON t.id = a.task_id "
        "JOIN unit u ON u.id = a.unit_id WHERE a.active = 1 AND t.active = 1",
    )
    units: dict[int, dict] = {}
    open_ids = set()
    for uid, name, aid, completed, dues, _number, _pos in rows:
        u = units.setdefault(uid, {"name": name, "items": 0, "done": 0, "overdue": 0})
        u["items"] += 1
        if completed is not None and completed <= as_of:
            u["done"] += 1
            continue
        open_ids.add(aid)
        due = max(dues.split(",")) if dues else None
        if due is not None and due < as_of:
            u["overdue"] += 1
    letters = dict(
        _q(
            db,
            "SELECT unit_id, count(*) FROM letter WHERE number IS NOT NULL AND status <> '作废' "
            "AND issued_on <= ? GROUP BY unit_id",
            as_of,
        )
    )
    for uid, u in units.items():
        u["letters"] = letters.get(uid, 0)
    ranked = sorted(
        units.items(),
        key=lambda kv: (
            -Fraction(kv[1]["done"], kv[1]["items"]),
            kv[1]["overdue"],
            kv[1]["name"],
            kv[0],
        ),
    )
    lag = _q(
        db,
        "SELECT u.name, t.number, l.number FROM letter l JOIN letter_item li ON li.letter_id = l.id "
        "JOIN assignment a ON a.id = li.assignment_id JOIN task t ON t.id = a.task_id "
        "JOIN unit u ON u.id = l.unit_id WHERE l.kind = '督办' AND l.number IS NOT NULL "
        "AND l.status <> '作废' AND l.issued_on <= ? "
        "AND (a.completed_on IS NULL OR a.completed_on > ?) ORDER BY t.position",
        as_of,
        as_of,
    )
    laggards: dict[str, list] = {}
    for name, number, letter in lag:
        laggards.setdefault(name, [[], letter])[0].append(number)
    total = sum(u["items"] for u in units.values())
    done = sum(u["done"] for u in units.values())
    overdue = sum(u["overdue"] for u in units.values())
    return [u for _uid, u in ranked], laggards, (total, done, overdue)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _pdf_text(path: Path) -> str:
    """The text layer, page numbers (— N —, drawn at each page's foot) taken out of the flow."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"—\s*\d+\s*—", "", text)


def _streams(path: Path) -> str:
    data = path.read_bytes()
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            out.append(zlib.decompress(m.group(1)).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(out)


def test_circular_states_what_the_store_shows(cli, db, env, tmp_path):
    _history(cli, db)
    expected, laggards, (total, done, overdue) = _expected(db, AS_OF)
    assert laggards and len(expected) > 15  # the scenario has something to say

    res = cli("circular", "draft", "--as-of", AS_OF, "--format", "json")
    assert res.code == 0, res.err
    cid = res.json()["circular"]["id"]
    res = cli("circular", "sign", str(cid), "--by", "王某", "--date", "2025-03-11", "--yes")
    assert res.code == 0, res.err
    assert "2025年第1期" in res.out
    out = tmp_path / "out"
    res = cli("circular", "render", str(cid), "--out", str(out), "--pdf")
    assert res.code == 0, res.err
    pdf, docx = out / "通报2025年第1期.pdf", out / "通报2025年第1期.docx"
    text = _flat(_pdf_text(pdf))

    # 一、总体情况: counts and percentages, rounded half up
    assert f"落实事项{total}项" in text
    assert f"已办结{done}项，占{_pct(done, total)}" in text
    assert f"逾期未完成{overdue}项，占{_pct(overdue, total)}" in text
    in_progress = total - done - overdue
    assert f"正在推进{in_progress}项，占{_pct(in_progress, total)}" in text
    assert "第1期" in text and "2025年3月11日" in text and "截至2025年3月10日" in text

    # 二、the ranked table, row by row in this order
    rows = [
        f"{i}{u['name']}{u['items']}{u['done']}{u['overdue']}{_pct(u['done'], u['items'])}"
        f"{u['letters']}"
        for i, u in enumerate(expected, 1)
    ]
    at = [text.find(r) for r in rows]
    assert -1 not in at, [r for r, a in zip(rows, at, strict=True) if a < 0]
    assert at == sorted(at)
    # ties: 100% with no overdue → by name; 50% with one overdue → by name
    names = [u["name"] for u in expected]
    assert names.index("旗人大办") < names.index("旗委依法治旗办")
    assert names.index("旗委编办") < names.index("旗市监局")
    assert names.index("旗委政法委") < names.index("旗政务服务局")  # 4/4 before 4/7

    # 三、laggards named with their items and letters; a resolved unit is not named
    assert f"以下{len(laggards)}个单位收到督办函后仍有事项未办结" in text
    for name, (numbers, letter) in laggards.items():
        assert f"{name}：事项{'、'.join(numbers)}未办结" in text, name
        assert letter in text
    assert "旗委政法委：事项" not in text
    assert "四、下一步要求" in text and "（一）对逾期未完成的" in text

    # the chart: every unit's label and value in the text layer, one bar per unit with done
    # items drawn as a filled rectangle in the bar colours
    assert "各单位完成率" in text
    for u in expected:
        assert f"{_pct(u['done'], u['items'])}（{u['done']}/{u['items']}）" in text
    ops = _streams(pdf)
    # (the table's cells are stroked, not filled: every filled rectangle is a bar)
    bars = [float(w) for w in re.findall(r"[\d.]+ [\d.]+ ([\d.]+) -?[\d.]+ re f", ops)]
    assert len(bars) == sum(1 for u in expected if u["done"])
    colours = {
        tuple(round(float(x) * 255) for x in m)
        for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) rg", ops)
    }
    assert {(31, 78, 121), (46, 125, 50)} <= colours  # part done, all done
    # bar lengths follow the rates, in rank order (the chart lists units as the table does)
    rates = [Fraction(u["done"], u["items"]) for u in expected if u["done"]]
    assert [round(w / bars[0], 3) for w in bars] == [round(float(r / rates[0]), 3) for r in rates]
    # the .docx: the same content and the chart as pictures
    with zipfile.ZipFile(docx) as zf:
        media = [n for n in zf.namelist() if n.startswith("word/media/")]
        xml = zf.read("word/document.xml").decode("utf-8")
    assert media and all(n.endswith(".png") for n in media)
    for name, (numbers, _letter) in laggards.items():
        assert f"{name}：事项{'、'.join(numbers)}未办结" in xml
    assert 'w:eastAsia="仿宋_GB2312"' in xml

    # the snapshot: a later closing changes neither the register's figures nor the PDF
    _close(cli, db, "旗司法局", "（七）", "2025-03-05")
    again = tmp_path / "again"
    assert cli("circular", "render", str(cid), "--out", str(again), "--pdf").code == 0
    assert _flat(_pdf_text(again / pdf.name)) == text
    listed = cli("circular", "list", "--format", "json").json()
    assert listed[0]["done"] == done and listed[0]["number"] == "2025年第1期"
    # every write audited
    actions = [a for (a,) in _q(db, "SELECT action FROM audit_log WHERE entity = 'circular'")]
    assert actions[:2] == ["circular.draft", "circular.sign"]
    assert actions.count("circular.render") == 2


def test_sign_confirms_the_number_it_takes(cli, db, env):
    assert cli("circular", "draft", "--as-of", AS_OF).code == 0
    res = cli("circular", "sign", "1", "--by", "王某", "--date", "2025-03-11")
    assert res.code == 2
    assert "2025年第1期" in res.out  # stated before anything else
    assert "未签发" in res.err and "2025年第1期" in res.err
    assert _q(db, "SELECT status, number FROM circular") == [("草稿", None)]
    res = cli("circular", "sign", "1", "--by", "王某", "--date", "2025-03-11", "--check")
    assert res.code == 0 and "将编为 2025年第1期" in res.out
    assert _q(db, "SELECT count(*) FROM circular_counter") == [(0,)]


def test_confirmed_number_taken_meanwhile_is_refused(cli, db, env):
    from tui.errors import DubanError
    from tui.services.circulars import sign_circular, sign_preview
    from tui.store.db import make_engine

    assert cli("circular", "draft", "--as-of", AS_OF).code == 0
    assert cli("circular", "draft", "--as-of", AS_OF).code == 0
    eng = make_engine(str(db), create=False)
    seen = sign_preview(eng, 1, date(2025, 3, 11)).number
    assert seen == "2025年第1期"
    sign_circular(eng, 2, "李某", on=date(2025, 3, 11), actor="测试员")  # another desk
    with pytest.raises(DubanError, match="2025年第1期 已被占用.*2025年第2期"):
        sign_circular(eng, 1, "王某", on=date(2025, 3, 11), actor="测试员", expect_number=seen)
    assert _q(db, "SELECT id, status FROM circular ORDER BY id") == [(1, "草稿"), (2, "已签发")]
    eng.dispose()


def _duban(db: Path, cfg: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DUBAN_CONFIG": str(cfg), "DUBAN_USER": "测试员"}
    env.pop("DUBAN_DB", None)
    return subprocess.Popen(
        [sys.executable, "-m", "tui.cli", *args, "--db", str(db)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_numbers_gapless_across_two_processes_void_keeps_its_number(cli, db, env):
    for _ in range(6):
        assert cli("circular", "draft", "--as-of", AS_OF).code == 0
    # two signers at once, three circulars each, each sign its own process
    script = (
        "import sys\nfrom tui.cli import main\n"
        "for ref in sys.argv[1:]:\n"
        "    assert main(['circular', 'sign', ref, '--by', '王某', '--date', '2025-03-11',"
        f" '--yes', '--db', {str(db)!r}]) == 0\n"
    )
    env_ = {**os.environ, "DUBAN_CONFIG": str(env), "DUBAN_USER": "测试员"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, *refs],
            cwd=ROOT,
            env=env_,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for refs in (("1", "3", "5"), ("2", "4", "6"))
    ]
    for p in procs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    seqs = sorted(s for (s,) in _q(db, "SELECT seq FROM circular WHERE year = 2025"))
    assert seqs == [1, 2, 3, 4, 5, 6]
    assert len({n for (n,) in _q(db, "SELECT number FROM circular")}) == 6
    # void keeps the number; the next takes 7, never the voided one
    assert cli("circular", "void", "2025年第6期", "--reason", "数字有误").code == 0
    assert cli("circular", "draft", "--as-of", AS_OF).code == 0
    assert cli("circular", "sign", "7", "--by", "王某", "--date", "2025-03-12", "--yes").code == 0
    assert _q(
        db, "SELECT number, status FROM circular WHERE seq >= 6 AND year = 2025 ORDER BY seq"
    ) == [("2025年第6期", "作废"), ("2025年第7期", "已签发")]
    # a new year starts again at 1
    assert cli("circular", "draft", "--as-of", AS_OF).code == 0
    assert cli("circular", "sign", "8", "--by", "王某", "--date", "2026-01-05", "--yes").code == 0
    assert _q(db, "SELECT number FROM circular WHERE id = 8") == [("2026年第1期",)]
    # the year's figures count the circulars issued, not the voided one
    summary = cli("summary", "--year", "2025", "--format", "json")
    assert summary.code == 0, summary.err
    assert summary.json()["circulars"] == 6
    res = cli("circular", "print", "2025年第6期")
    assert res.code == 2 and "已作废" in res.err


def test_hostile_unit_names_render_as_text(cli, db, env, tmp_path):
    con = sqlite3.connect(db)
    con.execute("UPDATE unit SET name = '[/x][bold]旗\x1b[31m司法\x07局' WHERE name = '旗司法局'")
    con.commit()
    con.close()
    _close(cli, db, "[/x][bold]旗\x1b[31m司法\x07局", "（五）", "2024-12-01")
    res = cli("circular", "draft", "--as-of", AS_OF)
    assert res.code == 0, res.err
    res = cli("circular", "show", "1")
    assert res.code == 0, res.err
    assert "[/x][bold]旗司法局" in res.out  # markup printed as written, controls gone
    assert "\x1b" not in res.out and "\x07" not in res.out
    out = tmp_path / "out"
    assert cli("circular", "render", "1", "--out", str(out), "--pdf").code == 0
    text = _flat(_pdf_text(out / "通报草稿1.pdf"))
    assert "[/x][bold]旗司法局" in text
    assert "（草稿）" in text
    with zipfile.ZipFile(out / "通报草稿1.docx") as zf:
        assert "[/x][bold]旗司法局" in zf.read("word/document.xml").decode("utf-8")


def test_nothing_to_state_is_said_plainly(cli, db, env, tmp_path):
    """No closings, no 督办函: the sections say so from the facts, nothing about history."""
    assert cli("circular", "draft", "--as-of", "2024-10-01").code == 0
    out = tmp_path / "o"
    assert cli("circular", "render", "1", "--out", str(out), "--pdf").code == 0
    text = _flat(_pdf_text(out / "通报草稿1.pdf"))
    assert "尚无办结事项" in text and "各单位均尚无办结事项" in text
    assert "没有逾期未完成的事项" in text
    assert "截至2024年10月1日，本计划尚未发出督办函。" in text
    assert "对逾期未完成的" not in text  # the template's [逾期数] line is left out
    assert "收到督办函仍未办结" not in text


def test_bad_input_is_one_line(cli, db, env):
    for args, match in (
        (("circular", "sign", "9", "--by", "王某", "--yes"), "找不到通报"),
        (("circular", "draft", "--as-of", "2025-13-01"), "--as-of格式不对"),
        (("circular", "render", "1", "--out", "/proc/x"), "找不到通报"),
    ):
        res = cli(*args)
        assert res.code == 2, (args, res.err)
        lines = [x for x in res.err.splitlines() if x.strip()]
        assert len(lines) == 1 and match in lines[0], lines
    assert _q(db, "SELECT count(*) FROM circular") == [(0,)]


def test_migration_8_to_9_adds_the_register(tmp_path):
    from tui.store.db import make_engine, schema_version
    from tui.store.models import SCHEMA_VERSION

    path = tmp_path / "old.db"
    eng = make_engine(str(path))
    eng.dispose()
    con = sqlite3.connect(path)
    con.execute("DROP TABLE circular")
    con.execute("DROP TABLE circular_counter")
    con.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    eng = make_engine(str(path), create=False)
    assert schema_version(eng) == SCHEMA_VERSION >= 9
    eng.dispose()
    names = {n for (n,) in _q(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"circular", "circular_counter"} <= names
    (after,) = _q(
        path,
        "SELECT after FROM audit_log WHERE action = 'store.migrate' "
        "AND before LIKE '%\"schema_version\": 8%' ORDER BY id DESC LIMIT 1",
    )[0]
    assert '"schema_version": 9' in after
    # run on a store that has the tables already (create_all made them): no error, no change
    from tui.store.migrations import _v8_to_v9

    eng = make_engine(str(path), create=False)
    with eng.begin() as conn:
        _v8_to_v9(conn)
    eng.dispose()


def test_percent_rounds_half_up():
    from tui.reports.circular import percent

    assert [percent(1, 8), percent(5, 8), percent(1, 200), percent(1, 3), percent(2, 3)] == [
        13,
        63,
        1,
        33,
        67,
    ]
    assert percent(0, 0) is None
    for part in range(0, 41):
        assert f"{percent(part, 40)}%" == _pct(part, 40)


LP = """#!/bin/sh
printf '%s\\n' "$*" >> "{log}"
case "$*" in *"-d DubanTest"*) echo "request id is DubanTest-1 (1 file(s))";;
  *) echo "lp: The printer or class does not exist." >&2; exit 1;; esac
"""


def test_print_goes_through_the_letters_cups_path(cli, db, env, tmp_path, monkeypatch):
    """`lp` as the letters print it (a recording stand-in; tests/test_printing.py drives a
    real CUPS queue for the shared tui.letters.printing path)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "lp.log"
    (bindir / "lp").write_text(LP.format(log=log), encoding="utf-8")
    (bindir / "lp").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    assert cli("circular", "draft", "--as-of", AS_OF).code == 0
    res = cli("circular", "print", "1", "--printer", "DubanTest")
    assert res.code == 2 and "草稿" in res.err and not log.exists()
    assert cli("circular", "sign", "1", "--by", "王某", "--date", "2025-03-11", "--yes").code == 0
    res = cli("circular", "print", "1", "--printer", "DubanTest", "--out", str(tmp_path / "c"))
    assert res.code == 0, res.err
    args = log.read_text(encoding="utf-8")
    assert "-d DubanTest" in args and "通报2025年第1期.pdf" in args
    assert _q(db, "SELECT status FROM circular") == [("已打印",)]
    res = cli("circular", "print", "1", "--printer", "Nope", "--out", str(tmp_path / "c"))
    assert res.code == 2 and "拒绝" in res.err
    actions = [a for (a,) in _q(db, "SELECT action FROM audit_log WHERE entity = 'circular'")]
    assert actions.count("circular.print") == 1


def test_every_character_drawn_has_a_glyph(cli, db, env):
    """The canvas embeds a subset of the font: anything the layout adds to the texts (the
    two-character indent U+3000, page numbers, chart values) must be in it, or it prints
    as a box (found by looking at a rendered page)."""
    from tui.letters.fonts import resolve_fonts
    from tui.reports.circular_pdf import build_pdf
    from tui.services.circulars import circular_text
    from tui.store.db import make_engine

    _close(cli, db, "旗司法局", "（五）", "2024-12-01")
    assert cli("circular", "draft", "--as-of", AS_OF).code == 0
    eng = make_engine(str(db), create=False)
    _c, text = circular_text(eng, 1)
    eng.dispose()
    pdf = build_pdf(text, resolve_fonts(use_system=False), "各单位完成率")
    assert pdf.page_no() >= 2 and pdf.undrawn == set()


def test_a_plan_title_with_its_own_guanyu_and_book_marks_is_cited_properly(cli, db, env):
    """A plan titled "东胜区关于贯彻落实《…》重点任务分解方案" used to give the circular
    "关于东胜区关于贯彻落实《…》…落实情况的通报" (关于 twice, 《》 nested in 《》). A
    cited title is put in 《》 with the marks inside it made single (〈〉)."""
    plan = ROOT / "data" / "samples" / "dongsheng_2020-2025_breakdown.txt"
    assert cli("import", str(plan), "--new-plan").code == 0
    pid = _q(db, "SELECT id FROM plan WHERE title LIKE '东胜区关于%'")[0][0]
    res = cli("circular", "draft", "--as-of", AS_OF, "--plan", str(pid))
    assert res.code == 0, res.err
    res = cli("circular", "show", "1")
    assert res.code == 0, res.err
    cited = "《东胜区关于贯彻落实〈法治政府建设规划（2020-2025年）〉重点任务分解方案》"
    assert f"关于{cited}落实情况的通报" in res.out
    assert f"{cited}共有任务" in res.out
    assert "关于东胜区关于" not in res.out and "《《" not in res.out


def test_the_docx_keeps_its_letterhead_and_table_in_libreoffice(cli, db, env, tmp_path):
    """Rendered by LibreOffice (with the shipped font for the names the .docx asks for),
    the circular's Word file keeps the issuer's mark on one line and the ranked table in its
    column widths: a unit's name on one line, not broken into three (both seen on the first
    LibreOffice rendering: the mark was sized for 170 mm in a 156 mm paragraph, and the
    table's grid had equal columns)."""
    from tests.letters_helpers import libreoffice_pdfs

    con = sqlite3.connect(db)
    con.execute("UPDATE unit SET name = '旗生态环境局阿拉善分局' WHERE name = '旗司法局'")
    con.commit()
    con.close()
    assert cli("circular", "draft", "--as-of", AS_OF).code == 0
    out = tmp_path / "out"
    assert cli("circular", "render", "1", "--out", str(out)).code == 0
    pdf = libreoffice_pdfs([out / "通报草稿1.docx"], tmp_path / "lo")[out / "通报草稿1.docx"]
    lines = [
        ln.strip()
        for ln in subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
    ]
    mark = "中共阿拉善左旗委员会全面依法治旗委员会办公室"
    assert any(ln.replace(" ", "") == mark for ln in lines), lines[:6]
    assert any("旗生态环境局阿拉善分局" in ln.replace(" ", "") for ln in lines)


def test_register_keeps_to_a_region_in_a_city_store(cli, db, env):
    """A city store holds several counties' plans: `circular list --region` lists the
    circulars of that county's plans alone."""
    from tests.conftest import SEED001

    assert cli("import", str(SEED001)).code == 0
    plans = dict(_q(db, "SELECT region, id FROM plan"))
    assert len(plans) == 2
    (first, first_id), (second, second_id) = sorted(plans.items())
    assert cli("circular", "draft", "--plan", str(first_id), "--as-of", AS_OF).code == 0
    out = cli("circular", "list", "--region", second)
    assert out.code == 0 and f"地区“{second}”还没有通报" in out.out
    assert cli("circular", "draft", "--plan", str(second_id), "--as-of", AS_OF).code == 0
    everything = cli("circular", "list", "--format", "json").json()
    assert len(everything) == 2
    for region, pid in plans.items():
        title = _q(db, "SELECT title FROM plan WHERE id = ?", pid)[0][0]
        listed = cli("circular", "list", "--region", region, "--format", "json").json()
        assert [r["plan"] for r in listed] == [title]
    out = cli("circular", "list", "--region", "没有的地区")
    assert out.code == 2 and "没有这个地区" in out.err
