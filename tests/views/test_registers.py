"""The registers in the browser's stead: FAB test client, logged-in users,
a real database (SQLite and PostgreSQL)."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, AppealEvent, Applicant, Category, District, Official, ReceptionPlace
from app.views import MENU
from tests.conftest import login
from tests.querycount import count_queries

LIST_URLS = [f"/{view.__name__.lower()}/list/" for view, *_ in MENU]


@pytest.mark.parametrize("url", LIST_URLS)
def test_every_register_lists_its_rows_for_the_manager(manager, app, url):
    r = manager.get(url)
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    if "calendardayview" in url:
        return  # no overrides in the demo data: the national calendar applies
    assert record_count(body) > 0, url


def test_anonymous_user_is_sent_to_login(client):
    r = client.get("/appealview/list/")
    assert r.status_code in (302, 401)
    assert "/login" in r.headers.get("Location", "")


def test_appeal_list_shows_translated_labels_not_codes(manager):
    body = manager.get("/appealview/list/?_l_=en").get_data(as_text=True)
    assert "registered</td>" not in body.replace(" ", "")
    assert re.search(r"Registered|Closed|Received|Refused", body)


@pytest.mark.parametrize("url", ["/appealview/list/", "/instructionview/list/", "/surveycallview/list/",
                                 "/receptionsessionview/list/", "/protocolview/list/", "/officialview/list/"])
def test_list_page_query_count_does_not_grow_with_page_size(manager, app, url):
    manager.get(url)  # warm caches (permissions, menu)
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as small:
        assert manager.get(url + "?psize_" + _view_name(url) + "=10").status_code == 200
    with count_queries(engine) as large:
        assert manager.get(url + "?psize_" + _view_name(url) + "=100").status_code == 200
    # the same queries whatever the page size; the only difference allowed is the
    # one read of the calendar overrides when the page shows an appeal whose term runs
    assert abs(len(small) - len(large)) <= 1, (len(small), len(large))
    assert len(large) <= 6, large


def record_count(body: str) -> int:
    """The "Record Count: N" of a FAB list page (0 when it shows no records)."""
    m = re.search(r"<strong>[^<]*:\s*</strong>\s*([\d\s\xa0\u202f]+)", body)
    return int(re.sub(r"\D", "", m.group(1))) if m else 0


def _view_name(url: str) -> str:
    from app.views import MENU

    for view, *_ in MENU:
        if view.__name__.lower() in url:
            return view.__name__
    raise AssertionError(url)


def test_list_has_a_deterministic_order_with_id_tie_breaker(manager, app):
    with app.app_context(), count_queries(db.engine) as stmts:
        manager.get("/appealview/list/")
    selects = [s for s in stmts if "FROM appeal" in s and "ORDER BY" in s]
    assert selects and all("appeal.id" in s.split("ORDER BY")[1] for s in selects), selects


def test_search_is_case_insensitive_for_cyrillic_and_kazakh(manager, app):
    with app.app_context():
        topic = db.session.execute(select(Category).where(Category.name_ru == "Водоснабжение")).scalar_one()
        kk_upper = topic.name_kk.upper()
    body = manager.get("/categoryview/list/?_flt_2_name_ru=водоснабжение").get_data(as_text=True)
    assert "Водоснабжение" in body and record_count(body) >= 1
    body = manager.get(f"/categoryview/list/?_flt_2_name_kk={kk_upper}").get_data(as_text=True)
    assert "Водоснабжение" in body and record_count(body) >= 1
    body = manager.get("/categoryview/list/?_flt_2_name_ru=ВОДОСНАБЖЕНИЕЪЪ").get_data(as_text=True)
    assert record_count(body) == 0


def test_appeal_substance_search_folds_case(manager, app):
    with app.app_context():
        substance = db.session.execute(select(Appeal.substance).order_by(Appeal.id).limit(1)).scalar_one()
    word = next(w for w in substance.split() if len(w) > 6 and w.isalpha())
    body = manager.get(f"/appealview/list/?_flt_2_substance={word.upper()}").get_data(as_text=True)
    assert record_count(body) >= 1


def _form_ids(app):
    with app.app_context():
        return {
            "applicant": db.session.execute(select(Applicant.id).order_by(Applicant.id).limit(1)).scalar_one(),
            "place": db.session.execute(select(ReceptionPlace.id).order_by(ReceptionPlace.id).limit(1)).scalar_one(),
            "district": db.session.execute(select(District.id).order_by(District.id).limit(1)).scalar_one(),
            "category": db.session.execute(select(Category.id).where(Category.parent_id.is_not(None)).limit(1)).scalar_one(),
            "official": db.session.execute(select(Official.id).where(Official.active.is_(True)).order_by(Official.id).limit(1)).scalar_one(),
        }


def _appeal_form(ids, received_at: str, substance="Прошу принять по вопросу ремонта дороги"):
    return {
        "channel": "by_hand", "received_at": received_at, "applicant": ids["applicant"],
        "reception_place": ids["place"], "district": ids["district"], "category": ids["category"],
        "official": ids["official"], "substance": substance, "language": "ru", "privilege": "",
    }


def test_R25_registering_an_appeal_in_the_form_computes_number_date_and_R29_term(manager, app):
    ids = _form_ids(app)
    marker = "Проверка регистрации R25 — уникальный текст 7741"
    r = manager.post("/appealview/add", data=_appeal_form(ids, "2026-03-21 10:00:00", marker))
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with app.app_context():
        appeal = db.session.execute(select(Appeal).where(Appeal.substance == marker)).scalar_one()
        assert appeal.registered_on.isoformat() == "2026-03-26"  # Nauryz, then the weekend
        assert appeal.answer_due_on == appeal.due_on
        assert appeal.reg_number.startswith("ЖТ-2026-")
        assert appeal.version == 1 and appeal.status == "registered"
        events = db.session.execute(select(AppealEvent).where(AppealEvent.appeal_id == appeal.id)).scalars().all()
        assert [(e.action, e.rule) for e in events] == [("register", "R25")]
    # the clerk lands on the new appeal, told its number, day and term — not on the list with "Added Row"
    assert r.headers["Location"].endswith(f"/appealview/show/{appeal.id}")
    page = manager.get(r.headers["Location"]).get_data(as_text=True)
    assert f"{appeal.reg_number}" in page and "26.03.2026" in page
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("ru"):
        told = gettext("Appeal %(number)s registered on %(day)s; the answer is due by %(due)s (R29).",
                       number=appeal.reg_number, day="26.03.2026", due=appeal.answer_due_on.strftime("%d.%m.%Y"))
        fab_default = gettext("Added Row")
    assert told in page and fab_default not in page


def test_future_receipt_date_is_refused_with_a_message_and_nothing_is_saved(manager, app):
    ids = _form_ids(app)
    marker = "Будущее обращение 9931"
    future = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    r = manager.post("/appealview/add", data=_appeal_form(ids, future, marker), follow_redirects=True)
    assert r.status_code == 200
    assert "R25" in r.get_data(as_text=True)
    with app.app_context():
        assert not db.session.execute(select(func.count()).where(Appeal.substance == marker)).scalar_one()


def test_bad_iin_in_the_applicant_form_is_refused_and_nothing_is_saved(manager, app):
    r = manager.post(
        "/applicantview/add?_l_=en",
        data={"kind": "individual", "full_name": "Тестов Тест Плохойиин", "iin": "900101300008", "privilege": ""},
    )
    assert r.status_code == 200
    assert "Not a valid IIN" in r.get_data(as_text=True)
    with app.app_context():
        assert not db.session.execute(
            select(func.count()).where(Applicant.full_name == "Тестов Тест Плохойиин")
        ).scalar_one()


def test_unknown_enum_value_in_a_form_is_refused(manager, app):
    ids = _form_ids(app)
    data = _appeal_form(ids, "2026-03-02 10:00:00", "Неизвестный канал 5521")
    data["channel"] = "pigeon"
    r = manager.post("/appealview/add", data=data)
    assert r.status_code == 200
    with app.app_context():
        assert not db.session.execute(select(func.count()).where(Appeal.substance == "Неизвестный канал 5521")).scalar_one()


def test_malformed_dates_and_ids_never_answer_500(manager, app):
    ids = _form_ids(app)
    for field, value in [("received_at", "31.02.2026"), ("applicant", "abc"), ("applicant", "99999999"), ("category", "x")]:
        data = _appeal_form(ids, "2026-03-02 10:00:00", "Битый ввод 3310")
        data[field] = value
        r = manager.post("/appealview/add", data=data)
        assert r.status_code == 200, (field, value, r.status_code)


def test_related_tabs_show_history_sessions_and_district_appeals(manager, app):
    with app.app_context():
        appeal_id = db.session.execute(select(Appeal.id).order_by(Appeal.id).limit(1)).scalar_one()
        official_id = db.session.execute(select(Official.id).order_by(Official.id).limit(1)).scalar_one()
        district_id = db.session.execute(select(District.id).order_by(District.id).limit(1)).scalar_one()
    page = manager.get(f"/appealview/show/{appeal_id}").get_data(as_text=True)
    assert page.count('id="timeline"') == 1 and "AppealEventView" not in page  # one history, not a second tab
    assert "ReceptionSessionView" in manager.get(f"/officialview/show/{official_id}").get_data(as_text=True)
    assert "AppealView" in manager.get(f"/districtview/show/{district_id}").get_data(as_text=True)


def test_names_follow_the_ui_language(client, app):
    login(client, "manager")
    with app.app_context():
        d = db.session.execute(select(District).where(District.kato == "333400000")).scalar_one()
    client.get("/lang/kk")
    assert d.name_kk in client.get("/districtview/list/").get_data(as_text=True)
    client.get("/lang/ru")
    assert d.name_ru in client.get("/districtview/list/").get_data(as_text=True)


def test_lookup_finds_applicants_by_name_case_insensitively(manager, app):
    with app.app_context():
        name = db.session.execute(select(Applicant.full_name).order_by(Applicant.id).limit(1)).scalar_one()
    r = manager.get("/lookup/applicant?q=" + name.lower())
    assert r.status_code == 200
    assert any(item["text"].split(" · ")[0] == name for item in r.get_json()["results"])
    assert manager.get("/lookup/nothing").status_code == 404


def test_the_applicant_lookup_tells_namesakes_apart_as_the_reader_may_see(client, app):
    with app.app_context():
        a = db.session.execute(select(Applicant).where(Applicant.iin.is_not(None), Applicant.phone.is_not(None))
                               .order_by(Applicant.id).limit(1)).scalar_one()
        name, iin, phone = a.full_name, a.iin, a.phone
    login(client, "manager")
    texts = [i["text"] for i in client.get("/lookup/applicant", query_string={"q": name}).get_json()["results"]]
    assert any(iin in t and phone in t for t in texts)
    assert any(i["text"].startswith(name) for i in
               client.get("/lookup/applicant", query_string={"q": iin}).get_json()["results"])
    login(client, "head")  # names only: the ИИН and the phone masked, and never searched on
    texts = [i["text"] for i in client.get("/lookup/applicant", query_string={"q": name}).get_json()["results"]]
    assert texts and not any(iin in t or phone in t for t in texts)
    assert any(iin[:4] + "******" + iin[-2:] in t for t in texts)
    assert client.get("/lookup/applicant", query_string={"q": iin}).get_json()["results"] == []
    r = client.get("/lookup/applicant", query_string={"q": "а", "page": str(2**63)})
    assert r.status_code == 200 and r.get_json()["results"] == []


@pytest.mark.parametrize(
    "username,url,allowed",
    [
        ("head", "/appealview/list/", True),
        ("head", "/appealview/add", False),
        ("clerk", "/appealview/add", True),
        ("clerk", "/surveycallview/list/", True),  # reception staff make the R38 calls
        ("clerk", "/auditlogview/list/", False),
        ("official", "/protocolview/list/", True),
        ("official", "/applicantview/list/", False),
        ("admin", "/calendardayview/add", True),
        ("manager", "/calendardayview/add", False),
        ("manager", "/users/list/", False),
        ("admin", "/users/list/", True),
    ],
)
def test_roles_grant_exactly_their_registers(client, username, url, allowed):
    login(client, username)
    r = client.get(url)
    if allowed:
        assert r.status_code == 200, (username, url, r.status_code)
    else:
        assert r.status_code in (302, 403), (username, url, r.status_code)


def test_clerk_cannot_delete_an_appeal(client, app):
    login(client, "clerk")
    with app.app_context():
        appeal_id = db.session.execute(select(Appeal.id).order_by(Appeal.id.desc()).limit(1)).scalar_one()
    r = client.post(f"/appealview/delete/{appeal_id}")
    assert r.status_code in (302, 403, 405)
    with app.app_context():
        assert db.session.get(Appeal, appeal_id) is not None


@pytest.mark.parametrize(
    "query",
    [
        "_flt_99_status=x", "_flt_0_registered_on=notadate", "_flt_1_due_on=31.02.2026",
        "_oc_AppealView=nonexistent", "_oc_AppealView=deadline", "_od_AppealView=sideways",
        "page_AppealView=-5", "page_AppealView=abc", "psize_AppealView=abc", "psize_AppealView=100000",
        "_flt_0_district=abc", "_flt_0_version=1e9999",
    ],
)
def test_garbage_in_the_list_url_never_answers_500(manager, query):
    r = manager.get("/appealview/list/?" + query)
    assert r.status_code in (200, 302, 400), (query, r.status_code)


@pytest.mark.parametrize("pk", ["abc", "99999999"])
def test_odd_primary_keys_in_pages_are_404_not_500(manager, pk):
    for url in (f"/appealview/show/{pk}", f"/appealview/edit/{pk}", f"/districtview/show/{pk}"):
        assert manager.get(url).status_code in (302, 404), url


def test_R25_part3_oral_and_phone_appeals_are_written_into_the_daily_protocol(client, jwt, app):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from app.models import Applicant, UserPlace
    from tests.api.test_rest import _appeal_body

    now = datetime.now(ZoneInfo("Asia/Almaty")).replace(tzinfo=None, microsecond=0) - timedelta(minutes=5)
    with app.app_context():
        clerk = app.appbuilder.sm.find_user(username="clerk").id
        place = db.session.execute(select(UserPlace.place_id).where(UserPlace.user_id == clerk)).scalar_one()
        applicant = db.session.execute(select(Applicant).where(Applicant.phone.is_not(None)).limit(1)).scalar_one()
        phone = applicant.phone
    for channel in ("phone", "oral", "egov_portal"):
        body = _appeal_body(app, channel=channel, received_at=now.isoformat(), reception_place=place,
                            applicant=applicant.id, substance=f"Протокол R25 {channel}")
        r = client.post("/api/v1/appeal/", json=body, headers=jwt("manager"))
        assert r.status_code == 201, r.get_data(as_text=True)
    login(client, "clerk")
    page = client.get(f"/oral-protocol/?day={now.date().isoformat()}").get_data(as_text=True)
    assert "Протокол R25 phone" in page and "Протокол R25 oral" in page and "Протокол R25 egov_portal" not in page
    assert phone in page  # the clerk sees the applicant's phone
    printable = client.get(f"/oral-protocol/print?place={place}&day={now.date().isoformat()}")
    assert printable.status_code == 200 and "Протокол R25 phone" in printable.get_data(as_text=True)
    # another place's clerk sees their own place's protocol only; the head reads it without personal data
    login(client, "clerk2")
    assert "Протокол R25" not in client.get(f"/oral-protocol/?place={place}&day={now.date().isoformat()}").get_data(
        as_text=True)
    login(client, "head")
    page = client.get(f"/oral-protocol/?place={place}&day={now.date().isoformat()}").get_data(as_text=True)
    assert "Протокол R25 phone" in page and phone not in page
    assert client.get("/oral-protocol/?day=9999-99-99").status_code == 200


def test_R2_1_reception_places_are_the_public_reception_and_citizens_reception_centres_with_district_and_address(
        client, jwt, app):
    from app.models import ReceptionPlace

    with app.app_context():
        places = db.session.execute(select(ReceptionPlace)).scalars().all()
        kinds = {getattr(p.kind, "value", p.kind) for p in places}
        assert kinds == {"public_reception", "reception_centre"}
        assert all(p.district_id is not None and p.address for p in places)
        district = places[0].district_id
    r = client.post("/api/v1/reception_place/", json={"name_kk": "Орталық", "name_ru": "Центр", "kind": "kiosk",
                                                      "district": district, "address": "ул. Абая, 1"},
                    headers=jwt("manager"))
    assert r.status_code in (400, 422)
