"""The compliance board: which rule of the regulation is being broken today,
where and by whom.

Each measure is one SQL condition on one register, as of a day. The same
condition counts the board's figure (inside the reader's scope) and filters
the list the figure opens (``app/fab/filters.py::FilterComplianceMeasure``),
so a figure and its list are the same rows. The daily snapshot
(``take_snapshot``, an rq job) stores each measure's count per reception place
× official in ``compliance_count``: "a week ago" and "a month ago" are what
the board said then, summed over the reader's scope — never recomputed from
rows that have moved on (an extension moves a due day, a status changes).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, delete, exists, false, func, literal, select, text

from app.domain import deadlines
from app.domain.vocabulary import AppealStatus, ConsultationOutcome, InstructionStatus, SessionStatus
from app.extensions import db
from app.models import (
    Appeal,
    AppealEvent,
    ComplianceCount,
    Consultation,
    Instruction,
    MaterialsRequest,
    Official,
    ParticipationRequest,
    ReceptionPlace,
    ReceptionSession,
    SurveyCall,
)
from app.security.scope import aggregate_clause, scoped

from . import selection
from .calendar import counting_rules, working_calendar
from .clock import today as local_today
from .clock import utc_to_local

SOON_WORKING_DAYS = 2
"""R29: a term due within this many working days is shown as at risk."""
LATE_CANCEL_DAYS = 30
"""R16: late cancellations of the sessions of the last this many days."""
COVERAGE_DAYS = 90
"""R38: the consultations of the last this many days that ended in a refusal to register."""
WEEK, MONTH = 7, 30
SNAPSHOT_LOCK = 170101
"""PostgreSQL advisory lock held while a day's record is replaced (SQLite runs writers one at a time)."""
HISTORY_DAYS = 30
"""Days of the sparkline."""
NEAREST_DAYS = 3
"""A snapshot missing on a day (the job did not run) is taken from up to this many days before."""


@dataclass(frozen=True)
class Measure:
    """One measured duty: the register it counts, its condition as of a day,
    the place and official each row belongs to, and the list column its filter
    hangs on. ``base`` (a share, R38): the rows the share is of; the measure's
    condition then picks those that meet the duty."""

    key: str
    rule: str
    label: object
    model: type
    condition: Callable[[date], object]
    place: Callable[[], object]
    official: Callable[[], object]
    column: str
    what: str = ""
    """What it counts: a key of ``WORDS`` (its word agrees with the number)."""
    base: Callable[[date], object] | None = None
    link: Callable[[date], str] | None = field(default=None)
    via_appeal: bool = False
    """The place and official are the appeal's the row belongs to (a join)."""

    def amount(self, n: int) -> str:
        """The word for ``n`` cases, in the page's language and number ("43 обращения")."""
        return WORDS[self.what](n) if self.what in WORDS else ""

    @property
    def is_share(self) -> bool:
        return self.base is not None

    @property
    def per_place(self) -> bool:
        return self.place is not _none

    @property
    def per_official(self) -> bool:
        return self.official is not _none


WORDS = {
    "appeals": lambda n: ngettext("appeal", "appeals", n),
    "requests": lambda n: ngettext("request", "requests", n),
    "persons": lambda n: ngettext("person", "persons", n),
    "instructions": lambda n: ngettext("instruction", "instructions", n),
    "consultations": lambda n: ngettext("consultation", "consultations", n),
    "receptions": lambda n: ngettext("reception", "receptions", n),
}
"""The words a figure counts, agreeing with it (Russian has three forms, Kazakh one)."""


# --- the conditions ----------------------------------------------------------------
def _running():
    return Appeal.status.in_(selection.RUNNING)


def r29_overdue(day: date):
    """R29: the answer term runs and its last day has passed (the desk's "Overdue")."""
    return selection.overdue_now(day)


def r29_due_soon(day: date):
    """R29: the answer term ends today or within 2 working days."""
    cal = working_calendar()
    horizon = cal.add_working_days(cal.on_or_after(day), SOON_WORKING_DAYS)
    return and_(_running(), Appeal.due_on >= day, Appeal.due_on <= horizon)


