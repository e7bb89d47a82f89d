"""Text is data, not markup or terminal commands: whatever a plan, a file name or a unit
name holds is shown as written, and nothing printed can steer the terminal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ESC = "\x1b"

PLAN = (
    "某县2025年法治政府建设工作要点\n一、重点任务\n"
    "（一）完善[/x]执法[bold]公示[/bold]制度\x1b]0;被改了标题\x07，年底前完成。\n"
    "牵头单位：[b]县司法局\n"
    "（二）推行柔性执法\x1b[2J，6月底前完成。\u202e局法司县\u202c\n"
    "牵头单位：县市场监管局\n"
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DUBAN_USER": "测试员",
            "HOME": str(cwd),
            "DUBAN_CONFIG": "/dev/null",
        },
        capture_output=True,
        text=True,
    )


def test_markup_and_escapes_in_a_plan_are_shown_as_text(tmp_path):
    folder = tmp_path / "[red]资料"
    folder.mkdir()
    plan = folder / "计划[bold]文件[x].txt"
    plan.write_text(PLAN, encoding="utf-8")
    db = tmp_path / "duban.db"
    r = run("import", str(plan), "--db", str(db), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert "[red]资料/计划[bold]文件[x].txt" in r.stdout  # the file name as written
    assert ESC not in r.stdout
    r = run("tasks", "--db", str(db), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "完善[/x]执法[bold]公示[/bold]制度" in r.stdout
    assert "[b]县司法局" in r.stdout
    assert "被改了标题" not in r.stdout and "[2J" not in r.stdout
    assert ESC not in r.stdout and "\u202e" not in r.stdout
    r = run("overdue", "--as-of", "2026-06-30", "--db", str(db), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert ESC not in r.stdout and "\x07" not in r.stdout


def test_the_error_printer_prints_markup_characters_as_text(tmp_path):
    missing = tmp_path / "不存在[x]的[bold]文件.txt"
    r = run("import", str(missing), "--db", str(tmp_path / "d.db"), cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("错误：")
    assert "不存在[x]的[bold]文件.txt" in r.stderr
    assert r.stderr.count("\n") == 1
    r = run("tasks", "--plan", "[/x]", "--db", str(tmp_path / "d.db"), cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1


def test_ctrl_c_after_the_commit_says_what_was_saved(cli, db, monkeypatch):
    from tui.commands import import_cmd

    from .conftest import SEED002

    def interrupted(_report):
        raise KeyboardInterrupt

    monkeypatch.setattr(import_cmd, "print_report", interrupted)
    r = cli("import", str(SEED002))
    assert r.code == 130
    assert "已中断" in r.err and "中断前已保存：计划 1" in r.err
    monkeypatch.undo()
    assert "阿拉善左旗2024年法治政府建设工作计划" in cli("tasks").out


def test_ctrl_c_before_anything_is_saved_says_so(cli, db, monkeypatch):
    from tui.commands import import_cmd

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    from .conftest import SEED002

    monkeypatch.setattr(import_cmd, "office_vocabulary", interrupted)
    r = cli("import", str(SEED002))
    assert r.code == 130 and "没有保存任何更改" in r.err


def test_control_characters_in_a_note_are_stripped_and_marked_in_the_audit(tmp_path):
    db = tmp_path / "d.db"
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    assert run("import", str(plan), "--db", str(db), cwd=tmp_path).returncode == 0
    note = "已完成\x1b[2J初稿\u202e，送审\x07中"
    res = run("progress", "1", note, "--date", "2025-03-01", "--db", str(db), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    import sqlite3

    con = sqlite3.connect(db)
    (stored,) = con.execute("SELECT text FROM progress").fetchone()
    (after,) = con.execute("SELECT after FROM audit_log WHERE action = 'progress.add'").fetchone()
    con.close()
    assert stored == "已完成初稿，送审中"
    assert "\x1b" not in after and "\u202e" not in after and "\x07" not in after
    import json

    assert json.loads(after)["text"] == "已完成\ufffd[2J初稿\ufffd，送审\ufffd中"
    shown = run("tasks", "--db", str(db), cwd=tmp_path)
    assert ESC not in shown.stdout
