"""Tables of the circulars register (通报): one row per circular, its own counter.

Why its own register: a circular is numbered 第N期 per year, apart from the letters'
发文字号 (GUIDE §8: gapless per kind per year), and it is not addressed to one unit, so it
has no place in `letter`. Why a snapshot: `figures` holds every number the circular states,
read once at drafting, so a signed circular prints the same forever however the store
changes afterwards; signing also freezes the wording (`body`).

Status: 草稿 / 已签发 / 已打印 / 作废 (the same words as the letters register).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


class Circular(SQLModel, table=True):
    """One circular: a draft until signed; from then on immutable except status and files."""

    __tablename__ = "circular"
    __table_args__ = (
        # schema 10: a register per origin (see letter_models.Letter).
        UniqueConstraint("origin", "year", "seq", name="uq_circular_origin_year_seq"),
        UniqueConstraint("origin", "number", name="uq_circular_origin_number"),
        Index("ix_circular_status", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id")
    as_of: date  # the figures are as of this date
    status: str = "草稿"
    year: int | None = None  # numbering year (year of signing)
    seq: int | None = None  # 第N期, set on signing
    number: str | None = None  # "2024年第3期"; NULL for drafts (unique per origin)
    title: str = ""
    # JSON snapshot of the figures (tui.reports.circular.CircularFigures), taken at drafting.
    figures: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # JSON. Drafts: "" (the wording comes from the figures and the current template).
    # Signed: the whole frozen wording (tui.reports.circular.CircularText).
    body: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    batch: str = ""
    created_at: datetime
    created_by: str = ""
    signed_at: datetime | None = None
    signed_by: str | None = None  # 签发人
    issued_on: date | None = None
    printed_at: datetime | None = None
    printed_by: str | None = None
    voided_at: datetime | None = None
    voided_by: str | None = None
    void_reason: str | None = None
    files: str = ""  # JSON list of {"path", "sha256", "type", "pages"}
    # schema 10: "" = this office's register; else the county it came from
    origin: str = Field(default="", sa_column_kwargs={"server_default": ""})


class CircularCounter(SQLModel, table=True):
    """Next 期 number per year; taken under the write lock, never max()+1."""

    __tablename__ = "circular_counter"
    year: int = Field(primary_key=True)
    next_seq: int = 1
