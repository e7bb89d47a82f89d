"""What every tab shares: where it sits, what it is told, and how it reaches the desk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Container

if TYPE_CHECKING:  # the app imports the tabs; the tabs only need its type
    from tui.app.app import DubanApp
    from tui.services.board import Board


class DeskTab(Container):
    """A tab's content. ``TAB_ID`` names it in the registry (`tui.app.keymap`), which also
    gives its BINDINGS; the app calls `show_board` whenever a fresh board is read."""

    TAB_ID = ""
    DEFAULT_CSS = "DeskTab { height: 1fr; }"

    @property
    def desk(self) -> DubanApp:
        return self.app  # type: ignore[return-value]

    @property
    def board(self) -> Board | None:
        return self.desk.board

    def show_board(self, board: Board) -> None:
        """A new board (after start-up, a write, a new date)."""

    def activated(self) -> None:
        """The tab became visible: focus its main widget, read what it reads lazily."""
        if self.main_widget() is not None and not self.has_focus_within:
            # Deferred, as Widget.focus is: the tab is still switching in.
            self.call_later(self._take_focus)
        for reader in self.__dict__.get("_readers", ()):
            reader.shown()

    def _take_focus(self) -> None:
        """The main widget takes the focus, unless something in the tab took it while this
        waited (`/` gives the search box the keys the moment it arrives) or another tab is
        shown by now."""
        main = self.main_widget()
        if main is not None and self.on_screen and not self.has_focus_within:
            self.screen.set_focus(main)

    def main_widget(self):
        return None

    @property
    def on_screen(self) -> bool:
        return self.desk.is_mounted and self.desk.active_tab == self.TAB_ID

    def text(self) -> str:
        """What the tab shows, as plain text (tests and the README rendering)."""
        from textual.widgets import DataTable, Static, Tree

        from tui.app.widgets.vtable import VirtualTable

        parts: list[str] = []
        for w in self.query("*"):
            if isinstance(w, VirtualTable):
                parts += w.render_lines_text()
            elif isinstance(w, DataTable):
                for i in range(w.row_count):
                    parts.append(" ".join(str(c) for c in w.get_row_at(i)))
            elif isinstance(w, Tree):
                continue
            elif isinstance(w, Static) and w.display:
                parts.append(plain(w))
        return "\n".join(parts)


def plain(w) -> str:
    from rich.text import Text

    content = getattr(w, "content", None)
    if isinstance(content, Text):
        return content.plain
    if isinstance(content, str):
        return content
    r = w.render()
    if isinstance(r, Text):
        return r.plain
    from rich.console import Console

    console = Console(width=120, record=True, color_system=None)
    with console.capture() as cap:
        console.print(content if content is not None else r)
    return cap.get()


QUIET_S = 0.05  # a pane's read waits until the keys have been quiet this long


class Latest:
    """A detail pane's read: at most one in flight, started once the cursor has rested
    ``QUIET_S`` (typing a search or holding j reads nothing in between, and the screen
    update a key causes is drawn before any read competes with it); when the cursor moved
    on meanwhile, the newest key is read next and the stale result is dropped, so a pane
    never shows what the cursor has left."""

    def __init__(self, tab: DeskTab, read, show, failed=None) -> None:
        self.tab = tab
        tab.__dict__.setdefault("_readers", []).append(self)
        self.read = read  # (key) -> (fn, *args) to run in a worker
        self.show = show  # (key, result) on the UI thread
        self.failed = failed
        self.wanted = None
        self.busy = False
        self.timer = None

    @property
    def pending(self) -> bool:
        """A read is waiting for the keys to be quiet (tests wait for it)."""
        return self.timer is not None

    def want(self, key) -> None:
        """Read for ``key`` — once the keys are quiet if the tab is on screen, else when it is
        shown (a hidden tab's cursor moving at start-up or after a reload costs no read)."""
        self.wanted = key
        if self.tab.on_screen:
            self._schedule()

    def _schedule(self) -> None:
        if self.timer is not None:
            self.timer.reset()
        else:
            self.timer = self.tab.set_timer(QUIET_S, self._fire)

    def _fire(self) -> None:
        self.timer = None
        if not self.busy and self.wanted is not None:
            self._start()

    def shown(self) -> None:
        """The tab came on screen: read what it was left wanting."""
        if self.wanted is not None and not self.busy:
            self._start()

    def _start(self) -> None:
        key = self.wanted
        fn, *args = self.read(key)
        self.busy = True
        self.tab.desk.jobs.run(
            fn,
            *args,
            on_done=lambda result: self._done(key, result),
            on_failed=lambda message: self._failed(key, message),
            group="detail",
        )

    def _done(self, key, result) -> None:
        self.busy = False
        if key != self.wanted:
            self._schedule()
        elif self.tab.is_attached:
            self.show(key, result)

    def _failed(self, key, message: str) -> None:
        self.busy = False
        if key != self.wanted:
            self._schedule()
        elif self.failed is not None:
            self.failed(key, message)
