"""Closed vocabularies of the domain (the codes of shared CONTRACT.md).

Member names equal their values, so the database, the API and Python all
speak the same code. Display labels live in ``app.labels`` (translated).
"""
from __future__ import annotations

from enum import StrEnum


class DistrictKind(StrEnum):
    district = "district"
    city = "city"


class DepartmentKind(StrEnum):
    akim_office = "akim_office"
    regional_body = "regional_body"
    district_akimat = "district_akimat"
    state_body = "state_body"


class OfficialLevel(StrEnum):
    """R2: who receives citizens, in order of seniority."""

    akim = "akim"
    deputy_akim = "deputy_akim"
    office_head = "office_head"
    deputy_office_head = "deputy_office_head"
    unit_head = "unit_head"
    authorised_employee = "authorised_employee"


class PlaceKind(StrEnum):
    """R2, R2-1: the public reception or a citizens' reception centre."""

    public_reception = "public_reception"
    reception_centre = "reception_centre"


class ApplicantKind(StrEnum):
    individual = "individual"
    legal_entity = "legal_entity"


class Privilege(StrEnum):
    """R12: applicants received first."""

    wwii_veteran = "wwii_veteran"
    wwii_equal = "wwii_equal"
    combat_veteran = "combat_veteran"
    labour_veteran = "labour_veteran"
    disabled = "disabled"
    pregnant = "pregnant"
    altyn_kyran = "altyn_kyran"
    halyk_kaharmany = "halyk_kaharmany"
    enbek_eri = "enbek_eri"


class Channel(StrEnum):
    """R4: how an appeal for personal reception arrives."""

    egov_portal = "egov_portal"
    e_appeals = "e_appeals"
    post = "post"
    by_hand = "by_hand"
    oral = "oral"
    phone = "phone"
    call_centre = "call_centre"


ORAL_PROTOCOL_CHANNELS = (Channel.oral, Channel.phone)
"""R25 part 3: oral and phone appeals are also written into a separate protocol."""


class Language(StrEnum):
    """R21: the language of the applicant's choice."""

    kk = "kk"
    ru = "ru"


class AppealStatus(StrEnum):
    """DOMAIN.md §Workflow."""

    registered = "registered"
    correction_requested = "correction_requested"
    returned = "returned"
    left_without_consideration = "left_without_consideration"
    refusal_proposed = "refusal_proposed"
    refused = "refused"
    scheduled = "scheduled"
    received = "received"
    closed = "closed"
    withdrawn = "withdrawn"


FINAL_STATUSES = frozenset(
    {
        AppealStatus.returned,
        AppealStatus.left_without_consideration,
        AppealStatus.refused,
        AppealStatus.closed,
        AppealStatus.withdrawn,
    }
)


# Statuses in which the R29 term (answer with the date and time of the
# reception, or the refusal) is still running: overdue only counts these.
TERM_RUNNING_STATUSES = frozenset({AppealStatus.registered, AppealStatus.refusal_proposed})

# The history actions that answer an appeal (R29: an invitation to the
# reception, a refusal, a return, leaving it without consideration, or the
# applicant's withdrawal): the first one's day is the appeal's answer day.
ANSWER_ACTIONS = ("schedule", "refuse", "leave-without-consideration", "return", "withdraw")


class RefusalGround(StrEnum):
    """R15: the only five grounds to refuse registration for reception."""

    out_of_competence = "out_of_competence"
    administrative_decision_exists = "administrative_decision_exists"
    court_act_in_force = "court_act_in_force"
    returned_by_body = "returned_by_body"
    withdrawn = "withdrawn"


class SessionKind(StrEnum):
    """R7 part 2, R9, R13-R14: how a reception session comes about."""

    regular = "regular"
    off_roster = "off_roster"
    after_meeting = "after_meeting"
    video = "video"


class SessionStatus(StrEnum):
    planned = "planned"
    approved = "approved"
    held = "held"
    cancelled = "cancelled"


class InstructionStatus(StrEnum):
    """R34-R35: under control until a final motivated answer."""

    open = "open"
    answered = "answered"


class HigherIssuer(StrEnum):
    """M9: whose instruction on appeals the department controls."""

    president = "president"
    administration = "administration"  # the Presidential Administration
    presidents_assistant = "presidents_assistant"  # head of its appeals department


class CallOutcome(StrEnum):
    """R38: the result of a satisfaction call (``planned``: on a work list)."""

    planned = "planned"
    reached = "reached"
    no_answer = "no_answer"
    declined = "declined"


class ConsultationOutcome(StrEnum):
    """M5.8: what the person did after the consultation."""

    registered = "registered"  # registered an appeal for the reception
    declined = "declined"  # declined to register (R38: sampled for a call)
    undecided = "undecided"  # not known yet


class Resolved(StrEnum):
    yes = "yes"
    partly = "partly"
    no = "no"
