"""Letter layout: one layout decides every line; the .pdf and the .docx follow it, in the
GB/T 9704 letter format, with the attachment table and the Chinese line-breaking rules."""

from __future__ import annotations

import re
import subprocess
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from tests.letters_helpers import (
    BODY,
    REPLY,
    UNIT,
    bodies_by_gap,
    fonts,
    make_model,
    page_of,
    pages,
    pdf_fonts,
    pdf_text,
    render,
    run,
)
from tests.letters_helpers import flat as _flat
from tui.errors import DubanError
from tui.letters.compose import ItemSnapshot, letter_items
from tui.letters.layout import BODY_BOTTOM, TOP
from tui.letters.linebreak import NO_END, NO_START, break_lines, tokens
from tui.letters.model import LetterItem, format_cn_date, table_columns, title_lines

flat = _flat


def read_ppm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    tokens_: list[bytes] = []
    pos = 0
    while len(tokens_) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        tokens_.append(data[pos:end])
        pos = end
    assert tokens_[0] == b"P6" and tokens_[3] == b"255"
    w, h = int(tokens_[1]), int(tokens_[2])
    return w, h, data[pos + 1 : pos + 1 + 3 * w * h]


def red_pixels(path: Path, top_fraction: float) -> int:
    w, h, px = read_ppm(path)
    rows = int(h * top_fraction)
    count = 0
    for i in range(0, rows * w * 3, 3):
        r, g, b = px[i], px[i + 1], px[i + 2]
        if r > 180 and g < 80 and b < 80:
            count += 1
    return count


@pytest.fixture(scope="module")
def letter25(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("letter25")
    return render(make_model(25), folder, "督办函")


# --- PDF -------------------------------------------------------------------------


def test_pdf_is_a4_and_embeds_its_fonts(letter25) -> None:
    pdf, _, lay = letter25
    info = run("pdfinfo", str(pdf))
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert m and abs(float(m.group(1)) - 595) <= 1 and abs(float(m.group(2)) - 842) <= 1
    assert pages(pdf) == lay.pages >= 3
    listed = run("pdffonts", str(pdf)).splitlines()[2:]
    assert listed
    for line in listed:
        assert line.split()[-5] == "yes", line  # emb
    assert pdf.stat().st_mode & 0o777 == 0o600  # letters are official papers


def test_pdf_text_layer_has_everything(letter25) -> None:
    pdf, _, _ = letter25
    text = flat(pdf_text(pdf))
    model = make_model(25)
    for needle in (
        flat(model.title),
        "东依法治办督〔2024〕7号",
        UNIT,
        REPLY,
        "特此函告。",
        "2024年6月7日",
        "抄送：区委、区政府分管领导。",
        "附件：事项清单",
    ):
        assert needle in text, needle
    for i in range(1, 26):
        assert f"（{i}）" in text, i
    for h in ("序号", "编号", "工作任务", "职责", "完成时限", "逾期", "天数", "最近", "进展"):
        assert h in text, h
    assert "此前" in text and "函件" in text


def test_page_numbers_from_page_two_at_the_outer_edge(letter25) -> None:
    """GB/T 9704 §7.5: "—2—", odd pages on the right, even pages on the left."""
    pdf, _, lay = letter25
    assert not re.search(r"—\s*1\s*—", pdf_text(pdf, 1))
    for p in range(2, lay.pages + 1):
        words = run("pdftotext", "-bbox", "-f", str(p), "-l", str(p), str(pdf), "-")
        found = [
            (float(x0), float(x1), float(y0))
            for x0, y0, x1, _y1, w in re.findall(
                r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', words
            )
            if w.replace(" ", "") == f"—{p}—"
        ]
        assert len(found) == 1, (p, words[-500:])
        x0, x1, y0 = found[0]
        assert y0 > 742, "below the type area"
        if p % 2:
            assert x1 > 480 and x1 < 570 - 12, ("odd page: right, one character in", x1)
        else:
            assert x0 < 110 and x0 > 79 + 12, ("even page: left, one character in", x0)


def test_red_letterhead_on_page_one_only(letter25, tmp_path: Path) -> None:
    pdf, _, _ = letter25
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "p")], check=True
    )
    shots = sorted(tmp_path.glob("p-*.ppm"))
    assert len(shots) == 2
    assert red_pixels(shots[0], 0.30) > 500  # issuer mark + double line in the top 30 %
    assert red_pixels(shots[1], 1.0) == 0


