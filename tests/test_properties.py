"""Property tests: arbitrary input never raises anything but the documented error.

The deadline parser, the readers, the name tokenizer and the letter templates meet text
written by strangers. Whatever they get, they return a result or raise DubanError (one line
of Chinese for the user) — never another exception. CI runs 500 examples per property (HYPOTHESIS_FILES lowers it for the file-based ones); run
`HYPOTHESIS_PROFILE=long python -m pytest tests/test_properties.py` for 20,000 locally.
"""

from __future__ import annotations

import os
import zipfile
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.domain.deadlines import find_deadlines, parse_deadline_override, task_deadlines
from tui.domain.plan_context import PlanContext, plan_context_from_text
from tui.domain.units import split_owner_list
from tui.errors import DubanError
from tui.ingest.document import Document, Line, Row
from tui.ingest.parser import parse_document
from tui.ingest.readers import read_document

settings.register_profile(
    "ci", max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

CTX = PlanContext(2024, 2025, "test")

# Text that looks like plans: CJK, digits, the words deadlines and owners are made of,
# punctuation and brackets — mixed with anything at all.
PLAN_WORDS = [
    "年",
    "月",
    "日",
    "底",
    "前",
    "内",
    "每",
    "季度",
    "上半年",
    "旬",
    "上旬",
    "下旬",
    "中旬",
    "常态化",
    "长期坚持",
    "持续推进",
    "之日起",
    "个工作日",
    "年度",
    "十三五",
    "十四五",
    "牵头",
    "负责",
    "配合",
    "按职责分工负责",
    "各",
    "县",
    "区",
    "镇",
    "街道",
    "（",
    "）",
    "、",
    "，",
    "。",
    "；",
    "：",
    "《",
    "》",
    "〈",
    "〉",
    "“",
    "”",
    "一、",
    "（一）",
    "1．",
    "（1）",
    "牵头单位：",
    "责任单位：",
    "完成时限：",
    "|",
    "—",
    "\n",
    " ",
]
plan_text = st.lists(
    st.one_of(
        st.sampled_from(PLAN_WORDS),
        st.integers(0, 2200).map(str),
        st.text(max_size=6),
    ),
    max_size=40,
).map("".join)


@given(plan_text, st.booleans())
def test_deadline_parser_never_raises(text, with_ctx):
    ctx = CTX if with_ctx else None
    for d in find_deadlines(text, ctx):
        assert text[d.start : d.end] == d.text
    task_deadlines(text, ctx)
    task_deadlines(text, ctx, text[:10])


@given(plan_text)
def test_deadline_override_raises_only_duban_error(text):
    try:
        d = parse_deadline_override(text, CTX)
    except DubanError as exc:
        assert exc.message  # the CLI prints it on one line (tui.cli._fail)
        return
    if d.due is not None:
        assert date(1900, 1, 1) <= d.due <= date(2100, 12, 31)


@given(plan_text, plan_text)
def test_plan_context_never_raises(title, preamble):
    ctx = plan_context_from_text(title, preamble)
    if ctx is not None:
        assert ctx.start_year <= ctx.end_year


@given(plan_text)
def test_owner_names_are_never_empty_or_phrases(text):
    names = split_owner_list(text, ("按职责分工负责", "负责", "等"))
    for name in names:
        assert name and name.strip() == name
        assert not name.endswith("按职责分工负责")


@given(st.lists(plan_text, max_size=30))
def test_parser_never_raises_on_lines(lines):
    doc = Document("p.txt", "txt", [Line(i, t) for i, t in enumerate(lines, start=1)])
    plan = parse_document(doc)
    assert len(plan.task_keys()) == len(plan.tasks)
    assert len(set(plan.task_keys())) == len(plan.tasks)


cells = st.dictionaries(
    st.sampled_from(["number", "task", "measure", "lead", "responsible", "supporting", "deadline"]),
    plan_text,
    max_size=7,
)


@given(
    st.lists(
        st.one_of(plan_text.map(lambda t: ("line", t)), cells.map(lambda c: ("row", c))),
        max_size=25,
    )
)
def test_parser_never_raises_on_tables(items):
    built = [
        Line(i, v) if kind == "line" else Row(i, v) for i, (kind, v) in enumerate(items, start=1)
    ]
    parse_document(Document("p.docx", "docx", built))


@settings(max_examples=int(os.environ.get("HYPOTHESIS_FILES", "500")))
@given(st.binary(max_size=4096), st.sampled_from([".txt", ".docx", ".xlsx", ".pdf", ""]))
def test_readers_on_arbitrary_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"plan{suffix}"
    path.write_bytes(data)
    try:
        doc = read_document(path)
    except DubanError as exc:
        assert exc.message  # the CLI prints it on one line (tui.cli._fail)
        return
    parse_document(doc)


@settings(max_examples=int(os.environ.get("HYPOTHESIS_FILES", "500")))
@given(st.text(max_size=2000), st.sampled_from(["utf-8", "utf-16", "gb18030"]))
def test_readers_on_arbitrary_unicode(tmp_path_factory, text, encoding):
    path = tmp_path_factory.mktemp("text") / "plan.txt"
    try:
        path.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        return
    try:
        doc = read_document(path)
    except DubanError as exc:
        assert exc.message  # the CLI prints it on one line (tui.cli._fail)
        return
    parse_document(doc)


@settings(max_examples=int(os.environ.get("HYPOTHESIS_FILES", "500")))
@given(st.binary(min_size=1, max_size=2048))
def test_readers_on_damaged_office_files(tmp_path_factory, junk):
    """A real .docx/.xlsx container whose main part is replaced by arbitrary bytes."""
    import docx
    import openpyxl

    base = tmp_path_factory.mktemp("office")
    d = docx.Document()
    d.add_paragraph("某县2025年工作要点")
    d.save(str(base / "a.docx"))
    wb = openpyxl.Workbook()
    wb.active.append(["序号", "具体措施", "牵头单位"])
    wb.save(str(base / "a.xlsx"))
    for name, part in (("a.docx", "word/document.xml"), ("a.xlsx", "xl/worksheets/sheet1.xml")):
        src = base / name
        bad = base / f"bad-{name}"
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
            for info in zin.infolist():
                zout.writestr(info, junk if info.filename == part else zin.read(info))
        try:
            doc = read_document(bad)
        except DubanError as exc:
            assert exc.message  # the CLI prints it on one line (tui.cli._fail)
            continue
        parse_document(doc)


@given(st.text(max_size=300))
def test_template_rendering_raises_only_duban_error(source):
    """A template an office writes by hand: any text either renders or is refused in one
    line (the sandbox never lets it run code or raise something else)."""
    from tui.letters.templates import parse_template, render_template

    values = {"单位": "县司法局", "事项数": "3", "发文字号": "某依法治办提〔2025〕1号"}
    for render in (
        lambda: render_template(source, values, "测试"),
        lambda: parse_template(source, "测试"),
    ):
        try:
            render()
        except DubanError as exc:
            assert exc.message  # the CLI prints it on one line (tui.cli._fail)
