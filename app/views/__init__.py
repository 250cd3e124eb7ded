"""Every register, added to the menu in one place."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .appeals import AppealEventView, AppealView, ApplicantView
from .audit import AuditLogView
from .calendar import CalendarDayView
from .higher import HigherInstructionView
from .receptions import (
    InstructionView,
    MaterialsRequestView,
    ParticipationRequestView,
    ProtocolEntryView,
    ProtocolView,
    ReceptionSessionView,
)
from .reference import (
    CategoryView,
    DepartmentView,
    DistrictView,
    OfficialView,
    ReceptionPlaceView,
    RestrictionPeriodView,
)
from .surveys import ConsultationView, SurveyCallView

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
    (ProtocolEntryView, "ProtocolEntries", _l("Decisions of the protocols"), "fa-gavel", "ReceptionsMenu", RECEPTIONS),
    (InstructionView, "Instructions", _l("Instructions"), "fa-tasks", "ReceptionsMenu", RECEPTIONS),
    (HigherInstructionView, "HigherInstructions", _l("Instructions of higher bodies (M9)"), "fa-flag",
     "ReceptionsMenu", RECEPTIONS),
    (MaterialsRequestView, "MaterialsRequests", _l("Requests for materials"), "fa-folder-open", "ReceptionsMenu",
     RECEPTIONS),
    (ParticipationRequestView, "Participation", _l("Participation of other bodies"), "fa-users", "ReceptionsMenu", RECEPTIONS),
    (ConsultationView, "Consultations", _l("Consultations (M5.8)"), "fa-comments", "SurveysMenu", SURVEYS),
    (SurveyCallView, "SurveyCalls", _l("Survey calls"), "fa-phone", "SurveysMenu", SURVEYS),
    (DistrictView, "Districts", _l("Districts"), "fa-map", "ReferenceMenu", REFERENCE),
    (DepartmentView, "Departments", _l("Departments"), "fa-sitemap", "ReferenceMenu", REFERENCE),
    (OfficialView, "Officials", _l("Officials"), "fa-id-badge", "ReferenceMenu", REFERENCE),
    (ReceptionPlaceView, "Places", _l("Reception places"), "fa-building", "ReferenceMenu", REFERENCE),
    (CategoryView, "Categories", _l("Categories"), "fa-tags", "ReferenceMenu", REFERENCE),
    (AuditLogView, "AuditLog", _l("Audit log"), "fa-eye", "ReferenceMenu", REFERENCE),
    (CalendarDayView, "Calendar", _l("Working-day calendar"), "fa-calendar-check-o", "ReferenceMenu", REFERENCE),
    (RestrictionPeriodView, "Restrictions", _l("Restrictions (video only)"), "fa-video-camera", "ReferenceMenu",
     REFERENCE),
]


ANALYTICS = _l("Analytics")


def register(appbuilder) -> None:
    """Registers and pages in the menu order people expect: Appeals,
    Receptions, Surveys, Analytics, Reference books (then FAB's Security)."""
    from .analytics import AnalyticsView
    from .dashboard import DashboardView
    from .imports import ImportView
    from .lookup import LookupView
    from .rosters import InstructionControlView, RosterView
    from .surveys import SurveyWorkView
    from .workflow import AppealWorkflowView

    pages = {
        "AppealsMenu": [],
        "ReceptionsMenu": [(RosterView, "Roster", _l("Roster of the month (R7, R8)"), "fa-calendar-o", "/roster/")],
        "SurveysMenu": [(SurveyWorkView, "SurveyWorklist", _l("Calls to make"), "fa-list", "/surveys/worklist")],
    }
    from .oral_protocol import OralProtocolView

    pages["AppealsMenu"].append((OralProtocolView, "OralProtocol", _l("Protocol of oral and phone appeals (R25)"),
                                 "fa-microphone", "/oral-protocol/"))
    pages["AppealsMenu"].append((ImportView, "Import", _l("Import from the national system"), "fa-upload", "/imports/"))
    from .topics import TopicModelView, TopicSuggestView

    pages["ReferenceMenu"] = [(TopicModelView, "TopicModel", _l("Topic suggestion"), "fa-magic", "/topics/model/")]
    order = ["AppealsMenu", "ReceptionsMenu", "SurveysMenu", "AnalyticsMenu", "ReferenceMenu"]
    for category in order:
        if category == "AnalyticsMenu":
            appbuilder.add_view(DashboardView, "Dashboard", label=_l("Heads' dashboard"), icon="fa-line-chart",
                                category=category, category_label=ANALYTICS, href="/dashboard/")
            from .compliance import ComplianceView

            appbuilder.add_view(ComplianceView, "Compliance", label=_l("Compliance board"), icon="fa-balance-scale",
                                category=category, category_label=ANALYTICS, href="/compliance/")
            appbuilder.add_view(AnalyticsView, "DistrictOverview", label=_l("Appeals by district"),
                                icon="fa-bar-chart", category=category, category_label=ANALYTICS,
                                href="/analytics/districts")
            from .reports import ReportView

            appbuilder.add_view(ReportView, "Reports", label=_l("Reports (R40, M7.6)"), icon="fa-file-text-o",
                                category=category, category_label=ANALYTICS, href="/reports/")
            from .alerts import SystemicAlertView

            appbuilder.add_view(SystemicAlertView, "SystemicAlerts", label=_l("Systemic-problem alerts (M7.1)"),
                                icon="fa-exclamation-triangle", category=category, category_label=ANALYTICS,
                                href="/alerts/")
        for view, name, label, icon, cat, category_label in MENU:
            if cat == category:
                appbuilder.add_view(view, name, label=label, icon=icon, category=cat, category_label=category_label)
        for view, name, label, icon, href in pages.get(category, []):
            appbuilder.add_view(view, name, label=label, icon=icon, category=category,
                                category_label={m[4]: m[5] for m in MENU}[category], href=href)
    from .jobs import JobsView
    from .search import SearchView

    for view in (LookupView, AppealWorkflowView, InstructionControlView, JobsView, SearchView,
                 TopicSuggestView):
        appbuilder.add_view_no_menu(view)
    from .attachments import register as register_attachments

    register_attachments(appbuilder)  # files and notes: panels on the owners' pages, no menu items
