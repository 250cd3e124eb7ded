"""The REST base: FAB ModelRestApi with the contract's conventions.

- related records are read and written as plain ids (``"district": 3``);
- enum fields are their codes;
- a rule broken in a service answers 422 ``{"message", "rule"}``;
- malformed input answers 400, never 500.
"""
from __future__ import annotations

import threading

from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.exceptions import InvalidColumnFilterFABException, InvalidOrderByColumnFABException
from flask_babel import gettext
from marshmallow import Schema, fields
from sqlalchemy import Date, DateTime, Time
from sqlalchemy import Enum as SAEnum
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import RelationshipProperty

from app.fab.filters import ScopeFilter, scope_base_filters
from app.fab.permissions import METHOD_PERMISSIONS, register_of
from app.security.privacy import hidden_columns, personal_columns, present
from app.security.scope import SCOPED_MODELS, get_visible, is_visible, is_writable

from .handling import BadRequest, guarded, json_object, read_body, sane_date, strict_boolean


def read_schema(model, columns: list[str], name: str) -> Schema:
    """A marshmallow schema that dumps ``columns`` of ``model``: relations as
    their foreign-key id, enums as codes, dates in ISO 8601."""
    mapper = sa_inspect(model)
    attrs: dict[str, fields.Field] = {}
    table = model.__tablename__
    personal = personal_columns(model)
    for col in columns:
        prop = mapper.attrs.get(col)
        if col in personal:  # through the privacy presenter, as every surface
            attrs[col] = fields.Function(lambda obj, _c=col: present(table, _c, getattr(obj, _c)))
            continue
        if isinstance(prop, RelationshipProperty):
            fk = next(iter(prop.local_columns)).key
            attrs[col] = fields.Function(lambda obj, _fk=fk: getattr(obj, _fk))
            continue
        column = getattr(prop, "columns", [None])[0] if prop is not None else None
        col_type = column.type if column is not None else None
        nullable = bool(getattr(column, "nullable", True))
        if isinstance(col_type, SAEnum):
            attrs[col] = fields.Function(
                lambda obj, _c=col: getattr(obj, _c).value if getattr(obj, _c) is not None else None
            )
        elif isinstance(col_type, DateTime):
            attrs[col] = fields.DateTime(allow_none=nullable)
        elif isinstance(col_type, Date):
            attrs[col] = fields.Date(allow_none=nullable)
        elif isinstance(col_type, Time):
            attrs[col] = fields.Time(format="%H:%M", allow_none=nullable)
        else:
            attrs[col] = fields.Raw()
    return Schema.from_dict(attrs, name=name)()


def _is_time(model, col: str) -> bool:
    prop = sa_inspect(model).attrs.get(col)
    return prop is not None and hasattr(prop, "columns") and isinstance(prop.columns[0].type, Time)


def fk_columns(model, columns: list[str]) -> list[str]:
    """The columns FAB must select so that ``read_schema`` needs no extra query."""
    mapper = sa_inspect(model)
    out = []
    for col in columns:
        prop = mapper.attrs.get(col)
        if isinstance(prop, RelationshipProperty):
            out.extend(c.key for c in prop.local_columns)
        else:
            out.append(col)
    return out


def _relax(model, schema: Schema) -> None:
    """FAB's generated fields refuse ``null`` for nullable enums and require
    NOT NULL columns that have a default (booleans): fix both."""
    mapper = sa_inspect(model)
    for name, field in schema.fields.items():
        prop = mapper.attrs.get(name)
        if prop is None or not hasattr(prop, "columns"):
            continue
        column = prop.columns[0]
        if column.nullable:
            field.allow_none = True
        if column.default is not None:
            field.required = False
        if isinstance(field, (fields.Date, fields.DateTime)):
            field.validators.append(sane_date)
        if isinstance(field, fields.Boolean):  # true or false, not "yes", 0 or "on"
            field._deserialize = strict_boolean
        elif isinstance(field, fields.Integer):  # 2.5 is not a number of places
            field.strict = True


NAMED_ROUTES = {"_info": "GET, HEAD, OPTIONS"}
"""A resource's own routes that FAB's ``/<pk>`` route also matches, with the
methods each answers: any other method is 405, never a record lookup (a
resource adds its own to ``named_routes``; ``api._named_route_methods``
answers before FAB's ``/<pk>`` route)."""



def _one_load_at_a_time(schema: Schema) -> None:
    """marshmallow-sqlalchemy keeps the record being loaded on the schema
    object (``load(data, instance=...)``), which every request shares: two
    threads editing at once would mix their records and sessions. Loads of
    one schema are therefore serialised (they take microseconds)."""
    lock = threading.Lock()
    load = schema.load

    def locked_load(*args, **kwargs):
        with lock:
            return load(*args, **kwargs)

    schema.load = locked_load


class _ReadSchemas:
    """FAB builds a schema of its own for ``?q=(columns:!(...))``: ours, so that
    a pruned answer is presented (and masked) as a whole one."""

    def __init__(self, model, fab_converter):
        self.model, self.fab = model, fab_converter

    def convert(self, columns, **kwargs):
        if kwargs:  # FAB's own add and edit schemas
            return self.fab.convert(columns, **kwargs)
        return read_schema(self.model, list(columns), f"{self.model.__name__}Pruned")


