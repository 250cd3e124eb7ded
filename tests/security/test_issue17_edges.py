"""An attacker's pass over the surfaces of issue 17 — the compliance board
and its list filter, similar appeals and links, the refusal prefill, topic
suggestion, systemic alerts — through the real stack, on both databases.

Each test names the boundary it proves: another place's id, a masked field,
2**63, NUL bytes, huge input, a wrong method, a missing CSRF token, a
read-only role writing, twenty parallel requests, Redis gone. Never a 500,
never SQL or a stack trace in an answer."""
from __future__ import annotations

import random
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import Appeal, AppealEvent, AppealLink, Applicant, Category, ReceptionPlace, SystemicAlert
from app.services import compliance as C
from app.services import similar
from tests.conftest import login

WATER = "Прошу принять по вопросу отсутствия водоснабжения в с. Коктал по ул. Жамбыла с 12 марта, дом 17."
WATER_AGAIN = "В селе Коктал на улице Жамбыла, 17 нет воды с 12 марта, просим восстановить подачу воды."
HUGE = 2**63
LEAKS = ("Traceback", "SELECT ", "sqlalchemy", "psycopg", "sqlite3.")


def _clean(r) -> str:
    """The answer's text, after checking it is no 500 and shows no SQL nor stack trace."""
    body = r.get_data(as_text=True)
    assert r.status_code < 500, (r.status_code, body[:500])
    assert not any(s in body for s in LEAKS), body[:500]
    return body


def _refused(r) -> bool:
    """FAB answers a missing permission with a redirect (and a flash), the API with 403."""
    return r.status_code in (302, 403)


def _record_count(body: str) -> int:
    m = re.search(r"<strong>[^<]*:\s*</strong>\s*([\d\s\xa0\u202f]+)", body)
    return int(re.sub(r"\D", "", m.group(1))) if m else 0


def _user(app, name: str):
    return app.appbuilder.sm.find_user(username=name)


def _place(app, username: str = "clerk") -> int:
    from app.security.scope import place_of

    with app.app_context():
        return place_of(_user(app, username))


def _other_place(app, place: int) -> int:
    with app.app_context():
        return db.session.execute(select(ReceptionPlace.id).where(ReceptionPlace.id != place)
                                  .order_by(ReceptionPlace.id)).scalars().first()


def _people(app, place: int, n: int = 2, iin: str | None = None) -> list[int]:
    """Applicants of their own at ``place`` (``iin``: all share it — one person entered twice)."""
    tag = random.randint(10**5, 10**6 - 1)
    with app.app_context():
        at = db.session.get(ReceptionPlace, place)
        rows = [Applicant(kind="individual", full_name=f"Атака Тест {tag}-{i}", district=at.district,
                          registered_place_id=place, iin=iin) for i in range(n)]
        db.session.add_all(rows)
        db.session.commit()
        return [a.id for a in rows]


def _appeal(app, place: int, applicant_id: int, text: str) -> int:
    from app.models import Official
    from app.services.appeals import prepare_registration
    from app.services.clock import now_local

    with app.app_context():
        topic = db.session.execute(select(Category).where(Category.code == "01.01")).scalar_one()
        official = db.session.execute(select(Official).where(Official.active.is_(True)).limit(1)).scalar_one()
        at = db.session.get(ReceptionPlace, place)
        person = db.session.get(Applicant, applicant_id)
        appeal = Appeal(channel="by_hand", received_at=now_local().replace(microsecond=0), language="ru",
                        substance=text, applicant=person, reception_place=at, category=topic, official=official,
                        district=person.district or at.district)
        prepare_registration(appeal, None)
        db.session.add(appeal)
        db.session.commit()
        return appeal.id


def _house() -> str:
    return str(random.randint(1000, 99999))


