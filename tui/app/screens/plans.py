"""2 计划: plan → sections → tasks; the task's text with its deadline words highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static, Tree

from tui.app.screens.common import KIND_LABEL, ROLE_SHORT, SOURCE_LABEL, days_text, iso, light
from tui.domain.board import Evaluated
from tui.store.desk import AssignmentInfo, HistoryEntry, TaskDetail, TreeItem


class PlansView(Horizontal):
    def compose(self) -> ComposeResult:
        tree: Tree[tuple[str, int]] = Tree("计划", id="plan-tree")
        tree.show_root = False
        yield tree
        with VerticalScroll(id="plan-detail-pane"):
            yield Static("在左侧选择任务查看详情", id="plan-detail")

    def show_tree(self, items: list[TreeItem]) -> None:
        tree = self.query_one("#plan-tree", Tree)
        tree.clear()

        def add(node, item: TreeItem) -> None:
            if item.children:
                child = node.add(item.label, data=(item.kind, item.id), expand=item.kind == "plan")
                for c in item.children:
                    add(child, c)
            else:
                node.add_leaf(item.label, data=(item.kind, item.id))

        for it in items:
            add(tree.root, it)
        tree.root.expand()

    def show_detail(self, detail: TaskDetail, status_of: dict[int, Evaluated]) -> None:
        self.query_one("#plan-detail", Static).update(render_task(detail, status_of))


def history_lines(history: list[HistoryEntry], indent: str = "    ") -> list[Text]:
    return [
        Text.assemble(
            indent,
            (h.on.isoformat(), "dim"),
            f" {h.kind}：{h.text}",
            (f"（{h.actor}）" if h.actor else "", "dim"),
        )
        for h in history
    ]


def assignment_line(a: AssignmentInfo, ev: Evaluated | None, *, with_task: bool = False) -> Text:
    t = Text()
    if ev is not None:
        t.append_text(light(ev.status.status, words=True))
        t.append(" ")
    elif a.unresolved:
        t.append("待分解 ", style="magenta")
    if with_task:
        t.append(f"{a.task_number}{a.task_title} ")
    else:
        t.append(a.unit_name + " ", style="bold")
    t.append(f"[{ROLE_SHORT.get(a.role, a.role)}]")
    if a.via_group:
        t.append(f"（由{a.via_group}分解）", style="dim")
    if ev is not None and ev.status.due:
        t.append(f" 期限 {iso(ev.status.due)} ")
        t.append_text(days_text(ev.status))
    if a.due_override:
        t.append(f" 已延期至 {iso(a.due_override)}", style="cyan")
    if a.completed_on:
        t.append(f" 销号 {iso(a.completed_on)}", style="dim")
    t.append(f"  #{a.id}", style="dim")
    return t


def render_task(d: TaskDetail, status_of: dict[int, Evaluated]) -> Text:
    out = [Text(f"{d.number}{d.title}", style="bold"), Text(d.plan_title, style="dim")]
    if d.section:
        out.append(Text(d.section, style="dim"))
    body = Text(d.text)
    for start, end in d.highlight_spans():
        body.stylize("bold reverse", start, end)
    out += [Text(""), body, Text("")]
    if d.deadline_text:
        out.append(Text(f"完成时限：{d.deadline_text}"))
    for role in ("lead", "responsible", "supporting"):
        owners = d.owners(role)
        if owners:
            names = "、".join(a.unit_name + ("（待分解）" if a.unresolved else "") for a in owners)
            out.append(Text.assemble((f"{ROLE_SHORT[role]}单位：", "bold"), names))
    out.append(Text(""))
    out.append(Text("期限", style="bold"))
    for dl in d.deadlines:
        when = iso(dl.due) or (dl.rrule or "")
        t = Text(
            f"  {SOURCE_LABEL.get(dl.source, dl.source)} {KIND_LABEL.get(dl.kind, dl.kind)} {when}"
        )
        if dl.text:
            t.append(f" 「{dl.text}」", style="dim")
        if dl.reason:
            t.append(f" 原因：{dl.reason}（{dl.created_by}）")
        if not dl.active:
            t.append(" 已被更正", style="dim strike")
        out.append(t)
    if not d.deadlines:
        out.append(Text("  无"))
    out.append(Text(""))
    out.append(Text(f"落实事项（{len(d.assignments)}）", style="bold"))
    for a in d.assignments:
        out.append(Text("  ") + assignment_line(a, status_of.get(a.id)))
        out += history_lines(a.history)
    return Text("\n").join(out)
