"""Is the store whole? SQLite's own checks, the audit triggers, and the audit chain.

`quick_check` runs at every writable open (it reads every page but skips index
cross-checks: tens of milliseconds at 200,000 assignments), so nothing is ever written
into a damaged file; `duban check` runs everything and says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from tui.store.audit import ChainReport, verify_chain
from tui.store.dialect import (
    AUDIT_TRIGGER_NAMES,
    SQLITE_AUDIT_TRIGGERS,
    audit_triggers_present,
    dangling_references,
    integrity_problems,
    quick_check,
)

__all__ = [
    "AUDIT_TRIGGERS",
    "forget_checked",
    "full_check",
    "missing_triggers",
    "quick_check",
    "raw_engine",
    "record_checked",
    "unchanged_since_checked",
]

# The triggers that keep the audit trail append-only (created with the schema).
AUDIT_TRIGGERS = SQLITE_AUDIT_TRIGGERS

_MAX_MESSAGES = 20


def missing_triggers(conn: Connection) -> list[str]:
    return sorted(set(AUDIT_TRIGGER_NAMES) - audit_triggers_present(conn))


@dataclass
class HealthReport:
    integrity: list[str] = field(default_factory=list)
    foreign_keys: list[str] = field(default_factory=list)
    missing_triggers: list[str] = field(default_factory=list)
    chain: ChainReport | None = None
    broken_seals: list[str] = field(default_factory=list)  # numbers of changed signed letters

    @property
    def ok(self) -> bool:
        return not (
            self.integrity
            or self.foreign_keys
            or self.missing_triggers
            or self.broken_seals
            or (self.chain is not None and self.chain.broken is not None)
        )


def full_check(engine: Engine) -> HealthReport:
    """Everything: integrity_check, foreign_key_check, the triggers and the audit chain."""
    report = HealthReport()
    with engine.connect() as conn:
        try:
            report.integrity = integrity_problems(conn, _MAX_MESSAGES)
        except SQLAlchemyError as exc:  # damage bad enough that the check itself stops
            report.integrity = [f"SQLite 无法读完整个文件：{getattr(exc, 'orig', exc)}"]
        if report.integrity:
            return report
        report.foreign_keys = [
            f"表 {r[0]} 第 {r[1]} 行引用的 {r[2]} 不存在"
            for r in dangling_references(conn, _MAX_MESSAGES)
        ]
        report.missing_triggers = missing_triggers(conn)
        report.chain = verify_chain(conn)
        report.broken_seals = _broken_seals(conn)
    return report


def _broken_seals(conn) -> list[str]:
    """Signed letters whose content no longer matches the seal signing recorded."""
    from sqlmodel import Session

    from tui.store.letter_seal import broken_seals

    with Session(bind=conn) as session:
        try:
            signed = dict(
                session.connection()
                .exec_driver_sql("SELECT id, number FROM letter WHERE number IS NOT NULL")
                .all()
            )
        except SQLAlchemyError:  # a store from before letters existed
            return []
        return [signed[i] for i in broken_seals(session, list(signed))]


def raw_engine(db: str | None) -> Engine | None:
    """A read-only engine straight on the SQLite file, without the checks made at open (so
    that a damaged file can be examined); None for a server database."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import StaticPool

    from tui.store.sqlite_files import existing_file, open_readonly

    path = existing_file(db)
    if path is None:
        return None
    conn = open_readonly(path, shared=True)
    return create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)


# The "as we left it" stamp lives in tui.store.checked_stamp (no SQLAlchemy: `duban import`
# opens current SQLite stores without it); re-exported here for its callers.
from tui.store.checked_stamp import (  # noqa: E402
    forget_checked,
    record_checked,
    unchanged_since_checked,
)
