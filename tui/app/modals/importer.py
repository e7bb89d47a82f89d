"""Importing from the desk: pick a file, watch the importer, read its report, confirm.

The flow is path → check (nothing written) → report → confirm → import. The tab code puts
each step in its own callback, so a further question (e.g. "new plan or revision of X?")
slots in between the report and the write.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label, ProgressBar

from tui.app.modals.base import CSS, FormModal

STAGE_LABEL = {
    "parse": "解析",
    "tasks": "写入任务",
    "assignments": "写入落实事项",
    "deadlines": "识别期限",
}


class ImportPathModal(FormModal):
    """A file picker: type a path, or pick one in the tree (Enter on a file)."""

    TITLE_TEXT = "导入计划：选择文件（Word/PDF/Excel/文本）"
    SAVE_LABEL = "预检 (Ctrl+S)"

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start

    def fields(self) -> ComposeResult:
        yield Label("文件路径")
        yield Input(placeholder=str(self.start / "计划.docx"), id="ip-path", compact=True)
        yield DirectoryTree(str(self.start), id="ip-tree")

    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.query_one("#ip-path", Input).value = str(event.path)
        self.action_save()

    def result(self) -> Path:
        value = self._value("ip-path")
        if not value:
            raise ValueError("请填写或选择要导入的文件")
        path = Path(value).expanduser()
        if not path.is_file():
            raise ValueError(f"文件不存在：{path}")
        return path


class ProgressScreen(ModalScreen):
    """Shown while an import runs in a worker; the worker reports (stage, done, total)."""

    CSS_PATH = CSS

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield Label("准备中…", id="progress-stage")
            yield ProgressBar(total=100, show_eta=False, id="progress-bar")

    def advance(self, stage: str, done: int, total: int) -> None:
        self.query_one("#progress-stage", Label).update(
            f"{STAGE_LABEL.get(stage, stage)}：{done}/{total}"
        )
        bar = self.query_one("#progress-bar", ProgressBar)
        bar.update(total=max(total, 1), progress=done)


def report_text(r) -> Text:
    """The dry-run report (an ImportReport), as `duban import --dry-run` says it."""
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
        lines.append(
            Text("未写明牵头/责任单位：导入后在“计划”页选任务按 w 指定负责单位", style="yellow")
        )
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
