"""Reading the board for the desk: the overview's counts first, the whole board behind them,
and a poll that reads again when another desk changed the store. A mixin of the app (it
uses the app's store, date, workers and tabs), kept apart so the app stays its frame.

Start-up, in order: the overview's counts (from the read `duban` started before Textual
was imported, or from aggregate queries in a worker) are painted; then, in a worker, the
store is opened if it is not yet and the other tabs are imported (SQLAlchemy, the models,
pypinyin and the rest come in with them); the tabs are mounted; then the whole board is
read and handed to every tab.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.app.tabs import TAB_IDS, tab_classes
from tui.app.tabs.base import DeskTab

if TYPE_CHECKING:
    from tui.services.board import Board
    from tui.services.first_screen import Overview

# How often the desk asks whether another desk changed the store (one indexed lookup).
POLL_SECONDS = 5.0
LOADING_CLASS = "tab-loading"  # the placeholder in a tab not mounted yet


def _load_overview(store, as_of, *, soon_days: int):
    from tui.services.board import load_overview

    return load_overview(store, as_of, soon_days=soon_days)


def _load_board(store, as_of, *, soon_days: int, region: str | None = None):
    from tui.services.board import load_board

    return load_board(store, as_of, soon_days=soon_days, region=region)


def _refresh_board(store, board, *, soon_days: int):
    from tui.services.board import refresh_board

    return refresh_board(store, board, soon_days=soon_days)


def _free_the_old_board() -> bool:
    """What a replaced board leaves in reference cycles (the tables' old rows and what they
    drew) collected now, once, rather than piling up until a full collection comes — the
    desk makes those rare (tui.app.collector) — and the pages freed given back."""
    import gc

    from tui.heap import release_free_memory

    gc.collect()
    return release_free_memory()


def _others_changed(store, seen: int, operator: str):
    from tui.services.board import others_changed

    return others_changed(store, seen, operator)


class BoardFlow:
    def reload(self) -> None:
        if self.store is None and self._opener is None:
            return
        self._generation += 1
        gen = self._generation
        if self.board is None and self._pending is None and not self._overview_shown:
            # Start-up: the overview's counts first, drawn before the whole board is read
            # behind them (a few hundred ms instead of seconds at 200k).
            first, self._first = self._first, None
            self._first_read = first
            if first is not None:
                self.jobs.run(
                    first.result,
                    on_done=lambda ov: self._overview_read(ov, gen),
                    on_failed=lambda _m: self._prepare(gen),
                    group="load",
                )
            elif self.store is not None:
                self.jobs.run(
                    _load_overview,
                    self.store,
                    self.as_of,
                    soon_days=self.soon_days,
                    on_done=lambda ov: self._overview_read(ov, gen),
                    on_failed=lambda _m: self._prepare(gen),
                    group="load",
                )
            else:
                self._prepare(gen)
        else:
            self._prepare(gen)

    def catch_up(self) -> None:
        """After a write (this desk's or another's): read again only the rows it changed
        (`tui.services.board.refresh_board`); the whole board when the change reaches
        further, when no board is shown yet, or when a read is already under way."""
        board = self.board
        if (
            board is None
            or self.store is None
            or not self._tabs_mounted
            or board.as_of != self.as_of
            or board.region != (self.regions.name or None)
            or any(w.group == "load" and not w.is_finished for w in self.workers)
        ):
            self.reload()
            return
        self._generation += 1
        gen = self._generation

        def done(fresh) -> None:
            if gen != self._generation or self._quitting:
                return
            if fresh is None:
                self.reload()
            else:
                self._board_read(fresh, gen)

        self.jobs.run(
            _refresh_board,
            self.store,
            board,
            soon_days=self.soon_days,
            on_done=done,
            on_failed=lambda _m: self.reload(),
            group="load",
        )

    def _prepare(self, gen: int) -> None:
        """The store open and every tab mounted, then the board read."""
        if gen != self._generation or self._quitting:
            return
        if self.store is not None and self._tabs_mounted:
            self._read_board(gen)
            return
        if not self.is_mounted:
            self.call_later(self._prepare, gen)
            return
        if self._preparing:
            return  # the running preparation reads the board when it is done
        self._preparing = True
        opener = self._opener if self.store is None else None

        def prepare():
            classes = tab_classes()
            import tui.services.board  # noqa: F401 - the board's reader, imported here too

            return classes, (opener() if opener is not None else None)

        self.jobs.run(
            prepare,
            on_done=lambda result: self.call_later(self._prepared, result),
            on_failed=self._open_failed,
            group="load",
        )

    async def _prepared(self, result) -> None:
        classes, store = result
        if store is not None:
            self.store, self._opener = store, None
        if not self._tabs_mounted:
            for cls in classes:
                if cls.TAB_ID == "overview":
                    continue
                pane = self.query_one(f"#{cls.TAB_ID}")
                await pane.query(f".{LOADING_CLASS}").remove()
                await pane.mount(cls(id=f"{cls.TAB_ID}-view"))
            self._tabs_mounted = True
            self.refresh_bindings()
            if self.active_tab != "overview":
                self.tab(self.active_tab).activated()
        self._preparing = False
        if self.board is not None:  # read before the tabs were there (a reload since)
            for tab in self.query(DeskTab):
                tab.show_board(self.board)
        if not self._quitting:
            self._read_board(self._generation)

    def _open_failed(self, message: str) -> None:
        """The store could not be opened after the first screen: leave as `duban` does
        when it cannot open a store (one line, exit 2), said after the screen is gone."""
        self._preparing = False
        if self.store is None:
            self.failure = message
            self.exit(return_code=2)

    def _read_board(self, gen: int) -> None:
        if gen != self._generation or self._quitting:
            return
        if self.board is not None:
            self.board.data.shed()  # its indexes are rebuilt if this read fails
        self.jobs.run(
            _load_board,
            self.store,
            self.as_of,
            soon_days=self.soon_days,
            region=self.regions.name or None,  # the desk's region (tui.app.region_choice)
            on_done=lambda board: self._board_read(board, gen),
            group="load",
        )

    def first_read_if_done(self) -> Overview | None:
        """The start-up read if it has already finished, else None (the worker waiting on it
        shows it when it comes). Taken at mount, the counts go into the first layout; shown
        after it, they cost a second whole-screen layout."""
        first = self._first_read
        if first is None or not first.done() or first.exception() is not None:
            return None
        return first.result()

    def _overview_read(self, ov: Overview, generation: int) -> None:
        if generation != self._generation or self._quitting:
            return
        self._first_read = None
        if not self.is_mounted:
            # Shown at mount, in the first layout; the rest is prepared after that paint
            # (DubanApp.on_mount): its imports, in a worker, would hold the interpreter
            # lock while the first screen is laid out.
            self._early_overview = ov
            return
        if self.board is None and not self._overview_shown:
            self._overview_shown = True
            self.tab("overview").show_overview(ov)
        # The rest is read once the counts are painted, so it does not compete with them.
        self.call_after_refresh(self._prepare, generation)

    def action_reload(self) -> None:
        self.reload()

    def _board_read(self, board: Board, generation: int) -> None:
        if generation != self._generation or self._quitting:
            board.close()
            return
        if not self.is_mounted:
            self._pending = board
            return
        self._show(board)

    def _show(self, board: Board) -> None:
        old, self.board = self.board, board
        for tab in self.query(DeskTab):
            tab.show_board(board)
        if old is not None:
            old.close()
            del old
            # the old board's garbage and pages back, or the desk grows at every reload
            self.jobs.run(_free_the_old_board, group="warm")
        self.loads += 1

    def _poll_others(self) -> None:
        """Every few seconds: did another desk change the store? Then read the board again,
        so what this desk shows is never more than a few seconds behind."""
        board = self.board
        if board is None or self._quitting or self._polling:
            return
        if any(w.group in ("load", "write") and not w.is_finished for w in self.workers):
            return  # a read or write under way brings the board up to date anyway
        self._polling = True

        def done(found) -> None:
            self._polling = False
            if found and self.board is board:
                who, when = found
                self.say(f"其他督办台有更新（{who}，{when}），已刷新")
                self.catch_up()

        def failed(_message: str) -> None:
            self._polling = False

        self.jobs.run(
            _others_changed,
            self.store,
            board.seen,
            self.operator,
            on_done=done,
            on_failed=failed,
            group="poll",
        )


__all__ = ["LOADING_CLASS", "POLL_SECONDS", "TAB_IDS", "BoardFlow"]