def _pair(app, place_a: int, place_b: int | None = None, people: tuple[int, int] | None = None):
    """Two like appeals (the same question) of two applicant records, the
    first at ``place_a``, the second at ``place_b`` (default the same)."""
    house = _house()
    people = people or tuple(_people(app, place_a, 2))
    a = _appeal(app, place_a, people[0], WATER.replace("17", house))
    b = _appeal(app, place_b or place_a, people[1], WATER_AGAIN.replace("17", house))
    return a, b


def _number(app, pk: int) -> str:
    with app.app_context():
        return db.session.get(Appeal, pk).reg_number


def _unlink_all(app, *ids):
    with app.app_context():
        db.session.execute(delete(AppealLink).where(AppealLink.appeal_id.in_(ids) | AppealLink.linked_id.in_(ids)))
        db.session.commit()


def _link_as_manager(app, a: int, b: int) -> None:
    with app.app_context():
        similar.link(a, b, _user(app, "manager"))


# --- the compliance board -------------------------------------------------------------------
@pytest.mark.parametrize("username", ["auditor", "admin", "clerk2", "official", "responsible", "clerk"])
def test_compliance_board_its_measures_and_exports_are_refused_to_every_role_but_manager_and_head(
        app, client, username):
    login(client, username)
    urls = ["/compliance/", "/compliance/export.csv", "/compliance/export.xlsx"] + [
        f"/compliance/{m.key}" for m in C.MEASURES]
    for url in urls:
        r = client.get(url)
        assert _refused(r), (url, r.status_code)
        assert "data-measure" not in _clean(r) and "data-count" not in r.get_data(as_text=True)


def test_compliance_routes_answer_a_wrong_method_with_405(app, client):
    login(client, "manager")
    for url in ("/compliance/", "/compliance/r29_overdue", "/compliance/export.csv"):
        for method in (client.post, client.put, client.delete):
            assert method(url).status_code == 405, (url, method)


def test_compliance_measure_and_export_urls_with_nul_huge_and_odd_formats_are_404(app, client):
    login(client, "head")
    for url in ("/compliance/r29_overdue%00", "/compliance/%00", "/compliance/" + "r" * 20000,
                "/compliance/export.CSV", "/compliance/export.csv%00", "/compliance/export.", "/compliance/export",
                f"/compliance/{HUGE}", "/compliance/-1", "/compliance/r29_overdue:p1"):
        r = client.get(url)
        _clean(r)
        assert r.status_code == 404, url


def _filter_index(app, view_name: str, column: str) -> int:
    with app.test_request_context():
        view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == view_name)
        return next(i for i, f in enumerate(view._filters._all_filters[column])
                    if type(f).__name__ == "FilterComplianceMeasure")


def _appeal_list(client, app, value: str, column: str = "due_on"):
    idx = _filter_index(app, "AppealView", column)
    return client.get("/appealview/list/", query_string={f"_flt_{idx}_{column}": value})


def _overdue_place_outside(app, place: int) -> tuple[int, int]:
    """A reception place other than ``place`` with appeals past their R29 term, and how many (made if none)."""
    from app.services.clock import today

    with app.app_context():
        rows = db.session.execute(
            select(Appeal.reception_place_id, func.count()).where(C.r29_overdue(today()),
                                                                   Appeal.reception_place_id != place)
            .group_by(Appeal.reception_place_id).order_by(func.count().desc())).all()
    if rows:
        return rows[0][0], rows[0][1]
    other = _other_place(app, place)
    pk = _appeal(app, other, _people(app, other, 1)[0], "Просрочено " + _house())
    with app.app_context():
        appeal = db.session.get(Appeal, pk)
        appeal.registered_on = today() - timedelta(days=30)  # a term ends after its registration (CHECK)
        appeal.due_on = appeal.answer_due_on = today() - timedelta(days=10)
        db.session.commit()
    return other, 1


