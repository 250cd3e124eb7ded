"""The home page: what the panel holds, with links to every register."""
from __future__ import annotations

from flask_appbuilder import IndexView, expose
from sqlalchemy import func, select

from app.domain.vocabulary import FINAL_STATUSES, AppealStatus
from app.extensions import db
from app.models import Appeal
from app.security.scope import scoped
from app.services import worklists
from app.services.clock import today


class HomeView(IndexView):
    index_template = "qabyldau/index.html"

    @expose("/")
    def index(self):
        sm = self.appbuilder.sm
        if not (getattr(sm, "current_user", None) and sm.current_user):
            return self.render_template(self.index_template, appbuilder=self.appbuilder, summary=None)
        desk = {"summary": None, "work": [], "sessions": None, "unread": None, "may_register": False}
        appeals_view = next((v for v in self.appbuilder.baseviews if type(v).__name__ == "AppealView"), None)
        if sm.has_access("can_read", "Appeal") and appeals_view is not None:
            summary = open_appeals_summary()
            summary["links"] = {status: appeals_view.status_url(status) for status in summary["by_status"]}
            summary["overdue_url"] = appeals_view.work_list_url("overdue")
            desk["summary"] = summary
            figures = worklists.counts()
            desk["work"] = [(w, figures[w.key], appeals_view.work_list_url(w.key)) for w in worklists.lists_of()]
            desk["may_register"] = sm.has_access("can_write", "Appeal") and sm.has_access("can_write", "Applicant")
        if sm.has_access("can_read", "ReceptionSession"):
            desk["sessions"] = worklists.todays_sessions()
        desk["unread"] = unread_reminders()
        return self.render_template(self.index_template, appbuilder=self.appbuilder, today=today(), **desk)


def unread_reminders() -> int:
    from app.models import Notification
    from app.security.scope import current_user

    user = current_user()
    if user is None:
        return 0
    return db.session.execute(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))).scalar_one()


def open_appeals_summary() -> dict:
    """Open appeals by status — in the order of the workflow, each status
    present — and the overdue count within the user's scope, aggregated in SQL."""
    open_statuses = [s for s in AppealStatus if s not in FINAL_STATUSES]
    counted = dict(db.session.execute(
        scoped(select(Appeal.status, func.count()).where(Appeal.status.in_(open_statuses)), Appeal)
        .group_by(Appeal.status)
    ).all())
    rows = [(s, counted.get(s, 0)) for s in open_statuses]
    overdue = db.session.execute(
        scoped(select(func.count()).select_from(Appeal).where(worklists.overdue(None)), Appeal)).scalar_one()
    return {"by_status": dict(rows), "overdue": overdue}
