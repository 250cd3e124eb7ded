"""Repeat appeals (app/services/repeats.py): the applicant's other appeals,
those on the same topic first — in the appeal form as the applicant and the
topic are chosen, as a warning once a repeat is saved, and on the appeal's
page; always inside the reader's scope, and a person is matched by ИИН only
for a reader who may see ИИН."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, Applicant
from tests.conftest import login, make_appeal
from tests.security.test_scope_and_privacy import foreign_appeal, place_of  # noqa: F401 - a fixture
from tests.views.test_registers import _appeal_form, _form_ids


def _numbers(body: str) -> list[str]:
    return re.findall(r"ЖТ-\d{4}-\d+", body)


def _warnings(page: str) -> list[str]:
    """The texts of the page's yellow alerts."""
    return [" ".join(w.split()) for w in re.findall(r'class="alert alert-warning[^"]*"[^>]*>(.*?)</div>', page, re.S)]


def _repeater(app, username):
    """An applicant with at least two appeals the user may see, one of them
    on a topic its other appeals do not share: (applicant id, that appeal's
    category, its number, the numbers of all their visible appeals)."""
    place = place_of(app, username) if username.startswith("clerk") else None
    with app.app_context():
        where = [Appeal.reception_place_id == place] if place else []
        # a few appeals (other tests pile theirs on the first applicants): all fit in the list
        candidates = db.session.execute(
            select(Appeal.applicant_id).where(*where).group_by(Appeal.applicant_id)
            .having(func.count(func.distinct(Appeal.category_id)) >= 2, func.count() <= 6)
            .order_by(Appeal.applicant_id).limit(50)
        ).scalars().all()
        for applicant_id in candidates:
            appeals = db.session.execute(select(Appeal).where(Appeal.applicant_id == applicant_id, *where)
                                         .order_by(Appeal.id)).scalars().all()
            cats = [a.category_id for a in appeals]
            lonely = next((a for a in appeals if cats.count(a.category_id) == 1), None)
            iin = appeals[0].applicant.iin
            # a reader who sees ИИН also gets appeals filed under another record with the same ИИН: none here
            alone = iin is None or db.session.execute(
                select(func.count()).select_from(Applicant).where(Applicant.iin == iin)).scalar_one() == 1
            if lonely is not None and alone:
                return applicant_id, lonely.category_id, lonely.reg_number, {a.reg_number for a in appeals}
    raise AssertionError("the demo has no applicant with a few appeals on different topics")


def test_R15_the_form_shows_the_applicants_appeals_the_same_topic_first(client, app):
    login(client, "clerk")
    applicant, category, number, all_numbers = _repeater(app, "clerk")
    r = client.get(f"/appealview/repeats?applicant={applicant}&category={category}")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    listed = _numbers(body)
    assert listed[0] == number  # the one on this topic leads
    assert set(listed) <= all_numbers and len(listed) == min(len(all_numbers), 8)
    assert body.count("label-warning") == 1 and body.count('<tr class="warning">') == 1
    # without a topic the list is the same appeals, newest first, nothing marked
    plain = client.get(f"/appealview/repeats?applicant={applicant}").get_data(as_text=True)
    assert set(_numbers(plain)) == set(listed) and "label-warning" not in plain and "panel-default" in plain


def test_the_form_says_nothing_of_an_applicant_the_clerk_may_not_see(client, app, foreign_appeal):  # noqa: F811
    """Another place's applicant gets the very answer an unknown id gets:
    nothing to list, nothing to infer — and hostile ids are no 500."""
    appeal_id, reg_number, applicant_id = foreign_appeal
    login(client, "clerk")
    foreign = client.get(f"/appealview/repeats?applicant={applicant_id}")
    assert foreign.status_code == 200 and reg_number not in foreign.get_data(as_text=True)
    for junk in ("999999999", str(2**63), "-1", "abc", "1%00", "", "1e3"):
        r = client.get(f"/appealview/repeats?applicant={junk}&category={junk}")
        assert r.status_code == 200 and r.get_data() == foreign.get_data(), junk
    # the Clerk's own applicant still answers (the empty answers above are no broken endpoint)
    applicant, category, _number, _all = _repeater(app, "clerk")
    assert _numbers(client.get(f"/appealview/repeats?applicant={applicant}").get_data(as_text=True))


def test_the_repeats_endpoint_wants_a_login(client, app):
    applicant, *_ = _repeater(app, "clerk")
    client.get("/logout/")
    r = client.get(f"/appealview/repeats?applicant={applicant}")
    assert r.status_code in (302, 401) and not _numbers(r.get_data(as_text=True))


def test_R15_saving_a_repeat_warns_with_the_earlier_number_and_the_page_lists_it(client, app):
    login(client, "clerk")
    applicant, category, number, _all = _repeater(app, "clerk")
    ids = {**_form_ids(app), "applicant": applicant, "category": category, "place": place_of(app, "clerk")}
    r = client.post("/appealview/add", data=_appeal_form(ids, "2026-03-02 10:00:00", "Повтор 6601: снова о том же"))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    warnings = _warnings(page)
    assert any(number in w and "R15" in w for w in warnings), warnings
    panel = page[page.index('id="repeats"'):]
    assert _numbers(panel)[0] == number  # the earlier one on the same topic leads the page's list
    with app.app_context():
        new_number = db.session.execute(
            select(Appeal.reg_number).where(Appeal.substance == "Повтор 6601: снова о том же")).scalar_one()
    assert new_number not in _numbers(panel)  # the page lists the others, not the appeal itself


