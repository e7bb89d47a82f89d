"""`duban overdue` reads its arguments without argparse (`tui.cli.overdue_args`) when they
are plain, and must read them exactly as the parser does; anything it is not sure of goes
to the parser, which reads it — or refuses it in Chinese — as always."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui.cli import build_parser, command_of, overdue_args

PLAIN = [
    ["overdue"],
    ["--db", "x.db", "overdue"],
    ["overdue", "--db", "x.db"],
    ["--db=x.db", "--as-of", "2024-11-15", "overdue", "--format", "json"],
    ["overdue", "--db", "x.db", "--unit", "城关镇", "--plan", "1", "--format=csv"],
    ["--as-of=2024-11-15", "overdue", "--as-of", "2024-12-01", "--region", "甲县"],
    ["--db", "a.db", "overdue", "--db", "b.db"],
    ["--db", "overdue", "overdue"],
    ["overdue", "--unit", "overdue", "--format", "table"],
    ["--db=", "overdue", "--plan="],
]


@pytest.mark.parametrize("argv", PLAIN)
def test_plain_arguments_are_read_as_the_parser_reads_them(argv):
    quick = overdue_args(argv)
    assert quick is not None
    assert vars(quick) == vars(build_parser().parse_args(argv))
    assert vars(quick) == vars(build_parser(only="overdue").parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["overdue", "-h"],
        ["overdue", "--help"],
        ["overdue", "--form", "json"],  # an abbreviation argparse would accept
        ["overdue", "--format", "xml"],  # refused by the parser, in Chinese
        ["overdue", "--unit", "a", "--unit", "b"],  # repeated: the parser's rule
        ["overdue", "--unit"],
        ["overdue", "--unit", "-1"],
        ["overdue", "--unit=-x"],
        ["--unit", "a", "overdue"],  # not an option before the command
        ["overdue", "extra"],
        ["overdue", "overdue"],
        ["overdue", "--"],
        ["--db", "x.db"],
        [],
        ["tasks"],
    ],
)
def test_anything_else_is_left_to_the_parser(argv):
    assert overdue_args(argv) is None


def test_a_bad_format_is_still_refused_by_the_parser(capsys):
    from tui.cli import main

    assert main(["overdue", "--format", "xml", "--db", "nowhere.db"]) == 2
    assert "xml" in capsys.readouterr().err


def test_a_whole_overdue_run_imports_no_argument_parser(tmp_path, monkeypatch):
    from tui.cli import main

    monkeypatch.delenv("DUBAN_DB", raising=False)
    db = str(tmp_path / "empty.db")
    assert main(["--db", db, "init"]) == 0
    code = (
        "import sys; from tui.cli import main; "
        f"rc = main(['--db', {db!r}, 'overdue', '--as-of', '2024-11-15']); "
        "print('ARGPARSE', 'argparse' in sys.modules, file=sys.stderr); sys.exit(rc)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "ARGPARSE False" in res.stderr, res.stderr
    assert "逾期未完成 0 条" in res.stdout
    assert command_of(["overdue"]) == "overdue"
