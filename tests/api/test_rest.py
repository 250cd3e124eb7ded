"""The REST resources of CONTRACT.md through FAB's /api/v1 with JWT."""
import prison
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, Applicant, Category, District, Official, ReceptionPlace

RESOURCES = [
    "district", "department", "official", "category", "reception_place", "reception_session",
    "applicant", "appeal", "protocol", "instruction", "survey_call", "calendar_day",
]


def test_login_gives_a_jwt_and_bad_password_is_401(client):
    ok = client.post("/api/v1/security/login", json={"username": "manager", "password": "demo-pass-123", "provider": "db"})
    assert ok.status_code == 200 and ok.get_json()["access_token"]
    bad = client.post("/api/v1/security/login", json={"username": "manager", "password": "nope", "provider": "db"})
    assert bad.status_code == 401


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_resource_has_info_and_list(client, jwt, resource):
    h = jwt("manager")
    assert client.get(f"/api/v1/{resource}/_info", headers=h).status_code == 200
    r = client.get(f"/api/v1/{resource}/", headers=h)
    assert r.status_code == 200, r.get_data(as_text=True)
    if resource != "calendar_day":
        assert r.get_json()["count"] > 0


def test_appeal_read_has_computed_fields_and_ids(client, jwt):
    r = client.get("/api/v1/appeal/?q=" + prison.dumps({"page_size": 5}), headers=jwt())
    row = r.get_json()["result"][0]
    for key in ("reg_number", "registered_on", "answer_due_on", "status", "version", "applicant", "district"):
        assert key in row, key
    assert isinstance(row["applicant"], int) and isinstance(row["version"], int)
    one = client.get(f"/api/v1/appeal/{row['id']}", headers=jwt()).get_json()["result"]
    assert one["reg_number"] == row["reg_number"]


def _refs(app):
    with app.app_context():
        return {
            "applicant": db.session.execute(select(Applicant.id).order_by(Applicant.id).limit(1)).scalar_one(),
            "reception_place": db.session.execute(select(ReceptionPlace.id).limit(1)).scalar_one(),
            "district": db.session.execute(select(District.id).limit(1)).scalar_one(),
            "category": db.session.execute(select(Category.id).where(Category.parent_id.is_not(None)).limit(1)).scalar_one(),
            "official": db.session.execute(select(Official.id).where(Official.active.is_(True)).limit(1)).scalar_one(),
        }


def _appeal_body(app, **over):
    body = {
        "channel": "egov_portal", "received_at": "2022-05-26T10:00:00", "substance": "Прошу принять по вопросу газификации",
        "language": "kk", "privilege": None, "video_consent": False, "from_reception": False,
        **_refs(app),
    }
    body.update(over)
    return body


def test_R29_posting_an_appeal_returns_its_registration_and_answer_term(client, jwt, app):
    r = client.post("/api/v1/appeal/", json=_appeal_body(app, substance="API R29 4410"), headers=jwt())
    assert r.status_code == 201, r.get_data(as_text=True)
    new_id = r.get_json()["id"]
    got = client.get(f"/api/v1/appeal/{new_id}", headers=jwt()).get_json()["result"]
    assert got["registered_on"] == "2022-05-26"
    assert got["answer_due_on"] == "2022-06-15"
    assert got["status"] == "registered" and got["version"] == 1
    assert got["reg_number"].startswith("ЖТ-2022-")


def test_R25_received_after_18_30_registers_next_working_day_via_api(client, jwt, app):
    r = client.post("/api/v1/appeal/", json=_appeal_body(app, received_at="2026-03-20T19:00:00", substance="API R25 5520"), headers=jwt())
    assert r.status_code == 201, r.get_data(as_text=True)
    got = client.get(f"/api/v1/appeal/{r.get_json()['id']}", headers=jwt()).get_json()["result"]
    assert got["registered_on"] == "2026-03-26"


