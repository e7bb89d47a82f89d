"""Store rules behind the desk's trust fixes (issue 10), each reproducing a defect first.

- undo never reaches past the operator's latest change, even one that cannot be undone;
- resolving a group creates no duplicate rows and never makes a lead unit responsible too;
- a later correction of a task's deadline supersedes earlier extensions that are earlier;
- owners of a task are edited row by row, audited and undone as one change;
- a recurring duty's missed occurrences are cleared by one report that covers them.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tui.errors import DubanError
from tui.store.db import make_engine, transaction
from tui.store.deadlines import set_manual_deadline
from tui.store.desk import edit_unit, find_unit_by_name, resolve_group
from tui.store.models import Assignment, AuditLog, Progress, Task, Unit, UnitGroup
from tui.store.progress import record_extension, record_progress
from tui.store.undo import undo_last

pytestmark = pytest.mark.both_stores

ME = "甲"
ON = date(2024, 11, 15)


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    from tui.commands.demo import build_demo_store

    path = tmp_path_factory.mktemp("trust") / "demo.db"
    build_demo_store(str(path))
    return path


@pytest.fixture
def engine(demo_engine):
    return demo_engine


def _draft_and_sign(engine, actor: str) -> int:
    from tui.store.letters import draft_letters, sign_letters

    with transaction(engine) as s:
        drafts = draft_letters(s, "提醒", ON, actor=actor) or draft_letters(
            s, "提示", ON, actor=actor
        )
        lid = drafts[0].id
    sign_letters(engine, [lid], "王主任", on=ON, actor=actor)
    return lid


def test_undo_after_a_letter_action_does_not_reach_back_to_an_older_change(engine):
    with transaction(engine) as s:
        u = find_unit_by_name(s, "区司法局")
        edit_unit(s, u.id, head="李局长", contact="", phone="", aliases=[], actor=ME)
        uid = u.id
    _draft_and_sign(engine, ME)
    with pytest.raises(DubanError, match="签发.*不能撤销"):
        with transaction(engine) as s:
            undo_last(s, ME)
    with Session(engine) as s:
        assert s.get(Unit, uid).head == "李局长"


def _group_with_lead(engine):
    """A group row (待分解) on a task that also has a lead unit of the same region."""
    with Session(engine) as s:
        g = s.exec(select(UnitGroup).where(UnitGroup.name == "各有关部门")).scalars().first()
        rows = s.exec(
            select(Assignment).where(Assignment.group_id == g.id, Assignment.active.is_(True))
        ).scalars()
        for row in rows:
            lead = (
                s.exec(
                    select(Assignment).where(
                        Assignment.task_id == row.task_id,
                        Assignment.role == "lead",
                        Assignment.active.is_(True),
                        Assignment.unit_id.is_not(None),
                    )
                )
                .scalars()
                .first()
            )
            if lead is not None:
                return g.id, row.task_id, lead.unit_id
    raise AssertionError("no group row with a lead")


def test_resolving_a_group_never_makes_a_lead_unit_responsible_too(engine):
    gid, task_id, lead_unit = _group_with_lead(engine)
    with Session(engine) as s:
        region = s.get(Unit, lead_unit).region
        other = (
            s.exec(
                select(Unit.id).where(
                    Unit.region == region, Unit.id != lead_unit, Unit.merged_into.is_(None)
                )
            )
            .scalars()
            .first()
        )
    with transaction(engine) as s:
        resolve_group(s, gid, [lead_unit, other], ME)
    with Session(engine) as s:
        rows = s.exec(
            select(Assignment.unit_id, Assignment.role).where(
                Assignment.task_id == task_id, Assignment.active.is_(True)
            )
        ).all()
    assert (lead_unit, "responsible") not in rows
    assert (other, "responsible") in rows


def test_resolving_a_group_for_chosen_tasks_leaves_the_others(engine):
    gid, task_id, lead_unit = _group_with_lead(engine)
    with Session(engine) as s:
        before = {
            a.task_id
            for a in s.exec(
                select(Assignment).where(Assignment.group_id == gid, Assignment.active.is_(True))
            ).scalars()
        }
        region = s.get(Unit, lead_unit).region
        other = (
            s.exec(select(Unit.id).where(Unit.region == region, Unit.id != lead_unit))
            .scalars()
            .first()
        )
    with transaction(engine) as s:
        n = resolve_group(s, gid, [other], ME, task_ids=[task_id])
    assert n == 1
    with Session(engine) as s:
        after = {
            a.task_id
            for a in s.exec(
                select(Assignment).where(Assignment.group_id == gid, Assignment.active.is_(True))
            ).scalars()
        }
        members = s.exec(select(AuditLog).where(AuditLog.action == "group.resolve")).scalars().all()
    assert after == before - {task_id}
    assert members
    # undone as one change
    with transaction(engine) as s:
        undo_last(s, ME)
    with Session(engine) as s:
        again = {
            a.task_id
            for a in s.exec(
                select(Assignment).where(Assignment.group_id == gid, Assignment.active.is_(True))
            ).scalars()
        }
    assert again == before


def _one_off_task_with_two_units(engine):
    with Session(engine) as s:
        for t in s.exec(
            select(Task).where(
                Task.active.is_(True), Task.due_recurring.is_(False), Task.due_dates != ""
            )
        ).scalars():
            rows = (
                s.exec(
                    select(Assignment).where(
                        Assignment.task_id == t.id,
                        Assignment.active.is_(True),
                        Assignment.unit_id.is_not(None),
                        Assignment.completed_on.is_(None),
                        Assignment.due_override.is_(None),
                    )
                )
                .scalars()
                .all()
            )
            if len(rows) >= 2:
                return t.id, rows[0].id, rows[1].id
    raise AssertionError("no task")


def test_a_later_deadline_correction_supersedes_an_earlier_extension(engine):
    tid, aid, other = _one_off_task_with_two_units(engine)
    with transaction(engine) as s:
        record_extension(
            s,
            aid,
            requested_on=ON,
            reason="人员调整",
            new_due=date(2024, 12, 31),
            granted=True,
            actor=ME,
        )
        record_extension(
            s,
            other,
            requested_on=ON,
            reason="另有安排",
            new_due=date(2026, 3, 31),
            granted=True,
            actor=ME,
        )
    with transaction(engine) as s:
        set_manual_deadline(s, s.get(Task, tid), "2025-06-30", "市里统一调整", ME)
    with Session(engine) as s:
        # the earlier extension (2024-12-31) is earlier than the corrected date: superseded
        assert s.get(Assignment, aid).due_override is None
        # an extension beyond the corrected date still holds
        assert s.get(Assignment, other).due_override == date(2026, 3, 31)
    with transaction(engine) as s:
        undo_last(s, ME)
    with Session(engine) as s:
        assert s.get(Assignment, aid).due_override == date(2024, 12, 31)


def test_one_report_can_cover_every_missed_occurrence_up_to_a_date(engine):
    from tui.domain.board import evaluate
    from tui.store.board import reading
    from tui.store.facts import load_facts

    def statuses() -> dict:
        with reading(engine) as conn:
            return {e.fact.id: e.status for e in evaluate(load_facts(conn, as_of=ON), ON)}

    with Session(engine) as s:
        t = s.exec(select(Task).where(Task.number == "（48）")).scalars().first()
        ids = [
            a.id
            for a in s.exec(
                select(Assignment).where(
                    Assignment.task_id == t.id,
                    Assignment.active.is_(True),
                    Assignment.unit_id.is_not(None),
                    Assignment.completed_on.is_(None),
                )
            ).scalars()
        ]
    before = statuses()
    aid = next(a for a in ids if before[a].status.value == "逾期")  # months missed: red
    with transaction(engine) as s:
        record_progress(s, aid, "补报各月通报", ON, ME, covers=(None, ON))
    with Session(engine) as s:
        assert len(s.exec(select(Progress).where(Progress.assignment_id == aid)).all()) >= 1
    assert statuses()[aid].status.value != "逾期"


def test_owners_are_added_removed_and_changed_with_the_rules_kept(engine):
    from tui.store.owners import OwnerChange, change_owners, task_owners
    from tui.store.undo import describe_change, later_changes, undo_change
    from tui.store.units import create_unit

    tid, aid, _other = _one_off_task_with_two_units(engine)
    with Session(engine) as s:
        owners = task_owners(s, tid)
        lead = next(o for o in owners if o.role == "lead")
        region = lead.region
        spare = (
            s.exec(
                select(Unit.id).where(
                    Unit.region == region,
                    Unit.id.not_in([o.unit_id for o in owners if o.unit_id]),
                )
            )
            .scalars()
            .first()
        )
    # the lead cannot also be responsible; a unit cannot be added twice in one role
    with pytest.raises(DubanError, match="牵头单位"), transaction(engine) as s:
        change_owners(s, tid, OwnerChange(add=[(lead.unit_id, "responsible")]), ME)
    with pytest.raises(DubanError, match="已是该任务"), transaction(engine) as s:
        change_owners(s, tid, OwnerChange(add=[(spare, "supporting"), (spare, "supporting")]), ME)
    # one change: a new unit made at the desk, a spare unit added, the lead made responsible
    # while the spare one leads (checked against the state the whole change leaves)
    with transaction(engine) as s:
        new = create_unit(s, region, "新设的协调办", ME)
        effects = change_owners(
            s,
            tid,
            OwnerChange(
                roles=[(lead.assignment_id, "responsible")],
                add=[(spare, "lead"), (new.id, "supporting")],
            ),
            ME,
        )
        batch = s.info["batch"]
    assert len(effects) == 3
    with Session(engine) as s:
        roles = {(o.unit_id, o.role) for o in task_owners(s, tid)}
        assert (lead.unit_id, "responsible") in roles and (spare, "lead") in roles
        info = describe_change(s, batch)
        assert info.undoable and "新建单位" in info.title and "新增负责单位" in info.title
        assert any("新设的协调办" in line for line in info.lines)
        assert later_changes(s, batch) == []
    with transaction(engine) as s:
        assert "已撤销" in undo_change(s, batch, ME)
    with Session(engine) as s:
        assert {(o.unit_id, o.role) for o in task_owners(s, tid)} == {
            (o.unit_id, o.role) for o in owners
        }
        assert s.exec(select(Unit).where(Unit.name == "新设的协调办")).first() is None
    # removing keeps the row for history; adding the unit again brings the same row back
    with transaction(engine) as s:
        change_owners(s, tid, OwnerChange(remove=[aid]), ME)
    with Session(engine) as s:
        a = s.get(Assignment, aid)
        assert not a.active
        unit_id, role = a.unit_id, a.role
    with transaction(engine) as s:
        change_owners(s, tid, OwnerChange(add=[(unit_id, role)]), ME)
    with Session(engine) as s:
        assert s.get(Assignment, aid).active


def test_a_change_touched_later_cannot_be_reverted_until_the_later_one_is(engine):
    from tui.store.progress import close
    from tui.store.undo import later_changes, undo_change

    aid = _one_off_task_with_two_units(engine)[1]
    with transaction(engine) as s:
        record_progress(s, aid, "第一次", ON, ME)
        first = s.info["batch"]
    with transaction(engine) as s:
        close(s, aid, ON, "乙")
        second = s.info["batch"]
    with Session(engine) as s:
        assert [c.batch for c in later_changes(s, first)] == [second]
    with pytest.raises(DubanError, match="之后的“验收销号”（乙"), transaction(engine) as s:
        undo_change(s, first, ME)
    with transaction(engine) as s:
        undo_change(s, second, ME)
    with transaction(engine) as s:
        assert "记录进展" in undo_change(s, first, ME)
    with pytest.raises(DubanError, match="已经撤销过"), transaction(engine) as s:
        undo_change(s, first, ME)


def test_the_change_log_lists_changes_newest_first_with_what_they_did(engine):
    from tui.store.undo import change_log

    aid = _one_off_task_with_two_units(engine)[1]
    with transaction(engine) as s:
        record_progress(s, aid, "写进操作记录", ON, ME)
    with Session(engine) as s:
        log = change_log(s, limit=20)
    assert log[0].actor == ME and "写进操作记录" in log[0].lines[0]
    assert log[0].undoable
    signed = next(c for c in change_log(Session(engine), limit=5000) if "签发函件" in c.title)
    assert not signed.undoable and "不能撤销" in signed.why_not


def test_occurrence_matching_agrees_with_the_status_rules():
    import random

    from tui.domain.status import assignment_status, match_occurrences, occurrences

    rng = random.Random(7)
    base = date(2023, 1, 31)
    for _ in range(400):
        occ = sorted(
            {date.fromordinal(base.toordinal() + 30 * k) for k in range(rng.randint(2, 8))}
        )
        reports = sorted(
            date.fromordinal(base.toordinal() + rng.randint(-20, 260))
            for _ in range(rng.randint(0, 6))
        )
        as_of = date.fromordinal(base.toordinal() + rng.randint(0, 300))
        plain = assignment_status(occ, as_of, progress_dates=reports, recurring=True)
        # the general path, forced with a cover that covers nothing
        never = (date(1900, 1, 1), date(1900, 1, 1), date(1900, 1, 1))
        general = assignment_status(
            occ, as_of, progress_dates=[*reports, never[0]], recurring=True, covers=[never]
        )
        assert plain == general, (occ, reports, as_of)
        met = match_occurrences(occ, as_of, reports)
        assert sum(1 for m in met if m) == sum(
            1 for o in occurrences(occ, as_of, reports) if o.reported
        )


def test_a_cover_for_this_period_leaves_earlier_misses_missed():
    from tui.domain.status import assignment_status, occurrences

    occ = [date(2024, m, 28) for m in range(1, 12)]
    as_of = date(2024, 11, 15)
    cover = (as_of, date(2024, 11, 28), date(2024, 11, 28))
    occ_states = occurrences(occ, as_of, [as_of], [cover])
    assert [o.state for o in occ_states][-1] == "按期"
    assert sum(o.missed for o in occ_states) == 10
    st = assignment_status(occ, as_of, progress_dates=[as_of], recurring=True, covers=[cover])
    assert st.status.value == "逾期" and st.due == date(2024, 1, 28)
    # everything missed up to today: only the current period is left
    all_missed = (as_of, None, as_of)
    st = assignment_status(occ, as_of, progress_dates=[as_of], recurring=True, covers=[all_missed])
    assert st.status.value == "临期" and st.due == date(2024, 11, 28)


def test_a_store_of_schema_version_1_gains_the_cover_columns(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    e = make_engine(str(path))
    e.dispose()
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE progress DROP COLUMN cover_from")
    conn.execute("ALTER TABLE progress DROP COLUMN cover_to")
    conn.execute("UPDATE meta SET value='1' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    # read-only readers (duban overdue) do not migrate: they read an old store as it is
    from tui.store.board import connect, load_columns
    from tui.store.facts import load_facts

    ro = connect(str(path))
    assert load_facts(ro, as_of=ON) == [] and load_columns(ro, as_of=ON).ids == []
    ro.close()
    e = make_engine(str(path))
    e.dispose()
    conn = sqlite3.connect(path)
    cols = {r[1] for r in conn.execute("PRAGMA table_info(progress)")}
    version = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
    conn.close()
    from tui.store.models import SCHEMA_VERSION

    assert {"cover_from", "cover_to"} <= cols and version == str(SCHEMA_VERSION)
