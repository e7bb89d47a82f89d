"""The first screen's aggregate counts on PostgreSQL (grouped on the server, dates compared
as dates: `tui.store.overview._pg_counts`) are the board's own, on the bench's realistic
store copied to the server (recurring duties with reports, extensions, closings, letters),
at several dates and 临期 windows; through SQLAlchemy and through psycopg alone."""

from __future__ import annotations

from datetime import date

import pytest

from bench.harness import cached_store
from tui.store.board import reading
from tui.store.desk import load_desk, plan_figures, tally_of, unit_figures
from tui.store.overview import load_tally, status_counts


@pytest.fixture
def server_copy(pg_store):
    from bench.pg_desk_bench import copy_to_postgres

    copy_to_postgres(cached_store(2000), pg_store)
    return pg_store


@pytest.mark.parametrize("soon_days", [15, 40])
def test_server_counts_are_the_boards(server_copy, soon_days):
    from tui.store.db import dispose_engine, make_engine
    from tui.store.pg_first import open_current

    engine = make_engine(server_copy, create=False)
    try:
        for as_of in (date(2024, 2, 1), date(2024, 11, 15), date(2025, 12, 1)):
            data = load_desk(engine, as_of, soon_days=soon_days)
            with reading(engine) as conn:
                assert conn.dialect_name == "postgresql"
                tally = load_tally(conn, as_of=as_of, soon_days=soon_days)
            quick = open_current(server_copy)
            assert quick is not None
            try:
                fast = load_tally(quick, as_of=as_of, soon_days=soon_days)
            finally:
                quick.close()
            board = tally_of(data)
            assert len(data) == 2000
            for t in (tally, fast):
                assert t.counts == board.counts, as_of
                assert status_counts(t) == data.count_by_status()
                assert unit_figures(t) == unit_figures(data)
                assert plan_figures(t) == plan_figures(data)
    finally:
        dispose_engine(engine)
