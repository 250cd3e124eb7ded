"""The home page: what the panel holds, with links to every register."""
from __future__ import annotations

from flask_appbuilder import IndexView, expose
from sqlalchemy import func, select

from app.domain.vocabulary import FINAL_STATUSES, TERM_RUNNING_STATUSES, AppealStatus
from app.extensions import db
from app.models import Appeal
from app.security.scope import scoped
from app.services.clock import today


class HomeView(IndexView):
    index_template = "qabyldau/index.html"

    @expose("/")
    def index(self):
        summary = None
        if getattr(self.appbuilder.sm, "current_user", None) and self.appbuilder.sm.current_user:
            summary = open_appeals_summary()
        return self.render_template(self.index_template, appbuilder=self.appbuilder, summary=summary)


def open_appeals_summary() -> dict:
    """Open appeals by status and the overdue count within the user's scope,
    aggregated in SQL."""
    open_statuses = [s for s in AppealStatus if s not in FINAL_STATUSES]
    rows = db.session.execute(
        scoped(select(Appeal.status, func.count()).where(Appeal.status.in_(open_statuses)), Appeal)
        .group_by(Appeal.status)
    ).all()
    overdue = db.session.execute(
        scoped(select(func.count()).select_from(Appeal).where(
            Appeal.status.in_(list(TERM_RUNNING_STATUSES)), Appeal.due_on < today()
        ), Appeal)
    ).scalar_one()
    return {"by_status": dict(rows), "overdue": overdue}
