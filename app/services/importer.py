"""Import of appeals exported from the national appeals system (CSV or XLSX,
columns in ``docs/import.md``): every row is validated first, errors are
reported with their row number, and the file is applied in one transaction
or not at all. An appeal whose ``external_id`` is already here is skipped."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, insert, select

from app.domain.identifiers import is_valid_iin
from app.domain.vocabulary import AppealStatus, ApplicantKind, Channel, Language, Privilege
from app.extensions import db
from app.models import Appeal, AppealEvent, Applicant, Category, District, Official, ReceptionPlace
from app.security.scope import may_use_place, scoped
from app.workflow_text import N_

from .appeals import reg_number, registration_event, registration_terms, reserve_reg_numbers
from .audit_log import record_created
from .bulk import copy_rows
from .calendar import counting_rules, working_calendar
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


CHUNK = 1000


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _known_external_ids(ids: list[str]) -> set[str]:
    """Those of ``ids`` imported before (looked up a thousand at a time)."""
    known: set[str] = set()
    for part in _chunks(sorted(set(ids))):
        known.update(db.session.execute(select(Appeal.external_id).where(Appeal.external_id.in_(part))).scalars())
    return known


def _write(prepared: list, user_id: int | None, result: ImportResult, progress) -> int:
    """Register the checked rows in bulk, by the same rules as the form
    (R25 registration day, R29 term, numbers from the year's counter), with
    their first history event and audit rows; the caller commits. Rows
    refused here (a receipt in the future) go to ``result.errors``."""
    cal, rules = working_calendar(), counting_rules()
    now = datetime.utcnow()
    terms, due_cache = {}, {}
    for n, _ext, _channel, received, *_rest in prepared:
        try:
            terms[n] = registration_terms(received, cal, rules, due_cache)
        except RuleViolation as exc:
            result.errors.append((n, str(exc.message)))
    if result.errors:
        return 0
    progress(50)
    # numbers: a block per registration year, in the file's order (this also
    # takes the write lock first, which SQLite's explicit ids below rely on)
    per_year: dict[int, int] = {}
    for n, *_rest in prepared:
        year = terms[n][0].year
        per_year[year] = per_year.get(year, 0) + 1
    next_number = {year: reserve_reg_numbers(year, count) for year, count in sorted(per_year.items())}
    # applicants: one per ИИН (reusing those already registered), else one per row
    iins = sorted({iin for *_x, iin, _row, _refs in prepared if iin})
    by_iin: dict[str, int] = {}
    for part in _chunks(iins):
        # only applicants the importer may see: an ИИН known elsewhere is a new
        # applicant here, never a link that would open the other record
        by_iin.update(db.session.execute(
            scoped(select(Applicant.iin, Applicant.id).where(Applicant.iin.in_(part)), Applicant)
            .order_by(Applicant.id)).all())
    new_applicants: list[dict] = []
    new_by_iin: dict[str, int] = {}
    applicant_of: dict[int, tuple[str, int]] = {}  # row → ("id", existing id) | ("new", index)
    for n, _ext, _channel, _received, _language, privilege, iin, row, refs in prepared:
        if iin and iin in by_iin:
            applicant_of[n] = ("id", by_iin[iin])
        elif iin and iin in new_by_iin:
            applicant_of[n] = ("new", new_by_iin[iin])
        else:
            new_applicants.append(dict(
                kind=ApplicantKind.individual, full_name=row["applicant_full_name"], iin=iin,
                phone=row.get("applicant_phone") or None, address=row.get("applicant_address") or None,
                district_id=refs["district"].id, privilege=privilege, foreigner=False))
            applicant_of[n] = ("new", len(new_applicants) - 1)
            if iin:
                new_by_iin[iin] = len(new_applicants) - 1
    applicant_ids = _insert(Applicant, new_applicants)
    record_created(db.session, "applicant", [dict(a, id=i) for a, i in zip(new_applicants, applicant_ids)])
    progress(65)
    appeals = []
    for n, ext, channel, received, language, privilege, _iin, row, refs in prepared:
        registered_on, due = terms[n]
        kind, ref = applicant_of[n]
        number = next_number[registered_on.year]
        next_number[registered_on.year] = number + 1
        appeals.append(dict(
            reg_number=reg_number(registered_on.year, number), external_id=ext, channel=channel,
            received_at=received, registered_on=registered_on,
            applicant_id=ref if kind == "id" else applicant_ids[ref],
            reception_place_id=refs["reception_place"].id, district_id=refs["district"].id,
            category_id=refs["category"].id, official_id=refs["official"].id, substance=row["substance"],
            language=language, privilege=privilege, foreigner=False, interpreter_needed=False,
            video_consent=False, from_reception=False, status=AppealStatus.registered,
            answer_due_on=due, due_on=due, created_at=now, created_by_id=user_id, version=1))
    appeal_ids = _insert(Appeal, appeals)
    record_created(db.session, "appeal", [dict(a, id=i) for a, i in zip(appeals, appeal_ids)])
    progress(85)
    events = [dict(registration_event(a["registered_on"], a["answer_due_on"], user_id), appeal_id=i)
              for a, i in zip(appeals, appeal_ids)]
    event_ids = _insert(AppealEvent, events)
    record_created(db.session, "appeal_event", [dict(e, id=i) for e, i in zip(events, event_ids)])
    progress(95)
    return len(appeals)


def _insert(model, rows: list[dict]) -> list[int]:
    """Insert many rows; their ids, in order.

    PostgreSQL: ``INSERT … RETURNING id`` in batches (SQLAlchemy's
    insertmanyvalues keeps the order). SQLite would send one statement per
    row for ordered RETURNING; there the ids are given explicitly after the
    largest one — safe because this transaction already holds SQLite's
    only write lock (the registration counter was updated first)."""
    if not rows:
        return []
    if db.session.get_bind().dialect.name == "sqlite":
        start = (db.session.execute(select(func.max(model.id))).scalar() or 0) + 1
        ids = list(range(start, start + len(rows)))
        for part, part_ids in zip(_chunks(rows, 5000), _chunks(ids, 5000)):
            db.session.execute(insert(model), [dict(r, id=i) for r, i in zip(part, part_ids)])
        return ids
    return copy_rows(model.__table__, rows)




def import_rows(rows: list[dict], user_id: int | None, progress=lambda pct: None) -> ImportResult:
    result = ImportResult()
    if rows and (missing := [c for c in REQUIRED if c not in rows[0]]):
        result.errors.append((1, gettext("Missing columns: %(cols)s", cols=", ".join(missing))))
        return result
    districts = _index(District, "kato", "name_kk", "name_ru")
    categories = _index(Category, "code", "name_kk", "name_ru")
    officials = _index(Official, "full_name")
    places = _index(ReceptionPlace, "id", "name_kk", "name_ru")
    known = _known_external_ids([row.get("external_id") for row in rows if row.get("external_id")])
    seen = set()
    prepared = []
    for n, row in enumerate(rows, start=2):  # row 1 is the header
        def err(message):
            result.errors.append((n, message))  # noqa: B023  (called within the same iteration)

        missing = [c for c in REQUIRED if not row.get(c)]
        if missing:
            err(gettext("Empty: %(cols)s", cols=", ".join(missing)))
            continue
        ext = row["external_id"]
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
        if ext in known:  # imported before; checked after the place, so a row of another place says nothing
            result.skipped += 1
            continue
        prepared.append((n, ext, channel, received, language, privilege, iin, row, refs))
        if n % 200 == 0:
            progress(min(40, 40 * n // max(len(rows), 1)))
    if result.errors:
        return result
    try:
        result.created = _write(prepared, user_id, result, progress)
        if result.errors:
            db.session.rollback()
            result.created = 0
            return result
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return result