def test_a_clerks_compliance_filter_naming_another_place_lists_and_counts_nothing_of_it(app, client):
    """The board's breakdown value ``key:p<place>`` sent by a clerk for a
    place not theirs: the list stays inside their scope — no row, no count
    of the other place (the Manager's same URL counts them)."""
    mine = _place(app, "clerk")
    other, n = _overdue_place_outside(app, mine)
    login(client, "manager")
    assert _record_count(_clean(_appeal_list(client, app, f"r29_overdue:p{other}"))) == n
    login(client, "clerk")
    body = _clean(_appeal_list(client, app, f"r29_overdue:p{other}"))
    assert _record_count(body) == 0
    for value in (f"r29_overdue:o{HUGE}", f"r29_overdue:p{other}\x00", f"r29_overdue:p{other}:p{mine}"):
        assert _record_count(_clean(_appeal_list(client, app, value))) == 0, value


def test_a_clerks_whole_compliance_filter_counts_only_their_own_places_rows(app, client):
    from app.services.clock import today

    mine = _place(app, "clerk")
    with app.app_context():
        own = db.session.execute(select(func.count()).select_from(Appeal).where(
            C.r29_overdue(today()), Appeal.reception_place_id == mine)).scalar_one()
        everywhere = db.session.execute(select(func.count()).select_from(Appeal).where(
            C.r29_overdue(today()))).scalar_one()
    assert everywhere > own  # the other places' rows exist to be leaked
    login(client, "clerk")
    assert _record_count(_clean(_appeal_list(client, app, "r29_overdue"))) == own


LISTS = [("AppealView", "due_on"), ("AppealView", "status"), ("ParticipationRequestView", "requested_on"),
         ("ParticipationRequestView", "refused_on"), ("InstructionView", "due_on"),
         ("MaterialsRequestView", "due_on"), ("ConsultationView", "outcome"), ("ReceptionSessionView", "status"),
         ("OfficialView", "full_name")]


@pytest.mark.parametrize("username", ["clerk2", "official", "head"])
def test_every_compliance_filter_on_every_list_never_fails_for_any_reader(app, client, username):
    """Every measure's value, with hostile parts, on every list that carries
    the filter, read by a place-scoped clerk, an Official and the Head: an
    answer (or a refusal), never a 500."""
    login(client, username)
    values = [v for m in C.MEASURES for v in (m.key, f"{m.key}:p1", f"{m.key}:o{2**31 - 1}", f"{m.key}:p{HUGE}")]
    values += ["\x00" * 50, "x" * 100_000, ":p1", "r29_overdue:" + "\x00p1", "r29_overdue:p١"]
    for view_name, column in LISTS:
        idx = _filter_index(app, view_name, column)
        url = f"/{view_name.lower()}/list/"
        for value in values:
            r = client.get(url, query_string={f"_flt_{idx}_{column}": value})
            _clean(r)
            assert r.status_code in (200, 302, 403), (url, value, r.status_code)


def test_the_heads_board_breakdown_and_export_carry_no_personal_field(app, client):
    """The Head sees no personal data: the board's per-place and
    per-official parts and its export name places and officials only —
    no ИИН, phone or e-mail of an applicant whose appeal is counted."""
    from app.services.clock import today

    with app.app_context():
        counted = db.session.execute(
            select(Applicant.iin, Applicant.phone, Applicant.email).join(Appeal, Appeal.applicant_id == Applicant.id)
            .where(C.r29_overdue(today()))).all()
    secrets = {v for row in counted for v in row if v and len(v) >= 6}
    assert secrets
    login(client, "head")
    pages = [_clean(client.get(f"/compliance/{m.key}")) for m in C.MEASURES]
    pages.append(client.get("/compliance/export.csv").data.decode("utf-8-sig"))
    for page in pages:
        assert not any(s in page for s in secrets)


# --- similar appeals: the "same applicant" label and the masked ИИН --------------------------
SAME_APPLICANT = 'class="label label-warning"'
"""The "same applicant" label of a row of the similar panel (in any language)."""


def _similar_row(body: str, pk: int) -> str | None:
    m = re.search(rf'<tr data-similar="{pk}">(.*?)</tr>', body, re.S)
    return m.group(1) if m else None


@pytest.mark.parametrize("username,told", [("manager", True), ("head", False), ("auditor", False),
                                           ("admin", False)])
