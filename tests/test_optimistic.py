"""Two desks on one store: a write made from what a desk read is refused, with who changed
the rows and when, if another operator changed them since — never a silent overwrite; the
desk's own later changes and the command line (which reads nothing first) are not held up."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from tui.services import desk as svc
from tui.services.board import load_board
from tui.services.store import Store, locate
from tui.store.concurrency import ChangedByOther, latest_change
from tui.store.models import Assignment, Unit

pytestmark = pytest.mark.both_stores

ON = date(2024, 11, 15)


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    from tui.commands.demo import build_demo_store

    path = tmp_path_factory.mktemp("optimistic") / "demo.db"
    build_demo_store(str(path))
    return path


@pytest.fixture
def desks(demo_engine):
    """Two desks (甲 and 乙) on one store, each with its own board."""
    store = Store(demo_engine, locate(str(demo_engine.url.render_as_string(hide_password=False))))
    return store


def _open_item(store: Store) -> int:
    with Session(store.engine) as s:
        return s.exec(
            select(Assignment.id)
            .where(
                Assignment.active.is_(True),
                Assignment.unit_id.is_not(None),
                Assignment.completed_on.is_(None),
            )
            .order_by(Assignment.id)
        ).first()


def test_a_write_over_another_desks_change_is_refused_then_allowed_after_refresh(desks):
    store = desks
    aid = _open_item(store)
    seen_by_a = load_board(store, ON).seen  # desk 甲 reads its board
    # desk 乙 closes the item meanwhile
    svc.close_items(store, [aid], date(2024, 11, 10), "乙", seen=latest_change_of(store))
    with pytest.raises(ChangedByOther) as err:
        svc.close_items(store, [aid], ON, "甲", seen=seen_by_a)
    assert err.value.message.startswith("已被他人修改（乙，") and err.value.message.endswith(
        "），已刷新"
    )
    with pytest.raises(ChangedByOther):
        svc.record_progress_items(store, [aid], "甲的进展", ON, "甲", seen=seen_by_a)
    with Session(store.engine) as s:  # 乙's closing stands, untouched
        assert s.get(Assignment, aid).completed_on == date(2024, 11, 10)
    # after the refresh, 甲 sees 乙's change and may act on it
    fresh = load_board(store, ON).seen
    assert fresh > seen_by_a
    svc.record_progress_items(store, [aid], "甲看过后补充", ON, "甲", seen=fresh)


def test_own_changes_and_unrelated_rows_do_not_conflict(desks):
    store = desks
    aid = _open_item(store)
    seen = load_board(store, ON).seen
    svc.record_progress_items(store, [aid], "第一次", ON, "甲", seen=seen)
    svc.record_progress_items(store, [aid], "第二次", ON, "甲", seen=seen)  # 甲's own change
    other = aid + 1
    svc.record_progress_items(store, [other], "乙的进展", ON, "乙", seen=latest_change_of(store))
    svc.close_items(store, [aid], ON, "甲", seen=seen)  # 乙 touched another item only
    # the command line reads nothing first: it is never refused
    svc.reopen_item(store, aid, "乙")


def test_unit_edit_and_deadline_over_another_desks_change(desks):
    store = desks
    with Session(store.engine) as s:
        unit = s.exec(select(Unit).where(Unit.merged_into.is_(None)).order_by(Unit.id)).first()
        task_id = s.get(Assignment, _open_item(store)).task_id
    seen = load_board(store, ON).seen
    svc.edit_unit_info(
        store,
        unit.id,
        head="乙改的",
        contact="",
        phone="",
        aliases=[],
        actor="乙",
        seen=latest_change_of(store),
    )
    with pytest.raises(ChangedByOther, match="已被他人修改（乙，"):
        svc.edit_unit_info(
            store, unit.id, head="甲改的", contact="", phone="", aliases=[], actor="甲", seen=seen
        )
    with Session(store.engine) as s:
        assert s.get(Unit, unit.id).head == "乙改的"
    svc.correct_deadline(store, task_id, "2025-03-31", "乙调整", "乙", seen=latest_change_of(store))
    with pytest.raises(ChangedByOther, match="已被他人修改（乙，"):
        svc.correct_deadline(store, task_id, "2025-06-30", "甲调整", "甲", seen=seen)


def latest_change_of(store: Store) -> int:
    with Session(store.engine) as s:
        return latest_change(s)
