"""`duban workdays DATE N`: the N-th working day after DATE on China's official calendar."""

from __future__ import annotations

from tui.commands.common import console, parse_date


def run_workdays(args) -> int:
    from tui.config import load_settings

    start = parse_date(args.start, "起始日期")
    cal = load_settings().calendar()
    end = cal.add_workdays(start, args.days)
    out = console()
    out.print(f"{start.isoformat()} 之后第 {args.days} 个工作日：{end.isoformat()}")
    for warning in cal.warnings:
        out.print(f"[yellow]注意：{warning}[/]")
    return 0
