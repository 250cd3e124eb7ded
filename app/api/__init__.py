"""REST resources of shared CONTRACT.md (FAB ``/api/v1``, JWT login)."""
from __future__ import annotations

from flask import current_app, g, request
from flask_appbuilder.api import expose, permission_name, protect, safe
from flask_babel import gettext
from marshmallow import ValidationError
from sqlalchemy import select

from app.extensions import db
from app.fab.interface import QInterface
from app.models import (
    Appeal,
    Applicant,
    CalendarDay,
    Category,
    Consultation,
    Department,
    District,
    HigherInstruction,
    Instruction,
    MaterialsRequest,
    Official,
    Protocol,
    ProtocolEntry,
    ReceptionPlace,
    ReceptionSession,
    RestrictionPeriod,
    SurveyCall,
)
from app.security.roles import can
from app.security.scope import (
    current_user,
    is_unscoped,
    is_visible,
    is_writable,
    may_use_place,
    own_place_only,
    place_of,
    scoped,
)
from app.services import appeals as appeal_service
from app.services import calendar_changes, higher, receptions, surveys
from app.services.applicants import normalize
from app.validators import identifier_error

from .attachments import APIS as ATTACHMENT_APIS
from .base import QRestApi
from .handling import OutsideScope, check_request, guarded, read_body
from .workflow import (
    SCHEMAS,
    AnswerBody,
    AssignBody,
    CalendarPreviewBody,
    CancelBody,
    EmptyBody,
    MoveDeadlineBody,
    ReasonBody,
    RebookBody,
)


def N_(msgid: str) -> str:
    """Marks a msgid for extraction; translated when the answer is made."""
    return msgid


def _iin(value):
    error = identifier_error(value)
    if error is not None:
        raise ValidationError(str(error))


def _bin(value):
    error = identifier_error(value, bin_=True)
    if error is not None:
        raise ValidationError(str(error))


def _user_id():
    return getattr(getattr(g, "user", None), "id", None)


def _refuse_write(api, model, pk):
    """None when the user may change record ``pk``; else the answer: 404 for
    a record they cannot see (as if it did not exist), 403 for one they see."""
    if is_writable(model, pk):
        return None
    return api.response_403() if is_visible(model, pk) else api.response_404()


class DistrictApi(QRestApi):
    resource_name = "district"
    class_permission_name = "District"
    datamodel = QInterface(District)
    read_columns = [
        "id", "kato", "kind", "name_kk", "name_ru", "centre_kk", "centre_ru", "lat", "lon",
        "population", "population_year",
    ]
    add_columns = edit_columns = read_columns[1:]


class DepartmentApi(QRestApi):
    resource_name = "department"
    class_permission_name = "Department"
    datamodel = QInterface(Department)
    read_columns = ["id", "name_kk", "name_ru", "kind", "parent", "district"]
    add_columns = edit_columns = read_columns[1:]


class OfficialApi(QRestApi):
    resource_name = "official"
    class_permission_name = "Official"
    datamodel = QInterface(Official)
    read_columns = ["id", "full_name", "position_kk", "position_ru", "level", "department", "languages", "active"]
    add_columns = edit_columns = read_columns[1:]


class CategoryApi(QRestApi):
    resource_name = "category"
    class_permission_name = "Category"
    datamodel = QInterface(Category)
    read_columns = ["id", "code", "name_kk", "name_ru", "parent", "active"]
    add_columns = edit_columns = read_columns[1:]


class ReceptionPlaceApi(QRestApi):
    resource_name = "reception_place"
    class_permission_name = "ReceptionPlace"
    datamodel = QInterface(ReceptionPlace)
    read_columns = ["id", "name_kk", "name_ru", "kind", "district", "address"]
    add_columns = edit_columns = read_columns[1:]


