"""What the appeal page shows besides its fields: terms with explanations,
working days left, missing requisites, the actions and letters available,
and the history."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain import deadlines
from app.domain.requisites import missing_requisites
from app.domain.vocabulary import TERM_RUNNING_STATUSES, AppealStatus
from app.domain.workflow import BLOCKERS, allowed_actions, blocked
from app.extensions import db
from app.models import Appeal, AppealEvent

from .calendar import counting_rules, working_calendar
from .clock import today
from .terms_text import explain

REQUISITE_LABELS = {
    "full_name": _l("the applicant's full name"),
    "postal_address": _l("the postal address"),
    "organization": _l("the name of the legal entity"),
    "bin": _l("the BIN of the legal entity"),
    "substance": _l("the substance of the question"),
}


@dataclass
class TermRow:
    label: object
    rule: str
    due: object
    explanation: str = ""


def days_left(appeal: Appeal):
    """Working days from today to the current term (negative: overdue);
    None when no term runs."""
    if appeal.status not in TERM_RUNNING_STATUSES and appeal.status != AppealStatus.correction_requested:
        return None
    return working_calendar().working_days_between(today(), appeal.due_on)


LETTER_EVENTS = {
    "correction": "request-correction", "extension": "extend", "draft-refusal": "propose-refusal",
    "refusal": "refuse", "left-without-consideration": "leave-without-consideration", "answer": "schedule",
}
"""Each letter and the history event that sent it."""


def letter_day(kind: str, appeal: Appeal, last: dict):
    """The day a letter bears: the day it was sent (its event's ``sent_on``,
    or the local day of the event), never the day it is printed again."""
    from datetime import date

    from .clock import utc_to_local

    event = last.get(LETTER_EVENTS.get(kind, ""))
    if event is not None:
        payload = event.payload or {}
        for key in ("sent_on", "notified_on", "decided_on"):
            value = payload.get(key)
            if value:
                try:
                    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
                except ValueError:
                    pass
        local = utc_to_local(event.at)
        if local is not None:
            return local.date()
    return {"correction": appeal.correction_sent_on, "draft-refusal": appeal.draft_sent_on}.get(kind) or today()


def letters(appeal: Appeal, actions_done: set[str]) -> list[str]:
    out = []
    if "request-correction" in actions_done:
        out.append("correction")
    if "extend" in actions_done:
        out.append("extension")
    if appeal.draft_sent_on is not None:
        out.append("draft-refusal")
    if appeal.status == AppealStatus.refused:
        out.append("refusal")
    if appeal.status == AppealStatus.left_without_consideration:
        out.append("left-without-consideration")  # R5: the applicant is told
    if appeal.session_id is not None and appeal.status in (AppealStatus.scheduled, AppealStatus.received):
        out.append("answer")
    return out


def overview(appeal: Appeal) -> dict:
    cal, rules = working_calendar(), counting_rules()
    terms = [
        TermRow(_l("Answer with the date and time of the reception"), "R29", appeal.answer_due_on,
                explain(deadlines.answer_due(appeal.registered_on, cal, rules))),
    ]
    if appeal.due_on != appeal.answer_due_on:
        terms.append(TermRow(_l("Current term after extensions"), "R30", appeal.due_on))
        terms.append(TermRow(_l("Limit for a complex question"), "R30a",
                             deadlines.complex_extension_limit(appeal.registered_on, cal, rules).due))
        terms.append(TermRow(_l("Limit of every extension"), "R30b",
                             deadlines.motivated_extension_limit(appeal.registered_on, cal, rules).due))
    if appeal.extension_notice_due_on:
        terms.append(TermRow(_l("Tell the applicant of the extension by"), "R30b", appeal.extension_notice_due_on))
    if appeal.status == AppealStatus.correction_requested and appeal.correction_fix_by:
        terms.append(TermRow(_l("Term to fix the appeal"), "R6", appeal.correction_fix_by))
    if appeal.draft_sent_on and appeal.status == AppealStatus.refusal_proposed:
        terms.append(TermRow(_l("Applicant may object until"), "R32", appeal.objection_due_on))
        terms.append(TermRow(_l("Refusal may be decided from"), "R32", appeal.decision_earliest_on,
                             explain(deadlines.refusal_decision_earliest(appeal.draft_sent_on, cal))))
    if appeal.session is not None and appeal.status == AppealStatus.scheduled:
        note = deadlines.reference_note_due(appeal.session.day, cal)
        terms.append(TermRow(_l("Reference note ready by"), "R26", note.due, explain(note)))
    history = db.session.execute(
        select(AppealEvent).where(AppealEvent.appeal_id == appeal.id)
        .options(selectinload(AppealEvent.user)).order_by(AppealEvent.id)
    ).scalars().all()
    applicant = appeal.applicant
    missing = missing_requisites(
        applicant.kind, applicant.full_name, applicant.address, applicant.organization, applicant.bin,
        appeal.substance,
    )
    return {
        "days_left": days_left(appeal),
        "terms": terms,
        "actions": [a.value for a in allowed_actions(AppealStatus(appeal.status))],
        "blocked": blocked_actions(appeal, cal),
        "missing": [REQUISITE_LABELS[m] for m in missing],
        "missing_codes": list(missing),
        "history": history,
        "letters": letters(appeal, {e.action for e in history}),
    }


def blocked_actions(appeal, cal) -> dict[str, str]:
    """Actions the status allows but the rules block today → the reason,
    said as the refusal itself would say it (the page shows them disabled)."""
    from app.workflow_text import workflow_message

    from .appeals import snapshot

    out, snap, rules, day = {}, None, counting_rules(), today()
    for action in allowed_actions(AppealStatus(appeal.status)):
        if action not in BLOCKERS:
            continue
        snap = snap or snapshot(appeal)
        exc = blocked(action, snap, day, cal, rules)
        if exc is not None:
            out[action.value] = f"{workflow_message(exc)} ({exc.rule})"
    return out
