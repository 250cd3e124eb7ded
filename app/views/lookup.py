"""Searchable selects for relations to large tables.

FAB renders a relation as a <select> holding every related row (all
applicants, all appeals) — unusable at a million rows. ``LookupField``
renders only the chosen record and lets select2 ask ``/lookup/<kind>`` for
20 matches at a time as the user types.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import jsonify, request
from flask_appbuilder import BaseView, expose
from flask_babel import gettext
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import false, or_, select
from wtforms import Field
from wtforms.validators import ValidationError

from app.extensions import db
from app.models import (
    Appeal,
    Applicant,
    Category,
    Department,
    District,
    Official,
    Protocol,
    ReceptionPlace,
    ReceptionSession,
)
from app.security.scope import as_id, get_visible, scoped

PAGE = 20


@dataclass(frozen=True)
class Lookup:
    model: type
    permission_view: str
    search: Callable[[str], object]
    order: tuple
    label: Callable[[object], str] = str
    allowed: Callable[[], object] | None = None
    """A condition the chosen record must meet besides the scope (a protocol's
    session is a held one): offered by the lookup and checked on submit."""
    """The text of a match: enough to tell namesakes apart, as the privacy
    presenter lets the reader see it."""


def _applicant_search(q: str):
    from app.security.privacy import hidden_columns
    from app.services.search import applicant_terms, clean

    # the navbar search's rule: no probing of an ИИН, a БИН or a phone by those who may not see them
    terms, _ = applicant_terms(clean(q), hidden_columns(Applicant))
    return or_(*terms) if terms else false()


def _applicant_label(a) -> str:
    from app.security.privacy import personal

    parts = [a.full_name]
    if a.organization:
        parts.append(a.organization)
    ident = personal(a.iin, "iin") if a.iin else (personal(a.bin, "bin") if a.bin else None)
    if ident:
        parts.append(gettext("ИИН %(iin)s", iin=ident) if a.iin else gettext("БИН %(bin)s", bin=ident))
    if a.phone:
        parts.append(personal(a.phone, "phone"))
    if a.district is not None:
        parts.append(str(a.district))
    return " · ".join(parts)


LOOKUPS: dict[str, Lookup] = {
    "applicant": Lookup(Applicant, "Applicant", _applicant_search, (Applicant.full_name, Applicant.id),
                        _applicant_label),
    "appeal": Lookup(Appeal, "Appeal", lambda q: Appeal.reg_number.ilike(f"%{q}%"), (Appeal.id.desc(),)),
    "session": Lookup(
        ReceptionSession, "ReceptionSession", lambda q: ReceptionSession.day.cast(db.String).like(f"%{q}%"),
        (ReceptionSession.day.desc(), ReceptionSession.id.desc()),
    ),
    "held_session": Lookup(
        ReceptionSession, "ReceptionSession", lambda q: ReceptionSession.day.cast(db.String).like(f"%{q}%"),
        (ReceptionSession.day.desc(), ReceptionSession.id.desc()), allowed=lambda: _held_session(),
    ),
    "protocol": Lookup(Protocol, "Protocol", lambda q: Protocol.number.ilike(f"%{q}%"), (Protocol.id.desc(),)),
    # Reference books: small, but a list's search form offers them by typing
    # instead of loading every one of them on every page view.
    "district": Lookup(District, "District", lambda q: _bilingual(District, q), (District.name_ru, District.id)),
    "category": Lookup(
        Category, "Category",
        lambda q: or_(Category.code.ilike(f"{q}%"), _bilingual(Category, q)), (Category.code, Category.id),
    ),
    "official": Lookup(Official, "Official", lambda q: Official.full_name.ilike(f"%{q}%"),
                       (Official.full_name, Official.id)),
    "department": Lookup(Department, "Department", lambda q: _bilingual(Department, q),
                         (Department.name_ru, Department.id)),
    "place": Lookup(ReceptionPlace, "ReceptionPlace", lambda q: _bilingual(ReceptionPlace, q),
                    (ReceptionPlace.name_ru, ReceptionPlace.id)),
}
KIND_OF_MODEL = {spec.model: kind for kind, spec in LOOKUPS.items() if spec.allowed is None}


def _held_session():
    """A session a protocol may be drawn up for: not cancelled, and its day has come."""
    from app.domain.vocabulary import SessionStatus
    from app.services.clock import today

    return (ReceptionSession.status != SessionStatus.cancelled) & (ReceptionSession.day <= today())


def _bilingual(model, q: str):
    return or_(model.name_ru.ilike(f"%{q}%"), model.name_kk.ilike(f"%{q}%"))


class LookupWidget:
    def __call__(self, field, **kwargs):
        obj = field.data
        option = ""
        if obj is not None:
            option = f'<option value="{escape(obj.id)}" selected>{escape(str(obj))}</option>'
        placeholder = escape(gettext("Type to search…"))
        return Markup(
            f'<select class="form-control q-lookup" id="{escape(field.id)}" name="{escape(field.name)}" '
            f'data-url="/lookup/{escape(field.kind)}" data-placeholder="{placeholder}">'
            f'<option value=""></option>{option}</select>'
        )


class LookupField(Field):
    """A relation chosen by searching; the form gets the related object."""

    widget = LookupWidget()

    def __init__(self, label=None, validators=None, kind: str = "", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.kind = kind

    def _value(self):
        return "" if self.data is None else str(self.data.id)

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        if raw in ("", None):
            self.data = None
            return
        pk = as_id(raw)
        if pk is None:
            self.data = None
            raise ValueError(gettext("Choose a record from the list."))
        # the same scope as the lookup that offered it: another place's id is "no such record"
        spec = LOOKUPS[self.kind]
        self.data = get_visible(spec.model, pk)
        if self.data is None:
            raise ValueError(gettext("The chosen record does not exist."))
        if spec.allowed is not None and db.session.execute(
                select(spec.model.id).where(spec.model.id == pk, spec.allowed())).first() is None:
            self.data = None
            raise ValueError(gettext("This record cannot be chosen here."))

    def pre_validate(self, form):
        if self.flags.required and self.data is None:
            raise ValidationError(gettext("This field is required."))


class LookupView(BaseView):
    """JSON for the searchable selects: ``{"results": [{id, text}], "pagination": {more}}``."""

    route_base = "/lookup"
    default_view = "lookup"

    @expose("/<kind>")
    def lookup(self, kind: str):
        # Access is the reader's right on the looked-up register itself.
        if not current_user.is_authenticated:
            return jsonify({"message": gettext("Log in first.")}), 401
        spec = LOOKUPS.get(kind)
        if spec is None or not self.appbuilder.sm.has_access("can_read", spec.permission_view):
            return jsonify({"results": [], "pagination": {"more": False}}), 404
        q = (request.args.get("q") or "").strip()[:100]
        try:
            page = min(max(1, int(request.args.get("page", 1))), 500)  # 2**63 is no offset
        except ValueError:
            page = 1
        stmt = scoped(select(spec.model), spec.model)
        if spec.allowed is not None:
            stmt = stmt.where(spec.allowed())
        if request.args.get("id"):
            # the label of a value already chosen (a list filter from the URL)
            stmt = stmt.where(spec.model.id == (as_id(request.args["id"]) or -1))
        elif q:
            stmt = stmt.where(spec.search(q))
        rows = db.session.execute(
            stmt.order_by(*spec.order).offset((page - 1) * PAGE).limit(PAGE + 1)
        ).scalars().all()
        return jsonify(
            {
                "results": [{"id": r.id, "text": spec.label(r)} for r in rows[:PAGE]],
                "pagination": {"more": len(rows) > PAGE},
            }
        )