class ReceptionSessionApi(QRestApi):
    resource_name = "reception_session"
    class_permission_name = "ReceptionSession"
    datamodel = QInterface(ReceptionSession)
    read_columns = [
        "id", "official", "place", "day", "starts_at", "ends_at", "capacity", "kind", "status",
        "order_ref", "order_date", "notice_timely",
    ]
    add_columns = edit_columns = [
        "official", "place", "day", "starts_at", "ends_at", "capacity", "kind", "order_ref", "order_date",
    ]

    def pre_add(self, item):
        receptions.validate_session(item)

    def pre_update(self, item):
        receptions.validate_session(item)

    @expose("/<int:pk>/cancel", methods=["POST"])
    @protect()
    @safe
    @permission_name("write")
    def cancel(self, pk: int):
        """R16: cancel a reception (reason, when the staff were told, illness)."""
        if (refused := _refuse_write(self, ReceptionSession, pk)) is not None:
            return refused
        return self._run(
            lambda b: receptions.cancel_session(pk, b["reason"], b["told_at"], b["illness"], _user_id()),
            CancelBody, ReceptionSession, pk,
        )

    @expose("/<int:pk>/rebook", methods=["POST"])
    @protect()
    @safe
    @permission_name("write")
    def rebook(self, pk: int):
        """R16, R12: move the booked applicants to other sessions in queue order."""
        if (refused := _refuse_write(self, ReceptionSession, pk)) is not None:
            return refused
        return self._run(lambda b: receptions.rebook(pk, b["sessions"], _user_id()), RebookBody,
                         ReceptionSession, pk)


class ApplicantApi(QRestApi):
    resource_name = "applicant"
    class_permission_name = "Applicant"
    datamodel = QInterface(Applicant)
    read_columns = [
        "id", "kind", "full_name", "iin", "organization", "bin", "authority_document", "phone", "email", "address",
        "district", "privilege",
    ]
    add_columns = edit_columns = read_columns[1:]
    validators_columns = {"iin": _iin, "bin": _bin}

    def pre_add(self, item: Applicant) -> None:
        normalize(item)
        user = current_user()
        if user is not None and own_place_only(user) is not None:
            item.registered_place_id = place_of(user)

    def pre_update(self, item: Applicant) -> None:
        normalize(item)


class AppealApi(QRestApi):
    resource_name = "appeal"
    class_permission_name = "Appeal"
    datamodel = QInterface(Appeal)
    read_columns = [
        "id", "reg_number", "channel", "received_at", "registered_on", "answer_due_on", "due_on",
        "status", "version", "applicant", "reception_place", "district", "category", "official",
        "substance", "language", "privilege", "video_consent", "from_reception",
        # the workflow's own records (read-only): the hearing, who decided, the extension notice
        "refusal_ground", "draft_sent_on", "draft_delivered_on", "objection_due_on", "decision_earliest_on",
        "hearing_recorded_on", "refusal_decided_by", "extension_decided_on", "extension_notice_due_on",
        "extension_notified_on",
    ]
    add_columns = [
        "channel", "received_at", "applicant", "reception_place", "district", "category",
        "official", "substance", "language", "privilege", "video_consent", "from_reception",
    ]
    edit_columns = [
        "applicant", "district", "category", "official", "substance", "language", "privilege",
        "video_consent",
    ]

    def pre_add(self, item: Appeal) -> None:
        if not may_use_place(item.reception_place_id or getattr(item.reception_place, "id", None)):
            raise OutsideScope()
        user = getattr(g, "user", None)
        appeal_service.prepare_registration(item, getattr(user, "id", None))

    def pre_update(self, item: Appeal) -> None:
        """Compare-and-set: the version the client read must be the one just
        loaded; a change committed in between fails the ORM's versioned
        UPDATE (``version_id_col``) and is a 409 as well."""
        appeal_service.check_version(item, g.get("q_expected_version"))
        appeal_service.check_references(item)

    def put_headless(self, pk):
        """PUT may carry the ``version`` the client read: a stale one is 409.
        The scope is checked first, so a version tells nothing of a record
        the user may not see."""
        if pk == "_info":
            return super().put_headless(pk)
        if (refused := _refuse_write(self, Appeal, pk)) is not None:
            return refused
        body = request.get_json(silent=True) if request.is_json else None
        g.q_expected_version = None
        if isinstance(body, dict) and "version" in body:
            expected = body.pop("version")  # FAB reads the same (cached) body without it
            if isinstance(expected, bool) or not isinstance(expected, int):
                return self.response_400(message={"version": [gettext("An id (integer) is required.")]})
            g.q_expected_version = expected
        return super().put_headless(pk)

    @expose("/<int:pk>/<action>", methods=["POST"])
    @protect()
    @safe
    @permission_name("write")
    def workflow(self, pk: int, action: str):
        """Run a workflow action on an appeal (CONTRACT.md)."""
        if action != "assign" and action not in SCHEMAS:
            return self.response_404()
        if (refused := _refuse_write(self, Appeal, pk)) is not None:
            return refused
        if action == "assign":
            if not can(g.user, "assign"):
                return self.response_403()
            return self._run(lambda body: receptions.assign(pk, body["assignee"], _user_id()), AssignBody, Appeal, pk)
        def run():
            params = read_body(SCHEMAS[action])
            version = params.pop("version", None)
            user = getattr(g, "user", None)
            appeal = appeal_service.perform(
                pk, action, params, user_id=getattr(user, "id", None), expected_version=version,
                may_override_official=can(user, "override_official"),
                may_record_decisions=can(user, "record_decisions"),
            )
            return self.response(200, id=appeal.id, result=self.show_model_schema.dump(appeal))

        return guarded(self, run)