def test_the_similar_panel_tells_a_shared_iin_only_to_a_reader_who_sees_iin(app, client, username, told):
    """Two applicant records with one ИИН (the same person entered twice)
    filed the same question: "same applicant" (and the refusal it supports)
    is said to the Manager, who sees ИИН; the Head, the Auditor and the Admin
    see the like appeal but are not told the hidden ИИН matches."""
    place = _place(app, "clerk")
    iin = "99" + str(random.randint(10**9, 10**10 - 1))
    first, second = _people(app, place, 2, iin=iin)
    a, b = _pair(app, place, people=(first, second))
    with app.app_context():
        db.session.get(Appeal, a).status = "closed"  # decided: ground 2 would be offered for the same person
        db.session.commit()
    login(client, username)
    body = _clean(client.get(f"/appealview/similar/{b}"))
    row = _similar_row(body, a)
    assert row is not None, "the like appeal is shown to every reader of the register"
    assert (SAME_APPLICANT in row) is told
    assert ("data-ground" in row) is (told and username == "manager")
    assert iin not in body


@pytest.mark.parametrize("username", ["head", "auditor"])
def test_the_repeats_endpoint_tells_no_masked_reader_of_a_shared_iin_through_the_similar_panel(
        app, client, username):
    place = _place(app, "clerk")
    iin = "98" + str(random.randint(10**9, 10**10 - 1))
    first, second = _people(app, place, 2, iin=iin)
    a, _b = _pair(app, place, people=(first, second))
    text = WATER_AGAIN.replace("17", re.search(r"дом (\d+)", db_text(app, a)).group(1))
    login(client, username)
    with app.app_context():
        category = db.session.get(Appeal, a).category_id
    body = _clean(client.get("/appealview/repeats", query_string={
        "applicant": second, "category": category, "substance": text}))
    row = _similar_row(body, a)
    assert row is not None and SAME_APPLICANT not in row
    login(client, "manager")
    body = _clean(client.get("/appealview/repeats", query_string={
        "applicant": second, "category": category, "substance": text}))
    assert SAME_APPLICANT in (_similar_row(body, a) or "")


def db_text(app, pk: int) -> str:
    with app.app_context():
        return db.session.get(Appeal, pk).substance


@pytest.mark.parametrize("args", [
    {"applicant": str(HUGE), "category": str(HUGE), "substance": WATER},
    {"applicant": "-1", "category": "-1", "substance": "\x00" * 100},
    {"applicant": "1\x00", "category": "1\x00", "substance": WATER + "\x00"},
    {"applicant": "1", "category": "1", "substance": "водоснабжение Коктал " * 60_000},
    {"applicant": "", "category": "", "substance": "NOT AND OR NEAR ( ) \" * : ^ ' ; -- " * 10},
    {"applicant": "abc", "category": "1e3", "substance": "_ ² ½ ١٢ ⅷ ǅ " * 20},
])
def test_the_repeats_endpoint_answers_hostile_input_without_failing(app, client, args):
    login(client, "clerk")
    r = client.get("/appealview/repeats", query_string=args)
    _clean(r)
    assert r.status_code == 200


def test_the_repeats_endpoint_says_nothing_to_a_clerk_of_another_places_applicant_or_appeals(app, client):
    mine = _place(app, "clerk")
    other = _other_place(app, mine)
    theirs_first, theirs_second = _people(app, other, 2)
    a, _b = _pair(app, other, people=(theirs_first, theirs_second))
    with app.app_context():
        category = db.session.get(Appeal, a).category_id
    login(client, "clerk")
    body = _clean(client.get("/appealview/repeats", query_string={
        "applicant": theirs_second, "category": category, "substance": db_text(app, a)}))
    assert _number(app, a) not in body and f'data-similar="{a}"' not in body
    assert _clean(client.get("/appealview/repeats", query_string={"applicant": theirs_second})) == \
        _clean(client.get("/appealview/repeats", query_string={"applicant": str(2**31 - 1)}))


