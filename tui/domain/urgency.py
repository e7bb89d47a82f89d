"""Urgency: one number that sorts the triage queue, built like Taskwarrior's urgency.

The score is a sum of terms, each a coefficient times a factor; the coefficients live in
``COEFFICIENTS`` so the README and the settings screen can quote them:

=========================  ======  ==========================================================
term                       coeff   factor
=========================  ======  ==========================================================
status.overdue             30.0    1 if 逾期
status.due_soon            15.0    1 if 临期
status.on_track             3.0    1 if 正常
status.no_deadline          2.0    1 if 无固定期限
overdue.per_day             0.1    days overdue, capped at ``overdue.max_days`` (180) → ≤ 18
due_soon.per_day            0.3    ``due_soon.window`` (15) − days left, for 临期 only, ≥ 0 → ≤ 4.5
role.lead                   3.0    1 if the unit leads the task (牵头)
role.responsible            2.0    1 if responsible (责任)
role.supporting             1.0    1 if supporting / participating (配合、参加)
letters.per_letter          0.5    letters already sent for the item, capped at ``letters.max`` (3)
rung.per_level              1.0    highest rung already sent: 1 提示函, 2 提醒函, 3 督办函
no_progress.full            2.0    days since last progress ÷ ``no_progress.days`` (90), capped
                                   at 1; never any progress counts as 1
status.done               −10.0    the whole score of a done item (已完成 / 逾期完成)
=========================  ======  ==========================================================

The status coefficients are spaced so the light always decides first: every other term of a
live item adds at most 3 + 1.5 + 3 + 2 = 9.5, so a 临期 item (≤ 15 + 4.5 + 9.5 = 29) never
outranks an 逾期 one (≥ 30.1), and a 正常 one (≤ 12.5) never outranks a 临期 one (≥ 15). Within a
light, more days overdue, fewer days left, a lead role, letters already sent and a long silence
all push an item up. Done items score −10, below everything that is still open (≥ 0).

Example: 60 days overdue, lead unit, one 提醒函 sent, last progress 45 days ago:
30 + 0.1·60 + 3 + 0.5·1 + 1·2 + 2·45/90 = 42.5.
"""

from __future__ import annotations

from tui.domain.status import Status, StatusResult

__all__ = [
    "COEFFICIENTS",
    "DONE_SCORE",
    "ROLE_ALIASES",
    "letters_term",
    "role_term",
    "rung_term",
    "silence_term",
    "status_term",
    "urgency",
]

COEFFICIENTS: dict[str, float] = {
    "status.overdue": 30.0,
    "status.due_soon": 15.0,
    "status.on_track": 3.0,
    "status.no_deadline": 2.0,
    "status.done": -10.0,
    "overdue.per_day": 0.1,
    "overdue.max_days": 180,
    "due_soon.per_day": 0.3,
    "due_soon.window": 15,
    "role.lead": 3.0,
    "role.responsible": 2.0,
    "role.supporting": 1.0,
    "letters.per_letter": 0.5,
    "letters.max": 3,
    "rung.per_level": 1.0,
    "no_progress.full": 2.0,
    "no_progress.days": 90,
}

# Role names as the store keeps them and as a plan writes them.
ROLE_ALIASES: dict[str, str] = {
    "lead": "lead",
    "responsible": "responsible",
    "supporting": "supporting",
    "牵头": "lead",
    "牵头单位": "lead",
    "责任": "responsible",
    "责任单位": "responsible",
    "配合": "supporting",
    "配合单位": "supporting",
    "参加": "supporting",
    "参加单位": "supporting",
}

_C = COEFFICIENTS
DONE_SCORE = _C["status.done"]
_BASE = {
    Status.OVERDUE: _C["status.overdue"],
    Status.DUE_SOON: _C["status.due_soon"],
    Status.ON_TRACK: _C["status.on_track"],
    Status.NO_DEADLINE: _C["status.no_deadline"],
}
_OVERDUE = Status.OVERDUE
_DUE_SOON = Status.DUE_SOON
_OVER_PER_DAY = _C["overdue.per_day"]
_OVER_MAX = int(_C["overdue.max_days"])
_SOON_PER_DAY = _C["due_soon.per_day"]
_SOON_WINDOW = int(_C["due_soon.window"])
_ROLE = {alias: _C["role." + role] for alias, role in ROLE_ALIASES.items()}
_PER_LETTER = _C["letters.per_letter"]
_LETTERS_MAX = int(_C["letters.max"])
_PER_RUNG = _C["rung.per_level"]
_SILENCE_FULL = _C["no_progress.full"]
_SILENCE_DAYS = int(_C["no_progress.days"])


def status_term(status: StatusResult) -> float | None:
    """The light's term with its days; None for a done item (its whole score is fixed)."""
    base = _BASE.get(status.status)
    if base is None:
        return None
    st = status.status
    days = status.days
    if st is _OVERDUE:
        base += _OVER_PER_DAY * (days if days < _OVER_MAX else _OVER_MAX)
    elif st is _DUE_SOON and days < _SOON_WINDOW:
        base += _SOON_PER_DAY * (_SOON_WINDOW - days)
    return base


def role_term(role: str) -> float:
    return _ROLE.get(role, 0.0)


def letters_term(letters_sent: int) -> float:
    if letters_sent:
        return _PER_LETTER * (letters_sent if letters_sent < _LETTERS_MAX else _LETTERS_MAX)
    return 0.0


def rung_term(highest_rung: int) -> float:
    if highest_rung > 0:
        return _PER_RUNG * (highest_rung if highest_rung < 3 else 3)
    return 0.0


def silence_term(days_since_progress: int | None) -> float:
    if days_since_progress is None or days_since_progress >= _SILENCE_DAYS:
        return _SILENCE_FULL
    if days_since_progress > 0:
        return _SILENCE_FULL * days_since_progress / _SILENCE_DAYS
    return 0.0


def urgency(
    status: StatusResult,
    *,
    role: str,
    letters_sent: int = 0,
    highest_rung: int = 0,
    days_since_progress: int | None = None,
) -> float:
    """Sort key for the triage queue (higher = act first); the formula is in the module docstring.

    ``role`` is ``lead`` / ``responsible`` / ``supporting`` or its Chinese name; an unknown role
    adds nothing. The terms are added left to right, the order `evaluate_columns` keeps, so
    both give the very same float.
    """
    base = status_term(status)
    if base is None:
        return DONE_SCORE
    return (
        base
        + role_term(role)
        + letters_term(letters_sent)
        + rung_term(highest_rung)
        + silence_term(days_since_progress)
    )
