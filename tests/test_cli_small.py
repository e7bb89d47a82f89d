"""Small command-line defects: negative workdays, future progress dates, unknown regions,
a settings file that is not there, an --as-of that would be ignored, piped tables cut short."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import SEED001, SEED002
from tui.commands.textable import width


def one_line(r, *words: str) -> str:
    assert r.code == 2, (r.code, r.out, r.err)
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误："), r.err
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def _progress_rows(db) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT COUNT(*) FROM progress").fetchone()[0]
    finally:
        con.close()


# ----------------------------------------------------------------------------- workdays


def test_workdays_backwards_counts_before_the_date(cli):
    # 2024-10-07 and before are the National Day holiday; 2024-09-29 (a Sunday) is a make-up day.
    r = cli("workdays", "2024-10-10", "-4", use_db=False)
    assert r.code == 0, r.err
    assert "2024-10-10 之前第 4 个工作日：2024-09-29" in r.out
    assert "-4" not in r.out
    r = cli("workdays", "2024-10-10", "-3", use_db=False)
    assert "2024-10-10 之前第 3 个工作日：2024-09-30" in r.out


def test_workdays_forwards_and_zero(cli):
    r = cli("workdays", "2024-09-27", "5", use_db=False)
    assert "2024-09-27 之后第 5 个工作日：2024-10-10" in r.out
    r = cli("workdays", "2024-10-10", "0", use_db=False)
    assert r.code == 0 and "2024-10-10" in r.out and "第 0 个" not in r.out


# ----------------------------------------------------------------------------- progress --date


@pytest.fixture
def store(cli, db):
    assert cli("import", str(SEED002)).code == 0
    return db


@pytest.mark.parametrize("when", ["2999-01-01", "1066-10-14", "2100-12-31x"])
def test_progress_refuses_impossible_dates(cli, store, when):
    before = _progress_rows(store)
    one_line(cli("progress", "1", "进展", "--date", when), "--date")
    assert _progress_rows(store) == before


def test_progress_refuses_a_date_after_today(cli, store):
    from datetime import date, timedelta

    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    one_line(cli("progress", "1", "进展", "--date", tomorrow), "晚于", tomorrow)
    assert _progress_rows(store) == 0


def test_progress_honours_as_of_as_default_and_limit(cli, store):
    one_line(cli("--as-of", "2024-08-01", "progress", "1", "进展", "--date", "2024-08-02"), "晚于")
    r = cli("--as-of", "2024-08-01", "progress", "1", "电话反馈")
    assert r.code == 0, r.err
    assert "2024-08-01" in r.out
    con = sqlite3.connect(store)
    assert con.execute("SELECT reported_on FROM progress").fetchall() == [("2024-08-01",)]
    con.close()


# ----------------------------------------------------------------------------- units --region


def test_units_list_unknown_region_names_the_known_ones(cli, store):
    line = one_line(cli("units", "list", "--region", "不存在"), "不存在")
    assert "阿拉善左旗" in line
    r = cli("units", "list", "--region", "阿拉善左旗", "--format", "json")
    assert r.code == 0 and r.json()


# ----------------------------------------------------------------------------- DUBAN_CONFIG


def test_a_missing_settings_file_named_by_duban_config_is_an_error(
    cli, store, tmp_path, monkeypatch
):
    missing = tmp_path / "没有" / "settings.toml"
    monkeypatch.setenv("DUBAN_CONFIG", str(missing))
    one_line(cli("workdays", "2024-09-27", "5", use_db=False), "DUBAN_CONFIG", str(missing))
    one_line(cli("letters", "due"), "DUBAN_CONFIG")


# ----------------------------------------------------------------------------- --as-of


@pytest.mark.parametrize(
    "args",
    [
        ("tasks",),
        ("units", "list"),
        ("deadlines", "1"),
        ("workdays", "2024-01-02", "3"),
        ("letters", "void", "1", "--reason", "重复"),
        ("backup", "{tmp}/b.db"),
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_as_of_where_it_means_nothing_is_refused_not_ignored(cli, store, tmp_path, args):
    args = [a.format(tmp=tmp_path) for a in args]
    line = one_line(cli("--as-of", "2024-08-01", *args, use_db=args[0] != "workdays"), "--as-of")
    assert "没有意义" in line
    assert not (tmp_path / "b.db").exists()


@pytest.mark.parametrize(
    "args",
    [("overdue", "--format", "json"), ("letters", "due", "--format", "json"), ("letters", "list")],
)
def test_as_of_before_the_sub_command_is_honoured(cli, store, args):
    a = cli("--as-of", "2024-12-31", *args)
    b = cli(*args, "--as-of", "2024-12-31")
    assert a.code == 0 and b.code == 0, (a.err, b.err)
    assert a.out == b.out


# ----------------------------------------------------------------------------- piped tables


def test_piped_tables_are_tab_separated_and_never_cut(cli):
    assert cli("import", str(SEED001)).code == 0
    r = cli("overdue", "--as-of", "2024-06-30")
    lines = r.out.splitlines()
    header = lines[0].split("\t")
    assert header[:4] == ["事项", "计划", "任务", "任务名称"]
    rows = [ln.split("\t") for ln in lines[1:-1]]
    assert rows and all(len(row) == len(header) for row in rows)
    # Cells are whole: the old listing cut task titles at 30 cells and plans at 14.
    assert max(width(row[3]) for row in rows) > 30
    title = "东胜区关于贯彻落实《法治政府建设规划（2020-2025年）》重点任务分解方案"
    assert {row[1] for row in rows} == {title}

    r = cli("tasks")
    lines = r.out.splitlines()
    assert lines[0].split("\t")[:4] == ["计划", "编号", "章节", "任务"]
    assert any(len(ln) > 80 for ln in lines)
    assert all("│" not in ln and "─" not in ln for ln in lines)
    assert len(lines[1].split("\t")) == len(lines[0].split("\t"))

    r = cli("units", "list")
    assert r.out.splitlines()[0].split("\t")[:3] == ["编号", "地区", "单位"]

    r = cli("letters", "list")
    assert r.out.splitlines()[0].split("\t")[:2] == ["编号", "发文字号"]


# ----------------------------------------------------------------------------- the desk's arguments


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--db", "x.db"],
        ["--db=x.db"],
        ["--db="],
        ["--as-of", "2024-11-15", "--db", "督办.db"],
        ["--db", "x.db", "--as-of=2024-11-15"],
    ],
)
def test_desk_arguments_read_as_the_parser_reads_them(argv):
    """`duban [--db X] [--as-of D]` skips building the parser: it must read them the same."""
    from tui.cli import _desk_only, build_parser

    quick = _desk_only(argv)
    assert quick is not None
    assert vars(quick) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["-h"],
        ["--db"],
        ["--db", "x.db", "--db", "y.db"],
        ["--db", "--as-of", "2024-11-15"],
        ["overdue"],
        ["--db", "x.db", "tasks"],
        ["--as-of", "2024-11-15", "--verbose"],
    ],
)
def test_anything_else_goes_through_the_parser(argv):
    from tui.cli import _desk_only

    assert _desk_only(argv) is None


# ----------------------------------------------------------------------------- overdue's parser

OVERDUE_ARGV = [
    ["overdue"],
    ["--db", "x.db", "overdue"],
    ["--db=x.db", "--as-of", "2024-11-15", "overdue", "--format", "json"],
    ["overdue", "--db", "x.db", "--unit", "城关镇", "--plan", "1", "--format=csv"],
    ["--as-of=2024-11-15", "overdue", "--as-of", "2024-12-01", "--region", "甲县"],
]


@pytest.mark.parametrize("argv", OVERDUE_ARGV)
def test_overdue_is_read_by_its_own_small_parser_as_by_the_whole_one(argv):
    """`duban overdue` builds only its own parser (the others import their modules): it must
    read every argument, wherever it stands, as the whole parser does."""
    from tui.cli import build_parser, command_of

    assert command_of(argv) == "overdue"
    small = build_parser(only="overdue").parse_args(argv)
    assert vars(small) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["tasks", "--unit", "overdue"],
        ["--db", "overdue", "tasks"],
        ["-h", "overdue"],
        ["--verbose", "overdue"],
        [],
    ],
)
def test_only_the_overdue_command_takes_the_small_parser(argv):
    from tui.cli import command_of

    assert command_of(argv) != "overdue"


def test_overdue_imports_no_other_command(store):
    """A whole `duban overdue` process loads no other command's module, nor the ORM or Rich,
    nor typing and dataclasses (with inspect, 12 ms of a 150 ms run at 100,000 rows)."""
    import subprocess
    import sys

    code = (
        "import sys; from tui.cli import main; "
        f"rc = main(['--db', {str(store)!r}, 'overdue', '--as-of', '2024-11-15']); "
        "bad = sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'sqlmodel', 'rich', "
        "'tui.commands.letters_cmd', 'tui.commands.reports_cmd', 'tui.config_cli', "
        "'tui.commands.circular_cmd', 'tui.commands.db_cmd', 'tui.commands.import_store_cmd')) "
        "or m in ('typing', 'dataclasses', 'inspect')); "
        "print('LOADED', bad, file=sys.stderr); sys.exit(rc)"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "LOADED []" in res.stderr, res.stderr
    assert "逾期未完成" in res.stdout
