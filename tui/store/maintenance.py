"""Store upkeep the desk and the commands share: folding the WAL back into the database file.

SQLite in WAL mode keeps recent commits in ``NAME.db-wal`` until a checkpoint copies them
into ``NAME.db``. A user who copies only the ``.db`` file (a backup by hand, a USB stick)
must get every change, so whoever closes the store checkpoints it (GUIDE §8).
"""

from __future__ import annotations

from sqlalchemy.engine import Engine


def checkpoint(engine: Engine) -> bool:
    """Copy the WAL into the database file and truncate it; True when it is complete.

    Not complete when another connection (another desk) still reads: its pages stay in
    the WAL until that reader finishes, and SQLite folds them in on a later checkpoint."""
    if engine.dialect.name != "sqlite":
        return True
    with engine.connect() as conn:
        busy, _log, _moved = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        conn.commit()
    return not busy
