"""Letter layout: one model, a .docx and a .pdf in the GB/T 9704 letter format."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from fpdf import FPDF

from tui.errors import DubanError
from tui.letters.docx_writer import write_docx
from tui.letters.fonts import FontSet, prepare_batch_fonts, resolve_fonts
from tui.letters.model import LetterItem, LetterModel, format_cn_date, letter_texts
from tui.letters.pdf_writer import NO_START, wrap_text, write_pdf
from tui.letters.templates import (
    PLACEHOLDERS,
    build_letter_parts,
    build_letter_text,
    render_template,
    validate_template,
)

UNIT = "鄂尔多斯市东胜区司法局"
REPLY = "2024年6月14日"
TITLES = [
    "健全重大行政决策程序制度，严格落实公众参与、专家论证、风险评估、合法性审查和集体讨论决定等法定程序，推行重大行政决策事项目录管理",
    "推行行政执法公示制度",
    "全面落实行政执法责任制，严格确定不同部门及机构、岗位执法人员执法责任，建立健全常态化责任追究机制",
    "开展行政规范性文件清理",
    "加强法治政府建设督察，对法治政府建设情况进行年度考核",
    "落实“谁执法谁普法”普法责任制，开展“八五”普法中期评估",
]
VALUES = {
    "单位": UNIT,
    "负责人": "王某某局长",
    "事项数": "25",
    "最早期限": "2024年3月31日",
    "回复期限": REPLY,
    "回复工作日": "5",
    "联系人": "李某",
    "联系电话": "0477-8321234",
    "发文机关": "区委依法治区办",
    "日期": "2024年6月7日",
    "抄送": "区委、区政府分管领导",
}


def make_model(n: int = 25, number: str | None = "东依法治办督〔2024〕7号") -> LetterModel:
    parts = build_letter_parts("督办", VALUES | {"事项数": str(n)})
    items = tuple(
        LetterItem(
            number=f"（{i}）",
            title=TITLES[i % len(TITLES)],
            deadline=f"2024年{1 + i % 6}月{10 + i % 18}日前",
            days=f"逾期{30 + i}天",
            last_progress="已起草初稿，正在征求意见" if i % 3 else "",
            earlier_letters="东依法治办醒〔2024〕3号" if i % 2 else "",
        )
        for i in range(1, n + 1)
    )
    return LetterModel(
        kind="督办",
        issuer_mark="鄂尔多斯市东胜区委全面依法治区委员会办公室",
        number=number,
        title=parts.title,
        addressee=parts.addressee,
        body_paragraphs=parts.body_paragraphs,
        items=items,
        closing=parts.closing,
        contact=parts.contact,
        signature="中共鄂尔多斯市东胜区委全面依法治区委员会办公室",
        date=date(2024, 6, 7),
        cc=parts.cc,
    )


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    # the shipped subset: what a machine with no CJK font at all would use
    return resolve_fonts(use_system=False)


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def pdf_text(path: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return run(*args, str(path), "-")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def read_ppm(path: Path) -> tuple[int, int, bytes]:
    data = path.read_bytes()
    tokens: list[bytes] = []
    pos = 0
    while len(tokens) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        tokens.append(data[pos:end])
        pos = end
    assert tokens[0] == b"P6" and tokens[3] == b"255"
    w, h = int(tokens[1]), int(tokens[2])
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


# --- PDF -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf25(tmp_path_factory: pytest.TempPathFactory, fonts: FontSet) -> tuple[Path, int]:
    path = tmp_path_factory.mktemp("pdf") / "督办函.pdf"
    pages = write_pdf(make_model(25), path, fonts)
    return path, pages


def test_pdf_is_a4_with_several_pages(pdf25: tuple[Path, int]) -> None:
    path, pages = pdf25
    info = run("pdfinfo", str(path))
    m = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert m, info
    assert abs(float(m.group(1)) - 595) <= 1 and abs(float(m.group(2)) - 842) <= 1
    n = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert n == pages >= 2


def test_pdf_text_layer_has_everything(pdf25: tuple[Path, int]) -> None:
    path, _ = pdf25
    text = flat(pdf_text(path))
    model = make_model(25)
    assert flat(model.title) in text
    assert "东依法治办督〔2024〕7号" in text
    assert "〔2024〕" in text
    assert UNIT in text
    assert REPLY in text
    assert "特此函告。" in text
    assert "2024年6月7日" in text
    assert "抄送：区委、区政府分管领导" in text
    for i in range(1, 26):
        assert f"（{i}）" in text, i
    # every header of the item table
    for h in ("序号", "任务编号", "完成时限", "最近进展", "此前函件"):
        assert h in text


def test_pdf_page_numbers_from_page_two(pdf25: tuple[Path, int]) -> None:
    path, pages = pdf25
    assert not re.search(r"—\s*1\s*—", pdf_text(path, 1))
    for p in range(2, pages + 1):
        assert re.search(rf"—\s*{p}\s*—", pdf_text(path, p)), p


def test_pdf_font_embedded(pdf25: tuple[Path, int]) -> None:
    path, _ = pdf25
    out = run("pdffonts", str(path)).splitlines()[2:]
    assert out, "no fonts listed"
    for line in out:
        cols = line.split()
        # name type... emb sub uni objID gen: emb is the 5th field from the end
        assert cols[-5] == "yes", line


def test_pdf_red_letterhead_on_page_one_only(pdf25: tuple[Path, int], tmp_path: Path) -> None:
    path, _ = pdf25
    subprocess.run(
        ["pdftoppm", "-r", "50", "-f", "1", "-l", "2", str(path), str(tmp_path / "p")], check=True
    )
    pages = sorted(tmp_path.glob("p-*.ppm"))
    assert len(pages) == 2
    # issuer mark + double line in the top 30 %
    assert red_pixels(pages[0], 0.30) > 500
    # page 2 carries no letterhead
    assert red_pixels(pages[1], 1.0) == 0


def test_pdf_200_items_flow_never_cut(tmp_path: Path, fonts: FontSet) -> None:
    model = make_model(200)
    pages = write_pdf(model, tmp_path / "long.pdf", fonts)
    text = flat(pdf_text(tmp_path / "long.pdf"))
    missing = [i for i in range(1, 201) if f"（{i}）" not in text]
    assert missing == []
    assert pages >= 10
    assert re.search(rf"—{pages}—", text)


def test_pdf_overlong_row_is_split_not_cut(tmp_path: Path, fonts: FontSet) -> None:
    long_title = (
        "".join(f"第{i}句：加强行政执法监督，规范执法行为。" for i in range(1, 121)) + "结尾标记"
    )
    model = make_model(2)
    items = (model.items[0], LetterItem("（2）", long_title, "2024年12月31日前", "逾期3天"))
    model = LetterModel(**{**model.__dict__, "items": items})
    write_pdf(model, tmp_path / "row.pdf", fonts)
    text = flat(pdf_text(tmp_path / "row.pdf"))
    assert "第1句" in text and "第120句" in text and "结尾标记" in text


def test_pdf_draft_prints_draft_mark(tmp_path: Path, fonts: FontSet) -> None:
    write_pdf(make_model(3, number=None), tmp_path / "draft.pdf", fonts)
    assert "（草稿）" in pdf_text(tmp_path / "draft.pdf", 1)


def test_batch_fonts_render_the_same_text(tmp_path: Path, fonts: FontSet) -> None:
    models = [make_model(3), make_model(5)]
    texts = [letter_texts(m) for m in models]
    batch = prepare_batch_fonts(fonts, [b for b, _ in texts], [t for _, t in texts], tmp_path)
    assert batch.body_path.suffix == ".ttf" and batch.body_path.stat().st_size < 500_000
    write_pdf(models[1], tmp_path / "b.pdf", batch)
    text = flat(pdf_text(tmp_path / "b.pdf"))
    assert flat(models[1].title) in text and "（5）" in text and UNIT in text
    assert "yes" in run("pdffonts", str(tmp_path / "b.pdf"))


def test_wrap_keeps_punctuation_off_line_starts(fonts: FontSet) -> None:
    pdf = FPDF(unit="mm")
    pdf.add_font("body", fname=str(fonts.body_path))
    pdf.set_font("body", size=16)
    text = "请贵单位高度重视，对照任务清单和完成时限，抓紧研究推进措施。" * 6
    for width in (40.0, 56.0, 71.0, 100.0, 156.0):
        lines = wrap_text(pdf, text, width)
        assert "".join(lines) == text
        assert all(line[0] not in NO_START for line in lines[1:] if line)


# --- DOCX ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx25(tmp_path_factory: pytest.TempPathFactory, fonts: FontSet) -> Path:
    path = tmp_path_factory.mktemp("docx") / "督办函.docx"
    write_docx(make_model(25), path, fonts)
    return path


def all_runs(doc):  # noqa: ANN001, ANN201
    sec = doc.sections[0]
    containers = [doc, sec.first_page_header, sec.header, sec.footer, sec.first_page_footer]
    for c in containers:
        for p in c.paragraphs:
            yield from p.runs
        for t in c.tables:
            for row in t.rows:
                for cell in row.cells:
                    for p in cell.paragraphs:
                        yield from p.runs


def test_docx_page_setup(docx25: Path) -> None:
    doc = Document(str(docx25))
    sec = doc.sections[0]
    for got, want in (
        (sec.top_margin, 37),
        (sec.bottom_margin, 35),
        (sec.left_margin, 28),
        (sec.right_margin, 26),
        (sec.page_width, 210),
        (sec.page_height, 297),
    ):
        assert abs(got - Mm(want)) <= Mm(1), (got.mm, want)
    assert sec.different_first_page_header_footer


def test_docx_fonts_and_sizes(docx25: Path) -> None:
    doc = Document(str(docx25))
    model = make_model(25)
    title = [p for p in doc.paragraphs if p.text.replace("\n", "") == model.title]
    assert title and all(r.font.size.pt == 22 for r in title[0].runs)
    body = [p for p in doc.paragraphs if p.text in model.body_paragraphs]
    assert len(body) == len(model.body_paragraphs)
    for p in body:
        for r in p.runs:
            assert r.font.size.pt == 16
            assert r._r.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    runs = list(all_runs(doc))
    assert len(runs) > 100
    for r in runs:
        rfonts = r._r.rPr.rFonts if r._r.rPr is not None else None
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")), r.text
    # the red issuer mark in the first-page header
    mark = [r for p in doc.sections[0].first_page_header.paragraphs for r in p.runs if r.text]
    assert mark[0].text == model.issuer_mark
    assert str(mark[0].font.color.rgb) == "E60012"
    assert mark[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"


def test_docx_items_table_complete(docx25: Path) -> None:
    doc = Document(str(docx25))
    assert len(doc.tables) == 1
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == list(make_model(1).item_headers)
    assert len(table.rows) == 26
    numbers = [row.cells[1].text for row in table.rows[1:]]
    assert numbers == [f"（{i}）" for i in range(1, 26)]
    assert all(row.cells[2].text for row in table.rows[1:])
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "东依法治办督〔2024〕7号" in text and REPLY in text and "抄送：" in text


def test_docx_200_items(tmp_path: Path, fonts: FontSet) -> None:
    write_docx(make_model(200), tmp_path / "long.docx", fonts)
    table = Document(str(tmp_path / "long.docx")).tables[0]
    assert len(table.rows) == 201
    assert table.rows[200].cells[1].text == "（200）"


def test_docx_survives_control_characters(tmp_path: Path, fonts: FontSet) -> None:
    model = make_model(1)
    items = (LetterItem("（1）", "从Word粘贴\x0b的<标题>&“引号”", "年底前", "逾期1天"),)
    write_docx(LetterModel(**{**model.__dict__, "items": items}), tmp_path / "c.docx", fonts)
    cell = Document(str(tmp_path / "c.docx")).tables[0].rows[1].cells[2]
    assert cell.text == "从Word粘贴的<标题>&“引号”"


# --- templates, model, fonts ------------------------------------------------------


def test_templates_render_all_kinds() -> None:
    for kind, word in (("提示", "提示函"), ("提醒", "提醒函"), ("督办", "督办函")):
        title, body, closing = build_letter_text(kind, VALUES)
        assert title.endswith(word) and "2024年度" in title
        assert closing == "特此函告。"
        joined = "".join(body)
        assert UNIT not in joined  # the unit is the addressee, not repeated in the body
        assert REPLY in joined and "5个工作日" in joined and "区委依法治区办" in joined
        assert "{" not in joined and "}" not in joined
    parts = build_letter_parts("督办", VALUES)
    assert parts.addressee == f"{UNIT}王某某局长"
    assert parts.contact == "联系人：李某　联系电话：0477-8321234"
    assert parts.cc == "区委、区政府分管领导"
    # 负责人 left out: a sensible default, not an empty hole
    assert build_letter_parts("督办", {**VALUES, "负责人": ""}).addressee == f"{UNIT}主要负责同志"


def test_render_template_only_names() -> None:
    assert render_template("{单位}：{{原样}}}}", {"单位": "旗司法局"}) == "旗司法局：{原样}}"
    with pytest.raises(DubanError, match=r"未知占位符 \{部门\}，可用的有：\{单位\}"):
        render_template("请{部门}回复", {"单位": "x"})
    for bad in ("{单位.__class__}", "{单位[0]}", "{单位:>10}", "{单位!r}", "{0}", "{}"):
        with pytest.raises(DubanError):
            render_template(bad, {"单位": "x"})
    for bad in ("{单位", "单位}", "{{单位}"):
        with pytest.raises(DubanError):
            render_template(bad, {"单位": "x"})


def test_office_template_with_unknown_placeholder(tmp_path: Path) -> None:
    (tmp_path / "提醒.txt").write_text(
        "# 本单位模板\n标题：关于{单位}的提醒函\n\n请于{回复时间}前回复。\n结束语：特此函告。\n",
        encoding="utf-8",
    )
    with pytest.raises(DubanError, match=r"模板 提醒\.txt 中有未知占位符 \{回复时间\}"):
        build_letter_text("提醒", VALUES, template_dir=tmp_path)
    # the other kinds still come from the shipped templates
    assert build_letter_text("提示", VALUES, template_dir=tmp_path)[0].endswith("提示函")


def test_template_gbk_and_validation(tmp_path: Path) -> None:
    (tmp_path / "提示.txt").write_bytes(
        "标题：关于{单位}的提示函\n主送：{单位}\n\n第一行\n接着一行\n\n第二段{{不替换}}\n".encode(
            "gbk"
        )
    )
    title, body, closing = build_letter_text("提示函", {"单位": "旗公安局"}, template_dir=tmp_path)
    assert title == "关于旗公安局的提示函"
    assert body == ("第一行接着一行", "第二段{不替换}")
    assert closing == ""
    with pytest.raises(DubanError, match="标题"):
        validate_template("正文而已")
    with pytest.raises(DubanError, match="未知的函件种类"):
        build_letter_text("表扬", VALUES)
    for kind in ("提示", "提醒", "督办"):
        text = (
            Path(__file__).resolve().parent.parent / "data" / "templates" / f"{kind}.txt"
        ).read_text("utf-8")
        validate_template(text, kind)
        assert all(
            f"{{{p}}}" in text for p in ("单位", "回复期限", "回复工作日", "联系人", "联系电话")
        )
    assert set(PLACEHOLDERS) >= {
        "单位",
        "负责人",
        "事项数",
        "最早期限",
        "回复期限",
        "回复工作日",
        "联系人",
        "联系电话",
        "发文机关",
        "日期",
    }


def test_format_cn_date() -> None:
    assert format_cn_date(date(2024, 3, 5)) == "2024年3月5日"
    assert format_cn_date(date(2024, 12, 31)) == "2024年12月31日"
    m = make_model(1)
    assert m.date_text == "2024年6月7日"
    assert m.addressee_line.endswith("：") and not m.addressee_line.endswith("：：")


def test_resolve_fonts(tmp_path: Path) -> None:
    f = resolve_fonts(use_system=False)
    assert f.body_path.name == "DubanSerifSC-Regular.otf" and f.body_path.is_file()
    assert f.title_path.name == "DubanSerifSC-Bold.otf"
    assert f.body_name_docx == "仿宋_GB2312" and f.title_name_docx == "方正小标宋简体"
    total = sum(p.stat().st_size for p in f.body_path.parent.glob("*.otf"))
    assert total < 5_000_000
    assert (f.body_path.parent / "OFL.txt").is_file()
    configured = resolve_fonts(str(f.body_path))
    assert configured.body_path == f.body_path
    with pytest.raises(DubanError, match="不存在"):
        resolve_fonts(str(tmp_path / "nope.ttf"))
    (tmp_path / "bad.ttf").write_bytes(b"not a font")
    with pytest.raises(DubanError, match="缺少常用简体汉字"):
        resolve_fonts(str(tmp_path / "bad.ttf"))


def test_office_font_missing_characters_fall_back(tmp_path: Path, fonts: FontSet) -> None:
    # an "office font" that only knows a few characters, as a configured font might
    from tui.letters.fonts import PROBE_CHARS

    small = prepare_batch_fonts(fonts, ["督办函" + PROBE_CHARS], ["督办函"], tmp_path / "f")
    office = resolve_fonts(str(small.body_path))
    assert office.body_path == small.body_path and office.fallback_path is not None
    model = make_model(3)
    write_pdf(model, tmp_path / "mixed.pdf", office)
    text = flat(pdf_text(tmp_path / "mixed.pdf"))
    assert UNIT in text and flat(model.title) in text and "（3）" in text
    assert REPLY in text
    emb = [
        line.split()[-5] for line in run("pdffonts", str(tmp_path / "mixed.pdf")).splitlines()[2:]
    ]
    assert len(emb) == 3 and set(emb) == {"yes"}


def test_title_lines_break_between_words() -> None:
    from tui.letters.model import title_lines

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


def test_signature_never_alone_on_a_page(tmp_path: Path, fonts: FontSet) -> None:
    # body lengths that push the signature to the page end; it must keep body text with it
    for extra in range(0, 8):
        model = make_model(2)
        paras = model.body_paragraphs + ("补充说明：请认真对照检查。" * (1 + extra),)
        model = LetterModel(**{**model.__dict__, "body_paragraphs": paras})
        write_pdf(model, tmp_path / f"s{extra}.pdf", fonts)
        for page in range(1, 4):
            text = flat(pdf_text(tmp_path / f"s{extra}.pdf", page))
            if "2024年6月7日" in text:
                without = text.replace(model.signature, "").replace("2024年6月7日", "")
                assert re.sub(r"—\d+—", "", without), f"signature alone on page {page}"
                break


def test_tight_letter_keeps_signature_on_page_one(tmp_path: Path, fonts: FontSet) -> None:
    # this 提示函 is a few lines too long for the regular spacing: GB/T 9704 §7.3.5.4
    # says to tighten the spacing rather than put the signature alone on page 2
    values = VALUES | {"单位": "旗司法局", "事项数": "5", "发文机关": "旗委依法治旗办"}
    values |= {"联系电话": "0477-5212345", "抄送": ""}
    parts = build_letter_parts("提示", values)
    base = make_model(5)
    model = LetterModel(
        **{
            **base.__dict__,
            "kind": "提示",
            "issuer_mark": "中共达拉特旗委全面依法治旗委员会办公室",
            "signature": "中共达拉特旗委全面依法治旗委员会办公室",
            "number": "达依法治办示〔2024〕1号",
            "title": parts.title,
            "addressee": parts.addressee,
            "body_paragraphs": parts.body_paragraphs,
            "contact": parts.contact,
            "cc": "",
        }
    )
    pages = write_pdf(model, tmp_path / "tight.pdf", fonts)
    page1 = flat(pdf_text(tmp_path / "tight.pdf", 1))
    assert "2024年6月7日" in page1 and "附件：事项清单" in page1
    assert pages == 2
