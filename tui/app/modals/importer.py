"""Importing from the desk: pick a file, watch the importer work.

The flow (tui.app.import_flow) is path → check (nothing written) → the plan question when
there is one (modals/plan_question.py) → the review (modals/review.py) → import.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DirectoryTree, Input, Label, ProgressBar

from tui.app.modals.base import CSS, FormModal
from tui.text import strip_controls

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
        # The stage may be a unit's name: text, never markup.
        label = strip_controls(STAGE_LABEL.get(stage, stage))
        self.query_one("#progress-stage", Label).update(
            Text(f"{label}：{done}/{total}" if total else label)
        )
        bar = self.query_one("#progress-bar", ProgressBar)
        bar.update(total=max(total, 1), progress=done)
