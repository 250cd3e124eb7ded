"""Upload of a national-system export to import (a background job)."""
from __future__ import annotations

import os
import uuid

from flask import current_app, flash, g, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from app.jobs import DuplicateJob, JobsUnavailable, launch

from .feedback import jobs_unavailable


class ImportForm(FlaskForm):
    file = FileField(_l("Export of the national appeals system (CSV or XLSX)"),
                     validators=[FileRequired(), FileAllowed(["csv", "xlsx"], _l("CSV or XLSX only"))])


class ImportView(BaseView):
    route_base = "/imports"
    default_view = "upload"
    class_permission_name = "Appeal"
    method_permission_name = {"upload": "write"}

    @expose("/", methods=["GET", "POST"])
    @has_access
    def upload(self):
        form = ImportForm()
        if form.validate_on_submit():
            folder = os.path.join(current_app.instance_path, "imports")
            os.makedirs(folder, exist_ok=True)
            ext = form.file.data.filename.rsplit(".", 1)[-1].lower()
            path = os.path.join(folder, f"{uuid.uuid4().hex}.{ext}")
            form.file.data.save(path)
            try:
                launch("import", {"path": path}, user_id=getattr(g.user, "id", None))
            except DuplicateJob:
                flash(gettext("An import of this file is already running."), "warning")
            except JobsUnavailable:
                jobs_unavailable()
            return redirect(url_for("JobsView.jobs"))
        return self.render_template("qabyldau/import_form.html", form=form)
