"""`duban import`'s plain arguments are read without argparse (cli.import_args), exactly as
the parser reads them; anything unusual still goes to the parser, which words its errors."""

from __future__ import annotations

import pytest

from tests.conftest import SEED001
from tui.cli import build_parser, import_args, main

READ_BY_HAND = [
    ["import", "plan.txt"],
    ["import", "计划 文件.docx"],
    ["--db", "a.db", "import", "plan.txt"],
    ["--db=a.db", "import", "plan.txt"],
    ["import", "plan.txt", "--db", "b.db"],
    ["--db", "a.db", "import", "plan.txt", "--db", "b.db"],  # the one after wins
    ["import", "--dry-run", "plan.txt"],
    ["import", "plan.txt", "--dry-run", "--new-plan"],
    ["import", "plan.txt", "--plan-year", "2024"],
    ["import", "plan.txt", "--plan-year=2024"],
    ["import", "plan.txt", "--plan-year", "٢٠٢٤"],  # int() reads any digits, as type=int does
    ["import", "plan.txt", "--region", "东胜区"],
    ["import", "plan.txt", "--region="],
    ["import", "plan.txt", "--revision-of", "3"],
    ["import", "plan.txt", "--revision-of", "东胜区法治政府建设实施方案"],
    ["import", "plan.txt", "--format", "json"],
    ["import", "plan.txt", "--format=table"],
    ["import", "import"],  # a file named import
    [
        "--db",
        "a.db",
        "import",
        "--format",
        "json",
        "plan.txt",
        "--region",
        "达拉特旗",
        "--plan-year",
        "2025",
        "--dry-run",
        "--revision-of",
        "2",
        "--new-plan",
        "--db",
        "c.db",
    ],
]

LEFT_TO_THE_PARSER = [
    ["import"],  # no file
    ["import", "a.txt", "b.txt"],  # two files
    ["import", "-h"],
    ["import", "plan.txt", "--help"],
    ["--as-of", "2024-01-01", "import", "plan.txt"],  # refused by the parser, in its words
    ["import", "plan.txt", "--as-of", "2024-01-01"],
    ["import", "plan.txt", "--dry"],  # an abbreviation
    ["import", "plan.txt", "--form", "json"],
    ["import", "plan.txt", "--format", "csv"],  # not a format of import
    ["import", "plan.txt", "--format"],  # no value
    ["import", "plan.txt", "--plan-year", "二〇二四"],
    ["import", "plan.txt", "--plan-year", "-5"],
    ["import", "plan.txt", "--region", "--dry-run"],
    ["import", "plan.txt", "--dry-run", "--dry-run"],  # repeated
    ["import", "plan.txt", "--region", "a", "--region", "b"],
    ["--db", "a.db", "--db", "b.db", "import", "plan.txt"],
    ["import", "plan.txt", "--dry-run=yes"],
    ["import", "--", "-plan.txt"],
    ["import", "-plan.txt"],
    ["--dry-run", "import", "plan.txt"],  # an import option before the command
    ["--region", "x", "import", "plan.txt"],
    ["import", "plan.txt", "--unknown"],
    ["overdue"],
]


@pytest.mark.parametrize("argv", READ_BY_HAND, ids=" ".join)
def test_plain_arguments_read_as_the_parser_reads_them(argv):
    quick = import_args(argv)
    assert quick is not None
    assert vars(quick) == vars(build_parser("import").parse_args(argv))


@pytest.mark.parametrize("argv", LEFT_TO_THE_PARSER, ids=" ".join)
def test_anything_unusual_goes_to_the_parser(argv):
    assert import_args(argv) is None


def test_the_parser_still_words_the_mistakes(tmp_path, capsys):
    db = tmp_path / "d.db"
    assert main(["import", str(SEED001), "--format", "csv", "--db", str(db)]) == 2
    assert "csv" in capsys.readouterr().err
    assert main(["--as-of", "2024-01-01", "import", str(SEED001), "--db", str(db)]) == 2
    assert "--as-of" in capsys.readouterr().err
    assert not db.exists()


def test_an_import_read_by_hand_writes_the_plan(tmp_path, capsys):
    db = tmp_path / "d.db"
    assert main(["import", str(SEED001), "--db", str(db), "--format", "json"]) == 0
    assert '"status": "new"' in capsys.readouterr().out
    assert db.is_file()
