"""Finding, opening and closing the store for the desk."""

# StoreTarget, display_path and locate live in the light module `store_target` (the
# desk finds its store before SQLAlchemy is imported); they are re-exported here.

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tui.services.store_target import StoreTarget, locate
from tui.services.store_target import display_path as display_path  # re-exported

if TYPE_CHECKING:  # `duban import` imports this module and may never load SQLAlchemy
    from sqlalchemy.engine import Engine


@dataclass
class Store:
    """An open store. The desk holds it and hands it back to services; it never looks in."""

    engine: Engine
    target: StoreTarget

    @property
    def db(self) -> str:
        """The store's address as located (`--db`): where the folders beside it are found
        (letters, lists, backups). Reads go through ``engine``; nothing reopens the store
        from this string."""
        return self.target.url

    @property
    def label(self) -> str:
        return self.target.label


def open_store(target: StoreTarget | str | None, *, create: bool = False) -> Store:
    """Open a store; a missing SQLite file is created only with ``create`` (the desk asks
    first), otherwise a DubanError says it does not exist."""
    from tui.store.db import make_engine

    if not isinstance(target, StoreTarget):
        target = locate(target)
    return Store(make_engine(target.url, create=create), target)


def close_store(store: Store) -> None:
    """Checkpoint the WAL into the database file (``wal_checkpoint(TRUNCATE)``) and release
    every connection, so the ``.db`` file alone holds every change."""
    from tui.store.db import dispose_engine

    dispose_engine(store.engine)


@dataclass(frozen=True)
class UpgradeResult:
    """What `duban db upgrade` did: versions before and after, and the backup taken first."""

    before: int
    after: int
    revision: str | None
    backup: Path | None


def upgrade_store(db: str | None) -> UpgradeResult:
    """Bring the store to this program's schema (a SQLite file is backed up first)."""
    from tui.store.db import dispose_engine, schema_version, upgrade_backup
    from tui.store.db import upgrade_store as open_upgraded
    from tui.store.schema_upgrade import stored_revision

    before, engine = open_upgraded(db)
    try:
        with engine.connect() as conn:
            revision = stored_revision(conn)
        return UpgradeResult(before, schema_version(engine), revision, upgrade_backup(engine))
    finally:
        dispose_engine(engine)


def backed_up_first(store: Store, fn):
    """`fn` (a desk write returning a Change) preceded by today's automatic backup; a backup
    that cannot be made is added to the change's message, the write still goes ahead."""

    def run(*args, **kw):
        from tui.errors import DubanError
        from tui.services.daily_backup import auto_backup

        try:
            auto_backup(store.target.path)
            warning = ""
        except DubanError as exc:
            warning = f"（提示：今天的自动备份未完成：{exc.message}）"
        change = fn(*args, **kw)
        if warning and hasattr(change, "message"):
            change.message += warning
        return change

    return run
