"""The append-only audit trail: who changed what, when, before → after — as a hash chain.

Each row stores the hash of the row before it (by id) and the SHA-256 of that hash and its
own content, so a row edited, deleted or slipped in directly in SQLite breaks the chain,
and `duban audit verify` names the first broken link. Appending reads the chain's tip under
the write lock (a no-op write on `meta` first), so two desks cannot fork the chain.

What the chain cannot show: someone who rewrites every later row with correctly computed
hashes. The triggers in store/db.py, file permissions and backups guard against that.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tui import clock
from tui.errors import DubanError
from tui.text import show_controls

if TYPE_CHECKING:  # the import path runs without SQLAlchemy (tui.store.sqlconn)
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from tui.store.sqlconn import SqlConn


def clock_now() -> datetime:
    return clock.now()


_TIP = "audit_tip"


def _default(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _one_shot(encoder: json.JSONEncoder) -> Callable[[Any], str]:
    """``encoder.encode`` with its C encoder made once, not on every call as JSONEncoder
    does (half the cost of a short row). Same text, byte for byte: the audit hashes depend
    on it (tests/test_startup_paths.py compares the two). Cycles are not looked for: rows
    are plain values. Without the C accelerator, ``encoder.encode`` itself."""
    make = json.encoder.c_make_encoder
    if make is None or encoder.indent is not None:
        return encoder.encode
    c_encode = make(
        None,
        encoder.default,
        json.encoder.encode_basestring_ascii
        if encoder.ensure_ascii
        else json.encoder.encode_basestring,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return encoder.encode(value)
        return "".join(c_encode(value, 0))

    return encode


# One encoder for every row: an import writes tens of thousands of audit rows.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_default, sort_keys=True)
_encode = _one_shot(_ENCODER)


# The hashed form of a row: what json.dumps(content, ensure_ascii=False, separators=(",", ":"))
# gives, from one encoder instead of a new one per row (the hash must never change).
_CONTENT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_encode_content = _one_shot(_CONTENT)


# One string as _encode_content writes it inside a list (the C function the encoder calls).
_enc_str = json.encoder.encode_basestring


def _content_text(parts: Sequence[str]) -> str:
    """``_encode_content(parts)`` for a list of strings — the same text, byte for byte (a
    list of strings is its items encoded and joined by commas) — without the encoder's
    per-call set-up: an import hashes tens of thousands of rows."""
    return "[" + ",".join(map(_enc_str, parts)) + "]"


def assignment_json(task_id: Any, unit_id: Any, group_id: Any, role: Any) -> str:
    """``to_json`` of an assignment's identity ({task_id, unit_id, group_id, role}), the
    same text written directly when the values are plain ids and a role (an import audits
    tens of thousands of new assignments); anything else goes to the encoder."""
    if (
        type(task_id) is int
        and (unit_id is None or type(unit_id) is int)
        and (group_id is None or type(group_id) is int)
        and type(role) is str
    ):
        return (
            f'{{"group_id": {"null" if group_id is None else group_id}, '
            f'"role": {_enc_str(role)}, "task_id": {task_id}, '
            f'"unit_id": {"null" if unit_id is None else unit_id}}}'
        )
    return to_json({"task_id": task_id, "unit_id": unit_id, "group_id": group_id, "role": role})


def to_json(value: Any) -> str:
    if value is None:
        return ""
    return _encode(value)


@lru_cache(maxsize=256)  # the rows of one transaction share their timestamp
def _stamp(at: datetime) -> str:
    """A timestamp as the store gives it back: UTC, no zone, microseconds."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def row_hash(prev: str, row: Mapping[str, Any]) -> str:
    """SHA-256 of the previous row's hash and this row's content.

    A row merged from a county's store carries its origin (schema 10), hashed with it so the
    origin cannot be changed afterwards; the store's own rows hash exactly as before."""
    content = [
        prev,
        _stamp(row["at"]),
        row["actor"],
        row["action"],
        row["entity"],
        "" if row["entity_id"] is None else str(row["entity_id"]),
        row["before"],
        row["after"],
        row["batch"],
    ]
    origin = row.get("origin") or ""
    if origin:
        content.append(origin)
    return hashlib.sha256(_content_text(content).encode("utf-8")).hexdigest()


