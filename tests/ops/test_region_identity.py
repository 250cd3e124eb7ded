"""The region's own name and registration prefix come from its pack (issue 17.5):
after ``flask region load`` of the Ulytau pack into an empty database the home
page, the letters, the printed card and the numbers of new appeals are
Ulytau's, with no word of Zhetysu; before any pack they name no region and
numbers keep ``ЖТ``; the demo (the Zhetysu pack) names Zhetysu."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from tests.builders import empty_app

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "packs" / "ulytau"
PASSWORD = "Region-pass-2026"
ZHETYSU_WORDS = ("Жетісу", "Жетысу", "Zhetysu")
ULYTAU_OFFICE = {"ru": "Аппарат акима области Улытау", "kk": "Ұлытау облысы әкімінің аппараты"}
NEUTRAL_OFFICE = {"ru": "Аппарат акима области", "kk": "Облыс әкімінің аппараты"}
ZHETYSU_OFFICE = {"ru": "Аппарат акима области Жетісу", "kk": "Жетісу облысы әкімінің аппараты"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def bare_app(request, tmp_path_factory):
    """An app on an empty, migrated database: roles, one Manager, no pack yet."""
    yield from empty_app(request.param, tmp_path_factory, "identity", ("identity_manager", "Айгерім", "Сәтбаева"), PASSWORD)


def _load(application, pack: Path = SMALL):
    from app.services.region_pack import load_pack

    with application.app_context():
        load_pack(pack)


def _drop_region_row(application):
    from app.extensions import db
    from app.models import Region

    with application.app_context():
        db.session.execute(delete(Region))
        db.session.commit()


def _register(application, language: str, **over) -> tuple[int, str]:
    """An appeal registered through the service (as the form does): its id and number."""
    from app.extensions import db
    from app.models import Appeal, Applicant, Category, District, Official, ReceptionPlace
    from app.services.appeals import prepare_registration
    from app.services.clock import now_local

    with application.app_context():
        district = db.session.execute(select(District).order_by(District.id).limit(1)).scalar_one()
        applicant = Applicant(kind="individual", full_name="Жұмабаев Ерлан Серікұлы", district=district,
                              address="г. Жезказган, ул. Абая, 3")
        appeal = Appeal(
            channel="by_hand", received_at=now_local() - timedelta(hours=2), language=language,
            substance="Прошу принять по вопросу водоснабжения", applicant=applicant, district=district,
            reception_place=db.session.execute(select(ReceptionPlace).order_by(ReceptionPlace.id).limit(1)).scalar_one(),
            category=db.session.execute(select(Category).where(Category.parent_id.is_not(None)).limit(1)).scalar_one(),
            official=db.session.execute(select(Official).where(Official.active.is_(True)).limit(1)).scalar_one(),
            **over)
        prepare_registration(appeal, None)
        db.session.add_all([applicant, appeal])
        db.session.commit()
        out = appeal.id, appeal.reg_number
        db.session.remove()
        return out


def _login(application):
    client = application.test_client()
    r = client.post("/login/", data={"username": "identity_manager", "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return client


def _no_zhetysu(page: str) -> None:
    for word in ZHETYSU_WORDS:
        assert word not in page, word


def _sender(page: str) -> str:
    return re.search(r'<div class="sender">(.*?)<br>', page, re.S).group(1).strip()


# -- a database with the Ulytau pack -----------------------------------------------------
def test_the_home_page_names_the_loaded_region_in_the_page_language(bare_app):
    _load(bare_app)
    client = bare_app.test_client()
    for lang in ("ru", "kk"):
        page = client.get(f"/?_l_={lang}").get_data(as_text=True)
        assert ULYTAU_OFFICE[lang] in page, page[:2000]
        _no_zhetysu(page)
    assert ULYTAU_OFFICE["ru"] in client.get("/?_l_=en").get_data(as_text=True)  # kk → kk, any other → ru


def test_an_appeal_registered_after_the_ulytau_pack_takes_its_prefix(bare_app):
    from app.services.appeals import reg_number
    from app.services.search import reg_number_of

    _load(bare_app)
    pk, number = _register(bare_app, "ru")
    year = number.split("-")[1]
    assert re.fullmatch(rf"ҰЛ-{year}-\d{{6}}", number), number
    with bare_app.app_context():
        assert reg_number(2026, 7) == "ҰЛ-2026-000007"
        # a number typed without its prefix, or in small letters, is the region's
        assert reg_number_of(f"{year}-{int(number[-6:])}") == number
        assert reg_number_of(number.lower()) == number
        assert reg_number_of(f"ЖТ-{year}-1") == f"ЖТ-{year}-000001"  # a number given before keeps its look
    client = _login(bare_app)
    found = client.get(f"/search/?q={number}", follow_redirects=True).get_data(as_text=True)
    assert number in found


def test_letters_and_the_printed_card_are_sent_by_the_loaded_regions_office(bare_app):
    from app.extensions import db
    from app.models import Appeal
    from app.services.clock import today

    _load(bare_app)
    ids = {}
    for lang in ("kk", "ru"):
        ids[lang], _ = _register(bare_app, lang)
        with bare_app.app_context():
            appeal = db.session.get(Appeal, ids[lang])
            appeal.draft_sent_on = today()  # the notice of a hearing on a draft refusal (R15) is due
            db.session.commit()
            db.session.remove()
    client = _login(bare_app)
    for lang, pk in ids.items():
        r = client.get(f"/appeal-workflow/{pk}/letter/draft-refusal?_l_=ru")  # the letter: the applicant's language
        assert r.status_code == 200, r.get_data(as_text=True)[:500]
        letter = r.get_data(as_text=True)
        assert _sender(letter) == ULYTAU_OFFICE[lang]
        _no_zhetysu(letter)
    for lang in ("ru", "kk"):
        card = client.get(f"/appealview/card/{ids['ru']}?_l_={lang}").get_data(as_text=True)
        assert _sender(card) == ULYTAU_OFFICE[lang]  # an internal print: the reader's language
        _no_zhetysu(card)


def test_a_newer_pack_renames_the_office_and_the_prefix_and_old_numbers_keep_theirs(bare_app, tmp_path):
    import shutil

    from app.extensions import db
    from app.models import Appeal, Region

    _load(bare_app)
    _, before = _register(bare_app, "ru")
    newer = tmp_path / "newer"
    shutil.copytree(SMALL, newer)
    meta = (newer / "region.json").read_text(encoding="utf-8")
    (newer / "region.json").write_text(meta.replace('"ҰЛ"', '"UL"').replace('"2026.1"', '"2026.2"')
                                       .replace("Аппарат акима области Улытау", "Аппарат акима Улытауской области"),
                                       encoding="utf-8")
    try:
        code = bare_app.test_cli_runner().invoke(args=["region", "load", str(newer)])
        assert code.exit_code == 0 and "region       0 created, 1 updated" in code.output, code.output
        _, after = _register(bare_app, "ru")
        assert after.startswith("UL-") and before.startswith("ҰЛ-")
        with bare_app.app_context():
            assert db.session.execute(select(Appeal.reg_number).where(Appeal.reg_number == before)).scalar_one()
            row = db.session.get(Region, 1)
            assert (row.pack_version, row.reg_prefix) == ("2026.2", "UL")
            db.session.remove()
        page = bare_app.test_client().get("/?_l_=ru").get_data(as_text=True)
        assert "Аппарат акима Улытауской области" in page
    finally:
        _load(bare_app)  # the first pack again, for the other tests
    with bare_app.app_context():
        assert db.session.get(Region, 1).reg_prefix == "ҰЛ"
        db.session.remove()


def test_loading_the_same_pack_again_leaves_the_region_row_untouched(bare_app):
    from app.extensions import db

    _load(bare_app)
    with bare_app.app_context():
        audit = db.session.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        db.session.remove()
    out = bare_app.test_cli_runner().invoke(args=["region", "load", str(SMALL)]).output
    assert "Nothing to change" in out and "region       0 created, 0 updated" in out, out
    with bare_app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == audit
        db.session.remove()


# -- before any pack ---------------------------------------------------------------------
def test_before_any_pack_the_pages_name_no_region_and_numbers_keep_the_old_prefix(bare_app):
    from app.services.region import identity

    _load(bare_app)  # the books, for an appeal to be registered ...
    _drop_region_row(bare_app)  # ... and no region row, as a database migrated before packs had one
    try:
        client = bare_app.test_client()
        for lang in ("ru", "kk"):
            r = client.get(f"/?_l_={lang}")
            assert r.status_code == 200
            page = r.get_data(as_text=True)
            _no_zhetysu(page)
            assert "Улытау" not in page and "Ұлытау" not in page
            assert NEUTRAL_OFFICE[lang] in page
        with bare_app.app_context():
            assert identity().code is None and identity().reg_prefix == "ЖТ"
        pk, number = _register(bare_app, "kk")
        assert number.startswith("ЖТ-"), number
        from app.extensions import db
        from app.models import Appeal
        from app.services.clock import today

        with bare_app.app_context():
            db.session.get(Appeal, pk).draft_sent_on = today()
            db.session.commit()
            db.session.remove()
        letter = _login(bare_app).get(f"/appeal-workflow/{pk}/letter/draft-refusal")
        assert letter.status_code == 200
        assert _sender(letter.get_data(as_text=True)) == NEUTRAL_OFFICE["kk"]  # the applicant's language
        _no_zhetysu(letter.get_data(as_text=True))
    finally:
        _load(bare_app)


# -- the demo: the Zhetysu pack --------------------------------------------------------
def test_the_demo_names_zhetysu_and_numbers_its_appeals_with_its_prefix(app):
    from app.extensions import db
    from app.models import Appeal, Region
    from app.services.region import identity

    with app.app_context():
        row = db.session.get(Region, 1)
        assert (row.code, row.reg_prefix, row.office_ru, row.office_kk) == (
            "zhetysu", "ЖТ", ZHETYSU_OFFICE["ru"], ZHETYSU_OFFICE["kk"])
        assert identity().reg_prefix == "ЖТ"
        numbers = db.session.execute(select(Appeal.reg_number).limit(50)).scalars().all()
        assert numbers and all(re.fullmatch(r"ЖТ-\d{4}-\d{6}", n) for n in numbers)
        letter_of = db.session.execute(select(Appeal.id, Appeal.language).where(
            Appeal.draft_sent_on.is_not(None)).limit(1)).one()
        db.session.remove()
    client = app.test_client()
    for lang in ("ru", "kk"):
        assert ZHETYSU_OFFICE[lang] in client.get(f"/?_l_={lang}").get_data(as_text=True)
    from tests.conftest import login

    login(client, "manager")
    letter = client.get(f"/appeal-workflow/{letter_of.id}/letter/draft-refusal").get_data(as_text=True)
    assert _sender(letter) == ZHETYSU_OFFICE[getattr(letter_of.language, "value", letter_of.language)]


# -- pure ----------------------------------------------------------------------------------
def test_the_registration_prefix_is_one_to_four_capital_letters():
    from app.services.region_pack import REG_PREFIX

    for good in ("ЖТ", "ҰЛ", "A", "ABCD", "ӘҒҚҢ", "ӨҰҮҺ", "ІЁ"):
        assert REG_PREFIX.fullmatch(good), good
    for bad in ("", "жт", "ЖТ-", "ABCDE", "Ж1", "Ж Т", "ЖТ\n", "٣", "ｚ", "ß", "Ж\x00"):
        assert not REG_PREFIX.fullmatch(bad), repr(bad)


def test_without_an_app_the_region_is_the_neutral_one():
    from app.services.appeals import reg_number
    from app.services.region import NONE, identity

    assert identity() is NONE and reg_number(2026, 123) == "ЖТ-2026-000123"
