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
