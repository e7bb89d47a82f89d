"""Dialogs for 落实事项: progress (one, many, or a recurring duty's occurrences), deadline
corrections, extensions, the desk's date, and the items filter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select, Static

from tui.app.modals.base import FormModal, parse_day
from tui.app.widgets.lists import DeskSelectionList
from tui.domain.search import Filters
from tui.domain.status import Status

# ------------------------------------------------------------------ progress


@dataclass
class ProgressResult:
    on: date
    text: str
    done: bool
    mode: str = "plain"  # plain / until / period (recurring duties)
    until: date | None = None


@dataclass
class Occurrences:
    """What the dialog says about a recurring duty (from the services' occurrence plan)."""

    missed: list[date]
    next_due: date | None
    this_period: date | None


class ProgressModal(FormModal):
    """记录进展. With several items it lists every one of them first, those hidden by the
    current search or filter marked, so nothing is written to items the officer cannot see.
    For a recurring duty it asks which occurrences the report answers."""

    TITLE_TEXT = "记录进展"

    def __init__(
        self,
        title: str,
        on: date,
        *,
        items: list[tuple[str, bool]] | None = None,
        occurrences: Occurrences | None = None,
    ) -> None:
        super().__init__(title)
        self.on = on
        self.items = items or []
        self.occ = occurrences

    def fields(self) -> ComposeResult:
        if len(self.items) > 1:
            hidden = sum(1 for _line, shown in self.items if not shown)
            head = f"将为以下 {len(self.items)} 项记录同一进展"
            if hidden:
                head += f"（其中 {hidden} 项不在当前列表中）"
            body = Text.assemble((head + "：\n", "bold"))
            for line, shown in self.items:
                body.append(line)
                if not shown:
                    body.append(" 不在当前列表", style="bold yellow")
                body.append("\n")
            yield Static(body, id="pm-items")
        yield Label("进展日期")
        yield Input(self.on.isoformat(), id="pm-date", compact=True)
        yield Label("进展内容（单位电话或书面报告的情况）")
        yield Input(placeholder="如：已召开专题会议部署", id="pm-text", compact=True)
        if self.occ is not None:
            yield from self._occurrence_fields()
        yield Checkbox("已完成（同时验收销号）", id="pm-done", compact=True)

    def _occurrence_fields(self) -> ComposeResult:
        occ = self.occ
        missed = occ.missed
        first = (
            missed[0].isoformat() if missed else (occ.next_due.isoformat() if occ.next_due else "")
        )
        summary = f"周期性任务：未报 {len(missed)} 期"
        if missed:
            summary += f"（{missed[0].isoformat()} 起）"
        if occ.next_due:
            summary += f"，下一期 {occ.next_due.isoformat()}"
        yield Static(Text(summary), classes="dialog-note", id="pm-occ")
        with RadioSet(id="pm-mode"):
            yield RadioButton(f"计入最早未报的一期（{first}）", value=True, id="pm-mode-plain")
            yield RadioButton(
                f"补报截至下列日期的各期（共未报 {len(missed)} 期）", id="pm-mode-until"
            )
            this = occ.this_period.isoformat() if occ.this_period else "无"
            yield RadioButton(f"本期报告已收到（{this} 一期）", id="pm-mode-period")
        yield Label("补报截至")
        yield Input(self.on.isoformat(), id="pm-until", compact=True)

    def first_focus(self):
        return self.query_one("#pm-text", Input)

    def result(self) -> ProgressResult:
        on = parse_day(self._value("pm-date"))
        text = self._value("pm-text")
        if not text:
            raise ValueError("进展内容不能为空")
        mode, until = "plain", None
        if self.occ is not None:
            if self.query_one("#pm-mode-until", RadioButton).value:
                mode, until = "until", parse_day(self._value("pm-until"))
                if until > on:
                    raise ValueError("补报截至日期不能晚于进展日期")
            elif self.query_one("#pm-mode-period", RadioButton).value:
                mode = "period"
        done = self.query_one("#pm-done", Checkbox).value
        return ProgressResult(on, text, done, mode, until)


# ------------------------------------------------------------------ deadline

NO_DEADLINE = "无固定期限"


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
        yield Static(Text(f"现行期限：{self.current or NO_DEADLINE}"), classes="dialog-note")
        yield Label(f"新期限（如 2024-12-31、每年1月8日前，或“{NO_DEADLINE}”）")
        yield Input(id="dm-value", compact=True)
        yield Checkbox(f"设为{NO_DEADLINE}（长期任务）", id="dm-none", compact=True)
        yield Label("更正原因（必填）")
        yield Input(id="dm-reason", compact=True)
        yield Static(
            "更正影响该任务的全部单位；早于新期限的延期将被新期限取代（可撤销）。",
            classes="dialog-note",
        )

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        if event.checkbox.id == "dm-none":
            box = self.query_one("#dm-value", Input)
            box.value = NO_DEADLINE if event.value else ""
            box.disabled = event.value

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
        yield Input(self.on.isoformat(), id="em-date", compact=True)
        yield Label("申请理由")
        yield Input(id="em-reason", compact=True)
        yield Label("申请延至")
        yield Input(id="em-new", compact=True)
        with RadioSet(id="em-decision"):
            yield RadioButton("同意延期", value=True, id="em-grant")
            yield RadioButton("不同意", id="em-refuse")
        yield Label("批复意见（可空）")
        yield Input(id="em-note", compact=True)

    def first_focus(self):
        return self.query_one("#em-reason", Input)

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
        yield Input(self.current.isoformat(), id="date-value", compact=True)

    def result(self) -> date:
        return parse_day(self._value("date-value"))


# ------------------------------------------------------------------ filters

ROLE_CHOICES = (("牵头", "lead"), ("责任", "responsible"), ("配合", "supporting"))
KIND_CHOICES = ("镇", "苏木", "街道", "部门", "其他", "待分解")


class FilterModal(FormModal):
    """The filters of 督办事项. With ``apply``, the chosen filters are applied the moment
    the dialog closes, before the desk repaints: the filtered list and the screen without
    the dialog go out in one frame (a result callback runs a turn later, after a frame of
    the unfiltered list)."""

    TITLE_TEXT = "筛选督办事项"

    def __init__(
        self,
        current: Filters,
        plans: dict[int, str],
        apply: Callable[[Filters], object] | None = None,
    ) -> None:
        super().__init__()
        self.current = current
        self.plans = plans
        self._apply = apply

    def dismiss(self, result: Filters | None = None):
        if result is not None and self._apply is not None:
            self._apply(result)
        return super().dismiss(result)

    def fields(self) -> ComposeResult:
        yield Label("状态（空格勾选，可多选）")
        yield DeskSelectionList(
            *((s.value, s.value, s.value in self.current.statuses) for s in Status),
            id="fm-status",
        )
        yield Label("单位（名称或拼音首字母）")
        yield Input(self.current.unit, id="fm-unit", compact=True)
        yield Label("单位类别")
        yield Select(
            [(k, k) for k in KIND_CHOICES],
            prompt="全部",
            value=self.current.unit_kind or Select.NULL,
            id="fm-kind",
            compact=True,
        )
        yield Label("计划")
        yield Select(
            [(t[:30], pid) for pid, t in self.plans.items()],
            prompt="全部",
            value=self.current.plan_id if self.current.plan_id is not None else Select.NULL,
            id="fm-plan",
            compact=True,
        )
        yield Label("角色")
        yield Select(
            list(ROLE_CHOICES),
            prompt="全部",
            value=self.current.role or Select.NULL,
            id="fm-role",
            compact=True,
        )
        yield Button("清除全部筛选", id="fm-clear", compact=True)

    def first_focus(self):
        return self.query_one("#fm-status")

    def extra_button(self, button_id: str) -> None:
        if button_id == "fm-clear":
            self.dismiss(Filters())

    def _sel(self, wid: str):
        v = self.query_one(f"#{wid}", Select).value
        return None if v is Select.NULL or v is Select.BLANK else v

    def result(self) -> Filters:
        statuses = frozenset(self.query_one("#fm-status", DeskSelectionList).selected)
        return Filters(
            statuses=statuses,
            unit=self._value("fm-unit"),
            unit_kind=self._sel("fm-kind") or "",
            plan_id=self._sel("fm-plan"),
            role=self._sel("fm-role") or "",
        )
