"""M7.1: the weekly scan for systemic problems through the database
(app/services/alerts.py), on SQLite and PostgreSQL: a spike in one
district × topic raises exactly one alert and one notification per user of
the control department and the heads; a rerun adds nothing; the evidence
goes through the reader's scope."""
from datetime import date, datetime, time, timedelta

from flask import g
from sqlalchemy import func, select

from app.domain import signals
from app.extensions import db
from app.models import Appeal, Applicant, Category, District, Notification, ReceptionPlace, SystemicAlert
from app.models.reference import PlaceKind
from app.services.clock import today

ROLES_TOLD = {"manager", "head"}
NOT_TOLD = {"admin", "clerk", "clerk2", "responsible", "auditor", "official"}


def week_ago(app, weeks: int) -> date:
    with app.app_context():
        return signals.last_full_week(today()) - timedelta(days=7 * weeks)


def spike(app, monday: date, kato: str, codes: list[str], place_kind=PlaceKind.reception_centre) -> list[int]:
    """Appeals registered through the service in the week of ``monday``, in
    district ``kato``, one per category code (a question counts for its topic)."""
    from app.services.appeals import prepare_registration
    from app.services.calendar import working_calendar

    with app.app_context():
        district = db.session.execute(select(District).where(District.kato == kato)).scalar_one()
        applicant = db.session.execute(select(Applicant).where(Applicant.district_id == district.id)
                                       .order_by(Applicant.id.desc()).limit(1)).scalar_one()
        public = db.session.execute(select(ReceptionPlace).where(
            ReceptionPlace.kind == PlaceKind.public_reception).order_by(ReceptionPlace.id)).scalars().first()
        centre = db.session.execute(select(ReceptionPlace).where(ReceptionPlace.district_id == district.id,
                                                                 ReceptionPlace.kind == PlaceKind.reception_centre)
                                    ).scalars().first()
        from app.models import Official

        official = db.session.execute(select(Official).where(Official.active.is_(True)).limit(1)).scalar_one()
        cal = working_calendar()
        days = [monday + timedelta(days=i) for i in range(5) if cal.is_working_day(monday + timedelta(days=i))]
        ids = []
        for n, code in enumerate(codes):
            appeal = Appeal(
                channel="by_hand", received_at=datetime.combine(days[n % len(days)], time(10, n % 50)),
                language="ru", substance="Нет воды третью неделю", applicant=applicant,
                reception_place=public if place_kind == PlaceKind.public_reception and n % 2 else centre,
                category=db.session.execute(select(Category).where(Category.code == code)).scalar_one(),
                official=official, district=district)
            prepare_registration(appeal, None)
            db.session.add(appeal)
            db.session.flush()
            assert monday <= appeal.registered_on <= monday + timedelta(days=6)
            ids.append(appeal.id)
        db.session.commit()
        return ids


def _ids(app, kato, code):
    with app.app_context():
        return (db.session.execute(select(District.id).where(District.kato == kato)).scalar_one(),
                db.session.execute(select(Category.id).where(Category.code == code)).scalar_one())


def _usernames(app, user_ids):
    sm = app.appbuilder.sm
    return {sm.get_user_by_id(u).username for u in user_ids}


def test_M7_1_one_spike_raises_exactly_one_alert_and_one_notification_per_manager_and_head(app):
    from app.services.alerts import scan

    monday = week_ago(app, 10)
    # 4 under a question of 04.02, 3 under the topic itself: 7 for the topic; a section-only appeal and
    # another district's appeal on the same topic are not counted
    spike(app, monday, "333400000", ["04.02.01"] * 4 + ["04.02"] * 3 + ["04"] * 2)
    spike(app, monday, "334800000", ["04.02.01"])
    district_id, topic_id = _ids(app, "333400000", "04.02")
    with app.app_context():
        result = scan(monday + timedelta(days=3))  # any day of the week names it
        assert result.week == monday
        assert [(a.district_id, a.category_id) for a in result.created] == [(district_id, topic_id)]
        alert = db.session.execute(select(SystemicAlert).where(SystemicAlert.week_start == monday)).scalar_one()
        assert alert.count == 7 and alert.status == "open" and alert.p_value < 0.001
        population = db.session.get(District, district_id).population
        assert alert.per_100k == round(7 * 100000 / population, 2)
        assert alert.baseline_weeks == 8 and alert.expected == signals.assess(7, [0] * 8).expected
        told = db.session.execute(select(Notification.user_id).where(Notification.systemic_alert_id == alert.id)
                                  ).scalars().all()
        assert len(told) == len(set(told)) == result.notifications
        names = _usernames(app, told)
        assert names >= ROLES_TOLD and not names & NOT_TOLD
        kinds = db.session.execute(select(Notification.kind, Notification.rule).where(
            Notification.systemic_alert_id == alert.id).distinct()).all()
        assert kinds == [("systemic_alert", "M7.1")]

        again = scan(monday)
        assert again.created == [] and again.notifications == 0
        assert db.session.execute(select(func.count()).select_from(SystemicAlert)
                                  .where(SystemicAlert.week_start == monday)).scalar_one() == 1
        assert db.session.execute(select(func.count()).where(Notification.systemic_alert_id == alert.id)
                                  ).scalar_one() == len(told)