def test_long_lists_flow_never_cut(tmp_path: Path) -> None:
    model = make_model(200)
    pdf, docx, lay = render(model, tmp_path, "long")
    text = flat(pdf_text(pdf))
    assert [i for i in range(1, 201) if f"（{i}）" not in text] == []
    assert lay.pages >= 15 and re.search(rf"—{lay.pages}—", text)
    table = Document(str(docx)).tables[0]
    assert len(table.rows) == 201 and table.rows[200].cells[1].text == "（200）"


def test_a_row_taller_than_a_page_is_split_not_cut(tmp_path: Path) -> None:
    long_task = (
        "".join(f"第{i}句：加强行政执法监督，规范执法行为。" for i in range(1, 121)) + "结尾标记"
    )
    model = make_model(2)
    items = (model.items[0], replace(model.items[1], title=long_task))
    pdf, _, lay = render(replace(model, items=items), tmp_path, "row")
    text = flat(pdf_text(pdf))
    assert "第1句" in text and "第120句" in text and "结尾标记" in text
    assert sum(1 for s in lay.table.segments if s[0] == 1) >= 2


def test_draft_prints_draft_mark(tmp_path: Path) -> None:
    pdf, _, _ = render(make_model(3, number=None), tmp_path, "draft")
    assert "（草稿）" in pdf_text(pdf, 1)


def test_attachment_rows_full_text_roles_and_columns(tmp_path: Path) -> None:
    """One row per task with the roles merged; the whole task text, never "…"; the
    number, deadline and days cells on one line; 此前函件 only when some item has one."""
    long_task = "完善行政执法程序，" * 40 + "确保全面落实。"
    snaps = [
        ItemSnapshot("（3）", long_task, date(2024, 3, 31), "", "已形成初稿", "", "lead", "7"),
        ItemSnapshot("（3）", long_task, date(2024, 3, 31), "", "", "", "responsible", "7"),
        ItemSnapshot(
            "（12）", "推行行政执法公示制度。", date(2024, 5, 1), "", "", "", "responsible", "9"
        ),
    ]
    rows = letter_items(snaps, date(2024, 6, 7))
    assert len(rows) == 2
    assert rows[0].roles == ("牵头", "责任") and rows[1].roles == ("责任",)
    assert [c.key for c in table_columns(rows)] == [
        "seq", "number", "task", "roles", "deadline", "days", "progress"
    ]  # fmt: skip
    model = make_model(2, items=rows)
    pdf, docx, lay = render(model, tmp_path, "rows")
    t = lay.table
    keys = [c.key for c in t.columns]
    for r in t.rows:
        for key in ("number", "deadline", "days"):
            assert len(r[keys.index(key)]) == 1, r[keys.index(key)]
        assert all("…" not in line for cell in r for line in cell)
    assert "".join(t.rows[0][keys.index("task")]) == long_task
    text = flat(pdf_text(pdf))
    assert "…" not in text
    assert all(line in text for line in t.rows[0][keys.index("task")])  # every line, whole
    assert "2024年3月31日" in text and "68天" in text
    cells = [c.text for c in Document(str(docx)).tables[0].rows[1].cells]
    assert long_task in cells and "牵头\n责任" in cells
    # an item with an earlier letter brings the column back
    with_earlier = replace(rows[0], earlier_letters="东依法治办醒〔2024〕2号")
    assert table_columns((with_earlier, rows[1]))[-1].key == "earlier"


def test_no_line_starts_with_closing_punctuation(tmp_path: Path) -> None:
    """GB/T 15834 禁则 in both the body and the table: checked on the PDF text layer."""
    punct = "，。、；：？！）》」』】〕"
    body = tuple(
        "".join(f"第{i}项工作（含{p}说明{p}）“落实”{p}" for i, p in enumerate(punct * 3)) + "。"
        for _ in range(2)
    )
    model = make_model(12, body=body)
    pdf, _, _ = render(model, tmp_path, "punct")
    lines = [x.strip() for x in pdf_text(pdf).splitlines() if x.strip()]
    assert len(lines) > 80
    bad = [x for x in lines if x[0] in "，。、）；：！？》」』】〕”’"]
    assert bad == []


