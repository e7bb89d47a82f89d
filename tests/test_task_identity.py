"""Task identity is the task's place in the outline (issue: units on the wrong tasks).

Plans often restart their numbering in every section — （一）（二） under 一、, then （一）（二）
again under 二、. Every task must keep its own owners, whatever the format.
"""

from __future__ import annotations

import sqlite3

import pytest

from tui.domain.identity import match_tasks, task_keys

# (section heading, [(number, task text, lead, responsible)]) — numbering restarts per section.
SECTIONS: list[tuple[str, list[tuple[str, str, str, str]]]] = [
    (
        "一、健全依法行政制度体系",
        [
            ("（一）", "完善规范性文件合法性审核机制，全面落实审核程序。", "区司法局", "区政府办"),
            ("（二）", "开展行政规范性文件清理工作，及时公布清理结果。", "区司法局", ""),
        ],
    ),
    (
        "二、严格规范公正文明执法",
        [
            ("（一）", "深化行政执法体制改革，推进跨部门综合执法。", "区财政局", "区市场监管局"),
            ("（二）", "全面推行行政执法三项制度，加强执法监督检查。", "区公安分局", ""),
        ],
    ),
    (
        "三、强化行政权力制约和监督",
        [
            (
                "（一）",
                "自觉接受人大监督和政协民主监督，认真办理建议提案。",
                "区政府办",
                "区信访局",
            ),
        ],
    ),
]
EXPECTED = [
    (section[:2], number, lead, resp)
    for section, tasks in SECTIONS
    for number, _text, lead, resp in tasks
]
TITLE = "某某区2025年法治政府建设工作计划"
PREAMBLE = "为深入推进法治政府建设，结合本区实际，制定本计划。"


def restart_text() -> str:
    lines = [TITLE, "", PREAMBLE]
    for section, tasks in SECTIONS:
        lines.append(section)
        for number, text, lead, resp in tasks:
            lines.append(number + text)
            lines.append(f"牵头单位：{lead}")
            if resp:
                lines.append(f"责任单位：{resp}")
    lines += ["", "某某区人民政府办公室", "2025年2月10日"]
    return "\n".join(lines) + "\n"


def write_docx_paragraphs(path) -> None:
    import docx

    d = docx.Document()
    for line in restart_text().splitlines():
        d.add_paragraph(line)
    d.save(str(path))


def write_docx_table(path) -> None:
    """Sections as rows merged across the table; 序号 restarts in each section."""
    import docx

    d = docx.Document()
    d.add_paragraph(TITLE)
    d.add_paragraph(PREAMBLE)
    table = d.add_table(rows=1, cols=4)
    for cell, head in zip(
        table.rows[0].cells, ("序号", "具体措施", "牵头单位", "责任单位"), strict=True
    ):
        cell.text = head
    for section, tasks in SECTIONS:
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[3])
        merged.text = section
        for i, (_number, text, lead, resp) in enumerate(tasks, start=1):
            cells = table.add_row().cells
            for cell, value in zip(cells, (str(i), text, lead, resp), strict=True):
                cell.text = value
    d.save(str(path))


