"""The sentences behind the domain's error codes, in the UI language.

``workflow_message(WorkflowError)`` → a translated sentence naming what is
wrong and how to fix it; the rule ID travels separately.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext

from app.domain.errors import WorkflowError
from app.labels import label


def N_(msgid: str) -> str:
    """Marks a msgid for extraction; translated when used (``gettext``)."""
    return msgid


MESSAGES = {
    "unknown_action": N_("There is no action «%(action)s»."),
    "final_status": N_("The appeal is already %(status)s: its history is closed, no action can change it."),
    "not_allowed_from": N_("This action is not possible while the appeal is %(status)s."),
    "reason_required": N_("State the reason."),
    "sent_on_in_future": N_("The letter cannot be sent in the future (%(sent_on)s)."),
    "sent_on_before_registration": N_(
        "The letter cannot be sent (%(sent_on)s) before the appeal was registered (%(registered_on)s)."
    ),
    "sent_on_backdated": N_(
        "The letter cannot be recorded as sent on %(sent_on)s: at most %(days)s working days back, from %(earliest)s."
    ),
    "delivered_before_sent": N_("The draft cannot be received (%(delivered_on)s) before it was sent (%(sent_on)s)."),
    "delivered_in_future": N_("The day the applicant received the draft (%(delivered_on)s) cannot be in the future."),
    "no_objection_too_early": N_(
        "That the applicant gave no position can be recorded only after the objection term ends on %(objection_due)s."
    ),
    "decided_by_required": N_("Name the official who decided."),
    "decided_by_not_entitled": N_(
        "This official may not take this decision: a refusal is decided on behalf of the akim, a deputy akim, "
        "the head of the office or a deputy, and only by an official in office."
    ),
    "may_not_record_decisions": N_(
        "Only the control department or the responsible worker records this decision."
    ),
    "no_extension": N_("The term of this appeal was never extended."),
    "notice_already_recorded": N_("The notice of the latest extension was already recorded: %(on)s."),
    "notified_on_required": N_("Give the day the applicant was told."),
    "notified_in_future": N_("The day the applicant was told (%(notified_on)s) cannot be in the future."),
    "notified_before_decision": N_(
        "The applicant cannot be told (%(notified_on)s) before the extension was decided."
    ),
    "video_not_for_official": N_("Only the akim and the deputy akims receive by video-conference."),
    "video_consent_missing": N_(
        "The applicant did not agree to a video-conference reception: choose an in-person session."
    ),
    "same_day_consent_required": N_(
        "A reception on the day of the appeal needs the applicant's consent: tick it, or choose a later session."
    ),
    "fix_by_required": N_("Give the date by which the applicant must fix the appeal."),
    "fix_by_after_sent": N_("The term to fix the appeal (%(fix_by)s) must end after the request is sent (%(sent_on)s)."),
    "correction_term_running": N_(
        "The appeal can be returned only after the term to fix it has passed (%(fix_by)s)."
    ),
    "unknown_ground": N_("«%(ground)s» is not one of the five grounds of refusal."),
    "motivation_required": N_("A refusal must be motivated: write the motivation."),
    "reference_required": N_("For this ground give the number and date of the decision or court act."),
    "hearing_already_recorded": N_("The applicant's position was already recorded on %(on)s."),
    "no_draft_sent": N_("A refusal needs the draft decision sent to the applicant first."),
    "refusal_too_early": N_(
        "The draft went to the applicant on %(sent_on)s: the refusal may be decided from %(earliest)s, "
        "3 working days later."
    ),
    "hearing_not_recorded": N_(
        "Record the applicant's position (or its absence), or wait until the objection term ends on %(objection_due)s."
    ),
    "unknown_extension_kind": N_("«%(kind)s» is not a kind of extension (complex or motivated)."),
    "until_required": N_("Give the new term."),
    "term_already_passed": N_(
        "The term ended on %(due_on)s: an extension is decided before the term ends, not after."
    ),
    "until_not_later": N_("The new term (%(until)s) must be later than the current one (%(due_on)s)."),
    "beyond_complex_limit": N_(
        "A complex question may be extended to 30 calendar days from registration at most: to %(limit)s, not %(until)s."
    ),
    "beyond_two_months": N_(
        "The whole term may not pass two months from registration: %(limit)s at the latest, not %(until)s."
    ),
    "session_required": N_("Choose an existing reception session."),
    "session_cancelled": N_("The session is cancelled: choose another one."),
    "session_in_past": N_("The session of %(day)s is in the past."),
    "session_full": N_("The session is full (%(capacity)s places)."),
    "wrong_official": N_("The session is held by another official than the one the applicant asked for."),
    "reference_note_too_late": N_(
        "The reference note had to be ready by %(note_due)s, 5 working days before the reception of %(day)s: "
        "choose a later session."
    ),
    "before_session": N_("The reception takes place on %(day)s: it cannot be recorded earlier."),
    "final_answer_required": N_("Write the final motivated answer to the applicant."),
    "instructions_open": N_(
        "%(count)s instruction(s) of this appeal are still under control: record their final answers first."
    ),
    "gaps_need_override": N_(
        "%(count)s official(s) fall short of the monthly reception (R7, R7-1): only a Manager may approve "
        "the month, with a reason."
    ),
    "empty_roster": N_(
        "There is no reception in this month's roster of the place: a month with no receptions cannot be "
        "approved. Add its reception sessions first."
    ),
    "off_roster_deputies_only": N_("Only a deputy akim receives off the roster."),
    "order_required": N_("An off-roster reception needs the number and date of the akim's order."),
    "after_meeting_akim_only": N_("Receptions after a meeting with the population are the akim's."),
    "video_consent_required": N_("Every applicant booked into a video-conference reception must have consented to it."),
    "assigned_before": N_("An appeal from a reception may not be assigned to an employee it was assigned to before."),
    "answer_required": N_("Write the answer."),
    "may_not_control_instructions": N_(
        "Only the public-reception staff keep instructions under control: accept, send back or move a deadline."
    ),
    "instruction_off_control": N_("The instruction is already off control: its final answer was accepted."),
    "no_executor_answer": N_("The executor has not answered yet: there is nothing to accept or send back."),
    "executor_may_not_accept": N_("The executor cannot accept their own answer: the public-reception staff do."),
    "due_on_required": N_("Give the new deadline."),
    "higher_received_before_issued": N_(
        "The instruction cannot be received (%(received_on)s) before it was issued (%(issued_on)s)."),
    "higher_received_in_future": N_("The day of receipt (%(received_on)s) cannot be in the future."),
    "higher_due_before_received": N_("The term (%(due_on)s) cannot end before the instruction was received (%(received_on)s)."),
    "higher_report_required": N_("Write what was done: the execution is recorded with its report."),
    "higher_executed_out_of_range": N_(
        "The day of execution (%(executed_on)s) must be between the receipt and today."),
    "higher_executed_on_required": N_("Give the day of execution for the report, or leave the report empty."),
    "materials_due_before_request": N_("The due date (%(due_on)s) cannot be before the request (%(requested_on)s)."),
    "materials_requested_in_future": N_("The request cannot be dated in the future (%(requested_on)s)."),
    "materials_answer_required": N_("Write the answer received, or leave the answer day empty."),
    "materials_answered_on_out_of_range": N_(
        "The answer day (%(answered_on)s) must be between the request and today."
    ),
    "restrictions_video_only": N_(
        "Restrictions are in force on that day (R14): reception is by video-conference only."
    ),
    "last_place_for_the_queue": N_(
        "The last place of this reception belongs to the queue: %(ahead)s earlier or privileged appeal(s) for "
        "this official are waiting. Book them first, or choose another session."
    ),
    "no_protocol_entry": N_("Record the decision taken on the appeal in the reception's protocol first."),
    "due_on_in_past": N_("The new deadline (%(due_on)s) cannot be in the past."),
    "due_on_unchanged": N_("The deadline is already %(due_on)s."),
    "rework_needs_answer": N_("Only an answer of the executor can be sent back for rework."),
    "already_cancelled": N_("The session is already cancelled."),
    "already_held": N_("The session has already been held."),
    "not_cancelled": N_("Only the appeals of a cancelled session are rebooked."),
    "no_target_session": N_("Choose at least one later session that is not cancelled."),
}


def _fmt(value):
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if hasattr(value, "value"):
        return label(value)
    return "—" if value is None else value


def workflow_message(exc: WorkflowError) -> str:
    template = MESSAGES.get(exc.code)
    params = {k: _fmt(v) for k, v in exc.params.items()}
    if template is None:
        return gettext("The action is not allowed (%(code)s).", code=exc.code)
    return gettext(template, **params)
