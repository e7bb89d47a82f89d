"""Runs the desk's service calls in thread workers and brings the results back as messages.

The UI thread never waits on the database: a call is handed to a worker with what to do
with its result (``on_done``) or its error (``on_failed``). Writes run one at a time, in the
order they were asked for; reads run side by side. Every error reaches the officer as one
Chinese line: a `DubanError` as it is, anything else as 内部错误 with its details written
to the desk's error log (``desk-errors.log`` beside the store) — never lost, never a
traceback on screen.
"""

from __future__ import annotations

import itertools
import threading
import traceback
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from textual.app import App

from tui.app.messages import JobDone, JobFailed
from tui.errors import DubanError

Done = Callable[[object], None]
Failed = Callable[[str], None]


class Jobs:
    def __init__(self, app: App, error_log: Callable[[], Path | None]) -> None:
        self.app = app
        self._error_log = error_log
        self._write_lock = threading.Lock()
        self._tokens = itertools.count(1)
        self._handlers: dict[int, tuple[Done | None, Failed | None]] = {}
        self._dialogs: dict[int, int] = {}  # calls whose result opens a dialog: their hold

    def run(
        self,
        fn: Callable[..., object],
        *args: object,
        on_done: Done | None = None,
        on_failed: Failed | None = None,
        write: bool = False,
        group: str = "read",
        dialog: bool = False,
        **kw: object,
    ) -> int:
        """Call ``fn(*args, **kw)`` in a worker; returns a token naming the call.

        ``dialog``: ``on_done`` opens a dialog — keys typed meanwhile are held for it
        (`tui.app.key_hold`), and dropped if the call fails."""
        token = next(self._tokens)
        self._handlers[token] = (on_done, on_failed)
        if dialog:
            self._dialogs[token] = self.app.key_hold.hold()

        call = [(fn, args, kw)]

        def work() -> None:
            # Textual's worker, in a reference cycle, lives on until a full collection;
            # holding the call's arguments through this closure, it held an old board (tens
            # of MB) past each reload. The call is taken out as it starts.
            fn, args, kw = call.pop()
            try:
                if write:
                    with self._write_lock:
                        result = fn(*args, **kw)
                else:
                    result = fn(*args, **kw)
            except DubanError as exc:
                refresh = bool(getattr(exc, "refresh", False))
                self.app.post_message(JobFailed(token, exc.message, refresh=refresh))
            except Exception as exc:  # noqa: BLE001 - shown in Chinese, logged in full
                where = self._log(exc)
                note = f"（详情已记入 {where}）" if where else ""
                self.app.post_message(
                    JobFailed(token, f"内部错误：{type(exc).__name__}：{exc}{note}", internal=True)
                )
            else:
                self.app.post_message(JobDone(token, result))

        self.app.run_worker(
            work, thread=True, group="write" if write else group, exit_on_error=False
        )
        return token

    def finish(self, message: JobDone | JobFailed) -> tuple[Done | None, Failed | None]:
        return self._handlers.pop(message.token, (None, None))

    def settled(self, message: JobDone | JobFailed, *, opened: bool) -> None:
        """After a call's handler ran: a dialog it ``opened`` now holds the keys itself;
        when none opened (the call failed, or its handler said why not), the keys typed
        for it are dropped."""
        era = self._dialogs.pop(message.token, None)
        if era is not None:
            self.app.key_hold.release(era, discard=not opened)

    def _log(self, exc: BaseException) -> str:
        path = self._error_log()
        if path is None:
            return ""
        try:
            with open(path, "a", encoding="utf-8") as fh:
                fh.write(f"--- {datetime.now().isoformat(timespec='seconds')}\n")
                fh.write("".join(traceback.format_exception(exc)))
        except OSError:
            return ""
        return str(path)
