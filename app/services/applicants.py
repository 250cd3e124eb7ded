"""Applicants: what the form and the API do alike before saving one."""
from __future__ import annotations

OPTIONAL_TEXT = ("iin", "bin", "organization", "phone", "email", "address", "authority_document")


def normalize(applicant) -> None:
    """Optional text fields trimmed; an empty one is "not given" (NULL), so
    ``{"iin": ""}`` is an applicant without an ИИН, not a broken one; then
    the R10 check."""
    for col in OPTIONAL_TEXT:
        value = getattr(applicant, col)
        setattr(applicant, col, value.strip() or None if isinstance(value, str) else value)
    check_authority(applicant)


def check_authority(applicant) -> None:
    """R10: whoever acts for a legal entity presents the authority document,
    and the appeal records it."""
    from flask_babel import lazy_gettext as _l

    from app.domain.vocabulary import ApplicantKind

    from .errors import RuleViolation

    kind = getattr(applicant.kind, "value", applicant.kind)
    if kind == ApplicantKind.legal_entity.value and not applicant.authority_document:
        raise RuleViolation("R10", _l("A legal entity's representative presents the authority document: "
                                      "record its number and date."))


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def inline_applicant(full_name, iin=None, phone=None, address=None, place_id=None):
    """The applicant typed into the appeal form (a walk-in citizen): added to
    the appeal's transaction, so both are saved or neither is.

    An ИИН the user can already see registered under the same name is that
    applicant (no duplicate person); under another name it is refused,
    naming nobody. An applicant the user may not see is never reached this
    way (a write never widens what a user reads): it is as if there were none."""
    from flask_babel import lazy_gettext as _l
    from sqlalchemy import select

    from app.domain.vocabulary import ApplicantKind
    from app.extensions import db
    from app.models import Applicant

    from .errors import DataRefused

    name = " ".join(str(full_name or "").split())
    if not name:
        raise DataRefused(422, _l("Give the new applicant's full name, or choose an applicant."))
    iin = (iin or "").strip() or None
    if iin is not None:
        from app.security.scope import scoped

        existing = db.session.execute(
            scoped(select(Applicant).where(Applicant.iin == iin), Applicant)
            .order_by(Applicant.id).limit(1)).scalar_one_or_none()
        if existing is not None:
            if _same_name(existing.full_name, name):
                return existing
            raise DataRefused(409, _l("This ИИН is registered for an applicant with another name: check the ИИН, "
                                      "or find the applicant with the search above."))
    applicant = Applicant(kind=ApplicantKind.individual, full_name=name, iin=iin, phone=phone, address=address,
                          registered_place_id=place_id, foreigner=False)
    normalize(applicant)
    db.session.add(applicant)
    return applicant