# --- links between appeals --------------------------------------------------------------------
def test_a_link_made_by_the_manager_to_another_places_appeal_is_not_shown_to_the_clerk(app, client):
    mine_place = _place(app, "clerk")
    theirs, _x = _pair(app, _other_place(app, mine_place))
    _y, mine = _pair(app, mine_place)
    _link_as_manager(app, mine, theirs)
    try:
        login(client, "manager")
        assert _number(app, theirs) in _clean(client.get(f"/appealview/similar/{mine}"))
        login(client, "clerk")
        for url in (f"/appealview/similar/{mine}", f"/appealview/show/{mine}", f"/appealview/card/{mine}"):
            body = _clean(client.get(url))
            assert _number(app, theirs) not in body and f"/appealview/show/{theirs}" not in body, url
    finally:
        _unlink_all(app, mine, theirs)


def test_the_history_of_a_link_does_not_name_another_places_appeal_to_the_clerk(app, client):
    """The link's history event on the clerk's appeal records the other
    appeal (its number and id): the clerk, who may not see that appeal,
    reads the event without either — the Manager reads both."""
    mine_place = _place(app, "clerk")
    theirs, _x = _pair(app, _other_place(app, mine_place))
    _y, mine = _pair(app, mine_place)
    _link_as_manager(app, mine, theirs)
    try:
        with app.app_context():
            event = db.session.execute(select(AppealEvent.id).where(
                AppealEvent.appeal_id == mine, AppealEvent.action == "link")).scalar_one()
        number = _number(app, theirs)
        login(client, "manager")
        assert number in _clean(client.get(f"/appealeventview/show/{event}"))
        login(client, "clerk")
        r = client.get(f"/appealeventview/show/{event}")
        body = _clean(r)
        assert r.status_code == 200 and "link" in body
        assert number not in body and not re.search(rf"appeal_id\W+{theirs}\b", body)
    finally:
        _unlink_all(app, mine, theirs)


def test_a_clerk_cannot_unlink_a_link_to_another_places_appeal(app, client):
    mine_place = _place(app, "clerk")
    theirs, _x = _pair(app, _other_place(app, mine_place))
    _y, mine = _pair(app, mine_place)
    _link_as_manager(app, mine, theirs)
    try:
        login(client, "clerk")
        assert client.post(f"/appeal-workflow/{mine}/unlink", data={"other": theirs}).status_code == 404
        assert client.post(f"/appeal-workflow/{theirs}/unlink", data={"other": mine}).status_code == 404
        with app.app_context():
            assert similar.linked_ids(mine) == {theirs}
    finally:
        _unlink_all(app, mine, theirs)


@pytest.mark.parametrize("username", ["head", "auditor", "admin", "official"])
def test_a_reader_who_may_not_write_appeals_can_neither_link_nor_unlink(app, client, username):
    a, b = _pair(app, _place(app, "clerk"))
    c, d = _pair(app, _place(app, "clerk"))
    _link_as_manager(app, c, d)
    try:
        login(client, username)
        assert _refused(client.post(f"/appeal-workflow/{b}/link", data={"other": a}))
        assert _refused(client.post(f"/appeal-workflow/{d}/unlink", data={"other": c}))
        with app.app_context():
            assert not similar.linked_ids(b) and similar.linked_ids(d) == {c}
    finally:
        _unlink_all(app, c, d)


def test_link_and_unlink_by_get_change_nothing(app, client):
    """A GET (a link in a page, a prefetch) never links: no such page (404;
    the workflow's own ``/<pk>/<action>`` route knows no action of that name)."""
    a, b = _pair(app, _place(app, "clerk"))
    _link_as_manager(app, a, b)
    login(client, "clerk")
    for action in ("link", "unlink"):
        r = client.get(f"/appeal-workflow/{b}/{action}?other={a}")
        _clean(r)
        assert r.status_code in (404, 405)
    with app.app_context():
        assert similar.linked_ids(b) == {a}
    _unlink_all(app, a, b)
    for action in ("link", "unlink"):
        assert client.get(f"/appeal-workflow/{b}/{action}?other={a}").status_code in (404, 405)
    with app.app_context():
        assert not similar.linked_ids(b)


