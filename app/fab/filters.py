"""FAB's filters, mended: text search on an index, relation ids without a
query, sane values from any URL, row scope as a base filter, and no filter
on a field the user may not see."""
from __future__ import annotations

from flask_appbuilder.models.filters import BaseFilter, Filters
from flask_appbuilder.models.sqla.filters import (
    FilterContains,
    FilterRelationOneToManyEqual,
    FilterRelationOneToManyNotEqual,
    SQLAFilterConverter,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy import false

from app.models.base import words_match


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
        if not value.strip():
            return query
        dialect = query.session.get_bind().dialect.name
        return query.filter(words_match(self.model, self.column_name, value, dialect))


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




class ScopeFilter(BaseFilter):
    """Row-level scope (``app.security.scope``) as a FAB base filter: every
    list, page, related tab, edit and delete of the register goes through it."""

    name = "scope"
    arg_name = "q_scope"

    def apply(self, query, value):
        from app.security.scope import scoped

        return scoped(query, self.model)




def scope_base_filters(model) -> list:
    from app.security.scope import SCOPED_MODELS

    return [["id", ScopeFilter, lambda: None]] if model in SCOPED_MODELS else []


# --- the filters the dashboard drills down to (app/views/drilldown.py) --------------
# Each applies the clause its chart counts with (app/services/selection.py), so a
# card's figure and the list behind its link are one count.
def _first(value):
    """The value of a filter (FAB passes the URL's values as a list), without NUL bytes."""
    value = value[0] if isinstance(value, (list, tuple)) and value else value
    return value.replace("\x00", "") if isinstance(value, str) else value


def _day(value):
    from datetime import date

    try:
        return date.fromisoformat(str(_first(value)).strip()[:10])
    except ValueError:
        return None


class _DayFilter(BaseFilter):
    """A date (YYYY-MM-DD) bounding a date or a local-time column
    (``selection.since`` / ``selection.until``); no date matches nothing."""

    bound = ""

    def apply(self, query, value):
        from app.services import selection

        day = _day(value)
        if day is None:
            return query.filter(false())
        return query.filter(getattr(selection, self.bound)(getattr(self.model, self.column_name), day))


class FilterOnOrAfter(_DayFilter):
    name = _l("On or after (YYYY-MM-DD)")
    arg_name = "q_since"
    bound = "since"


class FilterOnOrBefore(_DayFilter):
    name = _l("On or before (YYYY-MM-DD)")
    arg_name = "q_until"
    bound = "until"


class _DimensionFilter(BaseFilter):
    """The rows of one value of a dashboard filter (``selection.dimension``);
    a value that is not an id matches nothing."""

    dimension = ""

    def apply(self, query, value):
        from app.services.selection import dimension

        pk = _int_or_none(_first(value))
        return query.filter(false()) if pk is None else query.filter(dimension(self.model, self.dimension, pk))


class FilterInDistrict(_DimensionFilter):
    name = _l("Of the district (id)")
    arg_name = "q_district"
    dimension = "district"


class FilterAtPlace(_DimensionFilter):
    name = _l("Of the reception place (id)")
    arg_name = "q_place"
    dimension = "place"


class FilterInSection(_DimensionFilter):
    name = _l("In the section or topic, with the topics under it (id)")
    arg_name = "q_section"
    dimension = "section"


class FilterOfDepartment(_DimensionFilter):
    name = _l("Of the department of the official asked for (id)")
    arg_name = "q_department"
    dimension = "department"


class _TermFilter(BaseFilter):
    """Appeals in one state of their term (``selection``), as of today."""

    state = ""

    def apply(self, query, value):
        from app.services import selection
        from app.services.clock import today

        return query.filter(getattr(selection, self.state)(today()))


class FilterAnsweredOnTime(_TermFilter):
    name = _l("Answered on time")
    arg_name = "q_on_time"
    state = "answered_on_time"


class FilterTermMissed(_TermFilter):
    name = _l("Answered late or still unanswered past the term")
    arg_name = "q_late"
    state = "term_missed"


class FilterTermRunning(_TermFilter):
    name = _l("Term still running")
    arg_name = "q_running"
    state = "term_running"


class FilterExtendedAs(BaseFilter):
    name = _l("Term extended under the rule (R30a, R30b)")
    arg_name = "q_extended"

    def apply(self, query, value):
        from app.services.selection import extended_as

        rule = str(_first(value) or "").strip()[:10]
        return query.filter(extended_as(rule))


class FilterComplianceMeasure(BaseFilter):
    """The rows a figure of the compliance board counted
    (``app.services.compliance.filter_clause``): the same condition, as of
    today; a value for another register, or none, matches nothing."""

    name = _l("Breaks the rule (compliance board)")
    arg_name = "q_compliance"

    def apply(self, query, value):
        from app.services.compliance import filter_clause

        return query.filter(filter_clause(self.model, str(_first(value) or "")))


def with_compliance_filter(search_filters: dict, datamodel) -> dict:
    """A list's ``search_filters`` with the compliance board's filter on the
    column its measures name (none when the board measures nothing there)."""
    from app.services.compliance import measures_of

    measures = measures_of(datamodel.obj)
    if not measures:
        return search_filters
    out = {col: list(flts) for col, flts in (search_filters or {}).items()}
    for column in dict.fromkeys(m.column for m in measures):
        out[column] = out.get(column, []) + [FilterComplianceMeasure(column, datamodel)]
    return out


DRILL_DOWN_APPEAL_FILTERS = {
    "registered_on": (FilterOnOrAfter, FilterOnOrBefore),
    "due_on": (FilterAnsweredOnTime, FilterTermMissed, FilterTermRunning),
    "category": (FilterInSection,),
    "official": (FilterOfDepartment,),
    "status": (FilterExtendedAs,),
}
"""The appeal list's filters behind the dashboard's figures, by column (after the list's own)."""


def with_drill_down_filters(search_filters: dict, datamodel) -> dict:
    """An appeal list's ``search_filters`` with the drill-down ones after its own."""
    out = {col: list(flts) for col, flts in search_filters.items()}
    for col, classes in DRILL_DOWN_APPEAL_FILTERS.items():
        out[col] = out.get(col, []) + [cls(col, datamodel) for cls in classes]
    return out
