"""Every register, added to the menu in one place."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .appeals import AppealEventView, AppealView, ApplicantView
from .receptions import InstructionView, ParticipationRequestView, ProtocolView, ReceptionSessionView
from .reference import (
    CalendarDayView,
    CategoryView,
    DepartmentView,
    DistrictView,
    OfficialView,
    ReceptionPlaceView,
)
from .audit import AuditLogView
from .surveys import SurveyCallView

REFERENCE = _l("Reference books")
APPEALS = _l("Appeals")
RECEPTIONS = _l("Receptions")
SURVEYS = _l("Surveys")

# (view, stable menu name, label, icon, category, category label)
MENU = [
    (AppealView, "Appeals", _l("Appeals"), "fa-envelope", "AppealsMenu", APPEALS),
    (ApplicantView, "Applicants", _l("Applicants"), "fa-user", "AppealsMenu", APPEALS),
    (AppealEventView, "AppealHistory", _l("Appeal history"), "fa-history", "AppealsMenu", APPEALS),
    (ReceptionSessionView, "Sessions", _l("Reception sessions (roster)"), "fa-calendar", "ReceptionsMenu", RECEPTIONS),
    (ProtocolView, "Protocols", _l("Protocols"), "fa-file-text", "ReceptionsMenu", RECEPTIONS),
    (InstructionView, "Instructions", _l("Instructions"), "fa-tasks", "ReceptionsMenu", RECEPTIONS),
    (ParticipationRequestView, "Participation", _l("Participation of other bodies"), "fa-users", "ReceptionsMenu", RECEPTIONS),
    (SurveyCallView, "SurveyCalls", _l("Survey calls"), "fa-phone", "SurveysMenu", SURVEYS),
    (DistrictView, "Districts", _l("Districts"), "fa-map", "ReferenceMenu", REFERENCE),
    (DepartmentView, "Departments", _l("Departments"), "fa-sitemap", "ReferenceMenu", REFERENCE),
    (OfficialView, "Officials", _l("Officials"), "fa-id-badge", "ReferenceMenu", REFERENCE),
    (ReceptionPlaceView, "Places", _l("Reception places"), "fa-building", "ReferenceMenu", REFERENCE),
    (CategoryView, "Categories", _l("Categories"), "fa-tags", "ReferenceMenu", REFERENCE),
    (AuditLogView, "AuditLog", _l("Audit log"), "fa-eye", "ReferenceMenu", REFERENCE),
    (CalendarDayView, "Calendar", _l("Working-day calendar"), "fa-calendar-check-o", "ReferenceMenu", REFERENCE),
]


def register(appbuilder) -> None:
    from .lookup import LookupView

    appbuilder.add_view_no_menu(LookupView)
    from .workflow import AppealWorkflowView

    appbuilder.add_view_no_menu(AppealWorkflowView)
    from .analytics import AnalyticsView
    from .dashboard import DashboardView
    from .rosters import InstructionControlView, RosterView
    from .surveys import SurveyWorkView

    appbuilder.add_view(
        RosterView, "Roster", label=_l("Roster of the month (R7, R8)"), icon="fa-calendar-o",
        category="ReceptionsMenu", category_label=RECEPTIONS, href="/roster/",
    )
    appbuilder.add_view_no_menu(InstructionControlView)

    appbuilder.add_view(
        SurveyWorkView, "SurveyWorklist", label=_l("Calls to make"), icon="fa-list",
        category="SurveysMenu", category_label=SURVEYS, href="/surveys/worklist",
    )

    appbuilder.add_view(
        DashboardView, "Dashboard", label=_l("Heads' dashboard"), icon="fa-line-chart",
        category="AnalyticsMenu", category_label=_l("Analytics"), href="/dashboard/",
    )

    appbuilder.add_view(
        AnalyticsView, "DistrictOverview", label=_l("Appeals by district"), icon="fa-bar-chart",
        category="AnalyticsMenu", category_label=_l("Analytics"), href="/analytics/districts",
    )
    for view, name, label, icon, category, category_label in MENU:
        appbuilder.add_view(
            view,
            name,
            label=label,
            icon=icon,
            category=category,
            category_label=category_label,
        )
