"""R12: the order of receiving — privileged applicants first, then by the
time of registration (then receipt, then id, so the order is total)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TypeVar

T = TypeVar("T")


def queue_key(privilege: object | None, registered_on: date, received_at: datetime, ident: int) -> tuple:
    return (privilege is None, registered_on, received_at, ident)


def in_queue_order(items: Iterable[T], key: Callable[[T], tuple]) -> list[T]:
    """Sort ``items`` by R12; ``key`` gives (privilege, registered_on, received_at, id)."""
    return sorted(items, key=lambda item: queue_key(*key(item)))
