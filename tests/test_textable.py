"""The fast listing printer: CJK cells count double, long cells are cut with …."""

from __future__ import annotations

import io

from tui.commands.textable import clip, print_table, width


def test_width_and_clip():
    assert width("司法局") == 6
    assert width("ab（1）") == 7
    assert clip("加强行政执法监督", 9) == "加强行政…"
    assert width(clip("加强行政执法监督", 9)) <= 9
    assert clip("short", 9) == "short"


def test_columns_align_by_display_width():
    out = io.StringIO()
    rows = [("1", "区司法局", "2024-01-08", "甲"), ("22", "罕台镇", "2024-12-31", "乙乙")]
    print_table(["号", "单位", "期限", "备注"], rows, out=out, plain=False)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4
    # The 期限 column starts at the same display column on every row.
    starts = {width(line[: line.index("20")]) for line in lines[2:]}
    assert len(starts) == 1
    assert lines[3].endswith("乙乙")


def test_empty_table_prints_header_only():
    out = io.StringIO()
    print_table(["a", "b"], [], out=out, plain=False)
    assert out.getvalue().splitlines()[0].startswith("a")


def test_plain_output_is_tab_separated_and_whole():
    out = io.StringIO()  # not a terminal: plain by default
    long = "加强行政执法监督" * 20
    print_table(["号", "任务"], [("1", long), ("2", "甲\t乙")], out=out, max_widths=[4, 9])
    assert out.getvalue().splitlines() == ["号\t任务", f"1\t{long}", "2\t甲 乙"]
