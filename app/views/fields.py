"""Form fields, formatters and the search widget the register views share."""
from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder._compat import as_unicode
from flask_appbuilder.fields import QuerySelectField, QuerySelectMultipleField
from flask_appbuilder.widgets import RenderTemplateWidget, SearchWidget
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import SelectField
from wtforms.validators import DataRequired
from wtforms.validators import Optional as OptionalValidator

from app.labels import choices, label


def enum_field(enum_cls, label_text, required: bool) -> SelectField:
    """A select of translated labels for an enum column. Nothing is chosen
    for the user: a required one starts on "— choose —" and must be picked."""

    def coerce(value):
        if value in (None, "", "None"):
            return None
        return enum_cls(value.value if hasattr(value, "value") else value)

    opts = [("", "—")] + list(choices(enum_cls))
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


def format_changes(changes, table: str = "") -> Markup:
    """«Label: old → new», one per line, in the user's language — through the
    privacy presenter (``app.views.timeline``)."""
    from .timeline import format_changes as readable

    return readable(changes, table) if changes else Markup("")


def format_change_set(value) -> Markup:
    table, changes = value
    return format_changes(changes, table)


OPERATION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
}


def format_operation(value) -> str:
    """An audit operation in the user's language (never the raw code)."""
    label_ = OPERATION_LABELS.get(value)
    return str(label_) if label_ is not None else format_plain(value)


def format_local(value) -> str:
    """A UTC timestamp (events, audit) in local time: 01.12.2026 18:30."""
    from app.services.clock import fmt_local

    return fmt_local(value) or "—"
