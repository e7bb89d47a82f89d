"""The command line speaks Chinese: every `--help`, every argparse error, CSV headers.

The help walk finds every sub-command from the parser itself (nested ones included), so a
new sub-command or argument without Chinese help fails here.
"""

from __future__ import annotations

import argparse
import csv
import io
import re

import pytest

from tests.conftest import SEED001
from tui.cli import build_parser

# ASCII a user may read on purpose: names of file formats and settings, placeholders for
# a date, environment variables, file names and the program's own name.
DELIBERATE = {
    "duban",
    "YYYY-MM-DD",
    "SQLAlchemy",
    "SQLite",
    "DUBAN_DB",
    "RRULE",
    "TOML",
    "Word",
    "PDF",
    "Excel",
    "none",  # the value `duban deadline T none` takes
    "done",  # the value `letters reply --settle done` takes
    "printer",  # the settings key named in `letters print --printer`
}
FILE_NAME = re.compile(r"^[\w/.-]*\.(db|md|toml|docx|pdf|xlsx|txt)$")
TOKEN = re.compile(r"[A-Za-z0-9_./+-]*[A-Za-z][A-Za-z0-9_./+-]*")


def walk(parser: argparse.ArgumentParser, path=()):
    """(command path, parser) for the parser and every sub-parser below it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, (*path, name))


def allowed_words(parser: argparse.ArgumentParser) -> set[str]:
    words = set(DELIBERATE)
    for _, p in walk(parser):
        for action in p._actions:
            words.update(action.option_strings)
            if action.choices:
                words.update(str(c) for c in action.choices)
    return words


def english(text: str, allowed: set[str]) -> list[str]:
    """ASCII words in ``text`` that are not allowed (options, choices, file names …)."""
    bad = []
    for token in TOKEN.findall(text):
        word = token.rstrip(".,-/")
        if word in allowed or FILE_NAME.match(word):
            continue
        if word.startswith("-") and word.split("=")[0] in allowed:
            continue
        parts = [p for p in word.split("/") if p]
        if len(parts) > 1 and all(p in allowed or not re.search("[A-Za-z]", p) for p in parts):
            continue
        bad.append(token)
    return bad


PARSER = build_parser()
ALLOWED = allowed_words(PARSER)
COMMANDS = [path for path, _ in walk(PARSER)]


def test_the_walk_finds_nested_sub_commands():
    assert ("units", "import") in COMMANDS and ("units", "list") in COMMANDS
    letters = {path[1] for path in COMMANDS if len(path) == 2 and path[0] == "letters"}
    assert {"due", "draft", "edit", "sign", "render", "print", "reply", "void", "list"} <= letters
    assert ("init",) in COMMANDS and () in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "duban")
def test_help_is_chinese(cli, path):
    r = cli(*path, "-h", use_db=False)
    assert r.code == 0 and r.err == ""
    text = r.out
    assert text.startswith("用法：duban")
    assert "usage" not in text and "options" not in text and "positional" not in text
    assert "显示帮助并退出" in text
    assert english(text, ALLOWED) == [], text


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "duban")
def test_every_argument_and_sub_command_has_chinese_help(path):
    parser = dict(walk(PARSER))[path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            assert set(helps) == set(action.choices), path
            missing = [name for name, h in helps.items() if not h]
            assert missing == [], (path, missing)
            continue
        assert action.help and action.help is not argparse.SUPPRESS, (path, action.dest)
        assert re.search(r"[\u4e00-\u9fff]", action.help), (path, action.dest, action.help)
        if not action.option_strings:
            assert action.metavar, (path, action.dest)


BAD = {
    "missing positional": (("import",), ()),
    "missing required option": (("letters", "draft"), ()),
    "two missing": (("deadline", "1"), ()),
    "invalid choice": (("tasks", "--format", "xml"), ("xml",)),
    "invalid Chinese choice": (("letters", "draft", "--kind", "通知"), ()),
    "invalid int": (("workdays", "2024-01-01", "abc"), ("abc",)),
    "invalid int in letters": (
        ("letters", "push", "x", "--rung", "提示", "--reason", "急"),
        ("x",),
    ),
    "unrecognized": (("tasks", "--bogus", "1"), ("--bogus",)),
    "unknown command": (("frobnicate",), ("frobnicate",)),
    "option without value": (("--db",), ()),
    "nargs +": (("letters", "sign", "--by", "王主任"), ()),
    "units without sub-command": (("units",), ()),
    "letters without sub-command": (("letters",), ()),
}


@pytest.mark.parametrize("case", list(BAD))
def test_argument_errors_are_one_chinese_line(cli, case):
    args, echoed = BAD[case]
    r = cli(*args, use_db=False)
    assert r.code == 2, r
    assert r.out == ""
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    assert len(lines) == 1, r.err
    assert lines[0].startswith("错误：")
    assert english(lines[0], ALLOWED | set(echoed)) == [], lines[0]


def test_argument_errors_say_what_is_wrong(cli):
    r = cli("letters", "draft", use_db=False)
    assert "缺少必需的参数：--kind" in r.err and "duban letters draft -h" in r.err
    r = cli("tasks", "--format", "xml", use_db=False)
    assert "无效的取值“xml”（可选：table、json）" in r.err
    r = cli("workdays", "2024-01-01", "abc", use_db=False)
    assert "“abc” 不是有效的整数" in r.err
    r = cli("tasks", "--bogus", use_db=False)
    assert "无法识别的参数：--bogus" in r.err


# ----------------------------------------------------------------------------- CSV


def test_overdue_csv_has_chinese_headers_a_bom_and_no_true_false(cli):
    assert cli("import", str(SEED001)).code == 0
    r = cli("overdue", "--as-of", "2024-06-30", "--format", "csv")
    assert r.code == 0, r.err
    raw = r.out
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff"))))
    header = rows[0]
    assert header[:3] == ["事项编号", "计划编号", "计划"]
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in header), header
    body = rows[1:]
    assert len(body) > 10
    flat = {cell for row in body for cell in row}
    assert "True" not in flat and "False" not in flat and "None" not in flat
    col = header.index("待分解")
    assert {row[col] for row in body} <= {"是", "否"}
    role = header.index("角色")
    assert {row[role] for row in body} <= {"牵头", "责任", "配合"}


def test_overdue_csv_of_nothing_still_has_the_header(cli):
    assert cli("init").code == 0
    r = cli("overdue", "--format", "csv")
    assert r.code == 0
    assert r.out.startswith("\ufeff事项编号,")
    assert len(r.out.strip().splitlines()) == 1
