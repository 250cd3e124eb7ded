"""The data interface every register's view, REST API and export uses."""
from __future__ import annotations

import logging
from typing import Optional

from flask import current_app, g, has_request_context
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import format_number
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from .filters import (
    FilterTextSearch,
    QFilterConverter,
    QFilters,
    _foreign_key,
    _int_or_none,
)

log = logging.getLogger(__name__)


class CappedCount(int):
    """A list's record count that stopped counting at the cap: pagination
    works with the number, the page shows "10 000+"."""

    capped = True

    def __str__(self) -> str:
        return format_number(int(self) - 1) + "+"

    def __html__(self) -> str:
        return str(Markup.escape(str(self)))




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

    # FAB's own add/edit/delete log every refused write as an ERROR with its
    # traceback (a duplicate name is a user's mistake, answered 409): the
    # same statements here, and ``_store`` says once what happened.
    def add(self, item, commit: bool = True) -> None:
        self._store(self._add_item, item, commit)

    def edit(self, item, commit: bool = True) -> None:
        self._store(self._edit_item, item, commit)

    def delete(self, item, commit: bool = True) -> None:
        self._store(self._delete_item, item, commit)

    def _add_item(self, item, commit: bool) -> None:
        self.session.add(item)
        if commit:
            self.session.commit()

    def _edit_item(self, item, commit: bool) -> None:
        self.session.merge(item)
        if commit:
            self.session.commit()

    def _delete_item(self, item, commit: bool) -> None:
        self._delete_files(item)
        self.session.delete(item)
        if commit:
            self.session.commit()

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
            from sqlalchemy.exc import DataError, IntegrityError
            from sqlalchemy.orm.exc import StaleDataError

            if isinstance(cause, (IntegrityError, DataError, StaleDataError)):
                log.info("%s refused by the database: %s", type(item).__name__, type(cause).__name__)
            else:  # not the user's doing: the operator needs the whole story, once
                log.error("Writing %s failed", type(item).__name__, exc_info=cause)
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
