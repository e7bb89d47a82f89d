"""SQLModel tables: the only description of the schema.

Kept apart from what screens and reports use: queries return plain rows or small dataclasses.
Bump SCHEMA_VERSION with every change to these tables and add a step to `migrations.py`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

# Steps are pre-assigned per branch (COMMON.md): 2→3 desk, 3→4 letters, 4→5 CLI, 5→6 reports;
# 6→7 repeats the letters step for stores made at 4–6 before it was merged, 7→8 the desk step
# for stores made at 3–7 before it was merged (migrations.py); 8→9 circulars
# (tui.store.circular_models); 9→10 a city over its counties (origin on the registers and
# the audit trail, merge_map; tui.store.merge).
SCHEMA_VERSION = 10


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class Plan(SQLModel, table=True):
    """A plan document; re-imports of an edited version raise `revision`, same row.

    Two plans may share a title (every town writes "2024年法治政府建设工作计划"): a plan is
    known by its title together with its issuer, region and tasks (see tui.store.importer).
    """

    __tablename__ = "plan"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(index=True)  # normalised title: finds the candidates, does not decide
    title: str
    issuer: str = ""
    issue_date: date | None = None
    region: str = ""
    period_start: int | None = None
    period_end: int | None = None
    period_source: str = ""
    source_name: str = ""
    content_hash: str = Field(index=True)
    revision: int = 1
    plan_text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    imported_at: datetime
    imported_by: str = ""
    # 2: tasks are keyed by their place in the outline. 1: written by a release that keyed
    # them by number alone, so owners of a repeated number may sit on the wrong task; the
    # next import of the plan moves them to their own tasks.
    identity_version: int = 2


class ImportCorrection(SQLModel, table=True):
    """A fix made in the import review (owners, deadline words, a split or a merge), replayed
    on the parsed document at every later import of the plan (tui.ingest.corrections)."""

    __tablename__ = "import_correction"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    task_key: str  # the task's key when the fix was made
    kind: str  # owners / deadline / merge_next / split
    value: str = ""  # JSON
    active: bool = True
    created_at: datetime
    created_by: str = ""


class PlanRevision(SQLModel, table=True):
    __tablename__ = "plan_revision"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    revision: int
    content_hash: str
    source_name: str
    imported_at: datetime
    imported_by: str = ""
    summary: str = ""  # JSON: tasks added / removed / changed


class OutlineNode(SQLModel, table=True):
    __tablename__ = "outline_node"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    parent_id: int | None = Field(default=None, foreign_key="outline_node.id")
    level: int  # 1–4 as written (一、 （一） 1． （1）); 9 = a table's 重点任务 group
    number: str
    heading: str
    body: str = ""
    position: int


class Task(SQLModel, table=True):
    __tablename__ = "task"
    __table_args__ = (
        Index("ix_task_plan_active", "plan_id", "active"),
        Index("ix_task_plan_key", "plan_id", "key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    node_id: int | None = Field(default=None, foreign_key="outline_node.id")
    number: str  # as written: （十二）, （46）, 3
    key: str = ""  # place in the outline: 二、（一）; see tui.domain.identity
    title: str
    text: str = Field(sa_column=Column(Text, nullable=False))
    deadline_text: str = ""  # a 完成时限 cell, when the plan had one
    section_path: str = ""  # "（一）健全… / 1．推进…" for display
    position: int
    source_line: int = 0
    active: bool = True  # False once a newer revision dropped the task
    first_revision: int = 1
    last_revision: int = 1
    # The deadline that counts, derived from TaskDeadline rows (a manual correction wins);
    # cached here so that status over 200,000 assignments needs no rrule expansion.
    due_kind: str = ""  # absolute / recurring / relative / ongoing / default / manual
    due_dates: str = ""  # ISO dates, comma-separated, sorted
    due_recurring: bool = False  # several dates to meet in turn (recurring or milestones)
    due_first: str = Field(default="", index=True)  # earliest due date (ISO), "" = none


class TaskDeadline(SQLModel, table=True):
    """A deadline of a task: parsed from its text, the plan-end default, or set by hand."""

    __tablename__ = "task_deadline"
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    source: str  # parsed / default / manual
    kind: str  # absolute / recurring / relative / ongoing / default
    due: date | None = None
    rrule: str | None = None
    text: str = ""  # the words it came from
    span_start: int = -1
    span_end: int = -1
    note: str = ""
    reason: str = ""  # manual corrections: why
    active: bool = True  # a superseded manual correction stays, inactive
    created_at: datetime
    created_by: str = ""


class Region(SQLModel, table=True):
    """A unit directory's region: how short names drop prefixes, which words identify it."""

    __tablename__ = "region"
    name: str = Field(primary_key=True)
    prefixes: str = ""  # 、-separated
    match: str = ""  # 、-separated
    source: str = ""


