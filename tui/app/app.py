"""督办台: the desk staff's keyboard-driven workspace (GUIDE §1).

The app keeps one in-memory board (``DeskData``: every live assignment, evaluated as of the
desk's date, with a search key per row) loaded in a thread worker. Tables are virtual and only
draw visible rows, so filters and search are list operations over indices. Every change goes
through ``tui.store`` in one transaction, then the board is reloaded in the worker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from rich.text import Text
from sqlalchemy.engine import Engine
from sqlmodel import Session
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static, TabbedContent, TabPane, Tree
from textual.worker import get_current_worker

from tui.app.screens.common import ROLE_SHORT, days_text, iso, light, percent
from tui.app.screens.help import HelpScreen
from tui.app.screens.importer import ProgressScreen, report_text
from tui.app.screens.items import ItemsView
from tui.app.screens.letters import LettersView
from tui.app.screens.modals import (
    ConfirmModal,
    DateModal,
    DeadlineModal,
    ExtensionModal,
    FilterModal,
    GroupResolveModal,
    ImportPathModal,
    MergeModal,
    ProgressModal,
    UnitEditModal,
)
from tui.app.screens.overview import OverviewView
from tui.app.screens.plans import PlansView
from tui.app.screens.triage import TriageView
from tui.app.screens.units import UnitsView
from tui.app.widgets.keybar import KeyBar
from tui.app.widgets.vtable import VirtualTable
from tui.domain.board import Evaluated
from tui.domain.escalation import RUNG_LABEL, ladder_rung
from tui.domain.search import Filters, describe_filters
from tui.domain.status import Status
from tui.errors import DubanError
from tui.letters.compose import preview_text
from tui.store.db import operator_name, transaction
from tui.store.desk import (
    DeskData,
    PendingGroup,
    UnitFigure,
    UnitInfo,
    edit_unit,
    engine_db,
    load_desk,
    merge_units,
    pending_groups,
    plan_tree,
    resolve_group,
    task_detail,
    unit_figures,
    unit_infos,
    unit_list,
)
from tui.store.letters import (
    default_letters_dir,
    draft_letters,
    letter_model,
    list_letters,
    print_letters,
    sign_letters,
)

TABS = ("overview", "plans", "items", "units", "triage", "letters")
TAB_TITLES = ("1 总览", "2 计划", "3 督办事项", "4 单位", "5 待办", "6 函件")
SORTS = (("urgency", "紧急程度"), ("deadline", "期限"), ("unit", "单位"), ("task", "任务"))
ITEM_ACTIONS = {"progress", "close", "reopen", "deadline", "extension"}
UNIT_ACTIONS = {"edit_unit", "merge_unit", "resolve_group"}
LETTER_ACTIONS = {"draft_letters", "sign_letter", "print_letter"}


class DubanApp(App):
    TITLE = "督办台"
    CSS_PATH = [
        "app.tcss",
        "screens/overview.tcss",
        "screens/plans.tcss",
        "screens/items.tcss",
        "screens/units.tcss",
        "screens/triage.tcss",
        "screens/letters.tcss",
    ]
    BINDINGS = [
        Binding("1", "tab('overview')", "总览", show=False),
        Binding("2", "tab('plans')", "计划", show=False),
        Binding("3", "tab('items')", "督办事项", show=False),
        Binding("4", "tab('units')", "单位", show=False),
        Binding("5", "tab('triage')", "待办", show=False),
        Binding("6", "tab('letters')", "函件", show=False),
        Binding("n", "draft_letters", "起草函件"),
        Binding("k", "sign_letter", "签发"),
        Binding("P", "print_letter", "打印"),
        Binding("p", "progress", "进展"),
        Binding("a", "close", "验收"),
        Binding("o", "reopen", "重开", show=False),
        Binding("t", "deadline", "期限"),
        Binding("x", "extension", "延期"),
        Binding("slash", "search", "搜索"),
        Binding("f", "filters", "筛选"),
        Binding("s", "sort", "排序"),
        Binding("space", "toggle_select", "选中", show=False),
        Binding("e", "edit_unit", "改单位"),
        Binding("m", "merge_unit", "合并"),
        Binding("g", "resolve_group", "分解"),
        Binding("u", "undo", "撤销"),
        Binding("i", "import_plan", "导入"),
        Binding("d", "as_of", "日期"),
        Binding("r", "reload", "刷新", show=False),
        Binding("question_mark,f1", "help", "帮助"),
        Binding("q", "quit", "退出"),
    ]

    def __init__(
        self,
        engine: Engine,
        as_of: date | None = None,
        *,
        operator: str | None = None,
        soon_days: int | None = None,
        import_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.db = engine_db(engine)
        self.as_of = as_of or date.today()
        settings = None
        try:
            from tui.config import load_settings

            settings = load_settings()
        except DubanError:
            settings = None
        self.operator = (
            operator
            or (settings.operator if settings and settings.operator else "")
            or operator_name()
        )
        self.soon_days = (
            soon_days if soon_days is not None else (settings.soon_days if settings else 15)
        )
        self.ladder_settings = settings.ladder() if settings else None
        self.import_dir = import_dir or Path.cwd()
        self.data: DeskData | None = None
        self._screens_ready = False
        self._pending: tuple | None = None
        self.items_view: list[int] = []
        self.triage_view: list[int] = []
        self.units: list[UnitInfo] = []
        self.unit_figs: dict[int, UnitFigure] = {}
        self.groups: list[PendingGroup] = []
        self.selected: set[int] = set()
        self.query_text = ""
        self.filters = Filters()
        self.sort_mode = 0
        self._base: list[int] | None = None
        self._last_search: tuple[str, list[int]] | None = None
        self._tree_loaded = False
        self.last_message = ""
        self.loads = 0
        self.letters: list = []

    @property
    def by_id(self) -> Mapping[int, Evaluated]:
        """Assignment id → its row on the desk (built when read)."""
        return self.data.by_id if self.data is not None else {}

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs", initial="overview"):
            with TabPane(TAB_TITLES[0], id="overview"):
                yield OverviewView(id="overview-view")
            with TabPane(TAB_TITLES[1], id="plans"):
                yield PlansView(id="plans-view")
            with TabPane(TAB_TITLES[2], id="items"):
                yield ItemsView(self._item_cells, self._item_selected, id="items-view")
            with TabPane(TAB_TITLES[3], id="units"):
                yield UnitsView(self._unit_cells, self._group_cells, id="units-view")
            with TabPane(TAB_TITLES[4], id="triage"):
                yield TriageView(self._triage_cells, id="triage-view")
            with TabPane(TAB_TITLES[5], id="letters"):
                yield LettersView(id="letters-view")
        yield KeyBar()

    def on_load(self) -> None:
        # Start reading the store now: the SQL runs while Textual builds the screens.
        self.reload()

    def on_mount(self) -> None:
        self._update_title()
        self._screens_ready = True
        if self._pending is not None:
            args, self._pending = self._pending, None
            self._apply(*args)

    def _deliver(self, *args) -> None:
        """The worker's result, shown once the screens exist."""
        if self._screens_ready:
            self._apply(*args)
        else:
            self._pending = args

    def _update_title(self) -> None:
        self.sub_title = f"截至 {self.as_of.isoformat()}　操作人 {self.operator}"

    @property
    def active_tab(self) -> str:
        return self.query_one("#tabs", TabbedContent).active or "overview"

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab
        self._focus_tab(tab)

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = event.pane.id or ""
        if tab == "plans" and not self._tree_loaded:
            self._tree_loaded = True
            self.load_tree()
        self._focus_tab(tab)
        self.refresh_bindings()

    def _focus_tab(self, tab: str) -> None:
        target = {
            "overview": "#ov-units-table",
            "plans": "#plan-tree",
            "items": "#items-table",
            "units": "#units-table",
            "triage": "#triage-table",
            "letters": "#letters-table",
        }.get(tab)
        if target:
            self.query_one(target).focus()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        tab = self.active_tab if self.is_mounted else "overview"
        if action in ITEM_ACTIONS:
            return True if tab in ("items", "triage") else None
        if action in UNIT_ACTIONS:
            return True if tab == "units" else None
        if action in LETTER_ACTIONS:
            return True if tab == "letters" else None
        if action in ("toggle_select", "sort", "filters"):
            return True if tab == "items" else None
        return True

    # ------------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def reload(self) -> None:
        """Read the whole board (and the unit lists) off the UI thread."""
        worker = get_current_worker()
        try:
            data = load_desk(self.db, self.as_of, soon_days=self.soon_days)
            with Session(self.engine) as s:
                units = unit_infos(s)
                groups = pending_groups(s)
                letters = list_letters(s, today=self.as_of)
        except DubanError as exc:
            self.call_from_thread(self.say, exc.message, "error")
            return
        if not worker.is_cancelled:
            self.call_from_thread(self._deliver, data, units, groups, letters)

    def action_reload(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="tree", exit_on_error=False)
    def load_tree(self) -> None:
        with Session(self.engine) as s:
            items = plan_tree(s)
        self.call_from_thread(self.query_one(PlansView).show_tree, items)

    def _apply(
        self,
        data: DeskData,
        units: list[UnitInfo],
        groups: list[PendingGroup],
        letters: Sequence = (),
    ) -> None:
        keep_item = self._current_id("items-table", self.items_view)
        keep_triage = self._current_id("triage-table", self.triage_view)
        old, self.data = self.data, data
        if old is not None:
            old.close()
        self._base = None
        self._last_search = None
        self.units = units
        self.groups = groups
        figures = unit_figures(data)
        self.unit_figs = {u.unit_id: u for u in figures}
        self.selected = {a for a in self.selected if data.index_of(a) is not None}
        self.letters = list(letters)
        self.query_one(OverviewView).show(data, figures, self.letters)
        self.query_one(LettersView).show(self.letters)
        self._recompute_items(keep_item)
        self.triage_view = data.needs_action()
        self._set_table("triage-table", self.triage_view, keep_triage)
        self._update_triage_status()
        self.query_one("#units-table", VirtualTable).set_count(len(units))
        self.query_one("#groups-table", VirtualTable).set_count(len(groups))
        self.loads += 1

    def _current_id(self, table_id: str, view: list[int]) -> int | None:
        if self.data is None:
            return None
        t = self.query_one(f"#{table_id}", VirtualTable)
        if 0 <= t.cursor < len(view):
            return self.data.ids[view[t.cursor]]
        return None

    def _set_table(self, table_id: str, view: list[int], keep_id: int | None) -> None:
        cursor = None
        if keep_id is not None and self.data is not None:
            i = self.data.index_of(keep_id)
            if i is not None:
                try:
                    cursor = view.index(i)
                except ValueError:
                    cursor = None
        self.query_one(f"#{table_id}", VirtualTable).set_count(len(view), cursor=cursor)

    # ------------------------------------------------------------------ items: search/filter/sort

    def _filtered_base(self) -> list[int] | None:
        """Rows passing the filters, or None when no filter is set (every row)."""
        if self._base is None and self.data is not None and self.filters.active:
            self._base = self.data.filter(self.filters)
        return self._base if self.filters.active else None

    def _recompute_items(self, keep_id: int | None = None) -> None:
        if self.data is None:
            return
        base = self._filtered_base()
        q = self.query_text.strip().lower()
        if q:
            among = base
            last = self._last_search
            if last is not None and q.startswith(last[0]):
                among = last[1]
            view = self.data.search(q, among)
            self._last_search = (q, view)
        else:
            view = base if base is not None else list(range(len(self.data)))
            self._last_search = None
        mode = SORTS[self.sort_mode][0]
        if mode != "urgency":
            view = sorted(view, key=self.data.rank(mode).__getitem__)
        self.items_view = view
        self._set_table("items-table", view, keep_id)
        self._update_items_status()

    def _update_items_status(self) -> None:
        total = len(self.data) if self.data else 0
        parts = [
            f"共 {total} 项，显示 {len(self.items_view)} 项",
            f"排序：{SORTS[self.sort_mode][1]}",
        ]
        if self.query_text:
            parts.append(f"搜索：{self.query_text}")
        desc = describe_filters(self.filters, self.data.plans if self.data else None)
        if desc:
            parts.append(f"筛选：{desc}")
        if self.selected:
            parts.append(f"已选 {len(self.selected)} 项")
        self.query_one("#items-status", Static).update(" · ".join(parts))

    def _update_triage_status(self) -> None:
        n = len(self.triage_view)
        self.query_one("#triage-status", Static).update(
            f"待办 {n} 项（逾期且 30 天无进展、临期），按紧急程度排列 · p 进展  a 验收  t 期限  x 延期"
        )

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value
        self._recompute_items()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#items-table").focus()

    def action_search(self) -> None:
        if self.active_tab != "items":
            self.action_tab("items")
        box = self.query_one("#search", Input)
        box.add_class("shown")
        self.call_after_refresh(box.focus)

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#search", Input):
            box = self.query_one("#search", Input)
            if not box.value:
                box.remove_class("shown")
            self.query_one("#items-table").focus()
            event.stop()

    def action_sort(self) -> None:
        self.sort_mode = (self.sort_mode + 1) % len(SORTS)
        self._recompute_items(self._current_id("items-table", self.items_view))
        self.say(f"排序：{SORTS[self.sort_mode][1]}")

    def action_filters(self) -> None:
        if self.data is None:
            return

        def done(result: Filters | None) -> None:
            if result is None:
                return
            self.filters = result
            self._base = None
            self._last_search = None
            self._recompute_items()

        self.push_screen(FilterModal(self.filters, self.data.plans), done)

    def action_toggle_select(self) -> None:
        t = self.query_one("#items-table", VirtualTable)
        if not self.items_view or self.data is None:
            return
        aid = self.data.ids[self.items_view[t.cursor]]
        self.selected ^= {aid}
        t.action_cursor(1)
        t.refresh()
        self._update_items_status()

    # ------------------------------------------------------------------ row cells

    def _item_selected(self, n: int) -> bool:
        return bool(self.selected) and self.data.ids[self.items_view[n]] in self.selected

    def _item_cells(self, n: int) -> list:
        r = self.data.row(self.items_view[n])
        f = r.fact
        mark = Text("✚", style="bold") if f.id in self.selected else ""
        unit = Text(f.unit_name, style="magenta") if f.unit_id is None else f.unit_name
        last = ""
        if f.progress_dates:
            last = f"{f.progress_dates[-1].strftime('%m-%d')} {f.last_progress}"
        return [
            mark,
            light(r.status.status),
            days_text(r.status),
            iso(r.status.due),
            f.task_number,
            f.task_title,
            unit,
            ROLE_SHORT.get(f.role, f.role),
            last,
            str(f.letters_sent or ""),
        ]

    def _triage_cells(self, n: int) -> list:
        r = self.data.row(self.triage_view[n])
        f = r.fact
        return [
            light(r.status.status),
            days_text(r.status),
            f.unit_name,
            f.task_number,
            f.task_title,
            iso(f.progress_dates[-1]) if f.progress_dates else "无进展",
            RUNG_LABEL[self._rung(r).rung] if self._rung(r).rung else "",
        ]

    def _rung(self, r: Evaluated):
        f = r.fact
        kw = {"settings": self.ladder_settings} if self.ladder_settings else {}
        return ladder_rung(
            r.status,
            self.as_of,
            last_progress=f.progress_dates[-1] if f.progress_dates else None,
            **kw,
        )

    def _unit_cells(self, n: int) -> list:
        u = self.units[n]
        fig = self.unit_figs.get(u.id)
        total, done, overdue = (fig.total, fig.done, fig.overdue) if fig else (0, 0, 0)
        return [
            u.name,
            u.kind,
            str(total),
            str(done),
            Text(str(overdue), style="bold red") if overdue else "0",
            percent(fig.rate) if fig else "—",
            u.head or "",
        ]

    def _group_cells(self, n: int) -> list:
        g = self.groups[n]
        return [g.region, g.name, str(g.assignments)]

    # ------------------------------------------------------------------ detail panes

    @on(VirtualTable.Highlighted, "#items-table")
    def _item_highlighted(self, event: VirtualTable.Highlighted) -> None:
        if self.data and 0 <= event.index < len(self.items_view):
            self._show_line("#items-detail", self.data.rows[self.items_view[event.index]])

    @on(VirtualTable.Highlighted, "#triage-table")
    def _triage_highlighted(self, event: VirtualTable.Highlighted) -> None:
        if self.data and 0 <= event.index < len(self.triage_view):
            r = self.data.rows[self.triage_view[event.index]]
            self._show_line("#triage-detail", r, self._rung(r).reason)

    def _show_line(self, target: str, r: Evaluated, extra: str = "") -> None:
        f = r.fact
        t = Text.assemble(
            light(r.status.status, words=True),
            f" {f.task_number}{f.task_title}  ",
            (f"{f.unit_name}（{ROLE_SHORT.get(f.role, f.role)}）", "bold"),
            f"  #{f.id}\n",
            (f.plan_title, "dim"),
        )
        if f.last_progress:
            t.append(f"\n最近进展：{iso(f.progress_dates[-1])} {f.last_progress}")
        if extra:
            t.append(f"\n建议：{extra}")
        for pane in self.query(target).results(Static):  # none while the app is closing
            pane.update(t)

    @on(Tree.NodeHighlighted, "#plan-tree")
    def _tree_highlighted(self, event: Tree.NodeHighlighted) -> None:
        data = event.node.data
        if data and data[0] == "task":
            self.show_task(data[1])

    def show_task(self, task_id: int) -> None:
        with Session(self.engine) as s:
            detail = task_detail(s, task_id)
        self.query_one(PlansView).show_detail(detail, self.by_id)

    @on(VirtualTable.Chosen, "#ov-units-table")
    def _overview_unit_chosen(self, event: VirtualTable.Chosen) -> None:
        """Enter on a unit in the overview opens it on the 单位 screen."""
        fig = self.query_one(OverviewView).unit_at(event.index)
        n = next((k for k, u in enumerate(self.units) if fig and u.id == fig.unit_id), None)
        if n is None:
            return
        self.action_tab("units")
        self.query_one("#units-table", VirtualTable).cursor = n
        self.show_unit(n)

    @on(VirtualTable.Chosen, "#units-table")
    def _unit_chosen(self, event: VirtualTable.Chosen) -> None:
        self.show_unit(event.index)

    @on(VirtualTable.Chosen, "#groups-table")
    def _group_chosen(self, event: VirtualTable.Chosen) -> None:
        self.action_resolve_group()

    def show_unit(self, n: int) -> None:
        if not (0 <= n < len(self.units)):
            return
        u = self.units[n]
        with Session(self.engine) as s:
            items = unit_list(s, u.id)
        self.query_one(UnitsView).show_unit(u, self.unit_figs.get(u.id), items, self.by_id)

    # ------------------------------------------------------------------ writes

    # ------------------------------------------------------------------ letters

    @on(DataTable.RowHighlighted, "#letters-table")
    def _letter_highlighted(self, event: DataTable.RowHighlighted) -> None:
        letter_id = self.query_one(LettersView).current_id()
        if letter_id is None:
            return
        try:
            with Session(self.engine) as s:
                _, model = letter_model(s, letter_id)
            text = preview_text(model)
        except DubanError as exc:
            text = exc.message
        self.query_one(LettersView).show_preview(text)

    def action_draft_letters(self) -> None:
        """Draft what the ladder proposes as of the desk's date: one letter per unit per kind."""

        def draft(s: Session) -> int:
            n = 0
            for kind in ("督办", "提醒", "提示"):
                n += len(draft_letters(s, kind, self.as_of, actor=self.operator))
            return n

        if self.write(
            draft, lambda n: f"已起草 {n} 件函件（草稿，待签发）" if n else "截至今日没有应发的函件"
        ):
            self.reload()

    def action_sign_letter(self) -> None:
        letter_id = self.query_one(LettersView).current_id()
        if letter_id is None:
            self.say("没有选中的函件", "warning")
            return
        try:
            (letter,) = sign_letters(self.engine, [letter_id], self.operator, actor=self.operator)
        except DubanError as exc:
            self.say(exc.message, "error")
            return
        self.say(f"已签发：{letter.number}")
        self.reload()

    def action_print_letter(self) -> None:
        letter_id = self.query_one(LettersView).current_id()
        if letter_id is None:
            self.say("没有选中的函件", "warning")
            return
        self.print_letter(letter_id)

    @work(thread=True, exclusive=True, group="print", exit_on_error=False)
    def print_letter(self, letter_id: int) -> None:
        """Rendering and `lp` take a moment: off the UI thread."""
        try:
            jobs = print_letters(
                self.engine, [letter_id], self.operator, out_dir=default_letters_dir(self.db)
            )
        except DubanError as exc:
            self.call_from_thread(self.say, exc.message, "error")
            return
        where = "、".join(j.printer for j in jobs)
        self.call_from_thread(self.say, f"已送打印机（{where}）")
        self.call_from_thread(self.reload)

    def say(self, message: str, severity: str = "information") -> None:
        self.last_message = message
        self.notify(message, severity=severity, timeout=4)

    def write(
        self, fn: Callable[[Session], object], message: str | Callable[[object], str]
    ) -> bool:
        """One transaction; a DubanError is shown and nothing is written."""
        try:
            with transaction(self.engine) as s:
                result = fn(s)
        except DubanError as exc:
            self.say(exc.message, "error")
            return False
        self.say(message(result) if callable(message) else message)
        self.reload()
        return True

    def _targets(self, *, bulk: bool = True) -> list[Evaluated]:
        if self.data is None:
            return []
        tab = self.active_tab
        if tab == "items":
            if bulk and self.selected:
                return [self.by_id[i] for i in sorted(self.selected) if i in self.by_id]
            view, table = self.items_view, "#items-table"
        elif tab == "triage":
            view, table = self.triage_view, "#triage-table"
        else:
            return []
        t = self.query_one(table, VirtualTable)
        if 0 <= t.cursor < len(view):
            return [self.data.rows[view[t.cursor]]]
        return []

    def _need(self, targets: list[Evaluated]) -> bool:
        if not targets:
            self.say("请先在督办事项或待办中选中落实事项", "warning")
            return False
        return True

    @staticmethod
    def _label(targets: list[Evaluated]) -> str:
        if len(targets) == 1:
            f = targets[0].fact
            return f"{f.unit_name}：{f.task_number}{f.task_title}"
        return f"已选 {len(targets)} 项"

    def action_progress(self) -> None:
        from tui.store.progress import record_progress

        targets = self._targets()
        if not self._need(targets):
            return
        ids = [t.fact.id for t in targets]

        def done(res) -> None:
            if res is None:
                return

            def fn(s: Session) -> None:
                for aid in ids:
                    record_progress(s, aid, res.text, res.on, self.operator, done=res.done)

            if self.write(fn, f"已记录进展 {len(ids)} 项" + ("并验收销号" if res.done else "")):
                self.selected.clear()

        self.push_screen(ProgressModal(f"记录进展 — {self._label(targets)}", self.as_of), done)

    def action_close(self) -> None:
        from tui.store.progress import close

        targets = self._targets()
        if not self._need(targets):
            return
        ids = [t.fact.id for t in targets]

        def fn(s: Session) -> None:
            for aid in ids:
                close(s, aid, self.as_of, self.operator)

        if self.write(fn, f"已验收销号 {len(ids)} 项（{self.as_of.isoformat()}）"):
            self.selected.clear()

    def action_reopen(self) -> None:
        from tui.store.progress import reopen

        targets = self._targets(bulk=False)
        if not self._need(targets):
            return
        aid = targets[0].fact.id
        self.write(lambda s: reopen(s, aid, self.operator, "在督办台重新打开"), "已重新打开")

    def action_deadline(self) -> None:
        from tui.store.deadlines import set_manual_deadline
        from tui.store.models import Task

        targets = self._targets(bulk=False)
        if not self._need(targets):
            return
        r = targets[0]
        tid = r.fact.task_id
        current = "、".join(d.isoformat() for d in r.fact.due_dates[:4])

        def done(res) -> None:
            if res is None:
                return

            def fn(s: Session):
                task = s.get(Task, tid)
                return set_manual_deadline(s, task, res.value, res.reason, self.operator)

            self.write(fn, f"已更正任务 {r.fact.task_number} 的期限")

        title = f"更正期限 — {r.fact.task_number}{r.fact.task_title}（影响该任务全部单位）"
        self.push_screen(DeadlineModal(title, current), done)

    def action_extension(self) -> None:
        from tui.store.progress import record_extension

        targets = self._targets(bulk=False)
        if not self._need(targets):
            return
        aid = targets[0].fact.id

        def done(res) -> None:
            if res is None:
                return

            def fn(s: Session) -> None:
                record_extension(
                    s,
                    aid,
                    requested_on=res.requested_on,
                    reason=res.reason,
                    new_due=res.new_due,
                    granted=res.granted,
                    actor=self.operator,
                    note=res.note,
                )

            verdict = f"同意延期至 {res.new_due.isoformat()}" if res.granted else "不同意延期"
            self.write(fn, f"已记录延期申请：{verdict}")

        self.push_screen(ExtensionModal(f"延期申请 — {self._label(targets)}", self.as_of), done)

    def action_undo(self) -> None:
        from tui.store.undo import undo_last

        self.write(lambda s: undo_last(s, self.operator), lambda msg: str(msg))

    def action_as_of(self) -> None:
        def done(d: date | None) -> None:
            if d is None:
                return
            self.as_of = d
            self._update_title()
            self.say(f"查看日期改为 {d.isoformat()}")
            self.reload()

        self.push_screen(DateModal(self.as_of), done)

    # ------------------------------------------------------------------ units

    def _current_unit(self) -> UnitInfo | None:
        t = self.query_one("#units-table", VirtualTable)
        return self.units[t.cursor] if 0 <= t.cursor < len(self.units) else None

    def action_edit_unit(self) -> None:
        u = self._current_unit()
        if u is None:
            return

        def done(res) -> None:
            if res is None:
                return
            self.write(
                lambda s: edit_unit(
                    s,
                    u.id,
                    head=res.head,
                    contact=res.contact,
                    phone=res.phone,
                    aliases=res.aliases,
                    actor=self.operator,
                ),
                f"已修改单位信息：{u.name}",
            )

        self.push_screen(
            UnitEditModal(f"修改单位信息 — {u.name}", u.head, u.contact, u.phone, u.aliases), done
        )

    def action_merge_unit(self) -> None:
        u = self._current_unit()
        if u is None:
            return
        candidates = [(x.name, x.id) for x in self.units if x.region == u.region and x.id != u.id]

        def done(target: int | None) -> None:
            if target is None:
                return
            name = next((x.name for x in self.units if x.id == target), str(target))
            self.write(
                lambda s: merge_units(s, u.id, target, self.operator),
                lambda n: f"已将“{u.name}”并入“{name}”（移交落实事项 {n} 项）",
            )

        self.push_screen(MergeModal(u.name, candidates), done)

    def action_resolve_group(self) -> None:
        if not self.groups:
            self.say("没有待分解的单位组")
            return
        gt = self.query_one("#groups-table", VirtualTable)
        ordered = list(self.groups)
        if 0 <= gt.cursor < len(ordered):
            ordered.insert(0, ordered.pop(gt.cursor))
        choices = [(f"{g.region} {g.name}（{g.assignments} 项）", g.group_id) for g in ordered]
        by_group = {
            g.group_id: [
                (f"{u.name}（{u.kind}）", u.id) for u in self.units if u.region == g.region
            ]
            for g in ordered
        }

        def done(res) -> None:
            if res is None:
                return
            self.write(
                lambda s: resolve_group(s, res.group_id, res.unit_ids, self.operator),
                lambda n: f"已分解为 {n} 项单位落实事项",
            )

        self.push_screen(GroupResolveModal(choices, by_group), done)

    # ------------------------------------------------------------------ import

    def action_import_plan(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is not None:
                self.pending_import = path
                self._progress = ProgressScreen(f"正在检查：{path.name}")
                self.push_screen(self._progress)
                self.run_import(path, dry_run=True)

        self.push_screen(ImportPathModal(self.import_dir), chosen)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def run_import(self, path: Path, dry_run: bool) -> None:
        from tui.ingest.parser import parse_document
        from tui.ingest.readers import read_document
        from tui.store.importer import import_parsed

        def progress(stage: str, done: int, total: int) -> None:
            self.call_from_thread(self._progress.advance, stage, done, total)

        try:
            doc = read_document(path)
            report = import_parsed(
                self.engine,
                parse_document(doc),
                source=str(path),
                kind=doc.kind,
                encoding=doc.encoding,
                dry_run=dry_run,
                actor=self.operator,
                progress=progress,
            )
        except DubanError as exc:
            self.call_from_thread(self._import_failed, exc.message)
            return
        self.call_from_thread(self._import_done, path, report)

    def _import_failed(self, message: str) -> None:
        self.pop_screen()
        self.say(f"导入失败：{message}", "error")

    def _import_done(self, path: Path, report) -> None:
        self.pop_screen()
        if not report.dry_run:
            self.say(
                f"已导入：{report.plan_title}（任务 {len(report.tasks)} 项，落实事项 {report.assignments} 项）"
            )
            self._tree_loaded = False
            if self.active_tab == "plans":
                self._tree_loaded = True
                self.load_tree()
            self.reload()
            return

        def confirm(ok: bool | None) -> None:
            if ok:
                self._progress = ProgressScreen(f"正在导入：{path.name}")
                self.push_screen(self._progress)
                self.run_import(path, dry_run=False)
            else:
                self.say("已取消导入，未写入任何数据")

        self.push_screen(
            ConfirmModal("导入预检报告（尚未写入）", report_text(report), confirm="确认导入 (Y)"),
            confirm,
        )

    # ------------------------------------------------------------------ help and palette

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        entries = [
            ("总览", "切换到总览页", lambda: self.action_tab("overview")),
            ("计划", "切换到计划页", lambda: self.action_tab("plans")),
            ("督办事项", "切换到督办事项页", lambda: self.action_tab("items")),
            ("单位", "切换到单位页", lambda: self.action_tab("units")),
            ("待办", "切换到待办页", lambda: self.action_tab("triage")),
            ("函件", "切换到函件页", lambda: self.action_tab("letters")),
            ("起草函件", "按督办阶梯起草应发的函件 (n)", self.action_draft_letters),
            ("签发函件", "签发选中的函件 (k)", self.action_sign_letter),
            ("打印函件", "打印选中的函件 (P)", self.action_print_letter),
            ("记录进展", "为选中的落实事项记录进展 (p)", self.action_progress),
            ("验收销号", "验收并销号选中的落实事项 (a)", self.action_close),
            ("重新打开", "重新打开已销号的事项 (o)", self.action_reopen),
            ("更正期限", "设定或更正任务期限 (t)", self.action_deadline),
            ("延期申请", "记录延期申请及批复 (x)", self.action_extension),
            ("搜索", "搜索督办事项 (/)", self.action_search),
            ("筛选", "按状态、单位、类别、计划、角色筛选 (f)", self.action_filters),
            ("排序", "切换排序方式 (s)", self.action_sort),
            ("修改单位", "修改单位负责人、联系人、别名 (e)", self.action_edit_unit),
            ("合并单位", "把两个同一单位合并 (m)", self.action_merge_unit),
            ("分解单位组", "把待分解的单位组分解到具体单位 (g)", self.action_resolve_group),
            ("撤销", "撤销上一步修改 (u)", self.action_undo),
            ("导入计划", "选择文件导入计划 (i)", self.action_import_plan),
            ("更改日期", "更改查看日期 (d)", self.action_as_of),
            ("刷新", "重新读取数据 (r)", self.action_reload),
            ("帮助", "按键说明 (?)", self.action_help),
        ]
        for title, help_text, cb in entries:
            yield SystemCommand(title, help_text, cb)

    # ------------------------------------------------------------------ text for tests/README

    def screen_text(self) -> str:
        """What the active tab shows, as plain text (tests, the README rendering)."""
        tab = self.active_tab
        parts: list[str] = []
        for w in self.query_one(f"#{tab}").query("*"):
            if isinstance(w, VirtualTable):
                parts += w.render_lines_text()
            elif isinstance(w, Static):
                parts.append(_plain(w))
        return "\n".join(parts)

    def status_counts(self) -> dict[Status, int]:
        return self.data.count_by_status() if self.data else {}


def _plain(w: Static) -> str:
    r = w.render()
    if isinstance(r, Text):
        return r.plain
    content = getattr(w, "content", None)
    if isinstance(content, Text):
        return content.plain
    if isinstance(content, str):
        return content
    from rich.console import Console

    console = Console(width=120, record=True, color_system=None)
    with console.capture() as cap:
        console.print(content if content is not None else r)
    return cap.get()
