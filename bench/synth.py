"""Synthetic plans and stores for the benchmarks: realistic Chinese text, fixed seeds."""

from __future__ import annotations

import random

CN = "一二三四五六七八九十"
VERBS = ["健全", "完善", "推进", "加强", "落实", "深化", "规范", "优化", "强化", "提升"]
OBJECTS = [
    "行政执法监督机制",
    "重大行政决策程序",
    "政务公开工作",
    "行政复议体制改革",
    "法治宣传教育",
    "行政规范性文件备案审查",
    "营商环境法治保障",
    "基层法治建设",
    "突发事件应对制度",
    "政务诚信建设",
]
DEADLINES = [
    "2024年年底前",
    "2025年6月底前",
    "每年第一季度",
    "长期坚持",
    "2024年9月底前",
    "年底前",
    "",
]


def cn_number(n: int) -> str:
    if n <= 10:
        return CN[n - 1]
    if n < 20:
        return "十" + (CN[n - 11] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CN[tens - 1] + "十" + (CN[ones - 1] if ones else "")


def synthetic_breakdown(tasks: int, seed: int = 5) -> str:
    """A plan in seed 001's layout: （一） sections, 1． sub-sections, （n） tasks with owner lines."""
    rng = random.Random(seed)
    lines = [
        f"某区关于贯彻落实法治政府建设规划（2024-2026年）重点任务分解方案（{tasks}项）",
        "一、总体要求",
        "坚持依法行政。",
        "二、具体任务和责任分工",
    ]
    per_section = max(1, tasks // 9)
    n = 0
    sub = 0
    section = 0
    while n < tasks:
        section += 1
        lines.append(f"（{cn_number(min(section, 99))}）{rng.choice(VERBS)}{rng.choice(OBJECTS)}")
        for _ in range(max(1, per_section // 5)):
            sub += 1
            lines.append(f"{sub}．{rng.choice(VERBS)}{rng.choice(OBJECTS)}")
            for _ in range(5):
                if n >= tasks:
                    break
                n += 1
                dl = rng.choice(DEADLINES)
                text = (
                    f"（{n}）{rng.choice(VERBS)}{rng.choice(OBJECTS)}，{rng.choice(VERBS)}{rng.choice(OBJECTS)}，"
                    f"确保各项工作{dl}取得实效。{rng.choice(VERBS)}{rng.choice(OBJECTS)}。"
                )
                lines.append(text)
                lead = "、".join(
                    rng.sample(["区司法局", "区政府办", "区发改委", "区财政局", "区委编办"], 2)
                )
                lines.append(f"牵头部门：{lead}")
                lines.append(
                    f"责任部门：{rng.choice(['区直有关部门，各镇、街道', '区直各部门', '各镇、街道'])}"
                )
            if n >= tasks:
                break
    lines.append("各单位要明确分工、压实责任，确保各项任务落到实处。")
    return "\n".join(lines) + "\n"


def repeated_numbers_plan(tasks: int, per_section: int = 0, seed: int = 7) -> str:
    """A plan whose numbering restarts: every task is （一） when ``per_section`` is 0, else
    （一）…（n） again under each 一、 section — the layout that once put owners on the wrong task."""
    rng = random.Random(seed)
    units = ["区司法局", "区政府办", "区发改委", "区财政局", "区委编办", "区公安分局", "区教育局"]
    lines = [
        "某区2025年法治政府建设重点任务分解方案",
        "为深入推进法治政府建设，结合本区实际，制定本方案。",
    ]
    section = 0
    for n in range(tasks):
        if per_section and n % per_section == 0 or (not per_section and n == 0):
            section += 1
            lines.append(f"{cn_number(min(section, 99))}、{rng.choice(VERBS)}{rng.choice(OBJECTS)}")
        k = (n % per_section) + 1 if per_section else 1
        lines.append(
            f"（{cn_number(min(k, 99))}）{rng.choice(VERBS)}{rng.choice(OBJECTS)}第{n + 1}项，"
            f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}，确保{rng.choice(DEADLINES) or '年底前'}取得实效。"
        )
        lines.append("牵头单位：" + "、".join(rng.sample(units, 2)))
        lines.append(f"责任单位：{rng.choice(['各镇、街道', '区直各部门', '区直有关部门'])}")
    return "\n".join(lines) + "\n"


def repeated_paragraphs_docx(path, paragraphs: int) -> None:
    """A small .docx of very many numbered paragraphs (（一）完善…。 牵头单位：…): tens of
    kilobytes on disk, far more tasks than any plan."""
    import copy

    import docx

    d = docx.Document()
    d.add_paragraph("某区2025年法治政府建设工作计划")
    body = d.element.body
    pair = [
        d.add_paragraph("（一）完善行政执法制度。")._p,
        d.add_paragraph("牵头单位：区司法局")._p,
    ]
    for _ in range(paragraphs // 2 - 1):
        for p in pair:
            body.append(copy.deepcopy(p))
    d.save(str(path))
