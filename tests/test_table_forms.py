"""Tables as offices save them: WPS sheets, merged headers, headings above Word tables,
and tables that arrive as text (one cell per line, or rows with | separators)."""

from __future__ import annotations

import docx
import openpyxl

from tui.ingest.parser import parse_document
from tui.ingest.readers import read_document


def owners(task) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in task.owners:
        out.setdefault(o.role, []).append(o.name)
    return out


def test_wps_sheet_merged_owner_header_number_in_task_cell(tmp_path):
    """Row 1: the merged title; rows 2–3: 责任单位 merged over 牵头 | 配合; no 序号 column,
    the number written into the task cell; 12月上旬 in the deadline column."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["白云旗2022年法治政府建设重点任务台账"])
    ws.merge_cells("A1:D1")
    ws.append(["工作任务", "责任单位", None, "时限要求"])
    ws.merge_cells("B2:C2")
    ws.merge_cells("A2:A3")
    ws.merge_cells("D2:D3")
    ws.append([None, "牵头", "配合", None])
    ws.append(["1．健全行政决策合法性审查机制，建立审查台账。", "旗司法局", "旗政府办", "12月上旬"])
    ws.append(["2．开展行政执法案卷评查。", "旗司法局", "各苏木镇", "2022年9月中旬前"])
    path = tmp_path / "wps.xlsx"
    wb.save(str(path))
    plan = parse_document(read_document(path))
    assert plan.title == "白云旗2022年法治政府建设重点任务台账"
    assert [t.number for t in plan.tasks] == ["1．", "2．"]
    assert plan.tasks[0].text == "健全行政决策合法性审查机制，建立审查台账。"
    assert owners(plan.tasks[0]) == {"lead": ["旗司法局"], "supporting": ["旗政府办"]}
    assert owners(plan.tasks[1]) == {"lead": ["旗司法局"], "supporting": ["各苏木镇"]}
    assert [t.deadline_text for t in plan.tasks] == ["12月上旬", "2022年9月中旬前"]
    assert not plan.unplaced


def test_task_header_merged_over_two_columns(tmp_path):
    """工作任务 over two columns: the task group and the task itself."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "工作任务", None, "责任科室", "完成时间"])
    ws.merge_cells("B1:C1")
    ws.append(
        [1, "依法全面履行政府职能", "动态调整权责清单，年内公布。", "法制股", "2024年12月底前"]
    )
    ws.append(
        [2, "依法全面履行政府职能", "清理证明事项，公布保留目录。", "政务服务股", "2024年6月底前"]
    )
    path = tmp_path / "merged_task.xlsx"
    wb.save(str(path))
    plan = parse_document(read_document(path))
    assert [t.text for t in plan.tasks] == [
        "动态调整权责清单，年内公布。",
        "清理证明事项，公布保留目录。",
    ]
    assert [n.heading for n in plan.nodes] == ["依法全面履行政府职能"]
    assert owners(plan.tasks[0]) == {"responsible": ["法制股"]}
    assert plan.tasks[1].deadline_text == "2024年6月底前"


def test_heading_paragraph_above_a_word_table_is_its_section(tmp_path):
    d = docx.Document()
    d.add_paragraph("南岭县2025年法治政府建设重点任务清单")
    for heading, rows in (
        ("一、健全依法决策机制", [("1", "公布重大行政决策事项目录。", "县政府办", "3月底前")]),
        (
            "二、严格规范公正文明执法",
            [
                ("1", "开展执法案卷评查。", "县司法局", "10月底前"),
                ("2", "推行包容审慎监管。", "县市场监管局", "长期坚持"),
            ],
        ),
    ):
        d.add_paragraph(heading)
        table = d.add_table(rows=1, cols=4)
        for cell, head in zip(
            table.rows[0].cells, ("序号", "工作任务", "牵头单位", "完成时限"), strict=True
        ):
            cell.text = head
        for values in rows:
            for cell, value in zip(table.add_row().cells, values, strict=True):
                cell.text = value
    path = tmp_path / "headings.docx"
    d.save(str(path))
    plan = parse_document(read_document(path))
    assert [(plan.section_label(t), t.number) for t in plan.tasks] == [
        ("一、健全依法决策机制", "1"),
        ("二、严格规范公正文明执法", "1"),
        ("二、严格规范公正文明执法", "2"),
    ]
    assert plan.task_keys() == ["一、1", "二、1", "二、2"]
    assert owners(plan.tasks[2]) == {"lead": ["县市场监管局"]}


FLAT = """金川旗2023年法治政府建设重点任务分解表
序号
重点任务
牵头单位
责任单位
完成时限
1
完善政府权责清单，实行动态调整。
旗委编办
旗直各部门
2023年6月底前
2
推行证明事项告知承诺制。
旗司法局
各苏木镇
2023年9月底前
3
开展法治政府建设示范创建。
旗委依法治旗办
旗直有关部门
长期坚持
各单位要按照分工抓好落实。
"""


def test_table_flattened_to_one_cell_per_line(tmp_path):
    path = tmp_path / "flat.txt"
    path.write_text(FLAT, encoding="utf-8")
    plan = parse_document(read_document(path))
    assert [t.number for t in plan.tasks] == ["1", "2", "3"]
    assert plan.tasks[1].text == "推行证明事项告知承诺制。"
    assert owners(plan.tasks[1]) == {"lead": ["旗司法局"], "responsible": ["各苏木镇"]}
    assert [t.deadline_text for t in plan.tasks] == ["2023年6月底前", "2023年9月底前", "长期坚持"]
    assert plan.title == "金川旗2023年法治政府建设重点任务分解表"
    assert "各单位要按照分工抓好落实" in plan.plan_text


PIPES = """西林市2026年法治政府建设任务表
| 序号 | 工作任务 | 牵头单位 | 配合单位 | 进度安排 |
|------|----------|----------|----------|----------|
| 一、健全依法决策机制 |||||
| 1 | 落实重大行政决策公众参与制度。 | 市政府办 | 市司法局 | 2026年5月底前 |
| 2 | 建立行政决策后评估机制。 | 市司法局 | 各县（市、区）政府 | 2026年10月底前 |
| 二、加强执法监督 |||||
| 3 | 开展执法质量专项检查。 | 市司法局 | 市直有关部门 | 每季度末 |
"""


def test_rows_with_pipe_separators(tmp_path):
    path = tmp_path / "pipes.txt"
    path.write_text(PIPES, encoding="utf-8")
    plan = parse_document(read_document(path))
    assert [t.number for t in plan.tasks] == ["1", "2", "3"]
    assert plan.task_keys() == ["一、1", "一、2", "二、3"]
    assert owners(plan.tasks[1]) == {"lead": ["市司法局"], "supporting": ["各县（市、区）政府"]}
    assert plan.tasks[2].deadline_text == "每季度末"
