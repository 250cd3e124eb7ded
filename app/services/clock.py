"""Local time in the configured zone (Asia/Almaty): "today" for every rule."""
from __future__ import annotations

from datetime import date, datetime
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
