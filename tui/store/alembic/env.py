"""Alembic's environment for the store, shipped inside the package (it runs from the wheel).

Normally run by `tui.store.schema_upgrade`, which hands over the open connection (inside the
transaction that opened the store) as ``config.attributes["connection"]``. Run by hand
(`alembic -c ...`), it opens ``sqlalchemy.url``. Offline (SQL script) mode is refused: the
steps read and fill data as they go.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool
from sqlmodel import SQLModel

from tui.store import circular_models, letter_models, models  # noqa: F401  (the metadata)

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.begin() as conn:
        _run(conn)


if context.is_offline_mode():
    raise SystemExit(
        "督办台的数据库升级不支持离线（生成 SQL 脚本）模式：请连接数据库运行 duban db upgrade"
    )
run_online()
