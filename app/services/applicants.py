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
