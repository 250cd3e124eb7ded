"""Import of appeals exported from the national appeals system (CSV or XLSX,
columns in ``docs/import.md``): every row is validated first, errors are
reported with their row number, and the file is applied in one transaction
or not at all. An appeal whose ``external_id`` is already here is skipped."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import select

from app.domain.identifiers import is_valid_iin
from app.domain.vocabulary import ApplicantKind, Channel, Language, Privilege
from app.extensions import db
from app.models import Appeal, Applicant, Category, District, Official, ReceptionPlace
from app.security.scope import may_use_place

from app.workflow_text import N_

from .appeals import prepare_registration
from .errors import RuleViolation

COLUMNS = ["external_id", "channel", "received_at", "applicant_full_name", "applicant_iin", "applicant_phone",
           "applicant_address", "district", "category", "official", "reception_place", "substance", "language",
           "privilege"]
REQUIRED = ["external_id", "channel", "received_at", "applicant_full_name", "district", "category", "official",
            "reception_place", "substance", "language"]


@dataclass
class ImportResult:
    created: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def read_rows(path: str) -> list[dict]:
    if path.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        rows = list(load_workbook(path, read_only=True, data_only=True).active.iter_rows(values_only=True))
        header = [str(h).strip() if h is not None else "" for h in rows[0]] if rows else []
        return [{h: ("" if v is None else str(v).strip()) for h, v in zip(header, r)} for r in rows[1:]]
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [{k.strip(): (v or "").strip() for k, v in r.items() if k} for r in csv.DictReader(fh)]


def _index(model, *keys):
    """code or names (kk, ru, lower-cased) → record."""
    out = {}
    for rec in db.session.execute(select(model)).scalars():
        for k in keys:
            value = getattr(rec, k, None)
            if value:
                out[str(value).strip().lower()] = rec
    return out


def _code(enum_cls, value, problems: list, message: str):
    """The vocabulary member for ``value`` (None for an empty one); a wrong
    value adds its translated problem."""
    if not value:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        problems.append(gettext(message, v=value))
        return None


def _parse_time(value: str) -> datetime:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%d.%m.%Y %H:%M"):
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise ValueError(value)


def import_rows(rows: list[dict], user_id: int | None, progress=lambda pct: None) -> ImportResult:
    result = ImportResult()
    if rows and (missing := [c for c in REQUIRED if c not in rows[0]]):
        result.errors.append((1, gettext("Missing columns: %(cols)s", cols=", ".join(missing))))
        return result
    districts = _index(District, "kato", "name_kk", "name_ru")
    categories = _index(Category, "code", "name_kk", "name_ru")
    officials = _index(Official, "full_name")
    places = _index(ReceptionPlace, "id", "name_kk", "name_ru")
    known = set(db.session.execute(select(Appeal.external_id).where(Appeal.external_id.is_not(None))).scalars())
    applicants_by_iin = {}
    seen = set()
    prepared = []
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        def err(message):
            result.errors.append((n, message))

        missing = [c for c in REQUIRED if not row.get(c)]
        if missing:
            err(gettext("Empty: %(cols)s", cols=", ".join(missing)))
            continue
        ext = row["external_id"]
        if ext in known:
            result.skipped += 1
            continue
        if ext in seen:
            err(gettext("The external id %(id)s appears twice in the file.", id=ext))
            continue
        seen.add(ext)
        problems = []
        channel = _code(Channel, row["channel"], problems, N_("unknown channel «%(v)s»"))
        language = _code(Language, row["language"], problems, N_("unknown language «%(v)s»"))
        privilege = _code(Privilege, row.get("privilege"), problems, N_("unknown privilege «%(v)s»"))
        try:
            received = _parse_time(row["received_at"])
        except ValueError:
            problems.append(gettext("the date and time «%(v)s» are not YYYY-MM-DD HH:MM", v=row["received_at"]))
        iin = row.get("applicant_iin") or None
        if iin and not is_valid_iin(iin):
            problems.append(gettext("not a valid IIN «%(v)s»", v=iin))
        refs = {}
        for key, index in (("district", districts), ("category", categories), ("official", officials),
                           ("reception_place", places)):
            rec = index.get(row[key].lower())
            if rec is None:
                problems.append(gettext("unknown %(what)s «%(v)s»", what=key, v=row[key]))
            refs[key] = rec
        if refs.get("reception_place") is not None and not may_use_place(refs["reception_place"].id):
            problems.append(gettext("You may register appeals only at your own reception place."))
        if refs.get("official") is not None and not refs["official"].active:
            problems.append(gettext("the official %(v)s is not active", v=row["official"]))
        if problems:
            err("; ".join(problems))
            continue
        prepared.append((n, ext, channel, received, language, privilege, iin, row, refs))
        if n % 200 == 0:
            progress(min(40, 40 * n // max(len(rows), 1)))
    if result.errors:
        return result
    try:
        for i, (n, ext, channel, received, language, privilege, iin, row, refs) in enumerate(prepared):
            applicant = applicants_by_iin.get(iin) if iin else None
            if applicant is None and iin:
                applicant = db.session.execute(select(Applicant).where(Applicant.iin == iin)).scalars().first()
            if applicant is None:
                applicant = Applicant(kind=ApplicantKind.individual, full_name=row["applicant_full_name"], iin=iin,
                                      phone=row.get("applicant_phone") or None,
                                      address=row.get("applicant_address") or None, district=refs["district"],
                                      privilege=privilege)
                db.session.add(applicant)
            if iin:
                applicants_by_iin[iin] = applicant
            appeal = Appeal(external_id=ext, channel=channel, received_at=received, applicant=applicant,
                            reception_place=refs["reception_place"], district=refs["district"],
                            category=refs["category"], official=refs["official"], substance=row["substance"],
                            language=language, privilege=privilege)
            try:
                prepare_registration(appeal, user_id)
            except RuleViolation as exc:
                result.errors.append((n, str(exc.message)))
                continue
            db.session.add(appeal)
            result.created += 1
            if i % 200 == 0:
                progress(40 + 55 * i // max(len(prepared), 1))
        if result.errors:
            db.session.rollback()
            result.created = 0
            return result
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result