def write_xlsx(path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([TITLE])
    ws.merge_cells("A1:D1")
    ws.append(["序号", "具体措施", "牵头单位", "责任单位"])
    for section, tasks in SECTIONS:
        ws.append([section])
        r = ws.max_row
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        for i, (_number, text, lead, resp) in enumerate(tasks, start=1):
            ws.append([i, text, lead, resp])
    wb.save(str(path))


def stored_owners(db) -> list[tuple[str, str, str, str]]:
    """(section number, task number, lead, responsible) per task, in plan order."""
    con = sqlite3.connect(db)
    try:
        tasks = con.execute(
            "SELECT id, section_path, number FROM task WHERE active ORDER BY position"
        ).fetchall()
        out = []
        for tid, section, _number in tasks:
            roles = {}
            for role in ("lead", "responsible"):
                names = con.execute(
                    "SELECT u.name FROM assignment a JOIN unit u ON u.id = a.unit_id "
                    "WHERE a.task_id = ? AND a.role = ? AND a.active ORDER BY u.name",
                    (tid, role),
                ).fetchall()
                roles[role] = "、".join(n for (n,) in names)
            out.append((section[:2], _number, roles["lead"], roles["responsible"]))
        return out
    finally:
        con.close()


def _expected_for(kind: str):
    if kind == "txt" or kind == "docx-paragraphs":
        return EXPECTED
    # Tables number their rows 1, 2 … again in each section.
    out = []
    for section, tasks in SECTIONS:
        for i, (_n, _t, lead, resp) in enumerate(tasks, start=1):
            out.append((section[:2], str(i), lead, resp))
    return out


@pytest.mark.parametrize("kind", ["txt", "docx-paragraphs", "docx-table", "xlsx"])
def test_restarting_numbers_keep_each_tasks_own_owners(cli, db, tmp_path, kind):
    path = (
        tmp_path
        / {
            "txt": "plan.txt",
            "docx-paragraphs": "plan.docx",
            "docx-table": "table.docx",
            "xlsx": "plan.xlsx",
        }[kind]
    )
    if kind == "txt":
        path.write_text(restart_text(), encoding="utf-8")
    elif kind == "docx-paragraphs":
        write_docx_paragraphs(path)
    elif kind == "docx-table":
        write_docx_table(path)
    else:
        write_xlsx(path)
    r = cli("import", str(path), "--format", "json")
    assert r.code == 0, r.err
    report = r.json()
    expected = _expected_for(kind)
    # The report and the store say the same thing, task by task.
    reported = [
        (
            t["section"][:2],
            t["number"],
            "、".join(sorted(o["name"] for o in t["owners"] if o["role"] == "lead")),
            "、".join(sorted(o["name"] for o in t["owners"] if o["role"] == "responsible")),
        )
        for t in report["tasks"]
    ]
    assert reported == expected
    assert stored_owners(db) == expected
    assert report["assignments"] == sum(1 + bool(resp) for *_x, resp in expected)
    keys = [t["key"] for t in report["tasks"]]
    assert len(set(keys)) == len(keys)

    # `duban tasks` shows the same identity and owners.
    tasks = cli("tasks", "--format", "json").json()
    assert [t["key"] for t in tasks] == keys
    assert [
        (t["number"], "、".join(sorted(o["name"] for o in t["owners"]["lead"]))) for t in tasks
    ] == [(n, lead) for _s, n, lead, _r in expected]


def test_restarting_numbers_reimport_unchanged_and_revision_keeps_rows(cli, db, tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(restart_text(), encoding="utf-8")
    assert cli("import", str(path)).code == 0
    con = sqlite3.connect(db)
    before = con.execute("SELECT id, task_id, unit_id, role FROM assignment ORDER BY id").fetchall()
    con.close()
    r = cli("import", str(path), "--format", "json")
    assert r.json()["status"] == "unchanged"

    # Edit the second section's （二）: only that task changes, every row keeps its id.
    edited = restart_text().replace("加强执法监督检查。", "加强执法监督检查，年底前完成评查。")
    path.write_text(edited, encoding="utf-8")
    r = cli("import", str(path), "--format", "json")
    report = r.json()
    assert report["status"] == "revised"
    assert report["changed"] == ["二、（二）"]
    assert report["added"] == [] and report["removed"] == []
    con = sqlite3.connect(db)
    after = con.execute(
        "SELECT id, task_id, unit_id, role FROM assignment WHERE active ORDER BY id"
    ).fetchall()
    con.close()
    assert after == before
    assert stored_owners(db) == EXPECTED


def test_deadline_and_progress_commands_accept_the_outline_key(cli, db, tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(restart_text(), encoding="utf-8")
    assert cli("import", str(path)).code == 0
    r = cli("deadlines", "（一）")
    assert r.code == 2
    assert "二、（一）" in r.err and "三、（一）" in r.err  # ambiguous: names the candidates
    r = cli("deadline", "二、（一）", "2025-06-30", "--reason", "按上级要求")
    assert r.code == 0, r.err
    r = cli("deadlines", "二、（一）", "--format", "json")
    assert r.code == 0, r.err
    assert r.json()["number"] == "（一）"
    assert "深化行政执法体制改革" in r.json()["title"]


# ---------------------------------------------------------------- the pure functions


def test_task_keys_count_occurrences_per_place():
    keys = task_keys(
        [
            (("一、",), "（一）"),
            (("一、",), "（二）"),
            (("二、",), "（一）"),
            (("二、",), "（一）"),  # the same number twice in one section
            ((), "（一）"),
        ]
    )
    assert keys == ["一、（一）", "一、（二）", "二、（一）", "二、（一）#2", "（一）"]


def test_task_keys_are_linear_for_many_repeats():
    # 100,000 identical numbers: a filled dict, not a scan (this would take minutes if quadratic).
    keys = task_keys([((), "（一）")] * 100_000)
    assert keys[-1] == "（一）#100000"
    assert len(set(keys)) == 100_000


def test_match_tasks_by_key_then_text_then_unique_number():
    old = [
        (10, "一、（一）", "（一）", "甲"),
        (11, "一、（二）", "（二）", "乙"),
        (12, "二、（一）", "（一）", "丙"),
    ]
    # A section inserted before 二、: 二、 became 三、; the old 二、（一） keeps its row by text.
    new = [
        ("一、（一）", "（一）", "甲"),
        ("一、（二）", "（二）", "乙改"),
        ("二、（一）", "（一）", "新任务"),
        ("三、（一）", "（一）", "丙"),
    ]
    assert match_tasks(old, new) == [10, 11, None, 12]


def test_match_tasks_unique_numbering_survives_a_moved_section():
    # Numbers unique in the whole plan (（1）…（85）): a task moved to another section and
    # edited is still the same task.
    old = [(1, "（一）1．（1）", "（1）", "甲"), (2, "（一）1．（2）", "（2）", "乙")]
    new = [("（一）1．（1）", "（1）", "甲"), ("（二）1．（2）", "（2）", "乙改")]
    assert match_tasks(old, new) == [1, 2]
