"""`duban import-store`: a county's SQLite store merged into this (the city's) store.

The use case owns the checks and the one transaction; the copying rules are in
tui.store.merge. Refused, with nothing written, when the other file is not a 督办台 store, is
damaged (SQLite's check, its audit chain, a letter whose seal no longer holds), was written
by a newer release, or is this very store (the same file, or a copy of it: the stores'
secrets agree). A region already merged from another store is refused too: its letters
would share one register.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from tui.errors import DubanError
from tui.store.dialect import refresh_statistics
from tui.store.merge import MergeReport, merge_store, source_regions

Progress = Callable[[str, int, int], None]

_ORIGIN_KEY = "merge_origin:"


def _fingerprint(conn: Connection) -> str:
    """Names a store without revealing its secret (the ledger keys' HMAC key)."""
    row = conn.execute(text("SELECT value FROM meta WHERE key = 'store_secret'")).first()
    return hashlib.sha256(f"duban-store|{row[0] if row else ''}".encode()).hexdigest()[:24]


def open_county(path: Path, target: Engine) -> Engine:
    """The county's store opened for reading (an older schema read through a migrated
    in-memory copy), after the refusals that need nothing but the file."""
    from tui.store.db import make_engine
    from tui.store.location import sqlite_path
    from tui.store.sqlite_files import read_meta

    shown = str(path)
    if not path.is_file():
        raise DubanError(f"要合并的数据库不存在：{shown}")
    mine = sqlite_path(str(target.url))
    if mine is not None and mine.exists() and os.path.samefile(mine, path):
        raise DubanError(f"要合并的数据库就是当前数据库本身，不能合并：{shown}")
    try:
        version = read_meta(path, "schema_version")
    except DubanError as exc:
        raise DubanError(f"要合并的文件不是督办台数据库或已损坏：{shown}") from exc
    if version is None or not version.isdigit():
        raise DubanError(f"要合并的文件不是督办台数据库：{shown}")
    from tui.store.models import SCHEMA_VERSION

    if int(version) > SCHEMA_VERSION:
        raise DubanError(
            f"要合并的数据库版本（{version}）高于本程序支持的版本（{SCHEMA_VERSION}），"
            f"请先升级督办台：{shown}"
        )
    try:
        engine = make_engine(str(path), readonly=True)
        with engine.connect() as conn:
            from tui.store.dialect import quick_check

            problems = quick_check(conn)
    except SQLAlchemyError as exc:
        raise DubanError(f"要合并的数据库已损坏，无法读取：{shown}") from exc
    if problems:
        engine.dispose()
        raise DubanError(f"要合并的数据库已损坏（{problems[0][:60]}），未合并：{shown}")
    return engine


def _check_county(conn: Connection, shown: str) -> None:
    """The county's history must hold before it becomes part of ours."""
    from tui.store.audit import verify_chain
    from tui.store.letter_seal import broken_seals

    report = verify_chain(conn)
    if report.broken is not None:
        b = report.broken
        raise DubanError(
            f"要合并的数据库审计链在第{b.position}条处断开（{b.reason}），未合并：{shown}"
        )
    with Session(bind=conn) as session:
        ids = [
            i
            for (i,) in conn.execute(
                text("SELECT id FROM letter WHERE status <> '草稿' ORDER BY id")
            )
        ]
        broken = broken_seals(session, ids)
    if broken:
        raise DubanError(
            f"要合并的数据库中有{len(broken)}封函件与签发时的封签不一致，未合并：{shown}"
        )


def choose_origin(conn: Connection, origin: str | None, shown: str) -> str:
    if origin:
        return origin.strip()
    regions = source_regions(conn)
    if len(regions) == 1:
        return regions[0]
    if not regions:
        raise DubanError(
            f"要合并的数据库中没有带地区的计划，请用 --origin 写明它是哪个地区：{shown}"
        )
    raise DubanError(
        f"要合并的数据库含有多个地区（{'、'.join(regions)}），请用 --origin 写明来源：{shown}"
    )


def import_store(
    target: Engine,
    path: Path,
    *,
    origin: str | None = None,
    actor: str = "",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> MergeReport:
    """Merge the county store at ``path`` into ``target`` in one transaction (rolled back
    for a dry run, and when there is nothing new: re-running changes nothing)."""
    from tui.store.audit import record
    from tui.store.db import begin_write

    shown = str(path)
    county = open_county(path, target)
    try:
        with county.connect() as src:
            _check_county(src, shown)
            label = choose_origin(src, origin, shown)
            theirs = _fingerprint(src)
            with Session(target, expire_on_commit=False) as session:
                import uuid

                session.info["batch"] = uuid.uuid4().hex
                begin_write(session)
                conn = session.connection()
                if _fingerprint(conn) == theirs:
                    raise DubanError(f"要合并的数据库是当前数据库的副本，不能合并：{shown}")
                key = _ORIGIN_KEY + label
                known = conn.execute(
                    text("SELECT value FROM meta WHERE key = :k"), {"k": key}
                ).scalar()
                if known is not None and known != theirs:
                    raise DubanError(
                        f"地区“{label}”已从另一个数据库合并过；同一地区只能来自一个数据库"
                        f"（如确属不同来源，请用 --origin 另取名称）：{shown}"
                    )
                report = merge_store(src, session, label, progress)
                if dry_run or not report.changed:
                    session.rollback()
                    return report
                if known is None:
                    conn.execute(
                        text("INSERT INTO meta (key, value) VALUES (:k, :v)"),
                        {"k": key, "v": theirs},
                    )
                record(
                    session,
                    actor,
                    "store.merge",
                    "store",
                    None,
                    None,
                    {
                        "origin": label,
                        "source": path.name,
                        "added": report.added,
                        "matched": report.matched,
                        "updated": report.updated,
                        "plans_not_merged": report.plans_not_merged,
                        "drafts_left": report.drafts_left,
                    },
                )
                session.commit()
        refresh_statistics(target, (t for t, n in report.added.items() if n))
        return report
    finally:
        county.dispose()