def test_M7_1_a_week_at_its_usual_level_or_below_the_minimum_raises_nothing(app):
    from app.services.alerts import scan

    monday = week_ago(app, 14)
    spike(app, monday, "333600000", ["07.01"] * 4)  # four: below the minimum count
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(SystemicAlert)).scalar_one()
        result = scan(monday)
        assert result.created == [] and result.tested == 0
        assert db.session.execute(select(func.count()).select_from(SystemicAlert)).scalar_one() == before


def test_M7_1_a_busy_baseline_absorbs_the_same_count(app):
    """Six appeals a week in the eight weeks before: six more is no alert."""
    from app.services.alerts import scan

    monday = week_ago(app, 30)
    for k in range(1, 9):
        spike(app, monday - timedelta(days=7 * k), "334000000", ["09.03"] * 6)
    spike(app, monday, "334000000", ["09.03"] * 7)
    with app.app_context():
        result = scan(monday)
        assert result.tested >= 1 and result.created == []


def test_M7_1_before_the_register_has_history_there_is_no_baseline(app):
    from app.services.alerts import scan

    with app.app_context():
        first = db.session.execute(select(func.min(Appeal.registered_on))).scalar_one()
        result = scan(first)  # the register's first week: nothing to compare with
        assert result.created == []


def test_M7_1_the_evidence_is_the_alerts_appeals_through_the_readers_scope(app):
    from app.services.alerts import evidence, scan

    monday = week_ago(app, 18)
    ids = spike(app, monday, "331000000", ["06.03"] * 8, place_kind=PlaceKind.public_reception)
    with app.app_context():
        alert = next(a for a in scan(monday).created if a.category.code == "06.03")
        alert_id = alert.id
    sm = app.appbuilder.sm
    with app.test_request_context():
        g.user = sm.find_user(username="manager")
        alert = db.session.get(SystemicAlert, alert_id)
        rows, total = evidence(alert)
        assert total == 8 and sorted(a.id for a in rows) == sorted(ids)
        g.user = sm.find_user(username="clerk")  # the public reception: half of them were registered there
        from app.security.scope import place_of

        place = place_of(g.user)
        rows, total = evidence(alert)
        assert 0 < total < 8 and all(a.reception_place_id == place for a in rows)
        g.user = sm.find_user(username="official")
        assert evidence(alert)[1] <= total


def test_M7_1_alerts_are_emailed_once_per_recipient_through_smtp(app, monkeypatch):
    from app.services.alerts import scan
    from tests.jobs.test_jobs import _SmtpSink

    monday = week_ago(app, 22)
    spike(app, monday, "334600000", ["03.04"] * 6)
    sink = _SmtpSink()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", sink.port)
    try:
        with app.app_context():
            first = scan(monday)
            alert_id = first.created[0].id
            second = scan(monday)
    finally:
        sink.close()
    import email

    assert len(first.created) == 1 and first.emails >= 2 and second.emails == 0
    messages = [email.message_from_string(m) for m in sink.messages]
    assert len(messages) == first.emails
    for name in ROLES_TOLD:
        mine = [m for m in messages if m["To"] == f"{name}@qabyldau.local"]
        assert len(mine) == 1
        body = mine[0].get_payload(decode=True).decode("utf-8")
        assert f"/alerts/{alert_id}" in body and "6" in body and "M7.1" in str(mine[0]["Subject"])
    assert not any(m["To"] == f"{name}@qabyldau.local" for m in messages for name in NOT_TOLD)


def test_M7_1_the_weekly_job_and_the_command_scan_a_week(app):
    from app.jobs import launch
    from app.models import Job

    monday = week_ago(app, 26)
    spike(app, monday, "333200000", ["08.02"] * 6)
    with app.test_request_context():
        g.user = None
        job = launch("systemic_alerts", {"week": monday.isoformat()}, user_id=None, key=f"test-alerts:{monday}")
        assert job.status == "finished", job.error
        assert db.session.get(Job, job.id).message == f"{monday.isoformat()}: 1"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["alerts", "scan", "--week", monday.isoformat()])
    assert result.exit_code == 0, result.output
    assert "0 new alert(s)" in result.output and monday.isoformat() in result.output
    bad = runner.invoke(args=["alerts", "scan", "--week", "2026-13-45"])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