class Unit(SQLModel, table=True):
    __tablename__ = "unit"
    __table_args__ = (UniqueConstraint("region", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    region: str = ""
    name: str
    kind: str = "其他"  # 镇 / 苏木 / 街道 / 部门 / 其他
    head: str = ""
    contact: str = ""
    phone: str = ""
    address: str = ""
    sample: bool = False
    from_directory: bool = False
    merged_into: int | None = Field(default=None, foreign_key="unit.id")


class UnitAlias(SQLModel, table=True):
    __tablename__ = "unit_alias"
    __table_args__ = (UniqueConstraint("region", "alias"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    region: str = ""
    alias: str


class UnitGroup(SQLModel, table=True):
    __tablename__ = "unit_group"
    __table_args__ = (UniqueConstraint("region", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    region: str = ""
    name: str
    aliases: str = ""  # 、-separated


class UnitGroupMember(SQLModel, table=True):
    __tablename__ = "unit_group_member"
    group_id: int = Field(foreign_key="unit_group.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class Assignment(SQLModel, table=True):
    """One task for one unit in one role; or, while unresolved (待分解), for a group."""

    __tablename__ = "assignment"
    __table_args__ = (
        UniqueConstraint("task_id", "unit_id", "group_id", "role"),
        Index("ix_assignment_unit", "unit_id"),
        Index("ix_assignment_task", "task_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    group_id: int | None = Field(default=None, foreign_key="unit_group.id")  # set = 待分解
    via_group_id: int | None = Field(default=None, foreign_key="unit_group.id")
    role: str  # lead / responsible / supporting
    active: bool = True
    created_at: datetime
    completed_on: date | None = None  # 验收/销号: checked and closed by the office
    due_override: date | None = None  # a granted extension's new date


class Progress(SQLModel, table=True):
    """What a unit reported (进展/反馈), by phone or in writing."""

    __tablename__ = "progress"
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    reported_on: date
    text: str = Field(sa_column=Column(Text, nullable=False))
    done: bool = False
    recorded_at: datetime
    recorded_by: str = ""
    # A report that names the occurrences of a recurring duty it answers ("January to
    # October", "this month"): every occurrence from cover_from (None = the earliest) to
    # cover_to. Both None: a plain report, matched by the status rules (tui.domain.status).
    cover_from: date | None = None
    cover_to: date | None = None


class Extension(SQLModel, table=True):
    """延期申请: a unit asks for more time; granted ones move the assignment's date."""

    __tablename__ = "extension"
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    requested_on: date
    reason: str
    new_due: date
    granted: bool
    decision_note: str = ""
    previous_due: date | None = None
    decided_at: datetime
    decided_by: str = ""


class AuditLog(SQLModel, table=True):
    """Append-only: triggers in store/db.py refuse UPDATE and DELETE, and each row carries
    the hash of the row before it and of its own content (tui.store.audit), so an edited,
    deleted or forged row breaks the chain that `duban audit verify` walks."""

    __tablename__ = "audit_log"
    # The desk reads one item's or one unit's history, and what came after a change, by entity.
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    actor: str
    action: str  # import / unit.create / assignment.create / …
    entity: str
    entity_id: int | None = None
    before: str = ""  # JSON
    after: str = ""  # JSON
    batch: str = ""  # groups the rows of one transaction (for undo)
    prev_hash: str = ""  # hash of the row before (by id); "" for the first row
    hash: str = ""  # sha256 of prev_hash and this row's content
    # schema 10: "" for the store's own rows; a county's region for rows merged from its
    # store by `duban import-store` (hashed with the row when set, see tui.store.audit).
    origin: str = Field(default="", sa_column_kwargs={"server_default": ""})


class ListIssue(SQLModel, table=True):
    """A unit's task list (任务清单) issued from a plan: the register the year's figures count.

    One row per unit per `duban lists` run; a list issued again (after a correction) is a
    new row, so the register keeps every issue, and the figures count units, not runs.
    """

    __tablename__ = "list_issue"
    __table_args__ = (Index("ix_list_issue_plan_unit", "plan_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    unit_id: int = Field(foreign_key="unit.id")
    plan_revision: int = 1
    issued_on: date = Field(index=True)
    items: int = 0  # assignments on the list
    files: str = ""  # JSON list of {"name", "sha256"}
    batch: str = ""  # one `duban lists` run
    issued_at: datetime
    issued_by: str = ""


class MergeMap(SQLModel, table=True):
    """Which row of a county's store (origin) became which row here: `duban import-store`
    copies a source row only once, so re-running a merge changes nothing (schema 10)."""

    __tablename__ = "merge_map"
    origin: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)  # the source table
    source_id: int = Field(primary_key=True)
    target_id: int
