"""A walk-in citizen is registered from one form: the applicant found by
the lookup or typed into the appeal form, saved with the appeal in one
transaction; legally significant choices start empty."""
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, Applicant, Official
from tests.conftest import login
from tests.security.test_scope_and_privacy import place_of
from tests.views.test_registers import _appeal_form, _form_ids

VALID_IIN = "900101300007"  # a valid control digit, no demo applicant has it


def _count(app, model, *where):
    with app.app_context():
        return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def _told(r) -> str:
    """What a page that refused the form says (its alerts and field errors)."""
    import re

    body = r.get_data(as_text=True)
    said = re.findall(r'class="(?:alert[^"]*|help-block[^"]*|text-danger[^"]*)"[^>]*>(.*?)</(?:div|span|p)>',
                      body, re.S)
    said = [re.sub(r"<[^>]+>|&times;", " ", x) for x in said]
    return f"{r.status_code}: " + " | ".join(" ".join(x.split()) for x in said if x.strip())[:1500]


def _walk_in(ids, place, substance, **applicant):
    data = _appeal_form({**ids, "place": place}, "2026-03-02 10:00:00", substance)
    data["applicant"] = ""
    data.update({f"new_applicant_{k}": v for k, v in applicant.items()})
    return data


def test_R25_a_walk_in_applicant_is_created_with_the_appeal_in_one_save(client, app):
    login(client, "clerk")
    place = place_of(app, "clerk")
    ids = _form_ids(app)
    r = client.post("/appealview/add", data=_walk_in(ids, place, "Пешеход 5501", name="Новый  Заявитель Пешеходов",
                                                     iin="", phone="+7 701 000 11 22"))
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    with app.app_context():
        appeal = db.session.execute(select(Appeal).where(Appeal.substance == "Пешеход 5501")).scalar_one()
        applicant = appeal.applicant
        assert applicant.full_name == "Новый Заявитель Пешеходов"
        assert applicant.phone == "+7 701 000 11 22" and applicant.iin is None
        assert applicant.registered_place_id == place  # the clerk's place sees them from now on
    assert r.headers["Location"].endswith(f"/appealview/show/{appeal.id}")


def test_an_iin_already_registered_under_the_same_name_is_that_applicant(manager, app):
    ids = _form_ids(app)
    with app.app_context():
        known = db.session.execute(select(Applicant).where(Applicant.iin.is_not(None)).order_by(Applicant.id)
                                   .limit(1)).scalar_one()
        name, iin, known_id = known.full_name, known.iin, known.id
    before = _count(app, Applicant)
    r = manager.post("/appealview/add", data=_walk_in(ids, ids["place"], "Пешеход 5502", name=name.upper(), iin=iin))
    assert r.status_code == 302
    assert _count(app, Applicant) == before  # no second record of the same person
    with app.app_context():
        assert db.session.execute(select(Appeal.applicant_id).where(Appeal.substance == "Пешеход 5502")).scalar_one() \
            == known_id
    # the same ИИН under another name is refused, naming nobody, and nothing is saved
    r = manager.post("/appealview/add", data=_walk_in(ids, ids["place"], "Пешеход 5503", name="Совсем Другой", iin=iin),
                     follow_redirects=True)
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and name not in body
    assert _count(app, Appeal, Appeal.substance == "Пешеход 5503") == 0
    assert _count(app, Applicant) == before


@pytest.mark.parametrize("applicant,typed", [("", {}), ("chosen", {"name": "Двойной Выбор"})])
def test_the_applicant_is_chosen_or_typed_exactly_once(manager, app, applicant, typed):
    ids = _form_ids(app)
    data = _walk_in(ids, ids["place"], "Пешеход 5504", **typed)
    if applicant:
        data["applicant"] = ids["applicant"]
    before = _count(app, Applicant)
    r = manager.post("/appealview/add", data=data)
    assert r.status_code == 200
    assert _count(app, Appeal, Appeal.substance == "Пешеход 5504") == 0
    assert _count(app, Applicant) == before


def test_a_refused_appeal_leaves_no_applicant_behind(manager, app):
    ids = _form_ids(app)
    data = _walk_in(ids, ids["place"], "Пешеход 5505", name="Будущий Сирота")
    data["received_at"] = "2099-01-01 10:00:00"  # R25 refuses a receipt in the future
    r = manager.post("/appealview/add", data=data)
    assert r.status_code == 200
    assert _count(app, Applicant, Applicant.full_name == "Будущий Сирота") == 0


