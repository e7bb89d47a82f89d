"""Engine, connection pragmas, schema creation and the one-transaction session."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlmodel import Session, SQLModel, create_engine

from tui.errors import DubanError
from tui.store import letter_models, models  # noqa: F401  (letter_models: create its tables)
from tui.store.location import ENV_DB, default_db_path, operator_name, resolve_db_url

__all__ = [
    "ENV_DB",
    "default_db_path",
    "make_engine",
    "operator_name",
    "resolve_db_url",
    "transaction",
]

_AUDIT_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能删除'); END""",
)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(db: str | None = None, *, create: bool = True) -> Engine:
    """An engine on the store, schema created and version checked."""
    url = resolve_db_url(db)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DubanError(f"数据库地址无法识别：{url}") from exc
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not create and not path.exists():
            raise DubanError(f"数据库不存在：{path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DubanError(f"无法创建数据库目录：{path.parent}（{exc.strerror}）") from exc
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _ensure_schema(engine)
    except OperationalError as exc:
        raise DubanError(f"无法打开数据库：{url}（{exc.orig}）") from exc
    return engine


def _ensure_schema(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            for ddl in _AUDIT_TRIGGERS:
                conn.execute(text(ddl))
        row = conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).first()
        if row is None:
            conn.execute(
                text("INSERT INTO meta(key, value) VALUES ('schema_version', :v)"),
                {"v": str(models.SCHEMA_VERSION)},
            )
        elif int(row[0]) > models.SCHEMA_VERSION:
            raise DubanError(
                f"数据库版本（{row[0]}）高于本程序支持的版本（{models.SCHEMA_VERSION}），请升级督办台"
            )
        elif int(row[0]) < models.SCHEMA_VERSION:
            from tui.store.migrations import migrate

            migrate(conn, int(row[0]), models.SCHEMA_VERSION)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits whole on success, rolls back whole on any error.

    Every audit row written inside carries the same batch id, so `undo` can revert one
    user action as a whole.
    """
    with Session(engine, expire_on_commit=False) as session:
        session.info["batch"] = uuid.uuid4().hex
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def schema_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).scalar_one()
        )
