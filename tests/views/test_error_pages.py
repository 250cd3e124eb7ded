"""Error pages are inside the panel, translated, with the way back; the
API keeps answering JSON (SQLite and PostgreSQL)."""
from sqlalchemy import select

from app.extensions import db
from app.models import Appeal, UserPlace
from tests.conftest import login


def _lang(client, lang):
    client.get(f"/lang/{lang}")


def test_a_missing_page_is_a_translated_page_of_the_panel_with_the_way_home(client, app):
    login(client, "clerk")
    _lang(client, "kk")
    r = client.get("/no-such-page")
    text = r.get_data(as_text=True)
    assert r.status_code == 404 and 'id="error-page"' in text and "navbar" in text
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("kk"):
        title, home = gettext("Page not found"), gettext("Home page")
    assert title != "Page not found" and title in text and home in text
    assert "Werkzeug" not in text and "The requested URL was not found" not in text


def test_a_page_outside_the_write_scope_is_a_403_page_not_a_bare_one(client, app):
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="responsible")
        place = db.session.execute(select(UserPlace.place_id).where(UserPlace.user_id == user.id)).scalar_one()
        pk = db.session.execute(select(Appeal.id).where(Appeal.reception_place_id == place,
                                                        Appeal.status == "registered",
                                                        Appeal.assignee_id.is_(None)).limit(1)).scalar_one()
    login(client, "responsible")
    r = client.get(f"/appeal-workflow/{pk}/withdraw")
    assert r.status_code == 403 and 'id="error-page"' in r.get_data(as_text=True)


def test_the_api_keeps_answering_json(client, jwt):
    r = client.get("/api/v1/no_such_resource/", headers=jwt("manager"))
    assert r.status_code == 404 and r.is_json and r.get_json()["message"]
    r = client.patch("/api/v1/appeal/", headers=jwt("manager"))
    assert r.status_code == 405 and r.is_json


def test_an_unexpected_error_is_a_500_page_with_its_number_and_no_stack(app):
    from app.http_errors import unexpected

    with app.test_request_context("/appealview/list/"):
        from flask import g

        g.request_id = "abc123"
        response = unexpected(RuntimeError("SELECT secret FROM ab_user"))
        body = response.get_data(as_text=True)
    assert response.status_code == 500 and "abc123" in body
    assert "SELECT" not in body and "Traceback" not in body and "RuntimeError" not in body


def test_an_http_error_of_another_code_keeps_its_own_answer(app):
    from werkzeug.exceptions import NotFound, Unauthorized

    from app.http_errors import unexpected

    with app.test_request_context("/appealview/list/"):
        assert unexpected(NotFound()).status_code == 404
        passed_on = unexpected(Unauthorized())
    assert isinstance(passed_on, Unauthorized)
