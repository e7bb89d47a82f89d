"""Schema migrations: one function per version step, run inside the opening transaction.

A store written by an older release is upgraded in place; nothing is dropped, and each
step leaves one audit row saying what it did. Steps below the Alembic baseline (8) run
through `migrate`; from 8 on each step is reached through its Alembic revision
(tui/store/schema_upgrade.py explains the order; a SQLite store is backed up first).

Adding a step N → N+1 (e.g. 8 → 9):
  1. write ``_v8_to_v9(conn)`` here: additive (CREATE … IF NOT EXISTS / ALTER … ADD COLUMN
     only when `_columns` lacks it), idempotent, portable SQL (named parameters, no
     SQLite-only functions; see tui/store/dialect.py), ending with one `_audit` row;
  2. add ``8: _v8_to_v9`` to STEPS and raise models.SCHEMA_VERSION to 9 (new stores get
     the tables from create_all and are stamped with the head);
  3. copy tui/store/alembic/versions/schema9.py from the template below, changing only the
     two ids (the body is always ``run_step(int(down_revision.removeprefix("schema")))``)::

         from tui.store.schema_upgrade import run_step

         revision = "schema9"
         down_revision = "schema8"
         branch_labels = None
         depends_on = None

         def upgrade() -> None:
             run_step(int(down_revision.removeprefix("schema")))

     (`alembic revision -m "…" --rev-id schema9` with the shipped script.py.mako writes the
     same file). tests/test_schema_upgrade.py fails if a step has no revision.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import UniqueConstraint, inspect, text
from sqlalchemy.engine import Connection

from tui.clock import now as clock_now
from tui.domain.identity import path_label, task_keys


def _columns(conn: Connection, table: str) -> set[str]:
    return {c["name"] for c in inspect(conn).get_columns(table)}


def _audit(conn: Connection, action: str, before: dict, after: dict) -> None:
    """One audit row for a migration step, chained after the trail's last row."""
    from tui.store.audit import chain_tip, row_hash, to_json
    from tui.store.location import operator_name

    row = {
        "at": clock_now(),
        "actor": operator_name() or "督办台",
        "action": action,
        "entity": "store",
        "entity_id": None,
        "before": to_json(before),
        "after": to_json(after),
        "batch": "",
    }
    prev = chain_tip(conn)
    conn.execute(
        text(
            "INSERT INTO audit_log (at, actor, action, entity, entity_id, before, after, batch, "
            "prev_hash, hash) VALUES (:at, :actor, :action, :entity, :entity_id, :before, "
            ":after, :batch, :prev_hash, :hash)"
        ),
        {**row, "prev_hash": prev, "hash": row_hash(prev, row)},
    )


def _chain_existing_audit(conn: Connection) -> int:
    """Give every audit row written before the chain its place in it (in id order).

    The rows are append-only, so the triggers that forbid UPDATE are lifted for this one
    statement inside the migration's transaction and put back before it commits.
    """
    from sqlalchemy import select

    from tui.store.audit import row_hash
    from tui.store.models import AuditLog

    t = AuditLog.__table__.c
    rows = conn.execute(
        select(
            t.id, t.at, t.actor, t.action, t.entity, t.entity_id, t.before, t.after, t.batch
        ).order_by(t.id)
    ).all()
    if not rows:
        return 0
    triggers = _drop_audit_triggers(conn)
    prev = ""
    updates = []
    for row in rows:
        digest = row_hash(prev, row._mapping)
        updates.append({"p": prev, "h": digest, "i": row.id})
        prev = digest
    conn.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :i"), updates)
    for ddl in triggers:
        conn.execute(text(ddl))
    return len(rows)


def _drop_audit_triggers(conn: Connection) -> list[str]:
    if conn.dialect.name != "sqlite":
        return []
    found = conn.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        )
    ).all()
    for name, _sql in found:
        conn.execute(text(f'DROP TRIGGER "{name}"'))
    return [sql for _name, sql in found]