def r30b_notice_late(day: date):
    """R30b: an extension decided, the applicant still not told, and the 3 working days are over."""
    return and_(_running(), Appeal.extension_notice_due_on < day, Appeal.extension_notified_on.is_(None))


def r32_hearing_waiting(day: date):
    """R32-R33: a proposed refusal whose objection term is over with no hearing record."""
    return and_(Appeal.status == AppealStatus.refusal_proposed, Appeal.hearing_recorded_on.is_(None),
                Appeal.objection_due_on < day)


def r32_backdated(day: date):
    """R32: a proposed refusal whose draft letter is dated before the day the
    proposal was recorded (the hearing's days count from the letter: a
    back-dated letter shortens them). Few appeals wait in this status: their
    recording days are read and compared in local time."""
    sent = dict(db.session.execute(select(Appeal.id, Appeal.draft_sent_on).where(
        Appeal.status == AppealStatus.refusal_proposed, Appeal.draft_sent_on.is_not(None))).all())
    recorded = dict(db.session.execute(
        select(AppealEvent.appeal_id, func.max(AppealEvent.at))
        .where(AppealEvent.appeal_id.in_(select(Appeal.id).where(Appeal.status == AppealStatus.refusal_proposed)),
               AppealEvent.action == "propose-refusal")
        .group_by(AppealEvent.appeal_id)).all()) if sent else {}
    ids = [pk for pk, at in recorded.items() if at is not None and sent[pk] < utc_to_local(at).date()]
    return Appeal.id.in_(ids) if ids else false()


def _late_event_days(event, open_condition, term, day: date):
    """Rows still waiting whose 2-working-day term (R19, R20) ended before
    ``day``: the term is computed on the calendar for the few distinct event
    days of the waiting rows."""
    cal, rules = working_calendar(), counting_rules()
    days = db.session.execute(select(event).where(open_condition).distinct()).scalars().all()
    late = [d for d in days if d is not None and term(d, cal, rules).due < day]
    return and_(open_condition, event.in_(late)) if late else false()


def r19_notice_late(day: date):
    """R19: the applicant not told within 2 working days of the request to another body."""
    p = ParticipationRequest
    return _late_event_days(p.requested_on, p.applicant_told_on.is_(None), deadlines.participation_notice_due, day)


def r20_report_late(day: date):
    """R20: a body's refusal to take part not reported within 2 working days."""
    p = ParticipationRequest
    return _late_event_days(p.refused_on, and_(p.refused_on.is_not(None), p.reported_on.is_(None)),
                            deadlines.participation_refusal_report_due, day)


def next_month(day: date) -> tuple[int, int]:
    return (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)


def r7_gaps(day: date):
    """R7 / R7-1: the R2 persons with no reception at the public reception, or
    none at the reception centres, in the coming month."""
    from .receptions import month_gaps

    ids = [g["official"].id for g in month_gaps(*next_month(day))]
    return Official.id.in_(ids) if ids else false()


def r34_overdue(day: date):
    """R34-R35: an instruction under control whose deadline has passed."""
    return and_(Instruction.status == InstructionStatus.open, Instruction.due_on < day)


def r31_overdue(day: date):
    """R31: a request for materials not answered by its due date."""
    return and_(MaterialsRequest.answered_on.is_(None), MaterialsRequest.due_on < day)


def r38_declined(day: date):
    """R38's population: consultations of the last 90 days after which the person declined to register."""
    return and_(Consultation.outcome == ConsultationOutcome.declined,
                selection.period(Consultation.given_at, day - timedelta(days=COVERAGE_DAYS - 1), day))


def r38_called(day: date):
    """R38: of those, the ones somebody has phoned (a call recorded about the consultation)."""
    return and_(r38_declined(day), exists().where(SurveyCall.consultation_id == Consultation.id))


