"""The earlier appeals most like this one on its topic (app/services/similar.py,
app/domain/similarity.py) and the links between appeals found to be the same
question: scored alike on both databases, always inside the reader's scope,
one click to the refusal an earlier decision supports (R15 grounds 2, 3, 5),
and a link keeps the other appeal's handlers off this one (R37)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from app.domain import similarity
from app.domain.vocabulary import AppealStatus
from app.extensions import db
from app.models import Appeal, AppealEvent, AppealLink, Applicant, Category
from app.services import similar
from bench.same_question import generate, measure
from tests.conftest import login

WATER = "Прошу принять по вопросу отсутствия водоснабжения в с. Коктал по ул. Жамбыла с 12 марта, дом 17."
WATER_AGAIN = "В селе Коктал на улице Жамбыла, 17 нет воды с 12 марта, просим восстановить подачу воды."
WATER_KK = "Көктал ауылы, Жамбыл көшесі, 17 үйде 12 наурыздан бері сумен жабдықтау жоқ, көмектесуіңізді сұраймын."
OTHER_PLACE = "Прошу принять по вопросу отсутствия водоснабжения в с. Лепсы по ул. Гагарина с 12 марта."


# --- the pure score --------------------------------------------------------------------------
def test_the_same_problem_at_the_same_place_scores_high_and_another_place_low():
    weight = similarity.rarity([similarity.terms(t) | similarity.anchors(t) for t in (WATER, WATER_AGAIN, OTHER_PLACE)])
    same = similarity.score(WATER, WATER_AGAIN, weight)
    other = similarity.score(WATER, OTHER_PLACE, weight)
    assert same >= similar.THRESHOLD > other
    assert similarity.score(WATER, WATER) == 1.0


def test_names_are_one_across_kazakh_and_russian_spellings():
    assert {"кокт", "жамб", "17"} <= similarity.anchors(WATER_KK) & similarity.anchors(WATER)
    assert "аба" in similarity.anchors("ул. Абая") & similarity.anchors("Абай көшесі")
    assert "ауез" in similarity.anchors("ул. Ауэзова") & similarity.anchors("Әуезов көшесі")


def test_the_labelled_set_keeps_its_precision_and_recall():
    """The figures of docs/performance.md on a smaller draw: the threshold in
    use must keep precision ≥ 0.9 and recall ≥ 0.65 on "the same question"."""
    m = measure(generate(500, seed=3), similar.THRESHOLD)
    assert m["pairs_same"] > 100
    assert m["precision"] >= 0.9, m
    assert m["recall"] >= 0.65, m


# --- through the database ---------------------------------------------------------------------
def _clerk_place(app):
    from app.security.scope import place_of

    with app.app_context():
        return place_of(app.appbuilder.sm.find_user(username="clerk"))


def _pair(app, place, text_a=WATER, text_b=WATER_AGAIN, same_applicant=False, house=None):
    """Two appeals at ``place`` on one topic (the second later), of two applicants unless told."""
    import random

    from app.models import Official, ReceptionPlace
    from app.services.appeals import prepare_registration
    from app.services.clock import now_local

    house = house or str(random.randint(100, 9999))  # each pair its own house: other tests' pairs are other questions
    text_a, text_b = text_a.replace("17", house), text_b.replace("17", house)
    ids = []
    with app.app_context():
        topic = db.session.execute(select(Category).where(Category.code == "01.01")).scalar_one()
        official = db.session.execute(select(Official).where(Official.active.is_(True)).limit(1)).scalar_one()
        at = db.session.get(ReceptionPlace, place)
        # people of their own, with no ИИН: nobody else's appeal becomes theirs, nor visible at another place
        people = [Applicant(kind="individual", full_name=f"Сходство Тест {house}-{i}", district=at.district,
                            registered_place_id=place) for i in (1, 2)]
        db.session.add_all(people)
        for text, person in ((text_a, people[0]), (text_b, people[0] if same_applicant else people[1])):
            appeal = Appeal(channel="by_hand", received_at=now_local().replace(microsecond=0), language="ru",
                            substance=text, applicant=person, reception_place=at, category=topic, official=official,
                            district=person.district or at.district)
            prepare_registration(appeal, None)
            db.session.add(appeal)
            db.session.commit()
            ids.append(appeal.id)
    return ids[0], ids[1]


def _cleanup(app, *ids):
    with app.app_context():
        db.session.execute(delete(AppealLink).where(AppealLink.appeal_id.in_(ids) | AppealLink.linked_id.in_(ids)))
        db.session.commit()


def test_the_appeal_page_lists_a_like_appeal_of_another_person_and_its_likeness(app, client):
    place = _clerk_place(app)
    a, b = _pair(app, place)
    login(client, "clerk")
    page = client.get(f"/appealview/show/{b}").get_data(as_text=True)
    assert f'data-url="/appealview/similar/{b}"' in page  # the page asks for the panel once it is shown
    body = client.get(f"/appealview/similar/{b}").get_data(as_text=True)
    rows = re.findall(r'<tr data-similar="(\d+)">(.*?)</tr>', body, re.S)
    assert str(a) in [pk for pk, _ in rows]
    row = dict(rows)[str(a)]
    assert re.search(r"\b\d{2,3} %", row) and "q-link" in row


def test_a_like_appeal_at_another_place_is_not_shown_to_a_clerk(app, client):
    from app.models import ReceptionPlace

    place = _clerk_place(app)
    with app.app_context():
        other = db.session.execute(select(ReceptionPlace.id).where(ReceptionPlace.id != place)).scalars().first()
    a, b = _pair(app, other, house="4242")
    _c, mine = _pair(app, place, text_a=OTHER_PLACE, text_b=WATER, house="4242")
    login(client, "clerk")
    body = client.get(f"/appealview/similar/{mine}").get_data(as_text=True)
    assert f'data-similar="{a}"' not in body and f'data-similar="{b}"' not in body
    login(client, "manager")
    body = client.get(f"/appealview/similar/{mine}").get_data(as_text=True)
    assert f'data-similar="{a}"' in body or f'data-similar="{b}"' in body


def test_the_add_form_shows_like_appeals_as_the_text_is_typed_within_scope(app, client):
    place = _clerk_place(app)
    a, _b = _pair(app, place)
    with app.app_context():
        topic = db.session.get(Appeal, a).category_id
        applicant = db.session.get(Appeal, a).applicant_id
        typed = db.session.get(Appeal, _b).substance
    login(client, "clerk")
    r = client.get("/appealview/repeats", query_string={"applicant": applicant, "category": topic,
                                                        "substance": typed})
    assert r.status_code == 200 and f'data-similar="{a}"' in r.get_data(as_text=True)
    for hostile in ("\x00" * 50, "Ж" * 100000, "Коктал" * 5000):
        r = client.get("/appealview/repeats", query_string={"category": topic, "substance": hostile})
        assert r.status_code == 200
    r = client.get("/appealview/repeats", query_string={"category": 2**63, "substance": WATER_AGAIN})
    assert r.status_code == 200 and "data-similar" not in r.get_data(as_text=True)


def test_R15_R37_linking_records_both_histories_and_keeps_the_linked_handlers_off(app, client):
    from app.services.receptions import handled_before

    place = _clerk_place(app)
    a, b = _pair(app, place)
    with app.app_context():
        handler = app.appbuilder.sm.find_user(username="responsible").id
        db.session.get(Appeal, a).assignee_id = handler
        db.session.commit()
    login(client, "clerk")
    r = client.post(f"/appeal-workflow/{b}/link", data={"other": a, "note": "тот же вопрос"})
    assert r.status_code == 302
    with app.app_context():
        events = db.session.execute(select(AppealEvent.appeal_id, AppealEvent.reason).where(
            AppealEvent.action == "link", AppealEvent.appeal_id.in_([a, b]))).all()
        assert {e[0] for e in events} == {a, b} and all(e[1] == "тот же вопрос" for e in events)
        assert handler in handled_before(db.session.get(Appeal, b))  # R37: the linked appeal's handler
    body = client.get(f"/appealview/similar/{b}").get_data(as_text=True)
    assert "linked-appeals" in body
    r = client.post(f"/appeal-workflow/{b}/link", data={"other": a}, follow_redirects=True)
    assert r.status_code == 200 and "alert-warning" in r.get_data(as_text=True)  # twice: told, nothing added
    with app.app_context():
        assert len(db.session.execute(select(AppealLink).where(AppealLink.linked_id == max(a, b))).all()) == 1
    assert client.post(f"/appeal-workflow/{b}/unlink", data={"other": a}).status_code == 302
    with app.app_context():
        assert not similar.linked_ids(b)
        assert db.session.execute(select(AppealEvent.id).where(AppealEvent.action == "unlink",
                                                               AppealEvent.appeal_id == a)).first()
        db.session.get(Appeal, a).assignee_id = None
        db.session.commit()


@pytest.mark.parametrize("other", ["2**63", str(2**63), "-1", "abc", "\x00", ""])
def test_linking_to_no_appeal_is_404_and_changes_nothing(app, client, other):
    place = _clerk_place(app)
    _a, b = _pair(app, place)
    login(client, "clerk")
    assert client.post(f"/appeal-workflow/{b}/link", data={"other": other}).status_code in (400, 404)
    assert client.post(f"/appeal-workflow/{b}/link", data={"other": b}).status_code == 404  # itself
    with app.app_context():
        assert not similar.linked_ids(b)


def test_an_appeal_at_another_place_cannot_be_linked_nor_linked_to(app, client):
    from app.models import ReceptionPlace

    place = _clerk_place(app)
    with app.app_context():
        other = db.session.execute(select(ReceptionPlace.id).where(ReceptionPlace.id != place)).scalars().first()
    theirs, _x = _pair(app, other)
    _y, mine = _pair(app, place)
    login(client, "clerk")
    assert client.post(f"/appeal-workflow/{mine}/link", data={"other": theirs}).status_code == 404
    assert client.post(f"/appeal-workflow/{theirs}/link", data={"other": mine}).status_code == 404
    login(client, "head")  # reads everything, writes nothing
    assert client.post(f"/appeal-workflow/{mine}/link", data={"other": _y}).status_code in (302, 403)
    with app.app_context():
        assert not similar.linked_ids(mine) and not similar.linked_ids(theirs)
    _cleanup(app, mine, theirs, _y)


def test_twenty_parallel_links_of_one_pair_make_one_link(app):
    from concurrent.futures import ThreadPoolExecutor

    from app.services.errors import Conflict

    a, b = _pair(app, _clerk_place(app))

    def one(_):
        with app.app_context():
            user = app.appbuilder.sm.find_user(username="manager")
            try:
                similar.link(b, a, user)
                return "linked"
            except Conflict:
                return "conflict"

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(20)))
    assert results.count("linked") == 1 and results.count("conflict") == 19
    _cleanup(app, a, b)


@pytest.mark.parametrize("earlier_status,ground,offered", [
    (AppealStatus.closed, "administrative_decision_exists", "ground 2"),
    (AppealStatus.refused, "court_act_in_force", "ground 3"),
    (AppealStatus.withdrawn, "withdrawn", "ground 5"),
])
def test_R15_the_same_persons_earlier_appeal_offers_the_refusal_it_supports_with_its_reference(
        app, client, earlier_status, ground, offered):
    a, b = _pair(app, _clerk_place(app), same_applicant=True)
    with app.app_context():
        earlier = db.session.get(Appeal, a)
        before = (earlier.status, earlier.refusal_ground, earlier.refusal_reference)
        earlier.status = earlier_status
        if earlier_status is AppealStatus.refused:
            earlier.refusal_ground, earlier.refusal_reference = "court_act_in_force", "решение суда № 2-345/2026"
        db.session.commit()
    try:
        login(client, "clerk")
        body = client.get(f"/appealview/similar/{b}").get_data(as_text=True)
        section = re.search(r'id="similar".*?</table>', body, re.S).group(0)
        assert f'data-ground="{ground}"' in section
        url = re.search(rf'href="([^"]+ground={ground}[^"]*)"', section).group(1).replace("&amp;", "&")
        form = client.get(url).get_data(as_text=True)
        assert f'value="{ground}" selected' in form or f'<option selected value="{ground}"' in form
        with app.app_context():
            number = db.session.get(Appeal, a).reg_number
        assert number in form
        if ground == "court_act_in_force":
            assert "2-345/2026" in form
    finally:
        with app.app_context():
            earlier = db.session.get(Appeal, a)
            earlier.status, earlier.refusal_ground, earlier.refusal_reference = before
            db.session.commit()


def test_an_earlier_appeal_of_another_person_offers_no_refusal(app, client):
    a, b = _pair(app, _clerk_place(app))
    with app.app_context():
        earlier = db.session.get(Appeal, a)
        earlier.status = AppealStatus.closed
        db.session.commit()
    try:
        login(client, "clerk")
        body = client.get(f"/appealview/similar/{b}").get_data(as_text=True)
        row = re.search(rf'<tr data-similar="{a}">(.*?)</tr>', body, re.S).group(1)
        assert "data-ground" not in row  # a decision on someone else's appeal is no ground for this one
    finally:
        with app.app_context():
            db.session.get(Appeal, a).status = AppealStatus.registered
            db.session.commit()


def test_each_databases_text_search_finds_the_candidates(app):
    """The candidates come from each database's own text search (FTS5,
    tsvector); the score is the same Python on both."""
    a, b = _pair(app, _clerk_place(app))
    with app.app_context():
        appeal = db.session.get(Appeal, b)
        user = app.appbuilder.sm.find_user(username="manager")
        hit = next(s for s in similar.similar_appeals(appeal.substance, appeal.category, exclude_id=b, user=user)
                   if s.id == a)
        assert similar.THRESHOLD <= hit.score <= 1.0


@pytest.mark.parametrize("pk", [str(2**63), "-1", "abc", "0"])
def test_the_panel_of_no_appeal_or_another_places_is_404(app, client, pk):
    from app.models import ReceptionPlace

    login(client, "clerk")
    assert client.get(f"/appealview/similar/{pk}").status_code == 404
    with app.app_context():
        other = db.session.execute(select(ReceptionPlace.id).where(ReceptionPlace.id != _clerk_place(app))
                                   ).scalars().first()
    theirs, _x = _pair(app, other)
    assert client.get(f"/appealview/similar/{theirs}").status_code == 404


def test_a_reader_who_may_not_change_the_appeal_gets_no_link_or_refusal_buttons(app, client):
    a, b = _pair(app, _clerk_place(app), same_applicant=True)
    login(client, "head")
    body = client.get(f"/appealview/similar/{b}").get_data(as_text=True)
    assert f'data-similar="{a}"' in body and "q-link" not in body and "data-ground" not in body


def test_R15_the_reference_is_filled_in_the_applicants_language_whatever_the_workers(app, client):
    a, b = _pair(app, _clerk_place(app), same_applicant=True)
    with app.app_context():
        earlier, later = db.session.get(Appeal, a), db.session.get(Appeal, b)
        before = earlier.status
        earlier.status = AppealStatus.closed
        later.language = "ru"
        db.session.commit()
        number = earlier.reg_number
    try:
        login(client, "clerk")
        client.get("/lang/kk")  # the worker reads Kazakh; the applicant wrote in Russian
        form = client.get(f"/appeal-workflow/{b}/propose-refusal",
                          query_string={"ground": "administrative_decision_exists", "earlier": a}).get_data(as_text=True)
        assert f"обращение {number} от" in form and "өтініш" not in re.search(
            r'id="reference"[^>]*value="([^"]*)"', form).group(1)
    finally:
        client.get("/lang/en")
        with app.app_context():
            db.session.get(Appeal, a).status = before
            db.session.commit()
