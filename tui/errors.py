"""User-facing failures: one line of Chinese, a non-zero exit, never a traceback."""

from __future__ import annotations


class DubanError(Exception):
    """An error whose message is shown to the user as is (in Chinese)."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
