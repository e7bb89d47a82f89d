"""Keys typed while a dialog is on its way belong to the dialog, not to the desk behind it.

An officer presses `p` and types the progress at once. The dialog is not there yet: a
recurring duty's periods are read in a worker first, and even a dialog pushed at once has
no focused field until it is mounted. Handed on as they came, those keys were desk keys:
`a` opened 验收销号 over the progress dialog, `1` switched tabs, and a following `y` would
have confirmed. So from the moment a dialog is asked for until its fields are ready, the
desk holds every key (and paste) and then hands them, in the order typed, to the dialog.
When no dialog comes (the read failed: its error is on screen), the held keys are dropped —
they were typed for a dialog, and must not act on the desk. So are they when the dialog
takes longer than `LIMIT_S` to come: the desk then answers keys again, and says it dropped
them.

A key that arrives while the held ones are being handed on waits behind them, so the order
typed is the order delivered.

A confirmation is the exception: it is there to be read before it is answered, so the keys
typed before it was on screen are dropped, never taken as its Y (a screen says so with
``TYPED_AHEAD = False``: `tui.app.modals.base.ConfirmModal` and every question built on it,
签发 among them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from textual import events
from textual.app import App
from textual.screen import Screen

LIMIT_S = 5.0
_REPLAYED = "_duban_replayed"


class KeyHold:
    def __init__(self, app: App) -> None:
        self._app = app
        self._holds = 0
        self._held: list[events.Event] = []
        self._in_flight = 0  # handed back to the app's queue, not yet through it
        self._timer = None
        self._tasks: set[asyncio.Task] = set()
        self._era = 0  # a hold given up by `_expire` must not end a later one

    def hold(self) -> int:
        """Hold keys until as many `release` calls as `hold` calls; returns what to pass
        to `release`."""
        self._holds += 1
        if self._holds == 1:
            self._timer = self._app.set_timer(LIMIT_S, self._expire, name="key-hold")
        return self._era

    def release(self, era: int, *, discard: bool = False) -> None:
        """End one hold; the last hands the held keys on (or drops them: ``discard``)."""
        if self._holds == 0 or era != self._era:
            return
        self._holds -= 1
        if discard:
            self._held.clear()
        if self._holds == 0:
            self._stop_timer()
            self._hand_on()

    def until_mounted(self, mounted: Awaitable) -> None:
        """Hold keys until a screen just pushed is mounted and its first field focused."""
        era = self.hold()

        async def wait() -> None:
            try:
                await mounted
            finally:
                # Focus is given through the app's queue (`Widget.focus`): hand the keys
                # on after it, so they reach the field it gives focus to.
                self._app.call_later(self.release, era)

        task = asyncio.create_task(wait())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def take(self, event: events.Event) -> bool:
        """True when ``event`` is a key (or paste) to keep back now; the app then ignores it.

        The app sees a key twice: as it arrives, and again when it bubbles back from the
        focused widget — where the desk's bindings act on it. A burst is forwarded to the
        list before the first key's binding runs, so the keys after it are kept back on
        their way back too."""
        if not isinstance(event, (events.Key, events.Paste)):
            return False
        if getattr(event, _REPLAYED, False):
            setattr(event, _REPLAYED, False)  # counted once, though it may bubble back
            self._in_flight -= 1
            if self._in_flight == 0 and self._holds == 0 and self._held:
                self._app.call_later(self._hand_on)  # keys typed while these went through
            return False
        if self._holds or self._in_flight:
            self._held.append(event)
            return True
        return False

    def _hand_on(self) -> None:
        if self._holds or self._in_flight:
            return
        held, self._held = self._held, []
        if held and not getattr(self._app.screen, "TYPED_AHEAD", True):
            say = getattr(self._app, "say", None)
            if say is not None:
                say("确认框打开前按下的键已忽略：请看清内容后再按 Y 或 N", "warning")
            return
        for old in held:
            if isinstance(old, events.Key):
                new: events.Event = events.Key(old.key, old.character)
            else:
                new = events.Paste(old.text)
            setattr(new, _REPLAYED, True)
            self._in_flight += 1
            self._app.post_message(new)

    def _expire(self) -> None:
        self._timer = None
        if self._holds:
            self._holds = 0
            self._era += 1
            if self._held:
                self._held.clear()
                say = getattr(self._app, "say", None)
                if say is not None:
                    say("对话框迟迟未打开，其间输入的按键已忽略（没有作用到列表上）", "warning")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None


class DialogKeys:
    """The app's side of the hold (a mixin of `tui.app.app.DubanApp`, which sets
    ``key_hold``): every key passes `KeyHold.take` first, and every screen pushed holds the
    keys until its fields are ready."""

    key_hold: KeyHold

    async def on_event(self, event: events.Event) -> None:
        if self.key_hold.take(event):
            return
        await super().on_event(event)  # type: ignore[misc]

    def push_screen(self, screen, callback=None, wait_for_dismiss=False, *, mode=None):
        result = super().push_screen(  # type: ignore[misc]
            screen, callback, wait_for_dismiss, mode=mode
        )
        if not wait_for_dismiss and isinstance(screen, Screen) and self.is_running:  # type: ignore[attr-defined]
            self.key_hold.until_mounted(result)
        return result
