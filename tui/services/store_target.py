"""Where the store is, found without opening it (and without importing SQLAlchemy)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.store.location import resolve_db_url, sqlite_path

__all__ = ["StoreTarget", "display_path", "locate"]


@dataclass(frozen=True)
class StoreTarget:
    """Where a store is (or would be): the URL, its file for SQLite, whether it exists."""

    url: str
    path: Path | None

    @property
    def exists(self) -> bool:
        return self.path is None or self.path.exists()

    @property
    def label(self) -> str:
        return display_path(self.path) if self.path is not None else self.url


def display_path(path: Path) -> str:
    """A path as the title bar shows it: under the home folder as ~/…"""
    try:
        return "~/" + str(path.resolve().relative_to(Path.home().resolve()))
    except ValueError:
        return str(path)


def locate(db: str | None) -> StoreTarget:
    url = resolve_db_url(db)
    return StoreTarget(url, sqlite_path(url))
