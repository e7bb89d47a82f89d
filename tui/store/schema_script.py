"""A new SQLite store from a checked-in SQL script instead of SQLModel's create_all.

Creating a store with create_all first defines every table class (the letters' and
circulars' too) and asks SQLite about each table before creating it; the script is the same
DDL, rendered once from the SQLModel metadata and kept in ``schema_sqlite.sql`` beside this
module, run in one transaction over the DB-API connection. So `duban import` into a new
store pays for neither, and a later SQLAlchemy-free import path can create stores the same
way.

The two can never drift: tests/test_schema_script.py renders the script again from the
metadata and compares it with the file, and compares a store made from the script with one
made by create_all + stamp (every table, index, trigger, column, the Alembic version row and
the meta rows). After a change to the models: ``python -m tui.store.schema_script`` rewrites
the file.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

SCRIPT = Path(__file__).with_name("schema_sqlite.sql")
_HEADER = (
    "-- A new SQLite store, as create_all + the Alembic stamp make it (tui/store/schema_script.py).\n"
    "-- Generated: python -m tui.store.schema_script. Do not edit by hand.\n"
)


def render() -> str:
    """The script, from the models' metadata: tables and their indexes in create_all's
    order, the audit trail's triggers, the Alembic version table and stamp, and the schema
    version row. (The store's secret is random per store: written at creation, not here.)"""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable
    from sqlmodel import SQLModel

    from tui.store.db import load_every_model
    from tui.store.dialect import SQLITE_AUDIT_TRIGGERS
    from tui.store.models import SCHEMA_VERSION
    from tui.store.schema_upgrade import _VERSION_TABLE, revision_for

    load_every_model()
    dialect = sqlite.dialect()
    statements: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)).strip())
        for index in sorted(table.indexes, key=lambda i: i.name or ""):
            statements.append(str(CreateIndex(index).compile(dialect=dialect)).strip())
    statements.extend(SQLITE_AUDIT_TRIGGERS[name] for name in sorted(SQLITE_AUDIT_TRIGGERS))
    statements.append(
        f"CREATE TABLE {_VERSION_TABLE} (\n"
        "\tversion_num VARCHAR(32) NOT NULL, \n"
        "\tCONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)\n"
        ")"
    )
    statements.append(
        f"INSERT INTO {_VERSION_TABLE} (version_num) VALUES ('{revision_for(SCHEMA_VERSION)}')"
    )
    statements.append(
        f"INSERT INTO meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}')"
    )
    return _HEADER + "".join(f"\n{s};\n" for s in statements)


def statements(script: str | None = None) -> list[str]:
    """The script's statements, whole (a trigger's body holds semicolons of its own)."""
    text = SCRIPT.read_text(encoding="utf-8") if script is None else script
    out: list[str] = []
    pending = ""
    for line in text.splitlines(keepends=True):
        if not pending and (not line.strip() or line.startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"{SCRIPT.name}: unfinished statement at the end")
    return out


def create_store(dbapi_conn: sqlite3.Connection, secret_key: str) -> None:
    """Run the script on an empty store, inside the caller's transaction (statement by
    statement: sqlite3's executescript would commit first), then write the store's secret
    under ``secret_key`` as ensure_store_secret does for a new store."""
    cur = dbapi_conn.cursor()
    try:
        for sql in statements():
            cur.execute(sql)
        # secrets.token_hex(16) is os.urandom(16) in hex; importing secrets (random, hmac…)
        # would cost a new store's first `duban import` more than its whole schema.
        cur.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)", (secret_key, os.urandom(16).hex())
        )
    finally:
        cur.close()


def main() -> int:
    SCRIPT.write_text(render(), encoding="utf-8")
    print(f"wrote {SCRIPT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
