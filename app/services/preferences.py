"""A user's own choices for the lists: which columns a list shows, the
density of its rows, and their saved filters.

Keys come from a fixed list (``columns:<List>``, ``filters:<List>``,
``density``); every value is checked against what the list really offers
this user (``ListSpec``, built by the list's view from its own columns and
filters, masked personal fields already left out), bounded in size, and
checked again when read (a column the user's role no longer sees, or a
filter the list no longer has, simply disappears).

A list page must stay within its statement budget, so a user's preferences
are read once per browser session and process: the session holds a stamp,
the process keeps ``{(user, stamp): preferences}`` (a small LRU). A save
writes the database, makes a new stamp and is seen at once by that session.
"""
from __future__ import annotations

import json
import re
import secrets
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import UserPreference

DENSITIES = ("comfortable", "compact")
KEY = re.compile(r"^(?:(?:columns|filters):[A-Z][A-Za-z0-9]{0,62}|density)$")
"""The fixed list of keys: a list's columns, a list's saved filters, the density of every list."""

MAX_VALUE_BYTES = 16_000
MAX_COLUMNS = 60
MAX_FILTERS = 20
MAX_FILTER_NAME = 80
MAX_FILTER_ARGS = 30
MAX_ARG_VALUE = 200
MAX_PAGE_SIZE = 100
CACHE_SIZE = 512

FILTER_ARG = re.compile(r"^_flt_\d_[a-z][a-z0-9_]{0,62}$")
FILTER_PREFIXES = ("_flt_", "_oc_", "_od_", "psize_")
"""The query-string arguments a saved filter keeps (FAB's filters, order and page size)."""


