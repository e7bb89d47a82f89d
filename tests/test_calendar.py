"""Working-day calendar: official schedule, office files for later years, visible fallback."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from tui.domain.calendar import (
    HolidayYear,
    WorkCalendar,
    load_holiday_dir,
    load_holiday_file,
    package_years,
)
from tui.errors import DubanError
from tui.paths import data_dir

HOLIDAY_DIR = data_dir() / "holidays"


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


FILE_2027 = """
year = 2027
source = "测试用安排"
holidays = ["2027-01-01", "2027-10-01..2027-10-07"]
workdays = ["2027-09-26", "2027-10-09"]
"""


def test_national_day_2024_with_make_up_day() -> None:
    cal = WorkCalendar()
    # 09-29 (Sunday) is a make-up workday, 10-01..10-07 are off.
    assert cal.add_workdays(date(2024, 9, 27), 5) == date(2024, 10, 10)
    assert cal.is_workday(date(2024, 9, 29))
    assert not cal.is_workday(date(2024, 10, 4))
    assert cal.is_workday(date(2024, 10, 12))  # Saturday make-up day
    assert not cal.is_workday(date(2024, 10, 13))
    assert cal.count_workdays(date(2024, 9, 27), date(2024, 10, 10)) == 5
    assert cal.warnings == []
    assert cal.fallback_years() == set()


def test_add_and_count_basics() -> None:
    cal = WorkCalendar()
    d = date(2024, 3, 1)  # Friday
    assert cal.add_workdays(d, 0) == d
    assert cal.add_workdays(d, 1) == date(2024, 3, 4)
    assert cal.add_workdays(date(2024, 3, 4), -1) == d
    assert cal.count_workdays(d, d) == 0
    assert cal.count_workdays(date(2024, 3, 8), d) == 0
    assert cal.count_workdays(d, date(2024, 3, 8)) == 5
    # Spring Festival 2024: 02-10..02-17 off, 02-04 and 02-18 (Sundays) worked.
    assert cal.add_workdays(date(2024, 2, 8), 2) == date(2024, 2, 18)
    # February has 21 weekdays - 5 off + 2 make-up = 18; (02-01, 02-29] leaves out 02-01.
    assert cal.count_workdays(date(2024, 2, 1), date(2024, 2, 29)) == 17
    assert cal.count_workdays(date(2024, 1, 31), date(2024, 2, 29)) == 18


def test_package_range_and_year_crossing() -> None:
    assert package_years() == range(2004, 2027)
    cal = WorkCalendar()
    # 2025-12-31 (Wed) + 1 working day: 2026-01-01..03 off, 01-04 (Sunday) a make-up day.
    assert cal.add_workdays(date(2025, 12, 31), 1) == date(2026, 1, 4)


def test_2027_without_file_falls_back_with_warning() -> None:
    cal = WorkCalendar()
    assert cal.is_workday(date(2027, 1, 1))  # a Friday; really 元旦, but unknown
    assert not cal.is_workday(date(2027, 1, 2))
    assert cal.add_workdays(date(2027, 9, 30), 3) == date(2027, 10, 5)
    assert cal.fallback_years() == {2027}
    assert cal.warnings == [
        "2027年节假日安排未知（未找到 data/holidays/2027.toml），已按周一至周五计算工作日"
    ]
    cal.is_workday(date(2027, 5, 5))
    assert len(cal.warnings) == 1  # one per year, not per lookup
    assert cal.source_of(2027) == "未知，按周一至周五计算"


def test_2027_with_office_file(tmp_path: Path) -> None:
    hy = load_holiday_file(write(tmp_path, "2027.toml", FILE_2027))
    assert hy.year == 2027
    assert len(hy.holidays) == 8
    assert hy.workdays == frozenset({date(2027, 9, 26), date(2027, 10, 9)})
    assert hy.source == "测试用安排"
    cal = WorkCalendar({2027: hy})
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 9, 26))  # Sunday make-up
    assert not cal.is_workday(date(2027, 10, 4))  # Monday in the break
    # Thu 09-30 + 3 working days: 10-01..07 off, 10-08 Fri, 10-09 Sat make-up, 10-11 Mon.
    assert cal.add_workdays(date(2027, 9, 30), 3) == date(2027, 10, 11)
    assert cal.count_workdays(date(2027, 9, 30), date(2027, 10, 11)) == 3
    assert cal.warnings == []
    assert cal.fallback_years() == set()


def test_from_dir_reads_folder_and_names_it_in_warnings(tmp_path: Path) -> None:
    write(tmp_path, "2027.toml", FILE_2027)
    cal = WorkCalendar.from_dir(tmp_path)
    assert not cal.is_workday(date(2027, 10, 1))
    assert cal.is_workday(date(2028, 1, 3))
    assert cal.warnings == [
        f"2028年节假日安排未知（未找到 {tmp_path}/2028.toml），已按周一至周五计算工作日"
    ]


def test_override_beats_package_for_covered_year(tmp_path: Path) -> None:
    cal = WorkCalendar()
    assert cal.is_workday(date(2026, 3, 2))  # an ordinary Monday
    assert not cal.is_workday(date(2026, 1, 1))
    text = 'year = 2026\nholidays = ["2026-03-02"]\nworkdays = ["2026-03-07"]\n'
    hy = load_holiday_file(write(tmp_path, "2026.toml", text))
    cal = WorkCalendar({2026: hy})
    assert not cal.is_workday(date(2026, 3, 2))
    assert cal.is_workday(date(2026, 3, 7))
    # The file replaces the package's year entirely: 元旦 is not in this file.
    assert cal.is_workday(date(2026, 1, 1))
    assert cal.source_of(2026).startswith("办公室节假日文件")
    assert WorkCalendar().source_of(2026) == "chinesecalendar 内置的国务院节假日安排"


def test_neighbouring_year_dates_in_a_file_apply(tmp_path: Path) -> None:
    text = 'year = 2028\nholidays = ["2028-01-01..2028-01-03"]\nworkdays = ["2027-12-31"]\n'
    # 2027-12-31 is a Friday anyway; use a Saturday for a visible effect.
    text = text.replace("2027-12-31", "2027-12-25")
    cal = WorkCalendar({2028: load_holiday_file(write(tmp_path, "2028.toml", text))})
    assert cal.is_workday(date(2027, 12, 25))
    assert not cal.is_workday(date(2028, 1, 3))
    assert cal.fallback_years() == {2027}  # 2027 itself is still unknown


def test_load_dir_ignores_example_and_shipped_example_is_valid(tmp_path: Path) -> None:
    example = HOLIDAY_DIR / "2027.toml.example"
    assert example.is_file()
    assert (HOLIDAY_DIR / "README.md").is_file()
    # No real guessed schedule ships for years the package does not know.
    shipped = load_holiday_dir(HOLIDAY_DIR)
    assert all(year in package_years() for year in shipped)
    shutil.copy(example, tmp_path / "2027.toml.example")
    assert load_holiday_dir(tmp_path) == {}
    hy = load_holiday_file(tmp_path / "2027.toml.example")
    assert hy.year == 2027
    assert "虚构" in hy.source
    assert load_holiday_dir(tmp_path / "missing") == {}


def test_load_dir_reads_all_years(tmp_path: Path) -> None:
    write(tmp_path, "2027.toml", FILE_2027)
    write(tmp_path, "x.toml", 'year = 2028\nholidays = ["2028-01-01"]\n')
    years = load_holiday_dir(tmp_path)
    assert sorted(years) == [2027, 2028]
    assert isinstance(years[2028], HolidayYear)
    assert years[2028].workdays == frozenset()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year = 2027\nholidays = [", "格式错误"),
        ('holidays = ["2027-01-01"]\n', "缺少有效的年份"),
        ('year = "2027"\nholidays = ["2027-01-01"]\n', "缺少有效的年份"),
        ("year = 2027\n", "缺少 holidays"),
        ("year = 2027\nholidays = []\n", "列表为空"),
        ('year = 2027\nholidays = "2027-01-01"\n', "应是日期列表"),
        ('year = 2027\nholidays = ["2027-13-01"]\n', "无法识别的日期“2027-13-01”"),
        ('year = 2027\nholidays = ["2027-10-07..2027-10-01"]\n', "结束日期早于开始日期"),
        ('year = 2027\nholidays = ["2027-01-01..2027-03-01"]\n', "超过 31 天"),
        ('year = 2027\nholidays = ["2029-01-01"]\n', "不属于 2027 年"),
        ("year = 2027\nholidays = [1]\n", "不是日期"),
        (
            'year = 2027\nholidays = ["2027-10-01..2027-10-07"]\nworkdays = ["2027-10-03"]\n',
            "2027-10-03 同时列为放假日和调休上班日",
        ),
    ],
)
def test_bad_files_give_one_chinese_line(tmp_path: Path, text: str, message: str) -> None:
    p = write(tmp_path, "bad.toml", text)
    with pytest.raises(DubanError) as err:
        load_holiday_file(p)
    assert message in err.value.message
    assert err.value.message.startswith("节假日文件 bad.toml：")


def test_bad_encoding_missing_file_and_duplicate_year(tmp_path: Path) -> None:
    p = tmp_path / "gbk.toml"
    p.write_bytes('year = 2027\nsource = "国务院"\nholidays = ["2027-01-01"]\n'.encode("gbk"))
    with pytest.raises(DubanError, match="不是 UTF-8 编码"):
        load_holiday_file(p)
    with pytest.raises(DubanError, match="无法读取文件"):
        load_holiday_file(tmp_path / "nope.toml")
    d = tmp_path / "dup"
    d.mkdir()
    write(d, "a.toml", FILE_2027)
    write(d, "b.toml", FILE_2027)
    with pytest.raises(DubanError, match="a.toml 和 b.toml 都是 2027 年的安排"):
        load_holiday_dir(d)


def test_toml_native_dates_are_accepted(tmp_path: Path) -> None:
    hy = load_holiday_file(write(tmp_path, "n.toml", "year = 2027\nholidays = [2027-05-03]\n"))
    assert hy.holidays == frozenset({date(2027, 5, 3)})
