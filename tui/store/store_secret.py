"""The store's own secret: what makes a ledger's row keys belong to this store and no other.

A ledger (台账) goes out to units and comes back; its hidden key column names assignments.
A key carries an HMAC made with this secret, so a unit cannot alter a key into another
valid one, and a ledger exported from another store (a colleague's, last year's demo)
fails row by row instead of writing progress onto the wrong assignments.

Where it comes from: a new store gets random bytes when its schema is written. A store
written by an older release gets it in the migration step, derived from the first rows of
its append-only audit trail (time to the microsecond and a random batch id; migrations'
own rows, which carry no batch, are left out), so that the
same file read through an in-memory migrated copy (a read-only command on an old store)
yields the same secret as the upgraded file later. An empty store (nothing audited, so
nothing to export) gets random bytes.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import text
from sqlalchemy.engine import Connection

META_KEY = "store_secret"


def _derived(conn: Connection) -> str | None:
    rows = conn.execute(
        text(
            "SELECT id, at, actor, action, batch FROM audit_log WHERE batch <> '' "
            "ORDER BY id LIMIT 3"
        )
    ).all()
    if not rows:
        return None
    seed = "|".join(str(v) for row in rows for v in row)
    return hashlib.sha256(("duban-store-secret|" + seed).encode("utf-8")).hexdigest()[:32]


def ensure_store_secret(conn: Connection, *, new_store: bool = False) -> None:
    """Write the secret if the store has none (inside the schema transaction)."""
    row = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": META_KEY}).first()
    if row is not None and row[0]:
        return
    value = None if new_store else _derived(conn)
    conn.execute(
        text("INSERT INTO meta(key, value) VALUES (:k, :v)"),
        {"k": META_KEY, "v": value or secrets.token_hex(16)},
    )


def read_store_secret(conn: Connection) -> str:
    """The secret; a store that somehow lacks it (never opened for writing by this release)
    gets the value its migration will write, so keys stay the same after the upgrade."""
    row = conn.execute(text("SELECT value FROM meta WHERE key = :k"), {"k": META_KEY}).first()
    if row is not None and row[0]:
        return str(row[0])
    return _derived(conn) or ""
