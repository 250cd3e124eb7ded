"""R38: sampling the applicants to call, the work list and the call form."""
from datetime import date

from sqlalchemy import select

from app.domain.vocabulary import CallOutcome
from app.extensions import db
from app.models import SurveyCall
from tests.conftest import login


def test_R38_sample_is_stratified_by_district_and_never_calls_twice(app):
    from flask import g

    from app.services.surveys import draw_sample

    with app.test_request_context():
        g.user = app.appbuilder.sm.find_user(username="manager")  # sampling runs as the manager who asks
        result = draw_sample(date(2000, 1, 1), date(2100, 1, 1), share=0.05, not_called_within_days=3650, seed=7)
        assert result.drawn > 0
        assert all(drawn >= 1 for candidates, drawn in result.by_district.values())
        again = draw_sample(date(2000, 1, 1), date(2100, 1, 1), share=1.0, not_called_within_days=3650, seed=7)
        planned = db.session.execute(select(SurveyCall.applicant_id).where(SurveyCall.outcome == CallOutcome.planned)).scalars().all()
        assert len(planned) == len(set(planned))  # nobody twice
        first = set(planned[: result.drawn])
        assert again.candidates + result.drawn <= result.candidates
        assert first


def test_R38_clerk_records_a_call_from_the_work_list(client, app):
    login(client, "manager")
    r = client.post("/surveys/sample", data={"start": "2000-01-01", "end": "2100-01-01", "share": "100",
                                              "max_size": "500", "not_called_within_days": "0"})
    assert r.status_code == 200
    login(client, "clerk")
    page = client.get("/surveys/worklist").get_data(as_text=True)
    import re

    ids = re.findall(r"/surveys/record/(\d+)", page)
    assert ids, "the clerk's place has planned calls"
    r = client.post(f"/surveys/record/{ids[0]}", data={"outcome": "reached"}, follow_redirects=True)
    assert "R38" in r.get_data(as_text=True)
    r = client.post(f"/surveys/record/{ids[0]}", data={"outcome": "reached", "satisfaction": "5", "resolved": "yes",
                                                      "politeness": "2", "clarity": "2", "comment": "Спасибо"})
    assert r.status_code == 302
    with app.app_context():
        call = db.session.get(SurveyCall, int(ids[0]))
        assert call.outcome == "reached" and call.satisfaction == 5 and call.called_at is not None
        assert call.caller_id == app.appbuilder.sm.find_user(username="clerk").id


def test_R38_no_answer_keeps_no_scores(client, app):
    login(client, "manager")
    client.post("/surveys/sample", data={"start": "2000-01-01", "end": "2100-01-01", "share": "100",
                                          "max_size": "500", "not_called_within_days": "0"})
    with app.app_context():
        call_id = db.session.execute(select(SurveyCall.id).where(SurveyCall.outcome == CallOutcome.planned).limit(1)).scalar_one()
    r = client.post(f"/surveys/record/{call_id}", data={"outcome": "no_answer", "satisfaction": "5"})
    assert r.status_code == 302
    with app.app_context():
        call = db.session.get(SurveyCall, call_id)
        assert call.outcome == "no_answer" and call.satisfaction is None


def test_R38_phone_is_masked_for_a_head_on_the_work_list(client, app):
    login(client, "head")
    page = client.get("/surveys/worklist").get_data(as_text=True)
    assert "Record the call" not in page and "/surveys/record/" not in page
    assert client.get("/surveys/sample").status_code in (302, 403)


# --- M5.8: consultations, and R38's sample drawn from those who declined ----------
def _clerk_refs(app, username="clerk"):
    """The clerk's place, an applicant of that place with an appeal there, and a topic."""
    from app.models import Appeal, Category, UserPlace

    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        place_id = db.session.execute(select(UserPlace.place_id).where(UserPlace.user_id == user.id)).scalar_one()
        appeal = db.session.execute(select(Appeal).where(Appeal.reception_place_id == place_id)
                                    .order_by(Appeal.id).limit(1)).scalar_one()
        topic = db.session.execute(select(Category.id).where(Category.parent_id.is_not(None)).limit(1)).scalar_one()
        return {"place": place_id, "applicant": appeal.applicant_id, "appeal": appeal.id, "topic": topic,
                "user": user.id}


