"""The base model view and data interface every register uses."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Optional

from flask import abort, current_app, g, has_request_context, request
from flask_appbuilder import ModelView
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_appbuilder.widgets import RenderTemplateWidget, SearchWidget
from flask_appbuilder.models.filters import BaseFilter, Filters
from flask_appbuilder.models.sqla.filters import (
    FilterContains,
    FilterRelationOneToManyEqual,
    FilterRelationOneToManyNotEqual,
    SQLAFilterConverter,
)
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import format_number, lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import Boolean, Date, DateTime, Integer, Time, false, func, literal_column, select, text
from sqlalchemy import column as sa_column
from sqlalchemy.orm import joinedload, selectinload
from wtforms import BooleanField, SelectField, TimeField
from wtforms.validators import DataRequired
from wtforms.validators import Optional as OptionalValidator

from app.labels import choices, label

# Stable permission names shared by a register's UI view and its REST API
# (Superset's can_read / can_write): roles are granted these.
METHOD_PERMISSIONS = {
    "list": "read",
    "show": "read",
    "api_read": "read",
    "api_column_add": "read",
    "api_column_edit": "read",
    "api_get": "read",
    "download": "read",
    "get": "read",
    "get_list": "read",
    "info": "read",
    "add": "write",
    "edit": "write",
    "post": "write",
    "put": "write",
    "api_create": "write",
    "api_update": "write",
    "workflow": "write",
    "act": "write",
    "bulk": "write",
    "action": "write",
    "action_post": "write",
    "letter": "read",
    "delete": "delete",
    "api_delete": "delete",
}


WORD = re.compile(r"\w+", re.UNICODE)


class FilterTextSearch(FilterContains):
    """"Contains" over a long text column: every word typed must begin a
    word of the text, in any case and any alphabet («водоснабж» finds
    «Водоснабжение», «ӘЛЕУМЕТТІК» finds «әлеуметтік»), served by an index
    on both databases (migration 0008):

    - PostgreSQL: the stored ``<column>_tsv`` (``to_tsvector('simple', …)``)
      and its GIN index, queried with ``to_tsquery('simple', 'word:* & …')``;
    - SQLite: the FTS5 table ``<table>_fts`` (SQLite's LIKE would fold ASCII
      only and read the whole table).
    """

    def apply(self, query, value):
        value = "" if value is None else str(value)  # a number from rison is text to search too
        words = WORD.findall(value[:200])
        if not (value or "").strip():
            return query
        if not words:
            return query.filter(false())
        table = self.model.__tablename__
        if query.session.get_bind().dialect.name == "sqlite":
            match = " ".join('"%s"*' % w for w in words)
            rowids = text(f"SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH :match")
            rowids = rowids.bindparams(match=match).columns(sa_column("rowid", Integer))
            return query.filter(getattr(self.model, "id").in_(rowids))
        tsquery = " & ".join(f"{w}:*" for w in words)
        vector = literal_column(f"{table}.{self.column_name}_tsv")
        return query.filter(vector.bool_op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), tsquery)))


class QFilters(Filters):
    """FAB's filters, with two mends: custom ``search_filters`` can be used
    from the list URL too (FAB only offers them in the search form), and an
    index that does not exist in ``_flt_<i>_<col>`` is ignored instead of
    answering 500."""

    def __init__(self, filter_converter, datamodel, search_columns=None, search_filters=None):
        super().__init__(filter_converter, datamodel, search_columns, search_filters)
        for col, extra in (search_filters or {}).items():
            self._all_filters[col] = list(self._all_filters.get(col, [])) + list(extra)
        for col in getattr(datamodel, "text_search", {}):
            if col in self._all_filters:
                self._all_filters[col] = [
                    FilterTextSearch(col, datamodel) if type(f) is FilterContains else f
                    for f in self._all_filters[col]
                ]

    def add_filter_index(self, column_name: str, filter_instance_index: int, value):
        candidates = [] if column_name in self._hidden() else self._all_filters.get(column_name, [])
        if 0 <= filter_instance_index < len(candidates):
            self._add_filter(candidates[filter_instance_index], value)

    def _hidden(self) -> frozenset[str]:
        from app.security.privacy import hidden_columns

        return hidden_columns(self.datamodel.obj)

    def get_search_filters(self):
        """The filters the user may use: none on a personal field they may
        not see (a count by ИИН prefix would rebuild the ИИН)."""
        hidden = self._hidden()
        search = super().get_search_filters()
        return {c: f for c, f in search.items() if c not in hidden} if hidden else search

    def _add_filter(self, filter_instance, value):
        if filter_instance.column_name in self._hidden():
            return  # the one net under every way of adding a filter
        super()._add_filter(*_sane_filter(filter_instance, value))


class _MatchNothing(BaseFilter):
    """A filter whose value no row can have (a number beyond 32 bits)."""

    name = "nothing"
    arg_name = "nothing"

    def apply(self, query, value):
        return query.filter(false())


_TEXT_FILTERS = ("FilterStartsWith", "FilterNotStartsWith", "FilterEndsWith", "FilterNotEndsWith",
                 "FilterContains", "FilterNotContains", "FilterTextSearch")


def _sane_filter(flt, value):
    """(filter, value) as the database can take them, whatever the URL or
    rison held: text filters get text without NUL bytes, an integer column
    a 32-bit integer (anything else matches nothing)."""
    if isinstance(value, str) and "\x00" in value:
        value = value.replace("\x00", "")
    if any(cls.__name__ in _TEXT_FILTERS for cls in type(flt).__mro__):
        # a number from rison is text to match too (the UI sends lists: FAB reads those itself)
        return flt, str(value) if isinstance(value, (int, float)) else value
    dm = flt.datamodel
    column = flt.column_name
    if callable(value) or isinstance(flt, (ScopeFilter, _MatchNothing)):
        return flt, value  # a base filter's value is computed when it applies
    if column in dm.list_columns and dm.is_integer(column):
        from app.security.scope import MAX_ID

        for item in (value if isinstance(value, (list, tuple)) else [value]):  # the UI sends a list
            if item in (None, ""):
                continue
            try:
                number = int(item)
            except (TypeError, ValueError, OverflowError):
                number = None
            if number is None or abs(number) > MAX_ID:
                return _MatchNothing(column, dm), value
    return flt, value


def _foreign_key(model, relation: str):
    """The local column of a many-to-one relation (``district`` → ``district_id``)."""
    (column,) = getattr(model, relation).property.local_columns
    return getattr(model, column.key)


def _int_or_none(value):
    """An id from the URL, or None (not a number, or beyond any id: 2**63 is no id)."""
    from app.security.scope import as_id

    return as_id(value)


class FilterRelationIdEqual(FilterRelationOneToManyEqual):
    """FAB's "Relation" filter compares the foreign key with the id from the
    URL; FAB's own loads the related row first (one more query per filter).
    A value that is not an id matches nothing."""

    def apply(self, query, value):
        pk = _int_or_none(value)
        if pk is None:
            return query.filter(false())
        return query.filter(_foreign_key(self.model, self.column_name) == pk)


class FilterRelationIdNotEqual(FilterRelationOneToManyNotEqual):
    def apply(self, query, value):
        pk = _int_or_none(value)
        column = _foreign_key(self.model, self.column_name)
        if pk is None:
            return query
        return query.filter((column != pk) | column.is_(None))


class QFilterConverter(SQLAFilterConverter):
    conversion_table = (
        ("is_relation_many_to_one", [FilterRelationIdEqual, FilterRelationIdNotEqual]),
    ) + tuple(row for row in SQLAFilterConverter.conversion_table if row[0] != "is_relation_many_to_one")


class CappedCount(int):
    """A list's record count that stopped counting at the cap: pagination
    works with the number, the page shows "10 000+"."""

    capped = True

    def __str__(self) -> str:
        return format_number(int(self) - 1) + "+"

    def __html__(self) -> str:
        return str(Markup.escape(str(self)))


class ScopeFilter(BaseFilter):
    """Row-level scope (``app.security.scope``) as a FAB base filter: every
    list, page, related tab, edit and delete of the register goes through it."""

    name = "scope"
    arg_name = "q_scope"

    def apply(self, query, value):
        from app.security.scope import scoped

        return scoped(query, self.model)


def register_of(model) -> str | None:
    """The register (stable permission name) whose read right covers ``model``."""
    from app.models import ParticipationRequest
    from app.security.roles import REGISTERS

    if model is ParticipationRequest:
        return "ReceptionSession"
    return model.__name__ if model.__name__ in REGISTERS else None


def scope_base_filters(model) -> list:
    from app.security.scope import SCOPED_MODELS

    return [["id", ScopeFilter, lambda: None]] if model in SCOPED_MODELS else []


class QInterface(SQLAInterface):
    """SQLAInterface that eager-loads a list's related columns.

    FAB's ModelView loads whole rows and lets every related column lazy-load
    (a query per row and relation); here the relations named in
    ``eager`` come with the page in one extra query each, whatever the page
    size. The count query stays free of them.
    """

    filter_converter_class = QFilterConverter
    capped_count = True
    """False: count every row (the REST API's ``count`` must be exact)."""

    def __init__(self, obj, session=None, eager: tuple[str, ...] = (), text_search: tuple[str, ...] = (),
                 show_eager: tuple[str, ...] = ()):
        super().__init__(obj, session=session)
        self.eager = eager
        self.text_search = text_search
        self.show_eager = show_eager

    def query_count(self, query, filters=None, select_columns=None) -> int:
        """The number of matching rows, counted up to ``LIST_COUNT_CAP``.

        FAB counts every matching row on every page view — a scan of the
        whole table at a million appeals. Past the cap the list says
        "10 000+" and pagination goes on (the rows are read by index).
        """
        cap = current_app.config.get("LIST_COUNT_CAP", 10_000) if self.capped_count else 0
        searching = filters is not None and any(isinstance(f, FilterTextSearch) for f in filters.filters)
        if cap and searching:
            # a text search reads the matching rows themselves: count fewer
            cap = min(cap, current_app.config.get("SEARCH_COUNT_CAP", 1_000))
        inner = self._apply_inner_all(query, filters, select_columns=select_columns, aliases_mapping={})
        if not cap:
            return inner.count()
        pk = getattr(self.obj, self.get_pk_name())
        limited = inner.with_entities(pk).limit(cap + 1).subquery()
        n = self.session.query(func.count()).select_from(limited).scalar()
        return CappedCount(n) if n > cap else n

    def get(self, id, filters=None, select_columns=None, outer_default_load=False):
        """A primary key from the URL is text: not a number → no such row
        (PostgreSQL would refuse to compare and FAB would answer 500). The
        record comes with the relations in ``show_eager`` (its page shows
        them) loaded together."""
        id = _int_or_none(id)
        if id is None:
            return None
        if select_columns or not self.show_eager:
            return super().get(id, filters, select_columns, outer_default_load)
        # the show page asks twice (its own view code, then FAB's): once per request
        key = (self.obj, id, repr(filters.get_filters_values()) if filters else "")
        memo = g.setdefault("_q_get", {}) if has_request_context() else {}
        if key not in memo:
            _filters = filters.copy() if filters else Filters(self.filter_converter_class, self)
            _filters.add_filter(self.get_pk_name(), self.FilterEqual, id)
            # one small query per relation: a nine-table join costs more to plan than to run
            options = [selectinload(getattr(self.obj, path)) for path in self.show_eager]
            memo[key] = self.apply_all(self.session.query(self.obj).options(*options), _filters).one_or_none()
        return memo[key]

    def add(self, item, commit: bool = True) -> None:
        self._store(super().add, item, commit)

    def edit(self, item, commit: bool = True) -> None:
        self._store(super().edit, item, commit)

    def delete(self, item, commit: bool = True) -> None:
        self._store(super().delete, item, commit)

    def _store(self, write, item, commit: bool) -> None:
        """A write the database refuses is a typed, translated error (409,
        422 or 400 in the API, a message above the form in the UI) — never
        its SQL, its parameters or the row."""
        from flask_appbuilder.exceptions import DatabaseException
        from sqlalchemy.exc import SQLAlchemyError

        from app.services.errors import refusal_of

        try:
            write(item, commit)
        except (SQLAlchemyError, DatabaseException) as exc:
            self.session.rollback()
            cause = exc if isinstance(exc, SQLAlchemyError) else exc.__cause__
            raise refusal_of(cause) from None

    def get_filters(self, search_columns=None, search_filters=None):
        return QFilters(self.filter_converter_class, self, search_columns or [], search_filters)

    def is_sortable(self, column: str) -> bool:
        """A plain column of the model that is neither a personal field the
        user may not see (an order by ИИН would tell the ИИН) nor a JSON
        document; never a related model's column (``applicant.iin``)."""
        from sqlalchemy import JSON

        from app.security.privacy import hidden_columns

        if "." in column or column not in self.list_columns or column in hidden_columns(self.obj):
            return False
        return not isinstance(self.list_columns[column].type, JSON)

    def apply_order_by(self, query, order_column, order_direction, aliases_mapping=None,
                       bypass_many_to_many=False, add_pk=False):
        """Order only by a real column (``?_oc_...=`` is user input: a property
        or a typo would make FAB answer 500); otherwise newest id first."""
        if order_column and not self.is_sortable(order_column):
            order_column, order_direction = self.get_pk_name(), "desc"
        return super().apply_order_by(query, order_column, order_direction, aliases_mapping,
                                      bypass_many_to_many, add_pk)

    def query(
        self,
        filters=None,
        order_column: str = "",
        order_direction: str = "",
        page: Optional[int] = None,
        page_size: Optional[int] = None,
        select_columns=None,
        outer_default_load: bool = False,
    ):
        if select_columns or not self.eager:
            return super().query(
                filters, order_column, order_direction, page, page_size,
                select_columns, outer_default_load,
            )
        base = self.session.query(self.obj)
        count = self.query_count(base, filters)
        # The page's ids first (filters, order, offset: read from an index
        # alone), then those rows with their related columns joined — the
        # joins never run over the rows an OFFSET skips.
        pk = getattr(self.obj, self.get_pk_name())
        page_ids = self.apply_all(base, filters, order_column, order_direction, page, page_size)
        page_ids = page_ids.with_entities(pk.label("page_id")).subquery()
        query = self.session.query(self.obj).join(page_ids, pk == page_ids.c.page_id)
        query = self.apply_order_by(query.options(*self._eager_options()), order_column, order_direction,
                                    add_pk=True)
        return count, query.all()

    def exact_count(self, filters=None) -> int:
        """Every matching row, counted (for a job's progress, not a page)."""
        inner = self._apply_inner_all(self.session.query(self.obj), filters, aliases_mapping={})
        pk = getattr(self.obj, self.get_pk_name())
        return self.session.query(func.count()).select_from(inner.with_entities(pk).subquery()).scalar()

    computed_columns: dict[str, tuple[str, ...]] = {}
    """A list column that is a model property of other columns, as the tuple
    of those columns' values (``deadline`` → ``(status, due_on)``)."""

    def stream(self, filters=None, order_column: str = "", order_direction: str = "",
               columns: tuple[str, ...] = (), batch: int = 2000):
        """The list's rows in its order as ``{column: value}``, ``batch`` at a
        time, for exports: plain columns by one Core query on a connection of
        its own (a server-side cursor on PostgreSQL; no ORM objects, no
        OFFSET paging, no recount), related records resolved per batch by
        one query each. The caller's session stays free to commit progress.
        """
        query = self.apply_all(self.session.query(self.obj), filters, order_column, order_direction)
        selected: list = []
        slots: dict[str, int] = {}

        def slot(name: str) -> int:
            if name not in slots:
                slots[name] = len(selected)
                selected.append(getattr(self.obj, name))
            return slots[name]

        plan = []
        for col in columns:
            if col in self.computed_columns:
                plan.append((col, "computed", tuple(slot(c) for c in self.computed_columns[col]), None))
            elif self.is_relation_many_to_one(col):
                fk = _foreign_key(self.obj, col)
                plan.append((col, "relation", slot(fk.key), self.get_related_model(col)))
            elif col in self.list_columns:
                plan.append((col, "column", slot(col), None))
            else:  # a model property: the rows as objects
                yield from self._stream_objects(query, columns, batch)
                return
        statement = query.with_entities(*selected).statement
        with self.session.get_bind().connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(statement)
            for chunk in result.partitions(batch):
                related = {}
                for col, kind, idx, model in plan:
                    if kind == "relation":
                        ids = {row[idx] for row in chunk if row[idx] is not None}
                        label = getattr(model, "__str_column__", None)
                        if not ids:
                            related[col] = {}
                        elif label:  # the record shows as one column: no ORM objects
                            related[col] = dict(self.session.execute(
                                select(model.id, getattr(model, label)).where(model.id.in_(ids))).all())
                        else:
                            related[col] = {o.id: o for o in self.session.execute(
                                select(model).where(model.id.in_(ids))).scalars()}
                out = []
                for row in chunk:
                    values = {}
                    for col, kind, idx, _model in plan:
                        if kind == "column":
                            values[col] = row[idx]
                        elif kind == "relation":
                            values[col] = related[col].get(row[idx])
                        else:
                            values[col] = tuple(row[i] for i in idx)
                    out.append(values)
                yield out

    def _stream_objects(self, query, columns, batch: int):
        """``stream`` for lists with computed properties: ORM rows, their
        relations in one query per batch."""
        options = [selectinload(getattr(self.obj, c)) for c in columns if self.is_relation_many_to_one(c)]
        statement = query.options(*options).statement
        result = self.session.execute(statement.execution_options(yield_per=batch))
        for chunk in result.scalars().partitions(batch):
            yield self.get_values(chunk, list(columns))

    def _eager_options(self, paths=None):
        """Many-to-one relations join into the page's own query; collections
        come in one more query each (``selectinload``)."""
        options = []
        for path in self.eager if paths is None else paths:
            model, option = self.obj, None
            for part in path.split("."):
                attr = getattr(model, part)
                prop = attr.property
                if prop.uselist:
                    option = selectinload(attr) if option is None else option.selectinload(attr)
                else:
                    inner = all(not c.nullable for c in prop.local_columns)
                    option = (joinedload(attr, innerjoin=inner) if option is None
                              else option.joinedload(attr, innerjoin=inner))
                model = prop.mapper.class_
            options.append(option)
        return options


def enum_field(enum_cls, label_text, required: bool) -> SelectField:
    """A select of translated labels for an enum column."""

    def coerce(value):
        if value in (None, "", "None"):
            return None
        return enum_cls(value.value if hasattr(value, "value") else value)

    opts = list(choices(enum_cls))
    if not required:
        opts = [("", "—")] + opts
    return SelectField(
        label_text,
        choices=opts,
        coerce=coerce,
        validators=[DataRequired()] if required else [OptionalValidator()],
    )


def format_bool(value) -> str:
    return str(_l("Yes")) if value else str(_l("No"))


def format_date(value) -> str:
    """Dates as people here write them: 26.05.2022, 26.05.2022 10:00."""
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return "—" if value in (None, "") else str(value)


def format_plain(value) -> str:
    return "—" if value is None or value == "" else str(value)


def enum_formatter(enum_cls):
    """FAB hands list and show formatters the enum's code; show its label."""

    def fmt(value):
        if value in (None, ""):
            return "—"
        try:
            return label(enum_cls(value))
        except ValueError:
            return value

    return fmt


class QSearchWidget(SearchWidget):
    """FAB's search form, with its static part — each column's label, field
    and filter names, about a hundred translations and a dozen rendered
    fields — built once per register and language instead of per page."""

    _static: dict[tuple, tuple] = {}

    def __call__(self, **kwargs):
        from app.i18n import current_locale

        allowed = self.filters.get_search_filters()  # none on a personal field the user may not see
        cols = tuple(c for c in self.template_args["include_cols"] if c in allowed)
        key = (self.template_args.get("route_base"), cols, current_locale())
        static = self._static.get(key)
        if static is None:
            form, dict_filters = self.template_args["form"], self.filters.get_search_filters()
            static = (
                {col: as_unicode(form[col].label.text) for col in cols},
                {col: form[col]() for col in cols},
                {col: [as_unicode(flt.name) for flt in dict_filters[col]] for col in cols},
            )
            if not any(isinstance(form[col], (QuerySelectField, QuerySelectMultipleField)) for col in cols):
                if len(self._static) > 500:
                    self._static.clear()
                self._static[key] = static
        kwargs["label_columns"], kwargs["form_fields"], kwargs["search_filters"] = static
        kwargs["active_filters"] = self.filters.get_filters_values_tojson()
        kwargs["include_cols"] = list(cols)
        return RenderTemplateWidget.__call__(self, **kwargs)


class QModelView(ModelView):
    """A register: stable permission names, translated enum selects and
    labels, a deterministic order and bounded queries per page."""

    method_permission_name = METHOD_PERMISSIONS
    base_order = ("id", "desc")
    page_size = 25
    list_template = "qabyldau/list.html"
    show_template = "qabyldau/show.html"
    search_widget = QSearchWidget

    lookups: dict[str, str] = {}
    """Relation column → lookup kind (``app.views.lookup``) for large tables."""

    def __init__(self, **kwargs):
        self._install_fields()
        self._install_search_lookups()
        self.base_filters = scope_base_filters(self.datamodel.obj) + list(self.base_filters or [])
        super().__init__(**kwargs)

    def _install_search_lookups(self) -> None:
        """The search form's relation filters are searchable selects that ask
        ``/lookup/<kind>`` as the user types: FAB would load the whole
        related table into a <select> on every page view."""
        from .lookup import KIND_OF_MODEL, LookupField

        dm = self.datamodel
        extra = dict(self.search_form_extra_fields or {})
        labels = self.label_columns or {}
        for col in self.search_columns or []:
            if col in extra or not dm.is_relation_many_to_one(col):
                continue
            kind = KIND_OF_MODEL.get(dm.get_related_model(col))
            if kind is not None:
                extra[col] = LookupField(labels.get(col, col), kind=kind)
        self.search_form_extra_fields = extra

    def _field_for(self, col: str, text):
        """A better form field than FAB's default for ``col``, or None."""
        from app.security.scope import SCOPED_MODELS

        from .lookup import KIND_OF_MODEL, LookupField

        dm = self.datamodel
        kind = self.lookups.get(col)
        if kind is None and dm.is_relation_many_to_one(col) and dm.get_related_model(col) in SCOPED_MODELS:
            # a relation to a scoped register is chosen by a scoped lookup, never a full <select>
            kind = KIND_OF_MODEL.get(dm.get_related_model(col))
        if kind is not None:
            required = not dm.is_nullable(col)
            return LookupField(
                text, kind=kind,
                validators=[DataRequired()] if required else [OptionalValidator()],
            )
        if col not in dm.list_columns:
            return None
        if dm.is_enum(col):
            return enum_field(dm.list_columns[col].type.enum_class, text, not dm.is_nullable(col))
        if isinstance(dm.list_columns[col].type, Boolean):
            # FAB makes a NOT NULL boolean "required", so an unticked box fails.
            return BooleanField(text)
        if isinstance(dm.list_columns[col].type, Time):
            required = not dm.is_nullable(col)
            return TimeField(text, validators=[DataRequired()] if required else [OptionalValidator()])
        return None

    def _install_fields(self) -> None:
        dm = self.datamodel
        add_extra = dict(self.add_form_extra_fields or {})
        edit_extra = dict(self.edit_form_extra_fields or {})
        formatters = dict(self.formatters_columns or {})
        labels = self.label_columns or {}
        for col in set(self.add_columns or []) | set(self.edit_columns or []):
            field = self._field_for(col, labels.get(col, col))
            if field is None:
                continue
            if col in (self.add_columns or []):
                add_extra.setdefault(col, field)
            if col in (self.edit_columns or []):
                edit_extra.setdefault(col, field)
        for col in dm.get_columns_list():
            if dm.is_enum(col):
                formatters.setdefault(col, enum_formatter(dm.list_columns[col].type.enum_class))
            elif col in dm.list_columns and isinstance(dm.list_columns[col].type, Boolean):
                formatters.setdefault(col, format_bool)
            elif col in dm.list_columns and isinstance(dm.list_columns[col].type, Time):
                formatters.setdefault(col, lambda v: v.strftime("%H:%M") if v else "—")
            elif col in dm.list_columns and isinstance(dm.list_columns[col].type, (DateTime, Date)):
                formatters.setdefault(col, format_date)
            elif dm.is_relation(col) or (col in dm.list_columns and dm.list_columns[col].nullable):
                formatters.setdefault(col, format_plain)
        self.add_form_extra_fields = add_extra
        self.edit_form_extra_fields = edit_extra
        self.formatters_columns = formatters


    def _check_writable(self, pk) -> None:
        """Edit and delete only inside the user's write scope: 404 for a
        record they cannot see, 403 for one they can see but not change."""
        from app.security.scope import SCOPED_MODELS, is_visible, is_writable

        model = self.datamodel.obj
        if model in SCOPED_MODELS and not is_writable(model, pk):
            abort(403 if is_visible(model, pk) else 404)

    def _edit(self, pk):
        self._check_writable(pk)
        return super()._edit(pk)

    def _delete(self, pk):
        self._check_writable(pk)
        return super()._delete(pk)

    def render_template(self, template, **kwargs):
        """Show pages carry the record's audit trail for those who may read it."""
        if template == self.list_template:
            kwargs.setdefault("export_register", self.class_permission_name)
            kwargs.setdefault("export_args", [(k, v) for k, v in request.args.items()
                                              if k.startswith(("_flt_", "_oc_", "_od_"))])
        if template == self.show_template and "pk" in kwargs and "audit" not in kwargs:
            if self.appbuilder.sm.has_access("can_read", "AuditLog"):
                from .audit import audit_rows, format_changes

                kwargs["audit"] = audit_rows(self.datamodel.obj.__tablename__, kwargs["pk"])
                kwargs["format_changes"] = format_changes  # called with the row: presented per table
        return super().render_template(template, **kwargs)


class ReadOnlyModelView(QModelView):
    """A list and show page only: history and logs are never edited."""

    base_permissions = ["can_read"]


COMMON_LABELS = {
    "name": _l("Name"),
    "name_kk": _l("Name (Kazakh)"),
    "name_ru": _l("Name (Russian)"),
    "kind": _l("Kind"),
    "district": _l("District"),
    "active": _l("Active"),
    "address": _l("Address"),
    "code": _l("Code"),
    "parent": _l("Parent"),
}
