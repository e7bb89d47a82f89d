"""Undo from the audit trail: each kind of change, batches, and nothing left."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from tui.errors import DubanError
from tui.store.db import transaction
from tui.store.deadlines import set_manual_deadline
from tui.store.desk import (
    edit_unit,
    find_unit_by_name,
    merge_units,
    pending_groups,
    resolve_group,
    unit_infos,
)
from tui.store.models import (
    Assignment,
    AuditLog,
    Extension,
    Progress,
    Task,
    TaskDeadline,
    Unit,
    UnitAlias,
)
from tui.store.progress import close, record_extension, record_progress, reopen
from tui.store.undo import undo_last

pytestmark = pytest.mark.both_stores

ME = "甲"
ON = date(2024, 11, 15)


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    from tui.commands.demo import build_demo_store

    path = tmp_path_factory.mktemp("undo") / "demo.db"
    build_demo_store(str(path))
    return path


@pytest.fixture
def engine(demo_engine):
    return demo_engine


def open_assignment(engine) -> int:
    with Session(engine) as s:
        return (
            s.exec(
                select(Assignment.id)
                .where(
                    Assignment.active.is_(True),
                    Assignment.unit_id.is_not(None),
                    Assignment.completed_on.is_(None),
                    Assignment.due_override.is_(None),
                )
                .order_by(Assignment.id)
            )
            .scalars()
            .first()
        )


def undo(engine, actor=ME) -> str:
    with transaction(engine) as s:
        return undo_last(s, actor)


def test_nothing_to_undo(engine):
    with pytest.raises(DubanError, match="没有可撤销的操作"):
        undo(engine)
    # the demo's own history belongs to 演示, not to this operator
    with pytest.raises(DubanError):
        undo(engine, "另一人")


def test_progress_with_done_is_undone_whole(engine):
    aid = open_assignment(engine)
    with transaction(engine) as s:
        n = s.exec(select(func.count()).select_from(Progress)).one()[0]
        record_progress(s, aid, "已完成", ON, ME, done=True)
    msg = undo(engine)
    assert msg.startswith("已撤销：") and "记录进展" in msg and "验收销号" in msg
    with Session(engine) as s:
        assert s.get(Assignment, aid).completed_on is None
        assert s.exec(select(func.count()).select_from(Progress)).one()[0] == n
        undo_rows = list(s.exec(select(AuditLog).where(AuditLog.action == "undo")).scalars())
        assert len(undo_rows) == 2 and all(r.actor == ME for r in undo_rows)
    with pytest.raises(DubanError):
        undo(engine)  # the undo itself is not undone


def test_undo_goes_back_one_batch_at_a_time(engine):
    aid = open_assignment(engine)
    with transaction(engine) as s:
        close(s, aid, ON, ME)
    with transaction(engine) as s:
        reopen(s, aid, ME)
    assert "重新打开" in undo(engine)
    with Session(engine) as s:
        assert s.get(Assignment, aid).completed_on == ON
    assert "验收销号" in undo(engine)
    with Session(engine) as s:
        assert s.get(Assignment, aid).completed_on is None


def test_extension_grant_and_refuse(engine):
    aid = open_assignment(engine)
    with transaction(engine) as s:
        record_extension(
            s, aid, requested_on=ON, reason="r", new_due=date(2025, 3, 1), granted=True, actor=ME
        )
    undo(engine)
    with Session(engine) as s:
        assert s.get(Assignment, aid).due_override is None
        assert not list(
            s.exec(
                select(Extension).where(Extension.assignment_id == aid, Extension.decided_by == ME)
            ).scalars()
        )
    with transaction(engine) as s:
        record_extension(
            s, aid, requested_on=ON, reason="r", new_due=date(2025, 3, 1), granted=False, actor=ME
        )
    assert "不同意延期" in undo(engine)


def test_deadline_correction_undone_to_parsed_then_previous_manual(engine):
    with Session(engine) as s:
        task = (
            s.exec(select(Task).where(Task.due_kind == "default").order_by(Task.id))
            .scalars()
            .first()
        )
        tid, original = task.id, (task.due_kind, task.due_dates, task.due_recurring)
    with transaction(engine) as s:
        set_manual_deadline(s, s.get(Task, tid), "2025-01-31", "原因一", ME)
    with transaction(engine) as s:
        set_manual_deadline(s, s.get(Task, tid), "2025-02-28", "原因二", ME)
    undo(engine)
    with Session(engine) as s:
        t = s.get(Task, tid)
        assert t.due_dates == "2025-01-31"
        active = list(
            s.exec(
                select(TaskDeadline).where(
                    TaskDeadline.task_id == tid,
                    TaskDeadline.source == "manual",
                    TaskDeadline.active.is_(True),
                )
            ).scalars()
        )
        assert [a.reason for a in active] == ["原因一"]
    undo(engine)
    with Session(engine) as s:
        t = s.get(Task, tid)
        assert (t.due_kind, t.due_dates, t.due_recurring) == original


def test_unit_edit_group_resolution_and_merge(engine):
    with Session(engine) as s:
        u = find_unit_by_name(s, "区司法局")
        before = (u.head, u.contact, u.phone)
        aliases = sorted(
            a.alias for a in s.exec(select(UnitAlias).where(UnitAlias.unit_id == u.id)).scalars()
        )
    with transaction(engine) as s:
        edit_unit(s, u.id, head="李四", contact="", phone="1", aliases=["新别名"], actor=ME)
    assert "修改单位信息" in undo(engine)
    with Session(engine) as s:
        u2 = s.get(Unit, u.id)
        assert (u2.head, u2.contact, u2.phone) == before
        assert (
            sorted(
                a.alias
                for a in s.exec(select(UnitAlias).where(UnitAlias.unit_id == u.id)).scalars()
            )
            == aliases
        )

    with Session(engine) as s:
        g = pending_groups(s)[0]
        units = [x.id for x in unit_infos(s) if x.region == g.region][:2]
    with transaction(engine) as s:
        resolve_group(s, g.group_id, units, ME)
    assert "分解单位组" in undo(engine)
    with Session(engine) as s:
        assert any(
            p.group_id == g.group_id and p.assignments == g.assignments for p in pending_groups(s)
        )
        assert not list(
            s.exec(
                select(Assignment).where(
                    Assignment.via_group_id == g.group_id, Assignment.active.is_(True)
                )
            ).scalars()
        )

    with Session(engine) as s:
        src, dst = find_unit_by_name(s, "区人大办").id, find_unit_by_name(s, "区政协办").id
        src_ids = sorted(
            s.exec(
                select(Assignment.id).where(Assignment.unit_id == src, Assignment.active.is_(True))
            ).scalars()
        )
    with transaction(engine) as s:
        merge_units(s, src, dst, ME)
    assert "合并单位" in undo(engine)
    with Session(engine) as s:
        assert s.get(Unit, src).merged_into is None
        assert (
            sorted(
                s.exec(
                    select(Assignment.id).where(
                        Assignment.unit_id == src, Assignment.active.is_(True)
                    )
                ).scalars()
            )
            == src_ids
        )
        assert not list(
            s.exec(
                select(UnitAlias).where(UnitAlias.unit_id == dst, UnitAlias.alias == "区人大办")
            ).scalars()
        )
