"""The base model views every register uses: `QModelView` and `ReadOnlyModelView`, with `COMMON_LABELS`."""
from __future__ import annotations

from flask import abort, g, request
from flask_appbuilder import ModelView
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, DateTime, Time
from wtforms import BooleanField, TimeField
from wtforms.validators import DataRequired
from wtforms.validators import Optional as OptionalValidator

from app.fab.filters import scope_base_filters, with_compliance_filter
from app.fab.permissions import METHOD_PERMISSIONS

from .fields import (
    QSearchWidget,
    enum_field,
    enum_formatter,
    format_bool,
    format_date,
    format_plain,
)
from .list_prefs import ListPreferences


class SavedMessage:
    """FAB flashes ``add_row_message`` right after ``post_add``: the sentence
    a view put on ``g.saved_message`` (the new appeal's number and term), or
    the translated default — never FAB's "Added Row"."""

    def __init__(self, default) -> None:
        self.default = default

    def __html__(self) -> str:
        return str(g.get("saved_message") or self.default)

    __str__ = __html__


class QModelView(ListPreferences, ModelView):
    """A register: stable permission names, translated enum selects and
    labels, a deterministic order and bounded queries per page. After
    "Save" the user lands on the record they created, with its number.
    Each user chooses the list's columns, its density and saved filters
    (``ListPreferences``)."""

    add_row_message = SavedMessage(_l("Saved: the new record is added."))
    edit_row_message = SavedMessage(_l("Saved: the changes are recorded."))
    method_permission_name = METHOD_PERMISSIONS
    base_order = ("id", "desc")
    page_size = 25
    list_template = "qabyldau/list.html"
    show_template = "qabyldau/show.html"
    search_widget = QSearchWidget

    lookups: dict[str, str] = {}
    add_prefill_args: tuple[str, ...] = ()
    """Choices of the add form a link may make (``?channel=oral`` from the
    "oral appeal" button): the user's click, never a silent default."""
    """Relation column → lookup kind (``app.views.lookup``) for large tables."""

    def post_add(self, item) -> None:
        g.saved_pk = getattr(item, "id", None)

    def post_add_redirect(self):
        """To the new record's page (when the role may open it), not the list."""
        from flask import redirect, url_for

        pk = g.get("saved_pk")
        if pk is not None and self.appbuilder.sm.has_access("can_read", self.class_permission_name):
            return redirect(url_for(f"{self.endpoint}.show", pk=pk))
        return super().post_add_redirect()

    def __init__(self, **kwargs):
        self._install_fields()
        self._install_search_lookups()
        self._install_list_preferences()
        self.base_filters = scope_base_filters(self.datamodel.obj) + list(self.base_filters or [])
        self.search_filters = with_compliance_filter(getattr(self, "search_filters", None) or {}, self.datamodel)
        super().__init__(**kwargs)
        self._blank_required_relations()
        from .timeline import register_labels

        register_labels(self)

    def _init_properties(self):
        super()._init_properties()
        # FAB's ModelView (unlike its REST API) ignores ``search_filters``: the
        # drill-down and compliance filters are usable from the list URL.
        self._filters = self.datamodel.get_filters(self.search_columns, self.search_filters)

    def _blank_required_relations(self) -> None:
        """FAB's add form pre-selects the first row of a required relation
        (the first district, category, official): saved untouched, the
        appeal went to the akim. Here it starts on "—" and must be chosen."""
        from flask_appbuilder.fields import QuerySelectField
        from wtforms.fields.core import UnboundField

        for form, blank in ((self.add_form, True), (self.edit_form, False)):
            for name in list(vars(form)):
                unbound = getattr(form, name)
                if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, QuerySelectField):
                    unbound.kwargs["blank_text"] = "—"  # never FAB's empty text (select2 showed "__None")
                    if blank:
                        unbound.kwargs["allow_blank"] = True
            form._unbound_fields = None  # WTForms' cache of the fields

    @staticmethod
    def _prefill(form, name: str, raw) -> None:
        from .lookup import LookupField

        field = form._fields.get(name)
        if field is None or not raw:
            return
        if isinstance(field, LookupField):  # a searched relation: the one scoped fetch, as on submit
            try:
                field.process_formdata([raw])
            except ValueError:
                field.data = None  # another place's or a forbidden record: the form starts empty
            return
        if not hasattr(field, "choices"):
            return
        if str(raw) in {str(value) for value, *_ in field.choices}:
            field.data = field.coerce(raw)

    def _add(self):
        """FAB's add, but a refusal by ``pre_add`` (a rule, a bad choice)
        shows the form again with what the user typed and the reason above
        it — FAB redirected to an empty form, and the walk-in's data was
        lost. The session is rolled back: nothing half-made is saved later."""
        from flask import flash
        from flask_appbuilder.urltools import get_filter_args

        from app.extensions import db

        if request.method != "POST":
            return super()._add()
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        self._fill_form_exclude_cols(exclude_cols, form)
        if not form.validate():
            return self._get_add_widget(form=form, exclude_cols=exclude_cols)
        self.process_form(form, True)
        item = self.datamodel.obj()
        try:
            form.populate_obj(item)
            self.pre_add(item)
        except Exception as exc:  # as FAB's own add: whatever pre_add refuses is told above the form
            db.session.rollback()
            flash(str(exc), "danger")
            return self._get_add_widget(form=form, exclude_cols=exclude_cols)
        try:
            self.datamodel.add(item)
            self.post_add(item)
            flash(self.add_row_message, "success")
            if g.get("saved_warning"):  # what the user should check next (a repeat appeal)
                flash(g.saved_warning, "warning")
        except Exception as exc:  # FAB's own: the interface has rolled back and says why
            flash(str(exc))
        return None

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        """A required relation with exactly one allowed row (a clerk's own
        reception place) is that row: the only legal value, not a guess."""
        from flask_appbuilder.fields import QuerySelectField

        if request.method == "GET":
            for name in self.add_prefill_args:
                self._prefill(form, name, request.args.get(name))
            for field in form:
                if isinstance(field, QuerySelectField) and field.data is None and field.flags.required:
                    rows = list(field._get_object_list()[:2])
                    if len(rows) == 1:
                        field.data = rows[0][1]
        return super()._get_add_widget(form, exclude_cols=exclude_cols, widgets=widgets)

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

    def _compliance_banner(self):
        """(measure, place or official, may open the board) when the list shows the
        cases of a figure of the compliance board — said above the list in
        words, since FAB's filter shows the measure's key."""
        from app.fab.filters import FilterComplianceMeasure
        from app.services.compliance import parse_value

        for flt, value in zip(self._filters.filters, self._filters.values):
            if isinstance(flt, FilterComplianceMeasure):
                parsed = parse_value(value[0] if isinstance(value, (list, tuple)) and value else value)
                if parsed is None:
                    return None
                measure, kind, pk = parsed
                from app.extensions import db
                from app.models import Official, ReceptionPlace

                who = db.session.get(ReceptionPlace if kind == "p" else Official, pk) if kind else None
                return measure, who, self.appbuilder.sm.has_access("can_read", "Compliance")
        return None

    def render_template(self, template, **kwargs):
        """Show pages carry the record's audit trail for those who may read it."""
        if template == self.list_template:
            kwargs.setdefault("list_tools", self.list_tools())
            kwargs.setdefault("export_register", type(self).__name__)  # this very list
            kwargs.setdefault("export_args", [(k, v) for k, v in request.args.items()
                                              if k.startswith(("_flt_", "_oc_", "_od_"))])
            kwargs.setdefault("compliance_banner", self._compliance_banner())
        if (template == self.show_template and "pk" in kwargs and "timeline" not in kwargs
                and self.appbuilder.sm.has_access("can_read", "AuditLog")):
            from .timeline import build

            kwargs["timeline"] = build(self.datamodel.obj.__tablename__, kwargs["pk"], with_audit=True)
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