class ProtocolApi(QRestApi):
    resource_name = "protocol"
    class_permission_name = "Protocol"
    datamodel = QInterface(Protocol)
    read_columns = ["id", "number", "session", "drawn_up_on", "summary"]
    add_columns = edit_columns = read_columns[1:]


class ProtocolEntryApi(QRestApi):
    """R23: the decision taken on each appeal received at a reception."""

    resource_name = "protocol_entry"
    class_permission_name = "Protocol"
    datamodel = QInterface(ProtocolEntry)
    read_columns = ["id", "protocol", "appeal", "decision"]
    add_columns = ["protocol", "appeal", "decision"]
    edit_columns = ["decision"]
    include_route_methods = {"get", "get_list", "post", "put", "info"}
    """No deletion: a closed appeal keeps the decision its closing rested on."""

    def pre_add(self, item: ProtocolEntry) -> None:
        receptions.validate_protocol_entry(item)

    def pre_update(self, item: ProtocolEntry) -> None:
        receptions.validate_protocol_entry(item)


class MaterialsRequestApi(QRestApi):
    """R31: requests for materials to structural units, with the answer."""

    resource_name = "materials_request"
    class_permission_name = "Appeal"
    datamodel = QInterface(MaterialsRequest)
    read_columns = ["id", "appeal", "department", "subject", "requested_on", "due_on", "answered_on", "answer"]
    add_columns = ["appeal", "department", "subject", "requested_on", "due_on"]
    edit_columns = ["answered_on", "answer"]  # as the form: the answer is recorded, the request stays

    def pre_add(self, item: MaterialsRequest) -> None:
        receptions.validate_materials_request(item)

    def pre_update(self, item: MaterialsRequest) -> None:
        receptions.validate_materials_request(item)


class InstructionApi(QRestApi):
    resource_name = "instruction"
    class_permission_name = "Instruction"
    datamodel = QInterface(Instruction)
    read_columns = [
        "id", "protocol", "appeal", "text", "due_on", "assignee_department", "assignee_official",
        "status", "executor_answer", "executor_answered_on", "final_answer", "answered_on", "rework_count",
    ]
    add_columns = ["protocol", "appeal", "text", "due_on", "assignee_department", "assignee_official"]
    edit_columns = ["text", "assignee_department", "assignee_official"]  # the deadline moves by move-deadline
    # No role is granted to delete an instruction (security/roles.py): it leaves control only by an accepted answer.

    def pre_add(self, item: Instruction) -> None:
        receptions.validate_instruction(item)

    def _control(self, pk: int, do, body):
        if (refused := _refuse_write(self, Instruction, pk)) is not None:
            return refused
        user = getattr(g, "user", None)
        may = can(user, "control_instructions")
        return self._run(lambda b: do(b, getattr(user, "id", None), may), body, Instruction, pk)

    @expose("/<int:pk>/answer", methods=["POST"])
    @protect()
    @safe
    @permission_name("write")
    def answer(self, pk: int):
        """R34: the executor's answer; the instruction stays under control."""
        return self._control(pk, lambda b, uid, may: receptions.answer_instruction(pk, b["answer"], uid), AnswerBody)

    @expose("/<int:pk>/accept", methods=["POST"])
    @protect()
    @safe
    @permission_name("write")
    def accept(self, pk: int):
        """R34-R35: the staff accept the answer as final: off control."""
        return self._control(pk, lambda b, uid, may: receptions.accept_instruction(pk, uid, may), EmptyBody)

    @expose("/<int:pk>/rework", methods=["POST"])
    @protect()
    @safe
    @permission_name("write")
    def rework(self, pk: int):
        """M5.5: send an answer of poor quality back for rework."""
        return self._control(pk, lambda b, uid, may: receptions.send_back_for_rework(pk, b["reason"], uid, may),
                             ReasonBody)

    @expose("/<int:pk>/move-deadline", methods=["POST"])
    @protect()
    @safe
    @permission_name("write")
    def move_deadline(self, pk: int):
        """R23: a recorded change of the deadline."""
        return self._control(
            pk, lambda b, uid, may: receptions.move_instruction_deadline(pk, b["due_on"], b["reason"], uid, may),
            MoveDeadlineBody)


