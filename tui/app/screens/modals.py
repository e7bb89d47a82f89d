"""Small dialogs: each asks for a few values and dismisses with a result (None = cancelled).

Dialogs never write: the app takes the result and does the write in one transaction.
Enter in the last field or ctrl+s saves; Escape cancels.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    DirectoryTree,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    SelectionList,
    Static,
)

from tui.domain.search import Filters
from tui.domain.status import Status


def parse_day(value: str) -> date:
    """YYYY-MM-DD (also YYYY/MM/DD and YYYY.MM.DD); ValueError with a Chinese message."""
    v = value.strip().replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat(v)
    except ValueError:
        parts = v.split("-")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                pass
    raise ValueError(f"日期格式应为 2024-11-15：{value}")


class FormModal(ModalScreen):
    """Shared frame: a title, fields, an error line, 保存/取消 buttons."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "取消"),
        Binding("ctrl+s", "save", "保存"),
    ]
    TITLE_TEXT = ""

    def __init__(self, title: str = "") -> None:
        super().__init__()
        self.title_text = title or self.TITLE_TEXT

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield from self.fields()
            yield Static("", classes="dialog-error", id="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("保存 (Ctrl+S)", variant="primary", id="save")
                yield Button("取消 (Esc)", id="cancel")

    def fields(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()

    def error(self, message: str) -> None:
        self.query_one("#dialog-error", Static).update(message)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            result = self.result()
        except ValueError as exc:
            self.error(str(exc))
            return
        self.dismiss(result)

    def result(self):  # pragma: no cover - overridden
        return None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()
        else:
            self.extra_button(event.button.id or "")

    def extra_button(self, button_id: str) -> None:
        """Buttons of a dialog's own (besides 保存/取消)."""

    def on_input_submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        if inputs and event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def _value(self, wid: str) -> str:
        return self.query_one(f"#{wid}", Input).value.strip()


# ------------------------------------------------------------------ progress


@dataclass
class ProgressResult:
    on: date
    text: str
    done: bool


class ProgressModal(FormModal):
    TITLE_TEXT = "记录进展"

    def __init__(self, title: str, on: date) -> None:
        super().__init__(title)
        self.on = on

    def fields(self) -> ComposeResult:
        yield Label("进展日期")
        yield Input(self.on.isoformat(), id="pm-date")
        yield Label("进展内容（单位电话或书面报告的情况）")
        yield Input(placeholder="如：已召开专题会议部署", id="pm-text")
        yield Checkbox("已完成（同时验收销号）", id="pm-done")

    def on_mount(self) -> None:
        self.query_one("#pm-text", Input).focus()

    def result(self) -> ProgressResult:
        on = parse_day(self._value("pm-date"))
        text = self._value("pm-text")
        if not text:
            raise ValueError("进展内容不能为空")
        return ProgressResult(on, text, self.query_one("#pm-done", Checkbox).value)


# ------------------------------------------------------------------ deadline


@dataclass
class DeadlineResult:
    value: str
    reason: str


class DeadlineModal(FormModal):
    TITLE_TEXT = "设定或更正期限"

    def __init__(self, title: str, current: str) -> None:
        super().__init__(title)
        self.current = current

    def fields(self) -> ComposeResult:
        yield Static(f"现行期限：{self.current or '无'}", classes="dialog-note")
        yield Label("新期限（2024-12-31、每年1月8日前 或 none）")
        yield Input(id="dm-value")
        yield Label("更正原因（必填）")
        yield Input(id="dm-reason")

    def on_mount(self) -> None:
        self.query_one("#dm-value", Input).focus()

    def result(self) -> DeadlineResult:
        value, reason = self._value("dm-value"), self._value("dm-reason")
        if not value:
            raise ValueError("请填写新期限")
        if not reason:
            raise ValueError("更正期限必须写明原因")
        return DeadlineResult(value, reason)


# ------------------------------------------------------------------ extension


@dataclass
class ExtensionResult:
    requested_on: date
    reason: str
    new_due: date
    granted: bool
    note: str


class ExtensionModal(FormModal):
    TITLE_TEXT = "延期申请"

    def __init__(self, title: str, on: date) -> None:
        super().__init__(title)
        self.on = on

    def fields(self) -> ComposeResult:
        yield Label("申请日期")
        yield Input(self.on.isoformat(), id="em-date")
        yield Label("申请理由")
        yield Input(id="em-reason")
        yield Label("申请延至")
        yield Input(id="em-new")
        with RadioSet(id="em-decision"):
            yield RadioButton("同意延期", value=True, id="em-grant")
            yield RadioButton("不同意", id="em-refuse")
        yield Label("批复意见（可空）")
        yield Input(id="em-note")

    def on_mount(self) -> None:
        self.query_one("#em-reason", Input).focus()

    def result(self) -> ExtensionResult:
        reason = self._value("em-reason")
        if not reason:
            raise ValueError("延期申请必须写明理由")
        granted = self.query_one("#em-grant", RadioButton).value
        return ExtensionResult(
            parse_day(self._value("em-date")),
            reason,
            parse_day(self._value("em-new")),
            granted,
            self._value("em-note"),
        )


# ------------------------------------------------------------------ as-of date


class DateModal(FormModal):
    TITLE_TEXT = "查看日期（截至）"

    def __init__(self, current: date) -> None:
        super().__init__()
        self.current = current

    def fields(self) -> ComposeResult:
        yield Label("以哪一天为准查看（YYYY-MM-DD）")
        yield Input(self.current.isoformat(), id="date-value")

    def on_mount(self) -> None:
        self.query_one("#date-value", Input).focus()

    def result(self) -> date:
        return parse_day(self._value("date-value"))


# ------------------------------------------------------------------ filters

ROLE_CHOICES = (("牵头", "lead"), ("责任", "responsible"), ("配合", "supporting"))
KIND_CHOICES = ("镇", "苏木", "街道", "部门", "其他", "待分解")


class FilterModal(FormModal):
    TITLE_TEXT = "筛选督办事项"

    def __init__(self, current: Filters, plans: dict[int, str]) -> None:
        super().__init__()
        self.current = current
        self.plans = plans

    def fields(self) -> ComposeResult:
        yield Label("状态（空格勾选，可多选）")
        yield SelectionList[str](
            *((s.value, s.value, s.value in self.current.statuses) for s in Status),
            id="fm-status",
        )
        yield Label("单位（名称或拼音首字母）")
        yield Input(self.current.unit, id="fm-unit")
        yield Label("单位类别")
        yield Select(
            [(k, k) for k in KIND_CHOICES],
            prompt="全部",
            value=self.current.unit_kind or Select.NULL,
            id="fm-kind",
        )
        yield Label("计划")
        yield Select(
            [(t[:30], pid) for pid, t in self.plans.items()],
            prompt="全部",
            value=self.current.plan_id if self.current.plan_id is not None else Select.NULL,
            id="fm-plan",
        )
        yield Label("角色")
        yield Select(
            list(ROLE_CHOICES),
            prompt="全部",
            value=self.current.role or Select.NULL,
            id="fm-role",
        )
        yield Button("清除全部筛选", id="fm-clear")

    def extra_button(self, button_id: str) -> None:
        if button_id == "fm-clear":
            self.dismiss(Filters())

    def _sel(self, wid: str):
        v = self.query_one(f"#{wid}", Select).value
        return None if v is Select.NULL or v is Select.BLANK else v

    def result(self) -> Filters:
        statuses = frozenset(self.query_one("#fm-status", SelectionList).selected)
        return Filters(
            statuses=statuses,
            unit=self._value("fm-unit"),
            unit_kind=self._sel("fm-kind") or "",
            plan_id=self._sel("fm-plan"),
            role=self._sel("fm-role") or "",
        )


# ------------------------------------------------------------------ units


@dataclass
class UnitEditResult:
    head: str
    contact: str
    phone: str
    aliases: list[str]


class UnitEditModal(FormModal):
    TITLE_TEXT = "修改单位信息"

    def __init__(self, title: str, head: str, contact: str, phone: str, aliases: list[str]) -> None:
        super().__init__(title)
        self.values = (head, contact, phone, "、".join(aliases))

    def fields(self) -> ComposeResult:
        head, contact, phone, aliases = self.values
        yield Label("负责人")
        yield Input(head, id="ue-head")
        yield Label("联系人")
        yield Input(contact, id="ue-contact")
        yield Label("联系电话")
        yield Input(phone, id="ue-phone")
        yield Label("别名（用“、”分隔）")
        yield Input(aliases, id="ue-aliases")

    def on_mount(self) -> None:
        self.query_one("#ue-head", Input).focus()

    def result(self) -> UnitEditResult:
        aliases = [
            a.strip()
            for a in self._value("ue-aliases").replace(",", "、").replace("，", "、").split("、")
        ]
        return UnitEditResult(
            self._value("ue-head"),
            self._value("ue-contact"),
            self._value("ue-phone"),
            [a for a in aliases if a],
        )


class MergeModal(FormModal):
    TITLE_TEXT = "合并单位"

    def __init__(self, source: str, candidates: list[tuple[str, int]]) -> None:
        super().__init__(f"把“{source}”并入另一个单位（同一单位的两个名称）")
        self.candidates = candidates

    def fields(self) -> ComposeResult:
        yield Label("并入的单位")
        yield Select(self.candidates, prompt="请选择", id="mm-target")
        yield Static(
            "合并后原单位的落实事项、别名都归入所选单位；可用 u 撤销。", classes="dialog-note"
        )

    def result(self) -> int:
        v = self.query_one("#mm-target", Select).value
        if v is Select.NULL or v is Select.BLANK:
            raise ValueError("请选择要并入的单位")
        return int(v)


@dataclass
class GroupResult:
    group_id: int
    unit_ids: list[int]


class GroupResolveModal(FormModal):
    TITLE_TEXT = "分解单位组（待分解）"

    def __init__(
        self, groups: list[tuple[str, int]], units_by_group: dict[int, list[tuple[str, int]]]
    ) -> None:
        super().__init__()
        self.groups = groups
        self.units_by_group = units_by_group

    def fields(self) -> ComposeResult:
        yield Label("单位组")
        first = self.groups[0][1] if self.groups else Select.NULL
        yield Select(self.groups, prompt="请选择", value=first, allow_blank=False, id="gr-group")
        yield Label("由哪些单位落实（空格勾选）")
        yield SelectionList[int](*self._options(first), id="gr-units")

    def _options(self, gid) -> list[tuple[str, int]]:
        return list(self.units_by_group.get(gid, [])) if gid is not Select.NULL else []

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "gr-group":
            sl = self.query_one("#gr-units", SelectionList)
            sl.clear_options()
            sl.add_options(self._options(event.value))

    def on_mount(self) -> None:
        self.query_one("#gr-units", SelectionList).focus()

    def result(self) -> GroupResult:
        gid = self.query_one("#gr-group", Select).value
        units = list(self.query_one("#gr-units", SelectionList).selected)
        if gid is Select.NULL or gid is Select.BLANK:
            raise ValueError("请选择单位组")
        if not units:
            raise ValueError("请至少勾选一个单位")
        return GroupResult(int(gid), units)


# ------------------------------------------------------------------ import


class ImportPathModal(FormModal):
    """A file picker: type a path, or pick one in the tree (Enter on a file)."""

    TITLE_TEXT = "导入计划：选择文件（Word/PDF/Excel/文本）"

    def __init__(self, start: Path) -> None:
        super().__init__()
        self.start = start

    def fields(self) -> ComposeResult:
        yield Label("文件路径")
        yield Input(placeholder=str(self.start / "计划.docx"), id="ip-path")
        yield DirectoryTree(str(self.start), id="ip-tree")

    def on_mount(self) -> None:
        self.query_one("#ip-path", Input).focus()

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


class ConfirmModal(ModalScreen[bool]):
    """A yes/no question; y/Enter confirms, n/Escape cancels."""

    CSS_PATH = "modals.tcss"
    BINDINGS = [
        Binding("y,enter", "answer(True)", "确认"),
        Binding("n,escape", "answer(False)", "取消"),
    ]

    def __init__(self, question: str, body: str = "", *, confirm: str = "确认 (Y)") -> None:
        super().__init__()
        self.question = question
        self.body = body
        self.confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Label(self.question, classes="dialog-title")
            if self.body:
                with VerticalScroll(classes="dialog-body"):
                    yield Static(self.body, id="confirm-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm, variant="primary", id="yes")
                yield Button("取消 (N)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
