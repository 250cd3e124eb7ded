"""The home page is the day's desk: each work list's count is the number of
rows the list behind its link shows, within the user's scope."""
import html
import re

import pytest
from sqlalchemy import select, update

from app.domain.vocabulary import AppealStatus
from app.extensions import db
from app.models import Appeal
from app.services.clock import today
from tests.conftest import login
from tests.views.test_registers import record_count


def _desk_links(body: str, panel: str) -> list[tuple[str, int]]:
    part = re.search(rf'id="{panel}".*?</(?:ul|table)>', body, re.S).group(0)
    out = []
    for href, n in re.findall(r'<a href="([^"]+)">.*?</a>\s*(?:<span class="badge">|</td><td class="text-right">(?:<strong>)?)'
                              r'(\d+)', part, re.S):
        out.append((html.unescape(href), int(n)))
    return out


@pytest.mark.parametrize("username", ["clerk", "responsible", "manager", "head"])
def test_every_count_on_the_desk_is_the_list_it_opens(client, app, username):
    login(client, username)
    body = client.get("/").get_data(as_text=True)
    links = _desk_links(body, "open-appeals")
    if username != "head":
        links += [(h, n) for h, n in _desk_links(body, "my-work") if "/appealview/" in h]
    assert len(links) >= 6, links
    for href, n in links:
        assert record_count(client.get(href).get_data(as_text=True)) == n, (username, href)


def test_the_statuses_come_in_workflow_order_and_each_is_a_link(manager):
    from app.domain.vocabulary import FINAL_STATUSES

    body = manager.get("/").get_data(as_text=True)
    part = re.search(r'id="open-appeals".*?</table>', body, re.S).group(0)
    shown = re.findall(r'_flt_\d+_status=(\w+)', part)
    assert shown == [s.value for s in AppealStatus if s not in FINAL_STATUSES]


def test_my_work_offers_each_role_its_own_lists(client):
    login(client, "responsible")
    body = client.get("/?_l_=en").get_data(as_text=True)
    assert "Assigned to me" in body and "Awaiting my decision" in body
    login(client, "head")
    body = client.get("/?_l_=en").get_data(as_text=True)
    assert "Assigned to me" not in body and "Awaiting my decision" not in body
    assert "A citizen came in" not in body  # a read-only role registers nothing


def test_R33_awaiting_my_decision_lists_refusals_ready_for_the_decision(client, app):
    """A proposed refusal whose hearing is recorded is the decider's work; one
    still waiting for the hearing (objection term running) is not."""
    from datetime import timedelta

    from app.views.appeals import AppealView
    from tests.security.test_scope_and_privacy import place_of

    place = place_of(app, "responsible")
    with app.app_context():
        responsible = app.appbuilder.sm.find_user(username="responsible")
        two = db.session.execute(select(Appeal).where(Appeal.status == AppealStatus.registered,
                                                      Appeal.reception_place_id == place)
                                 .order_by(Appeal.id).limit(2)).scalars().all()
        assert len(two) == 2
        saved = [(a.id, a.status, a.assignee_id, a.hearing_recorded_on, a.objection_due_on, a.refusal_ground,
                  a.draft_sent_on) for a in two]
        proposed = {"status": AppealStatus.refusal_proposed, "assignee_id": responsible.id,
                    "refusal_ground": "out_of_competence", "draft_sent_on": today() - timedelta(days=5)}
        db.session.execute(update(Appeal).where(Appeal.id == saved[0][0]).values(
            **proposed, hearing_recorded_on=today(), objection_due_on=today() - timedelta(days=1)))
        db.session.execute(update(Appeal).where(Appeal.id == saved[1][0]).values(
            **proposed, hearing_recorded_on=None, objection_due_on=today() + timedelta(days=3)))
        db.session.commit()
        expected = db.session.execute(select(Appeal.id).where(
            Appeal.status == AppealStatus.refusal_proposed, Appeal.assignee_id == responsible.id,
            (Appeal.hearing_recorded_on.is_not(None)) | (Appeal.objection_due_on < today()))).scalars().all()
    try:
        login(client, "responsible")
        with app.test_request_context():
            view = next(v for v in app.appbuilder.baseviews if isinstance(v, AppealView))
            url = view.work_list_url("decision")
        listed = client.get(url).get_data(as_text=True)
        assert record_count(listed) == len(expected)
        assert f"/appealview/show/{saved[0][0]}" in listed and f"/appealview/show/{saved[1][0]}" not in listed
    finally:
        with app.app_context():
            for pk, status, assignee, hearing, objection, ground, sent in saved:
                db.session.execute(update(Appeal).where(Appeal.id == pk).values(
                    status=status, assignee_id=assignee, hearing_recorded_on=hearing, objection_due_on=objection,
                    refusal_ground=ground, draft_sent_on=sent))
            db.session.commit()


def test_todays_receptions_are_on_the_desk(client, app):
    with app.app_context():
        from app.models import ReceptionSession

        s = db.session.execute(select(ReceptionSession).where(ReceptionSession.day == today(),
                                                              ReceptionSession.status != "cancelled")
                               .limit(1)).scalar_one_or_none()
    login(client, "manager")
    body = client.get("/").get_data(as_text=True)
    assert 'id="todays-receptions"' in body
    if s is not None:
        assert f"/receptionsessionview/show/{s.id}" in body


def test_an_oral_appeal_button_opens_the_form_with_the_channel_chosen(client):
    login(client, "clerk")
    body = client.get("/appealview/add?channel=oral").get_data(as_text=True)
    assert re.search(r'<option[^>]*selected[^>]*value="oral"|<option[^>]*value="oral"[^>]*selected', body)
    body = client.get("/appealview/add?channel=pigeon").get_data(as_text=True)  # not a channel: nothing chosen
    assert not re.search(r'<option[^>]*selected[^>]*value="pigeon"', body)