def r16_late(day: date):
    """R16: sessions of the last 30 days cancelled with a late notice (not 2
    working days before, nor on the day itself)."""
    s = ReceptionSession
    return and_(s.status == SessionStatus.cancelled, s.notice_late.is_(True),
                s.day >= day - timedelta(days=LATE_CANCEL_DAYS - 1), s.day <= day)


def _roster_link(day: date) -> str:
    from flask import url_for

    year, month = next_month(day)
    return url_for("RosterView.month", month=f"{year:04d}-{month:02d}")


def _none():
    return literal(None)


def _appeal_place():
    return Appeal.reception_place_id


def _appeal_official():
    return Appeal.official_id


MEASURES: tuple[Measure, ...] = (
    Measure("r29_overdue", "R29", _l("Answer term passed"), Appeal, r29_overdue,
            lambda: Appeal.reception_place_id, lambda: Appeal.official_id, "due_on", "appeals"),
    Measure("r29_due_soon", "R29", _l("Answer due within 2 working days"), Appeal, r29_due_soon,
            lambda: Appeal.reception_place_id, lambda: Appeal.official_id, "due_on", "appeals"),
    Measure("r30b_notice_late", "R30b", _l("Applicant not told of the extension within 3 working days"), Appeal,
            r30b_notice_late, lambda: Appeal.reception_place_id, lambda: Appeal.official_id, "due_on", "appeals"),
    Measure("r32_hearing_waiting", "R32", _l("Objection term over, the hearing not recorded"), Appeal,
            r32_hearing_waiting, lambda: Appeal.reception_place_id, lambda: Appeal.official_id, "status",
            "appeals"),
    Measure("r32_backdated", "R32", _l("Draft decision letter dated before it was recorded"), Appeal, r32_backdated,
            lambda: Appeal.reception_place_id, lambda: Appeal.official_id, "status", "appeals"),
    Measure("r19_notice_late", "R19", _l("Applicant not told of the request to another body within 2 working days"),
            ParticipationRequest, r19_notice_late, _appeal_place, _appeal_official,
            "requested_on", "requests", via_appeal=True),
    Measure("r20_report_late", "R20", _l("A body's refusal to take part not reported within 2 working days"),
            ParticipationRequest, r20_report_late, _appeal_place, _appeal_official,
            "refused_on", "requests", via_appeal=True),
    Measure("r7_gaps", "R7", _l("Persons with no reception in the coming month's roster"), Official, r7_gaps,
            _none, lambda: Official.id, "full_name", "persons", link=_roster_link),
    Measure("r34_overdue", "R34", _l("Instructions under control past their deadline"), Instruction, r34_overdue,
            _appeal_place, lambda: func.coalesce(Instruction.assignee_official_id, Appeal.official_id),
            "due_on", "instructions", via_appeal=True),
    Measure("r31_overdue", "R31", _l("Requests for materials not answered by their due date"), MaterialsRequest,
            r31_overdue, _appeal_place, _appeal_official, "due_on", "requests", via_appeal=True),
    Measure("r38_coverage", "R38", _l("Declined consultations of the last 90 days that got a call"), Consultation,
            r38_called, lambda: Consultation.reception_place_id, _none, "outcome", "consultations",
            base=r38_declined),
    Measure("r16_late", "R16", _l("Receptions of the last 30 days cancelled without timely notice"),
            ReceptionSession, r16_late, lambda: ReceptionSession.place_id, lambda: ReceptionSession.official_id,
            "status", "receptions"),
)
BY_KEY = {m.key: m for m in MEASURES}


def measures_of(model) -> list[Measure]:
    return [m for m in MEASURES if m.model is model]


# --- what a list filter applies -------------------------------------------------------
def parse_value(value: str) -> tuple[Measure, str | None, int | None] | None:
    """A list filter's value: ``key``, ``key:p<place id>`` or ``key:o<official id>``
    (the board's breakdown by place or official); None for anything else."""
    from app.security.scope import as_id

    text = str(value or "").replace("\x00", "").strip()[:60]
    key, _, part = text.partition(":")
    measure = BY_KEY.get(key)
    if measure is None:
        return None
    if not part:
        return measure, None, None
    kind, pk = part[:1], as_id(part[1:])
    if kind not in ("p", "o") or pk is None:
        return None
    return measure, kind, pk


