"""Readers: every format the offices send reduces to the same lines and rows."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import docx
import openpyxl
import pytest

from tui.errors import DubanError
from tui.ingest.document import Line, Row
from tui.ingest.readers import match_header, read_document

FIX = Path(__file__).parent / "fixtures"
SEED = FIX / "plan002_utf8.txt"
MB = 1024 * 1024
CJK = re.compile(r"[\u4e00-\u9fff]")


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def seed_lines() -> list[str]:
    return [ln for ln in seed_text().splitlines() if ln.strip()]


def texts(doc) -> list[str]:
    return [it.text for it in doc.items if isinstance(it, Line) and it.text.strip()]


def rows(doc) -> list[Row]:
    return [it for it in doc.items if isinstance(it, Row)]


def raises_with(path, *words: str, **kw) -> str:
    with pytest.raises(DubanError) as info:
        read_document(path, **kw)
    msg = info.value.message
    for word in words:
        assert word in msg, msg
    assert "\n" not in msg and "Traceback" not in msg
    return msg


# ------------------------------------------------------------------ text


def test_utf8_reads_every_line_numbered_from_one():
    doc = read_document(SEED)
    assert doc.kind == "txt"
    assert doc.encoding == "utf-8"
    raw = seed_text().split("\n")
    assert raw[-1] == ""  # the seed ends with a newline, which is not an extra line
    assert [it.text for it in doc.items] == raw[:-1]
    assert [it.no for it in doc.items] == list(range(1, len(raw)))
    assert doc.items[1] == Line(no=2, text="阿拉善左旗人民政府办公室")
    assert doc.source == str(SEED)


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("plan002_gbk.txt", "gbk"),
        ("plan002_utf16.txt", "utf-16-le"),
        ("plan002_utf8bom.txt", "utf-8-sig"),
    ],
)
def test_encoding_variants_read_like_utf8(name, encoding):
    doc = read_document(FIX / name)
    assert doc.encoding == encoding
    assert doc.kind == "txt"
    assert texts(doc) == seed_lines()
    assert len(texts(doc)) == 42
    assert not texts(doc)[0].startswith("\ufeff")


@pytest.mark.parametrize(
    ("codec", "bom", "expected"),
    [
        ("utf-16-be", b"\xfe\xff", "utf-16-be"),
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
    ],
)
def test_utf16_other_orders_and_without_bom(tmp_path, codec, bom, expected):
    path = tmp_path / "plan.txt"
    path.write_bytes(bom + seed_text().encode(codec))
    doc = read_document(path)
    assert doc.encoding == expected
    assert texts(doc) == seed_lines()


def test_gb18030_only_characters_fall_back_from_gbk(tmp_path):
    rare = "\u4dae"  # CJK Extension A: four bytes in GB18030, absent from GBK
    with pytest.raises(UnicodeEncodeError):
        rare.encode("gbk")
    path = tmp_path / "plan.txt"
    path.write_bytes(f"阿拉善左旗{rare}计划\n（一）推进依法行政。\n".encode("gb18030"))
    doc = read_document(path)
    assert doc.encoding == "gb18030"
    assert texts(doc) == [f"阿拉善左旗{rare}计划", "（一）推进依法行政。"]


def test_crlf_and_cr_are_normalised_blank_lines_kept(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes("一、总体要求\r\n\r\n（一）任务甲\r（二）任务乙\n  （三）任务丙  ".encode())
    doc = read_document(path)
    assert doc.items == [
        Line(1, "一、总体要求"),
        Line(2, ""),
        Line(3, "（一）任务甲"),
        Line(4, "（二）任务乙"),
        Line(5, "  （三）任务丙  "),
    ]


def test_format_comes_from_content_not_extension(tmp_path):
    for src, fake, kind in [
        ("plan002.docx", "plan.txt", "docx"),
        ("plan_table.xlsx", "sheet.dat", "xlsx"),
        ("plan002.pdf", "scan.docx", "pdf"),
        ("plan002_gbk.txt", "plan.pdf.bak", "txt"),
    ]:
        dst = tmp_path / fake
        shutil.copy(FIX / src, dst)
        assert read_document(dst).kind == kind


# ------------------------------------------------------------------ docx


def test_docx_paragraphs_equal_seed_lines():
    doc = read_document(FIX / "plan002.docx")
    assert doc.kind == "docx"
    assert doc.encoding is None
    assert texts(doc) == seed_lines()
    nos = [it.no for it in doc.items]
    assert nos == sorted(nos) and nos[0] == 1


def test_docx_table_rows_mapped_and_merged_task_repeated():
    doc = read_document(FIX / "plan_table.docx")
    items = doc.items
    assert items[0] == Line(1, "某某旗2025年法治政府建设重点任务分解表")
    assert items[-1].text.startswith("各单位要")
    assert isinstance(items[-1], Line)
    table_rows = rows(doc)
    assert len(table_rows) == 9
    assert table_rows[0] == Row(
        no=3,
        cells={
            "number": "1",
            "task": "健全政府机构职能体系",
            "measure": "完善政府权责清单制度，实行动态调整，年内公布调整后的权责清单。",
            "lead": "旗委编办、旗政务服务局",
            "responsible": "各苏木镇、旗直各部门",
            "deadline": "2025年6月底前",
        },
    )
    assert table_rows[5] == Row(
        no=8,
        cells={
            "number": "6",
            "task": "严格规范公正文明执法",
            "measure": "组织行政执法人员参加公共法律知识培训和考试，实现持证上岗。",
            "lead": "旗司法局",
            "responsible": "各苏木镇、旗直各部门",
            "deadline": "每季度末",
        },
    )
    tasks = [r.cells["task"] for r in table_rows]
    assert (
        tasks
        == ["健全政府机构职能体系"] * 3
        + ["严格规范公正文明执法"] * 3
        + ["加强行政权力制约和监督"] * 3
    )
    assert [r.cells["deadline"] for r in table_rows][2:4] == ["长期坚持", "长期坚持"]
    # The header row itself is consumed, never emitted.
    assert not any(isinstance(it, Line) and "序号" in it.text for it in items)


def _table_doc(path: Path, header, body, *, merge_row: int | None = None, after=None) -> None:
    d = docx.Document()
    d.add_paragraph("标题")
    t = d.add_table(rows=1 + len(body), cols=len(header))
    for cell, text in zip(t.rows[0].cells, header, strict=True):
        cell.text = text
    for r, values in enumerate(body, start=1):
        for cell, text in zip(t.rows[r].cells, values, strict=True):
            cell.text = text
    if merge_row is not None:
        row = t.rows[merge_row]
        merged = row.cells[0].merge(row.cells[-1])
        merged.text = "二、严格规范公正文明执法"
    if after is not None:
        t2 = d.add_table(rows=len(after), cols=len(header))
        for r, values in enumerate(after):
            for cell, text in zip(t2.rows[r].cells, values, strict=True):
                cell.text = text
    d.save(str(path))


def test_docx_horizontal_merge_heading_becomes_line(tmp_path):
    path = tmp_path / "t.docx"
    header = ("序 号", "工作任务", "责任单位（部门）", "完成时间")
    body = [
        ("1", "完善权责清单", "旗委编办", "2025年6月底前"),
        ("", "", "", ""),
        ("2", "开展案卷评查", "旗司法局\n各执法部门", "每季度末"),
    ]
    _table_doc(path, header, body, merge_row=2)
    doc = read_document(path)
    assert doc.items[1] == Row(
        3,
        {
            "number": "1",
            "task": "完善权责清单",
            "responsible": "旗委编办",
            "deadline": "2025年6月底前",
        },
    )
    assert doc.items[2] == Line(4, "二、严格规范公正文明执法")
    assert doc.items[3].cells["responsible"] == "旗司法局\n各执法部门"


def test_docx_table_without_header_gives_lines_and_continuation_reuses_columns(tmp_path):
    path = tmp_path / "t.docx"
    header = ("序号", "重点任务", "牵头单位", "配合单位")
    body = [("1", "任务一", "旗司法局", "旗政府办")]
    after = [("2", "任务二", "旗财政局", "各部门"), ("3", "任务三", "旗审计局", "")]
    _table_doc(path, header, body, after=after)
    doc = read_document(path)
    assert [r.cells for r in rows(doc)] == [
        {"number": "1", "task": "任务一", "lead": "旗司法局", "supporting": "旗政府办"},
        {"number": "2", "task": "任务二", "lead": "旗财政局", "supporting": "各部门"},
        {"number": "3", "task": "任务三", "lead": "旗审计局"},
    ]

    plain = tmp_path / "plain.docx"
    d = docx.Document()
    t = d.add_table(rows=2, cols=3)
    for r, values in enumerate([("甲", "乙", ""), ("签发人：", "张三", "2025年1月")]):
        for cell, text in zip(t.rows[r].cells, values, strict=True):
            cell.text = text
    d.save(str(plain))
    doc = read_document(plain)
    assert doc.items == [Line(1, "甲 乙"), Line(2, "签发人： 张三 2025年1月")]


def test_docx_soft_line_break_splits_paragraph_keeping_its_number(tmp_path):
    path = tmp_path / "br.docx"
    d = docx.Document()
    p = d.add_paragraph("（一）推进依法行政。")
    p.add_run().add_break()
    p.add_run("（牵头单位：旗司法局）")
    d.add_paragraph("")
    d.add_paragraph("（二）下一项")
    d.save(str(path))
    doc = read_document(path)
    assert doc.items == [
        Line(1, "（一）推进依法行政。"),
        Line(1, "（牵头单位：旗司法局）"),
        Line(2, ""),
        Line(3, "（二）下一项"),
    ]


# ------------------------------------------------------------------ xlsx


def test_xlsx_title_header_mapping_merge_and_date():
    doc = read_document(FIX / "plan_table.xlsx")
    assert doc.kind == "xlsx"
    assert doc.items[0] == Line(1, "某某旗2025年法治政府建设重点任务分解表")
    table_rows = rows(doc)
    assert len(table_rows) == 9
    assert table_rows[0].no == 3  # header found in row 2
    assert table_rows[0] == Row(
        3,
        {
            "number": "1",
            "task": "健全政府机构职能体系",
            "measure": "完善政府权责清单制度，实行动态调整，年内公布调整后的权责清单。",
            "lead": "旗委编办、旗政务服务局",
            "responsible": "各苏木镇、旗直各部门",
            "deadline": "2025年6月30日",
        },
    )
    assert table_rows[6] == Row(
        9,
        {
            "number": "7",
            "task": "加强行政权力制约和监督",
            "measure": "落实行政机关负责人出庭应诉制度，出庭应诉率达到100%。",
            "lead": "旗司法局、旗法院",
            "responsible": "各有关部门",
            "deadline": "每季度末",
        },
    )
    # B3:B5 is one merged cell: its value is filled down into rows 4 and 5.
    assert [r.cells["task"] for r in table_rows[:3]] == ["健全政府机构职能体系"] * 3
    assert not any(isinstance(it, Line) and "序号" in it.text for it in doc.items)


def test_xlsx_section_row_blank_rows_and_headerless_sheet(tmp_path):
    path = tmp_path / "s.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "任务名称", "参加单位", "时限"])
    ws.append(["一、健全政府机构职能体系"])
    ws.merge_cells("A2:D2")
    ws.append([1, "任务甲", "旗司法局", datetime(2025, 12, 31)])
    ws.append([None, None, None, None])
    ws.append([2.0, "任务乙", None, "年底前"])
    other = wb.create_sheet("说明")
    other.append(["本表由依法治旗办编制"])
    hidden = wb.create_sheet("字典")
    hidden.append(["牵头单位", "责任单位"])
    hidden.append(["隐藏", "不读"])
    hidden.sheet_state = "hidden"
    wb.save(str(path))
    doc = read_document(path)
    assert doc.items == [
        Line(2, "一、健全政府机构职能体系"),
        Row(
            3,
            {
                "number": "1",
                "task": "任务甲",
                "supporting": "旗司法局",
                "deadline": "2025年12月31日",
            },
        ),
        Row(5, {"number": "2", "task": "任务乙", "deadline": "年底前"}),
        Line(1, "本表由依法治旗办编制"),
    ]


def test_match_header_spellings():
    assert match_header("序 号") == "number"
    assert match_header("\u3000牵头部门") == "lead"
    assert match_header("责任单位（部门）") == "responsible"
    assert match_header("时间节点") == "deadline"
    assert match_header("具体任务") == "measure"
    assert match_header("备注") is None
    assert match_header("") is None


# ------------------------------------------------------------------ pdf


def test_pdf_text_layer_matches_seed():
    doc = read_document(FIX / "plan002.pdf")
    assert doc.kind == "pdf"
    assert all(isinstance(it, Line) for it in doc.items)
    assert [it.no for it in doc.items] == list(range(1, len(doc.items) + 1))
    got = "".join("".join(it.text for it in doc.items).split())
    want = "".join(seed_text().split())
    assert CJK.findall(got)[:500] == CJK.findall(want)[:500]
    assert len(CJK.findall(got)) == len(CJK.findall(want))
    assert got == want
    # Wrapped to the page width: more lines than the seed has paragraphs.
    assert len(doc.items) > len(seed_lines()) * 3


# ------------------------------------------------------------------ bad input


def test_empty_and_whitespace_only(tmp_path):
    raises_with(FIX / "empty.txt", "文件为空", "empty.txt")
    blank = tmp_path / "blank.txt"
    blank.write_text(" \n\u3000\r\n\t\n", encoding="utf-8")
    raises_with(blank, "文件为空")
    bom_only = tmp_path / "bom.txt"
    bom_only.write_bytes(b"\xef\xbb\xbf")
    raises_with(bom_only, "文件为空")
    empty_docx = tmp_path / "empty.docx"
    docx.Document().save(str(empty_docx))
    raises_with(empty_docx, "文件为空")


def test_garbage_is_not_text(tmp_path):
    raises_with(FIX / "garbage.bin", "不是可识别的文本", "garbage.bin")
    # Without NUL bytes the decoders get further; the plausibility check must still refuse.
    no_nul = tmp_path / "noise.txt"
    no_nul.write_bytes((FIX / "garbage.bin").read_bytes().replace(b"\x00", b""))
    raises_with(no_nul, "不是可识别的文本")
    controls = tmp_path / "ctl.txt"
    controls.write_bytes(bytes(range(1, 32)) * 20)
    raises_with(controls, "不是可识别的文本")
    symbols = tmp_path / "sym.txt"
    symbols.write_text("■□▲△◆◇○●★☆" * 50, encoding="utf-8")
    raises_with(symbols, "不是可识别的文本")
    # Noise that is valid GB18030 and printable: the Han characters are not everyday ones.
    noise = (FIX / "garbage.bin").read_bytes().decode("gb18030", errors="ignore")
    noise = "".join(c for c in noise if c.isprintable() or c == "\n")
    gb_noise = tmp_path / "gb_noise.txt"
    gb_noise.write_bytes(noise.encode("gb18030"))
    raises_with(gb_noise, "不是可识别的文本", "乱码")
    png = tmp_path / "photo.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    raises_with(png, "图片")


def test_not_word_and_corrupt_zip_named_docx(tmp_path):
    raises_with(FIX / "not_word.docx", "无法读取 Word 文件", "not_word.docx")
    corrupt = tmp_path / "计划.docx"
    corrupt.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    raises_with(corrupt, "无法读取 Word 文件", "计划.docx", "损坏")
    truncated = tmp_path / "half.docx"
    truncated.write_bytes((FIX / "plan002.docx").read_bytes()[:5000])
    raises_with(truncated, "Word", "损坏")
    corrupt_xlsx = tmp_path / "表.xlsx"
    corrupt_xlsx.write_bytes(b"PK\x03\x04garbage")
    raises_with(corrupt_xlsx, "无法读取 Excel 文件")
    random_docx = tmp_path / "r.docx"
    random_docx.write_bytes((FIX / "garbage.bin").read_bytes())
    raises_with(random_docx, "无法读取 Word 文件", "r.docx")


def test_zip_without_office_parts(tmp_path):
    path = tmp_path / "files.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("plan.txt", "计划")
    raises_with(path, "压缩包", "解压")
    named = tmp_path / "plan.docx"
    shutil.copy(path, named)
    raises_with(named, "无法读取 Word 文件")
    broken_inside = tmp_path / "inside.docx"
    with zipfile.ZipFile(broken_inside, "w") as zf:
        zf.writestr("word/document.xml", "<w:document>这不是XML")
    raises_with(broken_inside, "无法读取 Word 文件")


def test_old_office_and_bad_pdf(tmp_path):
    ole = tmp_path / "plan.doc"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    raises_with(ole, "旧版", ".docx")
    bad_pdf = tmp_path / "plan.pdf"
    bad_pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    raises_with(bad_pdf, "无法读取 PDF 文件", "plan.pdf")
    fake_pdf = tmp_path / "fake.pdf"
    fake_pdf.write_text("这是文本不是PDF", encoding="utf-8")
    raises_with(fake_pdf, "无法读取 PDF 文件")


def test_scanned_pdf_needs_ocr():
    raises_with(FIX / "scanned.pdf", "扫描", "文字层", "OCR", "scanned.pdf")


def test_too_large_checked_before_reading(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * MB)
    msg = raises_with(big, "文件过大", "50.0 MB", "30 MB", "huge.txt")
    assert "上限" in msg
    raises_with(SEED, "文件过大", max_bytes=10_000)
    assert read_document(SEED, max_bytes=20_000).kind == "txt"


def test_missing_path_and_directory(tmp_path):
    raises_with(tmp_path / "无此文件.txt", "文件不存在", "无此文件.txt")
    raises_with(tmp_path, "文件夹")
    raises_with(str(tmp_path / "nope.docx"), "文件不存在")