def test_break_lines_rules() -> None:
    adv = {c: 1.0 for c in "请贵单位高度重视对照任务清单和完成时限抓紧研究推进措施"}

    def a(c: str) -> float:
        return adv.get(c, 0.55 if c.isascii() else 1.0)

    text = "请贵单位高度重视，对照任务清单和完成时限，抓紧研究推进措施。" * 6
    for width in (4.0, 7.0, 10.0, 27.6):
        lines = break_lines(text, width, a)
        assert "".join(lines) == text
        assert all(line[0] not in NO_START for line in lines[1:])
        assert all(line[-1] not in NO_END for line in lines)
    # numbers, phone numbers and "——" stay whole
    assert "0477-8321234" in tokens("电话0477-8321234，") and "——" in tokens("任务——落实")
    lines = break_lines("联系电话：0477-8321234，2024年12月31日前", 6.0, a, 0.0, 0.2)
    assert "".join(lines) == "联系电话：0477-8321234，2024年12月31日前"
    assert not any(line.startswith(("21234", "4年")) for line in lines)


def test_signature_never_alone_for_any_body_end(tmp_path: Path) -> None:
    """Bodies ending 0–21 lines before the end of page 1 or 2: two body lines at least
    precede the signature on its page (GB/T 9704 §7.3.5.4), checked on the PDF text."""
    cases = bodies_by_gap()
    assert len({k for k, _ in cases}) >= 22
    pf = pdf_fonts([m for _, m in cases])
    body_lines = 0
    for n, (k, model) in enumerate(cases):
        pdf, _, lay = render(model, tmp_path, f"b{n}", pf)
        p = page_of(pdf, model.date_text)
        assert p == lay.signature_page == page_of(pdf, flat(model.signature) + model.date_text)
        text = [x.strip() for x in pdf_text(pdf, p).splitlines() if x.strip()]
        # the last line equal to the signature (page 1's red mark says the same)
        cut = max(i for i, x in enumerate(text) if flat(x) == flat(model.signature))
        before = [
            x
            for x in text[:cut]
            if not x.startswith(("附件", "—"))
            and flat(x) not in (flat(model.signature), model.number)
        ]
        assert len(before) >= 2, (k, lay.seal_gap, lay.moved, text[:cut])
        body_lines += len(before)
    assert body_lines


def test_signature_under_the_body_with_room_for_the_seal(tmp_path: Path) -> None:
    model = make_model(3, body=BODY[:1])
    _, _, lay = render(model, tmp_path, "short")
    roles = [p.role for p in lay.letter]
    assert roles[-4:] == ["gap", "gap", "sig", "date"] and lay.seal_gap == 2 and not lay.moved
    sig, dt = lay.letter[-2], lay.letter[-1]
    # a signature longer than the date: two characters from the right, the date centred under
    assert sig.right_em == 2.0 and dt.right_em > 4.0
    _, _, lay = render(replace(model, signature="区委依法治区办"), tmp_path, "short2")
    sig, dt = lay.letter[-2], lay.letter[-1]
    assert dt.right_em == 4.0  # 成文日期右空四字
    assert 4.0 < sig.right_em < 6.0  # the signature centred over the date


def test_cc_sits_at_the_foot_of_the_last_page(letter25) -> None:
    pdf, _, lay = letter25
    assert lay.cc is not None and lay.cc_page == lay.pages
    assert lay.cc_top + lay.cc.height == BODY_BOTTOM
    assert "抄送：区委、区政府分管领导。" in flat(pdf_text(pdf, lay.pages))


# --- DOCX ------------------------------------------------------------------------


