"""Translated display labels for the closed vocabularies and common columns.

Made at import time, so ``lazy_gettext``: each resolves in the UI language
when rendered.
"""
from __future__ import annotations

from enum import Enum

from flask_babel import lazy_gettext as _l

from app.domain.vocabulary import (
    AppealStatus,
    ApplicantKind,
    CallOutcome,
    Channel,
    ConsultationOutcome,
    DepartmentKind,
    DistrictKind,
    HigherIssuer,
    InstructionStatus,
    Language,
    OfficialLevel,
    PlaceKind,
    Privilege,
    RefusalGround,
    Resolved,
    SessionKind,
    SessionStatus,
)

# StrEnum members equal their code (AppealStatus.withdrawn == RefusalGround.withdrawn),
# so the labels are keyed by (class, code) to keep them apart.
ENUM_LABELS: dict[tuple[type, str], object] = {
    (DistrictKind, "district"): _l("District"),
    (DistrictKind, "city"): _l("City of regional significance"),
    (DepartmentKind, "akim_office"): _l("Akim's office unit"),
    (DepartmentKind, "regional_body"): _l("Regional department"),
    (DepartmentKind, "district_akimat"): _l("District akimat"),
    (DepartmentKind, "state_body"): _l("Other state body"),
    (OfficialLevel, "akim"): _l("Akim"),
    (OfficialLevel, "deputy_akim"): _l("Deputy akim"),
    (OfficialLevel, "office_head"): _l("Head of the akim's office"),
    (OfficialLevel, "deputy_office_head"): _l("Deputy head of the akim's office"),
    (OfficialLevel, "unit_head"): _l("Head of a structural unit"),
    (OfficialLevel, "authorised_employee"): _l("Authorised employee"),
    (PlaceKind, "public_reception"): _l("Public reception"),
    (PlaceKind, "reception_centre"): _l("Citizens' reception centre"),
    (ApplicantKind, "individual"): _l("Individual"),
    (ApplicantKind, "legal_entity"): _l("Legal entity"),
    (Privilege, "wwii_veteran"): _l("Veteran of the Great Patriotic War"),
    (Privilege, "wwii_equal"): _l("Person equal to Great Patriotic War veterans"),
    (Privilege, "combat_veteran"): _l("Combat veteran"),
    (Privilege, "labour_veteran"): _l("Labour veteran"),
    (Privilege, "disabled"): _l("Person with disability"),
    (Privilege, "pregnant"): _l("Pregnant woman"),
    (Privilege, "altyn_kyran"): _l("Holder of the order «Altyn Qyran»"),
    (Privilege, "halyk_kaharmany"): _l("Hero of the People (Halyq Qaharmany)"),
    (Privilege, "enbek_eri"): _l("Hero of Labour of Kazakhstan"),
    (Channel, "egov_portal"): _l("e-Gov portal"),
    (Channel, "e_appeals"): _l("«E-Appeals» system"),
    (Channel, "post"): _l("Paper, by post"),
    (Channel, "by_hand"): _l("Paper, by hand"),
    (Channel, "oral"): _l("Oral, in person"),
    (Channel, "phone"): _l("Phone"),
    (Channel, "call_centre"): _l("Call centre"),
    (Language, "kk"): _l("Kazakh"),
    (Language, "ru"): _l("Russian"),
    (AppealStatus, "registered"): _l("Registered"),
    (AppealStatus, "correction_requested"): _l("Correction requested"),
    (AppealStatus, "returned"): _l("Returned"),
    (AppealStatus, "left_without_consideration"): _l("Left without consideration"),
    (AppealStatus, "refusal_proposed"): _l("Refusal proposed"),
    (AppealStatus, "refused"): _l("Refused"),
    (AppealStatus, "scheduled"): _l("Scheduled"),
    (AppealStatus, "received"): _l("Received"),
    (AppealStatus, "closed"): _l("Closed"),
    (AppealStatus, "withdrawn"): _l("Withdrawn"),
    (RefusalGround, "out_of_competence"): _l("Outside the competence of local executive bodies"),
    (RefusalGround, "administrative_decision_exists"): _l(
        "An administrative decision on the same subject and grounds exists"
    ),
    (RefusalGround, "court_act_in_force"): _l("A court act in force on the same subject and grounds"),
    (RefusalGround, "returned_by_body"): _l("The appeal was returned by an administrative body"),
    (RefusalGround, "withdrawn"): _l("The applicant's withdrawal was accepted"),
    (SessionKind, "regular"): _l("By the approved roster"),
    (SessionKind, "off_roster"): _l("Off-roster, by the akim's order"),
    (SessionKind, "after_meeting"): _l("After a meeting with the population"),
    (SessionKind, "video"): _l("By video-conference"),
    (SessionStatus, "planned"): _l("Planned"),
    (SessionStatus, "approved"): _l("Approved"),
    (SessionStatus, "held"): _l("Held"),
    (SessionStatus, "cancelled"): _l("Cancelled"),
    (InstructionStatus, "open"): _l("Under control"),
    (InstructionStatus, "answered"): _l("Final answer given"),
    (CallOutcome, "reached"): _l("Reached"),
    (CallOutcome, "no_answer"): _l("No answer"),
    (CallOutcome, "declined"): _l("Declined to answer"),
    (ConsultationOutcome, "registered"): _l("Registered an appeal"),
    (ConsultationOutcome, "declined"): _l("Declined to register"),
    (ConsultationOutcome, "undecided"): _l("Not decided yet"),
    (HigherIssuer, "president"): _l("President of the Republic of Kazakhstan"),
    (HigherIssuer, "administration"): _l("Presidential Administration"),
    (HigherIssuer, "presidents_assistant"): _l("Assistant to the President (head of the appeals department)"),
    (Resolved, "yes"): _l("Yes"),
    (Resolved, "partly"): _l("Partly"),
    (Resolved, "no"): _l("No"),
}


def label(value) -> str:
    """The translated label of an enum member ('' for None)."""
    if value is None:
        return ""
    found = ENUM_LABELS.get((type(value), value.value)) if isinstance(value, Enum) else None
    return str(found) if found is not None else str(value)


def choices(enum_cls) -> list[tuple[str, object]]:
    """(code, lazy label) pairs for a select field."""
    return [(m.value, ENUM_LABELS.get((enum_cls, m.value), m.value)) for m in enum_cls]


TERM_LABELS = {
    "answer_due_on": _l("Answer due (R29)"),
    "due_on": _l("Current term"),
    "objection_due_on": _l("Applicant may object until"),
    "decision_earliest_on": _l("Refusal may be decided from"),
    "extension_notice_due_on": _l("Notice of the extension due (R30b)"),
}
"""The stored terms of an appeal that a calendar change can move."""
