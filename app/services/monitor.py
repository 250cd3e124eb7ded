"""The daily deadline monitor: set-based queries (no per-appeal loop) that
turn every term due within 2 working days, or overdue, into one in-app
notification per responsible user — never twice for the same term."""
from __future__ import annotations

from sqlalchemy import Integer, String, and_, case, cast, exists, func, insert, literal, null, select, true, union_all
from sqlalchemy.orm import aliased

from app.domain import deadlines
from app.domain.vocabulary import TERM_RUNNING_STATUSES, AppealStatus, InstructionStatus
from app.extensions import db
from app.models import Appeal, HigherInstruction, Instruction, Notification, Official, ParticipationRequest, UserPlace

from .calendar import working_calendar
from .clock import today

HORIZON_WORKING_DAYS = 2


def _term_rows(horizon, cal):
    a = Appeal
    running = [s.value for s in TERM_RUNNING_STATUSES]
    terms = [
        # R29 / R30: the answer term of appeals under review
        ("answer", "R29", a.due_on, and_(a.status.in_(running), a.due_on <= horizon)),
        # R6: the correction term (the appeal may be returned after it)
        ("correction", "R6", a.correction_fix_by,
         and_(a.status == AppealStatus.correction_requested, a.correction_fix_by <= horizon)),
        # R32: the objection term of a draft refusal
        ("objection", "R32", a.objection_due_on,
         and_(a.status == AppealStatus.refusal_proposed, a.hearing_recorded_on.is_(None), a.objection_due_on <= horizon)),
        # R30b: the applicant is told of an extension
        ("extension_notice", "R30b", a.extension_notice_due_on,
         and_(a.status.in_(running), a.extension_notice_due_on <= horizon)),
    ]
    selects = []
    for kind, rule, due, cond in terms:
        who_assignee = select(a.assignee_id.label("user_id"), a.id.label("appeal_id"), cast(null(), Integer).label("instruction_id"),
                              literal(kind).label("kind"), literal(rule).label("rule"), due.label("due_on")
                              ).where(cond, a.assignee_id.is_not(None))
        who_place = (select(UserPlace.user_id.label("user_id"), a.id.label("appeal_id"),
                            cast(null(), Integer).label("instruction_id"), literal(kind).label("kind"),
                            literal(rule).label("rule"), due.label("due_on"))
                     .join(UserPlace, UserPlace.place_id == a.reception_place_id)
                     .where(cond, a.assignee_id.is_(None)))
        selects += [who_assignee, who_place]
    # R19 / R20: participation of other bodies. The due day is 2 working days
    # after the event day: computed on the calendar for the few distinct event
    # days of the open requests, and mapped in SQL (a CASE), still one query.
    p = ParticipationRequest
    for kind, rule, event, cond, term in (
        ("participation_notice", "R19", p.requested_on, p.applicant_told_on.is_(None),
         deadlines.participation_notice_due),
        ("participation_refusal", "R20", p.refused_on, and_(p.refused_on.is_not(None), p.reported_on.is_(None)),
         deadlines.participation_refusal_report_due),
    ):
        days = db.session.execute(select(event).where(cond).distinct()).scalars().all()
        dues = {day: term(day, cal).due for day in days if day is not None}
        if not dues:
            continue
        due_expr = case(dues, value=event)
        selects.append(
            select(UserPlace.user_id.label("user_id"), a.id.label("appeal_id"), cast(null(), Integer).label("instruction_id"),
                   literal(kind).label("kind"), literal(rule).label("rule"), due_expr.label("due_on"))
            .select_from(p).join(a, a.id == p.appeal_id).join(UserPlace, UserPlace.place_id == a.reception_place_id)
            .where(cond, due_expr <= horizon)
        )
    # R34-R35: instructions under control, to the assignee official's user
    i = Instruction
    selects.append(
        select(Official.user_id.label("user_id"), i.appeal_id.label("appeal_id"), i.id.label("instruction_id"),
               literal("instruction").label("kind"), literal("R34").label("rule"), i.due_on.label("due_on"))
        .join(Official, Official.id == i.assignee_official_id)
        .where(i.status == InstructionStatus.open, i.due_on <= horizon, Official.user_id.is_not(None))
    )
    appeal_terms = union_all(*selects).subquery()
    none = cast(null(), Integer)
    return union_all(
        select(appeal_terms.c.user_id, appeal_terms.c.appeal_id, appeal_terms.c.instruction_id,
               none.label("higher_instruction_id"), appeal_terms.c.kind, appeal_terms.c.rule, appeal_terms.c.due_on),
        _higher_terms(horizon),
        _overdue_for_controllers(),
    ).subquery()


def _higher_terms(horizon):
    """M9: instructions of higher bodies not executed, due within the horizon
    or overdue — to every active user of a role that controls them."""
    from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

    from app.security.roles import roles_with

    h = HigherInstruction
    controllers = (select(assoc_user_role.c.user_id).join(Role, Role.id == assoc_user_role.c.role_id)
                   .where(Role.name.in_(roles_with("control_higher_instructions"))))
    none = cast(null(), Integer)
    return (
        select(User.id.label("user_id"), none.label("appeal_id"), none.label("instruction_id"),
               h.id.label("higher_instruction_id"), literal("higher_instruction").label("kind"),
               literal("M9").label("rule"), h.due_on.label("due_on"))
        .select_from(h).join(User, true())
        .where(h.executed_on.is_(None), h.due_on <= horizon, User.active.is_(True), User.id.in_(controllers))
    )


