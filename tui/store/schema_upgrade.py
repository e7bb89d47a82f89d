"""Schema upgrades: the hand-written steps up to the Alembic baseline, then Alembic.

Schema versions (``meta.schema_version``, models.SCHEMA_VERSION) and Alembic revisions are
one numbering: revision ``schema{N}`` is the schema at version N. A store older than the
baseline (version 8) is first brought to 8 by `tui.store.migrations.migrate` (the steps
written before Alembic), then stamped ``schema8``; a store at 8 or later that was made
before Alembic is stamped with its own version; then Alembic upgrades it to the head. Every
revision after the baseline runs the step of the same number from `migrations.STEPS`
(`run_step`), so a step's SQL lives in one place whichever way it is reached. See the
module docstring of tui/store/migrations.py for how to add a step.

Everything runs on the connection (and inside the transaction) that opened the store: an
upgrade lands whole or not at all.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

BASELINE = 8
SCRIPTS = Path(__file__).with_name("alembic")
_VERSION_TABLE = "alembic_version"


def revision_for(version: int) -> str:
    return f"schema{version}"


def _config(conn: Connection | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    """The newest revision shipped with this program."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def stored_revision(conn: Connection) -> str | None:
    """The Alembic revision the store is stamped with; None if never stamped."""
    if not inspect(conn).has_table(_VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalar()


def meta_version(conn: Connection) -> int:
    row = conn.execute(text("SELECT value FROM meta WHERE key='schema_version'")).first()
    return int(row[0]) if row is not None else 0


def is_current(conn: Connection, target: int) -> bool:
    """Cheap: no Alembic import when the store is already at ``target`` and stamped so."""
    return meta_version(conn) == target and stored_revision(conn) == revision_for(target)


def stamp_new(conn: Connection, target: int) -> None:
    """A store just created whole by create_all: stamped with the head, nothing run.

    Written directly, as Alembic's own stamp writes it (its version table and constraint
    names), so creating a store does not import Alembic (~1 s of a first import on a busy
    machine); tests/test_schema_upgrade.py checks every step has its revision, so the head
    is ``revision_for(SCHEMA_VERSION)``."""
    from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table

    table = Table(
        _VERSION_TABLE,
        MetaData(),
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
    )
    table.create(conn, checkfirst=True)
    conn.execute(table.delete())
    conn.execute(table.insert().values(version_num=revision_for(target)))


def upgrade(conn: Connection, target: int) -> tuple[int, int]:
    """Bring the store to ``target`` (the program's SCHEMA_VERSION); returns (from, to)."""
    from alembic import command

    from tui.store.migrations import migrate

    _check_head(target)
    start = version = meta_version(conn)
    if version < BASELINE:
        migrate(conn, version, BASELINE)
        version = BASELINE
    cfg = _config(conn)
    if stored_revision(conn) != revision_for(version):
        # meta's version is the store's own word (the hand-written steps and older releases
        # keep it): a store never stamped, or stamped otherwise, is stamped to match it; the
        # steps are additive and idempotent, so running one again is harmless
        command.stamp(cfg, revision_for(version), purge=True)
    command.upgrade(cfg, "head")
    return start, meta_version(conn)


def _check_head(target: int) -> None:
    head = head_revision()
    if head != revision_for(target):
        raise RuntimeError(
            f"Alembic head {head} does not match SCHEMA_VERSION {target}: add "
            f"tui/store/alembic/versions/{revision_for(target)}.py (see tui/store/migrations.py)"
        )


def run_step(version: int) -> None:
    """Inside an Alembic revision: the hand-written step ``version`` → ``version + 1``."""
    from alembic import op

    from tui.store.migrations import STEPS

    conn = op.get_bind()
    step = STEPS.get(version)
    if step is not None:
        step(conn)
    conn.execute(
        text("UPDATE meta SET value = :v WHERE key = 'schema_version'"), {"v": str(version + 1)}
    )
