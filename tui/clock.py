"""Timestamps: stored in UTC (aware), shown in local time."""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    return datetime.now(UTC)


def local(ts: datetime) -> datetime:
    """A stored timestamp in the desk's local time (naive ones are taken as UTC)."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone()


def today() -> date:
    """The local calendar date (signing and printing happen on the real day)."""
    return now().astimezone().date()
