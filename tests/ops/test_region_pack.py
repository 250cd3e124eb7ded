"""Any region by data (issue 17.5): ``flask region load PACK`` fills the
reference books of an empty database from a pack — here a small one,
tests/data/packs/ulytau — reloads it unchanged, updates from a newer pack
(deactivating, never deleting), and refuses a broken pack with every error
named by file and line before anything is written."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.builders import empty_app

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "data" / "packs" / "ulytau"
ZHETYSU = ROOT / "packs" / "zhetysu"
BOOKS = {
    "district": "SELECT kato, kind, name_ru, name_kk, centre_ru, centre_kk, lat, lon, population, population_year "
                "FROM district ORDER BY id",
    "department": "SELECT id, pack_key, name_ru, name_kk, kind, parent_id, district_id FROM department ORDER BY id",
    "official": "SELECT id, pack_key, full_name, position_ru, position_kk, level, department_id, languages, active, "
                "user_id FROM official ORDER BY id",
    "reception_place": "SELECT id, pack_key, name_ru, name_kk, kind, district_id, address FROM reception_place "
                       "ORDER BY id",
    "category": "SELECT id, code, name_ru, name_kk, parent_id, active FROM category ORDER BY id",
    "audit_log": "SELECT count(*) FROM audit_log",
}
PASSWORD = "Region-pass-2026"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def region_app(request, tmp_path_factory):
    """An app on an empty, migrated database (roles synced, no demo data)."""
    yield from empty_app(request.param, tmp_path_factory, "region", ("region_manager", "Гульнар", "Сатова"), PASSWORD)


def fingerprint(application) -> dict[str, tuple[int, str]]:
    """Per reference book: the row count and a checksum of every column; the audit log's size."""
    from app.extensions import db

    with application.app_context():
        out = {}
        for table, sql in BOOKS.items():
            rows = [tuple(r) for r in db.session.execute(text(sql)).all()]
            out[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        db.session.remove()
    return out


def cli(application, *args):
    result = application.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output  # stdout and stderr, as a terminal shows them


def copy_pack(tmp_path: Path, name: str = "pack") -> Path:
    target = tmp_path / name
    shutil.copytree(SMALL, target)
    return target


def edit_line(pack: Path, file: str, line: int, old: str, new: str) -> None:
    path = pack / file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1], (file, line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


# -- the life of a region: load, reload, update ----------------------------------------
def test_a_small_region_loads_into_an_empty_database_reloads_unchanged_and_updates(region_app, tmp_path):
    from app.extensions import db
    from app.models import Category, Department, District, Official, ReceptionPlace

    code, out = cli(region_app, "region", "load", str(SMALL))
    assert code == 0, out
    assert "districts    3 created, 0 updated, 0 deactivated" in out
    assert "officials    3 created" in out and "topics       5 created" in out and "Loaded." in out
    with region_app.app_context():
        districts = db.session.execute(select(District).order_by(District.id)).scalars().all()
        assert [(d.kato, d.population, d.population_year) for d in districts] == [
            ("621000000", 90000, 2025), ("621600000", 70000, 2025), ("623200000", 12000, 2025)]
        control = db.session.execute(select(Department).where(Department.pack_key == "appeals_control")).scalar_one()
        assert control.parent.pack_key == "akim_office" and control.district is None
        akimat = db.session.execute(select(Department).where(Department.pack_key == "akimat_ulytau")).scalar_one()
        assert akimat.district.kato == "623200000"
        clerk = db.session.execute(select(Official).where(Official.pack_key == "beisenov-ek")).scalar_one()
        assert clerk.languages == "kk" and clerk.active and clerk.department is control
        places = db.session.execute(select(ReceptionPlace).order_by(ReceptionPlace.id)).scalars().all()
        assert [p.pack_key for p in places] == ["public_reception", "centre_623200000"]
        question = db.session.execute(select(Category).where(Category.code == "01.01.01")).scalar_one()
        assert question.parent.code == "01.01" and question.parent.parent.code == "01"
        db.session.remove()

    loaded = fingerprint(region_app)
    code, out = cli(region_app, "region", "load", str(SMALL))
    assert code == 0 and "Nothing to change" in out, out
    assert fingerprint(region_app) == loaded  # not a row touched, not an audit row written

    # a newer pack: Zhezkazgan's population, Satpayev's name, a new district, a topic moved,
    # one official and one topic gone
    newer = copy_pack(tmp_path, "newer")
    edit_line(newer, "districts.csv", 2, ",90000,", ",91500,")
    edit_line(newer, "districts.csv", 3, "г. Сатпаев,Сәтбаев", "г. Сатпаев (Сәтбаев),Сәтбаев")
    with (newer / "districts.csv").open("a", encoding="utf-8") as fh:
        fh.write("623400000,district,Жанааркинский район,Жаңаарқа ауданы,пос. Атасу,Атасу кенті,48.68,71.64,24000,2025\n")
    edit_line(newer, "officials.csv", 4, "beisenov-ek", "beisenov-ek")
    lines = (newer / "officials.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (newer / "officials.csv").write_text("".join(lines[:3]), encoding="utf-8")
    topics = (newer / "topics.csv").read_text(encoding="utf-8").replace("02.01,Назначение пособий,Жәрдемақы тағайындау,1\n",
                                                                          "02.02,Занятость,Жұмыспен қамту,1\n")
    (newer / "topics.csv").write_text(topics, encoding="utf-8")

    code, out = cli(region_app, "region", "load", "--dry-run", str(newer))
    assert code == 0 and "Dry run" in out and "districts    1 created, 2 updated" in out, out
    assert fingerprint(region_app) == loaded

    code, out = cli(region_app, "region", "load", str(newer))
    assert code == 0, out
    assert "districts    1 created, 2 updated, 0 deactivated" in out
    assert "officials    0 created, 0 updated, 1 deactivated" in out
    assert "topics       1 created, 0 updated, 1 deactivated" in out
    with region_app.app_context():
        zh = db.session.execute(select(District).where(District.kato == "621000000")).scalar_one()
        assert zh.population == 91500
        gone = db.session.execute(select(Official).where(Official.pack_key == "beisenov-ek")).scalar_one()
        assert gone.active is False  # kept: appeals may name them
        old_topic = db.session.execute(select(Category).where(Category.code == "02.01")).scalar_one()
        assert old_topic.active is False
        assert db.session.execute(select(func.count()).select_from(District)).scalar_one() == 4
        db.session.remove()

    code, out = cli(region_app, "region", "load", str(newer))
    assert code == 0 and "Nothing to change" in out, out
    # the first pack again: the official and the topic come back
    code, out = cli(region_app, "region", "load", str(SMALL))
    assert code == 0 and "officials    0 created, 1 updated, 0 deactivated" in out, out
    with region_app.app_context():
        assert db.session.execute(select(Official.active).where(Official.pack_key == "beisenov-ek")).scalar_one()
        db.session.remove()


def test_the_app_works_on_the_small_region(region_app):
    cli(region_app, "region", "load", str(SMALL))
    client = region_app.test_client()
    r = client.post("/login/", data={"username": "region_manager", "password": PASSWORD})
    assert r.status_code == 302, r.get_data(as_text=True)[:300]
    page = client.get("/districtview/list/?_l_=ru").get_data(as_text=True)
    assert "г. Жезказган" in page and "Улытауский район" in page and "Талдыкорган" not in page
    assert "Общественная приемная акима области Улытау" in client.get("/receptionplaceview/list/").get_data(as_text=True)
    assert "Тастанов Арман Болатович" in client.get("/officialview/list/").get_data(as_text=True)
    kk = client.get("/districtview/list/?_l_=kk").get_data(as_text=True)
    assert "Жезқазған қаласы" in kk
    api = client.get("/api/v1/district/?q=(page_size:10)")
    assert api.status_code == 200 and {d["kato"] for d in api.get_json()["result"]} >= {"621000000", "623200000"}


# -- a broken pack is refused whole, with every error's file and line -----------------
def _cp1251(pack: Path) -> None:
    path = pack / "districts.csv"
    path.write_bytes(path.read_bytes().replace("Улытауский".encode(), "Улытауский".encode("cp1251")))


def _nul(pack: Path) -> None:
    path = pack / "officials.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2].replace("Омарова".encode(), "Омар\x00ова".encode())
    path.write_bytes(b"\n".join(lines))


def _append(file: str, row: str):
    def go(pack: Path) -> None:
        with (pack / file).open("a", encoding="utf-8") as fh:
            fh.write(row)
    return go


def _edit(file: str, line: int, old: str, new: str):
    return lambda pack: edit_line(pack, file, line, old, new)


BROKEN = {
    "bad KATO": (_edit("districts.csv", 3, "621600000", "62160000"), "districts.csv:3", "not well-formed"),
    "KATO of letters": (_edit("districts.csv", 3, "621600000", "62160000x"), "districts.csv:3", "not well-formed"),
    "KATO in Arabic-Indic digits": (_edit("districts.csv", 3, "621600000", "٦٢١٦٠٠٠٠٠"), "districts.csv:3",
                                    "not well-formed"),
    "duplicate KATO": (_edit("districts.csv", 4, "623200000", "621000000"), "districts.csv:4", "already on line 2"),
    "duplicate official key": (_edit("officials.csv", 4, "beisenov-ek", "tastanov-ab"), "officials.csv:4",
                               "already on line 2"),
    "duplicate place key": (_edit("places.csv", 3, "centre_623200000", "public_reception"), "places.csv:3",
                            "already on line 2"),
    "duplicate topic": (_append("topics.csv", "01.01,Ещё раз,Тағы да,1\n"), "topics.csv:7", "already on line 3"),
    "missing parent department": (_edit("departments.csv", 3, ",akim_office,akim_office,", ",akim_office,nowhere,"), "departments.csv:3",
                                  "parent 'nowhere'"),
    "department its own parent": (_edit("departments.csv", 2, "akim_office,,", "akim_office,appeals_control,"),
                                  "departments.csv:2", "its own parent"),
    "missing parent topic": (_append("topics.csv", "03.01,Сироты,Жетімдер,1\n"), "topics.csv:7", "'03'"),
    "unknown district kind": (_edit("districts.csv", 4, ",district,", ",village,"), "districts.csv:4", "Unknown kind"),
    "unknown place kind": (_edit("places.csv", 3, ",reception_centre,", ",embassy,"), "places.csv:3", "'embassy'"),
    "unknown level": (_edit("officials.csv", 2, ",akim,", ",king,"), "officials.csv:2", "Unknown level"),
    "unknown department": (_edit("officials.csv", 4, ",appeals_control,", ",secret_police,"), "officials.csv:4",
                           "secret_police"),
    "unknown district of a place": (_edit("places.csv", 3, ",623200000,", ",623299999,"), "places.csv:3",
                                    "not in districts.csv"),
    "unknown district of a department": (_edit("departments.csv", 4, ",623200000", ",111111111"),
                                         "departments.csv:4", "not in districts.csv"),
    "bad languages": (_edit("officials.csv", 4, ",kk,1", ",en,1"), "officials.csv:4", "languages"),
    "bad active": (_edit("officials.csv", 4, ",kk,1", ",kk,maybe"), "officials.csv:4", "active"),
    "NUL byte": (_nul, "officials.csv:3", "NUL"),
    "not UTF-8": (_cp1251, "districts.csv:4", "UTF-8"),
    "negative population": (_edit("districts.csv", 2, ",90000,", ",-90000,"), "districts.csv:2", "population"),
    "zero population": (_edit("districts.csv", 2, ",90000,", ",0,"), "districts.csv:2", "population"),
    "fractional population": (_edit("districts.csv", 2, ",90000,", ",90000.5,"), "districts.csv:2", "population"),
    "population with an underscore": (_edit("districts.csv", 2, ",90000,", ",90_000,"), "districts.csv:2",
                                      "population"),
    "population in words": (_edit("districts.csv", 2, ",90000,", ",много,"), "districts.csv:2", "population"),
    "latitude out of range": (_edit("districts.csv", 2, "47.783", "147.783"), "districts.csv:2", "lat"),
    "longitude not a number": (_edit("districts.csv", 2, "67.714", "nan"), "districts.csv:2", "lon"),
    "missing field": (_edit("places.csv", 2, ',"г. Жезказган, пр. Алашахана, 1"', ""), "places.csv:2", "fields"),
    "empty name": (_edit("districts.csv", 3, "г. Сатпаев,Сәтбаев қаласы,г.", ",Сәтбаев қаласы,г."),
                   "districts.csv:3", "name_ru is empty"),
    "name too long": (_edit("places.csv", 2, "Общественная", "О" * 300), "places.csv:2", "longer than 255"),
    "control character": (_edit("officials.csv", 3, "Омарова", "Омарова\x1b[2J"), "officials.csv:3", "control"),
    "wrong header": (_edit("topics.csv", 1, "code,", "kod,"), "topics.csv:1", "columns"),
    "bad topic code": (_append("topics.csv", "01/02,Дробь,Бөлшек,1\n"), "topics.csv:7", "not well-formed"),
    "region.json not JSON": (lambda p: (p / "region.json").write_text('{"code": "ulytau",\n  oops}'),
                             "region.json:2", "JSON"),
    "region.json without version": (lambda p: (p / "region.json").write_text(
        '{"code": "ulytau", "name_ru": "x", "name_kk": "y", "population_source": "z", "population_date": "2025-01-01"}'),
        "region.json:1", "version"),
    "bad population date": (_edit("region.json", 8, "2025-01-01", "01.01.2025"), "region.json:8", "YYYY-MM-DD"),
    # the region's own words (letters, pages) and its registration prefix
    "prefix in small letters": (_edit("region.json", 11, '"ҰЛ"', '"ұл"'), "region.json:11", "registration prefix"),
    "prefix of five letters": (_edit("region.json", 11, '"ҰЛ"', '"ҰЛЫТА"'), "region.json:11", "longer than 4"),
    "prefix with a digit": (_edit("region.json", 11, '"ҰЛ"', '"Ұ1"'), "region.json:11", "registration prefix"),
    "prefix with a dash": (_edit("region.json", 11, '"ҰЛ"', '"Ұ-Л"'), "region.json:11", "registration prefix"),
    "prefix empty": (_edit("region.json", 11, '"ҰЛ"', '" "'), "region.json:11", "reg_prefix is missing"),
    "prefix a number": (_edit("region.json", 11, '"ҰЛ"', "12"), "region.json:11", "reg_prefix is missing"),
    "office without Kazakh": (lambda p: edit_line(p, "region.json", 10, '"office_kk"', '"office_kz"'),
                              "region.json:1", "office_kk is missing"),
    "office with a NUL": (_edit("region.json", 9, "Улытау", "Улы\\u0000тау"), "region.json:9", "office_ru"),
    "office too long": (_edit("region.json", 9, "Аппарат", "А" * 300), "region.json:9", "longer than 255"),
    "region name empty": (_edit("region.json", 4, "область Улытау", ""), "region.json:4", "name_ru is missing"),
    "missing file": (lambda p: (p / "places.csv").unlink(), "places.csv:0", "missing"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_pack_is_refused_with_file_and_line_and_nothing_written(region_app, tmp_path, case):
    from flask_babel import force_locale

    from app.services.region_pack import PackInvalid, load_pack

    breaker, where, says = BROKEN[case]
    pack = copy_pack(tmp_path)
    breaker(pack)
    before = fingerprint(region_app)
    with region_app.app_context(), force_locale("en"):
        with pytest.raises(PackInvalid) as caught:
            load_pack(pack)
        messages = [str(e) for e in caught.value.errors]
    assert any(m.startswith(where + ":") and says in m for m in messages), messages
    assert fingerprint(region_app) == before


def test_every_error_of_a_pack_is_reported_at_once_and_the_cli_writes_nothing(region_app, tmp_path):
    pack = copy_pack(tmp_path)
    edit_line(pack, "districts.csv", 3, "621600000", "6216")
    edit_line(pack, "officials.csv", 2, ",akim,", ",khan,")
    edit_line(pack, "places.csv", 3, ",reception_centre,", ",bazaar,")
    before = fingerprint(region_app)
    code, out = cli(region_app, "region", "load", str(pack))
    assert code != 0
    for where in ("districts.csv:3:", "officials.csv:2:", "places.csv:3:"):
        assert where in out, out
    assert "3 error(s); nothing was written" in out and "Traceback" not in out
    code, out = cli(region_app, "region", "check", str(pack))
    assert code != 0 and "districts.csv:3:" in out
    assert fingerprint(region_app) == before


def test_a_file_over_the_size_limit_is_refused_unread(region_app, tmp_path, monkeypatch):
    from flask_babel import force_locale

    from app.services import region_pack

    pack = copy_pack(tmp_path)
    monkeypatch.setattr(region_pack, "MAX_FILE_BYTES", 560)
    with region_app.app_context(), force_locale("en"), pytest.raises(region_pack.PackInvalid) as caught:
        region_pack.read_pack(pack)
    assert [str(e) for e in caught.value.errors] == [
        "officials.csv:0: The file is larger than 560 bytes.", "places.csv:0: The file is larger than 560 bytes."]


def test_a_path_that_is_no_pack_is_refused(region_app, tmp_path):
    code, out = cli(region_app, "region", "check", str(tmp_path / "nothing-here"))
    assert code != 0 and "The pack must be a directory" in out and "Traceback" not in out
    code, out = cli(region_app, "region", "check", str(tmp_path))
    assert code != 0 and "region.json:0: The file is missing from the pack." in out


# -- the Zhetysu pack ------------------------------------------------------------------
def test_the_zhetysu_pack_ships_and_is_valid(region_app):
    code, out = cli(region_app, "region", "check", str(ZHETYSU))
    assert code == 0, out
    assert "10 districts, 33 departments, 48 officials, 11 places, 93 topics. The pack is valid." in out


def test_the_demo_reference_books_are_the_zhetysu_pack(app):
    """The demo loads the pack (``load_pack``): its units, officials and places carry the pack's keys,
    and loading the pack over the demo would create nothing."""
    import csv

    from app.extensions import db
    from app.models import Department, Official, ReceptionPlace

    with app.app_context():
        for model, file in ((Department, "departments.csv"), (Official, "officials.csv"),
                            (ReceptionPlace, "places.csv")):
            with (ZHETYSU / file).open(encoding="utf-8") as fh:
                keys = [row["key"] for row in csv.DictReader(fh)]
            got = db.session.execute(select(model.pack_key).order_by(model.id).limit(len(keys))).scalars().all()
            # units are inserted parents first (the flush orders a tree), officials and places in the pack's order
            assert (set(got) == set(keys)) if model is Department else (got == keys)
        db.session.remove()
    code, out = cli(app, "region", "load", "--dry-run", str(ZHETYSU))
    assert code == 0 and "Dry run" in out, out
    assert out.count(" 0 created,") == 6, out  # the region's row and five books
