"""Messages a worker thread posts back to the desk (harlequin's pattern): the UI thread
picks them up, so widgets are only ever touched from there."""

from __future__ import annotations

from textual.message import Message


class JobDone(Message):
    """A service call finished; ``result`` is what it returned."""

    def __init__(self, token: int, result: object) -> None:
        super().__init__()
        self.token = token
        self.result = result


class JobFailed(Message):
    """A service call failed; ``message`` is one Chinese line (never a traceback)."""

    def __init__(
        self, token: int, message: str, *, internal: bool = False, refresh: bool = False
    ) -> None:
        super().__init__()
        self.token = token
        self.message = message
        self.internal = internal
        self.refresh = refresh  # the store changed under the desk: read the board again