def test_link_and_unlink_without_the_csrf_token_are_refused_and_change_nothing(app):
    a, b = _pair(app, _place(app, "clerk"))
    c, d = _pair(app, _place(app, "clerk"))
    _link_as_manager(app, c, d)
    client = app.test_client()
    login(client, "clerk")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(f"/appeal-workflow/{b}/link", data={"other": a}).status_code == 400
        assert client.post(f"/appeal-workflow/{d}/unlink", data={"other": c}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        assert not similar.linked_ids(b) and similar.linked_ids(d) == {c}
    _unlink_all(app, c, d)


@pytest.mark.parametrize("pk", [str(HUGE), str(2**31), "0", "-1", "1.5", "%00"])
def test_link_and_unlink_of_a_hostile_appeal_id_in_the_url_are_404(app, client, pk):
    a, _b = _pair(app, _place(app, "clerk"))
    login(client, "manager")
    for action in ("link", "unlink"):
        r = client.post(f"/appeal-workflow/{pk}/{action}", data={"other": a})
        _clean(r)
        assert r.status_code == 404, (pk, action)


def test_a_link_note_with_a_nul_byte_is_a_400_and_links_nothing(app, client):
    a, b = _pair(app, _place(app, "clerk"))
    login(client, "clerk")
    for other in (a, f"{a}\x00"):
        r = client.post(f"/appeal-workflow/{b}/link", data={"other": other, "note": "то же\x00самое"})
        _clean(r)
        assert r.status_code == 400
    with app.app_context():
        assert not similar.linked_ids(b)


def test_a_huge_link_note_is_cut_to_its_limit(app, client):
    a, b = _pair(app, _place(app, "clerk"))
    login(client, "clerk")
    r = client.post(f"/appeal-workflow/{b}/link", data={"other": a, "note": "то же самое\t\n " * 20_000})
    _clean(r)
    assert r.status_code == 302
    try:
        with app.app_context():
            note = db.session.execute(select(AppealLink.note).where(AppealLink.linked_id == b)).scalar_one()
            assert len(note) <= similar.NOTE_LIMIT and note.startswith("то же самое то же")
    finally:
        _unlink_all(app, a, b)


def test_the_similar_panel_of_another_places_or_a_hostile_appeal_id_is_404(app, client):
    theirs, _x = _pair(app, _other_place(app, _place(app, "clerk")))
    login(client, "clerk")
    for pk in (theirs, HUGE, 2**31, 0, -1, "abc", "%00"):
        r = client.get(f"/appealview/similar/{pk}")
        _clean(r)
        assert r.status_code == 404, pk
    login(client, "official")
    assert client.get(f"/appealview/similar/{theirs}").status_code in (302, 403, 404)


def test_twenty_parallel_unlinks_of_one_link_remove_it_once_and_never_fail(app):
    """Twenty managers press "unlink" at once: one removes the link (both
    histories record it once), the others are told there is no such link —
    a 404, never a 500."""
    a, b = _pair(app, _place(app, "clerk"))
    _link_as_manager(app, a, b)
    clients = []
    for _ in range(20):
        c = app.test_client()
        login(c, "manager")
        clients.append(c)
    barrier = threading.Barrier(20)

    def one(c):
        barrier.wait()
        return c.post(f"/appeal-workflow/{b}/unlink", data={"other": a}).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(one, clients))
    assert sorted(codes) == [302] + [404] * 19, codes
    with app.app_context():
        assert not similar.linked_ids(a)
        events = db.session.execute(select(func.count()).select_from(AppealEvent).where(
            AppealEvent.appeal_id.in_((a, b)), AppealEvent.action == "unlink")).scalar_one()
        assert events == 2


