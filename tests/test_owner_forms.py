"""Every owner form offices write (issue: import the plans offices really write).

Each test is a short plan written for it, parsed by the real parser with the shipped
vocabulary (data/vocab/owners.toml).
"""

from __future__ import annotations

import pytest

from tui.ingest.document import Document, Line
from tui.ingest.parser import parse_document
from tui.ingest.vocab import load_vocabulary, merge, parse_vocabulary


def parse(text: str, kind: str = "txt"):
    lines = [Line(i, t) for i, t in enumerate(text.strip("\n").split("\n"), start=1)]
    return parse_document(Document("plan.txt", kind, lines))


def owners(task) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for o in task.owners:
        out.setdefault(o.role, []).append(o.name)
    return out


HEAD = "某县2025年法治政府建设工作要点\n一、重点任务\n"


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("牵头责任单位", "lead"),
        ("主责单位", "responsible"),
        ("责任科室", "responsible"),
        ("协同责任单位", "supporting"),
        ("配合部门", "supporting"),
        ("协办单位", "supporting"),
        ("参与单位", "supporting"),
    ],
)
def test_owner_labels_of_every_spelling(label, role):
    plan = parse(
        HEAD + f"（一）完善行政执法公示制度，规范公示内容。\n{label}：县司法局、县公安局\n"
    )
    assert owners(plan.tasks[0]) == {role: ["县司法局", "县公安局"]}


def test_longest_label_wins_so_a_lead_is_not_read_as_responsible():
    plan = parse(
        HEAD + "（一）推行行政执法责任制。\n牵头责任单位：县司法局\n责任单位：各乡镇人民政府\n"
    )
    assert owners(plan.tasks[0]) == {"lead": ["县司法局"], "responsible": ["各乡镇人民政府"]}


def test_person_labels_name_people_not_units():
    plan = parse(
        HEAD
        + "（一）加强行政复议规范化建设。\n牵头负责领导：王建国\n牵头单位：县司法局\n"
        + "责任领导：李明\n（二）落实重大行政决策程序。"
        + "（牵头单位：县政府办；分管领导：赵强）\n"
    )
    assert owners(plan.tasks[0]) == {"lead": ["县司法局"]}
    assert owners(plan.tasks[1]) == {"lead": ["县政府办"]}
    names = {o.name for t in plan.tasks for o in t.owners}
    assert not names & {"王建国", "李明", "赵强"}


@pytest.mark.parametrize(
    ("bracket", "expected"),
    [
        (
            "（县司法局牵头，各乡镇按职责分工负责）",
            {"lead": ["县司法局"], "responsible": ["各乡镇"]},
        ),
        ("（县市场监管局牵头负责）", {"lead": ["县市场监管局"]}),
        (
            "（县发改委、县财政局牵头，县统计局配合）",
            {"lead": ["县发改委", "县财政局"], "supporting": ["县统计局"]},
        ),
        ("（县信访局负责）", {"lead": ["县信访局"]}),
        (
            "（县司法局牵头，县公安局负责，县法院参与）",
            {"lead": ["县司法局"], "responsible": ["县公安局"], "supporting": ["县法院"]},
        ),
    ],
)
def test_unlabeled_owners_in_a_closing_bracket(bracket, expected):
    plan = parse(HEAD + f"（一）健全矛盾纠纷多元化解机制，推动诉源治理。{bracket}\n")
    task = plan.tasks[0]
    assert owners(task) == expected
    assert task.text == "健全矛盾纠纷多元化解机制，推动诉源治理。"


def test_owner_words_inside_a_sentence_are_text():
    plan = parse(
        HEAD
        + "（一）由县司法局牵头研究制定合法性审查工作规则，年底前印发实施。\n"
        + "牵头单位：县政府办\n"
        + "（二）建立行政执法案例指导制度（试行），定期发布典型案例。\n牵头单位：县司法局\n"
    )
    assert owners(plan.tasks[0]) == {"lead": ["县政府办"]}
    assert plan.tasks[0].text.startswith("由县司法局牵头研究")
    # A bracket that is not an owner list stays in the text.
    assert "（试行）" in plan.tasks[1].text
    assert owners(plan.tasks[1]) == {"lead": ["县司法局"]}


