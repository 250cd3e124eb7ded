"""The navbar's global search (``app.services.search``): a results page, and
a registration number that names one appeal opens it at once."""
from __future__ import annotations

from flask import jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.services.search import MAX_QUERY, search


class SearchView(BaseView):
    route_base = "/search"
    default_view = "page"
    class_permission_name = "Appeal"
    method_permission_name = {"page": "read", "suggest": "read"}

    @expose("/")
    @has_access
    def page(self):
        sm = self.appbuilder.sm
        results = search(request.args.get("q", ""), may_read_appeals=sm.has_access("can_read", "Appeal"),
                         may_read_applicants=sm.has_access("can_read", "Applicant"))
        if results.exact is not None and request.args.get("all") != "1":
            return redirect(url_for("AppealView.show", pk=results.exact.id))
        return self.render_template("qabyldau/search.html", results=results, max_query=MAX_QUERY)

    @expose("/suggest")
    @has_access
    def suggest(self):
        """What the box offers while the user types: the same search, the same
        scope and the same rule on personal fields, a few of each kind —
        ``{"items": [{"kind", "label", "hint", "url"}]}``."""
        from flask_babel import gettext

        from app.labels import label

        from .lookup import _applicant_label

        sm = self.appbuilder.sm
        results = search(request.args.get("q", ""), may_read_appeals=sm.has_access("can_read", "Appeal"),
                         may_read_applicants=sm.has_access("can_read", "Applicant"), limit=SUGGESTIONS)
        items, seen = [], set()

        def appeal(a, kind):
            if a.id not in seen:
                seen.add(a.id)
                items.append({"kind": kind, "label": a.reg_number, "url": url_for("AppealView.show", pk=a.id),
                              "hint": f"{label(a.status)} · {a.registered_on:%d.%m.%Y}"})

        for a in results.appeals:
            appeal(a, gettext("Appeal"))
        for a in results.applicants:
            items.append({"kind": gettext("Applicant"), "label": _applicant_label(a), "hint": "",
                          "url": url_for("ApplicantView.show", pk=a.id)})
        for a in results.by_substance:
            appeal(a, gettext("Substance"))
        if items:
            items.append({"kind": "", "label": gettext("All results"), "hint": "",
                          "url": url_for("SearchView.page", q=results.q, all="1")})
        return jsonify({"items": items[:3 * SUGGESTIONS + 1]})


SUGGESTIONS = 5