# --- the refusal prefill ------------------------------------------------------------------------
def test_the_refusal_prefill_takes_no_earlier_appeal_of_another_place_even_of_the_same_person(app, client):
    """The same person (one ИИН, two records) filed at another place first;
    the clerk's prefill with that appeal's id fills nothing and names it not."""
    mine_place = _place(app, "clerk")
    other = _other_place(app, mine_place)
    iin = "97" + str(random.randint(10**9, 10**10 - 1))
    theirs_person, = _people(app, other, 1, iin=iin)
    my_person, = _people(app, mine_place, 1, iin=iin)
    earlier, later = _pair(app, other, mine_place, people=(theirs_person, my_person))
    with app.app_context():
        db.session.get(Appeal, earlier).status = "closed"
        db.session.commit()
    login(client, "clerk")
    for ground in ("administrative_decision_exists", "court_act_in_force", "withdrawn"):
        r = client.get(f"/appeal-workflow/{later}/propose-refusal?ground={ground}&earlier={earlier}")
        body = _clean(r)
        assert r.status_code == 200 and _number(app, earlier) not in body
        assert not re.search(r'id="reference"[^>]*value="[^"]+"', body)


def test_the_refusal_prefill_is_refused_to_a_reader_who_may_not_write(app, client):
    a, b = _pair(app, _place(app, "clerk"))
    for username in ("head", "auditor", "official"):
        login(client, username)
        r = client.get(f"/appeal-workflow/{b}/propose-refusal?ground=withdrawn&earlier={a}")
        assert _refused(r) or r.status_code == 404, (username, r.status_code)
        assert _number(app, a) not in r.get_data(as_text=True)


def test_the_refusal_prefill_of_another_places_appeal_is_404_for_the_clerk(app, client):
    theirs_a, theirs_b = _pair(app, _other_place(app, _place(app, "clerk")))
    login(client, "clerk")
    r = client.get(f"/appeal-workflow/{theirs_b}/propose-refusal?ground=withdrawn&earlier={theirs_a}")
    _clean(r)
    assert r.status_code == 404


# --- topic suggestion ---------------------------------------------------------------------------
def test_retraining_with_redis_gone_says_jobs_are_unavailable_and_leaves_nothing_queued(app, client, monkeypatch):
    from app.models import Job

    login(client, "manager")
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    r = client.post("/topics/model/retrain", follow_redirects=True)
    body = _clean(r)
    with app.test_request_context(), force_locale(re.search(r'<html lang="(\w+)"', body).group(1)):
        sentence = gettext("Background jobs are unavailable right now: nothing was started. Try again later.")
    assert r.status_code == 200 and sentence in body
    with app.app_context():
        assert not db.session.execute(select(Job.id).where(Job.kind == "topic_model",
                                                           Job.status.in_(("queued", "running")))).first()


def test_retraining_answers_get_with_405_and_a_post_without_the_csrf_token_with_400(app):
    from app.models import Job

    client = app.test_client()
    login(client, "manager")
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(Job).where(Job.kind == "topic_model")).scalar_one()
    assert client.get("/topics/model/retrain").status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/topics/model/retrain").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Job).where(Job.kind == "topic_model")
                                  ).scalar_one() == before


@pytest.mark.parametrize("username", ["head", "auditor", "official", "clerk"])
def test_who_may_not_retrain_starts_no_training(app, client, username):
    from app.models import Job

    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(Job).where(Job.kind == "topic_model")).scalar_one()
    login(client, username)
    assert _refused(client.post("/topics/model/retrain"))
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Job).where(Job.kind == "topic_model")
                                  ).scalar_one() == before


def test_topic_suggestion_of_huge_repeated_or_list_input_is_an_answer_never_a_500(app, client):
    login(client, "clerk")
    for args in ({"text": "газ " * 1250, "language": "ru"}, {"text": "а" * 5000, "language": "kk"},
                 {"text": ["газ водоснабжение района", "x"], "language": ["ru", "kk"]},
                 {"text": "", "language": ""}):
        r = client.get("/topics/suggest", query_string=args)
        _clean(r)
        assert r.status_code in (200, 400) and r.is_json
    assert client.put("/topics/suggest").status_code == 405


