"""`duban backup` of a PostgreSQL store: pg_dump's custom format, verified, then renamed.

The same rule as for SQLite (tui/store/backups.py): written to a temporary file beside
the destination, checked, made durable, renamed; a backup file that exists is a whole one,
0600. The check reads the dump's table of contents back with pg_restore and requires the data
of every table of the store in it. Only the schema the store lives in is dumped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from tui.errors import DubanError, os_reason

_TIMEOUT_S = 3600


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise DubanError(
            f"找不到 {name}：PostgreSQL 数据库的备份需要它（Debian/Ubuntu 安装 postgresql-client）"
        )
    return found


def libpq_url(engine: Engine) -> str:
    """The store's address as pg_dump reads it (libpq: no '+psycopg' in the scheme)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def dump_store(engine: Engine, dest: Path) -> list[str]:
    """Dump the store to ``dest`` (must not exist); returns the tables found in the dump."""
    from tui.store.backups import fsync_path

    pg_dump, pg_restore = _tool("pg_dump"), _tool("pg_restore")
    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        tables = sorted(
            r[0]
            for r in conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
            )
        )
    for stale in dest.parent.glob(f".{dest.name}.*.partial"):
        stale.unlink(missing_ok=True)  # left by a backup that was killed
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.partial")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except OSError as exc:
        raise DubanError(f"无法写入备份：{dest}（{os_reason(exc)}）") from exc
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    try:
        done = subprocess.run(
            [pg_dump, "--format=custom", f"--schema={schema}", f"--file={tmp}", libpq_url(engine)],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            env=env,
        )
        if done.returncode != 0:
            raise DubanError(f"pg_dump 备份失败，未留下任何文件：{_first_line(done.stderr)}")
        listed = subprocess.run(
            [pg_restore, "--list", str(tmp)], capture_output=True, text=True, timeout=600
        )
        if listed.returncode != 0:
            raise DubanError(f"备份校验未通过（pg_restore 读不出目录），未留下备份文件：{dest}")
        data = {
            parts[-2]
            for line in listed.stdout.splitlines()
            if " TABLE DATA " in line and len(parts := line.split()) >= 2
        }
        missing = [t for t in tables if t not in data]
        if missing:
            raise DubanError(
                f"备份校验未通过（缺少表 {'、'.join(missing)} 的数据），未留下备份文件：{dest}"
            )
        fsync_path(tmp)
        os.replace(tmp, dest)
        fsync_path(dest.parent)
    except OSError as exc:
        raise DubanError(f"无法写入备份：{dest}（{os_reason(exc)}）") from exc
    except subprocess.TimeoutExpired as exc:
        raise DubanError("pg_dump 备份超时，未留下任何文件") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return tables