def test_future_received_at_is_422_with_rule_and_nothing_saved(client, jwt, app):
    r = client.post("/api/v1/appeal/", json=_appeal_body(app, received_at="2099-01-01T10:00:00", substance="API future 6630"), headers=jwt())
    assert r.status_code == 422
    assert r.get_json()["rule"] == "R25" and r.get_json()["message"]
    with app.app_context():
        assert not db.session.execute(select(func.count()).where(Appeal.substance == "API future 6630")).scalar_one()


def test_R2_appeal_may_name_only_an_active_official(client, jwt, app):
    with app.app_context():
        inactive = db.session.execute(select(Official.id).where(Official.active.is_(False)).limit(1)).scalar_one()
    r = client.post("/api/v1/appeal/", json=_appeal_body(app, official=inactive, substance="API inactive 7711"), headers=jwt())
    assert r.status_code == 422 and r.get_json()["rule"] == "R2"


@pytest.mark.parametrize(
    "patch",
    [
        {"channel": "pigeon"},
        {"language": "de"},
        {"received_at": "yesterday"},
        {"applicant": 99999999},
        {"applicant": "abc"},
        {"unknown_field": 1},
        {"substance": None},
    ],
)
def test_malformed_appeal_input_is_4xx_never_500(client, jwt, app, patch):
    body = _appeal_body(app, substance="API malformed 8821")
    body.update(patch)
    r = client.post("/api/v1/appeal/", json=body, headers=jwt())
    assert r.status_code in (400, 422), (patch, r.status_code, r.get_data(as_text=True))
    with app.app_context():
        assert not db.session.execute(select(func.count()).where(Appeal.substance == "API malformed 8821")).scalar_one()


def test_not_json_is_400(client, jwt):
    r = client.post("/api/v1/appeal/", data="not json", headers={**jwt(), "Content-Type": "text/plain"})
    assert r.status_code == 400
    r = client.post("/api/v1/appeal/", json=[1, 2], headers=jwt())
    assert r.status_code == 400


def test_applicant_with_bad_iin_is_refused(client, jwt, app):
    r = client.post("/api/v1/applicant/", json={"kind": "individual", "full_name": "API Bad IIN", "iin": "900101300008"}, headers=jwt())
    assert r.status_code in (400, 422)
    message = r.get_json()["message"]["iin"][0]
    assert "IIN" in message or "ИИН" in message
    ok = client.post("/api/v1/applicant/", json={"kind": "individual", "full_name": "API Good IIN", "iin": "900101300007"}, headers=jwt())
    assert ok.status_code == 201, ok.get_data(as_text=True)


def test_no_token_is_401(client):
    assert client.get("/api/v1/appeal/").status_code == 401


@pytest.mark.parametrize("pk", ["abc", "1.5", "-1", "99999999"])
def test_odd_primary_keys_are_404_not_500(client, jwt, pk):
    h = jwt()
    assert client.get(f"/api/v1/appeal/{pk}", headers=h).status_code in (404, 405)
    assert client.put(f"/api/v1/appeal/{pk}", json={"substance": "x"}, headers=h).status_code in (400, 404, 405, 422)
    assert client.put(f"/api/v1/appeal/{pk}", json={"substance": "x", "version": 1}, headers=h).status_code in (404, 405)
    assert client.delete(f"/api/v1/calendar_day/{pk}", headers=jwt("admin")).status_code in (404, 405)


def test_a_rison_argument_the_schema_refuses_is_a_400_every_time(client, jwt):
    """FAB's rison schemas are checked once per process (app/fab/rison.py);
    every request is still validated against them, the second like the first."""
    h = jwt()
    for _ in range(2):
        bad = client.get("/api/v1/appeal/?q=" + prison.dumps({"page_size": "many"}), headers=h)
        assert bad.status_code == 400, bad.get_data(as_text=True)
        assert "'many' is not of type 'integer'" in bad.get_json()["message"]
        ok = client.get("/api/v1/appeal/?q=" + prison.dumps({"page_size": 2}), headers=h)
        assert ok.status_code == 200 and len(ok.get_json()["result"]) == 2
