"""`duban letters …` end to end through tui.cli.main: every sub-command, JSON that parses,
bad input exits 2 with one Chinese line and writes nothing."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SEED002

SETTINGS_TOML = """
office = "阿拉善左旗全面依法治旗委员会办公室"
issuer_mark = "中共阿拉善左旗委员会全面依法治旗委员会办公室"
contact = "李某"
phone = "0483-1234567"
cc = "旗委、旗政府主要领导"
printer = "DubanTest"

[letter_prefix]
"提醒" = "左依法治办醒"
"督办" = "左依法治办督"
"""

LP = """#!/bin/sh
printf '%s\\n' "$*" >> "{log}"
case "$*" in *"-d DubanTest"*) echo "request id is DubanTest-1 (1 file(s))";;
  *) echo "lp: The printer or class does not exist." >&2; exit 1;; esac
"""


@pytest.fixture
def env(cli, tmp_path, monkeypatch):
    cfg = tmp_path / "settings.toml"
    cfg.write_text(SETTINGS_TOML, encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "lp.log"
    (bindir / "lp").write_text(LP.format(log=log), encoding="utf-8")
    (bindir / "lp").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    assert cli("import", str(SEED002)).code == 0
    return log


def _counts(db: Path) -> tuple[int, ...]:
    con = sqlite3.connect(db)
    try:
        return tuple(
            con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("letter", "letter_item", "letter_counter", "letter_reply", "ladder_override")
        ) + (con.execute("SELECT COUNT(*) FROM letter WHERE status != '草稿'").fetchone()[0],)
    finally:
        con.close()


def _bad(cli, db, *args: str, match: str) -> None:
    before = _counts(db)
    res = cli(*args)
    assert res.code == 2, (args, res.out, res.err)
    lines = [x for x in res.err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误："), res.err
    assert match in lines[0], lines[0]
    assert "Traceback" not in res.err
    assert _counts(db) == before


def test_every_sub_command(cli, db, env, tmp_path):
    res = cli("letters", "due", "--as-of", "2025-01-15", "--format", "json")
    assert res.code == 0, res.err
    due = res.json()
    assert due["as_of"] == "2025-01-15"
    assert {g["kind"] for g in due["groups"]} == {"提醒"}
    # 常态化/持续推进 inside a sentence are not deadlines: two more tasks fall due at year end.
    assert due["skipped"] == {"各有关部门": 22, "各行政执法部门": 3}
    assert cli("letters", "due", "--as-of", "2025-01-15").code == 0

    res = cli("letters", "draft", "--kind", "提醒", "--as-of", "2025-01-15", "--format", "json")
    assert res.code == 0, res.err
    drafted = res.json()
    ids = drafted["ids"]
    assert len(ids) == len(due["groups"]) and drafted["batch"]
    assert drafted["letters"][0]["kind"] == "提醒" and drafted["letters"][0]["items"] >= 1
    assert any("待分解" in n for n in drafted["notes"])

    first = str(ids[0])
    res = cli("letters", "edit", first, "--closing", "请抓紧办理。")
    assert res.code == 0, res.err
    res = cli("letters", "show", first)
    assert res.code == 0 and "（草稿）" in res.out and "请抓紧办理。" in res.out

    res = cli("letters", "sign", first, str(ids[1]), "--by", "张主任", "--date", "2025-01-15")
    assert res.code == 0, res.err
    assert "左依法治办醒〔2025〕1号" in res.out and "左依法治办醒〔2025〕2号" in res.out
    res = cli("letters", "show", "左依法治办醒〔2025〕1号")
    assert res.code == 0 and "左依法治办醒〔2025〕1号" in res.out and "2025年1月22日" in res.out

    out = tmp_path / "out"
    res = cli("letters", "render", first, str(ids[1]), "--out", str(out))
    assert res.code == 0, res.err
    assert len(list(out.glob("*.pdf"))) == 2 and len(list(out.glob("*.docx"))) == 2

    res = cli("letters", "print", first)
    assert res.code == 0, res.err
    assert env.read_text(encoding="utf-8").count("-d DubanTest") == 1
    # batch print: the signed letters of the batch, in number order (drafts are left out)
    res = cli("letters", "print", "--batch", drafted["batch"][:8])
    assert res.code == 0, res.err
    calls = env.read_text(encoding="utf-8").splitlines()[1:]
    assert len(calls) == 2
    assert "〔2025〕1号" in calls[0] and "〔2025〕2号" in calls[1]

    res = cli(
        "letters", "reply", first, "--date", "2025-01-20", "--text", "已完成", "--settle", "done"
    )
    assert res.code == 0, res.err

    res = cli("letters", "void", str(ids[1]), "--reason", "主送单位有误")
    assert res.code == 0, res.err

    res = cli("letters", "list", "--format", "json", "--as-of", "2025-01-30")
    assert res.code == 0, res.err
    rows = {r["id"]: r for r in res.json()}
    assert rows[ids[0]]["status"] == "已回复" and rows[ids[0]]["replied_on"] == "2025-01-20"
    assert rows[ids[1]]["status"] == "作废" and rows[ids[1]]["number"] == "左依法治办醒〔2025〕2号"
    assert rows[ids[2]]["status"] == "草稿" and rows[ids[2]]["number"] is None
    r0 = rows[ids[0]]
    assert r0["issued_on"] == "2025-01-15" and r0["reply_due"] == "2025-01-22"
    assert r0["signed_by"] == "张主任" and r0["printed_at"]
    assert {f["type"] for f in r0["files"]} == {"pdf", "docx"}
    assert all(len(f["sha256"]) == 64 for f in r0["files"])
    assert set(r0) >= {"number", "kind", "unit", "status", "items", "batch", "as_of"}
    res = cli("letters", "list")
    assert res.code == 0 and "左依法治办醒〔2025〕1号" in res.out

    aid = due["groups"][0]["items"][0]["assignment_id"]
    assert cli("letters", "hold", str(aid), "--reason", "已电话说明").code == 0
    assert cli("letters", "release", str(aid), "--reason", "恢复").code == 0
    assert cli("letters", "push", str(aid), "--rung", "督办", "--reason", "重点事项").code == 0
    res = cli("letters", "due", "--as-of", "2025-01-16", "--format", "json")
    kinds = {i["assignment_id"]: g["kind"] for g in res.json()["groups"] for i in g["items"]}
    assert kinds[aid] == "督办"


def test_bad_input_exits_2_with_one_line_and_writes_nothing(cli, db, env, tmp_path):
    res = cli("letters", "draft", "--kind", "提醒", "--as-of", "2025-01-15", "--format", "json")
    ids = res.json()["ids"]
    _bad(cli, db, "letters", match="请指定 letters 的子命令")
    _bad(cli, db, "letters", "draft", "--kind", "通报", match="命令参数有误")
    _bad(cli, db, "letters", "draft", "--kind", "提醒", "--as-of", "2025-13-01", match="--as-of")
    _bad(cli, db, "letters", "sign", "9999", "--by", "张", match="找不到函件：9999")
    _bad(
        cli,
        db,
        "letters",
        "sign",
        str(ids[0]),
        str(ids[1]),
        "9999",
        "--by",
        "张",
        match="找不到函件",
    )
    _bad(cli, db, "letters", "sign", str(ids[0]), "--by", " ", match="签发必须写明签发人")
    _bad(cli, db, "letters", "sign", str(ids[0]), match="命令参数有误")
    _bad(cli, db, "letters", "show", "左依法治办醒〔2025〕99号", match="找不到函件")
    _bad(cli, db, "letters", "print", str(ids[0]), match="草稿")
    _bad(
        cli,
        db,
        "letters",
        "reply",
        str(ids[0]),
        "--date",
        "2025-01-20",
        "--text",
        "x",
        match="尚未签发",
    )
    _bad(cli, db, "letters", "list", "--status", "已发送", match="未知的函件状态")
    _bad(
        cli,
        db,
        "letters",
        "push",
        "9999",
        "--rung",
        "督办",
        "--reason",
        "x",
        match="找不到落实事项",
    )
    _bad(cli, db, "letters", "hold", str(1), "--reason", " ", match="必须写明理由")
    own = tmp_path / "tpl"
    own.mkdir()
    (own / "提醒.txt").write_text("标题：关于{单位.__class__}的函\n正文\n", encoding="utf-8")
    _bad(
        cli,
        db,
        "letters",
        "sign",
        str(ids[0]),
        "--by",
        "张",
        "--templates",
        str(own),
        match="写法不支持",
    )
    assert cli("letters", "sign", str(ids[0]), "--by", "张", "--date", "2025-01-15").code == 0
    _bad(
        cli,
        db,
        "letters",
        "sign",
        str(ids[0]),
        "--by",
        "张",
        match="已签发的函件不能修改，请作废后重新起草",
    )
    _bad(cli, db, "letters", "edit", str(ids[0]), "--title", "新标题", match="已签发的函件不能修改")
    _bad(cli, db, "letters", "print", str(ids[0]), "--printer", "Nope", match="拒绝了打印任务")
    _bad(
        cli,
        db,
        "letters",
        "reply",
        str(ids[0]),
        "--date",
        "2025-01-20",
        "--text",
        "x",
        "--settle",
        "later",
        match="--settle",
    )
    _bad(cli, db, "letters", "void", str(ids[0]), "--reason", "", match="作废必须写明原因")
    _bad(
        cli,
        db,
        "letters",
        "render",
        str(ids[0]),
        "--out",
        "/proc/duban-no",
        match="无法创建输出目录",
    )