@pytest.mark.parametrize("field,value", [("iin", "900101300008"), ("name", "Я" * 5000), ("phone", "1" * 100),
                                         ("name", "Нуль\x00Байт")])
def test_bad_walk_in_input_is_refused_and_nothing_is_saved(manager, app, field, value):
    ids = _form_ids(app)
    typed = {"name": "Плохой Ввод"} | {field: value}
    before = _count(app, Applicant)
    r = manager.post("/appealview/add", data=_walk_in(ids, ids["place"], "Пешеход 5506", **typed))
    assert r.status_code in (200, 400)
    assert "Traceback" not in r.get_data(as_text=True)
    assert _count(app, Applicant) == before and _count(app, Appeal, Appeal.substance == "Пешеход 5506") == 0


def test_a_role_that_may_not_add_applicants_cannot_type_one(client, app):
    login(client, "responsible")  # writes appeals assigned to them, reads applicants
    ids = _form_ids(app)
    r = client.post("/appealview/add", data=_walk_in(ids, place_of(app, "responsible"), "Пешеход 5507",
                                                     name="Не Положено"))
    assert r.status_code in (200, 403)
    assert _count(app, Applicant, Applicant.full_name == "Не Положено") == 0


def _selected(body: str, name: str) -> str | None:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', body, re.S).group(1)
    m = re.search(r'<option[^>]*selected[^>]*value="([^"]*)"|<option[^>]*value="([^"]*)"[^>]*selected', select_html)
    return None if m is None else (m.group(1) or m.group(2))


def test_legally_significant_choices_start_empty_and_only_active_officials_are_offered(client, app):
    login(client, "manager")
    body = client.get("/appealview/add").get_data(as_text=True)
    for name in ("district", "category", "official", "reception_place", "channel", "language"):
        assert _selected(body, name) in (None, "", "__None"), name
    with app.app_context():
        inactive = db.session.execute(select(Official).where(Official.active.is_(False)).limit(1)).scalar_one_or_none()
    if inactive is not None:
        assert f'value="{inactive.id}"' not in re.search(r'<select[^>]*name="official".*?</select>', body, re.S).group(0)
    # a clerk's own reception place is the only one allowed: it is that one
    login(client, "clerk")
    body = client.get("/appealview/add").get_data(as_text=True)
    assert _selected(body, "reception_place") == str(place_of(app, "clerk"))
    assert _selected(body, "district") in (None, "", "__None")


def test_a_walk_in_never_reaches_an_applicant_the_clerk_may_not_see(client, app):
    """Typing the ИИН and name of a person registered only at another place
    neither links the appeal to that record (it would widen what the clerk
    reads) nor says that it exists: a new applicant of the clerk's place."""
    from tests.security.test_scope_and_privacy import foreign_appeal  # noqa: F401 - the fixture's rows

    place = place_of(app, "clerk")
    with app.app_context():
        from app.models import Consultation

        hidden = db.session.execute(
            select(Applicant).where(Applicant.iin.is_not(None), Applicant.registered_place_id.is_distinct_from(place),
                                    ~select(Appeal.id).where(Appeal.applicant_id == Applicant.id,
                                                             Appeal.reception_place_id == place).exists(),
                                    ~select(Consultation.id).where(Consultation.applicant_id == Applicant.id,
                                                                   Consultation.reception_place_id == place).exists())
            .order_by(Applicant.id).limit(50)).scalars().all()
        from app.validators import identifier_error

        # a demo person (other tests, the API fuzzing among them, add applicants with odd names and numbers)
        def alone(a):  # no other record holds the ИИН (tests reuse a few valid numbers under other names)
            return db.session.execute(select(func.count()).select_from(Applicant)
                                      .where(Applicant.iin == a.iin)).scalar_one() == 1

        hidden = next(a for a in hidden if identifier_error(a.iin, False) is None
                      and a.full_name.replace(" ", "").isalpha() and len(a.full_name) < 100 and alone(a))
        name, iin, hidden_id = hidden.full_name, hidden.iin, hidden.id
    login(client, "clerk")
    ids = _form_ids(app)
    r = client.post("/appealview/add", data=_walk_in(ids, place, "Пешеход 5508", name=name, iin=iin))
    assert r.status_code == 302, _told(r)
    with app.app_context():
        appeal = db.session.execute(select(Appeal).where(Appeal.substance == "Пешеход 5508")).scalar_one()
        assert appeal.applicant_id != hidden_id and appeal.applicant.registered_place_id == place
    assert client.get(f"/applicantview/show/{hidden_id}").status_code == 404  # still out of reach
