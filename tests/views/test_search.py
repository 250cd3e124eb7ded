"""The navbar's global search through the real stack: scope, the privacy
boundary (no probing of a hidden ИИН or phone) and hostile input."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Appeal, Applicant
from app.services.search import clean, reg_number_of
from tests.conftest import login
from tests.security.test_scope_and_privacy import place_of


def _appeal(app, **where):
    with app.app_context():
        stmt = select(Appeal).order_by(Appeal.id)
        for k, v in where.items():
            stmt = stmt.where(getattr(Appeal, k) == v)
        a = db.session.execute(stmt.limit(1)).scalar_one()
        return a.id, a.reg_number, a.applicant_id, a.reception_place_id


def _applicant(app, pk):
    with app.app_context():
        a = db.session.get(Applicant, pk)
        return a.full_name, a.iin, a.phone


def test_reg_number_forms():
    assert reg_number_of("ЖТ-2026-000123") == "ЖТ-2026-000123"
    assert reg_number_of("жт-2026-123") == "ЖТ-2026-000123"
    assert reg_number_of(" 2026-123 ") == "ЖТ-2026-000123"
    assert reg_number_of("2026-1234567") is None
    assert reg_number_of("Иванов") is None
    assert clean("a\x00b" + "x" * 500) == "a b" + "x" * 197


def test_a_registration_number_opens_its_appeal_at_once(manager, app):
    pk, number, *_ = _appeal(app)
    for q in (number, number.lower(), number.split("-", 1)[1]):
        r = manager.get("/search/", query_string={"q": q})
        assert r.status_code == 302, q
        assert r.headers["Location"].endswith(f"/appealview/show/{pk}")


def test_an_iin_finds_the_applicant_and_their_appeals_for_a_role_that_sees_it(manager, app):
    pk, number, applicant_id, _ = _appeal(app)
    name, iin, _ = _applicant(app, applicant_id)
    body = manager.get("/search/", query_string={"q": iin}).get_data(as_text=True)
    assert name in body and iin in body
    assert number in body  # their latest appeals, one click away


def test_a_hidden_iin_or_phone_cannot_be_probed_by_search(client, app):
    pk, number, applicant_id, _ = _appeal(app)
    name, iin, phone = _applicant(app, applicant_id)
    login(client, "head")  # sees names, never an ИИН or a phone
    for q in (iin, iin[:8], phone, re.sub(r"\D", "", phone)):
        r = client.get("/search/", query_string={"q": q})
        assert r.status_code == 200
        body = r.get_data(as_text=True)
        assert name not in body, q  # nothing matched on a field the head may not see
        assert 'id="search-applicants"' not in body
    body = client.get("/search/", query_string={"q": name}).get_data(as_text=True)
    assert name in body and iin not in body  # found by name, the ИИН masked
    assert (iin[:4] + "******" + iin[-2:]) in body


def test_search_keeps_to_the_users_place(client, app):
    login(client, "clerk")
    place = place_of(app, "clerk")
    with app.app_context():
        other = db.session.execute(select(Appeal).where(Appeal.reception_place_id != place)
                                   .order_by(Appeal.id).limit(1)).scalar_one()
        number = other.reg_number
    r = client.get("/search/", query_string={"q": number})
    assert r.status_code == 200  # not a redirect to an appeal of another place
    body = r.get_data(as_text=True)
    assert f">{number}</a>" not in body and "q-search-appeals" not in body


def test_an_official_finds_only_appeals_to_them_and_no_applicants(client, app):
    login(client, "official")
    r = client.get("/search/", query_string={"q": "Иван"})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert 'id="search-applicants"' not in body


def test_words_of_the_substance_find_appeals(manager, app):
    with app.app_context():
        a = db.session.execute(select(Appeal).order_by(Appeal.id).limit(1)).scalar_one()
        word = max(re.findall(r"\w{6,}", a.substance), key=len)
    body = manager.get("/search/", query_string={"q": word[:6]}).get_data(as_text=True)
    assert "q-search-appeals" in body


@pytest.mark.parametrize("q", ["\x00", "a\x00b", "%", "_", "'; drop table appeal; --", "x" * 10000, str(2**63),
                               "ЖТ-9999-999999", "2026-", "«»", "\\", "*", '"', "ü" * 300])
def test_hostile_queries_get_an_answer_never_a_500(manager, q):
    r = manager.get("/search/", query_string={"q": q})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "Traceback" not in body and "sqlalchemy" not in body.lower()


def test_a_percent_sign_is_no_wildcard(manager):
    body = manager.get("/search/", query_string={"q": "%%"}).get_data(as_text=True)
    assert 'id="search-applicants"' not in body


def test_the_search_needs_a_login(client):
    r = client.get("/search/", query_string={"q": "Иван"})
    assert r.status_code in (302, 401)


def test_the_navbar_offers_the_search_to_who_may_read_appeals(manager):
    body = manager.get("/").get_data(as_text=True)
    assert 'id="q-global-search"' in body and 'role="search"' in body


# --- suggestions while typing (/search/suggest) ------------------------------
def _suggest(client, q):
    r = client.get("/search/suggest", query_string={"q": q})
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return r.get_json()["items"]


def test_suggestions_offer_the_appeal_of_a_number_and_the_applicant_of_a_name(manager, app):
    pk, number, applicant_id, _ = _appeal(app)
    name, iin, _ = _applicant(app, applicant_id)
    items = _suggest(manager, number)
    assert items[0]["label"] == number and items[0]["url"] == f"/appealview/show/{pk}"
    items = _suggest(manager, iin)
    assert any(i["url"] == f"/applicantview/show/{applicant_id}" and iin in i["label"] for i in items)
    assert items[-1]["url"].startswith("/search/?")  # and a way to every result


def test_suggestions_keep_the_scope_and_never_probe_a_hidden_field(client, app):
    pk, number, applicant_id, place = _appeal(app)
    name, iin, phone = _applicant(app, applicant_id)
    login(client, "head")
    for q in (iin, iin[:8], phone):
        assert not any(f"/applicantview/show/{applicant_id}" == i["url"] for i in _suggest(client, q)), q
    named = [i for i in _suggest(client, name) if i["url"] == f"/applicantview/show/{applicant_id}"]
    assert named and iin not in named[0]["label"]  # by name, the ИИН masked
    login(client, "clerk")
    with app.app_context():
        other = db.session.execute(select(Appeal).where(Appeal.reception_place_id != place_of(app, "clerk"))
                                   .order_by(Appeal.id).limit(1)).scalar_one()
        other_number, other_id = other.reg_number, other.id
    assert not any(i["url"] == f"/appealview/show/{other_id}" for i in _suggest(client, other_number))


@pytest.mark.parametrize("q", ["", "a", "\x00", "%", "x" * 10000, str(2**63), "'; drop table appeal; --"])
def test_hostile_suggestion_queries_answer_an_empty_or_plain_list(manager, q):
    items = _suggest(manager, q)
    assert isinstance(items, list)
    if q in ("", "a", "\x00", "%"):
        assert items == []


def test_suggestions_need_a_login(client):
    r = client.get("/search/suggest", query_string={"q": "Иван"})
    assert r.status_code in (302, 401) and b"applicantview" not in r.get_data()
