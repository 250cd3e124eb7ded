"""R38: satisfaction calls — drawing the sample and recording a call."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.domain.vocabulary import AppealStatus, CallOutcome, Resolved
from app.extensions import db
from app.models import Appeal, SurveyCall
from app.security.scope import scoped

from .clock import now_local, today
from .errors import RuleViolation

# "Got a consultation" (received, closed) or "declined to register" (R38).
CONSULTED = (AppealStatus.received, AppealStatus.closed)
DECLINED = (AppealStatus.refused, AppealStatus.withdrawn, AppealStatus.left_without_consideration)


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

    Candidates: applicants whose appeal registered in [start, end] ended in a
    consultation or a declined registration; one call per applicant (their
    latest appeal); nobody called — or already planned — within
    ``not_called_within_days``. Stratified by district: each district gets
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
        scoped(select(Appeal.applicant_id, func.max(Appeal.id).label("appeal_id")), Appeal)
        .where(Appeal.registered_on.between(start, end), Appeal.status.in_([*CONSULTED, *DECLINED]),
               Appeal.applicant_id.not_in(recent))
        .group_by(Appeal.applicant_id)
        .subquery()
    )
    rows = db.session.execute(
        select(latest.c.applicant_id, latest.c.appeal_id, Appeal.district_id)
        .join(Appeal, Appeal.id == latest.c.appeal_id)
        .order_by(latest.c.appeal_id)
    ).all()
    rng = random.Random(seed if seed is not None else today().toordinal())
    strata: dict[int, list] = {}
    for applicant_id, appeal_id, district_id in rows:
        strata.setdefault(district_id, []).append((applicant_id, appeal_id))
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
        for applicant_id, appeal_id in picked:
            db.session.add(SurveyCall(applicant_id=applicant_id, appeal_id=appeal_id, planned_on=day,
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
