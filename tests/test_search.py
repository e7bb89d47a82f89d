"""Pinyin initials, substring search and filters over in-memory rows."""

from __future__ import annotations

from tui.domain.search import (
    Filters,
    apply_filters,
    describe_filters,
    filter_indices,
    initials,
    matches,
    search_key,
)


def test_initials_of_unit_names():
    assert initials("司法局") == "sfj"
    assert initials("区司法局") == "qsfj"
    assert initials("旗卫健委") == "qwjw"
    assert initials("12345热线") == "12345rx"
    assert initials("") == ""


def test_search_key_holds_text_unit_and_initials():
    key = search_key("（20）", "制定重大行政决策目录", "制定区级目录。" * 20, "区司法局")
    assert "（20）" in key and "重大行政决策" in key and "区司法局" in key and "qsfj" in key
    assert matches(key, "sfj") and matches(key, "决策 sfj") and not matches(key, "财政局")
    assert matches(key, "SFJ")  # case-insensitive


def test_filter_indices_narrows_and_reuses_candidates():
    keys = [search_key("1", "甲", "", u) for u in ("区司法局", "区财政局", "旗司法局", "区信访局")]
    assert filter_indices(keys, "sfj") == [0, 2]
    assert filter_indices(keys, "财政") == [1]
    assert filter_indices(keys, "") == [0, 1, 2, 3]
    assert filter_indices(keys, "sfj", among=[2, 3]) == [2]
    assert filter_indices(keys, "qsfj 旗") == [2]


def test_filters_by_status_unit_kind_plan_role():
    rows = [
        ("逾期", "区司法局", "部门", 1, "lead"),
        ("正常", "区司法局", "部门", 1, "responsible"),
        ("逾期", "巴音镇", "镇", 2, "lead"),
        ("临期", "各镇", "待分解", 2, "responsible"),
    ]
    get = lambda r: r  # noqa: E731
    assert apply_filters(rows, Filters(), get) == [0, 1, 2, 3]
    assert apply_filters(rows, Filters(statuses=frozenset({"逾期"})), get) == [0, 2]
    assert apply_filters(rows, Filters(unit="sfj"), get) == [0, 1]
    assert apply_filters(rows, Filters(unit="巴音"), get) == [2]
    assert apply_filters(rows, Filters(unit_kind="待分解"), get) == [3]
    assert apply_filters(rows, Filters(plan_id=2, role="lead"), get) == [2]
    f = Filters(statuses=frozenset({"逾期"}), role="lead", plan_id=1)
    assert describe_filters(f, {1: "东胜区分解方案"}) == "状态=逾期，计划=东胜区分解方案，角色=牵头"
    assert describe_filters(Filters()) == ""
