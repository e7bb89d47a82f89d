"""A plan in traditional characters imports like its simplified twin."""

from __future__ import annotations

import opencc

from tui.ingest.document import Document, Line
from tui.ingest.script import is_traditional, to_simplified

PLAN = """北湖区2024年法治政府建设工作要点
为深入推进依法行政，结合本区实际，制定本要点。
一、健全依法决策机制
（一）严格落实重大行政决策程序，年底前公布年度决策事项目录。
牵头单位：区政府办
责任单位：各镇、街道，区直有关部门
（二）全面推行行政执法“三项制度”，2024年6月底前完成执法信息公示平台建设。（区司法局牵头，区直各执法部门按职责分工负责）
二、加强基层法治建设
（三）开展“法治乡村”示范创建，每季度报送工作进展。
牵头单位：区司法局
配合单位：区农牧局
北湖区人民政府办公室
2024年3月8日
"""


def traditional(text: str) -> str:
    return opencc.OpenCC("s2t").convert(text)


def summary(cli, path):
    r = cli("import", str(path), "--format", "json", "--dry-run")
    assert r.code == 0, r.err
    rep = r.json()
    return rep, [
        (t["key"], t["title"], sorted((o["role"], o["name"]) for o in t["owners"]))
        for t in rep["tasks"]
    ]


def test_traditional_twin_imports_to_the_same_tasks_owners_and_dates(cli, tmp_path):
    simp = tmp_path / "simplified.txt"
    simp.write_text(PLAN, encoding="utf-8")
    trad = tmp_path / "traditional.txt"
    trad_text = traditional(PLAN)
    assert "牽頭單位" in trad_text and "責任單位" in trad_text and "各鎮" in trad_text
    trad.write_text(trad_text, encoding="utf-8")
    rep_s, tasks_s = summary(cli, simp)
    rep_t, tasks_t = summary(cli, trad)
    assert tasks_t == tasks_s
    assert len(tasks_s) == 3
    assert rep_t["traditional"] and not rep_s["traditional"]
    assert (rep_t["plan_title"], rep_t["issuer"], rep_t["issue_date"], rep_t["period"]) == (
        rep_s["plan_title"],
        rep_s["issuer"],
        rep_s["issue_date"],
        rep_s["period"],
    )
    # Dates: import both for real and compare every task's deadlines.
    for path in (simp, trad):
        assert cli("import", str(path), "--new-plan").code == 0
    tasks = cli("tasks", "--format", "json").json()
    by_plan: dict[int, list] = {}
    for t in tasks:
        by_plan.setdefault(t["plan_id"], []).append(
            [(d["kind"], d["due"], d["rrule"]) for d in t["deadlines"]]
        )
    assert by_plan[1] == by_plan[2]
    assert by_plan[1][1][0][:2] == ("absolute", "2024-06-30")


def test_simplified_text_is_never_converted():
    lines = [Line(i, t) for i, t in enumerate(PLAN.splitlines(), start=1)]
    doc = Document("p.txt", "txt", lines)
    assert not is_traditional(doc)
    converted, changed = to_simplified(doc)
    assert converted is doc and not changed
