"""Pinyin initials, substring search and filters over a board kept as columns."""

from __future__ import annotations

from tui.domain.search import (
    Filters,
    describe_filters,
    filter_rows,
    initials,
    search_rows,
    task_key,
    unit_key,
)


def test_initials_of_unit_names():
    assert initials("司法局") == "sfj"
    assert initials("区司法局") == "qsfj"
    assert initials("旗卫健委") == "qwjw"
    assert initials("12345热线") == "12345rx"
    assert initials("") == ""


def test_keys_hold_text_unit_and_initials():
    key = task_key("（20）", "制定重大行政决策目录", "制定区级目录。" * 20)
    assert "（20）" in key and "重大行政决策" in key and len(key) < 100
    ukey = unit_key("区司法局")
    assert "区司法局" in ukey and "qsfj" in ukey
    assert "sfj" in ukey and "财政局" not in ukey


# Four rows: task 0 or 1, units 区司法局 / 区财政局 / 旗司法局 / 区信访局.
TASKS = [task_key("1", "重大行政决策", ""), task_key("2", "政务公开", "")]
UNITS = [unit_key(u) for u in ("区司法局", "区财政局", "旗司法局", "区信访局")]
ROW_TASK = [0, 0, 1, 1]
ROW_UNIT = [0, 1, 2, 3]


def find(query, among=None):
    return search_rows(
        query,
        task_keys=TASKS,
        unit_keys=UNITS,
        row_task=ROW_TASK,
        row_unit=ROW_UNIT,
        among=among,
    )


def test_search_rows_by_unit_task_and_both():
    assert find("sfj") == [0, 2]
    assert find("SFJ") == [0, 2]  # case-insensitive
    assert find("财政") == [1]
    assert find("") == [0, 1, 2, 3]
    assert find("决策") == [0, 1]  # the task's rows, whatever the unit
    assert find("qsfj 旗") == [2]
    assert find("决策 sfj") == [0]  # one word hits the task, the other the unit
    assert find("公开 财政") == []
    assert find("没有") == []


def test_search_rows_narrows_the_previous_result():
    assert find("sfj", among=[2, 3]) == [2]
    assert find("", among=[3, 1]) == [3, 1]
    # a long candidate list takes the mask path and keeps its order
    assert find("sfj", among=[0, 1, 2, 3]) == [0, 2]


def test_search_rows_agrees_with_a_plain_scan():
    import random

    rng = random.Random(7)
    units = [unit_key(n) for n in ("区司法局", "巴音镇", "区信访局", "旗财政局", "街道办")]
    tasks = [task_key(str(k), t, "") for k, t in enumerate(("执法监督", "普法宣传", "政务公开"))]
    row_task = [rng.randrange(3) for _ in range(500)]
    row_unit = [rng.randrange(5) for _ in range(500)]
    for q in ("sfj", "执法", "j", "公开 qczj", "bay", "z", "宣传 区"):
        words = q.split()
        want = [
            i
            for i in range(500)
            if all(w in tasks[row_task[i]] or w in units[row_unit[i]] for w in words)
        ]
        got = search_rows(q, task_keys=tasks, unit_keys=units, row_task=row_task, row_unit=row_unit)
        assert got == want, q
        among = want[::3]
        assert (
            search_rows(
                q,
                task_keys=tasks,
                unit_keys=units,
                row_task=row_task,
                row_unit=row_unit,
                among=among,
            )
            == among
        )


def test_filters_by_status_unit_kind_plan_role():
    cols = dict(
        statuses=["逾期", "正常", "逾期", "临期"],
        roles=["lead", "responsible", "lead", "responsible"],
        row_task=[0, 0, 1, 1],
        row_unit=[0, 0, 1, 2],
        task_plans=[1, 2],
        unit_names=["区司法局", "巴音镇", "各镇"],
        unit_kinds=["部门", "镇", "待分解"],
    )
    assert filter_rows(Filters(), **cols) == [0, 1, 2, 3]
    assert filter_rows(Filters(statuses=frozenset({"逾期"})), **cols) == [0, 2]
    assert filter_rows(Filters(unit="sfj"), **cols) == [0, 1]
    assert filter_rows(Filters(unit="巴音"), **cols) == [2]
    assert filter_rows(Filters(unit_kind="待分解"), **cols) == [3]
    assert filter_rows(Filters(plan_id=2, role="lead"), **cols) == [2]
    assert filter_rows(Filters(plan_id=3), **cols) == []
    # The desk passes light codes and their names: the same rows as the names themselves.
    names = ["正常", "临期", "逾期"]
    coded = {**cols, "statuses": [names.index(s) for s in cols["statuses"]]}
    for f in (
        Filters(statuses=frozenset({"逾期"})),
        Filters(statuses=frozenset({"逾期", "临期"}), role="responsible"),
        Filters(statuses=frozenset({"正常"}), unit="sfj"),
        Filters(role="lead"),
    ):
        assert filter_rows(f, **coded, status_names=names) == filter_rows(f, **cols)
    f = Filters(statuses=frozenset({"逾期"}), role="lead", plan_id=1)
    assert describe_filters(f, {1: "东胜区分解方案"}) == "状态=逾期，计划=东胜区分解方案，角色=牵头"
    assert describe_filters(Filters()) == ""
