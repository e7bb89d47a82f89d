"""The regions of a store, for the desk's region chooser (a city over its counties)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the desk imports this before its first screen: no SQLAlchemy yet
    from tui.services.store import Store


@dataclass(frozen=True)
class RegionChoice:
    name: str
    plan_ids: frozenset[int]


def region_choices(store: Store) -> list[RegionChoice]:
    """Every region that has plans, with its plans; fewer than two means nothing to choose."""
    from sqlmodel import Session

    from tui.store.queries import known_regions, region_plan_ids

    with Session(store.engine) as s:
        out = []
        for name in known_regions(s):
            ids = region_plan_ids(s, name)
            if ids:
                out.append(RegionChoice(name, frozenset(ids)))
    return out