class PreferenceRefused(ValueError):
    """A preference that cannot be saved; ``message`` is a translated sentence."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ListSpec:
    """What one list offers one user: its name (the view's class name), the
    columns it may show in their order (masked ones left out), the default
    ones, the filter arguments (``_flt_<i>_<column>``) and the columns it
    may be ordered by."""

    name: str
    columns: tuple[str, ...]
    defaults: tuple[str, ...]
    filter_args: frozenset[str] = field(default_factory=frozenset)
    order_columns: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self):
        assert KEY.match(f"columns:{self.name}"), self.name


# --- reading --------------------------------------------------------------
_lock = threading.Lock()


def _cache() -> OrderedDict:
    return current_app.extensions.setdefault("q_preferences", OrderedDict())


def read(user_id: int) -> dict[str, Any]:
    rows = db.session.execute(select(UserPreference.key, UserPreference.value)
                              .where(UserPreference.user_id == user_id)).all()
    return dict(tuple(row) for row in rows)


def snapshot(user_id: int, stamp: str | None) -> tuple[str, dict[str, Any]]:
    """``(stamp, {key: value})``: the user's preferences as this session
    last saw them (from memory), or read now under a new stamp."""
    cache = _cache()
    with _lock:
        if stamp and (user_id, stamp) in cache:
            cache.move_to_end((user_id, stamp))
            return stamp, cache[(user_id, stamp)]
    return _remember(user_id, read(user_id))


def _remember(user_id: int, prefs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    stamp = secrets.token_hex(6)
    cache = _cache()
    with _lock:
        cache[(user_id, stamp)] = prefs
        while len(cache) > CACHE_SIZE:
            cache.popitem(last=False)
    return stamp, prefs


def columns_for(prefs: dict[str, Any], spec: ListSpec) -> list[str]:
    """The columns the list shows: the user's choice that the list still
    offers them, in the list's order; otherwise its default ones."""
    chosen = prefs.get(f"columns:{spec.name}")
    if isinstance(chosen, list):
        wanted = {c for c in chosen if isinstance(c, str)}
        shown = [c for c in spec.columns if c in wanted]
        if shown:
            return shown
    return list(spec.defaults)


def density_of(prefs: dict[str, Any]) -> str:
    value = prefs.get("density")
    return value if value in DENSITIES else DENSITIES[0]


def filters_for(prefs: dict[str, Any], spec: ListSpec) -> list[dict[str, Any]]:
    """The user's saved filters of this list that it still offers them:
    ``[{"name", "args": [[key, value], ...]}]``."""
    out = []
    for item in prefs.get(f"filters:{spec.name}") or []:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        try:
            args = filter_args(spec, item.get("args") or [])
        except PreferenceRefused:
            continue
        out.append({"name": item["name"], "args": args})
    return out


# --- checking -------------------------------------------------------------
def clean_text(value, limit: int, too_long) -> str:
    """``value`` stripped; refused when longer than ``limit`` or holding a
    control character, a NUL byte or a lone surrogate."""
    text = str(value if value is not None else "").strip()
    if len(text) > limit:
        raise PreferenceRefused(too_long)
    if any(unicodedata.category(c) in ("Cc", "Cs", "Cf") for c in text):
        raise PreferenceRefused(_l("The name or a value has characters that cannot be saved."))
    return text


def filter_args(spec: ListSpec, pairs) -> list[list[str]]:
    """The filter, order and page-size arguments of a list URL, checked
    against the list; anything else in the URL is left out. An argument
    naming a filter or a column the list does not offer this user refuses
    the whole filter."""
    out: list[list[str]] = []
    for pair in list(pairs)[: MAX_FILTER_ARGS * 4]:
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise PreferenceRefused(_l("The filter names a column or a condition this list does not offer you: "
                                       "nothing was saved."))
        key, value = (str(pair[0]), pair[1])
        if not key.startswith(FILTER_PREFIXES):
            continue
        value = clean_text(value, MAX_ARG_VALUE, _l("A value of the filter is too long."))
        if not _allowed(spec, key, value):
            raise PreferenceRefused(_l("The filter names a column or a condition this list does not offer you: "
                                       "nothing was saved."))
        out.append([key, value])
    if len(out) > MAX_FILTER_ARGS:
        raise PreferenceRefused(_l("The filter has too many conditions to be saved."))
    return out


def _allowed(spec: ListSpec, key: str, value: str) -> bool:
    if key.startswith("_flt_"):
        return bool(FILTER_ARG.match(key)) and key in spec.filter_args
    if key == f"_oc_{spec.name}":
        return value in spec.order_columns
    if key == f"_od_{spec.name}":
        return value in ("asc", "desc")
    if key == f"psize_{spec.name}":
        return value.isdigit() and len(value) <= 3 and 1 <= int(value) <= MAX_PAGE_SIZE
    return False  # another list's order or page size


def _bounded(value) -> Any:
    if len(json.dumps(value, ensure_ascii=False)) > MAX_VALUE_BYTES:
        raise PreferenceRefused(_l("This is more than a preference can hold: nothing was saved."))
    return value


# --- writing --------------------------------------------------------------
# Each write starts from the preferences in the database (another session of
# the same user may have saved since this one read them) and returns the new
# snapshot with its stamp, for the session to keep.
def _store(user_id: int, key: str, value) -> tuple[str, dict[str, Any]]:
    """Write one key (``None`` deletes it) and commit."""
    assert KEY.match(key), key
    if value is None:
        db.session.execute(delete(UserPreference).where(UserPreference.user_id == user_id,
                                                        UserPreference.key == key))
    else:
        value = _bounded(value)
        for attempt in (1, 2):
            row = db.session.execute(select(UserPreference).where(
                UserPreference.user_id == user_id, UserPreference.key == key)).scalar_one_or_none()
            if row is None:
                db.session.add(UserPreference(user_id=user_id, key=key, value=value))
            else:
                row.value = value
            try:
                db.session.flush()
                break
            except IntegrityError:  # the same key saved at the same moment by another request
                db.session.rollback()
                if attempt == 2:
                    raise
    db.session.commit()
    return _remember(user_id, read(user_id))


def save_columns(user_id: int, spec: ListSpec, chosen) -> tuple[str, dict, int]:
    """Save the columns ``chosen`` (kept in the list's order); names the
    list does not offer are ignored and counted. ``(stamp, prefs, ignored)``."""
    names = [str(c) for c in list(chosen)[:MAX_COLUMNS * 4]]
    shown = [c for c in spec.columns if c in set(names)]
    ignored = len({n for n in names if n not in spec.columns})
    if not shown:
        raise PreferenceRefused(_l("Choose at least one column."))
    stamp, fresh = _store(user_id, f"columns:{spec.name}", None if shown == list(spec.defaults) else shown)
    return stamp, fresh, ignored


def reset_columns(user_id: int, spec: ListSpec) -> tuple[str, dict]:
    """The list shows its default columns again."""
    return _store(user_id, f"columns:{spec.name}", None)


def save_density(user_id: int, value) -> tuple[str, dict]:
    """Comfortable (the default) or compact rows, on every list."""
    if value not in DENSITIES:
        raise PreferenceRefused(_l("The request could not be understood: nothing was changed."))
    return _store(user_id, "density", None if value == DENSITIES[0] else value)


def save_filter(user_id: int, spec: ListSpec, name, pairs) -> tuple[str, dict, str]:
    """Save the list's current filter, order and page size under ``name``
    (a saved filter of the same name is replaced). ``(stamp, prefs, name)``."""
    name = clean_text(name, MAX_FILTER_NAME,
                      _l("The name of a filter is at most %(n)s characters.", n=MAX_FILTER_NAME))
    if not name:
        raise PreferenceRefused(_l("Give the filter a name."))
    args = filter_args(spec, pairs)
    if not args:
        raise PreferenceRefused(_l("The list has no filter, order or page size to save."))
    saved = [f for f in filters_for(read(user_id), spec) if f["name"] != name]
    if len(saved) >= MAX_FILTERS:
        raise PreferenceRefused(_l("You have %(n)s saved filters on this list, the most allowed: delete one first.",
                                  n=MAX_FILTERS))
    saved.append({"name": name, "args": args})
    stamp, fresh = _store(user_id, f"filters:{spec.name}", saved)
    return stamp, fresh, name


def delete_filter(user_id: int, spec: ListSpec, name) -> tuple[str, dict, str]:
    """Delete the user's saved filter ``name`` of this list."""
    name = str(name if name is not None else "")[: MAX_FILTER_NAME + 1].strip()
    saved = filters_for(read(user_id), spec)
    kept = [f for f in saved if f["name"] != name]
    if len(kept) == len(saved):
        raise PreferenceRefused(_l("You have no saved filter of that name on this list."))
    stamp, fresh = _store(user_id, f"filters:{spec.name}", kept or None)
    return stamp, fresh, name