def _consultation(refs, **over):
    body = {"given_at": "2026-11-02T10:30:00", "reception_place": refs["place"], "channel": "oral",
            "category": refs["topic"], "applicant": refs["applicant"], "question": "Как записаться к акиму",
            "outcome": "declined"}
    body.update(over)
    return body


def test_M5_8_a_clerk_records_a_consultation_at_their_place_with_who_when_and_what_then(client, jwt, app):
    from app.models import Consultation

    refs = _clerk_refs(app)
    r = client.post("/api/v1/consultation/", json=_consultation(refs), headers=jwt("clerk"))
    assert r.status_code == 201, r.get_data(as_text=True)
    with app.app_context():
        c = db.session.get(Consultation, r.get_json()["id"])
        assert c.given_by_id == refs["user"] and c.district_id is not None and c.outcome == "declined"
    got = client.get(f"/api/v1/consultation/{c.id}", headers=jwt("clerk")).get_json()["result"]
    assert got["outcome"] == "declined" and got["given_by"] == refs["user"] and got["appeal"] is None
    # the other reception centre's clerk does not see it, nor may a consultation be deleted
    assert client.get(f"/api/v1/consultation/{c.id}", headers=jwt("clerk2")).status_code == 404
    assert client.delete(f"/api/v1/consultation/{c.id}", headers=jwt("manager")).status_code in (403, 405)


def test_M5_8_registered_names_an_appeal_of_the_same_person(client, jwt, app):
    from app.models import Appeal

    refs = _clerk_refs(app)
    r = client.post("/api/v1/consultation/", json=_consultation(refs, outcome="registered"), headers=jwt("clerk"))
    assert r.status_code == 422 and r.get_json()["rule"] == "M5.8"
    with app.app_context():
        other = db.session.execute(select(Appeal.id).where(Appeal.reception_place_id == refs["place"],
                                                           Appeal.applicant_id != refs["applicant"]).limit(1)).scalar_one()
    r = client.post("/api/v1/consultation/", json=_consultation(refs, outcome="registered", appeal=other),
                    headers=jwt("clerk"))
    assert r.status_code == 422 and r.get_json()["rule"] == "M5.8"
    r = client.post("/api/v1/consultation/", json=_consultation(refs, outcome="registered", appeal=refs["appeal"]),
                    headers=jwt("clerk"))
    assert r.status_code == 201, r.get_data(as_text=True)
    assert client.get(f"/api/v1/consultation/{r.get_json()['id']}", headers=jwt("clerk")).get_json()["result"][
        "appeal"] == refs["appeal"]


def test_M5_8_no_consultation_in_the_future_nor_at_another_place(client, jwt, app):
    from app.models import Consultation

    refs = _clerk_refs(app)
    # a time with its offset is the local time it names (not a 500)
    r = client.post("/api/v1/consultation/", json=_consultation(refs, given_at="2026-11-02T07:30:00+02:00"),
                    headers=jwt("clerk"))
    assert r.status_code == 201, r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Consultation, r.get_json()["id"]).given_at.isoformat() == "2026-11-02T10:30:00"
    r = client.post("/api/v1/consultation/", json=_consultation(refs, given_at="2099-01-01T10:00:00+05:00"),
                    headers=jwt("clerk"))
    assert r.status_code == 422
    r = client.post("/api/v1/consultation/", json=_consultation(refs, given_at="2099-01-01T10:00:00"),
                    headers=jwt("clerk"))
    assert r.status_code in (400, 422)
    other = _clerk_refs(app, "clerk2")
    r = client.post("/api/v1/consultation/", json=_consultation(refs, reception_place=other["place"]),
                    headers=jwt("clerk"))
    assert r.status_code in (403, 422)


