"""Exports of any register with its current filters and order, the user's
row-level scope and personal-data masking (the job runs as the user)."""
from __future__ import annotations

import re
from collections.abc import Iterator

from flask import current_app
from flask_appbuilder.urltools import get_filter_args, get_order_args
from markupsafe import Markup

from app.security.scope import current_user

TAG = re.compile(r"<[^>]+>")


def register_view(register: str):
    """The UI list an export reproduces, with its columns, filters, order and
    formatters: named by its view (``ParticipationRequestView``: two lists
    may share one register's rights) or by its register (the first list of
    ``ReceptionSession``)."""
    from flask_appbuilder import ModelView

    lists = [view for view in current_app.appbuilder.baseviews  # UI lists whose interface can stream (app.fab)
             if isinstance(view, ModelView) and hasattr(view.datamodel, "stream")]
    for view in lists:
        if type(view).__name__ == register:
            return view
    for view in lists:
        if view.class_permission_name == register:
            return view
    raise KeyError(register)


def may_export(register: str) -> bool:
    """The user may read the register of that list."""
    user = current_user()
    try:
        view = register_view(register)
    except KeyError:
        return False
    return user is not None and current_app.appbuilder.sm.has_access("can_read", view.class_permission_name)


def export_title(register: str) -> str:
    """The list's title in the user's language, for the Jobs page."""
    try:
        return str(register_view(register).list_title)
    except KeyError:
        return register


def _cell(view, col, value, memo: dict | None = None):
    fmt = (view.formatters_columns or {}).get(col)
    if fmt is not None:
        if memo is not None:
            # the same enum, date, term or related record recurs on many rows
            key = (col, value)
            try:
                hit = memo.get(key)
            except TypeError:  # unhashable
                hit, key = None, None
            if hit is not None:
                return hit
            cell = _cell(view, col, value)
            if key is not None:
                if len(memo) > 50_000:
                    memo.clear()
                memo[key] = cell
            return cell
        value = fmt(value)
    if isinstance(value, Markup):
        value = TAG.sub("", str(value))
    if value is None:
        return ""
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()
    return value if isinstance(value, (int, float)) else str(value)


def export_columns(view) -> list[str]:
    """The columns of the export: those the user chose for this list (what
    they see is what they get, in the list's order; a masked column is never
    among them), otherwise the list's export columns."""
    default = list(getattr(view, "export_columns", None) or view.list_columns)
    user = current_user()
    if user is None or not hasattr(view, "list_spec"):
        return default
    from . import preferences

    prefs = preferences.read(user.id)  # as saved now: the job has no session of its own
    if not isinstance(prefs.get(f"columns:{type(view).__name__}"), list):
        return default
    return preferences.columns_for(prefs, view.list_spec())


def export_rows(register: str, args: dict, batch: int) -> tuple[list[str], int, Iterator[list[list]]]:
    """(header, row count, batches of rows) of the register as the list shows it."""
    if not may_export(register):
        raise PermissionError(register)
    view = register_view(register)
    filters = view.datamodel.get_filters(view.search_columns, getattr(view, "search_filters", None))
    get_filter_args(filters)
    order_column, order_direction = get_order_args().get(view.__class__.__name__, ("", ""))
    if not order_column and view.base_order:
        order_column, order_direction = view.base_order
    joined = filters.get_joined_filters(view._base_filters)
    columns = export_columns(view)
    header = [str(view.label_columns.get(c, c)) for c in columns]
    total = view.datamodel.exact_count(joined)

    def batches():
        memo: dict = {}
        for rows in view.datamodel.stream(joined, order_column, order_direction, tuple(columns), batch):
            yield [[_cell(view, c, row[c], memo) for c in columns] for row in rows]

    return header, total, batches()
