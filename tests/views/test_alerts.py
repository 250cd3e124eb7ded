"""M7.1: the register of systemic-problem alerts in the browser — who may
open it, hostile ids, the evidence (the alert's appeals, on the page and in
the appeal list it links to), the acknowledgement (write only, a note, CSRF),
the bell and the dashboard's panel."""
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import SystemicAlert
from tests.conftest import login
from tests.services.test_alerts import spike, week_ago
from tests.views.test_registers import record_count


def _demo_alert(app) -> SystemicAlert:
    """The demo's own alert (its spike of water-supply appeals in Koksu)."""
    from app.demo.loader import SPIKE_DISTRICT, SPIKE_TOPIC
    from app.models import Category, District

    with app.app_context():
        alert = db.session.execute(
            select(SystemicAlert).join(District, District.id == SystemicAlert.district_id)
            .join(Category, Category.id == SystemicAlert.category_id)
            .where(District.kato == SPIKE_DISTRICT, Category.code == SPIKE_TOPIC)).scalar_one()
        db.session.expunge(alert)
        return alert


@pytest.fixture
def fresh_alert(app):
    """A new open alert of its own (the acknowledgement tests change it)."""
    from app.services.alerts import scan

    monday = week_ago(app, 34 + len(app.config.setdefault("_alert_weeks", [])))
    app.config["_alert_weeks"].append(monday)
    spike(app, monday, "331800000", ["10.03"] * 6)
    with app.app_context():
        created = [a for a in scan(monday).created if a.category.code == "10.03"]
        assert len(created) == 1
        return created[0].id


def _status(app, pk):
    with app.app_context():
        return db.session.get(SystemicAlert, pk).status


@pytest.mark.parametrize("username, allowed", [
    ("manager", True), ("head", True), ("auditor", True),
    ("clerk", False), ("responsible", False), ("official", False), ("admin", False),
])
def test_M7_1_the_register_and_an_alert_open_for_the_control_department_and_the_heads(client, app, username, allowed):
    alert = _demo_alert(app)
    login(client, username)
    for url in ("/alerts/", f"/alerts/{alert.id}"):
        r = client.get(url)
        if allowed:
            assert r.status_code == 200, (username, url)
        else:
            assert r.status_code in (302, 403), (username, url, r.status_code)
            assert "Коксу" not in r.get_data(as_text=True)


def test_M7_1_the_alert_page_shows_its_figures_and_its_evidence(client, app):
    alert = _demo_alert(app)
    login(client, "head")
    page = client.get(f"/alerts/{alert.id}?_l_=en").get_data(as_text=True)
    assert f"{alert.count} appeals in the week of {alert.week_start:%d.%m.%Y}" in page
    assert "Koksu" in page or "Көксу" in page or "Коксу" in page
    evidence = re.search(r'<table class="table table-condensed" id="evidence">(.*?)</table>', page, re.S).group(1)
    assert len(re.findall(r'href="/appealview/show/\d+"', evidence)) == alert.count
    link = html.unescape(re.search(r'id="evidence-list" href="([^"]+)"', page).group(1))
    assert link.startswith("/appealview/list/?")
    assert record_count(client.get(link).get_data(as_text=True)) == alert.count  # the list shows the same appeals
    listing = client.get("/alerts/?_l_=en").get_data(as_text=True)
    assert f'href="/alerts/{alert.id}"' in listing


@pytest.mark.parametrize("bad", [str(2**63), str(2**31), "0", "-1", "abc", "1%00", "%F0%9F%92%A9"])
def test_M7_1_a_hostile_or_unknown_alert_id_is_a_404(client, bad):
    login(client, "manager")
    assert client.get(f"/alerts/{bad}").status_code == 404
    assert client.post(f"/alerts/{bad}/acknowledge", data={"note": "x"}).status_code == 404


def test_M7_1_an_alert_that_does_not_exist_is_a_404(client, app):
    with app.app_context():
        from sqlalchemy import func

        last = db.session.execute(select(func.max(SystemicAlert.id))).scalar_one()
    login(client, "manager")
    assert client.get(f"/alerts/{last + 1000}").status_code == 404


