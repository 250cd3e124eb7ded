"""The navbar's global search (``app.services.search``): a results page, and
a registration number that names one appeal opens it at once."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.services.search import MAX_QUERY, search


class SearchView(BaseView):
    route_base = "/search"
    default_view = "page"
    class_permission_name = "Appeal"
    method_permission_name = {"page": "read"}

    @expose("/")
    @has_access
    def page(self):
        sm = self.appbuilder.sm
        results = search(request.args.get("q", ""), may_read_appeals=sm.has_access("can_read", "Appeal"),
                         may_read_applicants=sm.has_access("can_read", "Applicant"))
        if results.exact is not None and request.args.get("all") != "1":
            return redirect(url_for("AppealView.show", pk=results.exact.id))
        return self.render_template("qabyldau/search.html", results=results, max_query=MAX_QUERY)
