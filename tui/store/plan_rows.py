"""A plan's row as the importer reads it, and finding a plan by id or title, in plain SQL.

The import path runs without SQLAlchemy (tui.store.sqlconn); `tui.store.queries.find_plan`
answers the desk and the commands with the same rule through an ORM session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from tui.errors import DubanError
from tui.store.sqlconn import as_date

if TYPE_CHECKING:
    from tui.store.sqlconn import SqlConn

PLAN_COLUMNS = (
    "id, key, title, issuer, issue_date, region, period_start, period_end, period_source, "
    "source_name, content_hash, revision, imported_at, imported_by, identity_version"
)


@dataclass
class PlanRow:
    """The plan columns the importer decides from (plan_text is written, never read)."""

    id: int
    key: str
    title: str
    issuer: str
    issue_date: date | None
    region: str
    period_start: int | None
    period_end: int | None
    period_source: str
    source_name: str
    content_hash: str
    revision: int
    imported_at: object
    imported_by: str
    identity_version: int


def plan_row(values: tuple) -> PlanRow:
    row = PlanRow(*values)
    row.issue_date = as_date(row.issue_date)
    return row


def plans_by_key(conn: SqlConn, key: str) -> list[PlanRow]:
    return [
        plan_row(r)
        for r in conn.rows(
            f"SELECT {PLAN_COLUMNS} FROM plan WHERE key = :k ORDER BY id", {"k": key}
        )
    ]


def get_plan(conn: SqlConn, plan_id: int) -> PlanRow | None:
    found = conn.one(f"SELECT {PLAN_COLUMNS} FROM plan WHERE id = :id", {"id": plan_id})
    return None if found is None else plan_row(found)


def find_plan_id(conn: SqlConn, ref: str) -> int:
    """A plan by id, or by a unique part of its title."""
    if ref.isdigit() and conn.one("SELECT id FROM plan WHERE id = :id", {"id": int(ref)}):
        return int(ref)
    plans = conn.rows(
        "SELECT id, title FROM plan WHERE title LIKE '%' || :ref || '%' ORDER BY id", {"ref": ref}
    )
    if len(plans) == 1:
        return plans[0][0]
    if not plans:
        raise DubanError(f"找不到计划：{ref}")
    raise DubanError(
        f"“{ref}”对应多个计划，请写得更具体或使用编号："
        + "；".join(f"{pid} {title}" for pid, title in plans)
    )