def test_run_on_line_splits_into_its_numbered_tasks():
    plan = parse(
        "某县2025年法治政府建设任务分解方案\n一、完善依法行政制度体系\n"
        "1．健全依法决策机制。（1）完善重大行政决策目录管理制度，年底前公布目录。"
        "（县政府办牵头负责）（2）推行重大行政决策后评估。（县司法局牵头，各乡镇配合）\n"
        "2．加强规范性文件管理。（3）开展规范性文件清理。（县司法局负责）\n"
    )
    assert [t.number for t in plan.tasks] == ["（1）", "（2）", "（3）"]
    assert owners(plan.tasks[0]) == {"lead": ["县政府办"]}
    assert owners(plan.tasks[1]) == {"lead": ["县司法局"], "supporting": ["各乡镇"]}
    assert plan.tasks[0].text == "完善重大行政决策目录管理制度，年底前公布目录。"
    assert [n.number for n in plan.nodes if n.level == 3] == ["1．", "2．"]


def test_an_enumeration_inside_a_sentence_is_not_split():
    plan = parse(
        HEAD + "（一）规范执法程序，包括：（1）严格执法公示；（2）落实全过程记录。\n"
        "牵头单位：县司法局\n"
    )
    assert len(plan.tasks) == 1
    assert "（1）严格执法公示；（2）落实全过程记录" in plan.tasks[0].text


def test_group_names_with_brackets_and_commas_stay_one_group():
    plan = parse(
        "某市2025年法治政府建设工作要点\n一、重点任务\n"
        "（一）推进综合行政执法改革。\n牵头单位：市司法局\n责任单位：各县（市、区）政府（管委会）、市直有关部门\n"
        "（二）加强基层法治建设。\n牵头单位：市司法局\n责任单位：各县、市、区政府\n"
    )
    t1, t2 = plan.tasks
    assert owners(t1)["responsible"] == ["各县（市、区）政府（管委会）", "市直有关部门"]
    assert owners(t2)["responsible"] == ["各县、市、区政府"]
    assert all(o.group for o in t1.owners if o.role == "responsible")
    assert all(o.group for o in t2.owners if o.role == "responsible")


def test_trailing_phrases_are_trimmed_from_names():
    plan = parse(
        HEAD + "（一）推进乡镇综合执法。\n牵头单位：县司法局\n"
        "责任单位：乡镇人民政府按职责分工分别负责\n"
        "（二）开展普法宣传。\n牵头单位：县委宣传部、县司法局等\n"
    )
    t1, t2 = plan.tasks
    assert owners(t1)["responsible"] == ["乡镇人民政府"]
    assert [o.group for o in t1.owners if o.role == "responsible"] == [True]
    assert owners(t2) == {"lead": ["县委宣传部", "县司法局"]}


def test_labelled_deadline_lines_belong_to_the_task():
    plan = parse(
        HEAD
        + "（一）完成行政规范性文件清理。\n牵头单位：县司法局\n完成时限：2025年6月底前\n"
        + "（二）建设法治文化阵地。\n时间节点：2025年10月底前\n牵头单位：县委宣传部\n"
        + "（三）推行柔性执法。\n牵头单位：县市场监管局\n完成时间：长期坚持\n"
    )
    assert [t.deadline_text for t in plan.tasks] == ["2025年6月底前", "2025年10月底前", "长期坚持"]
    assert not plan.unplaced


def test_an_office_can_add_a_label_without_code(tmp_path):
    extra = tmp_path / "vocab.toml"
    extra.write_text('[labels]\nlead = ["抓总单位"]\n', encoding="utf-8")
    vocab = merge(
        load_vocabulary(),
        parse_vocabulary(
            __import__("tomllib").loads(extra.read_text(encoding="utf-8")), str(extra)
        ),
    )
    lines = [
        Line(1, "某县2025年工作要点"),
        Line(2, "一、任务"),
        Line(3, "（一）完善法律顾问制度。"),
        Line(4, "抓总单位：县司法局"),
    ]
    plan = parse_document(Document("p.txt", "txt", lines), vocab)
    assert owners(plan.tasks[0]) == {"lead": ["县司法局"]}
    assert load_vocabulary(str(extra)).labels["抓总单位"] == "lead"


def test_the_office_vocabulary_reaches_duban_import(cli, tmp_path, monkeypatch):
    extra = tmp_path / "vocab.toml"
    extra.write_text('[labels]\nlead = ["抓总单位"]\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_VOCAB", str(extra))
    plan = tmp_path / "plan.txt"
    plan.write_text(
        "某县2025年法治政府建设工作要点\n一、任务\n（一）完善法律顾问制度，年底前完成。\n"
        "抓总单位：县司法局\n",
        encoding="utf-8",
    )
    r = cli("import", str(plan), "--format", "json")
    assert r.code == 0, r.err
    assert [(o["role"], o["name"]) for o in r.json()["tasks"][0]["owners"]] == [
        ("lead", "县司法局")
    ]
    monkeypatch.setenv("DUBAN_VOCAB", str(tmp_path / "missing.toml"))
    r = cli("import", str(plan))
    assert r.code == 2 and "找不到词表文件" in r.err
