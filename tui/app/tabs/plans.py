"""2 计划: plan → sections → tasks; a task's text with its deadline words highlighted, its
deadlines and the rule in force, its owners. Owners are assigned here (w), also for several
marked tasks at once (space marks), and a task's 待分解 group is resolved here (b)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static, Tree

from tui.app.cells import (
    KIND_LABEL,
    ROLE_SHORT,
    SOURCE_LABEL,
    days_text,
    iso,
    light,
    without_controls,
)
from tui.app.keymap import bindings
from tui.app.tabs.base import DeskTab, Latest
from tui.app.tabs.flows import edit_owners, resolve_group
from tui.app.widgets.lists import DeskTree
from tui.services import board as board_svc


class PlansTab(DeskTab):
    TAB_ID = "plans"
    BINDINGS = bindings("plans")

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.marked: set[int] = set()
        self.detail = None
        self._tree_stale = True
        self._task_id: int | None = None
        self._labels: dict[int, str] = {}
        self._reader = Latest(
            self,
            lambda tid: (board_svc.load_task, self.desk.store, tid),
            self._show_task,
            self._task_gone,
        )

    def compose(self) -> ComposeResult:
        with Horizontal():
            tree: DeskTree = DeskTree("计划", id="plan-tree", on_space=self._space)
            tree.show_root = False
            yield tree
            with VerticalScroll(id="plan-detail-pane"):
                yield Static(
                    "在左侧选择任务查看详情；w 指定负责单位，空格标记多项任务", id="plan-detail"
                )

    def main_widget(self):
        return self.query_one("#plan-tree", DeskTree)

    def show_board(self, board) -> None:
        self._tree_stale = True
        if self.desk.active_tab == self.TAB_ID:
            self.load_tree()
        if self._task_id is not None:
            self.show_task(self._task_id)

    def activated(self) -> None:
        super().activated()
        if self._tree_stale:
            self.load_tree()

    def load_tree(self) -> None:
        self._tree_stale = False
        board = self.desk.board
        region = board.region if board is not None else None  # the desk's region's plans
        self.desk.jobs.run(board_svc.load_plan_tree, self.desk.store, region, on_done=self._fill)

    def _fill(self, items) -> None:
        tree = self.query_one("#plan-tree", DeskTree)
        keep = self._task_id
        tree.clear()
        self._labels.clear()
        found = None

        def add(node, item) -> None:
            nonlocal found
            if item.kind == "task":
                self._labels[item.id] = item.label
            if item.children:
                child = node.add(
                    self._label(item), data=(item.kind, item.id), expand=item.kind == "plan"
                )
                for c in item.children:
                    add(child, c)
            else:
                leaf = node.add_leaf(self._label(item), data=(item.kind, item.id))
                if item.kind == "task" and item.id == keep:
                    found = leaf

        for it in items:
            add(tree.root, it)
        tree.root.expand()
        if found is not None:
            parent = found.parent
            while parent is not None and parent is not tree.root:
                parent.expand()
                parent = parent.parent
            self.call_after_refresh(tree.move_cursor, found)

    def _label(self, item) -> Text:
        t = Text(item.label)
        if item.kind == "task" and item.id in self.marked:
            t = Text("✚ ", style="bold") + t
        return t

    # ---------------------------------------------------------------- marking

    def _space(self, node) -> bool:
        data = node.data
        if not data or data[0] != "task":
            return False
        self.action_toggle_mark()
        return True

    def action_toggle_mark(self) -> None:
        tree = self.query_one("#plan-tree", DeskTree)
        node = tree.cursor_node
        if node is None or not node.data or node.data[0] != "task":
            self.desk.say("空格标记的是任务（不是章节）")
            return
        tid = node.data[1]
        self.marked ^= {tid}
        label = Text(self._labels.get(tid, str(node.label)))
        node.set_label(Text("✚ ", style="bold") + label if tid in self.marked else label)
        tree.action_cursor_down()
        self.desk.say(f"已标记 {len(self.marked)} 项任务（w 为它们一起增加负责单位）")

    def _tasks(self) -> list[int]:
        if self.marked:
            return sorted(self.marked)
        return [self._task_id] if self._task_id is not None else []

    # ---------------------------------------------------------------- detail

    @on(Tree.NodeHighlighted, "#plan-tree")
    def _highlighted(self, event: Tree.NodeHighlighted) -> None:
        data = event.node.data
        if data and data[0] == "task":
            self.show_task(data[1])

    def show_task(self, task_id: int) -> None:
        self._task_id = task_id
        self._reader.want(task_id)

    def _show_task(self, task_id: int, detail) -> None:
        self.detail = detail
        board = self.desk.board
        by_id = board.data.by_id if board else {}
        self.query_one("#plan-detail", Static).update(render_task(detail, by_id))

    def _task_gone(self, task_id: int, _message: str) -> None:
        self._task_id = None

    # ---------------------------------------------------------------- actions

    def action_owners(self) -> None:
        tasks = self._tasks()
        if not tasks:
            self.desk.say("请先在左侧选中任务（或用空格标记多项任务）", "warning")
            return
        edit_owners(self.desk, tasks, then=lambda _c: self._unmark())

    def _unmark(self) -> None:
        if self.marked:
            self.marked.clear()
            self._tree_stale = True

    def action_resolve_group(self) -> None:
        d = self.detail
        if d is None or d.id != self._task_id:
            self.desk.say("请先在左侧选中任务", "warning")
            return
        groups = [a for a in d.assignments if a.unresolved]
        if not groups:
            self.desk.say("该任务没有待分解的单位组")
            return
        a = groups[0]
        group = next((g for g in self.desk.board.groups if g.group_id == a.group_id), None)
        if group is None:
            self.desk.say("找不到该单位组", "warning")
            return
        resolve_group(self.desk, group.group_id, group.name, group.region, set(self._tasks()))


def history_lines(history, indent: str = "    ") -> list[Text]:
    return [
        Text.assemble(
            indent,
            (h.on.isoformat(), "dim"),
            f" {h.kind}：{h.text}",
            (f"（{h.actor}）" if h.actor else "", "dim"),
        )
        for h in history
    ]


def assignment_line(a, ev, *, with_task: bool = False) -> Text:
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
    return without_controls(t)


def render_task(d, status_of) -> Text:
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
    if not d.assignments:
        out.append(Text("尚未指定负责单位：按 w 指定牵头、责任单位", style="bold yellow"))
    out.append(Text(""))
    out.append(Text("期限（现行的在前，已被更正的划去）", style="bold"))
    for dl in sorted(d.deadlines, key=lambda x: not x.active):
        when = iso(dl.due) or (dl.rrule or "")
        t = Text(
            f"  {SOURCE_LABEL.get(dl.source, dl.source)} {KIND_LABEL.get(dl.kind, dl.kind)} {when}"
        )
        if dl.text:
            t.append(f" 「{dl.text}」", style="dim")
        if dl.reason:
            t.append(f" 原因：{dl.reason}（{dl.created_by}）")
        if not dl.active:
            t.stylize("dim strike")
            t.append(" 已被更正", style="dim")
        elif dl.source == "manual":
            t.append(" ← 现行", style="bold cyan")
        out.append(t)
    if not d.deadlines:
        out.append(Text("  无固定期限"))
    out.append(Text(""))
    out.append(Text(f"落实事项（{len(d.assignments)}）", style="bold"))
    for a in d.assignments:
        out.append(Text("  ") + assignment_line(a, status_of.get(a.id)))
        out += history_lines(a.history)
    return Text("\n").join(without_controls(x) for x in out)