def upgrade_backup_dir() -> Path:
    """Where a server store's pre-upgrade dumps go: the `备份` folder of the user's data
    folder (a server store has no folder of its own beside it, as a SQLite file has)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("duban", appauthor=False)) / "备份"


def backup_if_behind(engine: Engine) -> Path | None:
    """A verified pg_dump of a server store about to be upgraded (`NAME-SCHEMA.升级前-v9-
    时间.dump` in `upgrade_backup_dir`); None if the store is current or new. No upgrade
    runs if the dump cannot be made, as for SQLite (tui.store.backups.backup_before_upgrade)."""
    from datetime import datetime

    from tui.store.models import SCHEMA_VERSION

    with engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar()
        if schema is None or conn.execute(text("SELECT to_regclass('meta')")).scalar() is None:
            return None
        value = conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).scalar()
    if value is None or not str(value).isdigit() or int(value) >= SCHEMA_VERSION:
        return None
    folder = upgrade_backup_dir()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    dest = folder / f"{engine.url.database or 'duban'}-{schema}.升级前-v{value}-{stamp}.dump"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        dump_store(engine, dest)
    except OSError as exc:
        raise DubanError(f"升级前的备份失败，数据库未升级：{folder}（{os_reason(exc)}）") from exc
    except DubanError as exc:
        raise DubanError(f"升级前的备份失败，数据库未升级：{exc.message}") from exc
    return dest


def _first_line(value: str) -> str:
    lines = [ln for ln in value.strip().splitlines() if ln.strip()]
    return lines[0] if lines else "未知错误"


# --------------------------------------------------------------------------- restore


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def dump_contents(source: Path) -> tuple[set[str], set[str]]:
    """The schemas and the tables whose data a custom-format dump holds (pg_restore --list);
    a file pg_restore cannot read is one Chinese line."""
    pg_restore = _tool("pg_restore")
    try:
        listed = subprocess.run(
            [pg_restore, "--list", str(source)], capture_output=True, text=True, timeout=600
        )
    except subprocess.TimeoutExpired as exc:
        raise DubanError(f"备份文件校验超时，未恢复，当前数据库未改动：{source}") from exc
    if listed.returncode != 0:
        raise DubanError(f"备份文件已损坏或不是数据库，未恢复，当前数据库未改动：{source}")
    schemas, tables = set(), set()
    for line in listed.stdout.splitlines():
        if line.startswith(";") or " TABLE DATA " not in line:
            continue
        parts = line.split()  # id; oid oid TABLE DATA schema table owner
        if len(parts) >= 3:
            schemas.add(parts[-3])
            tables.add(parts[-2])
    return schemas, tables


def restore_store(engine: Engine, source: Path, actor: str) -> str:
    """Replace the store's schema with a pg_dump backup of it; returns the name the replaced
    schema is kept under (never dropped).

    The dump is verified first (pg_restore reads its table of contents; it must hold the
    data of a duban store, dumped from the schema the store lives in). The live schema is
    then renamed aside in one statement, the dump restored in one transaction
    (``--single-transaction``: whole or nothing) under the live name, and checked (every
    table of the dump present, the schema version readable). If any step fails the
    half-restored schema is dropped and the kept one renamed back: the store is as before.
    While the restore runs (seconds to minutes) other desks find no tables and say so; the
    restore is audited in the restored store's trail.
    """
    from datetime import datetime

    from tui.store.audit import record
    from tui.store.db import dispose_engine, make_engine, transaction

    schemas, tables = dump_contents(source)
    if "meta" not in tables or "audit_log" not in tables:
        raise DubanError(f"这个文件不是督办台的数据库备份，未恢复：{source}")
    with engine.connect() as conn:
        live = conn.execute(text("SELECT current_schema()")).scalar_one()
    if schemas != {live}:
        raise DubanError(
            f"备份来自模式 {'、'.join(sorted(schemas))}，当前数据库在模式 {live}，"
            "未恢复，当前数据库未改动"
        )
    kept = f"{live}_before_restore_{datetime.now().strftime('%Y%m%d%H%M%S')}"[:63]
    engine.dispose()  # no pooled connection keeps plans of the tables being moved
    with engine.begin() as conn:
        conn.exec_driver_sql(f"ALTER SCHEMA {_quote_ident(live)} RENAME TO {_quote_ident(kept)}")
    try:
        done = subprocess.run(
            [
                _tool("pg_restore"),
                "--single-transaction",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--dbname={libpq_url(engine)}",
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
        )
        if done.returncode != 0:
            raise DubanError(f"恢复失败，当前数据库未改动：{_first_line(done.stderr)}")
        engine.dispose()
        with engine.connect() as conn:
            present = {
                r[0]
                for r in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": live}
                )
            }
            conn.execute(text("SELECT value FROM meta WHERE key = 'schema_version'")).one()
        if not tables <= present:
            missing = "、".join(sorted(tables - present))
            raise DubanError(f"恢复后缺少表 {missing}，已撤回，当前数据库未改动")
    except BaseException:
        engine.dispose()
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {_quote_ident(live)} CASCADE")
            conn.exec_driver_sql(
                f"ALTER SCHEMA {_quote_ident(kept)} RENAME TO {_quote_ident(live)}"
            )
        raise
    # A backup older than this program (the dump taken before an upgrade, say) is brought
    # up to date as any store is when opened — dumped first, as every upgrade is — so the
    # restore's audit row is written in the schema the program knows.
    engine.dispose()
    restored = make_engine(engine.url.render_as_string(hide_password=False), create=False)
    try:
        with transaction(restored) as s:
            record(
                s, actor, "恢复备份", "store", None, {"kept_schema": kept}, {"file": str(source)}
            )
    finally:
        dispose_engine(restored)
    return kept