class QRestApi(ModelRestApi):
    """A contract resource. Subclasses set ``datamodel``, ``resource_name``,
    ``read_columns`` (the fields every read returns) and ``add_columns`` /
    ``edit_columns``."""

    method_permission_name = METHOD_PERMISSIONS
    named_routes = NAMED_ROUTES
    allow_browser_login = True
    read_columns: list[str] = []
    page_size = 20
    max_page_size = 100

    def __init__(self):
        model = self.datamodel.obj
        # a program paging through a resource gets the exact ``count``
        self.datamodel.capped_count = False
        self.list_columns = fk_columns(model, self.read_columns)
        self.show_columns = list(self.list_columns)
        self.list_model_schema = read_schema(model, self.read_columns, f"{model.__name__}Read")
        self.show_model_schema = self.list_model_schema
        self.order_columns = [c for c in self.list_columns if c != "payload"]
        self.base_filters = scope_base_filters(model) + list(self.base_filters or [])
        if not self.search_columns:
            self.search_columns = [c for c in self.list_columns if not _is_time(model, c)]
        super().__init__()
        self.model2schemaconverter = _ReadSchemas(model, self.model2schemaconverter)


    def _init_model_schemas(self) -> None:
        super()._init_model_schemas()
        for schema in (self.add_model_schema, self.edit_model_schema):
            if schema is not None:
                _relax(self.datamodel.obj, schema)
                _one_load_at_a_time(schema)

    def post_headless(self):
        problem = self._precheck()
        return problem or self._guarded(super().post_headless)

    def put_headless(self, pk):
        model = self.datamodel.obj
        if model in SCOPED_MODELS and not is_writable(model, pk):
            # visible but outside the write scope: 403; not visible: as if absent
            return self.response_403() if is_visible(model, pk) else self.response_404()
        problem = self._precheck()
        return problem or self._guarded(lambda: super(QRestApi, self).put_headless(pk))

    def delete_headless(self, pk):
        model = self.datamodel.obj
        if model in SCOPED_MODELS and not is_writable(model, pk):
            return self.response_403() if is_visible(model, pk) else self.response_404()
        return self._guarded(lambda: super(QRestApi, self).delete_headless(pk))

    def _precheck(self):
        """400 for a body that is not a JSON object; 422 for a related id
        the user may not see — answered exactly as one that does not exist
        (``scope.get_visible``: a write never widens what a user reads)."""
        try:
            payload = json_object()
        except BadRequest as exc:
            return self.response_400(message=exc.messages)
        mapper = sa_inspect(self.datamodel.obj)
        errors: dict[str, list[str]] = {}
        for key, value in payload.items():
            prop = mapper.attrs.get(key)
            if not isinstance(prop, RelationshipProperty) or value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                errors[key] = [gettext("An id (integer) is required.")]
            elif get_visible(prop.mapper.class_, value) is None:
                errors[key] = [gettext("No record with id %(id)s.", id=value)]
        if errors:
            return self.response_422(message=errors)
        return None

    # --- nothing personal is inferred: filters, orders, _info --------------------
    def _handle_filters_args(self, rison_args):
        hidden = hidden_columns(self.datamodel.obj)
        for flt in rison_args.get("filters", []) or []:
            if isinstance(flt, dict) and flt.get("col") in hidden:
                raise InvalidColumnFilterFABException(f"Filter column: {flt.get('col')} not allowed to filter")
        return super()._handle_filters_args(rison_args)

    def _handle_order_args(self, rison_args):
        order_column, order_direction = super()._handle_order_args(rison_args)
        if order_column in hidden_columns(self.datamodel.obj):
            raise InvalidOrderByColumnFABException(f"Invalid order by column: {order_column}")
        return order_column, order_direction

    def merge_order_columns(self, response, **kwargs):
        super().merge_order_columns(response, **kwargs)
        hidden = hidden_columns(self.datamodel.obj)
        response["order_columns"] = [c for c in response.get("order_columns", []) if c not in hidden]

    def _get_list_related_field(self, field, filter_rel_field, page=None, page_size=None):
        """``_info``'s related values: only the records the user may see, and
        none of a register the user may not read."""
        related = self.datamodel.get_related_model(field.name)
        register = register_of(related)
        if register is not None and not self.appbuilder.sm.has_access("can_read", register):
            return 0, []
        if related in SCOPED_MODELS:
            filter_rel_field = list(filter_rel_field or []) + [["id", ScopeFilter, None]]
        return super()._get_list_related_field(field, filter_rel_field, page=page, page_size=page_size)

    def _run(self, call, schema_cls, model, pk=None):
        """Read the body with ``schema_cls``, run ``call(body)`` and answer
        with the record (200) — or with the edge's answer to the error."""

        def run():
            from app.extensions import db

            result = call(read_body(schema_cls))
            record = result if isinstance(result, model) else db.session.get(model, pk)
            return self.response(200, id=record.id, result=self.show_model_schema.dump(record))

        return guarded(self, run)

    def _guarded(self, call):
        return guarded(self, call)
