"""Row-level scope: the one function every list, page, action, REST
endpoint, lookup, export and chart asks "which rows may this user see?".

- Admin, Manager, Head: every row.
- Clerk and Responsible: the rows of their reception place
  (``users set-place``): its appeals and their history, instructions and
  survey calls, the applicants of those appeals or entered there, the
  sessions held there and their protocols. No place bound: nothing.
- Official: their own sessions, protocols and instructions, and the appeals
  addressed to them.

Reference books (districts, categories, officials, places, calendar) are
not scoped. Personal data (ИИН/БИН, phone, e-mail, address) is shown only to
Manager, Clerk and Responsible — and to those two only inside their scope.
"""
from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import exists, false, or_, select

from app.extensions import db
from app.models import (
    Appeal,
    AppealEvent,
    Applicant,
    Instruction,
    Official,
    ParticipationRequest,
    Protocol,
    ReceptionSession,
    SurveyCall,
    UserPlace,
)

UNSCOPED_ROLES = frozenset({"Admin", "Manager", "Head"})
PLACE_ROLES = frozenset({"Clerk", "Responsible"})
PERSONAL_DATA_ROLES = frozenset({"Manager", "Clerk", "Responsible"})
SCOPED_MODELS = (Appeal, AppealEvent, Applicant, ReceptionSession, Protocol, Instruction, SurveyCall,
                 ParticipationRequest)


def current_user():
    user = getattr(g, "user", None) if has_request_context() else None
    return user if getattr(user, "is_authenticated", False) else None


def role_names(user) -> frozenset[str]:
    return frozenset(r.name for r in (getattr(user, "roles", None) or []))


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
        )
    if model is ReceptionSession:
        return ReceptionSession.place_id == place_id
    if model is Protocol:
        return Protocol.session_id.in_(place_sessions)
    if model is Instruction:
        return Instruction.appeal_id.in_(place_appeals)
    if model is SurveyCall:
        return SurveyCall.appeal_id.in_(place_appeals)
    if model is ParticipationRequest:
        return ParticipationRequest.appeal_id.in_(place_appeals)
    return None


def _official_clause(model, official_id: int):
    own_sessions = select(ReceptionSession.id).where(ReceptionSession.official_id == official_id)
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
        return Appeal.official_id == official_id
    if model is AppealEvent:
        return AppealEvent.appeal_id.in_(select(Appeal.id).where(Appeal.official_id == official_id))
    if model is ParticipationRequest:
        return ParticipationRequest.appeal_id.in_(select(Appeal.id).where(Appeal.official_id == official_id))
    return false()


def scope_clause(model, user=None):
    """A WHERE clause limiting ``model`` to what ``user`` (default: the
    logged-in user) may see; None when every row is visible."""
    if model not in SCOPED_MODELS:
        return None
    user = user if user is not None else current_user()
    if user is None:
        return None if (has_request_context() and g.get("system_job")) else false()
    roles = role_names(user)
    if roles & UNSCOPED_ROLES:
        return None
    clauses = []
    if roles & PLACE_ROLES:
        place_id = place_of(user)
        clauses.append(_place_clause(model, place_id) if place_id is not None else false())
    if "Official" in roles:
        official_id = official_of(user)
        clauses.append(_official_clause(model, official_id) if official_id is not None else false())
    clauses = [c for c in clauses if c is not None]
    if not clauses:
        return false()
    return clauses[0] if len(clauses) == 1 else or_(*clauses)


def scoped(stmt, model, user=None):
    """``stmt`` (a select or a Query) restricted to the user's scope."""
    clause = scope_clause(model, user)
    if clause is None:
        return stmt
    return stmt.filter(clause) if hasattr(stmt, "filter") else stmt.where(clause)


def is_visible(model, pk, user=None) -> bool:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return False
    stmt = scoped(select(model.id).where(model.id == pk), model, user)
    return db.session.execute(stmt).first() is not None


def may_use_place(place_id, user=None) -> bool:
    """May the user create or move a record to this reception place?"""
    user = user if user is not None else current_user()
    if user is None:
        return False
    roles = role_names(user)
    if roles & {"Admin", "Manager"}:
        return True
    if roles & PLACE_ROLES:
        return place_id is not None and place_of(user) == int(place_id)
    return False


def can_see_personal_data(user=None) -> bool:
    user = user if user is not None else current_user()
    return bool(user) and bool(role_names(user) & PERSONAL_DATA_ROLES)


def mask(value, kind: str = "id") -> str | None:
    """8503******12; +7 7** *** ** 45; a***@mail.kz; the address hidden."""
    if value in (None, ""):
        return value
    value = str(value)
    if kind == "id":
        return value[:4] + "*" * max(len(value) - 6, 0) + value[-2:]
    if kind == "phone":
        digits = [i for i, c in enumerate(value) if c.isdigit()]
        keep = set(digits[:2] + digits[-2:])
        return "".join(c if (not c.isdigit() or i in keep) else "*" for i, c in enumerate(value))
    if kind == "email":
        name, _, domain = value.partition("@")
        return (name[:1] + "***@" + domain) if domain else "***"
    return "***"


PERSONAL_FIELDS = {"iin": "id", "bin": "id", "phone": "phone", "email": "email", "address": "address"}


def personal(value, field: str, user=None):
    """The value itself for those who may see it, masked for everyone else."""
    if can_see_personal_data(user):
        return value
    return mask(value, PERSONAL_FIELDS.get(field, "address"))
