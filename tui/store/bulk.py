"""Many rows in one statement: an import writes tens of thousands at a time.

SQLAlchemy keeps the order of RETURNING ids on SQLite only by inserting one row per
statement, and its per-row parameter processing costs more than SQLite's own insert at
50,000 rows. Inside a write transaction no other writer can add rows, so on SQLite the ids
are allocated up front (max + 1 …) and the rows go to the driver's executemany, each value
converted by its column type's own bind processor. Other databases use RETURNING, which
they order cheaply. This is the one place where the store's bulk writes differ by dialect.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from operator import itemgetter

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select


def _driver_executemany(conn: Connection, table: Table, rows: Sequence[dict]) -> None:
    """INSERT through the DB-API executemany (SQLite), values converted as SQLAlchemy would,
    and columns the rows leave out given their Python-side defaults as SQLAlchemy would."""
    columns = list(rows[0])
    defaults: dict[str, object] = {}
    for col in table.columns:
        if col.name in rows[0] or col.default is None:
            continue
        if not col.default.is_scalar:
            raise ValueError(f"bulk insert needs an explicit value for {table.name}.{col.name}")
        defaults[col.name] = col.default.arg
    columns += list(defaults)
    rows = [{**defaults, **row} for row in rows] if defaults else rows
    quote = conn.dialect.identifier_preparer.quote
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join('?' for _ in columns)})"
    )
    conn.exec_driver_sql(sql, _driver_values(conn, table, columns, rows))


def _driver_values(
    conn: Connection, table: Table, columns: list[str], rows: Sequence[dict]
) -> list[tuple]:
    """Each row's values in column order, converted by the columns' bind processors. Most
    columns (text, integers) have none on SQLite: their values are taken as they are, in C,
    and only the few that do (dates, booleans) are converted in Python, each distinct value once."""
    # Cached: the rows of one write share their timestamps and flags (values are hashable).
    processors = [
        (i, lru_cache(maxsize=256)(p))
        for i, c in enumerate(columns)
        if (p := table.c[c].type.dialect_impl(conn.dialect).bind_processor(conn.dialect))
        is not None
    ]
    take = itemgetter(*columns)
    if len(columns) == 1:
        values = [(take(row),) for row in rows]
    else:
        values = [take(row) for row in rows]
    if not processors:
        return values
    converted = []
    for value in values:
        value = list(value)
        for i, p in processors:
            value[i] = p(value[i])
        converted.append(tuple(value))
    return converted


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict]) -> list[int]:
    """Insert rows (without ids; all with the same keys) and return their new ids, in order.

    The caller must already hold the write transaction (it has written something), so
    that on SQLite no other connection can take the ids allocated here.
    """
    if not rows:
        return []
    pk = table.c.id
    if conn.dialect.name != "sqlite":
        stmt = insert(table).returning(pk, sort_by_parameter_order=True)
        return list(conn.execute(stmt, list(rows)).scalars().all())
    start = (conn.execute(select(func.max(pk))).scalar() or 0) + 1
    ids = list(range(start, start + len(rows)))
    _driver_executemany(conn, table, [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
    return ids


def insert_many(conn: Connection, table: Table, rows: Sequence[dict]) -> None:
    """Insert rows (all with the same keys) whose ids nobody needs back."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        _driver_executemany(conn, table, rows)
    else:
        conn.execute(insert(table), list(rows))


def update_rows(conn: Connection, table: Table, rows: Sequence[dict]) -> None:
    """UPDATE … WHERE id = row["id"] for each row, in one executemany; every row must set
    the same columns."""
    if not rows:
        return
    columns = [k for k in rows[0] if k != "id"]
    if conn.dialect.name == "sqlite":
        quote = conn.dialect.identifier_preparer.quote
        sets = ", ".join(f"{quote(c)} = ?" for c in columns)
        conn.exec_driver_sql(
            f"UPDATE {quote(table.name)} SET {sets} WHERE {quote('id')} = ?",
            _driver_values(conn, table, [*columns, "id"], rows),
        )
        return
    stmt = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({c: bindparam(f"v_{c}") for c in columns})
    )
    conn.execute(stmt, [{**{f"v_{c}": r[c] for c in columns}, "_id": r["id"]} for r in rows])


def stream_rows(conn: Connection, stmt: Select) -> Iterator[tuple]:
    """The rows of a SELECT as plain tuples, as fast as the driver gives them.

    On SQLite the compiled statement goes straight to the DB-API cursor: SQLAlchemy's row
    processing costs more than the query when a listing reads 200,000 rows. Values are then
    the driver's own (dates as ISO text, booleans as 0/1); callers format them as text anyway.
    """
    if conn.dialect.name != "sqlite":
        yield from (tuple(r) for r in conn.execute(stmt))
        return
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    positional = [params[name] for name in compiled.positiontup] if compiled.positiontup else []
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled), positional)
        while batch := cursor.fetchmany(5000):
            yield from batch
    finally:
        cursor.close()
