"""Letter templates: named placeholders only, conditional sections on facts from the store,
and a warning for an office template that states history without the condition."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.errors import DubanError
from tui.letters.facts import EarlierLetter, LetterFacts, conditions, history_values
from tui.letters.templates import (
    PLACEHOLDERS,
    build_letter_parts,
    build_letter_text,
    history_warnings,
    render_letter_text,
    render_template,
    template_warnings,
    validate_template,
)
from tui.paths import data_dir

UNIT = "鄂尔多斯市东胜区司法局"
REPLY = "2024年6月14日"
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
    "计划年度": "2024年度",
    "抄送": "区委、区政府分管领导",
}


def test_shipped_templates_render_all_kinds_and_state_no_unconditional_history() -> None:
    for kind, word in (("提示", "提示函"), ("提醒", "提醒函"), ("督办", "督办函")):
        title, body, closing = build_letter_text(kind, VALUES, conds={"有联系人": True})
        assert title.endswith(word) and "2024年度" in title
        assert closing == "特此函告。"
        joined = "".join(body)
        assert UNIT not in joined  # the unit is the addressee, not repeated in the body
        assert REPLY in joined and "5个工作日" in joined and "区委依法治区办" in joined
        assert "{" not in joined and "}" not in joined
        # no earlier letter: not a word about one
        for word_ in ("此前", "已于", "函提醒", "函提示", "未见", "回复，"):
            assert word_ not in joined, (kind, word_)
        text = (data_dir() / "templates" / f"{kind}.txt").read_text("utf-8")
        assert validate_template(text, kind) == []
        assert template_warnings(kind) == []
    parts = build_letter_parts("督办", VALUES, conds={"有联系人": True})
    assert parts.addressee == f"{UNIT}王某某局长"
    assert parts.contact == "联系人：李某　联系电话：0477-8321234"
    assert parts.cc == "区委、区政府分管领导"
    assert build_letter_parts("督办", {**VALUES, "负责人": ""}).addressee == f"{UNIT}主要负责同志"


def test_supervision_wording_follows_the_facts() -> None:
    from datetime import date

    warned = EarlierLetter(
        "提醒", "东依法治办醒〔2024〕2号", date(2024, 9, 3), date(2024, 9, 10), None
    )
    answered = EarlierLetter(
        "提醒", "东依法治办醒〔2024〕2号", date(2024, 9, 3), None, date(2024, 9, 8)
    )

    def body(facts: LetterFacts) -> str:
        values = {**VALUES, **history_values(facts)}
        return "".join(build_letter_parts("督办", values, conds=conditions(facts)).body_paragraphs)

    on = date(2024, 10, 15)
    text = body(LetterFacts(on, (warned,), items=3))
    assert "区委依法治区办已于2024年9月3日以东依法治办醒〔2024〕2号函提醒，至今未见书面回复" in text
    text = body(LetterFacts(on, (answered,), items=3))
    assert "贵单位已于2024年9月8日书面回复" in text and "未见" not in text
    text = body(LetterFacts(on, (), items=3))
    assert "已于" not in text and "此前" not in text and "函提醒" not in text
    assert "截至2024年6月7日仍未完成" in text


def test_period_title_never_a_due_year() -> None:
    from datetime import date

    f = LetterFacts(date(2023, 5, 1), period=(2020, 2025))
    assert history_values(f)["计划年度"] == "2020—2025年"
    assert history_values(LetterFacts(date(2025, 1, 3), period=(2024, 2024)))["计划年度"] == (
        "2024年度"
    )


def test_conditional_sections(tmp_path: Path) -> None:
    text = (
        "标题：关于{单位}的函\n\n第一句。\n【如果 有此前函件】\n第二句{此前函件}。\n"
        "【如果 此前函件均未回复】\n未见回复。\n【否则】\n已回复。\n【结束】\n【结束】\n结尾。\n"
    )
    conds = {"有此前函件": True, "此前函件均未回复": True}
    out = render_letter_text(text, {"单位": "甲", "此前函件": "X"}, "t", conds)
    assert out.body_paragraphs == ("第一句。第二句X。未见回复。结尾。",)
    out = render_letter_text(text, {"单位": "甲"}, "t", {"有此前函件": True})
    assert out.body_paragraphs == ("第一句。第二句。已回复。结尾。",)
    out = render_letter_text(text, {"单位": "甲"}, "t", {})
    assert out.body_paragraphs == ("第一句。结尾。",)
    assert history_warnings(text, "t") == []
    for bad, msg in (
        ("标题：x\n\n正文\n【如果 天晴】\n好\n【结束】\n", "条件“天晴”不认识"),
        ("标题：x\n\n正文\n【如果 有进展】\n好\n", "缺少【结束】"),
        ("标题：x\n\n正文\n【否则】\n", "没有配对"),
        ("标题：x\n\n正文\n【结束】\n", "没有配对"),
        ("标题：x\n\n正文【如果 有进展】\n", "须各占一行"),
        ("标题：x\n\n【如果 有进展】\n{单位.__class__}\n【结束】\n", "写法不支持"),
    ):
        with pytest.raises(DubanError, match=msg):
            validate_template(bad, "t")


def test_office_template_stating_history_without_the_condition_is_warned(tmp_path: Path) -> None:
    own = tmp_path / "tpl"
    own.mkdir()
    (own / "督办.txt").write_text(
        "标题：关于{单位}的督办函\n主送：{单位}\n\n"
        "贵单位承担的{事项数}项任务已逾期。{发文机关}此前已就上述事项发出提示函、提醒函，"
        "但相关任务至今仍未完成，也未按要求书面说明情况。\n\n"
        "请于{回复期限}前书面报告。最近一次函件是{最近函件}。\n",
        encoding="utf-8",
    )
    warnings = template_warnings("督办", own)
    assert len(warnings) == 2
    assert "督办.txt 第 4 行" in warnings[0] and "此前" in warnings[0]
    assert "第 6 行" in warnings[1] and "{最近函件}" in warnings[1]
    # the same sentences inside the condition: no warning
    (own / "督办.txt").write_text(
        "标题：关于{单位}的督办函\n\n贵单位承担的任务已逾期。\n【如果 有此前函件】\n"
        "{发文机关}此前已发出{此前函件}，未见回复。\n【结束】\n",
        encoding="utf-8",
    )
    assert template_warnings("督办", own) == []
    (own / "提示.txt").write_text(
        "标题：关于{单位}的提示函\n\n贵单位近期未报送工作进展。\n", encoding="utf-8"
    )
    assert "没有进展" in template_warnings("提示", own)[0]


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
    assert {"单位", "回复期限", "计划年度", "此前函件", "最近回复日期"} <= set(PLACEHOLDERS)


def test_templates_readme_documents_every_condition_and_placeholder() -> None:
    from tui.letters.facts import CONDITIONS, HISTORY_PLACEHOLDERS

    readme = (data_dir() / "templates" / "README.md").read_text("utf-8")
    for name in CONDITIONS:
        assert name in readme, name
    for name in (*PLACEHOLDERS, *HISTORY_PLACEHOLDERS):
        assert f"{{{name}}}" in readme, name
