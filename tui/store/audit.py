"""The append-only audit trail: who changed what, when, before → after."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from tui.clock import now as clock_now
from tui.store.models import AuditLog


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


# One encoder for every row: an import writes tens of thousands of audit rows.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_default, sort_keys=True)


def to_json(value: Any) -> str:
    if value is None:
        return ""
    return _ENCODER.encode(value)


def record(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    before: Any = None,
    after: Any = None,
    *,
    batch: str = "",
) -> None:
    session.add(
        AuditLog(
            at=clock_now(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=to_json(before),
            after=to_json(after),
            batch=batch or session.info.get("batch", ""),
        )
    )


def audit_rows(
    actor: str, action: str, entity: str, items: list[tuple[int | None, Any, Any]], batch: str = ""
) -> list[dict]:
    """Rows for a bulk insert of many audit entries in one statement."""
    now = clock_now()
    return [
        {
            "at": now,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": eid,
            "before": to_json(before),
            "after": to_json(after),
            "batch": batch,
        }
        for eid, before, after in items
    ]
