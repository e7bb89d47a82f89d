"""督办台: the desk staff's keyboard-driven workspace (GUIDE §1).

The app holds the open store, the board as of the desk's date (read in a worker, handed to
every tab), the undo list of this session, and the keys that work anywhere. Each tab owns
its state, keys and handlers (`tui.app.tabs`); every key comes from one registry
(`tui.app.keymap`); every database call goes through `tui.services` in a worker thread
(`tui.app.session`) whose result comes back as a message.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on
from textual.actions import SkipAction
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Header, Input, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from tui.app import keymap
from tui.app.board_flow import LOADING_CLASS, POLL_SECONDS, TAB_IDS, BoardFlow
from tui.app.collector import collect_from_now_on
from tui.app.key_hold import DialogKeys, KeyHold
from tui.app.keymap import TAB_TITLES
from tui.app.messages import JobDone, JobFailed
from tui.app.region_choice import RegionChooser
from tui.app.reports_flow import ReportsFlow
from tui.app.session import Jobs
from tui.app.store_lifecycle import StoreLifecycle
from tui.app.tabs.base import DeskTab
from tui.app.tabs.overview import OverviewTab
from tui.app.widgets.keybar import KeyBar
from tui.app.widgets.messagebar import MessageBar
from tui.errors import DubanError
from tui.services.first_screen import Overview
from tui.services.settings import office_settings
from tui.services.settings import operator as desk_operator
from tui.services.store_target import StoreTarget

# What only a write, an undo or a new store needs (SQLAlchemy and the models come with it)
# is imported where it is used, after the first screen: see tui.app.board_flow.
if TYPE_CHECKING:
    from tui.app.modals.palette import Command
    from tui.services.board import Board
    from tui.services.desk import Change
    from tui.services.store import Store


class DubanApp(DialogKeys, BoardFlow, ReportsFlow, StoreLifecycle, App):
    TITLE = "督办台"
    CSS_PATH = ["app.tcss", "tabs/tabs.tcss"]
    BINDINGS = keymap.bindings("app")
    ENABLE_COMMAND_PALETTE = False  # our own, in Chinese (keymap "palette")

    def __init__(
        self,
        store: Store | None = None,
        as_of: date | None = None,
        *,
        target: StoreTarget | None = None,
        operator: str | None = None,
        soon_days: int | None = None,
        import_dir: Path | None = None,
        opener: Callable[[], Store] | None = None,
        first: Future[Overview] | None = None,
    ) -> None:
        """``store``: the open store; or ``opener``, which opens it after the first screen
        (with ``target`` saying where it is) — then ``first`` is the overview already being
        read (`tui.services.first_screen.start_first_screen`). Neither: the store at
        ``target`` does not exist, and the desk asks whether to create it."""
        super().__init__()
        self.store = store
        self._opener = opener if store is None else None
        self._first = first
        self.failure = ""  # why the desk left on its own (a store it could not open)
        self.target = store.target if store is not None else target
        self.as_of = as_of or date.today()
        settings = office_settings()
        self.operator = operator or desk_operator(settings.operator if settings else "")
        self.soon_days = (
            soon_days if soon_days is not None else (settings.soon_days if settings else 15)
        )
        self._settings = settings
        self.import_dir = import_dir or Path.cwd()
        self.board: Board | None = None
        self.regions = RegionChooser(self)  # a city store: which county the desk shows
        self.changes: list[Change] = []  # this session's changes, newest last (for `u`)
        self.key_hold = KeyHold(self)
        self.jobs = Jobs(self, self._error_log)
        self.last_message = ""
        self.loads = 0
        self._generation = 0
        self._pending: Board | None = None
        self._early_overview: Overview | None = None  # read before the screens were mounted
        self._first_read: Future[Overview] | None = None  # the start-up read, until shown
        self._overview_shown = False
        self._tabs_mounted = False
        self._preparing = False
        self._quitting = False
        self._backed_up = False
        self._store_closed = False
        self._polling = False
        try:
            self.user_keys = keymap.load_keymap()
        except DubanError as exc:
            self.user_keys = {}
            self._startup_error = exc.message
        else:
            self._startup_error = ""

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="tabs", initial="overview"):
            for n, tab_id in enumerate(TAB_IDS, start=1):
                with TabPane(f"{n} {TAB_TITLES[tab_id]}", id=tab_id):
                    if tab_id == OverviewTab.TAB_ID:
                        yield OverviewTab(id=f"{tab_id}-view")
                    else:  # mounted after the first screen (tui.app.board_flow)
                        yield Static("正在读取…", classes=LOADING_CLASS)
        with Vertical(id="footer"):
            yield MessageBar(id="message")
            yield KeyBar()

    def on_load(self) -> None:
        # Start reading the store now: the SQL runs while Textual builds the screens.
        self.reload()

    def on_mount(self) -> None:
        if self.user_keys:
            self.set_keymap(self.user_keys)
        self._update_title()
        if self._startup_error:
            self.say(self._startup_error, "error")
        if self.store is None and self._opener is None:
            self._ask_to_create()
        elif self._pending is not None:
            board, self._pending = self._pending, None
            self._show(board)
        elif (early := self._early_overview or self.first_read_if_done()) is not None:
            self._overview_shown = True
            self.tab("overview").show_overview(early)
            if self._early_overview is not None:  # its read is done: the rest after the paint
                self.call_after_refresh(self._prepare, self._generation)
        self._early_overview = None
        if self.store is not None or self._opener is not None:
            self.set_interval(POLL_SECONDS, self._poll_others)
        self.query_one("#overview-view", DeskTab).activated()
        if not gc.isenabled():  # paused for the start-up by `duban` (tui.cli.main)
            self.call_after_refresh(collect_from_now_on)

    @property
    def ladder_settings(self):
        """The office's ladder (triage), built on first use: it brings in the working-day
        calendar, which the first screen does not need."""
        settings = self._settings
        if settings is None:
            return None
        ladder = self.__dict__.get("_ladder")
        if ladder is None:
            ladder = self.__dict__["_ladder"] = settings.ladder()
        return ladder

    def _update_title(self) -> None:
        where = self.target.label if self.target is not None else ""
        self.title = f"督办台 · {where}" if where else "督办台"
        self.sub_title = f"截至 {self.as_of.isoformat()}　操作人 {self.operator}" + (
            self.regions.title
        )

    def _show(self, board: Board) -> None:
        super()._show(board)
        self.regions.load()

    def action_region(self) -> None:
        self.regions.choose()

    def offers(self, action: str) -> bool:
        """Whether the palette offers an action here: choosing a region only in a store
        with several (a county's own store shows no region chooser)."""
        return action != "region" or self.regions.several

    @property
    def active_tab(self) -> str:
        return self.query_one("#tabs", TabbedContent).active or "overview"

    def tab(self, tab_id: str) -> DeskTab:
        return self.query_one(f"#{tab_id}-view", DeskTab)

    def mounted_tab(self, tab_id: str) -> DeskTab | None:
        """The tab, or None while it is still being loaded after the first screen."""
        if tab_id != OverviewTab.TAB_ID and not self._tabs_mounted:
            return None
        return self.tab(tab_id)

    def action_tab(self, tab_id: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab_id
        tab = self.mounted_tab(tab_id)
        if tab is not None:
            tab.activated()

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        tab = self.mounted_tab(event.pane.id) if event.pane.id else None
        if tab is not None:
            tab.activated()
        self.refresh_bindings()

    def open_unit(self, unit_id: int | None) -> None:
        if unit_id is not None:
            self.action_tab("units")
            tab = self.mounted_tab("units")
            if tab is not None:
                tab.select_unit(unit_id)

    def open_letters(self, status: str) -> None:
        self.action_tab("letters")
        tab = self.mounted_tab("letters")
        if tab is not None:
            tab.show_filter(status)

    # ------------------------------------------------------------------ workers

    @on(JobDone)
    def _job_done(self, message: JobDone) -> None:
        done, _failed = self.jobs.finish(message)
        before = len(self.screen_stack)
        try:
            if done is not None:
                done(message.result)
        finally:
            self.jobs.settled(message, opened=len(self.screen_stack) > before)

    @on(JobFailed)
    def _job_failed(self, message: JobFailed) -> None:
        _done, failed = self.jobs.finish(message)
        try:
            self.say(message.message, "error")
            if message.refresh:  # another desk changed what this one showed: show it now
                self.reload()
            if failed is not None:
                failed(message.message)
        finally:
            self.jobs.settled(message, opened=False)

    @on(Worker.StateChanged)
    def _worker_state(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            err = event.worker.error
            self.say(f"内部错误：{type(err).__name__}：{err}", "error")

    def _error_log(self) -> Path | None:
        path = self.target.path if self.target is not None else None
        return path.parent / "desk-errors.log" if path is not None else None

    def write(
        self,
        fn: Callable[..., Change],
        *args: object,
        then: Callable[[Change], object] | None = None,
        undoable: bool = True,
        failed: Callable[[str], object] | None = None,
        **kw: object,
    ) -> None:
        """A service write in a worker: its message shown, the board read again, the change
        kept for `u` (unless it is itself an undo); ``failed`` gets the error's line."""

        def done(change: Change) -> None:
            if undoable and (change.batch or change.final):
                self.changes.append(change)
            self.say(change.message)
            self.catch_up()  # the rows it changed read again (the whole board if need be)
            if then is not None:
                then(change)

        if not self._backed_up and self.store is not None:
            from tui.services.store import backed_up_first

            self._backed_up = True  # the first write of this desk session backs up first
            fn = backed_up_first(self.store, fn)
        self.jobs.run(fn, *args, on_done=done, on_failed=failed, write=True, **kw)

    def seen(self) -> int | None:
        """What the shown board has seen of the audit trail (see services.board.Board.seen);
        a write made from what is on screen passes it, so another desk's change since is
        refused instead of overwritten."""
        return self.board.seen if self.board is not None else None

    def say(self, message: str, severity: str = "information") -> None:
        self.last_message = message
        for bar in self.query(MessageBar):
            bar.show(message, severity)

    # ------------------------------------------------------------------ undo

    def action_undo(self) -> None:
        from tui.app.undo_flow import undo_last

        undo_last(self)

    def forget_change(self, batch: str) -> None:
        self.changes = [c for c in self.changes if c.batch != batch]

    # ------------------------------------------------------------------ global actions

    def action_search(self) -> None:
        # A priority key: over another screen, or in a text box, `/` is not the desk's.
        if len(self.screen_stack) > 1 or isinstance(self.focused, Input):
            raise SkipAction()
        # Not action_tab: its deferred focus on the table would land after the search box
        # took the keys typed right after `/`.
        self.query_one("#tabs", TabbedContent).active = "items"
        tab = self.mounted_tab("items")
        if tab is not None:
            tab.start_search()

    def action_as_of(self) -> None:
        from tui.app.modals.items import DateModal

        def done(d: date | None) -> None:
            if d is None:
                return
            self.as_of = d
            self._update_title()
            self.say(f"查看日期改为 {d.isoformat()}")
            self.reload()

        self.push_screen(DateModal(self.as_of), done)

    # Help and the palette are imported on first use: the palette's list widget brings in
    # Textual's DataTable, which the first screen does not need.
    def action_help(self) -> None:
        from tui.app.modals.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.user_keys))

    def action_help_quit(self) -> None:  # ctrl+c, as Textual binds it
        self.say("要退出督办台请按 q")

    def action_command_palette(self) -> None:
        from tui.app.modals.palette import PaletteScreen

        if not isinstance(self.screen, PaletteScreen):
            self.push_screen(PaletteScreen(self.palette_commands()))

    def palette_commands(self, tab: str | None = None) -> list[Command]:
        from tui.app.modals.palette import desk_commands

        return desk_commands(self, tab or self.active_tab)

    def action_import_plan(self) -> None:
        # Imported on the first `i`: the readers and the parser are not needed to start.
        from tui.app.import_flow import start_import

        start_import(self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Over the import review (and its dialogs) only help works: a tab key or q must not
        # drop its fixes.
        held = any(getattr(s, "HOLDS_DESK_KEYS", False) for s in self.screen_stack)
        return not held or action == "help"

    # ------------------------------------------------------------------ text for tests/README

    def screen_text(self) -> str:
        """What the active tab shows, as plain text (tests, the README rendering)."""
        tab = self.mounted_tab(self.active_tab)
        return tab.text() if tab is not None else "正在读取…"

    def reads_pending(self) -> bool:
        """Reads waiting for the keys to be quiet (the tests wait for them, as a person does)."""
        return any(
            getattr(tab, "reads_pending", False)
            or any(r.pending for r in tab.__dict__.get("_readers", ()))
            for tab in self.query(DeskTab)
        )

    def status_counts(self) -> dict:
        return self.board.data.count_by_status() if self.board else {}
