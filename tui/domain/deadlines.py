"""Deadline expressions in plan text → structured deadlines with their source span.

Staff must see *why* a task has the date it has, so every deadline keeps the words it came
from (``text``, ``start``, ``end`` in the original text) and a Chinese ``note`` when the
parser had to decide something the text does not say.

Working copy: whitespace is dropped and full-width digits folded (PDF artifacts such as
"2016 年 6 月底前", "２０２３"); an index map turns spans back into original offsets, so
``original[d.start:d.end] == d.text`` always holds.

Decisions where the plans are silent:

- Absolute. ``YYYY年(年)底/末/内(前)`` → 12-31; ``YYYY年X月底前`` / ``YYYY年X月`` → last day
  of the month; ``YYYY年X月X日(前)`` → that day (inclusive); ``YYYY年第X季度`` /
  ``上半年`` / ``下半年`` → end of the period. ``YYYY年前`` → 12-31 of the previous year,
  and by the same reading ``X月前`` (without 底) → last day of the previous month.
  ``到/至/在/于 YYYY年`` → 12-31 of YYYY. A bare ``YYYY年`` counts only at the start of a
  clause followed by an action ("2021年统一行政应诉法律文书") → 12-31; elsewhere it is a
  mention ("完成2023年法治政府建设各项任务", "2023年度"), not a deadline.
- Never deadlines: years inside 《》 (citations) and year ranges ("（2021-2025年）"); years
  more than 5 years after the plan end (visions such as "到2035年基本建成"); "YYYY年以来/起".
- Yearless (``年内``, ``年底前``, ``今年``, ``X月底前``, ``X月X日前``, ``第X季度``, ``上/下半年``,
  ``年初``): the year of the nearest absolute deadline earlier in the same text, else the
  plan year; in a multi-year plan with no earlier year, the plan's *end* year (so a task is
  never flagged overdue on a guess; the note asks staff to check). Without any plan context
  and no earlier year the expression is kept as ``relative`` (no date) with a note.
  ``年初`` means the first quarter → 03-31. The year taken over is that of the earlier *due
  date* ("2023年前…" → 2022), and only deadline years count, never citations or mentions.
- Recurring, bounded by the plan period (DTSTART Jan 1 of the start year, UNTIL Dec 31 of
  the end year): ``每年`` → yearly, on the date given (``每年1月8日前`` → 01-08,
  ``每年第一季度`` → 03-31, ``每年年初`` → 03-31), else 12-31 — a count per year
  ("每年至少组织1次", "每年举办法治专题讲座2次") is due by year end. ``每季度(末)`` →
  quarter ends; ``每月`` / ``月通报制度`` → month ends (or ``每月X日前``); ``每半年`` → 06-30 and
  12-31; ``每N年`` → every N years on 12-31, the first due at the end of the first N-year
  window (DTSTART Jan 1 of start+N−1, capped at the end year). ``逐年``, ``定期``, ``年度报告制度``
  name no schedule and produce nothing.
- Relative: "<event>之日起/后 N 日/个工作日/个月 内" → kind ``relative``, no date; the note
  says what it counts from. Hours never make a relative deadline: "事件发生后5小时内" is
  a service standard. A date inside the event words is still reported on its own.
- Ongoing: ``长期坚持``, ``长期推进/开展/执行``, ``持续推进``, ``常态化`` → kind ``ongoing``. Other
  "持续X" verbs (持续优化, 持续加强…) describe effort, not a schedule: they produce nothing,
  so the task keeps its default date and stays supervisable.
- Durations and service standards produce nothing: "N小时/日/天/个工作日/个月/年内" without
  an event, "不超过/不少于/压缩至 N …" ("五年内对全区行政执法人员轮训2次" too).
- ``task_deadlines``: the 完成时限 cell, when it yields anything, wins over the task text;
  if nothing is found at all, one ``default`` deadline at the plan's end (默认期限).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache
from itertools import islice

from dateutil.rrule import rrule as _RRule
from dateutil.rrule import rruleset as _RRuleSet
from dateutil.rrule import rrulestr

from tui.domain.cn_numbers import cn_to_int, normalize_with_map, original_span
from tui.domain.plan_context import PlanContext
from tui.errors import DubanError

__all__ = [
    "Deadline",
    "PlanContext",
    "find_deadlines",
    "parse_deadline_override",
    "task_deadlines",
]

VISION_MARGIN_YEARS = 5


@dataclass(frozen=True)
class Deadline:
    """One deadline expression found in a task, or the plan-end default."""

    kind: str  # "absolute" | "recurring" | "relative" | "ongoing" | "default"
    due: date | None
    rrule: str | None
    text: str
    start: int
    end: int
    note: str = ""

    def occurrences(self, start: date, end: date) -> list[date]:
        """Due dates falling in [start, end]; empty for relative and ongoing deadlines."""
        if self.kind == "recurring" and self.rrule:
            return list(_between(self.rrule, start, end))
        if self.due is not None and start <= self.due <= end:
            return [self.due]
        return []


@lru_cache(maxsize=1024)  # a plan's tasks share a handful of rules and one period
def _between(rule: str, start: date, end: date) -> tuple[date, ...]:
    parsed = _parse_rrule(rule, None if "DTSTART" in rule else start)
    lo = datetime(start.year, start.month, start.day)
    hi = datetime(end.year, end.month, end.day, 23, 59, 59)
    return tuple(d.date() for d in parsed.between(lo, hi, inc=True))


@lru_cache(maxsize=1024)
def _first_due(rule: str) -> date | None:
    first = next(iter(_parse_rrule(rule, None)), None)
    return first.date() if first is not None else None


# The rules this program writes: an optional DTSTART day and one RRULE, UNTIL a day.
_PLAIN_RULE = re.compile(r"(?:DTSTART:(\d{8})\n)?RRULE:([A-Z0-9=;,+\-]+)")


def _day(digits: str) -> datetime:
    return datetime(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


@lru_cache(maxsize=512)
def _parse_rrule(rule: str, dtstart: date | None) -> _RRule | _RRuleSet:
    start = datetime(dtstart.year, dtstart.month, dtstart.day) if dtstart is not None else None
    plain = _PLAIN_RULE.fullmatch(rule)
    if plain is not None:
        # The same rule as rrulestr reads it, but its DTSTART and UNTIL days are read here:
        # rrulestr reads them with dateutil's general date parser, whose import alone costs
        # more than an import of a seed plan spends on all its deadlines.
        parts = plain.group(2).split(";")
        until = [p[6:] for p in parts if p.startswith("UNTIL=")]
        if len(until) <= 1 and all(len(u) == 8 and u.isdigit() for u in until):
            if plain.group(1):
                start = _day(plain.group(1))
            body = ";".join(p for p in parts if not p.startswith("UNTIL="))
            parsed = rrulestr(f"RRULE:{body}", dtstart=start)
            return parsed.replace(until=_day(until[0])) if until else parsed
    if start is None:
        return rrulestr(rule)
    return rrulestr(rule, dtstart=start)


# ---------------------------------------------------------------- regex building blocks

_CN = "〇○零一二两三四五六七八九十百"
_NUMCHARS = "0-9" + _CN


def _y(name: str) -> str:
    return rf"(?<![0-9])(?P<{name}>(?:19|20)\d{{2}}|[一二][〇○零九][〇○零一二三四五六七八九]{{2}})"


def _m(name: str) -> str:
    return rf"(?P<{name}>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"


def _d(name: str) -> str:
    return rf"(?P<{name}>3[01]|[12]\d|0?[1-9]|三十一?|[一二]?十[一二三四五六七八九]?|[一二三四五六七八九])"


def _q(name: str) -> str:
    return rf"(?P<{name}>[1-4]|[一二三四])"


_BEF = r"(?:之前|以前|前)"
_N = r"(?:\d{1,3}|[一二两三四五六七八九十百]+)"
_NOYEAR_GUARD = rf"(?<![{_NUMCHARS}年个每前上去明近几])"

_MASK = "□"
_QUOTED = re.compile(r"《[^《》]{0,120}》")
_YR = r"(?:(?:19|20)\d{2}|[一二][〇○零九][〇○零一二三四五六七八九]{2})"
_RANGE = re.compile(rf"{_YR}年?度?[-－—–~～至到]+{_YR}年?度?")
_STANDARD = re.compile(
    r"(?:不超过|不少于|不多于|不低于|不高于|少于|多于|超过|压缩至|压缩到|缩短至|缩短到|控制在)"
    r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百]+)个?(?:小时|工作日|日|天|周|星期|月|年|学时|分钟)"
)
_DURATION = re.compile(
    rf"(?<![{_NUMCHARS}]){_N}个?(?:小时|工作日|日|天|周|星期|月|年|学时|分钟)以?内"
)
_RELATIVE = re.compile(
    rf"(?P<trig>之日起|之日后|之日|以后|之后|后|起)的?(?P<n>{_N})"
    rf"(?P<unit>个工作日|工作日|个月|日|天|周|个星期|星期)以?内"
)
_EVENT_STOP = set('，。；;：:、,！!？?（）()“”"《》【】[]' + _MASK)
_EVENT_FILLERS = ("必须", "应当", "最迟", "应", "须", "需", "要", "并", "在", "于", "自", "从")
_EVENT_MAX = 14

# Every alternative starts with one of these characters; the lookahead lets the regex
# engine skip other positions cheaply (300 tasks must parse in well under 50 ms).
_STARTS = "0-9一二三四五六七八九十截力争确到至在于每月季第上下今本当年长持常"
_MAIN = re.compile(
    f"(?=[{_STARTS}])(?:"
    + "|".join(
        [
            r"(?P<iso>(?<![0-9])(?P<iso_y>(?:19|20)\d{2})[-./](?P<iso_m>1[0-2]|0?[1-9])[-./](?P<iso_d>3[01]|[12]\d|0?[1-9])(?![0-9]))",
            rf"(?P<ymd>{_y('ymd_y')}年{_m('ymd_m')}月{_d('ymd_d')}[日号]{_BEF}?)",
            rf"(?P<ym>{_y('ym_y')}年{_m('ym_m')}月(?P<ym_s>(?:上旬|中旬|下旬){_BEF}?|底前|末前|底|末|份前|份|{_BEF})?(?![0-9{_CN}]))",
            rf"(?P<yq>{_y('yq_y')}年第?{_q('yq_q')}季度?(?:末|底)?{_BEF}?)",
            rf"(?P<yh>{_y('yh_y')}年(?P<yh_h>上|下)半年(?:末|底)?{_BEF}?)",
            rf"(?P<yend>{_y('yend_y')}(?:年年底|年年末|年底|年末|年年内|年内){_BEF}?)",
            rf"(?P<ybefore>{_y('ybf_y')}年{_BEF}(?![{_NUMCHARS}半季后期]))",
            rf"(?P<yto>(?:截至|截止到|截止|力争到|力争在|力争|争取到|争取|确保到|确保在|到|至|在|于){_y('yto_y')}年"
            rf"(?![年度月底末前第上下半内季{_NUMCHARS}以起开至到的\-－—–~～]))",
            rf"(?P<ybare>(?<![^。；;，,：:！!？?）)]){_y('yb_y')}年"
            rf"(?![年度月底末前第上下半内季{_NUMCHARS}以起开至到的\-－—–~～，,、。；;：:）)》]))",
            # recurring
            rf"(?P<ev_half>每半年(?:末|底)?{_BEF}?)",
            rf"(?P<ev_year>每(?P<ev_n>[两二三四五六七八九十]|[2-9]|10)?(?:个)?年度?"
            rf"(?:(?P<ev_md>{_m('ev_m')}月{_d('ev_d')}[日号]{_BEF}?)"
            rf"|(?P<ev_mend>{_m('ev_m2')}月(?:底|末){_BEF}?)"
            rf"|第?{_q('ev_q')}季度(?:末|底)?{_BEF}?"
            rf"|(?P<ev_h>上|下)半年(?:末|底)?{_BEF}?"
            rf"|(?P<ev_ye>年底|年末){_BEF}?"
            rf"|(?P<ev_yb>年初))?)",
            rf"(?P<ev_quarter>每(?:个)?季度?(?:末|底)?{_BEF}?)",
            rf"(?P<ev_month>每(?:个)?月(?:{_d('evm_d')}[日号]{_BEF}?|(?:底|末){_BEF}?)?)",
            rf"(?P<ev_report>(?<![{_NUMCHARS}个每年])(?P<rep_u>月|季度|季)度?(?:通报|调度|报告)制度)",
            # yearless
            rf"(?P<nmd>{_NOYEAR_GUARD}{_m('nmd_m')}月{_d('nmd_d')}[日号]{_BEF})",
            rf"(?P<nm>{_NOYEAR_GUARD}{_m('nm_m')}月(?P<nm_s>(?:上旬|中旬|下旬){_BEF}?|底前|末前|底|末|{_BEF}))",
            rf"(?P<nq>{_NOYEAR_GUARD}第?{_q('nq_q')}季度(?:末|底)?{_BEF}?)",
            rf"(?P<nh>{_NOYEAR_GUARD}(?P<nh_h>上|下)半年(?:末|底)?{_BEF}?)",
            rf"(?P<nend>(?:今年|本年|当年)(?:年底|年末|底|末|内){_BEF}?|本年度内|今年|{_NOYEAR_GUARD}(?:年底|年末|年内){_BEF}?)",
            rf"(?P<nstart>(?:今年|本年)?{_NOYEAR_GUARD}年初)",
            # ongoing
            r"(?P<ongoing>长期坚持|长期推进|长期开展|长期执行|持续推进|常态化)",
        ]
    )
    + ")"
)


# ---------------------------------------------------------------- small helpers


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


# 上旬 / 中旬 / 下旬: the first, second and last third of a month end on the 10th, the 20th
# and the month's last day.
_TEN_DAYS = ("上旬", "中旬", "下旬")


def _ten_days_end(y: int, m: int, part: str) -> date:
    if part == "上旬":
        return date(y, m, 10)
    if part == "中旬":
        return date(y, m, 20)
    return _month_end(y, m)


def _quarter_end(y: int, q: int) -> date:
    return _month_end(y, q * 3)


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class _Scan:
    """State of one pass over a text: the original, its working copy and what was found."""

    def __init__(self, text: str, ctx: PlanContext | None) -> None:
        self.text = text
        self.ctx = ctx
        self.norm, self.index = normalize_with_map(text)
        self.found: list[Deadline] = []
        self.last_year: int | None = None

    def span(self, s: int, e: int) -> tuple[str, int, int]:
        a, b = original_span(self.index, s, e)
        return self.text[a:b], a, b

    def add(
        self,
        kind: str,
        s: int,
        e: int,
        due: date | None = None,
        rule: str | None = None,
        note: str = "",
    ) -> None:
        words, a, b = self.span(s, e)
        self.found.append(Deadline(kind, due, rule, words, a, b, note))

    def too_far(self, year: int) -> bool:
        return self.ctx is not None and year > self.ctx.end_year + VISION_MARGIN_YEARS

    def yearless_year(self, words: str) -> tuple[int | None, str]:
        if self.last_year is not None:
            return self.last_year, f"年份取自前文“{self.last_year}年”"
        if self.ctx is None:
            return None, f"年份不明：“{words}”未写年份，且未指定计划年度"
        if self.ctx.end_year == self.ctx.start_year:
            return self.ctx.start_year, f"年份取自计划年度“{self.ctx.start_year}年”"
        return (
            self.ctx.end_year,
            f"年份取自计划期末“{self.ctx.end_year}年”（多年期计划，原文未写年份，请核对）",
        )

    def recurring(self, s: int, e: int, rule: str, note: str, interval: int = 1) -> None:
        ctx = self.ctx
        if interval > 1:
            rule += f";INTERVAL={interval}"
        if ctx is not None:
            first = min(ctx.start_year + interval - 1, ctx.end_year)
            full = f"DTSTART:{first:04d}0101\nRRULE:{rule};UNTIL={ctx.end_year:04d}1231"
        elif self.last_year is not None:
            full = f"DTSTART:{self.last_year:04d}0101\nRRULE:{rule}"
        else:
            full = f"RRULE:{rule}"
            self.add("recurring", s, e, None, full, note + "；未指定计划年度，暂无起止")
            return
        self.add("recurring", s, e, _first_due(full), full, note)


# ---------------------------------------------------------------- passes


def _mask(text: str, s: int, e: int) -> str:
    """``text`` with [s, e) masked (the length kept: positions stay those of scan.norm).
    Most task texts need no mask at all, so the text is not copied into a list."""
    return text[:s] + _MASK * (e - s) + text[e:]


def _relative_pass(scan: _Scan, masked: str) -> str:
    """Relative deadlines (…之日起30个工作日内); → ``masked`` with their triggers masked."""
    norm = scan.norm
    for m in _RELATIVE.finditer(norm):
        s = m.start()
        lo = s
        while lo > 0 and s - lo < _EVENT_MAX and norm[lo - 1] not in _EVENT_STOP:
            lo -= 1
        event = norm[lo:s]
        stripped = True
        while stripped and event:
            stripped = False
            for filler in _EVENT_FILLERS:
                if event.startswith(filler) and len(event) > len(filler):
                    event = event[len(filler) :]
                    lo += len(filler)
                    stripped = True
                    break
        if not event or _MASK in masked[lo : m.end()]:
            continue
        try:
            n = cn_to_int(m.group("n"))
        except ValueError:
            continue
        trig, unit = m.group("trig"), m.group("unit")
        lead = "自" if "起" in trig else ""
        note = f"相对期限：{lead}{event}{trig}{n}{unit}"
        scan.add("relative", lo, m.end(), note=note)
        # Only the trigger is masked: a date inside the event words is still found.
        masked = _mask(masked, s, m.end())
    return masked


def _handle(scan: _Scan, m: re.Match[str]) -> None:
    kind = m.lastgroup
    g = m.group
    s, e = m.start(), m.end()
    words = scan.norm[s:e]
    try:
        if kind == "iso":
            y = int(g("iso_y"))
            if scan.too_far(y):
                return
            due = date(y, int(g("iso_m")), int(g("iso_d")))
            scan.add("absolute", s, e, due)
            scan.last_year = due.year
        elif kind == "ymd":
            y = cn_to_int(g("ymd_y"))
            if scan.too_far(y):
                return
            due = date(y, cn_to_int(g("ymd_m")), cn_to_int(g("ymd_d")))
            scan.add("absolute", s, e, due)
            scan.last_year = due.year
        elif kind == "ym":
            y, mo = cn_to_int(g("ym_y")), cn_to_int(g("ym_m"))
            if scan.too_far(y) or not 1 <= mo <= 12:
                return
            suffix = g("ym_s") or ""
            note = ""
            if suffix[:2] in _TEN_DAYS:
                due = _ten_days_end(y, mo, suffix[:2])
            elif suffix in ("前", "之前", "以前", "份前"):
                due = _month_end(y - 1, 12) if mo == 1 else _month_end(y, mo - 1)
                note = f"“{mo}月前”按上月月底计"
            else:
                due = _month_end(y, mo)
            scan.add("absolute", s, e, due, note=note)
            scan.last_year = due.year
        elif kind == "yq":
            y, q = cn_to_int(g("yq_y")), cn_to_int(g("yq_q"))
            if scan.too_far(y):
                return
            due = _quarter_end(y, q)
            scan.add("absolute", s, e, due)
            scan.last_year = y
        elif kind == "yh":
            y = cn_to_int(g("yh_y"))
            if scan.too_far(y):
                return
            due = date(y, 6, 30) if g("yh_h") == "上" else date(y, 12, 31)
            scan.add("absolute", s, e, due)
            scan.last_year = y
        elif kind == "yend":
            y = cn_to_int(g("yend_y"))
            if scan.too_far(y):
                return
            scan.add("absolute", s, e, date(y, 12, 31))
            scan.last_year = y
        elif kind == "ybefore":
            y = cn_to_int(g("ybf_y"))
            if scan.too_far(y):
                return
            due = date(y - 1, 12, 31)
            scan.add("absolute", s, e, due, note=f"“{y}年前”按上一年年底计")
            scan.last_year = due.year
        elif kind == "yto":
            y = cn_to_int(g("yto_y"))
            if scan.too_far(y):
                return
            scan.add("absolute", s, e, date(y, 12, 31), note=f"目标年份{y}年，按该年年底计")
            scan.last_year = y
        elif kind == "ybare":
            y = cn_to_int(g("yb_y"))
            if scan.too_far(y):
                return
            scan.add("absolute", s, e, date(y, 12, 31), note=f"只写年份{y}年，按该年年底计")
            scan.last_year = y
        elif kind == "ev_half":
            scan.recurring(
                s, e, "FREQ=MONTHLY;BYMONTH=6,12;BYMONTHDAY=-1", "每半年：6月30日、12月31日"
            )
        elif kind == "ev_year":
            interval = cn_to_int(g("ev_n")) if g("ev_n") else 1
            every = words[: words.index("年") + 1]
            if g("ev_md"):
                mo, d = cn_to_int(g("ev_m")), cn_to_int(g("ev_d"))
                date(2000, mo, d)  # validates (leap year allows 2-29)
                scan.recurring(
                    s,
                    e,
                    f"FREQ=YEARLY;BYMONTH={mo};BYMONTHDAY={d}",
                    f"{every}{mo}月{d}日",
                    interval,
                )
            elif g("ev_mend"):
                mo = cn_to_int(g("ev_m2"))
                scan.recurring(
                    s, e, f"FREQ=YEARLY;BYMONTH={mo};BYMONTHDAY=-1", f"{every}{mo}月底", interval
                )
            elif g("ev_q"):
                q = cn_to_int(g("ev_q"))
                end = _quarter_end(2001, q)
                scan.recurring(
                    s,
                    e,
                    f"FREQ=YEARLY;BYMONTH={end.month};BYMONTHDAY={end.day}",
                    f"{every}第{q}季度，按季末{end.month}月{end.day}日计",
                    interval,
                )
            elif g("ev_h"):
                mo, d = (6, 30) if g("ev_h") == "上" else (12, 31)
                scan.recurring(
                    s,
                    e,
                    f"FREQ=YEARLY;BYMONTH={mo};BYMONTHDAY={d}",
                    f"{every}{mo}月{d}日",
                    interval,
                )
            elif g("ev_yb"):
                scan.recurring(
                    s,
                    e,
                    "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31",
                    f"{every}年初，按3月31日计",
                    interval,
                )
            elif g("ev_ye"):
                scan.recurring(
                    s, e, "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31", f"{every}12月31日", interval
                )
            else:
                scan.recurring(
                    s,
                    e,
                    "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31",
                    f"{every}一次，未写日期，按年底计",
                    interval,
                )
        elif kind == "ev_quarter":
            scan.recurring(s, e, "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1", "每季度，按季末计")
        elif kind == "ev_month":
            if g("evm_d"):
                d = cn_to_int(g("evm_d"))
                if not 1 <= d <= 31:
                    return
                scan.recurring(s, e, f"FREQ=MONTHLY;BYMONTHDAY={d}", f"每月{d}日")
            else:
                scan.recurring(s, e, "FREQ=MONTHLY;BYMONTHDAY=-1", "每月，按月底计")
        elif kind == "ev_report":
            if g("rep_u") == "月":
                scan.recurring(s, e, "FREQ=MONTHLY;BYMONTHDAY=-1", "月通报：每月，按月底计")
            else:
                scan.recurring(
                    s,
                    e,
                    "FREQ=MONTHLY;BYMONTH=3,6,9,12;BYMONTHDAY=-1",
                    "季度通报：每季度，按季末计",
                )
        elif kind in ("nmd", "nm", "nq", "nh", "nend", "nstart"):
            _yearless(scan, m, kind, s, e, words)
        elif kind == "ongoing":
            scan.add("ongoing", s, e, note="长期任务，无固定期限")
    except ValueError:
        return  # an impossible date such as 2月30日: not a deadline


def _yearless(scan: _Scan, m: re.Match[str], kind: str, s: int, e: int, words: str) -> None:
    g = m.group
    y, note = scan.yearless_year(words)
    if y is None:
        scan.add("relative", s, e, note=note)
        return
    if kind == "nmd":
        due = date(y, cn_to_int(g("nmd_m")), cn_to_int(g("nmd_d")))
    elif kind == "nm":
        mo = cn_to_int(g("nm_m"))
        if not 1 <= mo <= 12:
            return
        if g("nm_s")[:2] in _TEN_DAYS:
            due = _ten_days_end(y, mo, g("nm_s")[:2])
        elif g("nm_s") in ("前", "之前", "以前"):
            due = _month_end(y - 1, 12) if mo == 1 else _month_end(y, mo - 1)
            note += f"；“{mo}月前”按上月月底计"
        else:
            due = _month_end(y, mo)
    elif kind == "nq":
        due = _quarter_end(y, cn_to_int(g("nq_q")))
    elif kind == "nh":
        due = date(y, 6, 30) if g("nh_h") == "上" else date(y, 12, 31)
    elif kind == "nstart":
        due = date(y, 3, 31)
        note += "；“年初”按第一季度末计"
    else:
        due = date(y, 12, 31)
    scan.add("absolute", s, e, due, note=note)


def find_deadlines(text: str, ctx: PlanContext | None) -> list[Deadline]:
    """Every deadline expression in ``text``, in order of appearance; no default added."""
    if not text:
        return []
    scan = _Scan(text, ctx)
    if not scan.norm:
        return []
    masked = scan.norm
    for pattern in (_QUOTED, _RANGE):
        for m in pattern.finditer(scan.norm):
            masked = _mask(masked, m.start(), m.end())
    masked = _relative_pass(scan, masked)
    before = masked  # both patterns read the text as it was before either masked
    for pattern in (_STANDARD, _DURATION):
        for m in pattern.finditer(before):
            masked = _mask(masked, m.start(), m.end())
    relatives = scan.found
    scan.found = []
    for m in _MAIN.finditer(masked):
        if m.lastgroup == "ongoing":
            if not _whole_clause(masked, m.start(), m.end()):
                continue  # 推动普法常态化, 持续推进改革: how, not until when
        elif _QUALIFIES_NOUN.match(masked, m.end()):
            continue  # 对2024年底前制定的文件开展清理: the date says which files
        _handle(scan, m)
    found = relatives + scan.found
    found.sort(key=lambda d: d.start)
    return found


# A date followed by a short verb and 的 describes a noun ("2024年底前制定的规范性文件").
_QUALIFIES_NOUN = re.compile(
    r"[\u4e00-\u9fff]{1,4}的"
    r"|[^，,。；;：:！!？?]{0,20}?(?:制定|出台|印发|发布|颁布|作出|做出|签订|形成|批准|备案)的"
)
_CLAUSE_EDGE = set("，,。；;：:（(）)、！!？?\n") | {_MASK}
_ONGOING_CLAUSE = re.compile(
    r"^(?:长期坚持|长期推进|长期开展|长期执行|持续推进|持续开展|常态化)(?:推进|开展|实施|执行|落实)?$"
)


def _whole_clause(text: str, s: int, e: int) -> bool:
    """True when the words at [s, e) are a clause of their own (…，长期坚持。 / （常态化）)."""
    a = s
    while a > 0 and text[a - 1] not in _CLAUSE_EDGE:
        a -= 1
    b = e
    while b < len(text) and text[b] not in _CLAUSE_EDGE:
        b += 1
    return bool(_ONGOING_CLAUSE.match(text[a:b]))


# 全年持续推进, 长期坚持推进, 常态化开展: an ongoing deadline in a 完成时限 cell.
_CELL_ONGOING_FORM = re.compile(
    r"^(?:全年|全程|每年)?(?:长期|持续|常态化|常年|长效)(?:坚持|推进|开展|落实|执行|进行|实施)*$"
)
_CELL_ONGOING = {
    "长期",
    "长期坚持",
    "长期任务",
    "长期推进",
    "持续",
    "持续推进",
    "持续开展",
    "常态化",
    "常年",
    "常态",
    "经常性",
}


def task_deadlines(
    text: str, ctx: PlanContext | None, deadline_cell: str | None = None
) -> list[Deadline]:
    """Deadlines of one task: the 完成时限 cell wins, then the text, then the plan-end default."""
    if deadline_cell and deadline_cell.strip():
        cell = deadline_cell
        norm, index = normalize_with_map(cell)
        if norm.rstrip("。；;") in _CELL_ONGOING or _CELL_ONGOING_FORM.match(norm.rstrip("。；;")):
            a, b = original_span(index, 0, len(norm))
            return [
                Deadline("ongoing", None, None, cell[a:b], a, b, "完成时限栏：长期任务，无固定期限")
            ]
        found = find_deadlines(cell, ctx)
        if found:
            return [replace(d, note=_join("完成时限栏", d.note)) for d in found]
    found = find_deadlines(text, ctx)
    if found or ctx is None:
        return found
    due = date(ctx.end_year, 12, 31)
    return [
        Deadline(
            "default",
            due,
            None,
            "",
            -1,
            -1,
            f"默认期限：计划期末（{_cn_date(due)}），原文未写期限",
        )
    ]


def _join(a: str, b: str) -> str:
    return f"{a}；{b}" if b else a


_ISO = re.compile(r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?$")
_FREQ = re.compile(r"FREQ=([A-Z]+)")
# Dates outside these years are typing errors, not deadlines.
MIN_YEAR, MAX_YEAR = 1900, 2100
# A recurring deadline set by hand has at most this many dates (daily for over two years).
_MAX_OCCURRENCES = 1000
_NONE_WORDS = {"none", "无", "无期限", "无固定期限", "长期", "不设期限", "-", "—"}


def parse_deadline_override(value: str, ctx: PlanContext | None) -> Deadline:
    """A deadline typed by staff (``duban deadline TASK DATE|rrule|none``)."""
    raw = value if value is not None else ""
    v = raw.strip()
    if not v:
        raise DubanError("期限不能为空：请写日期（如 2024-06-30）、周期（如 每年1月8日前）或“无”")
    a = raw.index(v[0])
    b = a + len(v)
    if v.lower() in _NONE_WORDS:
        return Deadline("ongoing", None, None, v, a, b, "人工设为无固定期限")
    iso = _ISO.match(v)
    if iso:
        try:
            due = date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            raise DubanError(f"日期“{v}”不存在，请检查年月日") from None
        _check_year(due, v)
        return Deadline("absolute", due, None, v, a, b, "人工设定")
    upper = v.upper()
    if upper.startswith(("RRULE:", "DTSTART", "FREQ=")):
        rule = v if not upper.startswith("FREQ=") else f"RRULE:{v}"
        rule = rule.replace("\\n", "\n")
        if "DTSTART" not in rule.upper() and ctx is not None:
            rule = f"DTSTART:{ctx.start_year:04d}0101\n{rule}"
        freq = _FREQ.search(rule.upper())
        if freq and freq.group(1) in ("SECONDLY", "MINUTELY", "HOURLY"):
            raise DubanError(f"周期规则“{v}”太密：期限最细只能按日（FREQ=DAILY）")
        try:
            has_start = "DTSTART" in rule.upper()
            parsed = _parse_rrule(rule, None if has_start else date(2000, 1, 1))
            first = next(iter(parsed), None)
            dates = list(islice(iter(parsed), _MAX_OCCURRENCES + 1))
        except (ValueError, TypeError, IndexError, OverflowError):
            raise DubanError(f"周期规则“{v}”无法识别，请检查 RRULE 写法") from None
        if first is None:
            raise DubanError(f"周期规则“{v}”没有任何日期，请检查月、日和次数")
        if "UNTIL" in rule.upper() or "COUNT" in rule.upper():
            if len(dates) > _MAX_OCCURRENCES:
                raise DubanError(f"周期规则“{v}”的日期超过 {_MAX_OCCURRENCES} 个，请放宽周期")
        _check_year(first.date(), v)
        due = first.date() if has_start else None
        return Deadline("recurring", due, rule, v, a, b, "人工设定")
    found = find_deadlines(raw, ctx)
    if not found:
        raise DubanError(
            f"无法识别期限“{v}”：请写成 2024-06-30、2024年6月底前、每年1月8日前、RRULE 规则或“无”"
        )
    if len(found) > 1:
        raise DubanError(f"“{v}”里有 {len(found)} 个期限，一次只能设置一个")
    d = found[0]
    outside = raw[: d.start] + raw[d.end :]
    if any(c.isdigit() or c in _CN for c in outside):
        # 每年13月45日前: only 每年 was understood; the month and day were not.
        raise DubanError(f"无法识别期限“{v}”：其中的日期不存在或写法不对")
    if d.due is not None:
        _check_year(d.due, v)
    return replace(d, note=_join("人工设定", d.note))


def _check_year(due: date, value: str) -> None:
    if not MIN_YEAR <= due.year <= MAX_YEAR:
        raise DubanError(f"期限“{value}”不在 {MIN_YEAR} 年至 {MAX_YEAR} 年之间")
