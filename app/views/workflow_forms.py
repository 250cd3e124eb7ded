"""One form per workflow action (the labels people read, the types the
service needs)."""
from __future__ import annotations

from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, BS3TextFieldWidget, Select2Widget
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.domain.vocabulary import RefusalGround
from app.domain.workflow import Action, ExtensionKind
from app.labels import choices

ACTION_LABELS = {
    Action.request_correction: _l("Request a correction"),
    Action.mark_corrected: _l("Mark as corrected"),
    Action.return_: _l("Return the appeal"),
    Action.leave_without_consideration: _l("Leave without consideration"),
    Action.propose_refusal: _l("Propose a refusal"),
    Action.record_hearing: _l("Record the hearing"),
    Action.drop_refusal: _l("Drop the proposed refusal"),
    Action.refuse: _l("Refuse"),
    Action.extend: _l("Extend the term"),
    Action.record_extension_notice: _l("Record the notice of the extension"),
    Action.schedule: _l("Book into a reception"),
    Action.receive: _l("Record the reception"),
    Action.close: _l("Close with the final answer"),
    Action.withdraw: _l("Withdrawal accepted"),
}

EVENT_LABELS = {
    **{a.value: lbl for a, lbl in ACTION_LABELS.items()},
    "register": _l("Registration"),
    "assign": _l("Assigned to an employee"),
    "rebook": _l("Moved to another reception (R16)"),
    "instruction-answer": _l("Instruction: the executor's answer"),
    "instruction-accept": _l("Instruction: answer accepted as final"),
    "instruction-rework": _l("Instruction: sent back for rework"),
    "instruction-move-deadline": _l("Instruction: deadline moved"),
    "terms-recomputed": _l("Terms recomputed: the calendar changed"),
    "attachment-added": _l("File attached"),
    "attachment-withdrawn": _l("File withdrawn"),
    "note-added": _l("Internal note added"),
    "link": _l("Linked with another appeal as the same question"),
    "unlink": _l("Link with another appeal removed"),
}
"""Every action an appeal's history records, as people read it."""


def event_label(action: str):
    return EVENT_LABELS.get(action, action)


ACTION_HELP = {
    Action.request_correction: _l(
        "R6: the appeal lacks what art. 63 of the Administrative Procedural-Process Code requires. "
        "Tell the applicant what is wrong and give a reasonable term to fix it."
    ),
    Action.mark_corrected: _l("R6: the applicant fixed the appeal; it goes back to review."),
    Action.return_: _l("R6: the term to fix the appeal has passed and it was not fixed."),
    Action.leave_without_consideration: _l("R5: the appeal states no substance; the applicant is told."),
    Action.propose_refusal: _l(
        "R15, R32: a refusal rests on one of five grounds. The draft decision goes to the applicant, "
        "who may object within 2 working days; the decision comes no earlier than 3 working days later."
    ),
    Action.record_hearing: _l(
        "R33: record the applicant's position. That none was given can be recorded only once the objection term "
        "(2 working days from the day the applicant received the draft) has passed."
    ),
    Action.drop_refusal: _l(
        "R33: the hearing changed the outcome: the proposal is dropped and the appeal goes back to review and scheduling."
    ),
    Action.refuse: _l(
        "R15, R32-R33: the final decision to refuse registration for the reception, after the hearing record, "
        "on behalf of the akim, a deputy akim, the head of the office or a deputy (R27)."
    ),
    Action.record_extension_notice: _l(
        "R30b: the day the applicant was told of the latest extension; the law wants it within 3 working days."
    ),
    Action.extend: _l(
        "R30: a complex question — up to 30 calendar days from registration, by a letter; a motivated decision "
        "of the head or a deputy — never beyond two months from registration. Tell the applicant within 3 working days."
    ),
    Action.schedule: _l(
        "R26-R29: book the appeal into a reception of the official asked for; the reference note is due "
        "5 working days before the reception."
    ),
    Action.receive: _l("R23: the applicant was received; record the protocol and instructions."),
    Action.close: _l("R35: every instruction has its final answer; give the final motivated answer."),
    Action.withdraw: _l("R15.5: the applicant withdrew the appeal."),
}


def _reason(label=_l("Reason")):
    return TextAreaField(label, validators=[Optional()], widget=BS3TextAreaFieldWidget())


def _date(label, description=None):
    return DateField(label, validators=[Optional()], description=description)


SENT_ON_HELP = _l("The day the letter really went to the applicant (today if left empty).")


class _Form(FlaskForm):
    version = HiddenField()


def _requisite_choices():
    from app.services.appeal_overview import REQUISITE_LABELS

    return list(REQUISITE_LABELS.items())


