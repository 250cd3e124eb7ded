"""M5.8: consultations; R38: satisfaction calls — drawing the sample of
those who declined to register after a consultation, and recording a call."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.domain.vocabulary import CallOutcome, ConsultationOutcome, Resolved
from app.extensions import db
from app.models import Appeal, Consultation, SurveyCall
from app.security.scope import get_visible, scoped

from .analytics import day_of
from .clock import now_local, to_local_naive, today
from .errors import RuleViolation


@dataclass
class SampleResult:
    candidates: int
    drawn: int
    by_district: dict[int, tuple[int, int]]  # district id → (candidates, drawn)


def draw_sample(
    start: date,
    end: date,
    share: float,
    max_size: int | None = None,
    not_called_within_days: int = 90,
    planned_on: date | None = None,
    caller_id: int | None = None,
    seed: int | None = None,
) -> SampleResult:
    """Put a random sample of applicants on the work list (planned calls).

    Candidates (R38): applicants who got a consultation in [start, end] and
    then declined to register for a reception (M5.8); one call per applicant
    (about their latest such consultation); nobody called — or already
    planned — within ``not_called_within_days``. Stratified by district: each district gets
    its share (at least one) so small districts are not missed; ``max_size``
    caps the total proportionally.
    """
    if not 0 < share <= 1:
        raise RuleViolation("R38", _l("The share must be more than 0 and at most 100 %."))
    horizon = today() - timedelta(days=not_called_within_days)
    recent = select(SurveyCall.applicant_id).where(
        (SurveyCall.outcome == CallOutcome.planned) | (SurveyCall.called_at >= horizon)
    )
    latest = (
        scoped(select(Consultation.applicant_id, func.max(Consultation.id).label("consultation_id")), Consultation)
        .where(day_of(Consultation.given_at).between(start, end),
               Consultation.outcome == ConsultationOutcome.declined,
               Consultation.applicant_id.not_in(recent))
        .group_by(Consultation.applicant_id)
        .subquery()
    )
    rows = db.session.execute(
        select(latest.c.applicant_id, latest.c.consultation_id, Consultation.district_id)
        .join(Consultation, Consultation.id == latest.c.consultation_id)
        .order_by(latest.c.consultation_id)
    ).all()
    rng = random.Random(seed if seed is not None else today().toordinal())
    strata: dict[int, list] = {}
    for applicant_id, consultation_id, district_id in rows:
        strata.setdefault(district_id, []).append((applicant_id, consultation_id))
    wanted = {d: max(1, round(len(items) * share)) for d, items in strata.items()}
    total = sum(wanted.values())
    if max_size is not None and total > max_size:
        factor = max_size / total
        wanted = {d: max(1, int(n * factor)) for d, n in wanted.items()}
    by_district = {}
    drawn = 0
    day = planned_on or today()
    for district_id, items in sorted(strata.items()):
        picked = rng.sample(items, min(len(items), wanted[district_id]))
        for applicant_id, consultation_id in picked:
            db.session.add(SurveyCall(applicant_id=applicant_id, consultation_id=consultation_id, planned_on=day,
                                      caller_id=caller_id, outcome=CallOutcome.planned, comment=""))
        by_district[district_id] = (len(items), len(picked))
        drawn += len(picked)
    db.session.commit()
    return SampleResult(len(rows), drawn, by_district)


def record_call(call_id: int, user_id: int | None, outcome: str, satisfaction=None, resolved=None,
                politeness=None, clarity=None, comment: str = "") -> SurveyCall:
    """Record what the applicant said; only a reached applicant has answers."""
    call = db.session.get(SurveyCall, call_id)
    if call is None:
        raise LookupError(call_id)
    outcome = CallOutcome(outcome)
    if outcome is CallOutcome.planned:
        raise RuleViolation("R38", _l("Choose how the call went."))
    if outcome is CallOutcome.reached:
        if satisfaction is None:
            raise RuleViolation("R38", _l("A reached applicant's satisfaction (1-5) is required."))
        call.satisfaction, call.politeness, call.clarity = satisfaction, politeness, clarity
        call.resolved = Resolved(resolved) if resolved else None
    else:
        call.satisfaction = call.resolved = call.politeness = call.clarity = None
    call.outcome = outcome
    call.called_at = now_local().replace(microsecond=0)
    call.caller_id = user_id or call.caller_id
    call.comment = (comment or "").strip()
    db.session.commit()
    return call


def validate_consultation(item: Consultation, user_id: int | None = None) -> None:
    """M5.8: a consultation is given now or before, by the staff of the
    place it is recorded at; "registered" names the appeal the same person
    then registered; the district defaults to the person's (or the place's)."""
    from app.models import Applicant, ReceptionPlace

    if item.given_at is None:
        raise RuleViolation("M5.8", _l("Give the day and time of the consultation."))
    item.given_at = to_local_naive(item.given_at)  # an ISO time with an offset from the API is local wall time
    if item.given_at > now_local().replace(second=59, microsecond=999999):
        raise RuleViolation("M5.8", _l("A consultation cannot be recorded in the future."))
    if not (item.question or "").strip():
        raise RuleViolation("M5.8", _l("Write what the consultation was about."))
    item.question = item.question.strip()
    item.note = (item.note or "").strip()
    outcome = ConsultationOutcome(item.outcome or ConsultationOutcome.undecided)
    item.outcome = outcome
    applicant_id = item.applicant.id if item.applicant is not None else item.applicant_id
    if outcome is ConsultationOutcome.registered:
        appeal_id = item.appeal.id if item.appeal is not None else item.appeal_id
        appeal = get_visible(Appeal, appeal_id) if appeal_id is not None else None
        if appeal is None:
            raise RuleViolation("M5.8", _l("Name the appeal the person registered after the consultation."))
        if appeal.applicant_id != applicant_id:
            raise RuleViolation("M5.8", _l("The appeal named is of another applicant."))
    else:
        item.appeal, item.appeal_id = None, None
    if item.district_id is None and item.district is None:
        applicant = item.applicant or db.session.get(Applicant, applicant_id)
        place = item.reception_place or db.session.get(ReceptionPlace, item.reception_place_id)
        district_id = (applicant.district_id if applicant is not None else None) or \
            (place.district_id if place is not None else None)
        if district_id is None:
            raise RuleViolation("M5.8", _l("Choose the district."))
        item.district_id = district_id
    if item.given_by_id is None and item.given_by is None:
        item.given_by_id = user_id
