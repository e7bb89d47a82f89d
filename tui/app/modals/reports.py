"""The dialogs before the office's documents are written: issuing unit task lists, exporting
the ledger, picking a returned ledger. Each says exactly what will be written and where;
names from the store are drawn as text (never markup)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Static

from tui.app.modals.base import FormModal
from tui.app.modals.importer import ImportPathModal
from tui.text import strip_controls


def _name(value: str) -> str:
    return strip_controls(value)


class ListsModal(FormModal):
    """印发任务清单: which plan (when there is a choice), which folder, PDF or not. Dismisses
    with (plan id, folder, pdf). Issuing registers the lists and cannot be undone: only
    Ctrl+S or the button issues (Enter moves between fields)."""

    TITLE_TEXT = "印发任务清单"
    SAVE_LABEL = "印发 (Ctrl+S)"
    FINAL = True
    WIDE = True

    def __init__(self, choices, folder: Path, issued_on: date, *, unit: str = "") -> None:
        title = f"印发任务清单 — {_name(unit)}" if unit else "印发全部单位的任务清单"
        super().__init__(title)
        self.choices = list(choices)  # tui.services.desk_reports.PlanLists
        self.folder = folder
        self.issued_on = issued_on
        self.unit = unit

    def fields(self) -> ComposeResult:
        if len(self.choices) > 1:
            yield Label("计划")
            with RadioSet(id="ls-plan"):
                for n, c in enumerate(self.choices):
                    label = Text(f"{_name(c.title)}（{c.units} 个单位，{c.items} 项）")
                    yield RadioButton(label, value=n == 0)
        yield Label("保存到文件夹")
        yield Input(str(self.folder), id="ls-folder", compact=True)
        yield Checkbox("同时生成可打印的 PDF（公文版式，嵌入字体）", id="ls-pdf", compact=True)
        yield Static(self.describe(self.choices[0], False, str(self.folder)), id="ls-what")

    def first_focus(self):
        return self.query_one("#ls-folder", Input)

    @property
    def chosen(self):
        if len(self.choices) > 1:
            n = self.query_one("#ls-plan", RadioSet).pressed_index
            return self.choices[max(n, 0)]
        return self.choices[0]

    def describe(self, c, pdf: bool, folder: str) -> Text:
        kinds = ["Word（.docx）", "Excel（.xlsx）"] + (["PDF（.pdf）"] if pdf else [])
        who = f"“{_name(self.unit)}”" if self.unit else f"{c.units} 个单位各"
        t = Text()
        t.append("将写入：\n", style="bold")
        t.append(f"  计划《{_name(c.title)}》：为{who}生成一份任务清单（{c.items} 项任务）\n")
        t.append(f"  格式：{'、'.join(kinds)}，共 {c.units * len(kinds)} 个文件\n")
        t.append(f"  文件夹：{strip_controls(str(folder))}\n")
        t.append(f"  印发日期：{self.issued_on.isoformat()}\n")
        t.append(
            "生成后在数据库中登记为已印发（哪个单位、几项、文件名及校验码，记入操作记录），"
            "登记不能撤销；写入失败时什么都不登记、不留下文件。\n",
            style="bold",
        )
        if c.issued_before:
            t.append(
                f"此前已登记本计划的清单 {c.issued_before} 份：再次印发另行登记，"
                "文件夹中同名的文件会被替换。\n",
                style="yellow",
            )
        if c.unresolved and not self.unit:
            t.append(
                f"另有 {c.unresolved} 个落实事项仍是待分解的单位组，不列入任何清单"
                "（先在单位页按 b 分解）。\n",
                style="yellow",
            )
        return t

    def _update(self) -> None:
        if not self.query("#ls-what"):
            return  # an event before the dialog is complete
        pdf = self.query_one("#ls-pdf", Checkbox).value
        folder = self.query_one("#ls-folder", Input).value
        self.query_one("#ls-what", Static).update(self.describe(self.chosen, pdf, folder))

    def on_radio_set_changed(self, _event: RadioSet.Changed) -> None:
        self._update()

    def on_checkbox_changed(self, _event: Checkbox.Changed) -> None:
        self._update()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._update()

    def result(self):
        value = self._value("ls-folder")
        if not value:
            raise ValueError("请填写保存清单的文件夹")
        folder = Path(value).expanduser()
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"这是一个文件，不是文件夹：{folder}")
        return self.chosen.plan_id, folder, self.query_one("#ls-pdf", Checkbox).value


class LedgerExportModal(FormModal):
    """导出台账: the file to write (a path beside the store by default). Reads only."""

    TITLE_TEXT = "导出台账（Excel）"
    SAVE_LABEL = "导出 (Ctrl+S)"
    WIDE = True

    def __init__(self, path: Path, as_of: date) -> None:
        super().__init__()
        self.path = path
        self.as_of = as_of

    def fields(self) -> ComposeResult:
        yield Label("保存为（.xlsx）")
        yield Input(str(self.path), id="le-path", compact=True)
        yield Static(self.describe(self.path), id="le-what")

    def describe(self, path: Path) -> Text:
        t = Text()
        t.append("将写入：\n", style="bold")
        t.append(f"  文件：{strip_controls(str(path))}\n")
        t.append(
            f"  内容：全部计划的全部落实事项，状态截至 {self.as_of.isoformat()}；"
            "汇总表一张，每个计划一张工作表；单位可填写“进展情况”“是否完成”“完成时间”后交回，"
            "按 I 导入。\n"
        )
        t.append("只读取数据库，不改动任何数据。", style="dim")
        if path.exists():
            t.append("\n此文件已存在，导出会替换它。", style="bold yellow")
        return t

    def on_input_changed(self, event: Input.Changed) -> None:
        value = event.value.strip()
        if value and self.query("#le-what"):
            self.query_one("#le-what", Static).update(self.describe(Path(value).expanduser()))

    def result(self) -> Path:
        value = self._value("le-path")
        if not value:
            raise ValueError("请填写台账文件的保存位置")
        path = Path(value).expanduser()
        if path.suffix.lower() != ".xlsx":
            raise ValueError(f"台账文件名应以 .xlsx 结尾：{path.name}")
        if path.is_dir():
            raise ValueError(f"这是一个文件夹，请写文件名：{path}")
        return path


class LedgerFileModal(ImportPathModal):
    """Pick a ledger a unit returned (the plan import's file picker, for .xlsx)."""

    TITLE_TEXT = "导入台账：选择单位交回的 Excel 台账（.xlsx）"
    SAVE_LABEL = "检查 (Ctrl+S)"

    def fields(self) -> ComposeResult:
        yield from super().fields()
        yield Static(
            Text("先列出全部变更和未导入的行，确认后才写入数据库。", style="dim"),
            classes="dialog-note",
        )

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#ip-path", Input).placeholder = str(self.start / "台账.xlsx")

    def result(self) -> Path:
        path = super().result()
        if path.suffix.lower() != ".xlsx":
            raise ValueError(f"请选择 .xlsx 台账文件：{path.name}")
        return path