def _outline_keys(conn: Connection, plan_id: int, tasks: list[tuple]) -> list[str]:
    """Keys for (id, number, node_id) tasks, in the order given, from the stored outline."""
    nodes = {
        nid: (parent, path_label(number, heading))
        for nid, parent, number, heading in conn.execute(
            text("SELECT id, parent_id, number, heading FROM outline_node WHERE plan_id = :p"),
            {"p": plan_id},
        )
    }

    def path(node_id: int | None) -> tuple[str, ...]:
        labels: list[str] = []
        while node_id is not None and node_id in nodes:
            parent, label = nodes[node_id]
            labels.append(label)
            node_id = parent
        return tuple(reversed(labels))

    return task_keys((path(node_id), number) for _id, number, node_id in tasks)


def _v1_to_v2(conn: Connection) -> None:
    """Task identity: tasks keyed by their place in the outline; plans may share a title;
    the audit trail becomes a hash chain (earlier rows are chained in id order).

    Plans whose numbers repeat were imported with the old number-only identity, which put
    the owners of later occurrences on the first task with that number. They are marked
    identity_version 1 so that the next import of the plan moves those assignments — with
    their progress and letters — to their own tasks.
    """
    if "key" not in _columns(conn, "task"):
        conn.execute(text("ALTER TABLE task ADD COLUMN key VARCHAR NOT NULL DEFAULT ''"))
    if "identity_version" not in _columns(conn, "plan"):
        conn.execute(
            text("ALTER TABLE plan ADD COLUMN identity_version INTEGER NOT NULL DEFAULT 2")
        )
    for column in ("prev_hash", "hash"):
        if column not in _columns(conn, "audit_log"):
            conn.execute(
                text(f"ALTER TABLE audit_log ADD COLUMN {column} VARCHAR NOT NULL DEFAULT ''")
            )
    chained = _chain_existing_audit(conn)
    conn.execute(text("DROP INDEX IF EXISTS ix_plan_key"))
    conn.execute(text('CREATE INDEX IF NOT EXISTS ix_plan_key ON "plan" ("key")'))
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_task_plan_key ON task (plan_id, key)"))

    repair: list[int] = []
    keyed = 0
    for (plan_id,) in conn.execute(text("SELECT id FROM plan ORDER BY id")).all():
        for active in (1, 0):
            tasks = conn.execute(
                text(
                    "SELECT id, number, node_id FROM task WHERE plan_id = :p AND active = :a "
                    "ORDER BY position, id"
                ),
                {"p": plan_id, "a": active},
            ).all()
            if not tasks:
                continue
            keys = _outline_keys(conn, plan_id, tasks)
            conn.execute(
                text("UPDATE task SET key = :k WHERE id = :i"),
                [{"k": k, "i": t[0]} for t, k in zip(tasks, keys, strict=True)],
            )
            keyed += len(tasks)
            numbers = [t[1] for t in tasks]
            if active and len(set(numbers)) < len(numbers):
                repair.append(plan_id)
    if repair:
        conn.execute(
            text(f"UPDATE plan SET identity_version = 1 WHERE id IN ({','.join(map(str, repair))})")
        )
    _audit(
        conn,
        "store.migrate",
        {"schema_version": 1},
        {
            "schema_version": 2,
            "tasks_keyed": keyed,
            "plans_to_repair_on_next_import": repair,
            "audit_rows_chained": chained,
        },
    )


def _v2_to_v3(conn: Connection, to: int = 3) -> None:
    """The desk (2 → 3): a progress report may name the occurrences of a recurring duty it
    answers (progress.cover_from / cover_to, see tui.domain.status); the audit trail is
    read by entity (an item's history, what came after a change). Idempotent: it adds only
    what is missing (see `_v7_to_v8`)."""
    added = []
    for column in ("cover_from", "cover_to"):
        if column not in _columns(conn, "progress"):
            conn.execute(text(f"ALTER TABLE progress ADD COLUMN {column} DATE"))
            added.append(column)
    conn.execute(
        text("CREATE INDEX IF NOT EXISTS ix_audit_log_entity ON audit_log (entity, entity_id)")
    )
    _audit(
        conn,
        "store.migrate",
        {"schema_version": to - 1},
        {"schema_version": to, "columns_added": added, "index": "ix_audit_log_entity"},
    )