def test_R38_the_sample_is_of_people_who_declined_to_register_after_a_consultation(client, jwt, app):
    from flask import g

    from app.domain.vocabulary import ConsultationOutcome
    from app.models import Appeal, Consultation
    from app.services.surveys import draw_sample

    with app.app_context():
        called = select(SurveyCall.applicant_id)
        people = db.session.execute(select(Appeal.applicant_id).where(Appeal.applicant_id.not_in(called))
                                    .group_by(Appeal.applicant_id).order_by(Appeal.applicant_id.desc())
                                    .limit(2)).scalars().all()
        fresh = [db.session.execute(select(Appeal).where(Appeal.applicant_id == p).order_by(Appeal.id)
                                    .limit(1)).scalar_one() for p in people]
        declined_ref = {"place": fresh[0].reception_place_id, "applicant": fresh[0].applicant_id,
                        "topic": fresh[0].category_id}
        registered_ref = {"place": fresh[1].reception_place_id, "applicant": fresh[1].applicant_id,
                          "topic": fresh[1].category_id}
        registered_appeal = fresh[1].id
    assert declined_ref["applicant"] != registered_ref["applicant"]
    when = date.today().isoformat() + "T00:05:00"
    assert client.post("/api/v1/consultation/", json=_consultation(declined_ref, given_at=when),
                       headers=jwt("manager")).status_code == 201
    assert client.post("/api/v1/consultation/", json=_consultation(registered_ref, given_at=when, outcome="registered",
                                                                   appeal=registered_appeal),
                       headers=jwt("manager")).status_code == 201
    with app.test_request_context():
        g.user = app.appbuilder.sm.find_user(username="manager")
        before = set(db.session.execute(select(SurveyCall.id)).scalars())
        result = draw_sample(date(2000, 1, 1), date(2100, 1, 1), share=1.0, not_called_within_days=0, seed=3)
        new = db.session.execute(select(SurveyCall).where(SurveyCall.id.not_in(before))).scalars().all()
        assert result.drawn == len(new) > 0
        for call in new:
            consultation = db.session.get(Consultation, call.consultation_id)
            assert call.appeal_id is None and consultation.outcome == ConsultationOutcome.declined
            assert consultation.applicant_id == call.applicant_id
        drawn = {c.applicant_id for c in new}
        assert declined_ref["applicant"] in drawn and registered_ref["applicant"] not in drawn


def test_R38_a_call_about_a_consultation_is_a_call_to_its_applicant(client, jwt, app):
    from app.models import Applicant, Consultation

    with app.app_context():
        c = db.session.execute(select(Consultation).order_by(Consultation.id).limit(1)).scalar_one()
        other = db.session.execute(select(Applicant.id).where(Applicant.id != c.applicant_id).limit(1)).scalar_one()
    r = client.post("/api/v1/survey_call/", json={"applicant": other, "consultation": c.id, "outcome": "no_answer",
                                                  "called_at": "2026-11-20T10:00:00"}, headers=jwt("manager"))
    assert r.status_code == 422 and r.get_json()["rule"] == "R38"
    # the right applicant; a time with its offset is the local time it names
    r = client.post("/api/v1/survey_call/", json={"applicant": c.applicant_id, "consultation": c.id,
                                                  "outcome": "no_answer", "called_at": "2026-11-20T08:00:00+03:00"},
                    headers=jwt("manager"))
    assert r.status_code == 201 and r.get_json()["result"]["called_at"] == "2026-11-20T10:00:00"


def test_M5_8_the_consultations_register_in_the_browser(client, app):
    login(client, "clerk")
    page = client.get("/consultationview/list/")
    assert page.status_code == 200
    assert client.get("/consultationview/add").status_code == 200
    login(client, "official")
    assert client.get("/consultationview/list/").status_code in (302, 403)
