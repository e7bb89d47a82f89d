"""`duban workdays DATE N`: the N-th working day after (N < 0: before) DATE on China's calendar."""

from __future__ import annotations

from tui.commands.common import console, parse_date


def run_workdays(args) -> int:
    from tui.config import load_settings

    start = parse_date(args.start, "起始日期")
    cal = load_settings().calendar()
    end = cal.add_workdays(start, args.days)
    out = console()
    if args.days > 0:
        out.print(f"{start.isoformat()} 之后第 {args.days} 个工作日：{end.isoformat()}")
    elif args.days < 0:
        out.print(f"{start.isoformat()} 之前第 {-args.days} 个工作日：{end.isoformat()}")
    else:
        state = "工作日" if cal.is_workday(start) else "非工作日"
        out.print(f"{start.isoformat()} 当天（{state}），不加减工作日：{end.isoformat()}")
    for warning in cal.warnings:
        out.print(f"[yellow]注意：{warning}[/]")
    return 0