def _v7_to_v8(conn: Connection) -> None:
    """The desk step again, for stores created at versions 3–7 by releases built without it
    (it was merged after the letters' and reports' steps): such a store skips 2 → 3."""
    _v2_to_v3(conn, to=8)


def _v3_to_v4(conn: Connection, to: int = 4) -> None:
    """Letters (3 → 4): letter_item learns its task, the unit's role, the recurring
    occurrences missed and the date of the last progress, so a letter lists one row per
    task with the roles merged. Existing rows get their task and role from the assignment.
    Idempotent: it adds only what is missing (see `_v6_to_v7`)."""
    have = _columns(conn, "letter_item")
    added = []
    for name, ddl in (
        ("task_id", "INTEGER"),
        ("role", "VARCHAR NOT NULL DEFAULT ''"),
        ("missed", "VARCHAR NOT NULL DEFAULT ''"),
        ("progress_on", "DATE"),
    ):
        if name not in have:
            conn.execute(text(f"ALTER TABLE letter_item ADD COLUMN {name} {ddl}"))
            added.append(name)
    filled = conn.execute(
        text(
            "UPDATE letter_item SET "
            "task_id = (SELECT a.task_id FROM assignment a WHERE a.id = letter_item.assignment_id), "
            "role = COALESCE((SELECT a.role FROM assignment a "
            "WHERE a.id = letter_item.assignment_id), '') "
            "WHERE task_id IS NULL"
        )
    ).rowcount
    _audit(
        conn,
        "store.migrate",
        {"schema_version": to - 1},
        {"schema_version": to, "letter_item_columns": added, "letter_items_filled": filled},
    )


def _v6_to_v7(conn: Connection) -> None:
    """The letters step again, for stores created at versions 4–6 by releases that were
    built without it (the 3 → 4 step was merged after the reports' 5 → 6): a store at 6
    skips 3 → 4, so its letter_item would lack the columns. Adds only what is missing."""
    _v3_to_v4(conn, to=7)


def _v5_to_v6(conn: Connection) -> None:
    """Reports: the register of unit task lists (list_issue) and the store's secret that
    makes ledger row keys tamper-evident (see tui.store.store_secret)."""
    from tui.store.models import ListIssue
    from tui.store.store_secret import ensure_store_secret

    ListIssue.__table__.create(conn, checkfirst=True)  # create_all made it already; harmless
    ensure_store_secret(conn)
    _audit(
        conn,
        "store.migrate",
        {"schema_version": 5},
        {"schema_version": 6, "tables_added": ["list_issue"], "store_secret": "已生成"},
    )


def _v8_to_v9(conn: Connection) -> None:
    """Circulars (通报): their register and their 期 counter. Additive and idempotent (a
    table is created only when missing), so it serves a store of any earlier version."""
    from tui.store.circular_models import Circular, CircularCounter

    added = []
    for table in (Circular.__table__, CircularCounter.__table__):
        if not inspect(conn).has_table(table.name):
            table.create(conn)
            added.append(table.name)
    _audit(
        conn,
        "store.migrate",
        {"schema_version": 8},
        {"schema_version": 9, "tables_added": added},
    )


def _unique_sets(conn: Connection, table: str) -> list[tuple[str | None, tuple[str, ...]]]:
    return [
        (u["name"], tuple(u["column_names"])) for u in inspect(conn).get_unique_constraints(table)
    ]


