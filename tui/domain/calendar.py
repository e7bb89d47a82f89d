"""China's official working-day calendar, with the office's own files for years nobody knows yet.

Reply deadlines ("within 5 working days") are counted on the State Council's holiday schedule:
public holidays are days off even on a weekday, and make-up workdays (调休上班) are working days
even on a weekend. The ``chinesecalendar`` package knows 2004–2026 and raises
``NotImplementedError`` after that, so for each date the calendar asks, in this order:

1. the office's holiday file for that year (``data/holidays/<year>.toml``), which replaces the
   package's data for that year completely;
2. the ``chinesecalendar`` package, if it covers the year;
3. Monday–Friday, and a warning in Chinese is recorded for that year (``WorkCalendar.warnings``)
   so every screen or letter that depends on it can say so visibly.

A holiday file may list a few dates of the neighbouring years (a 元旦 break or make-up day that
crosses New Year, as in the 2012 notice); those dates are applied on top of whatever source
answers for their own year.

Holiday file format (TOML)::

    year = 2027
    source = "国务院办公厅关于2027年部分节假日安排的通知"   # optional, shown in messages
    holidays = ["2027-01-01", "2027-10-01..2027-10-07"]    # days off; ranges are inclusive
    workdays = ["2027-09-26"]                               # 调休上班 make-up working days

Loading files is the only I/O here (``load_holiday_file`` / ``load_holiday_dir`` /
``WorkCalendar.from_dir``); ``WorkCalendar`` itself only computes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar as _cc

from tui.errors import DubanError
from tui.paths import data_dir

__all__ = [
    "HolidayYear",
    "WorkCalendar",
    "load_holiday_dir",
    "load_holiday_file",
    "package_years",
]

_ONE_DAY = timedelta(days=1)
_MAX_RANGE_DAYS = 31  # a holiday break longer than a month is a typo, not a schedule


@dataclass(frozen=True)
class HolidayYear:
    """One year's schedule: days off and make-up working days (调休上班)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str


def _package_tables() -> tuple[dict[int, set[date]], dict[int, set[date]], range]:
    """Group the package's holiday and make-up dates by calendar year, once."""
    hol: dict[int, set[date]] = {}
    work: dict[int, set[date]] = {}
    for d in _cc.holidays:
        hol.setdefault(d.year, set()).add(d)
    for d in _cc.workdays:
        work.setdefault(d.year, set()).add(d)
    years = range(min(hol), max(hol) + 1) if hol else range(0)
    return hol, work, years


_PKG_HOLIDAYS, _PKG_WORKDAYS, _PKG_YEARS = _package_tables()


def package_years() -> range:
    """Years the installed ``chinesecalendar`` package knows (2004–2026 for version 1.11)."""
    return _PKG_YEARS


# ---------------------------------------------------------------------------- loading files


