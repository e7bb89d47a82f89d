"""The ledger review: every change a returned ledger would make and every row it rejects,
before anything is written (as the plan import's review does).

One line per change (位置, 事项, 单位, 任务编号, which column, what the store holds → what the
file says) and per rejected row (位置 and the reason), then the notices. The detail pane shows
the highlighted line in full. y / Ctrl+S asks once more — naming how many changes on how
many assignments, one transaction, audited, not undoable — and dismisses with True; Esc
dismisses with None and nothing is written. A file with nothing to change says so and
writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Label, Static

from tui.app import keymap
from tui.app.modals.base import ConfirmModal
from tui.app.widgets.keybar import KeyBar
from tui.app.widgets.vtable import Column, VirtualTable
from tui.text import strip_controls

COLUMNS = (
    Column("类别", 6),
    Column("行", 8, drop=3),
    Column("事项", 6, "right", drop=2),
    Column("单位", 12, drop=1),
    Column("字段", 8),
    Column("原值", 16, drop=4),
    Column("新值 / 原因", 0),
)
CHANGE, REJECTED, NOTICE = "变更", "未导入", "提示"


@dataclass(frozen=True)
class Line:
    kind: str
    where: str
    assignment: str
    unit: str
    task_key: str
    column: str
    old: str
    new: str


def review_lines(plan) -> list[Line]:
    """The preview (tui.reports.ledger_import.ImportPlan) as the review's lines."""
    out = [
        Line(CHANGE, c.where, str(c.assignment_id), c.unit, c.task_key, c.column, c.old, c.new)
        for c in plan.changes
    ]
    out += [Line(REJECTED, p.where, "", "", "", "", "", p.message) for p in plan.problems]
    out += [Line(NOTICE, "", "", "", "", "", "", n) for n in plan.notices]
    return out


def short_where(where: str) -> str:
    """工作表“…”第12行 → 第12行 (the sheet is in the detail pane)."""
    return where.rsplit("”", 1)[-1] or where


class LedgerReviewScreen(Screen):
    """Dismisses with True (apply the previewed changes) or None (nothing written)."""

    BINDINGS = keymap.bindings("ledger-review")
    HOLDS_DESK_KEYS = True  # tabs, q and the other desk keys wait until the review is left
    DEFAULT_CSS = """
    LedgerReviewScreen { layout: vertical; }
    #lr-title { text-style: bold; padding: 0 1; height: 1; }
    #lr-summary { padding: 0 1; height: auto; max-height: 3; }
    #lr-table { height: 1fr; }
    #lr-detail { height: 5; padding: 0 1; border-top: solid $primary 50%; }
    """

    def __init__(self, plan) -> None:  # tui.reports.ledger_import.ImportPlan
        super().__init__()
        self.plan = plan
        self.lines = review_lines(plan)

    def compose(self) -> ComposeResult:
        yield Label(Text(f"导入台账审核：{strip_controls(self.plan.file)}"), id="lr-title")
        yield Static(self.summary(), id="lr-summary")
        yield VirtualTable(
            COLUMNS, self._cells, id="lr-table", empty_text="（台账中没有填写任何内容）"
        )
        yield Static("", id="lr-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.set_count(len(self.lines), cursor=0)
        table.focus()
        self._show_detail()

    def summary(self) -> Text:
        p = self.plan
        progress = sum(1 for c in p.changes if c.kind == "progress")
        closed = len(p.changes) - progress
        t = Text(f"读取 {p.rows} 行：")
        if p.changes:
            t.append(
                f"变更 {len(p.changes)} 项（{len(p.assignments)} 个落实事项：新增进展 {progress} 条，"
                f"销号 {closed} 条）",
                style="bold",
            )
        else:
            t.append("没有需要写入的变更", style="bold green")
        t.append(f"\n无变化 {p.unchanged} 行，")
        t.append(f"未导入 {len(p.problems)} 行", style="bold red" if p.problems else "")
        if p.notices:
            t.append(f"，提示 {len(p.notices)} 条", style="yellow")
        t.append(f"；新进展记在 {p.as_of.isoformat()}。", style="dim")
        t.append("y 确认写入，Esc 取消" if p.changes else "按 y 或 Esc 返回（不写入）", style="dim")
        return t

    def _cells(self, i: int) -> list:
        line = self.lines[i]
        style = {CHANGE: "green", REJECTED: "bold red", NOTICE: "yellow"}[line.kind]
        return [
            Text(line.kind, style=style),
            short_where(line.where),
            line.assignment,
            line.unit,
            line.column,
            Text(line.old or "—", style="dim"),
            line.new,
        ]

    def _current(self) -> Line | None:
        table = self.query_one(VirtualTable)
        return self.lines[table.cursor] if self.lines and table.count else None

    def on_virtual_table_highlighted(self, _event: VirtualTable.Highlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        line = self._current()
        detail = self.query_one("#lr-detail", Static)
        if line is None:
            detail.update("")
            return
        t = Text()
        t.append(f"{line.kind}　{line.where}", style="bold")
        if line.kind == CHANGE:
            t.append(f"　事项 {line.assignment}（{line.unit}，{line.task_key}）\n")
            t.append(f"{line.column}：")
            t.append(line.old or "（空）", style="dim")
            t.append(" → ")
            t.append(line.new, style="bold")
        else:
            t.append("\n" + line.new)
        detail.update(t)

    def text(self) -> str:
        """The summary, every line and the detail as plain text (tests)."""
        rows = [
            " ".join(
                x
                for x in (
                    ln.kind,
                    ln.where,
                    ln.assignment,
                    ln.unit,
                    ln.task_key,
                    ln.column,
                    ln.old,
                    "→" if ln.kind == CHANGE else "",
                    ln.new,
                )
                if x
            )
            for ln in self.lines
        ]
        detail = self.query_one("#lr-detail", Static).render()
        return "\n".join([self.summary().plain, *rows, str(detail)])

    # ---------------------------------------------------------------- keys

    def action_confirm(self) -> None:
        p = self.plan
        if not p.changes:
            self.app.say(f"台账 {p.file} 没有需要写入的变更，数据库未改动")
            self.dismiss(None)
            return
        progress = sum(1 for c in p.changes if c.kind == "progress")
        body = Text()
        body.append(f"导入台账 {strip_controls(p.file)}：\n", style="bold")
        body.append(
            f"  写入 {len(p.changes)} 项变更，涉及 {len(p.assignments)} 个落实事项："
            f"新增进展 {progress} 条（记在 {p.as_of.isoformat()}），"
            f"销号 {len(p.changes) - progress} 条\n"
        )
        if p.problems:
            body.append(f"  未导入的 {len(p.problems)} 行不写入\n")
        body.append(
            "全部变更在一个事务中写入，记入操作记录；预览之后文件或数据库如有变化则不导入。",
            style="dim",
        )
        self.app.push_screen(
            ConfirmModal(
                "导入台账",
                body,
                confirm="导入 (Y)",
                warning="导入后不能用 u 撤销；如有错误，请在督办事项页逐项更正。",
            ),
            lambda ok: self.dismiss(True) if ok else None,
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
