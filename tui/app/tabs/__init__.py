"""The desk's tabs, one module each: every tab owns its state, its bindings (from
`tui.app.keymap`), its cells and its handlers, and draws the `Board` the app hands it.

Only the overview is needed for the first screen; the other tabs (and what they import:
SQLAlchemy through the services, pypinyin, the letters) are imported after the first
paint, by `tab_classes` — so this package imports none of them itself.
"""

from __future__ import annotations

# The tabs in their order on screen (the number keys), by TAB_ID.
TAB_IDS = ("overview", "plans", "items", "units", "triage", "letters", "log")


def tab_classes() -> tuple[type, ...]:
    """Every tab's class, in TAB_IDS order (imports them on the first call)."""
    from tui.app.tabs.audit import LogTab
    from tui.app.tabs.items import ItemsTab
    from tui.app.tabs.letters import LettersTab
    from tui.app.tabs.overview import OverviewTab
    from tui.app.tabs.plans import PlansTab
    from tui.app.tabs.triage import TriageTab
    from tui.app.tabs.units import UnitsTab

    return (OverviewTab, PlansTab, ItemsTab, UnitsTab, TriageTab, LettersTab, LogTab)


__all__ = ["TAB_IDS", "tab_classes"]