def test_a_first_appeal_on_a_topic_saves_with_no_warning(client, app):
    login(client, "clerk")
    ids = {**_form_ids(app), "place": place_of(app, "clerk")}
    data = _appeal_form(ids, "2026-03-02 10:00:00", "Первое 6602")
    data["applicant"] = ""
    data["new_applicant_name"] = "Впервые Пришедший Заявитель"
    r = client.post("/appealview/add", data=data)
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert not any("R15" in w for w in _warnings(page)) and 'id="repeats"' not in page


@pytest.fixture
def twin_record(app):
    """A second applicant record with the ИИН of a demo applicant (the same
    person entered again), with an appeal of its own: (the demo applicant's
    id, the twin appeal's number). The appeal stays (history is
    append-only); it is filed under a topic of its own."""
    from datetime import datetime, timedelta

    with app.app_context():
        few = select(Appeal.applicant_id).group_by(Appeal.applicant_id).having(func.count() <= 3)
        original = db.session.execute(  # a person with a few appeals: the twin's fits in the list
            select(Applicant).where(Applicant.iin.is_not(None), Applicant.id.in_(few), Applicant.kind == "individual")
            .order_by(Applicant.id.desc()).limit(1)).scalar_one()
        twin = Applicant(kind=original.kind, full_name=original.full_name, iin=original.iin, foreigner=False,
                         district_id=original.district_id)
        db.session.add(twin)
        db.session.commit()
        original_id, twin_id = original.id, twin.id
    appeal_id = make_appeal(app, datetime.now().replace(microsecond=0) - timedelta(days=1), substance="Двойник 6603")
    with app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        appeal.applicant_id = twin_id
        db.session.commit()
        number = appeal.reg_number
    return original_id, number


@pytest.mark.parametrize("username,sees", [("manager", True), ("head", False)])
def test_the_same_person_is_matched_by_iin_only_for_a_reader_who_sees_iin(client, app, twin_record, username, sees):
    """An appeal filed under another record with the same ИИН is the same
    person's for the Manager; the Head, who sees no ИИН, gets the record's
    own appeals only — the list does not tell them that two records share one."""
    original_id, twin_number = twin_record
    login(client, username)
    r = client.get(f"/appealview/repeats?applicant={original_id}")
    assert r.status_code == 200
    listed = _numbers(r.get_data(as_text=True))
    assert listed  # the record's own appeals, for both
    assert (twin_number in listed) is sees


def test_the_appeal_page_lists_the_applicants_other_appeals_and_not_itself(client, app):
    login(client, "manager")
    applicant, _category, number, all_numbers = _repeater(app, "manager")
    with app.app_context():
        appeal_id = db.session.execute(select(Appeal.id).where(Appeal.reg_number == number)).scalar_one()
    page = client.get(f"/appealview/show/{appeal_id}").get_data(as_text=True)
    panel = page[page.index('id="repeats"'):page.index("</table>", page.index('id="repeats"'))]
    listed = _numbers(panel)
    assert number not in listed and set(listed) <= all_numbers and listed


@pytest.fixture
def decided_earlier(app):
    """Two appeals of one applicant on one topic: the earlier closed with an
    answer, the later just registered: (later id, earlier id, earlier number)."""
    from datetime import datetime, timedelta

    from app.domain.vocabulary import AppealStatus

    now = datetime.now().replace(microsecond=0)
    earlier = make_appeal(app, now - timedelta(days=3), substance="Повтор 6604: первое")
    later = make_appeal(app, now - timedelta(days=1), substance="Повтор 6604: снова")
    with app.app_context():
        first = db.session.get(Appeal, earlier)
        first.status, first.final_answer, first.closed_on = AppealStatus.closed, "Дан ответ", first.registered_on
        db.session.commit()
        return later, earlier, first.reg_number


def test_R15_a_decided_earlier_appeal_offers_the_refusal_with_its_reference_filled(client, app, decided_earlier):
    later, earlier, number = decided_earlier
    login(client, "manager")
    page = client.get(f"/appealview/show/{later}").get_data(as_text=True)
    link = re.search(r'href="([^"]*propose-refusal[^"]*earlier=%d[^"]*)"' % earlier, page)
    assert link, "the repeats panel offers the refusal on ground 2"
    form = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'<option selected value="administrative_decision_exists"|'
                     r'<option value="administrative_decision_exists" selected', form)
    reference = re.search(r'id="reference"[^>]*value="([^"]*)"', form)
    assert reference and number in reference.group(1)
    assert re.search(r'id="motivation"[^>]*>\s*</textarea>', form)  # the motivation is the worker's to write


def test_the_refusal_prefill_takes_no_appeal_of_another_person(client, app, decided_earlier):
    later, _earlier, _number = decided_earlier
    login(client, "manager")
    with app.app_context():
        stranger = db.session.execute(select(Appeal).where(Appeal.applicant_id != db.session.get(Appeal, later)
                                                           .applicant_id).order_by(Appeal.id).limit(1)).scalar_one()
        stranger_id, stranger_number = stranger.id, stranger.reg_number
    for earlier in (stranger_id, str(2**63), "abc", "-1", later):
        form = client.get(f"/appeal-workflow/{later}/propose-refusal?ground=court_act_in_force&earlier={earlier}")
        assert form.status_code == 200
        body = form.get_data(as_text=True)
        assert stranger_number not in body
        assert not re.search(r'id="reference"[^>]*value="[^"]+"', body), earlier
    odd = client.get(f"/appeal-workflow/{later}/propose-refusal?ground=%00&earlier=1").get_data(as_text=True)
    assert "selected" not in odd.split('id="ground"')[1].split("</select>")[0]
