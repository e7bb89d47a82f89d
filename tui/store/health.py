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

__all__ = ["AUDIT_TRIGGERS", "full_check", "missing_triggers", "quick_check", "raw_engine"]

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


# ----------------------------------------------------------------- "as we left it" stamp
#
# quick_check reads every page: on a 200k-assignment store on a busy machine that is far
# more than the 100 ms an open may cost. What it guards against is damage from outside
# this program (a disk fault, another tool, a half-copied file). So when this program
# closes a store cleanly (WAL checkpointed into the file), it records the file's identity
# — inode, size, modification time — beside it; an open that finds the file exactly so,
# with no WAL, skips quick_check. Anything that touched the file since runs it again.
# `duban check` always checks everything.


def _stamp_file(path) -> object:
    return path.with_name(f".{path.name}.checked")


def _identity(path) -> str | None:
    import os

    try:
        st = os.stat(path)
    except OSError:
        return None
    try:
        wal = os.stat(f"{path}-wal").st_size
    except OSError:
        wal = 0
    if wal:
        return None  # changes still in the WAL: not a state to vouch for
    return f"{st.st_ino} {st.st_size} {st.st_mtime_ns}"


def unchanged_since_checked(path) -> bool:
    """The file is exactly as this program left it after a clean close."""
    try:
        recorded = _stamp_file(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return False
    return bool(recorded) and recorded == _identity(path)


def record_checked(path) -> None:
    """After a clean close: the file as it now is needs no quick_check at the next open."""
    import os

    ident = _identity(path)
    stamp = _stamp_file(path)
    try:
        if ident is None:
            stamp.unlink(missing_ok=True)
            return
        tmp = stamp.with_name(stamp.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(ident)
        os.replace(tmp, stamp)
    except OSError:
        pass  # only a skipped optimisation: the next open checks


def forget_checked(path) -> None:
    try:
        _stamp_file(path).unlink(missing_ok=True)
    except OSError:
        pass
