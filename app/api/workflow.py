"""``POST /api/v1/appeal/<id>/<action>``: the workflow actions of CONTRACT.md.

Bodies are checked by a schema per action (wrong types, unknown fields or
values → 400); the rules are the service's and the domain's (→ 422
``{"message", "rule"}``); a stale ``version`` → 409.
"""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from app.domain.vocabulary import RefusalGround
from app.domain.workflow import Action, ExtensionKind

from .handling import StrictBoolean, sane_date


class _Base(Schema):
    class Meta:
        unknown = RAISE

    version = fields.Integer(load_default=None, strict=True)


def _text():
    return fields.String(load_default=None, allow_none=True)


def _date():
    return fields.Date(load_default=None, allow_none=True, validate=sane_date)


class RequestCorrection(_Base):
    fix_by = _date()
    reason = _text()
    sent_on = _date()


class MarkCorrected(_Base):
    note = _text()


class Reasoned(_Base):
    reason = _text()


class ProposeRefusal(_Base):
    ground = fields.String(load_default=None, validate=validate.OneOf([g.value for g in RefusalGround]))
    motivation = _text()
    reference = _text()
    sent_on = _date()
    delivered_on = _date()


class RecordHearing(_Base):
    position = fields.String(load_default="", allow_none=True)


class Empty(_Base):
    pass


def _official():
    return fields.Integer(load_default=None, allow_none=True, strict=True)


class Refuse(_Base):
    decided_by = _official()


class RecordExtensionNotice(_Base):
    notified_on = _date()


class Extend(_Base):
    kind = fields.String(load_default=None, validate=validate.OneOf([k.value for k in ExtensionKind]))
    until = _date()
    reason = _text()
    decided_by = _official()
    notified_on = _date()


class Schedule(_Base):
    session = fields.Integer(load_default=None, strict=True)
    same_day_consent = StrictBoolean(load_default=False)


class Close(_Base):
    final_answer = _text()


SCHEMAS: dict[str, type[Schema]] = {
    Action.request_correction: RequestCorrection,
    Action.mark_corrected: MarkCorrected,
    Action.return_: Reasoned,
    Action.leave_without_consideration: Reasoned,
    Action.propose_refusal: ProposeRefusal,
    Action.record_hearing: RecordHearing,
    Action.drop_refusal: Reasoned,
    Action.refuse: Refuse,
    Action.extend: Extend,
    Action.record_extension_notice: RecordExtensionNotice,
    Action.schedule: Schedule,
    Action.receive: Empty,
    Action.close: Close,
    Action.withdraw: Reasoned,
}


class AssignBody(_Base):
    assignee = fields.Integer(required=True, strict=True)


class CancelBody(_Base):
    reason = fields.String(load_default="")
    told_at = fields.DateTime(required=True, validate=sane_date)
    illness = StrictBoolean(load_default=False)


class RebookBody(_Base):
    sessions = fields.List(fields.Integer(strict=True), required=True)


class AnswerBody(_Base):
    answer = fields.String(load_default="")


class ReasonBody(_Base):
    reason = fields.String(load_default="")


class MoveDeadlineBody(_Base):
    due_on = fields.Date(load_default=None, allow_none=True, validate=sane_date)
    reason = fields.String(load_default="")


class EmptyBody(_Base):
    pass



class CalendarPreviewBody(Schema):
    class Meta:
        unknown = RAISE

    day = fields.Date(required=True, validate=sane_date)
    is_working = StrictBoolean(required=True, allow_none=True)
