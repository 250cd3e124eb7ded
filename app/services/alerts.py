"""Systemic-problem alerts (M7.1): every week, per district × topic, the
week's count of appeals against its own baseline (``app.domain.signals``);
a signal becomes an alert for the control department and the heads — in
the bell, on the dashboard, by e-mail when ``MAIL_SERVER`` is set — with
the appeals behind it as its evidence.

A topic is a level-2 category ("01.02"); an appeal filed under one of its
questions ("01.02.03") counts for it, one filed under a whole section ("01")
for none. Counts are not scoped: the scan is a system job and the alert is
about the region; the evidence a user opens goes through the user's scope.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import format_decimal, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from app.domain import signals
from app.extensions import db
from app.models import Appeal, Category, District, Notification, SystemicAlert
from app.security.scope import get_visible, scoped

from . import selection as S
from .clock import today
from .errors import RuleViolation

NOTIFICATION_KIND = "systemic_alert"
RULE = "M7.1"
EVIDENCE_ON_PAGE = 50
NOTE_MAX = 2000


@dataclass
class ScanResult:
    week: date
    tested: int = 0
    """District × topic pairs whose week reached the minimum count."""
    created: list[SystemicAlert] = field(default_factory=list)
    notifications: int = 0
    emails: int = 0


def settings() -> dict:
    cfg = current_app.config
    return {"weeks": int(cfg.get("ALERT_BASELINE_WEEKS", signals.BASELINE_WEEKS)),
            "min_count": int(cfg.get("ALERT_MIN_COUNT", signals.MIN_COUNT)),
            "alpha": float(cfg.get("ALERT_P_VALUE", signals.ALPHA))}


def _topic_counts(start: date, end: date, districts=None, topics=None):
    """(district_id, topic_id, registered_on, count) of the appeals registered
    from ``start`` to ``end``, per day, a question counted for its topic."""
    c, t = aliased(Category), aliased(Category)
    topic_code = func.substr(c.code, 1, 5)
    stmt = (select(Appeal.district_id, t.id, Appeal.registered_on, func.count())
            .join(c, c.id == Appeal.category_id)
            .join(t, and_(t.code == topic_code, func.length(t.code) == 5))
            .where(func.length(c.code) >= 5, S.period(Appeal.registered_on, start, end)))
    if districts is not None:
        stmt = stmt.where(Appeal.district_id.in_(districts), t.id.in_(topics))
    return db.session.execute(stmt.group_by(Appeal.district_id, t.id, Appeal.registered_on)).all()


def scan(week: date | None = None) -> ScanResult:
    """M7.1: test the ISO week of ``week`` (default: the last full week) for
    every district × topic; store an alert per signal that has none yet and
    tell every user whose role has ``systemic_alerts``. Run again, it adds
    nothing (one alert per week × district × topic). Commits."""
    monday = signals.week_start(week) if week else signals.last_full_week(today())
    result = ScanResult(week=monday)
    first = db.session.execute(select(func.min(Appeal.registered_on))).scalar_one_or_none()
    if first is None:
        return result
    cfg = settings()
    sunday = signals.week_end(monday)
    week_rows: dict[tuple[int, int], int] = {}
    for d, t, _day, n in _topic_counts(monday, sunday):
        week_rows[(d, t)] = week_rows.get((d, t), 0) + n
    candidates = {k: n for k, n in week_rows.items() if n >= cfg["min_count"]}
    result.tested = len(candidates)
    if not candidates:
        return result
    weeks = [w for w in signals.baseline_weeks(monday, cfg["weeks"]) if w >= first]
    by_week: dict[tuple[int, int], dict[date, int]] = {}
    if weeks:
        for d, t, day, n in _topic_counts(weeks[0], monday - timedelta(days=1),
                                          {k[0] for k in candidates}, {k[1] for k in candidates}):
            per = by_week.setdefault((d, t), {})
            per[signals.week_start(day)] = per.get(signals.week_start(day), 0) + n
    population = dict(db.session.execute(select(District.id, District.population)).all())
    for (d, t), n in sorted(candidates.items()):
        baseline = [by_week.get((d, t), {}).get(w, 0) for w in weeks]
        verdict = signals.assess(n, baseline, min_count=cfg["min_count"], alpha=cfg["alpha"])
        if verdict is None or not verdict.is_signal:
            continue
        alert = _store(SystemicAlert(
            week_start=monday, district_id=d, category_id=t, count=n, expected=verdict.expected,
            baseline_weeks=len(baseline), dispersion=verdict.dispersion, p_value=verdict.p_value,
            per_100k=signals.per_100k(n, population.get(d)), status="open"))
        if alert is not None:
            result.created.append(alert)
    result.notifications = _notify(result.created)
    db.session.commit()
    if result.created:
        result.emails = send_emails(result.created)
    return result


def _store(alert: SystemicAlert) -> SystemicAlert | None:
    """The alert, or None when its week × district × topic already has one."""
    exists = db.session.execute(select(SystemicAlert.id).where(
        SystemicAlert.week_start == alert.week_start, SystemicAlert.district_id == alert.district_id,
        SystemicAlert.category_id == alert.category_id)).first()
    if exists:
        return None
    try:
        with db.session.begin_nested():  # a concurrent scan that got there first
            db.session.add(alert)
    except IntegrityError:
        return None
    return alert


def recipients() -> list:
    """The active users of a role that has ``systemic_alerts`` (the control
    department and the heads)."""
    from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

    from app.security.roles import roles_with

    ids = (select(assoc_user_role.c.user_id).join(Role, Role.id == assoc_user_role.c.role_id)
           .where(Role.name.in_(roles_with("systemic_alerts"))))
    return db.session.execute(select(User).where(User.active.is_(True), User.id.in_(ids))
                              .order_by(User.id)).scalars().all()


def _notify(alerts: list[SystemicAlert]) -> int:
    if not alerts:
        return 0
    users = recipients()
    for alert in alerts:
        for user in users:
            db.session.add(Notification(
                user_id=user.id, term_key=f"{NOTIFICATION_KIND}:{alert.id}", rule=RULE, kind=NOTIFICATION_KIND,
                systemic_alert_id=alert.id, due_on=signals.week_end(alert.week_start)))
    db.session.flush()
    return len(alerts) * len(users)


# --- words ------------------------------------------------------------------------
def sentence(alert: SystemicAlert) -> str:
    """The alert in one sentence of the current language."""
    return gettext("%(district)s, %(topic)s: %(count)s appeals in the week of %(week)s, %(expected)s expected",
                   district=alert.district.name, topic=str(alert.category), count=alert.count,
                   week=f"{alert.week_start:%d.%m.%Y}", expected=format_decimal(round(alert.expected, 1)))


def alert_url(alert: SystemicAlert) -> str:
    base = (current_app.config.get("PANEL_URL") or "").rstrip("/")
    return f"{base}/alerts/{alert.id}"


def send_emails(alerts: list[SystemicAlert]) -> int:
    """One plain-text e-mail per recipient with an address, listing the new
    alerts, when SMTP is configured (``MAIL_SERVER``); the number sent."""
    import smtplib
    from email.message import EmailMessage

    from flask_babel import force_locale

    server = current_app.config.get("MAIL_SERVER")
    if not server or not alerts:
        return 0
    users = [u for u in recipients() if u.email]
    if not users:
        return 0
    sent = 0
    with smtplib.SMTP(server, int(current_app.config.get("MAIL_PORT", 25)), timeout=10) as smtp:
        if current_app.config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if current_app.config.get("MAIL_USERNAME"):
            smtp.login(current_app.config["MAIL_USERNAME"], current_app.config.get("MAIL_PASSWORD", ""))
        with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
            subject = gettext("Qabyldau: %(n)s systemic-problem alert(s) (M7.1)", n=len(alerts))
            body = "\n\n".join(f"{sentence(a)}\n{alert_url(a)}" for a in alerts)
        for user in users:
            msg = EmailMessage()
            msg["Subject"] = subject
            msg["From"] = current_app.config.get("MAIL_FROM", "qabyldau@localhost")
            msg["To"] = user.email
            msg.set_content(body)
            smtp.send_message(msg)
            sent += 1
    return sent


# --- reading and acknowledging ------------------------------------------------------
def _listed():
    return select(SystemicAlert).options(selectinload(SystemicAlert.district), selectinload(SystemicAlert.category),
                                         selectinload(SystemicAlert.acknowledged_by))


def open_alerts(limit: int = 20) -> list[SystemicAlert]:
    """The latest open alerts (the dashboard's panel)."""
    return db.session.execute(_listed().where(SystemicAlert.status == "open")
                              .order_by(SystemicAlert.week_start.desc(), SystemicAlert.id.desc())
                              .limit(limit)).scalars().all()


def register(status: str | None = None, limit: int = 200) -> list[SystemicAlert]:
    """The alerts, open first, newest first (``status``: only those)."""
    stmt = _listed()
    if status in ("open", "acknowledged"):
        stmt = stmt.where(SystemicAlert.status == status)
    return db.session.execute(stmt.order_by((SystemicAlert.status == "open").desc(), SystemicAlert.week_start.desc(),
                                            SystemicAlert.id.desc()).limit(limit)).scalars().all()


def get(pk) -> SystemicAlert | None:
    """An alert by an id a user sent (None: no such alert, or no id)."""
    return get_visible(SystemicAlert, pk)


def evidence_clause(alert: SystemicAlert):
    """The appeals the alert counted: its district, its topic with the
    questions under it, registered in its week."""
    return and_(S.dimension(Appeal, "district", alert.district_id), S.dimension(Appeal, "section", alert.category_id),
                S.period(Appeal.registered_on, alert.week_start, signals.week_end(alert.week_start)))


def evidence(alert: SystemicAlert, limit: int = EVIDENCE_ON_PAGE) -> tuple[list[Appeal], int]:
    """The first ``limit`` evidence appeals the user may see, and how many they may see."""
    where = evidence_clause(alert)
    total = db.session.execute(scoped(select(func.count()).select_from(Appeal).where(where), Appeal)).scalar_one()
    rows = db.session.execute(
        scoped(select(Appeal).where(where), Appeal).options(selectinload(Appeal.category))
        .order_by(Appeal.registered_on, Appeal.id).limit(limit)).scalars().all()
    return rows, total


def acknowledge(pk, user_id: int | None, note: str) -> SystemicAlert:
    """M7.1: the control department acknowledges an open alert, saying what
    is done about it (a note is required). Of parallel acknowledgements one
    is recorded; the others are told it already is. Commits."""
    alert = get(pk)
    if alert is None:
        raise LookupError(pk)
    note = (note or "").strip()
    if not note:
        raise RuleViolation(RULE, _l("Say what is being done about the alert: the note is required."))
    if len(note) > NOTE_MAX or "\x00" in note:
        raise RuleViolation(RULE, _l("The note is too long or holds characters that are not text (at most 2000 characters)."))
    already = RuleViolation(RULE, _l("The alert has already been acknowledged."))
    if alert.status != "open":
        raise already
    # only while it is still open: of parallel acknowledgements one is recorded, with its note
    done = db.session.execute(
        update(SystemicAlert).where(SystemicAlert.id == alert.id, SystemicAlert.status == "open")
        .values(status="acknowledged", acknowledged_by_id=user_id, acknowledged_at=datetime.utcnow(), note=note)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        raise already
    # the bell's reminders of it are done with: the register keeps the alert and its note
    db.session.execute(update(Notification).where(Notification.systemic_alert_id == alert.id,
                                                  Notification.read_at.is_(None))
                       .values(read_at=datetime.utcnow()).execution_options(synchronize_session=False))
    db.session.commit()
    db.session.refresh(alert)
    return alert

