"""Applicants: what the form and the API do alike before saving one."""
from __future__ import annotations

OPTIONAL_TEXT = ("iin", "bin", "organization", "phone", "email", "address", "authority_document")


def normalize(applicant) -> None:
    """Optional text fields trimmed; an empty one is "not given" (NULL), so
    ``{"iin": ""}`` is an applicant without an ИИН, not a broken one."""
    for col in OPTIONAL_TEXT:
        value = getattr(applicant, col)
        setattr(applicant, col, value.strip() or None if isinstance(value, str) else value)
