"""ИИН / БИН checks shared by the forms and the REST API."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.domain.identifiers import is_valid_bin, is_valid_iin

IIN_MESSAGE = _l("Not a valid IIN: 12 digits with a correct control digit are required.")
BIN_MESSAGE = _l("Not a valid BIN: 12 digits with a correct control digit are required.")


def identifier_error(value: str | None, bin_: bool = False):
    """The translated message when ``value`` is a bad ИИН (or БИН), else None."""
    value = (value or "").strip()
    if not value:
        return None
    ok = is_valid_bin(value) if bin_ else is_valid_iin(value)
    return None if ok else (BIN_MESSAGE if bin_ else IIN_MESSAGE)