def _parse_day(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DubanError(f"{where}：无法识别的日期“{text}”，应写成 2027-10-01 这样的格式") from None


def _expand(items: object, key: str, where: str) -> set[date]:
    """Turn ["2027-01-01", "2027-10-01..2027-10-07"] into a set of dates."""
    if not isinstance(items, list):
        raise DubanError(f'{where}：{key} 应是日期列表，例如 {key} = ["2027-01-01"]')
    out: set[date] = set()
    for item in items:
        if not isinstance(item, str):
            # TOML also has a native date type; accept it as well as strings.
            if isinstance(item, date):
                out.add(item)
                continue
            raise DubanError(f"{where}：{key} 中的“{item}”不是日期")
        if ".." in item:
            first_text, _, last_text = item.partition("..")
            first = _parse_day(first_text, where)
            last = _parse_day(last_text, where)
            if last < first:
                raise DubanError(f"{where}：日期范围“{item}”的结束日期早于开始日期")
            if (last - first).days >= _MAX_RANGE_DAYS:
                raise DubanError(f"{where}：日期范围“{item}”超过 {_MAX_RANGE_DAYS} 天，请检查")
            d = first
            while d <= last:
                out.add(d)
                d += _ONE_DAY
        else:
            out.add(_parse_day(item, where))
    return out


def load_holiday_file(path: str | Path) -> HolidayYear:
    """Read one office holiday file; any mistake becomes one line of Chinese naming the file."""
    p = Path(path)
    where = f"节假日文件 {p.name}"
    try:
        raw = p.read_bytes()
    except OSError:
        raise DubanError(f"{where}：无法读取文件") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise DubanError(f"{where}：文件不是 UTF-8 编码，请另存为 UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise DubanError(f"{where}：格式错误（{exc}）") from None
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2200:
        raise DubanError(f"{where}：缺少有效的年份，应写 year = 2027")
    if "holidays" not in data:
        raise DubanError(f"{where}：缺少 holidays（放假日期）列表")
    holidays = _expand(data["holidays"], "holidays", where)
    workdays = _expand(data.get("workdays", []), "workdays", where)
    if not holidays:
        raise DubanError(f"{where}：holidays（放假日期）列表为空")
    for d in sorted(holidays | workdays):
        if abs(d.year - year) > 1:
            raise DubanError(f"{where}：日期 {d.isoformat()} 不属于 {year} 年及相邻年份")
    both = holidays & workdays
    if both:
        first = min(both).isoformat()
        raise DubanError(f"{where}：{first} 同时列为放假日和调休上班日")
    source = data.get("source", "")
    if not isinstance(source, str):
        raise DubanError(f"{where}：source 应是文字说明")
    return HolidayYear(
        year=year,
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        source=source or str(p),
    )


def _default_holiday_dir() -> Path:
    return data_dir() / "holidays"


def load_holiday_dir(path: str | Path | None = None) -> dict[int, HolidayYear]:
    """Read every ``*.toml`` in a folder (default ``data/holidays/``); a missing folder is empty."""
    folder = Path(path) if path is not None else _default_holiday_dir()
    if not folder.is_dir():
        return {}
    years: dict[int, HolidayYear] = {}
    names: dict[int, str] = {}
    for file in sorted(folder.glob("*.toml")):
        hy = load_holiday_file(file)
        if hy.year in years:
            raise DubanError(
                f"节假日文件 {names[hy.year]} 和 {file.name} 都是 {hy.year} 年的安排，请只保留一个"
            )
        years[hy.year] = hy
        names[hy.year] = file.name
    return years


# ---------------------------------------------------------------------------- the calendar


class WorkCalendar:
    """Answers "is this a working day" and counts working days; remembers which years it guessed."""

    __slots__ = ("_overrides", "_tables", "_fallback", "_dir_hint")

    def __init__(
        self,
        overrides: dict[int, HolidayYear] | None = None,
        *,
        dir_hint: str = "data/holidays",
    ) -> None:
        self._overrides: dict[int, HolidayYear] = dict(overrides or {})
        # year -> (days off, make-up workdays); filled lazily per year.
        self._tables: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
        self._fallback: set[int] = set()
        self._dir_hint = dir_hint.rstrip("/")

    @classmethod
    def from_dir(cls, path: str | Path | None = None) -> WorkCalendar:
        """A calendar with the office's holiday files from ``path`` (default ``data/holidays/``)."""
        folder = Path(path) if path is not None else _default_holiday_dir()
        hint = "data/holidays" if path is None else str(folder)
        return cls(load_holiday_dir(folder), dir_hint=hint)

    # -- lookup tables

    def _table(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        table = self._tables.get(year)
        if table is None:
            table = self._build(year)
            self._tables[year] = table
        return table

    def _build(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        hy = self._overrides.get(year)
        if hy is not None:
            hol = {d for d in hy.holidays if d.year == year}
            work = {d for d in hy.workdays if d.year == year}
        elif year in _PKG_YEARS:
            hol = set(_PKG_HOLIDAYS.get(year, ()))
            work = set(_PKG_WORKDAYS.get(year, ()))
        else:
            hol, work = set(), set()
            self._fallback.add(year)
        # Dates a neighbouring year's file lists for this year (a break across New Year).
        for other in (year - 1, year + 1):
            ohy = self._overrides.get(other)
            if ohy is None:
                continue
            for d in ohy.holidays:
                if d.year == year:
                    hol.add(d)
                    work.discard(d)
            for d in ohy.workdays:
                if d.year == year:
                    work.add(d)
                    hol.discard(d)
        return frozenset(hol), frozenset(work)

    # -- queries

    def is_workday(self, d: date) -> bool:
        """True on a working day: make-up days count, holidays and ordinary weekends do not."""
        hol, work = self._table(d.year)
        if d in work:
            return True
        return d.weekday() < 5 and d not in hol

    def add_workdays(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (``d`` itself never counts); n < 0 counts backwards."""
        if n == 0:
            return d
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        left = abs(n)
        year = d.year
        hol, work = self._table(year)
        while left:
            d += step
            if d.year != year:
                year = d.year
                hol, work = self._table(year)
            if d in work or (d.weekday() < 5 and d not in hol):
                left -= 1
        return d

    def count_workdays(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 when ``end`` is not after ``start``."""
        count = 0
        d = start
        year = -1
        hol = work = frozenset()
        while d < end:
            d += _ONE_DAY
            if d.year != year:
                year = d.year
                hol, work = self._table(year)
            if d in work or (d.weekday() < 5 and d not in hol):
                count += 1
        return count

    def check_years(self, years: Iterable[int]) -> None:
        """Look the years up now, so their warnings exist before anything is counted."""
        for year in years:
            self._table(year)

    def fallback_years(self) -> set[int]:
        """Years looked up so far that had neither a file nor package data."""
        return set(self._fallback)

    @property
    def warnings(self) -> list[str]:
        """One line of Chinese per year that was counted as plain Monday–Friday."""
        return [
            f"{year}年节假日安排未知（未找到 {self._dir_hint}/{year}.toml），已按周一至周五计算工作日"
            for year in sorted(self._fallback)
        ]

    def source_of(self, year: int) -> str:
        """Where this year's schedule comes from, in Chinese (for an about/settings screen)."""
        hy = self._overrides.get(year)
        if hy is not None:
            return f"办公室节假日文件（{hy.source}）"
        if year in _PKG_YEARS:
            return "chinesecalendar 内置的国务院节假日安排"
        return "未知，按周一至周五计算"
