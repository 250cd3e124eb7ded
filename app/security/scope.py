"""Row-level scope: the one place that answers "which rows may this user
see?" and "where may they write?" — for every list, page, action, REST
endpoint, lookup, export, chart **and every related id a user sends**.

The scopes are traits of the user's roles (``app.security.roles``):

- *all*: every row;
- *place*: the rows of the user's reception place (``users set-place``):
  its appeals and their history, instructions, survey calls and
  participation requests, the consultations given there, the applicants of
  those appeals and consultations or entered there,
  the sessions held there and their protocols. No place bound: nothing;
- *official*: their own sessions, the protocols of those sessions and their
  instructions, the appeals addressed to them or booked into their sessions;
- *assigned* (a write scope): the appeals assigned to the user.

Files and notes (``OWNED_BY``) are seen and changed where their owner — the
appeal, applicant or protocol — is.

Reference books (districts, categories, officials, places, calendar) are
not scoped. ``get_visible`` resolves an id the user sent: an id outside the
scope is ``None``, exactly like one that does not exist, so a write can never
widen what a user can read.
"""
from __future__ import annotations

from flask import abort, g, has_request_context
from sqlalchemy import exists, false, or_, select

from app.extensions import db
from app.models import (
    Appeal,
    AppealEvent,
    AppealNote,
    Applicant,
    Attachment,
    Consultation,
    Instruction,
    MaterialsRequest,
    Official,
    ParticipationRequest,
    Protocol,
    ProtocolEntry,
    ReceptionSession,
    SurveyCall,
    UserPlace,
)
from app.security.roles import ALL, ASSIGNED, OFFICIAL, PLACE, traits

SCOPED_MODELS = (Appeal, AppealEvent, Applicant, ReceptionSession, Protocol, ProtocolEntry, Instruction, SurveyCall,
                 ParticipationRequest, MaterialsRequest, Consultation, Attachment, AppealNote)
OWNED_BY = {
    Attachment: ((Attachment.appeal_id, Appeal), (Attachment.applicant_id, Applicant),
                 (Attachment.protocol_id, Protocol)),
    AppealNote: ((AppealNote.appeal_id, Appeal),),
}
"""Records seen — and changed — exactly where their owner is: a file of an
appeal, an applicant or a protocol; a note on an appeal."""
MAX_ID = 2**31 - 1
"""Every primary key is a 32-bit integer: a larger id names no record."""


def current_user():
    user = getattr(g, "user", None) if has_request_context() else None
    return user if getattr(user, "is_authenticated", False) else None


def _cached(key: str, compute):
    if has_request_context():
        cache = g.setdefault("_q_scope", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]
    return compute()


def place_of(user) -> int | None:
    return _cached(
        f"place:{user.id}",
        lambda: db.session.execute(select(UserPlace.place_id).where(UserPlace.user_id == user.id)).scalar_one_or_none(),
    )


def official_of(user) -> int | None:
    return _cached(
        f"official:{user.id}",
        lambda: db.session.execute(select(Official.id).where(Official.user_id == user.id)).scalar_one_or_none(),
    )


def as_id(value) -> int | None:
    """A primary key from user input, or None (not an integer, a boolean,
    out of range)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 12:
            return None
    try:
        pk = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return pk if 0 < pk <= MAX_ID else None


def _place_clause(model, place_id: int):
    place_appeals = select(Appeal.id).where(Appeal.reception_place_id == place_id)
    place_sessions = select(ReceptionSession.id).where(ReceptionSession.place_id == place_id)
    if model is Appeal:
        return Appeal.reception_place_id == place_id
    if model is AppealEvent:
        return AppealEvent.appeal_id.in_(place_appeals)
    if model is Applicant:
        return or_(
            Applicant.registered_place_id == place_id,
            exists().where(Appeal.applicant_id == Applicant.id, Appeal.reception_place_id == place_id),
            exists().where(Consultation.applicant_id == Applicant.id, Consultation.reception_place_id == place_id),
        )
    if model is Consultation:
        return Consultation.reception_place_id == place_id
    if model is SurveyCall:
        place_consultations = select(Consultation.id).where(Consultation.reception_place_id == place_id)
        return or_(SurveyCall.appeal_id.in_(place_appeals), SurveyCall.consultation_id.in_(place_consultations))
    if model is ReceptionSession:
        return ReceptionSession.place_id == place_id
    if model is Protocol:
        return Protocol.session_id.in_(place_sessions)
    if model in (Instruction, ParticipationRequest, ProtocolEntry, MaterialsRequest):
        return model.appeal_id.in_(place_appeals)
    return false()


def _official_clause(model, official_id: int):
    own_sessions = select(ReceptionSession.id).where(ReceptionSession.official_id == official_id)
    own_appeals = select(Appeal.id).where(or_(Appeal.official_id == official_id, Appeal.session_id.in_(own_sessions)))
    if model is ReceptionSession:
        return ReceptionSession.official_id == official_id
    if model is Protocol:
        return Protocol.session_id.in_(own_sessions)
    if model is Instruction:
        return or_(
            Instruction.assignee_official_id == official_id,
            Instruction.protocol_id.in_(select(Protocol.id).where(Protocol.session_id.in_(own_sessions))),
        )
    if model is Appeal:
        return or_(Appeal.official_id == official_id, Appeal.session_id.in_(own_sessions))
    if model in (AppealEvent, ParticipationRequest, MaterialsRequest):
        return model.appeal_id.in_(own_appeals)
    if model is ProtocolEntry:
        return ProtocolEntry.protocol_id.in_(select(Protocol.id).where(Protocol.session_id.in_(own_sessions)))
    return false()


def _assigned_clause(model, user_id: int):
    if model is Appeal:
        return Appeal.assignee_id == user_id
    if model in (AppealEvent, MaterialsRequest):
        return model.appeal_id.in_(select(Appeal.id).where(Appeal.assignee_id == user_id))
    return false()


def _owned_clause(model, user, scopes):
    parts = []
    for fk, owner in OWNED_BY[model]:
        clause = _clause(owner, user, scopes)
        parts.append(fk.is_not(None) if clause is None else fk.in_(select(owner.id).where(clause)))
    return parts[0] if len(parts) == 1 else or_(*parts)


def _clause(model, user, scopes):
    if ALL in scopes:
        return None
    if model in OWNED_BY:
        return _owned_clause(model, user, scopes)
    clauses = []
    for kind in sorted(scopes):
        if kind == PLACE:
            place_id = place_of(user)
            clauses.append(_place_clause(model, place_id) if place_id is not None else false())
        elif kind == OFFICIAL:
            official_id = official_of(user)
            clauses.append(_official_clause(model, official_id) if official_id is not None else false())
        elif kind == ASSIGNED:
            clauses.append(_assigned_clause(model, user.id))
    if not clauses:
        return false()
    return clauses[0] if len(clauses) == 1 else or_(*clauses)


def _user_or_current(user):
    return user if user is not None else current_user()


def scope_clause(model, user=None):
    """A WHERE clause limiting ``model`` to what ``user`` (default: the
    logged-in user) may see; None when every row is visible."""
    if model not in SCOPED_MODELS:
        return None
    user = _user_or_current(user)
    if user is None:
        return None if (has_request_context() and g.get("system_job")) else false()
    return _clause(model, user, traits(user).read_scopes)


def write_clause(model, user=None):
    """A WHERE clause limiting ``model`` to the rows ``user`` may change
    (never wider than what they may see); None for every row."""
    if model not in SCOPED_MODELS:
        return None
    user = _user_or_current(user)
    if user is None:
        return None if (has_request_context() and g.get("system_job")) else false()
    t = traits(user)
    read, write = _clause(model, user, t.read_scopes), _clause(model, user, t.write_scopes)
    if read is None:
        return write
    if write is None:
        return read
    return read & write


def scoped(stmt, model, user=None):
    """``stmt`` (a select or a Query) restricted to the user's scope."""
    clause = scope_clause(model, user)
    if clause is None:
        return stmt
    return stmt.filter(clause) if hasattr(stmt, "filter") else stmt.where(clause)


