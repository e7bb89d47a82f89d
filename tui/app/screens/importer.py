"""Import screens: progress while the importer works, then the dry-run report to confirm."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, ProgressBar

from tui.store.importer import ImportReport

STAGE_LABEL = {
    "parse": "解析",
    "tasks": "写入任务",
    "assignments": "写入落实事项",
    "deadlines": "识别期限",
}


class ProgressScreen(ModalScreen):
    """Shown while an import runs in a worker; the worker reports (stage, done, total)."""

    CSS_PATH = "modals.tcss"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Label("准备中…", id="progress-stage")
            yield ProgressBar(total=100, show_eta=False, id="progress-bar")

    def advance(self, stage: str, done: int, total: int) -> None:
        self.query_one("#progress-stage", Label).update(
            f"{STAGE_LABEL.get(stage, stage)}：{done}/{total}"
        )
        bar = self.query_one("#progress-bar", ProgressBar)
        bar.update(total=max(total, 1), progress=done)


def report_text(r: ImportReport) -> Text:
    """The dry-run report, as `duban import --dry-run` says it, for the confirm dialog."""
    status = {"new": "新计划", "revised": f"修订（第 {r.revision} 版）", "unchanged": "内容未变"}
    lines = [
        Text(r.plan_title, style="bold"),
        Text(f"来源：{r.source}（{r.kind}{'，' + r.encoding if r.encoding else ''}）", style="dim"),
        Text(f"结果：{status.get(r.status, r.status)}  地区：{r.region or '未识别'}"),
        Text(
            f"章节 {r.sections} 个，小节 {r.subsections} 个，任务 {len(r.tasks)} 项，"
            f"落实事项 {r.assignments} 项"
        ),
    ]
    if r.period:
        lines.append(Text(f"计划期：{r.period[0]}–{r.period[1]} 年"))
    if not r.has_owners:
        lines.append(Text("未写明牵头/责任单位：导入后需人工分派", style="yellow"))
    if r.unknown_units:
        lines.append(
            Text("名录中没有的单位（将新建）：" + "、".join(r.unknown_units), style="yellow")
        )
    if r.unresolved_groups:
        lines.append(Text("待分解的单位组：" + "、".join(r.unresolved_groups), style="yellow"))
    if r.added or r.removed or r.changed:
        lines.append(
            Text(f"与上一版相比：新增 {len(r.added)}，删除 {len(r.removed)}，修改 {len(r.changed)}")
        )
    for t in r.tasks[:8]:
        lines.append(Text(f"  {t.number}{t.title}", style="dim"))
    if len(r.tasks) > 8:
        lines.append(Text(f"  ……共 {len(r.tasks)} 项", style="dim"))
    return Text("\n").join(lines)