def _rebuild_sqlite_table(conn: Connection, table) -> None:
    """Re-create a SQLite table from its model (SQLite cannot drop a UNIQUE constraint),
    keeping every row and id. Inside the opening transaction, with foreign keys deferred:
    dropping the table leaves its children's references dangling for a moment, and every
    row inserted back under the same name resolves them again before the commit checks."""
    name = table.name
    old = _columns(conn, name)
    keep = [c.name for c in table.columns if c.name in old]
    cols = ", ".join(f'"{c}"' for c in keep)
    fill = "" if "origin" in old else ", ''"
    into = cols if "origin" in old else f'{cols}, "origin"'
    conn.execute(text("PRAGMA defer_foreign_keys = ON"))
    conn.execute(text(f'CREATE TABLE "{name}__v9" AS SELECT * FROM "{name}"'))
    conn.execute(text(f'DROP TABLE "{name}"'))
    table.create(conn)
    conn.execute(
        text(f'INSERT INTO "{name}" ({into}) SELECT {cols}{fill} FROM "{name}__v9" ORDER BY id')
    )
    conn.execute(text(f'DROP TABLE "{name}__v9"'))


def _v9_to_v10(conn: Connection) -> None:
    """A city over its counties: letters and circulars are registered per origin ("" for
    the office's own; a county's region for what `duban import-store` merged), so their
    unique keys gain the origin; audit rows carry their origin; merge_map remembers which
    county row became which row here. Works on a store of any earlier version: a register
    whose keys already include the origin is left as it is."""
    from tui.store.circular_models import Circular
    from tui.store.letter_models import Letter
    from tui.store.models import MergeMap

    done: dict[str, list[str]] = {}
    if "origin" not in _columns(conn, "audit_log"):
        conn.execute(text("ALTER TABLE audit_log ADD COLUMN origin VARCHAR NOT NULL DEFAULT ''"))
        done.setdefault("audit_log", []).append("origin")
    for model in (Letter, Circular):
        table = model.__table__
        name = table.name
        fresh = "origin" not in _columns(conn, name)
        uniques = _unique_sets(conn, name)
        stale = [(n, cols) for n, cols in uniques if "origin" not in cols]
        if not fresh and not stale:
            continue
        done[name] = ["origin", "register keys include origin"]
        if conn.dialect.name == "sqlite":
            _rebuild_sqlite_table(conn, table)
            continue
        if fresh:
            conn.execute(text(f"ALTER TABLE {name} ADD COLUMN origin VARCHAR NOT NULL DEFAULT ''"))
        for constraint, _cols in stale:
            conn.execute(text(f'ALTER TABLE {name} DROP CONSTRAINT "{constraint}"'))
        have = {cols for _n, cols in _unique_sets(conn, name)}
        for c in table.constraints:
            if isinstance(c, UniqueConstraint):
                cols = tuple(col.name for col in c.columns)
                if cols not in have:
                    conn.execute(
                        text(
                            f'ALTER TABLE {name} ADD CONSTRAINT "{c.name}" '
                            f"UNIQUE ({', '.join(cols)})"
                        )
                    )
    if not inspect(conn).has_table(MergeMap.__tablename__):
        MergeMap.__table__.create(conn)
        done["merge_map"] = ["table"]
    _audit(
        conn,
        "store.migrate",
        {"schema_version": 9},
        {"schema_version": 10, "changed": done},
    )


# STEPS[n] upgrades a store from version n to n + 1.
STEPS: dict[int, Callable[[Connection], None]] = {
    1: _v1_to_v2,
    2: _v2_to_v3,
    3: _v3_to_v4,
    5: _v5_to_v6,
    6: _v6_to_v7,
    7: _v7_to_v8,
    8: _v8_to_v9,
    9: _v9_to_v10,
}


def migrate(conn: Connection, current: int, target: int) -> None:
    for version in range(current, target):
        step = STEPS.get(version)
        if step is not None:
            step(conn)
    conn.execute(
        text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(target)}
    )