def _select_in(what, model, pk, clause):
    stmt = select(what).where(model.id == pk)
    return stmt if clause is None else stmt.where(clause)


def get_visible(model, pk, user=None, *, lock: bool = False):
    """The record ``model`` #``pk`` if ``user`` may see it, else None — the
    one way an id sent by a user (a body, a form, a URL) becomes a record.
    ``lock``: row-locked until the transaction ends (PostgreSQL)."""
    pk = as_id(pk)
    if pk is None:
        return None
    stmt = _select_in(model, model, pk, scope_clause(model, user))
    if lock:
        stmt = stmt.with_for_update(of=model)
    return db.session.execute(stmt).scalar_one_or_none()


def get_writable(model, pk, user=None):
    """The record if ``user`` may change it (inside their write scope), else None."""
    pk = as_id(pk)
    if pk is None:
        return None
    return db.session.execute(_select_in(model, model, pk, write_clause(model, user))).scalar_one_or_none()


def get_visible_or_404(model, pk, user=None):
    record = get_visible(model, pk, user)
    if record is None:
        abort(404)
    return record


def is_visible(model, pk, user=None) -> bool:
    pk = as_id(pk)
    return pk is not None and db.session.execute(
        _select_in(model.id, model, pk, scope_clause(model, user))).first() is not None


def is_writable(model, pk, user=None) -> bool:
    pk = as_id(pk)
    return pk is not None and db.session.execute(
        _select_in(model.id, model, pk, write_clause(model, user))).first() is not None


def aggregate_clause(place_column, official_column, user=None):
    """Counts kept per reception place × official (the compliance board's
    daily record) that ``user`` may see summed: every row for an unscoped
    reader, their place's or their own otherwise, nothing for a visitor.
    None when every row counts."""
    user = _user_or_current(user)
    if user is None:
        return None if (has_request_context() and g.get("system_job")) else false()
    scopes = traits(user).read_scopes
    if ALL in scopes:
        return None
    clauses = []
    if PLACE in scopes and place_of(user) is not None:
        clauses.append(place_column == place_of(user))
    if OFFICIAL in scopes and official_of(user) is not None:
        clauses.append(official_column == official_of(user))
    if not clauses:
        return false()
    return clauses[0] if len(clauses) == 1 else or_(*clauses)


def is_unscoped(user=None) -> bool:
    return ALL in traits(_user_or_current(user)).read_scopes


def may_use_place(place_id, user=None) -> bool:
    """May the user create or move a record to this reception place?"""
    user = _user_or_current(user)
    if user is None:
        return False
    scopes = traits(user).write_scopes
    if ALL in scopes:
        return True
    if PLACE in scopes:
        return as_id(place_id) is not None and place_of(user) == as_id(place_id)
    return False


def own_place_only(user=None) -> int | None:
    """The one reception place a user may register at, or None when any."""
    user = _user_or_current(user)
    if user is None or ALL in traits(user).write_scopes:
        return None
    return place_of(user) or -1


def get_writable_or_abort(model, pk, user=None):
    """The record for a page that changes it: 404 when the user cannot see
    it, 403 when they can see it but not change it."""
    record = get_writable(model, pk, user)
    if record is None:
        abort(403 if is_visible(model, pk, user) else 404)
    return record
