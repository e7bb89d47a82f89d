"""Reading the board for the desk: the overview's counts first, the whole board behind them,
and a poll that reads again when another desk changed the store. A mixin of the app (it
uses the app's store, date, workers and tabs), kept apart so the app stays its frame."""

from __future__ import annotations

from tui.app.tabs.base import DeskTab
from tui.services.board import Board, Overview, load_board, load_overview, others_changed

# How often the desk asks whether another desk changed the store (one indexed lookup).
POLL_SECONDS = 5.0


class BoardFlow:
    def reload(self) -> None:
        if self.store is None:
            return
        self._generation += 1
        gen = self._generation
        if self.board is None and self._pending is None:
            # Start-up: the overview's counts from aggregate queries first, drawn before the
            # whole board is read behind them (a few hundred ms instead of seconds at 200k).
            self.jobs.run(
                load_overview,
                self.store,
                self.as_of,
                soon_days=self.soon_days,
                on_done=lambda ov: self._overview_read(ov, gen),
                on_failed=lambda _m: self._read_board(gen),
                group="load",
            )
        else:
            self._read_board(gen)

    def _read_board(self, gen: int) -> None:
        if gen != self._generation or self._quitting:
            return
        self.jobs.run(
            load_board,
            self.store,
            self.as_of,
            soon_days=self.soon_days,
            on_done=lambda board: self._board_read(board, gen),
            group="load",
        )

    def _overview_read(self, ov: Overview, generation: int) -> None:
        if generation != self._generation or self._quitting:
            return
        if not self.is_mounted:
            self._early_overview = ov
            self._read_board(generation)
            return
        if self.board is None:
            self.tab("overview").show_overview(ov)
        # The board is read once the counts are painted, so it does not compete with them.
        self.call_after_refresh(self._read_board, generation)

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
                self.reload()

        def failed(_message: str) -> None:
            self._polling = False

        self.jobs.run(
            others_changed,
            self.store,
            board.seen,
            self.operator,
            on_done=done,
            on_failed=failed,
            group="poll",
        )