_TIP_SQL = "UPDATE meta SET value = value WHERE key = 'schema_version'"
_LAST_HASH = "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1"


def chain_tip(conn: Connection) -> str:
    """The last row's hash, read under the write lock of the current transaction."""
    from sqlalchemy import text

    # A write on meta takes the write lock (SQLite) or a row lock (other databases) before
    # the tip is read, so no other writer can append between our read and our insert.
    conn.execute(text(_TIP_SQL))
    return conn.execute(text(_LAST_HASH)).scalar() or ""


def sql_tip(conn: SqlConn) -> str:
    """`chain_tip` through a `SqlConn`, kept on the connection for the transaction."""
    if conn.audit_tip is None:
        conn.run(_TIP_SQL)
        conn.audit_tip = conn.scalar(_LAST_HASH) or ""
    return conn.audit_tip


def session_tip(session: Session) -> str:
    return _tip(session)


def set_session_tip(session: Session, tip: str) -> None:
    _advance(session, tip)


def _tip(session: Session) -> str:
    tx = session.get_transaction()
    cached = session.info.get(_TIP)
    if cached is not None and cached[0] is tx:
        return cached[1]
    tip = chain_tip(session.connection())
    session.info[_TIP] = (tx, tip)
    return tip


def _advance(session: Session, tip: str) -> None:
    session.info[_TIP] = (session.get_transaction(), tip)


def _actor(actor: str) -> str:
    """Who made the change: never blank (the desk's operator when a caller has none)."""
    name = show_controls((actor or "").strip())
    if not name:
        from tui.store.location import operator_name

        name = show_controls(operator_name().strip())
    if not name:
        raise DubanError("操作人不能为空：请设置 DUBAN_USER 或在设置文件中填写 operator")
    return name


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
    """Append one audit row to the session (inserted at the next flush, in call order)."""
    row = {
        "at": clock_now(),
        "actor": _actor(actor),
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "before": to_json(before),
        "after": to_json(after),
        "batch": batch or session.info.get("batch", ""),
    }
    from tui.store.models import AuditLog

    prev = _tip(session)
    digest = row_hash(prev, row)
    session.add(AuditLog(**row, prev_hash=prev, hash=digest))
    _advance(session, digest)


# The columns an audit row is inserted with, in the order of the tuples the SQL paths build.
_AUDIT_COLUMNS = (
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
    "batch",
    "prev_hash",
    "hash",
)


def record_sql(
    conn: SqlConn,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    before: Any = None,
    after: Any = None,
) -> None:
    """`record` through a `SqlConn`: one audit row, chained, inserted now."""
    insert_audit_sql(
        conn, audit_rows(actor, action, entity, [(entity_id, before, after)], conn.batch)
    )


def insert_audit_sql(conn: SqlConn, rows: Sequence[dict]) -> None:
    """`insert_audit` through a `SqlConn`: many rows in one statement, chained."""
    if not rows:
        return
    tip = sql_tip(conn)
    chained = []
    for row in rows:
        digest = row_hash(tip, row)
        chained.append(
            (
                row["at"],
                row["actor"],
                row["action"],
                row["entity"],
                row["entity_id"],
                row["before"],
                row["after"],
                row["batch"],
                tip,
                digest,
            )
        )
        tip = digest
    conn.many_values("audit_log", _AUDIT_COLUMNS, chained)
    conn.audit_tip = tip


