"""One readable history per record: the workflow events and the audit rows
merged into a single timeline, in the user's language — field labels and
translated values, who, when in local time, why and the rule — and every
value through the privacy presenter (a masked field stays masked, a related
record the reader may not see is not named)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import Boolean, Date, DateTime, Enum

from app.labels import label
from app.security.privacy import present_changes

LABELS_BY_TABLE: dict[str, dict] = {}
"""table → column → translated label, filled by every register view (its ``label_columns``)."""
TABLE_TITLES: dict[str, object] = {}
"""table → the register's translated title (the audit log names no table)."""


def register_labels(view) -> None:
    """A register view's labels and title, for histories and the audit log."""
    table = getattr(view.datamodel.obj, "__tablename__", None)
    if table:
        LABELS_BY_TABLE.setdefault(table, {}).update(view.label_columns or {})
        if getattr(view, "list_title", None) and view.datamodel.obj.__name__ in (view.class_permission_name or ""):
            TABLE_TITLES.setdefault(table, view.list_title)

TECHNICAL = frozenset({"id", "version", "created_at", "updated_at", "created_by_id"})
"""Columns people do not need to read in a history (the version counter, the row id)."""

MERGE_SECONDS = 3
"""An audit row this close to an event of the same user is that event's change."""


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    at: datetime
    who: str
    what: str
    rule: str = ""
    reason: str = ""
    status: tuple[str, str] | None = None
    changes: list[Change] = field(default_factory=list)
    event: object = None  # the AppealEvent, for payload details


def _model_of(table: str):
    from flask_appbuilder import Model

    for mapper in Model.registry.mappers:
        cls = mapper.class_
        if getattr(cls, "__tablename__", None) == table:
            return cls
    return None


def _related(model, column: str):
    """The model a foreign-key column of ``model`` points to, or None."""
    from sqlalchemy import inspect

    try:
        mapper = inspect(model)
    except Exception:  # noqa: BLE001 - not a mapped class
        return None
    for rel in mapper.relationships:
        if rel.direction.name == "MANYTOONE" and any(c.key == column for c in rel.local_columns):
            return rel.mapper.class_
    return None


def _column_label(table: str, model, column: str) -> str:
    labels = LABELS_BY_TABLE.get(table, {})
    rel_name = column[:-3] if column.endswith("_id") else None
    if rel_name and rel_name in labels:  # «Category», not FAB's generated «Category Id»
        return str(labels[rel_name])
    if column in labels:
        return str(labels[column])
    return column.replace("_", " ").capitalize()


def format_value(model, column: str, value) -> str:
    """One stored value as people read it."""
    if value in (None, ""):
        return "—"
    col = model.__table__.columns.get(column) if model is not None else None
    kind = col.type if col is not None else None
    if isinstance(kind, Enum) and kind.enum_class is not None:
        try:
            return label(kind.enum_class(value))
        except ValueError:
            return str(value)
    if isinstance(kind, Boolean) or isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(kind, DateTime) and isinstance(value, str):
        try:
            return datetime.fromisoformat(value).strftime("%d.%m.%Y %H:%M")
        except ValueError:
            return str(value)
    if isinstance(kind, Date) and isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d.%m.%Y")
        except ValueError:
            return str(value)
    if col is not None and col.foreign_keys:
        return _related_text(model, column, value)
    text = str(value)
    return text if len(text) <= 300 else text[:300] + "…"


def _related_text(model, column: str, value) -> str:
    from app.extensions import db
    from app.security.scope import SCOPED_MODELS, get_visible

    target = _related(model, column)
    if target is None:
        return str(value)
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return str(value)
    from flask import g

    memo = g.setdefault("_q_related_text", {})  # one request, one reader: a record recurs on many rows
    if (target, pk) not in memo:
        obj = get_visible(target, pk) if target in SCOPED_MODELS else db.session.get(target, pk)
        memo[(target, pk)] = gettext("a record you may not see") if obj is None else str(obj)
    return memo[(target, pk)]


def changes_of(table: str, changes, user=None, skip=()) -> list[Change]:
    """An audit row's ``{column: [old, new]}``, presented and labelled."""
    if not isinstance(changes, dict):
        return []
    model = _model_of(table)
    presented = present_changes(table, changes, user)
    out = []
    for column, pair in presented.items():
        if column in TECHNICAL or column in skip or column.endswith("_tsv"):
            continue
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        out.append(Change(_column_label(table, model, column), format_value(model, column, old),
                          format_value(model, column, new)))
    return sorted(out, key=lambda c: c.label)


OPERATION_WHAT = {"create": _l("Record created"), "update": _l("Record changed"), "delete": _l("Record deleted")}


def build(table: str, pk, *, events=(), event_labels=None, with_audit: bool = False) -> list[Entry]:
    """The timeline of one record, oldest first."""
    from app.services.audit_trail import audit_rows

    event_labels = event_labels or {}
    entries: list[Entry] = []
    for e in events:
        entries.append(Entry(
            at=e.at, who=str(e.user) if e.user else "—", what=str(event_labels.get(e.action, e.action)),
            rule=e.rule or "", reason=e.reason or "",
            status=(label(e.from_status) if e.from_status else "—", label(e.to_status)) if e.to_status else None,
            event=e))
    if with_audit:
        by_user = {}
        for entry in entries:
            by_user.setdefault(getattr(entry.event, "user_id", None), []).append(entry)
        for row in reversed(audit_rows(table, pk)):
            near = [en for en in by_user.get(row.user_id, [])
                    if abs((en.at - row.at).total_seconds()) <= MERGE_SECONDS] if row.at else []
            if row.operation == "create":
                if not near:
                    entries.append(Entry(at=row.at, who=str(row.user) if row.user else "—",
                                         what=str(OPERATION_WHAT["create"])))
                continue
            changes = changes_of(table, row.changes, skip=("status",) if near else ())
            if near:
                near[0].changes.extend(changes)
            elif changes or row.operation == "delete":
                entries.append(Entry(at=row.at, who=str(row.user) if row.user else "—",
                                     what=str(OPERATION_WHAT.get(row.operation, row.operation)), changes=changes))
    entries.sort(key=lambda en: (en.at or datetime.min))
    return entries


def format_changes(changes, table: str = "") -> Markup:
    """An audit row's changes for the audit log's list: «Label: old → new», one per line."""
    return Markup("<br>").join(
        Markup("<strong>{}</strong>: {} → {}").format(c.label, escape(c.old), escape(c.new))
        for c in changes_of(table, changes))
