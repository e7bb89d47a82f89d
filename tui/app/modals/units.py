"""Dialogs for units and owners: edit a unit, merge two, resolve a group per task, and edit
a task's owners with a unit picker that finds units by name, alias or pinyin initials."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Button, Checkbox, Input, Label, Select, Static
from textual.widgets.option_list import Option

from tui.app.modals.base import FormModal
from tui.app.widgets.lists import DeskOptionList, DeskSelectionList

ROLE_LABEL = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}
ROLE_ORDER = ("lead", "responsible", "supporting")


# ------------------------------------------------------------------ unit info


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
        yield Input(head, id="ue-head", compact=True)
        yield Label("联系人")
        yield Input(contact, id="ue-contact", compact=True)
        yield Label("联系电话")
        yield Input(phone, id="ue-phone", compact=True)
        yield Label("别名（用“、”分隔）")
        yield Input(aliases, id="ue-aliases", compact=True)

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
    SAVE_LABEL = "下一步 (Ctrl+S)"

    def __init__(self, source: str, candidates: list[tuple[str, int]]) -> None:
        super().__init__(f"把“{source}”并入另一个单位（同一单位的两个名称）")
        self.candidates = candidates

    def fields(self) -> ComposeResult:
        yield Label("并入的单位")
        yield Select(
            [(Text(name), uid) for name, uid in self.candidates],
            prompt="请选择",
            id="mm-target",
            compact=True,
        )
        yield Static(
            "合并后原单位的落实事项、别名都归入所选单位；下一步会列出要移交的事项数，确认后才合并。",
            classes="dialog-note",
        )

    def first_focus(self):
        return self.query_one("#mm-target")

    def result(self) -> int:
        v = self.query_one("#mm-target", Select).value
        if v is Select.NULL or v is Select.BLANK:
            raise ValueError("请选择要并入的单位")
        return int(v)


# ------------------------------------------------------------------ groups


@dataclass
class GroupResult:
    group_id: int
    unit_ids: list[int]
    task_ids: list[int]
    remember: bool


class GroupResolveModal(FormModal):
    """待分解 → units, for the tasks ticked here only: a group such as 区直有关部门 means
    different departments for each task, so no task is resolved unless it is ticked."""

    TITLE_TEXT = "分解单位组（待分解）"
    SAVE_LABEL = "下一步 (Ctrl+S)"
    WIDE = True

    def __init__(
        self,
        group_id: int,
        group_name: str,
        tasks: list[tuple[str, int]],
        units: list[tuple[str, int, str]],
        *,
        ticked: set[int] | None = None,
    ) -> None:
        super().__init__(f"分解单位组“{group_name}”")
        self.group_id = group_id
        self.tasks = tasks
        self.units = units  # (label, id, search key)
        self.ticked = ticked or set()
        self.chosen: set[int] = set()

    def fields(self) -> ComposeResult:
        yield Label(f"任务（共 {len(self.tasks)} 项；只分解勾选的任务，其余仍待分解）")
        yield DeskSelectionList(
            *((label, tid, tid in self.ticked) for label, tid in self.tasks), id="gr-tasks"
        )
        yield Button("勾选全部任务", id="gr-all-tasks", compact=True)
        yield Label("由哪些单位落实（空格勾选；可输入名称或拼音首字母筛选）")
        yield Input(placeholder="筛选单位", id="gr-filter", compact=True)
        yield DeskSelectionList(*self._unit_options(""), id="gr-units")
        yield Checkbox(
            "同时记为该单位组的成员（以后导入同名单位组时自动分解）", id="gr-remember", compact=True
        )

    def first_focus(self):
        return self.query_one("#gr-tasks")

    def _unit_options(self, query: str) -> list[tuple[str, int, bool]]:
        q = query.strip().lower()
        return [
            (label, uid, uid in self.chosen)
            for label, uid, key in self.units
            if not q or all(w in key for w in q.split())
        ]

    def on_selection_list_selected_changed(self, event: DeskSelectionList.SelectedChanged) -> None:
        if event.selection_list.id == "gr-units":
            sl = event.selection_list
            visible = {sl.get_option_at_index(i).value for i in range(sl.option_count)}
            self.chosen = (self.chosen - visible) | set(sl.selected)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "gr-filter":
            sl = self.query_one("#gr-units", DeskSelectionList)
            sl.clear_options()
            sl.add_options(self._unit_options(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()  # not the form's "Enter saves"
        self.query_one("#gr-units").focus()

    def extra_button(self, button_id: str) -> None:
        if button_id == "gr-all-tasks":
            self.query_one("#gr-tasks", DeskSelectionList).select_all()

    def result(self) -> GroupResult:
        tasks = list(self.query_one("#gr-tasks", DeskSelectionList).selected)
        units = sorted(self.chosen | set(self.query_one("#gr-units", DeskSelectionList).selected))
        if not tasks:
            raise ValueError("请勾选要分解的任务（不勾选的任务保持待分解）")
        if not units:
            raise ValueError("请至少勾选一个单位")
        remember = self.query_one("#gr-remember", Checkbox).value
        if remember and len(tasks) < len(self.tasks):
            raise ValueError("只分解部分任务时，不能把这些单位记为单位组的成员")
        return GroupResult(self.group_id, units, tasks, remember)


# ------------------------------------------------------------------ owners


@dataclass
class OwnerRow:
    """A live owner of the task as the dialog shows it."""

    assignment_id: int
    unit_id: int | None
    name: str
    role: str
    unresolved: bool


@dataclass
class OwnersResult:
    remove: list[int] = field(default_factory=list)
    roles: list[tuple[int, str]] = field(default_factory=list)
    add: list[tuple[int, str]] = field(default_factory=list)
    new_units: list[tuple[str, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.remove or self.roles or self.add or self.new_units)


NEW = -1  # option id of "新建单位"


class OwnersModal(FormModal):
    """A task's owners: remove (X) or change the role (R) of a current one, add units found
    by name, alias or pinyin initials (Enter adds the highlighted match in the chosen role;
    a name the directory lacks can be created in the plan's region)."""

    TITLE_TEXT = "负责单位"
    WIDE = True
    BINDINGS = [
        Binding("x,delete", "remove_owner", "移除"),
        Binding("r", "cycle_role", "改角色"),
        Binding("down", "match(1)", "下一个", show=False),
        Binding("up", "match(-1)", "上一个", show=False),
    ]

    def __init__(
        self,
        title: str,
        region: str,
        owners: list[OwnerRow],
        choices: list,  # tui.services.desk.UnitChoice
        *,
        several: int = 0,
    ) -> None:
        super().__init__(title)
        self.plan_region = region
        self.owners = owners
        self.choices = sorted(choices, key=lambda c: (c.region != region, c.region, c.id))
        self.several = several  # > 0: adding to this many marked tasks (no current list)
        self.removed: set[int] = set()
        self.roles: dict[int, str] = {}
        self.added: list[tuple[int, str, str]] = []  # (unit id or NEW, name, role)
        self.matches: list = []

    # ---------------------------------------------------------------- layout

    def fields(self) -> ComposeResult:
        if self.several:
            yield Static(
                Text(f"为已标记的 {self.several} 项任务一起增加负责单位（不改动现有的负责单位）"),
                classes="dialog-note",
            )
        else:
            yield Label("现有负责单位（X 移除/恢复，R 改变角色）")
            yield DeskOptionList(*self._owner_options(), id="ow-current")
        yield Label("增加：角色")
        yield Select(
            [(ROLE_LABEL[r] + "单位", r) for r in ROLE_ORDER],
            value="responsible",
            allow_blank=False,
            id="ow-role",
            compact=True,
        )
        yield Label("单位（名称、别名或拼音首字母，回车加入）")
        yield Input(placeholder="如：司法局、sfj", id="ow-search", compact=True)
        yield DeskOptionList(id="ow-matches")
        yield Static("", id="ow-pending")

    def first_focus(self):
        return self.query_one("#ow-search", Input)

    def on_mount(self) -> None:  # FormModal.on_mount runs after this (Textual calls both)
        self._show_matches("")
        self._show_pending()

    def _owner_options(self) -> list[Option]:
        out = []
        for o in self.owners:
            role = self.roles.get(o.assignment_id, o.role)
            t = Text(o.name + ("（待分解）" if o.unresolved else ""))
            t.append(f"  [{ROLE_LABEL.get(role, role)}]")
            if o.assignment_id in self.removed:
                t.stylize("strike dim")
                t.append("  将移除", style="bold red")
            elif role != o.role:
                t.append(f"  原为{ROLE_LABEL.get(o.role, o.role)}", style="yellow")
            out.append(Option(t, id=str(o.assignment_id)))
        return out

    def _refresh_owners(self) -> None:
        if self.several:
            return
        ol = self.query_one("#ow-current", DeskOptionList)
        keep = ol.highlighted
        ol.clear_options()
        ol.add_options(self._owner_options())
        if keep is not None and self.owners:
            ol.highlighted = min(keep, len(self.owners) - 1)
        self._show_pending()

    # ---------------------------------------------------------------- current owners

    def _current(self) -> OwnerRow | None:
        if self.several:
            return None
        ol = self.query_one("#ow-current", DeskOptionList)
        if ol.highlighted is None or not self.owners:
            return None
        return self.owners[ol.highlighted]

    def action_remove_owner(self) -> None:
        o = self._current()
        if o is None:
            return
        self.removed ^= {o.assignment_id}
        self._refresh_owners()

    def action_cycle_role(self) -> None:
        o = self._current()
        if o is None or o.unresolved or o.assignment_id in self.removed:
            return
        role = self.roles.get(o.assignment_id, o.role)
        nxt = ROLE_ORDER[(ROLE_ORDER.index(role) + 1) % len(ROLE_ORDER)]
        if nxt == o.role:
            self.roles.pop(o.assignment_id, None)
        else:
            self.roles[o.assignment_id] = nxt
        self._refresh_owners()

    # ---------------------------------------------------------------- adding

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "ow-search":
            self._show_matches(event.value)

    def _show_matches(self, query: str) -> None:
        q = query.strip()
        found = [c for c in self.choices if q and c.matches(q)]
        exact = [c for c in found if c.name == q]
        found = exact + [c for c in found if c not in exact]
        self.matches = found[:40]
        options = [
            Option(Text(f"{c.name}（{c.region or '未分地区'}·{c.kind}）"), id=str(c.id))
            for c in self.matches
        ]
        if q and not exact and any("\u4e00" <= ch <= "\u9fff" for ch in q):
            options.append(
                Option(Text(f"新建单位：{q}（{self.plan_region or '未分地区'}）"), id=str(NEW))
            )
        ol = self.query_one("#ow-matches", DeskOptionList)
        ol.clear_options()
        ol.add_options(options)
        if options:
            ol.highlighted = 0

    def action_match(self, delta: int) -> None:
        """↑/↓ in the search box move through the matches (Enter adds the highlighted one)."""
        ol = self.query_one("#ow-matches", DeskOptionList)
        if ol.option_count:
            cur = ol.highlighted if ol.highlighted is not None else -1
            ol.highlighted = max(0, min(ol.option_count - 1, cur + delta))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()  # Enter adds the unit; it does not save the dialog
        if event.input.id == "ow-search":
            ol = self.query_one("#ow-matches", DeskOptionList)
            if ol.highlighted is not None:
                self._add(ol.get_option_at_index(ol.highlighted).id)

    def on_option_list_option_selected(self, event: DeskOptionList.OptionSelected) -> None:
        if event.option_list.id == "ow-matches":
            event.stop()
            self._add(event.option.id)

    def _role(self) -> str:
        return str(self.query_one("#ow-role", Select).value)

    def _add(self, option_id: str | None) -> None:
        if option_id is None:
            return
        role = self._role()
        uid = int(option_id)
        if uid == NEW:
            name = self._value("ow-search")
        else:
            name = next(c.name for c in self.choices if c.id == uid)
        problem = self._conflict(uid, name, role)
        if problem:
            self.error(problem)
            return
        self.error("")
        self.added.append((uid, name, role))
        box = self.query_one("#ow-search", Input)
        box.value = ""
        box.focus()
        self._show_pending()

    def _conflict(self, uid: int, name: str, role: str) -> str:
        """The rules the store keeps, checked here so the officer sees them at once."""
        live: list[tuple[int | str, str]] = []
        if not self.several:
            for o in self.owners:
                if o.assignment_id in self.removed or o.unit_id is None:
                    continue
                live.append((o.unit_id, self.roles.get(o.assignment_id, o.role)))
        live += [(u if u != NEW else n, r) for u, n, r in self.added]
        key = uid if uid != NEW else name
        if (key, role) in live:
            return f"{name}已是该任务的{ROLE_LABEL[role]}单位"
        if role != "lead" and (key, "lead") in live:
            return f"{name}是该任务的牵头单位，不能同时列为{ROLE_LABEL[role]}单位"
        if role == "lead" and any(k == key and r != "lead" for k, r in live):
            return f"{name}已是该任务的责任或配合单位，请先移除（X）或改变其角色（R）"
        return ""

    def _show_pending(self) -> None:
        lines: list[str] = []
        for u, n, r in self.added:
            lines.append(f"新增 {n}（{ROLE_LABEL[r]}）" + ("，新建单位" if u == NEW else ""))
        for o in self.owners:
            if o.assignment_id in self.removed:
                lines.append(f"移除 {o.name}（{ROLE_LABEL.get(o.role, o.role)}）")
            elif o.assignment_id in self.roles:
                new = self.roles[o.assignment_id]
                lines.append(f"{o.name}：{ROLE_LABEL[o.role]} → {ROLE_LABEL[new]}")
        text = Text("将要：" if lines else "尚无改动", style="bold" if lines else "dim")
        for line in lines:
            text.append("\n  " + line, style="")
        self.query_one("#ow-pending", Static).update(text)

    def result(self) -> OwnersResult:
        res = OwnersResult(
            remove=sorted(self.removed),
            roles=sorted(self.roles.items()),
            add=[(u, r) for u, _n, r in self.added if u != NEW],
            new_units=[(n, r) for u, n, r in self.added if u == NEW],
        )
        if res.empty:
            raise ValueError("负责单位没有改动")
        return res
