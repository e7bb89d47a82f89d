"""A write reads again only the rows it touched (issue 14): `refresh_board` must give the very
board a whole read gives — every column, in the same order, and the lists beside the rows —
after each kind of write the desk makes: progress (plain and on a recurring duty), closing
and reopening, extensions, letters drafted and signed, an undo, an owner removed, and
another desk's change. A change that reaches beyond the rows it names (a task's deadline,
a unit) is not patched: the whole board is read instead. On SQLite a generated store holding
every case the rules know; on PostgreSQL (DUBAN_TEST_PG) the demo store.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.gen_store import AS_OF, build_store  # noqa: E402
from tests.test_board_memory import COLUMNS  # noqa: E402  (every per-row column of a board)
from tui.services.board import load_board, refresh_board  # noqa: E402
from tui.services.store import close_store, open_store  # noqa: E402

pytestmark = pytest.mark.both_stores


@pytest.fixture
def store(request, tmp_path, store_kind):
    if store_kind == "postgresql":
        s = open_store(request.getfixturevalue("pg_demo_db"))
    else:
        s = open_store(str(build_store(tmp_path / "s.db", assignments=3000, seed=11)))
    yield s
    close_store(s)


def _same(patched, whole) -> None:
    a, b = patched.data, whole.data
    assert len(a) == len(b)
    for name in COLUMNS:
        assert list(getattr(a, name)) == list(getattr(b, name)), name
    assert a.recurring_progress == b.recurring_progress
    assert a.recurring_covers == b.recurring_covers
    assert a.count_by_status() == b.count_by_status()
    assert a.needs_action() == b.needs_action()
    assert a.search("局") == b.search("局")
    assert patched.overview == whole.overview
    assert patched.units == whole.units
    assert patched.groups == whole.groups
    assert patched.letters == whole.letters
    assert patched.seen == whole.seen


def _refreshed(store, board):
    fresh = refresh_board(store, board)
    assert fresh is not None, "rows only: the board is patched, not read whole"
    assert fresh.data is not board.data or fresh.seen == board.seen
    _same(fresh, load_board(store, AS_OF))
    return fresh


def _rows(store, sql: str) -> list[int]:
    from sqlalchemy import text

    with store.engine.connect() as c:
        return [r[0] for r in c.execute(text(sql)).fetchall()]


def _set_active(store, aid: int, active: bool) -> None:
    """Flip a row's liveness under the desk's feet, as another desk's owner change does."""
    from sqlalchemy import text

    with store.engine.begin() as c:
        c.execute(text("UPDATE assignment SET active = :a WHERE id = :i"), {"a": active, "i": aid})


def test_each_kind_of_row_write_is_patched_as_a_whole_read_would_show_it(store):
    from tui.services import desk, letters
    from tui.services.undo import revert

    board = load_board(store, AS_OF)
    data = board.data
    # Rows from the top, the middle and the bottom of the ranking, open ones.
    open_rows = [i for i in range(len(data)) if data.completed[i] is None]
    picks = [data.ids[i] for i in (open_rows[0], open_rows[len(open_rows) // 2], open_rows[-1])]

    desk.record_progress_items(store, picks[:2], "已完成初稿", AS_OF, "甲")
    board = _refreshed(store, board)

    recurring = _rows(
        store,
        "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id "
        "WHERE t.due_recurring = TRUE AND a.active = TRUE AND a.completed_on IS NULL "
        "ORDER BY a.id LIMIT 2",
    )
    desk.record_progress_items(store, recurring, "按月报送", AS_OF, "甲", mode="until", until=AS_OF)
    board = _refreshed(store, board)

    desk.close_items(store, [picks[2]], AS_OF, "甲")
    board = _refreshed(store, board)
    desk.reopen_item(store, picks[2], "甲")
    board = _refreshed(store, board)

    extension = desk.record_extension_item(
        store,
        picks[0],
        requested_on=AS_OF,
        reason="需协调多部门",
        new_due=date(2025, 3, 31),
        granted=True,
        actor="甲",
    )
    board = _refreshed(store, board)

    drafted = letters.draft_due(store, AS_OF, "甲")
    board = _refreshed(store, board)
    if drafted.batch:
        ids = _rows(
            store,
            "SELECT id FROM letter WHERE number IS NULL AND rung < 3 ORDER BY id LIMIT 3",
        )
        assert ids
        letters.sign(store, ids, "张三", "甲", AS_OF)
        board = _refreshed(store, board)

    revert(store, extension.batch, "甲")  # the extension, undone
    board = _refreshed(store, board)


def test_another_desks_change_is_patched_too(store):
    from tui.services import desk

    board = load_board(store, AS_OF)
    aid = board.data.ids[5]
    desk.record_progress_items(store, [aid], "另一台记录", AS_OF, "乙")
    _refreshed(store, board)


def test_a_removed_owner_leaves_the_board(store):
    """An owner taken off a task: its row is no longer live, and the patched board drops it."""
    board = load_board(store, AS_OF)
    aid = board.data.ids[7]
    _set_active(store, aid, False)  # as owner.remove leaves it (audit below)
    _record(store, "owner.remove", "assignment", aid)
    fresh = _refreshed(store, board)
    assert len(fresh.data) == len(board.data) - 1
    assert fresh.data.index_of(aid) is None


def test_nothing_changed_keeps_the_rows(store):
    board = load_board(store, AS_OF)
    fresh = refresh_board(store, board)
    assert fresh is not None and fresh.data is board.data


def test_a_change_beyond_rows_asks_for_a_whole_read(store):
    from tui.services import desk

    board = load_board(store, AS_OF)
    unit_id = next(u for u in board.data.unit_ids if u is not None)
    desk.edit_unit_info(
        store, unit_id, head="王五", contact="李四", phone="0477-1234567", aliases=[], actor="甲"
    )
    assert refresh_board(store, board) is None


def test_a_row_new_to_the_board_asks_for_a_whole_read(store):
    board = load_board(store, AS_OF)
    aid = board.data.ids[3]
    _set_active(store, aid, False)
    smaller = load_board(store, AS_OF)
    _set_active(store, aid, True)
    _record(store, "owner.add", "assignment", aid)
    assert refresh_board(store, smaller) is None


def _record(store, action: str, entity: str, entity_id: int) -> None:
    from sqlmodel import Session

    from tui.store.audit import record

    with Session(store.engine) as s:
        record(s, "乙", action, entity, entity_id, None, {"test": True})
        s.commit()


def test_rows_scanned_out_of_id_order_are_put_in_id_order():
    """Equal urgency ranks by id, so a whole read and a patched board agree; a server may
    scan rows in any order, so the read puts them in id order first."""
    from array import array

    from tui.store.board import _in_id_order

    ids, tasks, roles = _in_id_order((array("q", [30, 10, 20]), [3, 1, 2], ["c", "a", "b"]))
    assert list(ids) == [10, 20, 30] and isinstance(ids, array)
    assert tasks == [1, 2, 3] and roles == ["a", "b", "c"]