def insert_audit_items(
    conn: SqlConn,
    actor: str,
    action: str,
    entity: str,
    items: Sequence[tuple[int | None, Any, Any]],
    *,
    encoded: bool = False,
) -> None:
    """``insert_audit_sql(conn, audit_rows(actor, action, entity, items, conn.batch))`` —
    the same rows, chained and hashed alike — without a dict per row: the parts every row
    shares (time, actor, action, entity, batch) are encoded for the hash once.
    ``encoded``: each item's before and after are already their `to_json` text."""
    if not items:
        return
    now = clock_now()
    actor = _actor(actor)
    batch = conn.batch
    tip = sql_tip(conn)
    # The hashed content is [prev, at, actor, action, entity, id, before, after, batch]
    # (row_hash); every row of one call shares all but prev, id, before and after.
    middle = "," + ",".join(map(_enc_str, (_stamp(now), actor, action, entity))) + ","
    tail = "," + _enc_str(batch) + "]"
    sha256, enc = hashlib.sha256, _enc_str
    chained = []
    for eid, before, after in items:
        b, a = (before, after) if encoded else (to_json(before), to_json(after))
        text = (
            "["
            + enc(tip)
            + middle
            + enc("" if eid is None else str(eid))
            + ","
            + enc(b)
            + ","
            + enc(a)
            + tail
        )
        digest = sha256(text.encode("utf-8")).hexdigest()
        chained.append((now, actor, action, entity, eid, b, a, batch, tip, digest))
        tip = digest
    conn.many_values("audit_log", _AUDIT_COLUMNS, chained)
    conn.audit_tip = tip


def audit_rows(
    actor: str, action: str, entity: str, items: list[tuple[int | None, Any, Any]], batch: str = ""
) -> list[dict]:
    """Rows for a bulk insert of many audit entries (see insert_audit)."""
    now = clock_now()
    actor = _actor(actor)
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


def insert_audit(session: Session, rows: Sequence[dict]) -> None:
    """Insert many audit rows in one statement, chained after everything already recorded."""
    if not rows:
        return
    from tui.store.bulk import insert_many
    from tui.store.models import AuditLog

    session.flush()  # rows recorded one by one go first, as their hashes already assume
    tip = _tip(session)
    chained = []
    for row in rows:
        digest = row_hash(tip, row)
        chained.append({**row, "prev_hash": tip, "hash": digest})
        tip = digest
    insert_many(session.connection(), AuditLog.__table__, chained)
    _advance(session, tip)


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the audit chain does not hold."""

    position: int  # 1-based row number in id order
    row_id: int
    at: datetime
    actor: str
    action: str
    reason: str


@dataclass(frozen=True)
class ChainReport:
    """What verifying the audit chain found: rows checked and the first break, if any."""

    rows: int
    broken: ChainBreak | None


def _rows(conn: Connection) -> Iterator[Any]:
    from sqlalchemy import select

    from tui.store.models import AuditLog

    t = AuditLog.__table__.c
    q = select(
        t.id,
        t.at,
        t.actor,
        t.action,
        t.entity,
        t.entity_id,
        t.before,
        t.after,
        t.batch,
        t.origin,
        t.prev_hash,
        t.hash,
    ).order_by(t.id)
    yield from conn.execution_options(yield_per=5000).execute(q)


def verify_chain(conn: Connection) -> ChainReport:
    """Walk the whole trail in id order and report the first broken link."""
    prev = ""
    n = 0
    for n, row in enumerate(_rows(conn), start=1):
        m = row._mapping
        if m["prev_hash"] != prev:
            reason = (
                "这条记录之前的记录被删除，或这条记录是后来插入的"
                if m["prev_hash"]
                else "这条记录没有校验值（不是督办台写入的）"
            )
            return ChainReport(n, ChainBreak(n, m["id"], m["at"], m["actor"], m["action"], reason))
        if row_hash(prev, m) != m["hash"]:
            return ChainReport(
                n,
                ChainBreak(n, m["id"], m["at"], m["actor"], m["action"], "这条记录的内容被改动过"),
            )
        prev = m["hash"]
    return ChainReport(n, None)