class SurveyCallApi(QRestApi):
    resource_name = "survey_call"
    class_permission_name = "SurveyCall"
    datamodel = QInterface(SurveyCall)
    read_columns = [
        "id", "applicant", "appeal", "consultation", "called_at", "outcome", "satisfaction", "resolved",
        "politeness", "clarity", "comment",
    ]
    add_columns = edit_columns = read_columns[1:]

    def pre_add(self, item: SurveyCall) -> None:
        receptions.validate_survey_call(item)
        user = getattr(g, "user", None)
        item.caller_id = getattr(user, "id", None)

    def pre_update(self, item: SurveyCall) -> None:
        receptions.validate_survey_call(item)


class HigherInstructionApi(QRestApi):
    """M9: instructions of higher bodies on appeals, their terms and execution."""

    resource_name = "higher_instruction"
    class_permission_name = "HigherInstruction"
    datamodel = QInterface(HigherInstruction)
    read_columns = ["id", "issuer", "document_ref", "issued_on", "received_on", "subject", "appeal", "department",
                    "due_on", "executed_on", "report"]
    add_columns = ["issuer", "document_ref", "issued_on", "received_on", "subject", "appeal", "department", "due_on"]
    edit_columns = ["subject", "appeal", "department", "due_on", "executed_on", "report"]

    def pre_add(self, item: HigherInstruction) -> None:
        higher.validate_higher_instruction(item)

    def pre_update(self, item: HigherInstruction) -> None:
        higher.validate_higher_instruction(item)


class ConsultationApi(QRestApi):
    """M5.8: consultations and what the person then did (R38's sample)."""

    resource_name = "consultation"
    class_permission_name = "Consultation"
    datamodel = QInterface(Consultation)
    read_columns = ["id", "given_at", "given_by", "reception_place", "district", "channel", "category", "applicant",
                    "question", "outcome", "appeal", "note"]
    add_columns = ["given_at", "reception_place", "channel", "category", "applicant", "question",
                   "outcome", "appeal", "note"]  # the district is the applicant's (or the place's)
    edit_columns = ["channel", "category", "question", "outcome", "appeal", "note"]

    def pre_add(self, item: Consultation) -> None:
        if not may_use_place(item.reception_place_id or getattr(item.reception_place, "id", None)):
            raise OutsideScope()
        surveys.validate_consultation(item, _user_id())

    def pre_update(self, item: Consultation) -> None:
        surveys.validate_consultation(item)