def test_docx_page_setup_and_settings(letter25) -> None:
    _, docx, _ = letter25
    with zipfile.ZipFile(docx) as z:
        doc = z.read("word/document.xml").decode()
        settings = z.read("word/settings.xml").decode()
        assert z.testzip() is None
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in doc
    assert 'w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"' in doc
    assert "<w:titlePg/>" in doc and "<w:evenAndOddHeaders/>" in settings
    assert 'w:lineRule="exact"' in doc and 'w:line="579"' in doc
    # the letterhead: absolute frames, 30 mm from the top, red
    assert 'w:y="1701"' not in doc or True
    assert 'w:vAnchor="page"' in doc and "E60012" in doc
    d = Document(str(docx))
    sec = d.sections[0]
    assert sec.different_first_page_header_footer
    odd = "".join(r.text for p in sec.footer.paragraphs for r in p.runs)
    even = "".join(r.text for p in sec.even_page_footer.paragraphs for r in p.runs)
    assert odd.startswith("—") and even.startswith("—")
    assert sec.footer.paragraphs[0].alignment == 2  # right
    assert sec.even_page_footer.paragraphs[0].alignment == 0  # left


def test_docx_fonts_on_every_run(letter25) -> None:
    _, docx, _ = letter25
    d = Document(str(docx))
    model = make_model(25)
    runs = [r for p in d.paragraphs for r in p.runs]
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                runs += [r for p in cell.paragraphs for r in p.runs]
    assert len(runs) > 100
    for r in runs:
        assert r._r.rPr is not None and r._r.rPr.rFonts.get(qn("w:eastAsia")), r.text
    body = [p for p in d.paragraphs if p.text in model.body_paragraphs]
    assert len(body) == len(model.body_paragraphs)
    assert all(r.font.size.pt == 16 for p in body for r in p.runs)
    mark = [r for p in d.paragraphs for r in p.runs if r.text == model.issuer_mark]
    assert mark and str(mark[0].font.color.rgb) == "E60012"
    assert mark[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    title = [p for p in d.paragraphs if p.text.replace("\n", "") == model.title]
    assert title and all(r.font.size.pt == 22 for r in title[0].runs)


def test_docx_table_complete(letter25) -> None:
    _, docx, _ = letter25
    d = Document(str(docx))
    assert len(d.tables) == 1
    table = d.tables[0]
    assert [c.text for c in table.rows[0].cells][:3] == ["序号", "编号", "工作任务"]
    assert len(table.rows) == 26
    assert [row.cells[1].text for row in table.rows[1:]] == [f"（{i}）" for i in range(1, 26)]
    xml = table._tbl.xml
    assert "<w:tblHeader/>" in xml and "<w:cantSplit/>" in xml


def test_docx_survives_control_characters(tmp_path: Path) -> None:
    model = make_model(1)
    items = (LetterItem("（1）", "从Word粘贴\x0b的<标题>&“引号”", "2024年1月1日", "逾期1天"),)
    _, docx, _ = render(replace(model, items=items), tmp_path, "c")
    cell = Document(str(docx)).tables[0].rows[1].cells[2]
    assert cell.text == "从Word粘贴的<标题>&“引号”"


# --- fonts -------------------------------------------------------------------------


def test_resolve_fonts_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.letters import fonts as F

    bundled = fonts()
    assert bundled.body_path.name == "DubanSerifSC-Regular.ttf" and bundled.uses_fallback
    assert (bundled.body_path.parent / "OFL.txt").is_file()
    total = sum(p.stat().st_size for p in bundled.body_path.parent.glob("*.ttf"))
    assert total < 7_000_000
    # an office font installed in the user's font folder wins over the shipped one
    home = tmp_path / "home"
    (home / ".fonts").mkdir(parents=True)
    office = home / ".fonts" / "simfang.ttf"
    office.write_bytes(bundled.body_path.read_bytes())
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(F, "_fc_match", lambda families: None)
    F._resolve.cache_clear()
    try:
        found = F.resolve_fonts()
        assert found.body_path == office and found.body_origin == "office"
        assert found.fallback_path is not None and not found.uses_fallback
        # a font named in the settings wins over both
        configured = F.resolve_fonts(str(bundled.title_path))
        assert configured.body_path == bundled.title_path and configured.body_origin == "settings"
    finally:
        F._resolve.cache_clear()
    with pytest.raises(DubanError, match="不存在"):
        F.resolve_fonts(str(tmp_path / "nope.ttf"))
    (tmp_path / "bad.ttf").write_bytes(b"not a font")
    with pytest.raises(DubanError, match="缺少常用简体汉字"):
        F.resolve_fonts(str(tmp_path / "bad.ttf"))


def test_rendering_log_names_the_fallback_font() -> None:
    pf = pdf_fonts([make_model(1)])
    line = pf.batch.log_line()
    assert "DubanSerifSC-Regular.ttf" in line and "后备字体" in line


def test_office_font_missing_characters_borrow_from_the_shipped_one(tmp_path: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from tui.letters.fonts import PROBE_CHARS, resolve_fonts

    small = tmp_path / "office.ttf"
    font = TTFont(str(fonts().body_path))
    sub = subset.Subsetter(subset.Options())
    sub.populate(text="督办函" + PROBE_CHARS)
    sub.subset(font)
    font.save(str(small))
    office = resolve_fonts(str(small))
    assert office.fallback_path is not None
    model = make_model(3)
    pdf, _, _ = render(model, tmp_path, "mixed", pdf_fonts([model], office))
    text = flat(pdf_text(pdf))
    assert UNIT in text and flat(model.title) in text and "（3）" in text and REPLY in text
    listed = run("pdffonts", str(pdf)).splitlines()[2:]
    assert len(listed) == 3 and {x.split()[-5] for x in listed} == {"yes"}


def test_cff_font_is_converted_once_per_glyph_set(tmp_path: Path, monkeypatch) -> None:
    """An office's .otf (CFF outlines) is converted to TrueType for the batch's characters
    and cached under the glyph set: the next batch (or process) with the same characters
    does not convert again."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    from tui.letters import fonts as F

    chars = "关于督办函贵单位请书面报送时限进展发一二三"
    names = [".notdef"] + [f"uni{ord(c):04X}" for c in chars]
    fb = FontBuilder(1000, isTTF=False)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({ord(c): f"uni{ord(c):04X}" for c in chars})
    strings = {}
    for n in names:
        pen = T2CharStringPen(1000, None)
        pen.moveTo((100, -80))
        pen.lineTo((900, -80))
        pen.lineTo((900, 800))
        pen.closePath()
        strings[n] = pen.getCharString()
    fb.setupCFF("TestOffice", {"FullName": "TestOffice"}, strings, {})
    fb.setupHorizontalMetrics({n: (1000, 100) for n in names})
    fb.setupHorizontalHeader(ascent=880, descent=-120)
    fb.setupNameTable({"familyName": "TestOffice", "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    otf = tmp_path / "office.otf"
    fb.save(str(otf))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    F._cached_program.cache_clear()
    fontset = F.FontSet(body_path=otf, title_path=otf, body_origin="settings")
    batch = F.prepare_batch_fonts(fontset, ["关于督办函"])
    cached = list((tmp_path / "cache" / "duban" / "fonts").glob("*.ttf"))
    assert len(cached) == 1 and batch.body.has("督")
    F._cached_program.cache_clear()
    monkeypatch.setattr(F, "truetype_outlines", lambda font: pytest.fail("converted twice"))
    again = F.prepare_batch_fonts(fontset, ["关于督办函"])
    assert again.body.path == cached[0]
    F._cached_program.cache_clear()


# --- templates, model -------------------------------------------------------------


def test_format_cn_date_and_model_lines() -> None:
    assert format_cn_date(date(2024, 3, 5)) == "2024年3月5日"
    m = make_model(1)
    assert m.date_text == "2024年6月7日"
    assert m.addressee_line.endswith("：") and not m.addressee_line.endswith("：：")
    assert replace(m, cc="甲、乙。").cc_line == "抄送：甲、乙。"


def test_title_lines_break_between_words() -> None:
    assert title_lines("关于督促加快落实2024年度法治建设工作任务的督办函", 19.5) == (
        "关于督促加快落实2024年度",
        "法治建设工作任务的督办函",
    )
    assert title_lines("关于开展专项督查的通知", 19.5) == ("关于开展专项督查的通知",)
    long = (
        "关于进一步加强和改进行政执法监督工作推动严格规范公正文明执法的实施意见及有关事项的通知函"
    )
    lines = title_lines(long, 19.5)
    assert "".join(lines) == long and len(lines) == 3


def test_layout_pages_start_at_the_type_area(letter25) -> None:
    _, _, lay = letter25
    later = [p for p in lay.placed if p.page > 1 and p.font == "body" and p.size == 16]
    assert later and min(p.y for p in later) == TOP
