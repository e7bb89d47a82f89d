"""Document structures that once lost or invented tasks: nested tables, headings-only plans."""

from __future__ import annotations

import sqlite3

import docx
from docx.shared import Pt

from tui.ingest.parser import parse_document
from tui.ingest.readers import read_document

TITLE = "某某旗2025年行政执法监督工作方案"


def _table(container, rows: list[tuple[str, ...]]):
    table = container.add_table(rows=0, cols=len(rows[0]))
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = value
    return table


def _nested_docx(path, depth: int) -> None:
    """A layout table whose second cell holds the task table, nested `depth` levels deep."""
    d = docx.Document()
    d.add_paragraph(TITLE)
    d.add_paragraph("为规范行政执法行为，制定本方案。")
    outer = d.add_table(rows=1, cols=2)
    outer.rows[0].cells[0].text = "附表"
    holder = outer.rows[0].cells[1]
    for _ in range(depth - 1):
        inner = holder.add_table(rows=1, cols=1)
        holder = inner.rows[0].cells[0]
    _table(
        holder,
        [
            ("序号", "具体措施", "牵头单位", "完成时限"),
            ("1", "开展行政执法案卷评查，督促整改发现的问题。", "旗司法局", "2025年10月底前"),
            ("2", "组织执法人员参加法律知识培训和考试。", "旗司法局", "2025年6月底前"),
        ],
    )
    d.add_paragraph("各单位要认真落实，按时报送进展。")
    style = d.styles["Normal"]
    style.font.size = Pt(12)
    d.save(str(path))


def test_task_table_nested_in_a_layout_cell_is_imported(cli, db, tmp_path):
    path = tmp_path / "nested.docx"
    _nested_docx(path, depth=2)
    r = cli("import", str(path), "--format", "json")
    assert r.code == 0, r.err
    tasks = r.json()["tasks"]
    assert [t["number"] for t in tasks] == ["1", "2"]
    assert tasks[0]["title"].startswith("开展行政执法案卷评查")
    assert [o["name"] for o in tasks[0]["owners"]] == ["旗司法局"]
    assert tasks[1]["deadline_text"] == "2025年6月底前"


def test_tables_nested_deeper_than_the_limit_are_reported_not_dropped(tmp_path):
    path = tmp_path / "deep.docx"
    _nested_docx(path, depth=6)
    doc = read_document(path)
    parsed = parse_document(doc)
    unplaced = "\n".join(text for _no, text in parsed.unplaced)
    # Nothing silently lost: the deep table's task text is listed as unplaced, with a location.
    assert "开展行政执法案卷评查" in unplaced
    assert "表格嵌套过深" in unplaced


def test_headings_only_plan_has_no_tasks(cli, db, tmp_path):
    path = tmp_path / "headings.txt"
    path.write_text(
        "\n".join(
            [
                "某某旗2025年法治宣传教育工作要点",
                "一、总体要求",
                "二、工作安排",
                "三、保障措施",
                "四、工作要求",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    r = cli("import", str(path))
    assert r.code == 2
    assert "没有找到任何任务" in r.err
    assert not db.exists() or sqlite3.connect(db).execute(
        "SELECT count(*) FROM task"
    ).fetchone() == (0,)


def test_sections_with_bodies_but_no_task_items_are_not_tasks(cli, db, tmp_path):
    path = tmp_path / "sections.txt"
    path.write_text(
        "\n".join(
            [
                "某某旗2025年法治宣传教育工作要点",
                "一、总体要求",
                "坚持以习近平法治思想为指导，深入开展法治宣传教育，为全旗发展营造良好法治环境。",
                "二、工作安排",
                "围绕中心工作，组织开展宪法宣传周、民法典宣传月等主题活动，推动普法工作落地见效。",
                "三、保障措施",
                "各单位要加强组织领导，落实普法责任制，确保各项工作取得实效。",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    r = cli("import", str(path))
    assert r.code == 2
    assert "没有找到任何任务" in r.err


def test_a_plan_of_numbered_prose_items_still_has_tasks(cli, db, tmp_path):
    # Items that are sentences (not headings) remain tasks, at any level.
    path = tmp_path / "items.txt"
    path.write_text(
        "\n".join(
            [
                "某某旗2025年依法行政工作要点",
                "一、严格落实重大行政决策程序，凡涉及群众切身利益的决策一律公开征求意见。",
                "二、全面推行行政执法三项制度，年底前实现执法信息公示全覆盖。",
                "三、加强行政复议能力建设，依法纠正违法或不当行政行为。",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    r = cli("import", str(path), "--format", "json")
    assert r.code == 0, r.err
    assert [t["number"] for t in r.json()["tasks"]] == ["一、", "二、", "三、"]


COVER_PLAN = """清水县人民政府办公室关于印发《清水县2023年法治政府建设工作要点》的通知
各乡镇人民政府，县政府各部门：
现将《清水县2023年法治政府建设工作要点》印发给你们，请结合实际认真贯彻执行。现就有关事项通知如下：
一、提高思想认识。各单位要把法治政府建设摆在全局工作的重要位置。
二、加强督促检查。县委依法治县办要定期调度工作进展。
清水县人民政府办公室
2023年3月1日
清水县2023年法治政府建设
工作要点
为深入推进依法行政，结合我县实际，制定本要点。
一、健全依法决策机制
（一）严格落实重大行政决策程序，年底前公布决策事项目录。（县政府办牵头，各乡镇按职责分工负责）
二、严格规范公正文明执法
（二）全面推行行政执法三项制度，规范执法行为。（县司法局牵头负责）
"""


def test_a_cover_letter_is_plan_text_and_names_the_plan(tmp_path):
    path = tmp_path / "cover.txt"
    path.write_text(COVER_PLAN, encoding="utf-8")
    plan = parse_document(read_document(path))
    assert plan.title == "清水县2023年法治政府建设工作要点"
    assert (plan.issuer, plan.issue_date) == ("清水县人民政府办公室", "2023-03-01")
    # The letter's own 一、二、 are not the plan's sections.
    assert [n.heading for n in plan.sections] == ["健全依法决策机制", "严格规范公正文明执法"]
    assert [t.number for t in plan.tasks] == ["（一）", "（二）"]
    assert "提高思想认识" in plan.plan_text
    assert not plan.unplaced


def test_a_title_on_its_own_line_split_over_two_lines(tmp_path):
    path = tmp_path / "split.txt"
    text = COVER_PLAN.split("2023年3月1日\n", 1)[1]
    path.write_text(text, encoding="utf-8")
    plan = parse_document(read_document(path))
    assert plan.title == "清水县2023年法治政府建设工作要点"
