"""The desk's first screen on PostgreSQL beside SQLite, at the same size (GUIDE §7).

    DUBAN_BENCH_PG=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        python bench/pg_desk_bench.py --size 200000 --starts 5
        python bench/pg_desk_bench.py --quick   # CI: 2,000 rows, one start, exit 0 whatever the time

The generated store (bench/gen_store.py, cached) is copied row for row into a fresh database
on the server (ids kept, sequences moved on), then the desk is launched on a pseudo-terminal
(bench/desk_bench.py's PtyDesk) on each store until the overview's counts are drawn: the
median of ``--starts`` launches, whole process, as the user waits for it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.desk_bench import START_BUDGET_S, startups  # noqa: E402
from bench.harness import Figure, cached_store, report  # noqa: E402


def copy_to_postgres(src: Path, url: str) -> float:
    """Every row of the SQLite store at ``src`` into the empty store at ``url``; seconds."""
    from sqlalchemy import create_engine, delete, func, insert, select, text
    from sqlmodel import SQLModel

    from tui.store.db import dispose_engine, make_engine
    from tui.store.dialect import refresh_statistics

    t0 = time.perf_counter()
    target = make_engine(url)  # tables, triggers, stamp
    source = create_engine(f"sqlite:///{src}")
    try:
        with source.connect() as rd, target.begin() as wr:
            wr.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
            for table in SQLModel.metadata.sorted_tables:
                wr.execute(delete(table))
                rows = rd.execute(select(table))
                while batch := rows.fetchmany(20_000):
                    wr.execute(insert(table), [dict(r._mapping) for r in batch])
                if "id" in table.c and table.c.id.autoincrement:
                    top = wr.execute(select(func.max(table.c.id))).scalar()
                    if top:
                        wr.execute(
                            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                            {"t": table.name, "v": top},
                        )
            wr.exec_driver_sql("ALTER TABLE audit_log ENABLE TRIGGER USER")
        # A store in use has been sampled by the server's autovacuum, and one filled by
        # `duban import-store` by the merge itself: without this the first starts are
        # planned on empty tables' statistics, and time the copy's age instead of the desk.
        refresh_statistics(target, (t.name for t in SQLModel.metadata.sorted_tables))
    finally:
        source.dispose()
        dispose_engine(target)
    return time.perf_counter() - t0


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=200_000)
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--keep", action="store_true", help="keep the server copy; print its URL")
    ap.add_argument("--url", help="a server copy kept by --keep (no copy made, none dropped)")
    ap.add_argument("--pg-only", action="store_true", help="launch the desk on the server only")
    ap.add_argument(
        "--quick", action="store_true", help="2,000 rows, one start, no verdict on time (CI)"
    )
    a = ap.parse_args(argv)
    if a.quick:
        a.size, a.starts = 2000, 1
    base = os.environ.get("DUBAN_BENCH_PG") or os.environ.get("DUBAN_TEST_PG")
    if not base:
        print("设置 DUBAN_BENCH_PG（或 DUBAN_TEST_PG）为 PostgreSQL 地址后再运行", file=sys.stderr)
        return 2
    import psycopg
    from sqlalchemy.engine import make_url

    src = cached_store(a.size)
    name = f"duban_bench_{uuid.uuid4().hex[:8]}"
    admin = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    if a.url:
        url, name = a.url, None
    else:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        if name is not None:
            copy_s = copy_to_postgres(src, url)
            print(f"复制到 PostgreSQL：{copy_s:.1f} s", file=sys.stderr)
        if a.keep:
            print(f"服务器副本保留：{url}", file=sys.stderr)
        figures = []
        stores = (("SQLite", src), ("PostgreSQL", url))
        for label, db in stores[1:] if a.pg_only else stores:
            times, peaks = startups(db, a.size, a.starts)
            figures.append(
                Figure(
                    f"{label}：督办台启动到总览计数，{a.size:,} 项（pty 整进程）",
                    times,
                    START_BUDGET_S,
                )
            )
            figures.append(Figure(f"{label}：同上，内存峰值", peaks, None, unit="MB"))
        # --quick (CI) only shows the bench still runs: a slow machine is not a failure
        return report(f"督办台首屏：PostgreSQL 与 SQLite（{a.size:,} 项）", figures, quick=a.quick)
    finally:
        if name is not None and not a.keep:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
