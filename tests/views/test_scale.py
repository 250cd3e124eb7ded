"""What keeps the registers fast at a million appeals, through the real
stack on SQLite and PostgreSQL: bounded queries, capped counts, indexed
case-folding text search, id filters, cached grants."""
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Appeal, District
from tests.conftest import login, make_appeal
from tests.querycount import count_queries
from tests.views.test_registers import record_count

FILTERED = "/appealview/list/?_flt_0_status=registered&_flt_0_district={d}&_oc_AppealView=due_on&_od_AppealView=asc"


def _district_id(app) -> int:
    with app.app_context():
        return db.session.execute(select(District.id).order_by(District.id).limit(1)).scalar_one()


@pytest.mark.parametrize("query", ["", "?_oc_AppealView=registered_on&_od_AppealView=desc", "FILTERED",
                                   "?_flt_2_substance=вопрос", "?page_AppealView=3"])
def test_appeal_list_takes_at_most_six_queries_whatever_the_page_size(manager, app, query):
    url = "/appealview/list/" + query if query != "FILTERED" else FILTERED.format(d=_district_id(app))
    sep = "&" if "?" in url else "?"
    manager.get(url)
    with app.app_context():
        engine = db.engine
    for size in (10, 100):
        with count_queries(engine) as stmts:
            r = manager.get(f"{url}{sep}psize_AppealView={size}")
        assert r.status_code == 200
        assert len(stmts) <= 6, (size, stmts)
        # the related columns come in the page's own query
        page = [s for s in stmts if "FROM appeal" in s and "ORDER BY" in s]
        assert len(page) == 1 and "JOIN district" in page[0] and "JOIN category" in page[0], page


def test_list_count_stops_at_the_cap_and_says_so(manager, app, monkeypatch):
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 50)
    body = manager.get("/appealview/list/").get_data(as_text=True)
    assert record_count(body) == 50 and "50+" in body
    # pages past the counted ones still open, in the same order
    assert manager.get("/appealview/list/?page_AppealView=4").status_code == 200
    monkeypatch.setitem(app.config, "LIST_COUNT_CAP", 100_000)
    exact = record_count(manager.get("/appealview/list/").get_data(as_text=True))
    with app.app_context():
        assert exact == db.session.execute(select(db.func.count()).select_from(Appeal)).scalar_one()
    assert exact > 50


def test_search_folds_cyrillic_and_kazakh_case_on_both_databases(manager, app):
    ru = make_appeal(app, datetime.now() - timedelta(days=2), substance="Водоснабжение села Көктал прекращено")
    kk = make_appeal(app, datetime.now() - timedelta(days=2), substance="ӘЛЕУМЕТТІК көмек туралы өтініш")
    with app.app_context():
        ru_no, kk_no = (db.session.get(Appeal, i).reg_number for i in (ru, kk))
    body = manager.get("/appealview/list/?_flt_2_substance=водоснабжение").get_data(as_text=True)
    assert ru_no in body and kk_no not in body
    body = manager.get("/appealview/list/?_flt_2_substance=әлеуметтік").get_data(as_text=True)
    assert kk_no in body and ru_no not in body
    body = manager.get("/appealview/list/?_flt_2_substance=КӨКТАЛ").get_data(as_text=True)
    assert ru_no in body
    # wildcards are text, not patterns; a query of no words finds nothing
    assert record_count(manager.get("/appealview/list/?_flt_2_substance=%25").get_data(as_text=True)) == 0
    assert manager.get("/appealview/list/?_flt_2_substance=%22%2A").status_code == 200


def test_substance_search_uses_the_index_of_its_database(manager, app):
    with app.app_context():
        engine = db.engine
        with count_queries(engine) as stmts:
            manager.get("/appealview/list/?_flt_2_substance=дорог")
    searched = " ".join(s for s in stmts if "FROM appeal" in s)
    if app.config["DB_KIND"] == "sqlite":
        assert "appeal_fts MATCH" in searched
    else:
        assert "@@ to_tsquery" in searched
        with engine.connect() as conn:
            names = set(conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE tablename='appeal'").scalars())
        assert {"ix_appeal_substance_tsv", "ix_appeal_district_status_due"} <= names


def test_relation_filter_compares_ids_and_ignores_garbage(manager, app):
    district = _district_id(app)
    body = manager.get(f"/appealview/list/?_flt_0_district={district}").get_data(as_text=True)
    with app.app_context():
        expected = db.session.execute(
            select(db.func.count()).select_from(Appeal).where(Appeal.district_id == district)).scalar_one()
    assert record_count(body) == expected
    r = manager.get("/appealview/list/?_flt_0_district=abc")
    assert r.status_code == 200 and record_count(r.get_data(as_text=True)) == 0
    r = manager.get("/appealview/list/?_flt_1_district=abc")
    assert r.status_code == 200


def test_search_form_offers_relations_by_typing_not_whole_tables(manager, app):
    body = manager.get("/appealview/list/").get_data(as_text=True)
    assert 'data-url=\\"/lookup/district\\"' in body or 'data-url="/lookup/district"' in body
    assert "/lookup/official" in body and "/lookup/category" in body
    with app.app_context():
        d = db.session.get(District, _district_id(app))
        name = d.name_ru
    r = manager.get(f"/lookup/district?id={d.id}")
    assert r.get_json()["results"] == [{"id": d.id, "text": name}]
    r = manager.get("/lookup/district?q=" + name[:4].lower())
    assert {"id": d.id, "text": name} in r.get_json()["results"]


def test_grants_are_cached_but_a_role_change_is_seen_at_once(client, app):
    from flask_appbuilder.security.sqla.models import Role

    login(client, "head")
    assert client.get("/dashboard/").status_code == 200
    with app.app_context():
        engine = db.engine
    with count_queries(engine) as stmts:
        client.get("/dashboard/")
    assert not [s for s in stmts if "ab_permission_view_role" in s], "grants read again"
    with app.app_context():
        sm = app.appbuilder.sm
        role = db.session.execute(select(Role).where(Role.name == "Head")).scalar_one()
        removed = [pv for pv in role.permissions if pv.view_menu.name == "Analytics" and pv.permission.name == "can_read"]
        assert removed
        for pv in removed:
            role.permissions.remove(pv)
        db.session.commit()
    try:
        assert client.get("/dashboard/").status_code in (302, 403)
    finally:
        with app.app_context():
            role = db.session.execute(select(Role).where(Role.name == "Head")).scalar_one()
            for pv in removed:
                role.permissions.append(db.session.merge(pv))
            db.session.commit()
            del sm
    assert client.get("/dashboard/").status_code == 200