def filter_clause(model, value: str, day: date | None = None):
    """The rows of ``model`` the board counted under ``value`` (see
    ``parse_value``); a value for another register, or none, matches nothing.
    For a share (R38) the list holds the rows still missing: declined, not called."""
    parsed = parse_value(value)
    if parsed is None or parsed[0].model is not model:
        return false()
    measure, kind, pk = parsed
    day = day or local_today()
    clause = and_(measure.base(day), ~measure.condition(day)) if measure.is_share else measure.condition(day)
    if kind is not None:
        part = (measure.place() if kind == "p" else measure.official()) == pk
        if measure.via_appeal:  # the appeal the row belongs to (correlated: the list reads its own register)
            part = exists().where(Appeal.id == model.appeal_id, part)
        clause = and_(clause, part)
    return clause


def list_value(measure: Measure, place_id: int | None = None, official_id: int | None = None) -> str:
    if place_id is not None:
        return f"{measure.key}:p{place_id}"
    if official_id is not None:
        return f"{measure.key}:o{official_id}"
    return measure.key


# --- counting ------------------------------------------------------------------------
@dataclass
class Figure:
    """A measure's count (and its base, for a share)."""

    count: int = 0
    base: int | None = None

    @property
    def share(self) -> float | None:
        return None if not self.base else self.count / self.base

    @property
    def missing(self) -> int:
        """A share's rows that do not meet the duty (declined, not called)."""
        return (self.base or 0) - self.count


def figure_value(fig: Figure | None, measure: Measure) -> int | str:
    """A figure as a table shows it: a count, or a share as "31 % (38/121)"; "—" for none."""
    if fig is None:
        return "—"
    if measure.is_share:
        return "—" if fig.share is None else f"{round(100 * fig.share)} % ({fig.count}/{fig.base})"
    return fig.count


def _count_stmt(measure: Measure, day: date, columns=()):
    cond = measure.base(day) if measure.is_share else measure.condition(day)
    counted = [func.count().label("n")]
    if measure.is_share:
        counted.append(func.count().filter(measure.condition(day)).label("met"))
    stmt = select(*columns, *counted).select_from(measure.model)
    if measure.via_appeal and columns:
        stmt = stmt.join(Appeal, Appeal.id == measure.model.appeal_id)
    return stmt.where(cond)


def _figure(row, measure: Measure) -> Figure:
    return Figure(row.met, row.n) if measure.is_share else Figure(row.n)


def figure(measure: Measure, user=None, day: date | None = None) -> Figure:
    """One measure's figure today, inside ``user``'s scope: the same rows the list behind it shows."""
    row = db.session.execute(scoped(_count_stmt(measure, day or local_today()), measure.model, user)).one()
    return _figure(row, measure)


def today_figures(user=None, day: date | None = None) -> dict[str, Figure]:
    """Each measure's figure today (``figure``)."""
    day = day or local_today()
    return {m.key: figure(m, user, day) for m in MEASURES}


def breakdown(measure: Measure, user=None, day: date | None = None) -> dict[str, list[tuple]]:
    """Today's figure of one measure per reception place and per official:
    {"places": [(place, Figure)], "officials": [(official, Figure)]}, largest first."""
    day = day or local_today()
    out = {}
    for name, expr, model in (("places", measure.place(), ReceptionPlace), ("officials", measure.official(), Official)):
        col = expr.label("who")
        rows = db.session.execute(scoped(_count_stmt(measure, day, [col]).group_by(col), measure.model, user)).all()
        ids = [r.who for r in rows if r.who is not None]
        names = {o.id: o for o in db.session.execute(select(model).where(model.id.in_(ids))).scalars()} if ids else {}
        pairs = [(names.get(r.who), _figure(r, measure)) for r in rows if r.who in names]
        key = (lambda p: (p[1].share if p[1].share is not None else 1.0, -(p[1].base or 0))) if measure.is_share \
            else (lambda p: -p[1].count)
        out[name] = sorted(pairs, key=key)
    return out


