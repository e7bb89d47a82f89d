"""3 督办事项: every assignment, by urgency; search, filters, sort, and a visible selection
(count, only-selected view, Esc clears it; bulk dialogs list every selected item, also the
ones a later search hides)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Static

from tui.app.cells import ROLE_SHORT, days_text, iso, light
from tui.app.keymap import bindings
from tui.app.modals.items import FilterModal
from tui.app.tabs.base import QUIET_S, DeskTab, Latest
from tui.app.tabs.item_actions import ItemActions
from tui.app.tabs.item_detail import detail_text
from tui.app.widgets.searchbox import SearchBox
from tui.app.widgets.vtable import Column, VirtualTable
from tui.domain.search import Filters, describe_filters, release_pinyin
from tui.heap import release_free_memory
from tui.services import board as board_svc

ITEM_COLUMNS = (
    Column("", 1),
    Column("状态", 4),
    Column("逾期/剩余", 10),
    Column("期限", 10, drop=2),
    Column("编号", 6),
    Column("任务", 0),
    Column("单位", 14),
    Column("角色", 4, drop=3),
    Column("最近进展", 16, drop=1),
    Column("函", 2, "right", drop=4),
)
DETAIL_LINES = 5  # the detail pane's max-height (tabs.tcss, #items-detail)
SEARCHES_KEPT = 16  # query results kept for backspace (each at most one list of row positions)
SORTS = (("urgency", "紧急程度"), ("deadline", "期限"), ("unit", "单位"), ("task", "任务"))


def _warm(data) -> None:
    """In a worker: what the keys will need, then pypinyin and the pages freed meanwhile
    given back (the unit names' initials are cached; ~50 MB less for the desk)."""
    data.warm()
    release_pinyin()
    release_free_memory()


class ItemsTab(ItemActions, DeskTab):
    TAB_ID = "items"
    BINDINGS = bindings("items")

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.view: Sequence[int] = []  # board rows shown, in order (a range or the kept order
        # for the whole board; never changed in place)
        self.selected: set[int] = set()
        self.query_text = ""
        self.filters = Filters()
        self.sort_mode = 0
        self.only_selected = False
        self._base: list[int] | None = None
        self._last_search: tuple[str, list[int]] | None = None
        self._searches: dict[str, list[int]] = {}  # query → rows, for this board and filters
        self._wanted: set[int] = set()
        self._report_timer = None
        self._data = None
        self._detail_lines: int | None = None  # lines the detail pane shows
        self._board_no = 0  # which board the table's kept lines were drawn from
        self._detail = Latest(
            self,
            lambda aid: (board_svc.item_detail, self.desk.store, aid, self.desk.as_of),
            self._show_detail,
        )

    @property
    def data(self):
        """The board's rows this tab shows (its view indexes them)."""
        return self._data

    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="items-status")
        yield SearchBox(
            self._search_changed,
            placeholder="搜索：任务内容、单位名称或拼音首字母（如 sfj）",
            id="search",
        )
        yield VirtualTable(
            ITEM_COLUMNS,
            self._cells,
            is_selected=self._is_selected,
            row_key=self._row_key,
            id="items-table",
        )
        yield Static("", id="items-detail")

    def main_widget(self):
        return self.query_one("#items-table", VirtualTable)

    # ---------------------------------------------------------------- board

    def show_board(self, board) -> None:
        keep = self.current_id()
        self._forget_results()
        data = self._data = board.data
        self._board_no += 1
        self.query_one("#items-table", VirtualTable).forget_lines()
        self.selected = {a for a in self.selected if data.index_of(a) is not None}
        self.recompute(keep)
        # the search index and the sort orders, built behind the screen before the first key
        self.desk.jobs.run(_warm, data, group="warm")

    def current_id(self) -> int | None:
        data = self.data
        if data is None:
            return None
        t = self.query_one("#items-table", VirtualTable)
        if 0 <= t.cursor < len(self.view):
            return data.ids[self.view[t.cursor]]
        return None

    def show_assignment(self, aid: int) -> bool:
        """Put the cursor on an assignment (clearing search and filters if they hide it)."""
        data = self.data
        i = data.index_of(aid) if data is not None else None
        if i is None:
            return False
        if i not in self.view:
            region = (self.filters.region, self.filters.plan_ids)
            self.query_text, self.only_selected = "", False
            self.filters = Filters().in_region(*region)
            self.query_one("#search", Input).value = ""
            self._forget_results()
            self.recompute()
        if i not in self.view:  # an item of another region: the desk leaves the region
            self.desk.regions.apply("", None)
        self.query_one("#items-table", VirtualTable).cursor = self.view.index(i)
        return True

    # ---------------------------------------------------------------- search, filter, sort

    def _forget_results(self) -> None:
        """The board or the filters changed: rows found before no longer apply."""
        self._base = None
        self._last_search = None
        self._searches = {}

    def _filtered_base(self) -> list[int] | None:
        if self._base is None and self.data is not None and self.filters.active:
            self._base = self.data.filter(self.filters)
        return self._base if self.filters.active else None

    def recompute(self, keep_id: int | None = None) -> None:
        data = self.data
        if data is None:
            return
        if self.only_selected:
            view = sorted(i for a in self.selected if (i := data.index_of(a)) is not None)
        else:
            base = self._filtered_base()
            q = self.query_text.strip().lower()
            if q:
                view = self._searched(q, base)
            else:
                # the whole board: a range and the kept order, no list of 200,000 built per key
                view = base if base is not None else range(len(data))
                self._last_search = None
        mode = SORTS[self.sort_mode][0]
        if mode != "urgency":
            whole = isinstance(view, range)
            view = data.order(mode) if whole else data.sorted_rows(view, mode)
        self.view = view
        cursor = None
        if keep_id is not None:
            i = data.index_of(keep_id)
            if i is None:
                pass
            elif isinstance(view, range):  # the whole board in urgency order
                cursor = i
            elif mode != "urgency" and view is data.order(mode):  # the whole board, sorted
                cursor = data.rank(mode)[i]
            else:
                try:
                    cursor = view.index(i)
                except ValueError:
                    cursor = None
        self.query_one("#items-table", VirtualTable).set_count(len(view), cursor=cursor)
        self.update_status()

    def _searched(self, q: str, base: list[int] | None) -> list[int]:
        """Rows matching ``q`` (in urgency order). The results of the last few queries are
        kept while the board and filters stay, so backspace finds its answer already
        computed; a longer query searches only among the rows of the longest kept prefix."""
        found = self._searches.get(q)
        if found is None:
            among = base
            prefix = max((k for k in self._searches if q.startswith(k)), key=len, default=None)
            if prefix is not None:
                among = self._searches[prefix]
            found = self.data.search(q, among)
            if len(self._searches) >= SEARCHES_KEPT:
                self._searches.pop(next(iter(self._searches)))
            self._searches[q] = found
        self._last_search = (q, found)
        return found

    def update_status(self) -> None:
        data = self.data
        total = len(data) if data else 0
        parts = [f"共 {total} 项，显示 {len(self.view)} 项", f"排序：{SORTS[self.sort_mode][1]}"]
        if self.only_selected:
            parts.append("只看选中（v 恢复全部）")
        if self.query_text:
            parts.append(f"搜索：{self.query_text}")
        desc = describe_filters(self.filters, data.plans if data else None)
        if desc:
            parts.append(f"筛选：{desc}")
        if self.selected:
            hidden = len(self.selected - self.visible_ids())
            sel = f"已选 {len(self.selected)} 项"
            if hidden:
                sel += f"（{hidden} 项不在当前列表）"
            parts.append(sel + "，Esc 清除")
        # one line high (tabs.tcss): no layout pass for a new status
        self.query_one("#items-status", Static).update(Text(" · ".join(parts)), layout=False)

    def visible_ids(self) -> set[int]:
        """The selected items the current list shows (all shown items when none is selected)."""
        data = self.data
        if data is None:
            return set()
        if not self.selected:
            return {data.ids[i] for i in self.view}
        shown = set(self.view)
        return {a for a in self.selected if data.index_of(a) in shown}

    def _search_changed(self, value: str) -> None:
        """Each keystroke in the search box, as it is typed (`SearchBox`)."""
        self.query_text = value
        self.only_selected = False
        self.recompute()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.main_widget().focus()

    def start_search(self) -> None:
        """Show the search box and give it focus at once: keys typed right after `/` are
        already queued, and a deferred focus would hand them to the table as desk keys."""
        box = self.query_one("#search", Input)
        box.add_class("shown")
        self.screen.set_focus(box)

    def action_sort(self) -> None:
        self.sort_mode = (self.sort_mode + 1) % len(SORTS)
        self.recompute(self.current_id())
        self.desk.say(f"排序：{SORTS[self.sort_mode][1]}")

    def action_filters(self) -> None:
        if self.data is None:
            return

        def apply(result: Filters) -> None:
            self.filters = result.in_region(self.filters.region, self.filters.plan_ids)
            self._forget_results()
            self.only_selected = False
            self.recompute()

        self.desk.push_screen(FilterModal(self.filters, self.data.plans, apply=apply))

    def set_region(self, region: str, plan_ids: frozenset[int] | None) -> None:
        """The desk's region in force (tui.app.region_choice): only its plans' items."""
        self.filters = self.filters.in_region(region, plan_ids)
        self._forget_results()
        self.only_selected = False
        self.recompute()

    def action_show_all(self) -> None:
        region = (self.filters.region, self.filters.plan_ids)
        self.query_text, self.only_selected = "", False
        self.filters = Filters().in_region(*region)
        self.query_one("#search", Input).value = ""
        self._forget_results()
        self.recompute(self.current_id())

    # ---------------------------------------------------------------- selection

    def action_toggle_select(self) -> None:
        t = self.query_one("#items-table", VirtualTable)
        if not self.view or self.data is None:
            return
        aid = self.data.ids[self.view[t.cursor]]
        self.selected ^= {aid}
        t.action_cursor(1)
        t.refresh()
        self.update_status()

    def action_only_selected(self) -> None:
        if not self.selected and not self.only_selected:
            self.desk.say("还没有选中的事项（空格选中）")
            return
        self.only_selected = not self.only_selected
        self.recompute(self.current_id())

    def action_clear_selection(self) -> None:
        box = self.query_one("#search", Input)
        if self.app.focused is box:  # Esc in the search box: back to the table
            if not box.value:
                box.remove_class("shown")
            self.main_widget().focus()
            return
        if not self.selected:
            return
        n = len(self.selected)
        self.selected.clear()
        if self.only_selected:
            self.only_selected = False
            self.recompute(self.current_id())
        self.query_one("#items-table", VirtualTable).refresh()
        self.update_status()
        self.desk.say(f"已清除选中（{n} 项）")

    def after_bulk(self) -> None:
        self.selected.clear()
        self.only_selected = False
        self.update_status()

    def targets(self, *, bulk: bool = True) -> list:
        data = self.data
        if data is None:
            return []
        if bulk and self.selected:
            by_id = data.by_id
            return [by_id[i] for i in sorted(self.selected) if i in by_id]
        t = self.query_one("#items-table", VirtualTable)
        if 0 <= t.cursor < len(self.view):
            return [data.rows[self.view[t.cursor]]]
        return []

    # ---------------------------------------------------------------- cells, detail

    def _row_key(self, n: int) -> tuple[int, int, int]:
        """What row ``n`` shows depends on the board, the row and the report texts read
        (the selection mark is the table's own part of the key)."""
        return (self._board_no, self.view[n], self.data.texts_version)

    def _is_selected(self, n: int) -> bool:
        return bool(self.selected) and self.data.ids[self.view[n]] in self.selected

    def _cells(self, n: int) -> list:
        data = self.data
        i = self.view[n]
        r = data.row(i)
        f = r.fact
        mark = Text("✚", style="bold") if f.id in self.selected else ""
        unit = Text(f.unit_name, style="magenta") if f.unit_id is None else f.unit_name
        last = ""
        if f.progress_dates:
            last = f"{f.progress_dates[-1].strftime('%m-%d')} {f.last_progress}"
            if not f.last_progress:
                self._want(f.id)
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

    def _want(self, aid: int) -> None:
        """A drawn row lacks its report text: read it (with the others on screen) in a worker
        once the keys are quiet."""
        if self._report_timer is not None:
            self._report_timer.reset()
        else:
            self._report_timer = self.set_timer(QUIET_S, self._fetch_reports)
        self._wanted.add(aid)

    @property
    def reads_pending(self) -> bool:
        return self._report_timer is not None

    def _fetch_reports(self) -> None:
        """Read the report texts the drawn rows lack, and those of a page above and two
        below, so paging on finds them already read."""
        self._report_timer = None
        ids, self._wanted = sorted(self._wanted), set()
        data = self.data
        if data is None or not ids:
            return
        t = self.query_one("#items-table", VirtualTable)
        h = t.page_height
        top = int(t.scroll_y)
        near = self.view[max(0, top - h) : top + 3 * h]
        ids = sorted(set(ids) | set(data.missing_reports(near)))
        table = self.query_one("#items-table", VirtualTable)
        self.desk.jobs.run(board_svc.fetch_reports, data, ids, on_done=lambda _r: table.refresh())

    @on(VirtualTable.Highlighted, "#items-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        data = self.data
        if data is None or not (0 <= event.index < len(self.view)):
            return
        r = data.rows[self.view[event.index]]
        self._set_detail(detail_text(r))
        self._detail.want(r.fact.id)

    def _show_detail(self, aid: int, detail) -> None:
        data = self.data
        if data is not None and aid in data.by_id:
            self._set_detail(detail_text(data.by_id[aid], detail))

    def _set_detail(self, text: Text) -> None:
        """The pane below the table; a layout pass only when its height changes (it is
        as high as its lines, unwrapped, up to DETAIL_LINES): every key moves the cursor."""
        lines = min(DETAIL_LINES, text.plain.count("\n") + 1)
        layout, self._detail_lines = lines != self._detail_lines, lines
        self.query_one("#items-detail", Static).update(text, layout=layout)
