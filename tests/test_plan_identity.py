"""Plan identity is more than the title: who issued it, where, and what it holds.

Two towns' plans with the same generic title must stay two plans; an edited version of one
plan is still its revision; when the store cannot tell, the command line asks for a decision
instead of guessing.
"""

from __future__ import annotations

import sqlite3

TITLE = "2024年法治政府建设工作计划"


def town_plan(town: str, tasks: list[tuple[str, str]], date: str = "2024年3月1日") -> str:
    lines = [TITLE, "", f"为推进{town}法治政府建设，结合本镇实际，制定本计划。", "一、重点任务"]
    for i, (text, lead) in enumerate(tasks, start=1):
        lines.append(f"（{'一二三四五六七八九十'[i - 1]}）{text}")
        lines.append(f"牵头单位：{lead}")
    lines += [
        "二、保障措施",
        "各单位要加强组织领导，确保各项任务落到实处。",
        "",
        f"{town}人民政府",
        date,
    ]
    return "\n".join(lines) + "\n"


TOWN_A = [
    ("完善镇级重大行政决策程序，严格落实合法性审查。", "党政综合办"),
    ("推进综合行政执法改革，规范执法程序。", "综合行政执法局"),
    ("加强村（社区）法律顾问工作，实现全覆盖。", "司法所"),
    ("开展“八五”普法中期检查，总结经验做法。", "司法所"),
]
TOWN_B = [
    ("健全镇政府法律顾问制度，发挥参谋作用。", "党政综合办"),
    ("开展行政执法人员培训，提升执法能力。", "综合行政执法局"),
    ("推进矛盾纠纷多元化解，建设调解组织。", "司法所"),
]


def plans(db) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT id, title, issuer, revision FROM plan ORDER BY id").fetchall()
    finally:
        con.close()


def task_texts(db, plan_id: int) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [
            t
            for (t,) in con.execute(
                "SELECT text FROM task WHERE plan_id = ? AND active ORDER BY position", (plan_id,)
            )
        ]
    finally:
        con.close()


def test_two_towns_with_the_same_title_stay_two_plans(cli, db, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(town_plan("甲镇", TOWN_A), encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text(town_plan("乙镇", TOWN_B), encoding="utf-8")
    r = cli("import", str(a), "--format", "json")
    assert r.code == 0, r.err
    assert r.json()["issuer"] == "甲镇人民政府"

    # Same title, other issuer, other tasks: the command line asks instead of guessing.
    r = cli("import", str(b))
    assert r.code == 2
    assert r.err.count("\n") == 1, r.err  # one line
    assert "--new-plan" in r.err and "--revision-of" in r.err
    assert "甲镇人民政府" in r.err and "乙镇人民政府" in r.err
    assert len(plans(db)) == 1
    assert task_texts(db, 1) == [t for t, _ in TOWN_A]  # town A untouched

    r = cli("import", str(b), "--new-plan", "--format", "json")
    assert r.code == 0, r.err
    report = r.json()
    assert report["status"] == "new" and report["plan_id"] == 2
    assert [p[2] for p in plans(db)] == ["甲镇人民政府", "乙镇人民政府"]
    assert task_texts(db, 1) == [t for t, _ in TOWN_A]
    assert task_texts(db, 2) == [t for t, _ in TOWN_B]

    # Each town's own re-import finds its own plan.
    r = cli("import", str(a), "--format", "json")
    assert (r.json()["status"], r.json()["plan_id"]) == ("unchanged", 1)
    r = cli("import", str(b), "--format", "json")
    assert (r.json()["status"], r.json()["plan_id"]) == ("unchanged", 2)


def test_table_report_says_which_plan_it_wrote_to(cli, db, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(town_plan("甲镇", TOWN_A), encoding="utf-8")
    r = cli("import", str(a))
    assert r.code == 0, r.err
    assert "计划 1" in r.out and TITLE in r.out
    edited = town_plan("甲镇", [*TOWN_A[:3], ("新增：开展法治政府建设示范创建。", "党政综合办")])
    a.write_text(edited, encoding="utf-8")
    r = cli("import", str(a))
    assert r.code == 0, r.err
    assert "计划 1" in r.out and "第 2 版" in r.out


def test_edited_version_of_a_plan_is_still_its_revision(cli, db, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(town_plan("甲镇", TOWN_A), encoding="utf-8")
    assert cli("import", str(a)).code == 0
    # One task edited, one added, a new date: the same town's next version.
    edited_tasks = [
        TOWN_A[0],
        ("推进综合行政执法改革，规范执法程序，年底前完成。", "综合行政执法局"),
        *TOWN_A[2:],
        ("建立镇级合法性审查台账。", "党政综合办"),
    ]
    a.write_text(town_plan("甲镇", edited_tasks, date="2024年5月6日"), encoding="utf-8")
    r = cli("import", str(a), "--format", "json")
    assert r.code == 0, r.err
    report = r.json()
    assert (report["status"], report["plan_id"], report["revision"]) == ("revised", 1, 2)
    assert report["changed"] == ["一、（二）"] and report["added"] == ["一、（五）"]
    assert len(plans(db)) == 1


def test_revision_of_flag_forces_the_decision(cli, db, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(town_plan("甲镇", TOWN_A), encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text(town_plan("乙镇", TOWN_B), encoding="utf-8")
    assert cli("import", str(a)).code == 0
    r = cli("import", str(b), "--revision-of", "1", "--format", "json")
    assert r.code == 0, r.err
    report = r.json()
    assert (report["status"], report["plan_id"], report["revision"]) == ("revised", 1, 2)
    assert len(plans(db)) == 1
    assert task_texts(db, 1) == [t for t, _ in TOWN_B]


def test_flags_are_checked(cli, db, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(town_plan("甲镇", TOWN_A), encoding="utf-8")
    r = cli("import", str(a), "--revision-of", "7")
    assert r.code == 2 and "找不到计划" in r.err
    r = cli("import", str(a), "--revision-of", "1", "--new-plan")
    assert r.code == 2
    assert plans(db) == []


def test_new_plan_flag_on_an_identical_file_makes_a_second_plan(cli, db, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(town_plan("甲镇", TOWN_A), encoding="utf-8")
    assert cli("import", str(a)).code == 0
    r = cli("import", str(a), "--new-plan", "--format", "json")
    assert r.code == 0, r.err
    assert (r.json()["status"], r.json()["plan_id"]) == ("new", 2)
    # Now two plans are equally good matches: the store cannot choose between them.
    r = cli("import", str(a))
    assert r.code == 2 and "--revision-of" in r.err


def test_dry_run_asks_the_same_question_and_writes_nothing(cli, db, tmp_path):
    a = tmp_path / "a.txt"
    a.write_text(town_plan("甲镇", TOWN_A), encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text(town_plan("乙镇", TOWN_B), encoding="utf-8")
    assert cli("import", str(a)).code == 0
    r = cli("import", str(b), "--dry-run")
    assert r.code == 2 and "--new-plan" in r.err
    r = cli("import", str(b), "--dry-run", "--new-plan", "--format", "json")
    assert r.code == 0 and r.json()["status"] == "new" and r.json()["dry_run"]
    assert len(plans(db)) == 1
