"""The Jobs page (live progress), result downloads, exports of any register,
the deadline monitor and the reminders behind the navbar bell."""
from __future__ import annotations

import os

from flask import abort, flash, g, jsonify, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.jobs import RUNNING, DuplicateJob, JobsUnavailable, launch
from app.jobs.reaper import reconcile
from app.models import Appeal, Job, Notification
from app.security.roles import can
from app.services.exports import export_title, may_export

from .feedback import jobs_unavailable

TERM_LABELS = {
    "answer": _l("Answer to the applicant (R29)"),
    "correction": _l("Term to fix the appeal (R6)"),
    "objection": _l("Objection term of a draft refusal (R32)"),
    "extension_notice": _l("Tell the applicant of the extension (R30b)"),
    "participation_notice": _l("Tell the applicant another body was asked (R19)"),
    "participation_refusal": _l("Report a body's refusal to take part (R20)"),
    "instruction": _l("Instruction under control (R34)"),
    "higher_instruction": _l("Instruction of a higher body (M9)"),
    "overdue": _l("The answer term has passed (R29)"),
    "systemic_alert": _l("Systemic-problem alert (M7.1)"),
}


JOB_STATUS_LABELS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "finished": _l("Finished"),
    "failed": _l("Failed"),
}

JOB_KIND_LABELS = {
    "report": _l("Report"),
    "export": _l("Export"),
    "import": _l("Import from the national system"),
    "deadline_monitor": _l("Deadline monitor"),
    "survey_sample": _l("Sample for the survey calls"),
    "systemic_alerts": _l("Systemic-problem alerts (M7.1)"),
    "topic_model": _l("Training of the topic suggestion"),
    "compliance_snapshot": _l("Daily record of the compliance board"),
    "probe": _l("Check of the background worker"),
}


JOB_ERROR_TEXTS = {
    "JobsUnavailable": _l("Background jobs were unavailable: the job was not started. Start it again later."),
    "WorkerLost": _l("The worker running this job stopped before the end. Start the job again."),
    "JobLost": _l("The job queue lost this job. Start the job again."),
    "JobKilled": _l("The job was stopped: it ran too long or its process was killed. Start it again."),
    "ImportRefused": _l("Rows were refused, nothing was imported: download the list of errors."),
}


def job_error_text(job: Job) -> str:
    """Why a job failed, as a sentence in the user's language: never the
    exception's own text (it could hold SQL, paths or another language)."""
    if not job.error:
        return ""
    code = job.error.split(":", 1)[0].strip()
    if code in JOB_ERROR_TEXTS:
        return str(JOB_ERROR_TEXTS[code])
    return gettext("The job failed. The administrator finds the details in the log under job %(id)s.",
                   id=job.id[:8])


def notification_count() -> int:
    if not current_user.is_authenticated:
        return 0
    return db.session.execute(
        select(func.count()).where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
    ).scalar_one()


class JobsView(BaseView):
    """Every logged-in user sees their own jobs and reminders."""

    route_base = "/jobs"
    default_view = "jobs"

    def _user_id(self):
        return getattr(g.user, "id", None)

    def _guard(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        return None

    @expose("/")
    def jobs(self):
        if (r := self._guard()) is not None:
            return r
        rows = db.session.execute(
            select(Job).where(Job.user_id == self._user_id()).order_by(Job.created_at.desc()).limit(50)
        ).scalars().all()
        if reconcile([j.id for j in rows if j.status in RUNNING]).changed:  # a dead worker's row ends here
            for row in rows:
                db.session.refresh(row)
        return self.render_template(
            "qabyldau/jobs.html", jobs=rows, may_run_monitor=can(g.user, "run_monitor"), job_error=job_error_text,
            export_title=export_title,
            status_labels={k: str(v) for k, v in JOB_STATUS_LABELS.items()},
            kind_labels={k: str(v) for k, v in JOB_KIND_LABELS.items()},
        )

    @expose("/status")
    def status(self):
        if not current_user.is_authenticated:
            return jsonify({}), 401
        ids = request.args.get("ids", "").split(",")[:50]
        rows = db.session.execute(select(Job).where(Job.id.in_(ids), Job.user_id == self._user_id())).scalars().all()
        if reconcile([j.id for j in rows if j.status in RUNNING]).changed:
            for row in rows:
                db.session.refresh(row)
        return jsonify({j.id: {"status": j.status, "progress": j.progress, "error": job_error_text(j)} for j in rows})

    @expose("/download/<job_id>")
    def download(self, job_id: str):
        if (r := self._guard()) is not None:
            return r
        job = db.session.get(Job, job_id)
        if job is None or job.user_id != self._user_id() or not job.result_path or not os.path.exists(job.result_path):
            abort(404)
        return send_file(job.result_path, as_attachment=True, download_name=job.result_name)

    @expose("/export/<register>/<fmt>", methods=["POST"])
    def export(self, register: str, fmt: str):
        if (r := self._guard()) is not None:
            return r
        if fmt not in ("csv", "csv-plain", "xlsx") or not may_export(register):
            abort(403)
        args = {k: v for k, v in request.form.items() if k.startswith(("_flt_", "_oc_", "_od_"))}
        try:
            from app.i18n import current_locale

            job = launch("export", {"register": register, "format": fmt, "args": args, "lang": current_locale()},
                         user_id=self._user_id())
        except DuplicateJob:
            flash(gettext("The same export is already running."), "warning")
            return redirect(url_for("JobsView.jobs"))
        except JobsUnavailable:
            jobs_unavailable()
            return redirect(url_for("JobsView.jobs"))
        if job.status == "finished":
            flash(gettext("The export is ready."), "success")
        return redirect(url_for("JobsView.jobs"))

    @expose("/monitor", methods=["POST"])
    def monitor(self):
        if (r := self._guard()) is not None:
            return r
        if not can(g.user, "run_monitor"):
            abort(403)
        try:
            launch("deadline_monitor", {}, user_id=self._user_id(), key="deadline_monitor")
        except DuplicateJob:
            flash(gettext("The deadline monitor is already running."), "warning")
        except JobsUnavailable:
            jobs_unavailable()
        return redirect(url_for("JobsView.jobs"))

    @expose("/notifications", methods=["GET", "POST"])
    def notifications(self):
        if (r := self._guard()) is not None:
            return r
        if request.method == "POST":
            from app.services.monitor import mark_all_read

            mark_all_read(self._user_id())
            return redirect(url_for("JobsView.notifications"))
        rows = db.session.execute(
            select(Notification).where(Notification.user_id == self._user_id())
            .options(selectinload(Notification.appeal).selectinload(Appeal.applicant),
                     selectinload(Notification.instruction),
                     selectinload(Notification.higher_instruction),
                     selectinload(Notification.systemic_alert))
            .order_by(Notification.read_at.is_not(None), Notification.due_on, Notification.id).limit(200)
        ).scalars().all()
        from app.services.alerts import sentence
        from app.services.clock import today

        return self.render_template("qabyldau/notifications.html", rows=rows, today=today(), term_labels=TERM_LABELS,
                                    alert_sentence=sentence)