class RequestCorrectionForm(_Form):
    # R6: the art. 63 requisites the appeal lacks, ticked for the clerk from what the panel sees missing
    missing = SelectMultipleField(_l("Art. 63 (R6): the appeal does not state"), choices=_requisite_choices,
                                  validators=[Optional()], widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    reason = _reason(_l("What else is wrong"))
    fix_by = _date(_l("Fix by"))
    sent_on = _date(_l("Sent on"), SENT_ON_HELP)


class MarkCorrectedForm(_Form):
    note = _reason(_l("Note"))


class ReasonForm(_Form):
    reason = _reason()


class ProposeRefusalForm(_Form):
    ground = SelectField(_l("Ground (R15)"), choices=choices(RefusalGround), validators=[InputRequired()],
                         widget=Select2Widget())
    motivation = _reason(_l("Motivation"))
    reference = StringField(_l("Decision or court act (No. and date)"), validators=[Optional()],
                            widget=BS3TextFieldWidget(),
                            description=_l("Required for grounds 2 and 3."))
    sent_on = _date(_l("Draft sent on"), SENT_ON_HELP)
    delivered_on = _date(_l("Draft received by the applicant on"),
                         _l("By post, the day of delivery; left empty, the day it was sent (by hand, electronically)."))


class RecordHearingForm(_Form):
    position = TextAreaField(_l("The applicant's position (empty: none given)"), validators=[Optional()],
                             widget=BS3TextAreaFieldWidget())


class ConfirmForm(_Form):
    pass


def _official(label, description=None):
    return SelectField(label, coerce=int, validators=[Optional()], choices=[], widget=Select2Widget(),
                       description=description)


class RefuseForm(_Form):
    decided_by = _official(_l("Decided on behalf of (R27)"),
                           _l("The akim, a deputy akim, the head of the office or a deputy."))


class RecordExtensionNoticeForm(_Form):
    notified_on = _date(_l("Applicant told on"))


class ExtendForm(_Form):
    kind = SelectField(
        _l("Kind"),
        choices=[(ExtensionKind.complex.value, _l("Complex question, by a letter (R30a)")),
                 (ExtensionKind.motivated.value, _l("Motivated decision of the head or a deputy (R30b)"))],
        validators=[InputRequired()],
    )
    until = _date(_l("New term"))
    reason = _reason()
    decided_by = _official(_l("Decided by (R30b)"), _l("Required for a motivated decision."))
    notified_on = _date(_l("Applicant told on"), _l("May be recorded later."))


class ScheduleForm(_Form):
    session = SelectField(_l("Reception session"), coerce=int, validators=[InputRequired()], choices=[],
                          widget=Select2Widget())
    same_day_consent = BooleanField(_l("The applicant agrees to be received today (R3)"),
                                    description=_l("Only for a reception today by a unit head or an authorised employee."))


class CloseForm(_Form):
    final_answer = _reason(_l("Final motivated answer"))


FORMS = {
    Action.request_correction: RequestCorrectionForm,
    Action.mark_corrected: MarkCorrectedForm,
    Action.return_: ReasonForm,
    Action.leave_without_consideration: ReasonForm,
    Action.propose_refusal: ProposeRefusalForm,
    Action.record_hearing: RecordHearingForm,
    Action.drop_refusal: ReasonForm,
    Action.refuse: RefuseForm,
    Action.extend: ExtendForm,
    Action.record_extension_notice: RecordExtensionNoticeForm,
    Action.schedule: ScheduleForm,
    Action.receive: ConfirmForm,
    Action.close: CloseForm,
    Action.withdraw: ReasonForm,
}

PARAMS = {
    Action.request_correction: ("reason", "fix_by", "sent_on"),
    Action.mark_corrected: ("note",),
    Action.return_: ("reason",),
    Action.leave_without_consideration: ("reason",),
    Action.propose_refusal: ("ground", "motivation", "reference", "sent_on", "delivered_on"),
    Action.record_hearing: ("position",),
    Action.drop_refusal: ("reason",),
    Action.refuse: ("decided_by",),
    Action.extend: ("kind", "until", "reason", "decided_by", "notified_on"),
    Action.record_extension_notice: ("notified_on",),
    Action.schedule: ("session", "same_day_consent"),
    Action.receive: (),
    Action.close: ("final_answer",),
    Action.withdraw: ("reason",),
}



def form_params(form, act: Action) -> dict:
    """The action's parameters from its form ("—" for an official is none)."""
    params = {name: getattr(form, name).data for name in PARAMS[act]}
    if "decided_by" in params and not params["decided_by"]:
        params["decided_by"] = None
    return params


class AssignForm(_Form):
    assignee = SelectField(_l("Employee"), coerce=int, validators=[InputRequired()], choices=[])