class CalendarDayApi(QRestApi):
    resource_name = "calendar_day"
    class_permission_name = "CalendarDay"
    datamodel = QInterface(CalendarDay)
    read_columns = ["id", "day", "is_working", "note"]
    add_columns = edit_columns = read_columns[1:]
    named_routes = {**QRestApi.named_routes, "preview": "POST, OPTIONS"}

    # A change of the calendar moves the terms of running appeals, each with
    # a history event, in the same transaction as the override.
    def pre_add(self, item: CalendarDay) -> None:
        calendar_changes.apply(calendar_changes.change_of_row(item), _user_id())

    def pre_update(self, item: CalendarDay) -> None:
        calendar_changes.apply(calendar_changes.change_of_row(item), _user_id())

    def pre_delete(self, item: CalendarDay) -> None:
        calendar_changes.apply(calendar_changes.change_of_row(item, removed=True), _user_id())

    @expose("/preview", methods=["POST"])
    @protect()
    @safe
    @permission_name("read")
    def preview(self):
        """The running appeals whose terms a change would move: ``{day,
        is_working}`` (``is_working`` null: back to the national calendar)."""

        def run():
            body = read_body(CalendarPreviewBody)
            change = calendar_changes.CalendarChange({body["day"]: body["is_working"]})
            moves = calendar_changes.preview(change)
            if not is_unscoped():  # a scoped reader learns only of the appeals they may see
                ids = [m.appeal_id for m in moves]
                visible = set(db.session.execute(scoped(select(Appeal.id).where(Appeal.id.in_(ids)), Appeal))
                              .scalars()) if ids else set()
                moves = [m for m in moves if m.appeal_id in visible]
            return self.response(200, count=len(moves), appeals=[
                {"id": m.appeal_id, "reg_number": m.reg_number,
                 "changes": {k: [a.isoformat(), b.isoformat()] for k, (a, b) in m.changes.items()}}
                for m in moves[:500]])

        return guarded(self, run)


class RestrictionPeriodApi(QRestApi):
    """R14: periods of restrictions (video-only reception), with the calendar's rights."""

    resource_name = "restriction_period"
    class_permission_name = "CalendarDay"
    datamodel = QInterface(RestrictionPeriod)
    read_columns = ["id", "starts_on", "ends_on", "reason"]
    add_columns = edit_columns = read_columns[1:]


APIS = [
    DistrictApi, DepartmentApi, OfficialApi, CategoryApi, ReceptionPlaceApi, ReceptionSessionApi,
    ApplicantApi, AppealApi, ProtocolApi, ProtocolEntryApi, InstructionApi, SurveyCallApi, CalendarDayApi,
    RestrictionPeriodApi, MaterialsRequestApi, ConsultationApi, HigherInstructionApi, *ATTACHMENT_APIS,
]


def register(appbuilder) -> None:
    from .openapi import QOpenApi

    for api in APIS:
        appbuilder.add_api(api)
    # the OpenAPI document of CONTRACT.md at /api/v1/_openapi (FAB's Swagger
    # page is left out: it loads its scripts from a CDN)
    appbuilder.add_api(QOpenApi)
    current_app.after_request(_info_allows_get)
    current_app.before_request(check_request)
    current_app.before_request(_named_route_methods)


def _named_routes_of_path() -> tuple[str, dict]:
    """(last segment, the resource's named routes) of an /api/v1 path."""
    parts = request.path.rstrip("/").split("/")
    if len(parts) != 5 or parts[1:3] != ["api", "v1"]:
        return "", {}
    return parts[-1], next((api.named_routes for api in APIS if api.resource_name == parts[-2]), {})


def _named_route_methods():
    """A method a named route (``/_info``, ``/preview``) does not answer is
    405 — before FAB's ``/<pk>`` route checks rights or looks for a record."""
    last, named = _named_routes_of_path()
    if last in named and request.method not in named[last].split(", "):
        from flask import jsonify

        response = jsonify({"message": gettext("This method is not allowed here.")})
        response.status_code = 405
        response.headers["Allow"] = named[last]
        return response
    return None


def _info_allows_get(response):
    """``OPTIONS …/_info`` (or ``…/preview``) lists what that route answers
    (FAB's ``/<pk>`` route would add its PUT and DELETE)."""
    if request.method == "OPTIONS":
        last, named = _named_routes_of_path()
        if last in named:
            response.headers["Allow"] = named[last]
    return response


API_MESSAGES = {
    400: N_("The request could not be read."),
    403: N_("Forbidden."),
    404: N_("Not found."),
    405: N_("This method is not allowed here."),
    409: N_("The record was changed by someone else: reload it and try again."),
    413: N_("The request is too large."),
    429: N_("Too many failed logins: wait a minute and try again."),
    500: N_("Something went wrong on our side; the error is logged."),
}


def json_error(exc):
    """An HTTP error under /api/ as every other API answer: JSON with a
    translated message (``app.http_errors`` sends the API's errors here)."""
    from flask import jsonify

    code = getattr(exc, "code", 500) or 500
    response = jsonify({"message": gettext(API_MESSAGES.get(code, API_MESSAGES[500]))})
    response.status_code = code
    if code == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response
