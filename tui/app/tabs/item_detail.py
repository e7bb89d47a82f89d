"""The detail pane under 督办事项 and 待办: the item, the rule that gives its date, and for a
recurring duty the occurrences met, missed and next — so the officer sees why it is red."""

from __future__ import annotations

from rich.text import Text

from tui.app.cells import ROLE_SHORT, iso, light, without_controls


def detail_text(r, detail=None, *, advice: str = "", report: tuple | None = None) -> Text:
    """``r`` an Evaluated row; ``detail`` the services' ItemDetail once read."""
    f = r.fact
    t = Text.assemble(
        light(r.status.status, words=True),
        f" {f.task_number}{f.task_title}  ",
        (f"{f.unit_name}（{ROLE_SHORT.get(f.role, f.role)}）", "bold"),
        (f"  #{f.id}", "dim"),
    )
    t.append("\n期限 ")
    t.append(iso(r.status.due) or "无固定期限")
    if detail is not None and detail.basis.rule:
        t.append(f" · 依据：{detail.basis.rule}", style="cyan")
        for note in detail.basis.notes[:1]:
            t.append(f"（{note}）", style="dim")
    if detail is not None and detail.occurrences:
        occ = detail.occurrences
        met = sum(1 for o in occ if o.reported)
        missed = [o.due for o in occ if o.missed]
        t.append(f"\n周期：已报 {met} 期")
        if missed:
            shown = "、".join(d.isoformat() for d in missed[:3])
            more = " 等" if len(missed) > 3 else ""
            t.append(f"，未报 {len(missed)} 期（{shown}{more}）", style="bold red")
        nxt = detail.next_due
        if nxt is not None:
            t.append(f"，下一期 {nxt.due.isoformat()}")
    if f.progress_dates:
        text = report[1] if report else f.last_progress
        t.append(f"\n最近进展：{iso(f.progress_dates[-1])} {text}")
    if advice:
        t.append(f"\n建议：{advice}")
    return without_controls(t)