# --- systemic alerts ---------------------------------------------------------------------------
def _alert(app) -> int:
    """An open alert of its own (a week far back, so no scan ever makes it)."""
    from app.models import District

    with app.app_context():
        district = db.session.execute(select(District.id).order_by(District.id)).scalars().first()
        topic = db.session.execute(select(Category.id).where(func.length(Category.code) == 5)).scalars().first()
        week = date(2001, 1, 1) + timedelta(days=7 * random.randint(0, 5000))
        alert = SystemicAlert(week_start=week - timedelta(days=week.weekday()), district_id=district,
                              category_id=topic, count=9, expected=1.0, baseline_weeks=8, dispersion=1.0,
                              p_value=0.0001, status="open")
        db.session.add(alert)
        db.session.commit()
        return alert.id


def test_twenty_parallel_acknowledgements_of_one_alert_record_exactly_one(app):
    """Twenty managers acknowledge one alert at once, each with their own
    note: one acknowledgement is recorded (its note is the one kept), the
    others are told it is already acknowledged."""
    from app.services import alerts
    from app.services.errors import RuleViolation

    pk = _alert(app)
    with app.app_context():
        manager_id = _user(app, "manager").id
    barrier = threading.Barrier(20)

    def one(i):
        with app.app_context():
            barrier.wait()
            try:
                alerts.acknowledge(pk, manager_id, f"Мера номер {i}")
                return i
            except RuleViolation:
                return None

    with ThreadPoolExecutor(20) as pool:
        results = list(pool.map(one, range(20)))
    winners = [i for i in results if i is not None]
    assert len(winners) == 1, winners
    with app.app_context():
        alert = db.session.get(SystemicAlert, pk)
        assert alert.status == "acknowledged" and alert.note == f"Мера номер {winners[0]}"


@pytest.mark.parametrize("pk", [str(HUGE), str(2**31), "-1", "0", "abc", "%00"])
def test_acknowledging_a_hostile_alert_id_is_404(app, client, pk):
    login(client, "manager")
    r = client.post(f"/alerts/{pk}/acknowledge", data={"note": "меры приняты"})
    _clean(r)
    assert r.status_code == 404


def test_acknowledging_by_get_is_405_and_a_nul_or_huge_note_is_a_sentence_not_a_500(app, client):
    pk = _alert(app)
    login(client, "manager")
    assert client.get(f"/alerts/{pk}/acknowledge").status_code == 405
    for note, status in (("меры\x00приняты", 400), ("\x00", 400), ("я" * 200_000, 422), ("   ", 422)):
        r = client.post(f"/alerts/{pk}/acknowledge", data={"note": note})
        _clean(r)
        assert r.status_code == status, (note[:10], r.status_code)
    with app.app_context():
        assert db.session.get(SystemicAlert, pk).status == "open"


@pytest.mark.parametrize("username", ["head", "auditor"])
def test_a_reader_of_alerts_who_may_not_write_cannot_acknowledge(app, client, username):
    pk = _alert(app)
    login(client, username)
    assert _refused(client.post(f"/alerts/{pk}/acknowledge", data={"note": "попытка"}))
    with app.app_context():
        assert db.session.get(SystemicAlert, pk).status == "open"


def test_the_alert_register_takes_any_status_argument_without_failing(app, client):
    login(client, "head")
    for status in ("open", "acknowledged", "\x00", "x" * 10000, "open' OR '1'='1", ""):
        r = client.get("/alerts/", query_string={"status": status})
        _clean(r)
        assert r.status_code == 200


def test_a_visitor_reaches_none_of_the_new_pages(app):
    client = app.test_client()
    for url in ("/compliance/", "/compliance/export.csv", "/alerts/", "/topics/model/", "/topics/suggest?text=x",
                "/appealview/repeats?applicant=1"):
        r = client.get(url)
        assert r.status_code in (302, 401, 403), url
        assert "data-measure" not in r.get_data(as_text=True)
