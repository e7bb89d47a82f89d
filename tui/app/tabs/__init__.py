"""The desk's tabs, one module each: every tab owns its state, its bindings (from
`tui.app.keymap`), its cells and its handlers, and draws the `Board` the app hands it."""

from __future__ import annotations

from tui.app.tabs.audit import LogTab
from tui.app.tabs.items import ItemsTab
from tui.app.tabs.letters import LettersTab
from tui.app.tabs.overview import OverviewTab
from tui.app.tabs.plans import PlansTab
from tui.app.tabs.triage import TriageTab
from tui.app.tabs.units import UnitsTab

TABS = (OverviewTab, PlansTab, ItemsTab, UnitsTab, TriageTab, LettersTab, LogTab)

__all__ = ["TABS"]