OVERDUE_LOOKBACK_DAYS = 30
"""Managers are reminded of appeals overdue since at most this many days (older ones are on their desk)."""


def _overdue_for_controllers():
    """R29: an appeal whose answer term has passed — to every active user of
    a role that controls the terms (the control department), once per term."""
    from datetime import timedelta

    from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

    from app.security.roles import roles_with

    a = Appeal
    controllers = (select(assoc_user_role.c.user_id).join(Role, Role.id == assoc_user_role.c.role_id)
                   .where(Role.name.in_(roles_with("control_terms"))))
    none = cast(null(), Integer)
    now = today()
    return (
        select(User.id.label("user_id"), a.id.label("appeal_id"), none.label("instruction_id"),
               none.label("higher_instruction_id"), literal("overdue").label("kind"), literal("R29").label("rule"),
               a.due_on.label("due_on"))
        .select_from(a).join(User, true())
        .where(a.status.in_([s.value for s in TERM_RUNNING_STATUSES]), a.due_on < now,
               a.due_on >= now - timedelta(days=OVERDUE_LOOKBACK_DAYS),
               User.active.is_(True), User.id.in_(controllers))
    )


def run_monitor() -> int:
    """Insert the notifications that do not exist yet; returns how many."""
    cal = working_calendar()
    horizon = cal.add_working_days(cal.on_or_after(today()), HORIZON_WORKING_DAYS)
    rows = _term_rows(horizon, cal)
    key = (rows.c.kind + literal(":") + func.coalesce(cast(rows.c.instruction_id, String), "")
           + literal(":") + func.coalesce(cast(rows.c.appeal_id, String),
                                          literal("h") + cast(rows.c.higher_instruction_id, String))
           + literal(":") + cast(rows.c.due_on, String))
    existing = aliased(Notification)
    source = (
        select(rows.c.user_id, key.label("term_key"), rows.c.rule, rows.c.kind, rows.c.appeal_id,
               rows.c.instruction_id, rows.c.higher_instruction_id, rows.c.due_on, literal(None).label("created_at"))
        .where(rows.c.user_id.is_not(None))
        .where(~exists().where(existing.user_id == rows.c.user_id, existing.term_key == key))
        .distinct()
    )
    before = db.session.execute(select(func.count()).select_from(Notification)).scalar_one()
    last_id = db.session.execute(select(func.max(Notification.id))).scalar_one() or 0
    db.session.execute(
        insert(Notification).from_select(
            ["user_id", "term_key", "rule", "kind", "appeal_id", "instruction_id", "higher_instruction_id", "due_on",
             "created_at"],
            source.with_only_columns(rows.c.user_id, key, rows.c.rule, rows.c.kind, rows.c.appeal_id,
                                     rows.c.instruction_id, rows.c.higher_instruction_id, rows.c.due_on,
                                     func.current_timestamp()),
        )
    )
    db.session.commit()
    send_emails(last_id)
    return db.session.execute(select(func.count()).select_from(Notification)).scalar_one() - before


def send_emails(after_id: int) -> int:
    """One e-mail per user listing the reminders created in this run, when
    SMTP is configured (``MAIL_SERVER``); returns the number of e-mails."""
    import smtplib
    from email.message import EmailMessage

    from flask import current_app
    from flask_babel import force_locale, gettext

    from app.models import Appeal as A

    server = current_app.config.get("MAIL_SERVER")
    if not server:
        return 0
    rows = db.session.execute(
        select(Notification, A.reg_number).outerjoin(A, A.id == Notification.appeal_id)
        .where(Notification.id > after_id).order_by(Notification.user_id, Notification.due_on)
    ).all()
    by_user: dict[int, list] = {}
    for n, reg in rows:
        by_user.setdefault(n.user_id, []).append((n, reg))
    sm = current_app.appbuilder.sm
    sent = 0
    with smtplib.SMTP(server, int(current_app.config.get("MAIL_PORT", 25)), timeout=10) as smtp:
        if current_app.config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if current_app.config.get("MAIL_USERNAME"):
            smtp.login(current_app.config["MAIL_USERNAME"], current_app.config.get("MAIL_PASSWORD", ""))
        for user_id, items in by_user.items():
            user = sm.get_user_by_id(user_id)
            if user is None or not user.email:
                continue
            with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
                msg = EmailMessage()
                msg["Subject"] = gettext("Qabyldau: %(n)s term(s) due within 2 working days or overdue", n=len(items))
                msg["From"] = current_app.config.get("MAIL_FROM", "qabyldau@localhost")
                msg["To"] = user.email
                msg.set_content("\n".join(f"{n.due_on:%d.%m.%Y}  {n.rule}  {reg or ''}" for n, reg in items))
            smtp.send_message(msg)
            sent += 1
    return sent



def mark_all_read(user_id: int) -> int:
    """The user's unread reminders are marked read (the bell empties)."""
    from datetime import datetime

    from sqlalchemy import update

    done = db.session.execute(update(Notification).where(Notification.user_id == user_id,
                                                         Notification.read_at.is_(None))
                              .values(read_at=datetime.utcnow()))
    db.session.commit()
    return done.rowcount
