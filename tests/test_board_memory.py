"""A loaded board keeps no Python object per row: every column is an array of machine
values or shares its objects among rows (one per distinct value, or about).

At 200,000 rows an object per row in a column that outlives the read (ids, urgencies, the
urgency order, letter counts) lands among the read's short-lived objects; when the board is
replaced those pages stay half used, and the desk grew by 2–4 MB at every reload (issue 14:
RSS after 20 reloads within 10 % of the first). The rule is checked on a generated store,
column by column, so a new column that breaks it is named.
"""

from __future__ import annotations

from array import array

import pytest

from bench.gen_store import AS_OF, build_store
from tui.services.board import load_board
from tui.services.store import open_store

COLUMNS = (
    "ids",
    "task_ids",
    "unit_ids",
    "group_ids",
    "roles",
    "completed",
    "overrides",
    "last_progress",
    "letters",
    "statuses",
    "urgencies",
    "light_codes",
    "since",
)


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    db = tmp_path_factory.mktemp("memory") / "board.db"
    build_store(db, assignments=4000, seed=13)
    store = open_store(str(db))
    try:
        b = load_board(store, AS_OF)
        b.data.warm()
        yield b
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("name", COLUMNS)
def test_no_column_holds_an_object_per_row(board, name):
    data = board.data
    col = getattr(data, name)
    assert len(col) == len(data) == 4000
    if isinstance(col, array):
        return
    objects = {id(x) for x in col}
    # shared values (a status judged once per distinct input, a date parsed once): far
    # fewer objects than rows; a value per row belongs in an array
    assert len(objects) < len(data) // 2, f"{name}: {len(objects)} objects for {len(col)} rows"


def test_the_urgency_order_is_kept_compact(board):
    """The function that reorders the lazily built columns keeps the order as an array."""
    data = board.data
    kept = [c.cell_contents for c in data._take.__closure__ or ()]
    assert any(isinstance(k, array) and len(k) == len(data) for k in kept)
