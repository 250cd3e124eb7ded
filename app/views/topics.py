"""Topic suggestion (``app.services.topic_suggest``): the JSON the appeal
form asks as the clerk types, and the Manager's page of model versions."""
from __future__ import annotations

from flask import flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext
from sqlalchemy import select

from app.extensions import db
from app.jobs import DuplicateJob, JobsUnavailable, launch
from app.models import Job
from app.services import topic_suggest

from .feedback import jobs_unavailable

MAX_INPUT = 5000
"""Characters of ``text`` accepted (the form's substance is far shorter); more is a 400."""


class TopicSuggestView(BaseView):
    """``/topics/suggest?text=…&language=kk|ru`` → ``{"items": [{"id", "code",
    "name", "confidence"}]}``: for those who may register appeals."""

    route_base = "/topics"
    class_permission_name = "Appeal"
    method_permission_name = {"suggest": "write"}

    @expose("/suggest", methods=["GET", "POST"])
    @has_access
    def suggest(self):
        args = request.form if request.method == "POST" else request.args
        text, language = args.get("text", ""), args.get("language", "")
        if len(text) > MAX_INPUT or "\x00" in text or "\x00" in language or not _encodable(text):
            return jsonify({"message": gettext("The text is too long or holds characters that are not allowed.")}), 400
        if language not in ("", "kk", "ru"):
            return jsonify({"message": gettext("The language must be kk or ru.")}), 400
        items = topic_suggest.suggest(text, language or "ru", g.user)
        return jsonify({"items": [{"id": s.id, "code": s.code, "name": s.name, "confidence": s.confidence}
                                  for s in items]})


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


class TopicModelView(BaseView):
    """The Manager's page: the active version, its held-out accuracy, the
    history of versions and "Retrain now" (a background job)."""

    route_base = "/topics/model"
    default_view = "page"
    class_permission_name = "TopicModel"
    method_permission_name = {"page": "read", "retrain": "write"}

    @expose("/")
    @has_access
    def page(self):
        rows = topic_suggest.versions()
        jobs = db.session.execute(
            select(Job).where(Job.kind == "topic_model").order_by(Job.created_at.desc()).limit(5)).scalars().all()
        from .jobs import JOB_STATUS_LABELS, job_error_text

        cfg = topic_suggest.settings()
        return self.render_template(
            "qabyldau/topic_model.html", versions=rows, active=next((r for r in rows if r.active), None),
            jobs=jobs, job_error=job_error_text, settings=cfg,
            status_labels={k: str(v) for k, v in JOB_STATUS_LABELS.items()},
            may_retrain=self.appbuilder.sm.has_access("can_write", "TopicModel"))

    @expose("/retrain", methods=["POST"])
    @has_access
    def retrain(self):
        try:
            job = launch("topic_model", {}, user_id=getattr(g.user, "id", None), key="topic_model")
        except DuplicateJob:
            flash(gettext("The topic model is already being trained."), "warning")
        except JobsUnavailable:
            jobs_unavailable()
        else:
            if job.status == "finished":
                if (job.message or "").startswith("too_little_data"):
                    flash(gettext("Too few categorised appeals to train on: no new version."), "warning")
                else:
                    flash(gettext("A new version of the topic model is active."), "success")
            elif job.status == "failed":
                from .jobs import job_error_text

                flash(job_error_text(job), "danger")
        return redirect(url_for("TopicModelView.page"))
