"""SQLAlchemy 2 typed models, on Flask-AppBuilder's ``Model`` metadata so
that the security tables and ours migrate together."""
from flask_appbuilder.security.sqla import models as _fab_security  # noqa: F401

from .alerts import SystemicAlert
from .appeals import Appeal, AppealEvent, AppendOnlyError, Applicant
from .attachments import AppealNote, Attachment
from .audit import AuditLog
from .compliance import ComplianceCount
from .jobs import Job, Notification, UserSession
from .links import AppealLink
from .preferences import UserPreference
from .receptions import (
    HigherInstruction,
    Instruction,
    MaterialsRequest,
    ParticipationRequest,
    Protocol,
    ProtocolEntry,
    ReceptionSession,
    RosterApproval,
)
from .reference import (
    CalendarDay,
    Category,
    Department,
    District,
    Official,
    ReceptionPlace,
    RegCounter,
    RestrictionPeriod,
    UserPlace,
)
from .region import Region
from .surveys import Consultation, SurveyCall
from .topic_model import TopicModel

__all__ = [
    "Appeal",
    "AppealEvent",
    "AppealLink",
    "AppealNote",
    "Attachment",
    "Applicant",
    "AppendOnlyError",
    "AuditLog",
    "CalendarDay",
    "ComplianceCount",
    "Category",
    "Department",
    "District",
    "Instruction",
    "HigherInstruction",
    "MaterialsRequest",
    "ProtocolEntry",
    "Job",
    "Notification",
    "UserSession",
    "UserPreference",
    "Official",
    "ParticipationRequest",
    "RosterApproval",
    "Protocol",
    "ReceptionPlace",
    "ReceptionSession",
    "RegCounter",
    "Region",
    "RestrictionPeriod",
    "UserPlace",
    "SystemicAlert",
    "SurveyCall",
    "Consultation",
    "TopicModel",
]