def test_M7_1_only_a_writer_acknowledges_and_a_note_is_required(client, app, fresh_alert):
    pk = fresh_alert
    login(client, "head")  # reads, does not write
    assert client.post(f"/alerts/{pk}/acknowledge", data={"note": "Принято"}).status_code in (302, 403)
    assert _status(app, pk) == "open"
    assert 'id="acknowledge"' not in client.get(f"/alerts/{pk}").get_data(as_text=True)

    login(client, "manager")
    r = client.post(f"/alerts/{pk}/acknowledge?_l_=en", data={"note": "   "})
    assert r.status_code == 422 and "the note is required" in r.get_data(as_text=True)
    r = client.post(f"/alerts/{pk}/acknowledge?_l_=en", data={"note": "bad\x00note"})
    assert r.status_code == 400 and "Traceback" not in r.get_data(as_text=True)  # the app refuses a NUL in any form
    r = client.post(f"/alerts/{pk}/acknowledge", data={"note": "x" * 2001})
    assert r.status_code == 422
    assert _status(app, pk) == "open"

    r = client.post(f"/alerts/{pk}/acknowledge", data={"note": "Проверка водоканала, выезд комиссии 12.12"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/alerts/{pk}")
    with app.app_context():
        alert = db.session.get(SystemicAlert, pk)
        assert alert.status == "acknowledged" and alert.note.startswith("Проверка водоканала")
        assert alert.acknowledged_by.username == "manager" and alert.acknowledged_at is not None
    page = client.get(f"/alerts/{pk}").get_data(as_text=True)
    assert "Проверка водоканала" in page and 'id="acknowledge"' not in page
    r = client.post(f"/alerts/{pk}/acknowledge?_l_=en", data={"note": "again"})
    assert r.status_code == 422 and "already been acknowledged" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(SystemicAlert, pk).note.startswith("Проверка водоканала")


def test_M7_1_acknowledging_without_the_csrf_token_is_refused(app, fresh_alert):
    """The suite turns CSRF off; the form's own check is on in production."""
    c = app.test_client()
    login(c, "manager")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert c.post(f"/alerts/{fresh_alert}/acknowledge", data={"note": "без токена"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _status(app, fresh_alert) == "open"


def test_M7_1_the_bell_tells_the_manager_and_the_head_and_links_to_the_alert(client, app):
    alert = _demo_alert(app)
    for username in ("manager", "head"):
        login(client, username)
        page = client.get("/jobs/notifications?_l_=en").get_data(as_text=True)
        row = re.search(rf'<tr[^>]*data-kind="systemic_alert">(?:(?!</tr>).)*href="/alerts/{alert.id}"(?:(?!</tr>).)*</tr>',
                        page, re.S)
        assert row and "M7.1" in row.group(0) and f"{alert.count} appeals" in row.group(0), username
    login(client, "clerk")
    assert f'href="/alerts/{alert.id}"' not in client.get("/jobs/notifications").get_data(as_text=True)


def test_M7_1_the_dashboard_shows_the_open_alerts_to_their_readers_only(client, app):
    alert = _demo_alert(app)
    login(client, "head")
    page = client.get("/dashboard/").get_data(as_text=True)
    panel = re.search(r'id="systemic-alerts">(.*?)</ul>', page, re.S).group(1)
    assert f'href="/alerts/{alert.id}"' in panel
    login(client, "admin")  # reads the dashboard, not the alerts
    r = client.get("/dashboard/")
    assert r.status_code == 200 and 'id="systemic-alerts"' not in r.get_data(as_text=True)


def test_M7_1_an_acknowledged_alert_leaves_the_dashboards_panel(client, app, fresh_alert):
    login(client, "manager")
    assert f'href="/alerts/{fresh_alert}"' in client.get("/dashboard/").get_data(as_text=True)
    client.post(f"/alerts/{fresh_alert}/acknowledge", data={"note": "Принято в работу"})
    panel = re.search(r'id="systemic-alerts">(.*?)</ul>', client.get("/dashboard/").get_data(as_text=True), re.S)
    assert f'href="/alerts/{fresh_alert}"' not in panel.group(1)
    listing = client.get("/alerts/?status=acknowledged").get_data(as_text=True)
    assert f'href="/alerts/{fresh_alert}"' in listing
    assert f'href="/alerts/{fresh_alert}"' not in client.get("/alerts/?status=open").get_data(as_text=True)


def test_M7_1_the_week_of_an_alert_bounds_its_evidence(app):
    """An appeal of the same district and topic a day after the week is not evidence."""
    from app.services.alerts import evidence_clause

    alert = _demo_alert(app)
    with app.app_context():
        from app.models import Appeal

        days = db.session.execute(select(Appeal.registered_on).where(evidence_clause(alert))).scalars().all()
        assert len(days) == alert.count
        assert all(alert.week_start <= d <= alert.week_start + timedelta(days=6) for d in days)


def test_M7_1_acknowledging_an_alert_marks_its_reminders_in_the_bell_read(client, app, fresh_alert):
    from app.models import Notification

    with app.app_context():
        unread = db.session.execute(select(Notification).where(Notification.systemic_alert_id == fresh_alert,
                                                               Notification.read_at.is_(None))).scalars().all()
        assert unread, "the scan told the Manager and the Head"
    login(client, "manager")
    client.post(f"/alerts/{fresh_alert}/acknowledge", data={"note": "Комиссия выехала"})
    with app.app_context():
        assert not db.session.execute(select(Notification.id).where(Notification.systemic_alert_id == fresh_alert,
                                                                    Notification.read_at.is_(None))).first()
