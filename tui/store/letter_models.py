"""Tables of the letters register (发文登记): letters, their items, numbering, replies, overrides.

Why the names and columns are fixed: `tui.store.board` reads `letter`/`letter_item` with a
hand-written query (letters sent and highest rung per assignment), so `letter.rung`,
`letter.number`, `letter.status` and `letter.issued_on` must stay as they are.

Status is stored as 草稿 / 已签发 / 已打印 / 已回复 / 作废. 逾期未复 is derived (a signed or
printed letter whose reply deadline has passed without a reply), never stored: it changes
with the date, and the register must not need a nightly job to stay true.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

DRAFT = "草稿"
SIGNED = "已签发"
PRINTED = "已打印"
REPLIED = "已回复"
VOID = "作废"
REPLY_LATE = "逾期未复"  # derived, see module docstring

STORED_STATUSES = (DRAFT, SIGNED, PRINTED, REPLIED, VOID)


class Letter(SQLModel, table=True):
    """One letter: a draft until signed; from then on immutable except status and files."""

    __tablename__ = "letter"
    __table_args__ = (
        # schema 10: a register per origin ("" = this office; a county's region for its
        # letters merged by `duban import-store`), so a county's 〔2024〕3号 keeps its number.
        UniqueConstraint("origin", "kind", "year", "seq", name="uq_letter_origin_kind_year_seq"),
        UniqueConstraint("origin", "number", name="uq_letter_origin_number"),
        Index("ix_letter_unit", "unit_id"),
        Index("ix_letter_status", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    kind: str  # 提示 / 提醒 / 督办
    rung: int  # 1 提示, 2 提醒, 3 督办 (tui.domain.escalation.Rung)
    year: int | None = None  # numbering year (year of issue), set on signing
    seq: int | None = None  # sequence within kind and year, set on signing
    number: str | None = None  # 发文字号; NULL for drafts (unique per origin)
    unit_id: int = Field(foreign_key="unit.id")
    addressee: str = ""  # 主送, without the colon
    title: str = ""
    # JSON. Drafts: the wording edits ({"title", "body_paragraphs", "closing"}; absent keys
    # come from the template). Signed letters: the whole frozen wording, so the letter
    # renders the same forever even if the template or the settings change.
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = DRAFT
    batch: str = ""  # the drafting batch (one `draft` run)
    as_of: date
    created_at: datetime
    created_by: str = ""
    signed_at: datetime | None = None
    signed_by: str | None = None  # 签发人
    issued_on: date | None = None
    reply_due: date | None = None
    printed_at: datetime | None = None
    printed_by: str | None = None
    voided_at: datetime | None = None
    voided_by: str | None = None
    void_reason: str | None = None
    files: str = ""  # JSON list of {"path", "sha256", "type", "pages"}
    supersedes_id: int | None = Field(default=None, foreign_key="letter.id")
    # schema 10: "" = this office's register; else the county it came from
    origin: str = Field(default="", sa_column_kwargs={"server_default": ""})


class LetterItem(SQLModel, table=True):
    """One item of a letter, with a snapshot of what the letter says about it."""

    __tablename__ = "letter_item"
    __table_args__ = (
        UniqueConstraint("letter_id", "assignment_id"),
        Index("ix_letter_item_assignment", "assignment_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    letter_id: int = Field(foreign_key="letter.id", index=True)
    assignment_id: int = Field(foreign_key="assignment.id")
    position: int
    task_number: str = ""
    task_title: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    due: date | None = None  # the deadline that counts for this letter
    deadline_text: str = ""  # how the letter prints it
    last_progress: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    earlier_letters: str = ""  # numbers of earlier letters about this item
    reason: str = ""  # why the ladder put it on this rung
    # schema 4: one attachment row per task (roles merged), recurring occurrences missed
    # (ISO dates, comma-separated, as of the letter's date), the last progress's date
    task_id: int | None = None
    role: str = ""
    missed: str = ""
    progress_on: date | None = None


class LetterCounter(SQLModel, table=True):
    """Next sequence number per kind and year; taken under a write lock, never max()+1."""

    __tablename__ = "letter_counter"
    kind: str = Field(primary_key=True)
    year: int = Field(primary_key=True)
    next_seq: int = 1


class LetterReply(SQLModel, table=True):
    __tablename__ = "letter_reply"
    id: int | None = Field(default=None, primary_key=True)
    letter_id: int = Field(foreign_key="letter.id", index=True)
    replied_on: date
    text: str = Field(sa_column=Column(Text, nullable=False))
    settle: str = ""  # "" / done / an ISO date (new deadline granted)
    recorded_by: str = ""
    recorded_at: datetime


class LadderOverride(SQLModel, table=True):
    """A manual push up the ladder (rung) or a hold; the newest active row counts."""

    __tablename__ = "ladder_override"
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int = Field(foreign_key="assignment.id", index=True)
    rung: int | None = None  # 1–3 for a push; None with hold=True
    hold: bool = False
    reason: str
    by: str = ""
    at: datetime
    active: bool = True
