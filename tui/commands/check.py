"""`duban check` and `duban audit verify`: is the store whole, and is its history intact?"""

from __future__ import annotations

from tui.commands.common import console, engine
from tui.errors import DubanError


def _chain_line(report) -> str:
    b = report.broken
    return (
        f"审计链在第 {b.position} 条记录处断开（id {b.row_id}，{b.at:%Y-%m-%d %H:%M}，"
        f"{b.actor}，{b.action}）：{b.reason}"
    )


def run_check(args) -> int:
    from rich.markup import escape

    from tui.store.health import full_check, raw_engine

    # Not through make_engine: a damaged store must still be examined, not refused at open.
    report = full_check(raw_engine(getattr(args, "db", None)) or engine(args, readonly=True))
    out = console()
    if report.ok:
        rows = report.chain.rows if report.chain else 0
        out.print(
            f"数据库完好：页面和索引无误，外键无误，审计触发器齐全，审计链 {rows} 条记录完整。"
        )
        return 0
    problems: list[str] = []
    if report.integrity:
        problems.append("页面损坏：" + "；".join(report.integrity[:5]))
    if report.foreign_keys:
        problems.append("外键不一致：" + "；".join(report.foreign_keys[:5]))
    if report.missing_triggers:
        problems.append(
            "审计记录的保护触发器缺失（" + "、".join(report.missing_triggers) + "），"
            "审计记录可能被直接改动过"
        )
    if report.chain is not None and report.chain.broken is not None:
        problems.append(_chain_line(report.chain))
    if report.broken_seals:
        from tui.store.letter_seal import broken_seal_message

        problems.append(broken_seal_message(report.broken_seals[:10]))
    for p in problems:
        out.print(f"[red]✗[/] {escape(p)}")
    raise DubanError(
        f"数据库有 {len(problems)} 处问题（见上）。请用 duban restore 从最近的备份恢复，"
        "恢复前的数据库会改名保留"
    )


def run_audit(args) -> int:
    from tui.store.audit import verify_chain

    with engine(args, readonly=True).connect() as conn:
        report = verify_chain(conn)
    if report.broken is not None:
        raise DubanError(_chain_line(report))
    console().print(f"审计链完整：共 {report.rows} 条记录，没有被删除、改动或伪造的记录。")
    return 0
