"""R6 / art. 63 of the Administrative Procedural-Process Code: what an appeal
must state. The panel shows what is missing so the clerk can ask for it."""
from __future__ import annotations

from .vocabulary import ApplicantKind


def missing_requisites(
    kind,
    full_name: str | None,
    address: str | None,
    organization: str | None,
    bin_: str | None,
    substance: str | None,
) -> list[str]:
    """Codes of the missing requisites: ``full_name``, ``postal_address``,
    ``organization``, ``bin``, ``substance``. (ИИН only "if any"; the
    addressee, the date and the signature are on the paper itself.)"""
    missing = []
    if ApplicantKind(kind) == ApplicantKind.legal_entity:
        if not (organization or "").strip():
            missing.append("organization")
        if not (bin_ or "").strip():
            missing.append("bin")
    elif not (full_name or "").strip():
        missing.append("full_name")
    if not (address or "").strip():
        missing.append("postal_address")
    if not (substance or "").strip():
        missing.append("substance")
    return missing