# --- the daily record ---------------------------------------------------------------
def take_snapshot(day: date | None = None) -> int:
    """Record every measure's count on ``day`` (today) per place × official,
    replacing that day's rows; returns how many rows were written. Only the
    present can be recorded: the past is what earlier snapshots said."""
    day = day or local_today()
    if db.session.get_bind().dialect.name == "postgresql":  # two snapshots at once (cron and the CLI) write one day
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SNAPSHOT_LOCK})
    db.session.execute(delete(ComplianceCount).where(ComplianceCount.day == day))
    written = 0
    for m in MEASURES:
        place, official = m.place().label("place"), m.official().label("official")
        rows = db.session.execute(_count_stmt(m, day, [place, official]).group_by(place, official)).all()
        for r in rows:
            fig = _figure(r, m)
            db.session.add(ComplianceCount(day=day, measure=m.key, place_id=r.place, official_id=r.official,
                                           count=fig.count, base=fig.base))
            written += 1
        if not rows:  # a zero is a figure too: the day is on record
            db.session.add(ComplianceCount(day=day, measure=m.key, count=0, base=0 if m.is_share else None))
            written += 1
    db.session.commit()
    return written


def history(user=None, day: date | None = None, days: int = HISTORY_DAYS + NEAREST_DAYS) -> dict[str, dict[date, Figure]]:
    """The recorded figures of the last ``days`` days, summed over the
    places and officials ``user`` may see: {measure: {day: Figure}}."""
    day = day or local_today()
    c = ComplianceCount
    stmt = (select(c.measure, c.day, func.sum(c.count), func.sum(c.base))
            .where(c.day >= day - timedelta(days=days), c.day <= day).group_by(c.measure, c.day))
    clause = aggregate_clause(c.place_id, c.official_id, user)
    if clause is not None:
        stmt = stmt.where(clause)
    out: dict[str, dict[date, Figure]] = {}
    for measure, d, n, base in db.session.execute(stmt).all():
        out.setdefault(measure, {})[d] = Figure(int(n or 0), None if base is None else int(base))
    return out


def last_snapshot_day() -> date | None:
    """The last day the daily record was taken (None: never)."""
    return db.session.execute(select(func.max(ComplianceCount.day))).scalar_one_or_none()


def recorded_on(series: dict[date, Figure], day: date) -> Figure | None:
    """The figure recorded on ``day``, or on the nearest earlier day within ``NEAREST_DAYS``."""
    for back in range(NEAREST_DAYS + 1):
        fig = series.get(day - timedelta(days=back))
        if fig is not None:
            return fig
    return None


@dataclass
class Row:
    measure: Measure
    today: Figure
    week_ago: Figure | None
    month_ago: Figure | None
    series: list[float | None]
    """The last 30 days, oldest first (None: nothing recorded that day), today last."""


def _value(fig: Figure | None, measure: Measure) -> float | None:
    if fig is None:
        return None
    return fig.share if measure.is_share else float(fig.count)


def board(user=None, day: date | None = None) -> list[Row]:
    """The board's rows in the order of ``MEASURES``."""
    day = day or local_today()
    now, past = today_figures(user, day), history(user, day)
    rows = []
    for m in MEASURES:
        series = past.get(m.key, {})
        points = [_value(series.get(day - timedelta(days=k)), m) for k in range(HISTORY_DAYS - 1, 0, -1)]
        points.append(_value(now[m.key], m))
        rows.append(Row(m, now[m.key], recorded_on(series, day - timedelta(days=WEEK)),
                        recorded_on(series, day - timedelta(days=MONTH)), points))
    return rows


def sparkline(points: list[float | None], width: int = 120, height: int = 24) -> str:
    """The SVG ``points`` of a polyline over the days with a figure (empty when fewer than two)."""
    known = [(i, v) for i, v in enumerate(points) if v is not None]
    if len(known) < 2:
        return ""
    top = max(v for _, v in known) or 1.0
    step = width / max(len(points) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in known)
