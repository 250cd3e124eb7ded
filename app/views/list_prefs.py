"""A register's list as each user set it up: the columns it shows (chosen
from those the list offers them — a personal field their role may not see
is never offered), compact or comfortable rows, and their saved filters.
Saved per user (``app.services.preferences``) by one small POST endpoint
per list, ``/<list>/prefs``."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import flash, g, redirect, request, session, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l

from app.security.privacy import hidden_columns
from app.security.scope import current_user
from app.services import preferences
from app.services.preferences import FILTER_PREFIXES, ListSpec, PreferenceRefused

SESSION_KEY = "q_prefs"
"""The stamp of the preferences this browser session has seen."""
MAX_QUERY = 8000


class ListPreferences:
    """Mixed into ``QModelView``: the list's columns, density and saved
    filters as the user chose them."""

    default_list_columns: list[str] | None = None
    """The columns shown until the user chooses (None: ``list_columns``)."""
    list_column_choices: list[str] | None = None
    """Every column a user may show, in the list's order (None:
    ``list_columns``); their relations are loaded with the page."""

    def _install_list_preferences(self) -> None:
        """Called before FAB sets the view up: the chooser's endpoint is a
        read (everyone who may read the list may arrange it), and the
        optional relations come with the page's own query."""
        self.method_permission_name = {**(self.method_permission_name or {}), "list_prefs": "read"}
        dm = self.datamodel
        extra = tuple(c for c in self.list_column_choices or []
                      if c not in dm.eager and dm.is_relation_many_to_one(c))
        if extra:
            dm.eager = tuple(dm.eager) + extra

    # --- what this list offers this user ----------------------------------
    def list_spec(self) -> ListSpec:
        memo = g.setdefault("_q_list_spec", {})
        name = type(self).__name__
        if name not in memo:
            dm = self.datamodel
            hidden = hidden_columns(dm.obj)
            offered = [c for c in dict.fromkeys(self.list_column_choices or self.list_columns)
                       if c not in hidden]
            defaults = [c for c in (self.default_list_columns or self.list_columns) if c in offered]
            search = self._filters.get_search_filters()
            memo[name] = ListSpec(
                name=name, columns=tuple(offered), defaults=tuple(defaults),
                filter_args=frozenset(f"_flt_{i}_{col}" for col, flts in search.items()
                                      for i in range(min(len(flts), 10))),
                order_columns=frozenset(c for c in self.order_columns or [] if dm.is_sortable(c)),
            )
        return memo[name]

    def _prefs(self) -> dict:
        if "_q_prefs" not in g:
            user = current_user()
            if user is None:
                g._q_prefs = {}
            else:
                stamp, g._q_prefs = preferences.snapshot(user.id, session.get(SESSION_KEY))
                if session.get(SESSION_KEY) != stamp:
                    session[SESSION_KEY] = stamp
        return g._q_prefs

    def shown_list_columns(self) -> list[str]:
        return preferences.columns_for(self._prefs(), self.list_spec())

    def _get_list_widget(self, filters, actions=None, order_column="", order_direction="", page=None,
                         page_size=None, widgets=None, **kwargs):
        """FAB's list widget with the columns the user chose (on the list
        page itself; a list shown inside another page keeps its defaults)."""
        if request.endpoint != f"{self.endpoint}.list":
            return super()._get_list_widget(filters, actions, order_column, order_direction, page,
                                            page_size, widgets, **kwargs)
        columns = self.shown_list_columns()
        widgets = widgets or {}
        actions = actions or self.actions
        page_size = page_size or self.page_size
        if not order_column and self.base_order:
            order_column, order_direction = self.base_order
        joined_filters = filters.get_joined_filters(self._base_filters)
        count, lst = self.datamodel.query(joined_filters, order_column, order_direction,
                                          page=page, page_size=page_size)
        pks = [self._serialize_pk_if_composite(pk) for pk in self.datamodel.get_keys(lst)]
        widgets["list"] = self.list_widget(
            label_columns=self.label_columns, include_columns=columns,
            value_columns=self.datamodel.get_values(lst, columns), order_columns=self.order_columns,
            formatters_columns=self.formatters_columns, page=page, page_size=page_size, count=count,
            pks=pks, actions=actions, filters=filters, modelview_name=type(self).__name__, **kwargs,
        )
        return widgets

    # --- the tools above the list ------------------------------------------
    def _list_url(self, pairs) -> str:
        url = url_for(f"{self.endpoint}.list")
        return url + ("?" + urlencode([(k, v) for k, v in pairs]) if pairs else "")

    def list_tools(self) -> dict:
        """What ``_list_tools.html`` shows."""
        spec, prefs = self.list_spec(), self._prefs()
        shown = set(preferences.columns_for(prefs, spec))
        current = [(k, v) for k, v in request.args.items(multi=True) if k.startswith(FILTER_PREFIXES)]
        return {
            "action": url_for(f"{self.endpoint}.list_prefs"),
            "query": request.query_string.decode("utf-8", "replace")[:MAX_QUERY],
            "columns": [(c, self.label_columns.get(c, c), c in shown) for c in spec.columns],
            "compact": preferences.density_of(prefs) == "compact",
            "filters": [(f["name"], self._list_url(f["args"])) for f in preferences.filters_for(prefs, spec)],
            "can_save_filter": bool(current),
        }

    @expose("/prefs", methods=["POST"])
    @has_access
    def list_prefs(self):
        """Save one choice of the tools above the list and go back to it."""
        user, spec = current_user(), self.list_spec()
        pairs = parse_qsl(str(request.form.get("q", ""))[:MAX_QUERY], keep_blank_values=True)
        op = request.form.get("op")
        try:
            if op == "columns":
                stamp, _, ignored = preferences.save_columns(user.id, spec, request.form.getlist("col"))
                flash(gettext("The list shows the columns you chose."), "success")
                if ignored:
                    flash(ngettext("%(num)d column this list does not offer you was ignored.",
                                   "%(num)d columns this list does not offer you were ignored.", ignored), "warning")
            elif op == "reset-columns":
                stamp, _ = preferences.reset_columns(user.id, spec)
                flash(gettext("The list shows its default columns."), "success")
            elif op == "density":
                stamp, _ = preferences.save_density(user.id, request.form.get("density"))
            elif op == "save-filter":
                stamp, _, name = preferences.save_filter(user.id, spec, request.form.get("name"), pairs)
                flash(gettext("The filter «%(name)s» is saved: find it under “My filters”.", name=name), "success")
            elif op == "delete-filter":
                stamp, _, name = preferences.delete_filter(user.id, spec, request.form.get("name"))
                flash(gettext("The saved filter «%(name)s» is deleted.", name=name), "success")
            else:
                raise PreferenceRefused(_l("The request could not be understood: nothing was changed."))
        except PreferenceRefused as exc:
            flash(str(exc.message), "danger")
        else:
            session[SESSION_KEY] = stamp
        return redirect(self._list_url(self._back(pairs)))

    @staticmethod
    def _back(pairs) -> list[tuple[str, str]]:
        """The list arguments to go back to (its filters, order and pages)."""
        return [(k, v) for k, v in pairs[:100]
                if k.startswith((*FILTER_PREFIXES, "page_")) and len(k) <= 100 and len(v) <= 200
                and "\x00" not in k + v]
