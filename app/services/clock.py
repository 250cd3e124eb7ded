"""Local time in the configured zone (Asia/Almaty): "today" for every rule."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE", "Asia/Almaty"))


def now_local() -> datetime:
    """Naive local wall time (the database stores local times)."""
    return datetime.now(zone()).replace(tzinfo=None)


def today() -> date:
    return now_local().date()


def to_local_naive(value: datetime) -> datetime:
    """An aware datetime converted to local wall time; a naive one is local."""
    if value.tzinfo is None:
        return value
    return value.astimezone(zone()).replace(tzinfo=None)


def utc_to_local(value: datetime | None) -> datetime | None:
    """A naive UTC timestamp (``created_at``, ``at`` of events and the
    audit) as naive local wall time, for showing it."""
    if value is None:
        return None

    return value.replace(tzinfo=UTC).astimezone(zone()).replace(tzinfo=None)


def local_to_utc(value: datetime | None) -> datetime | None:
    """Naive local wall time as the naive UTC timestamp the history columns
    hold (the inverse of ``utc_to_local``)."""
    if value is None:
        return None
    return value.replace(tzinfo=zone()).astimezone(UTC).replace(tzinfo=None)


def fmt_local(value: datetime | None) -> str:
    """A UTC timestamp as people here read it: 01.12.2026 17:50 (local)."""
    local = utc_to_local(value)
    return local.strftime("%d.%m.%Y %H:%M") if local else ""
