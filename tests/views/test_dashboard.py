"""The heads' dashboard (M7.1, M7.2, R29, R38): every card follows every
filter, and every card, district and table figure opens the list it counts —
the list shows the card's number, for a Head and for a Clerk scoped to a
place alike (the row scope applies on both sides)."""
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, Category, District, Official, ReceptionPlace, UserPlace
from tests.conftest import DEMO_PASSWORD, login
from tests.views.test_registers import record_count

PERIOD = "start=2000-01-01&end=2100-01-01"
CARDS = ("registered", "overdue", "on_time", "late", "answered", "satisfied")


def cards(body: str) -> dict[str, tuple[int, str | None]]:
    """data-kpi → (figure, the list URL it links to)."""
    out = {}
    for m in re.finditer(r'<(a|span) (?:href="([^"]*)" )?data-kpi="(\w+)" class="qab-kpi-count">([^<]*)<', body):
        out[m.group(3)] = (int(re.sub(r"\D", "", m.group(4))), html.unescape(m.group(2)) if m.group(2) else None)
    return out


def _dashboard(client, query: str) -> str:
    r = client.get(f"/dashboard/?{query}")
    assert r.status_code == 200
    return r.get_data(as_text=True)


def _ids(app):
    with app.app_context():
        busiest = db.session.execute(select(Appeal.district_id).group_by(Appeal.district_id)
                                     .order_by(func.count().desc()).limit(1)).scalar_one()
        section = db.session.execute(select(Category.id).where(Category.parent_id.is_(None))
                                     .order_by(Category.code).limit(1)).scalar_one()
        place = db.session.execute(select(Appeal.reception_place_id).group_by(Appeal.reception_place_id)
                                   .order_by(func.count().desc()).limit(1)).scalar_one()
        department = db.session.execute(select(Official.department_id).join(Appeal, Appeal.official_id == Official.id)
                                        .group_by(Official.department_id).order_by(func.count().desc())
                                        .limit(1)).scalar_one()
    return {"district": busiest, "category": section, "place": place, "department": department}


def test_M7_every_filter_changes_the_cards_to_the_registers_count(client, app):
    """Each filter narrows the cards to exactly the appeals it selects."""
    login(client, "head")
    ids = _ids(app)
    everything = cards(_dashboard(client, PERIOD))
    with app.app_context():
        total = db.session.execute(select(func.count()).select_from(Appeal)).scalar_one()
        code = db.session.get(Category, ids["category"]).code
        in_section = select(Category.id).where((Category.code == code) | Category.code.like(code + ".%"))
        expected = {
            "district": select(func.count()).where(Appeal.district_id == ids["district"]),
            "category": select(func.count()).where(Appeal.category_id.in_(in_section)),
            "place": select(func.count()).where(Appeal.reception_place_id == ids["place"]),
            "department": select(func.count()).select_from(Appeal).join(Official, Official.id == Appeal.official_id)
            .where(Official.department_id == ids["department"]),
        }
        expected = {k: db.session.execute(stmt).scalar_one() for k, stmt in expected.items()}
        first = db.session.execute(select(func.min(Appeal.registered_on))).scalar_one()
        month = first + timedelta(days=30)
        expected_period = db.session.execute(
            select(func.count()).where(Appeal.registered_on.between(first, month))).scalar_one()
    assert everything["registered"][0] == total
    for name, value in ids.items():
        narrowed = cards(_dashboard(client, f"{PERIOD}&{name}={value}"))
        assert narrowed["registered"][0] == expected[name] < total, name
        assert narrowed != everything, name
    period = cards(_dashboard(client, f"start={first}&end={month}"))
    assert period["registered"][0] == expected_period < total
    assert period["answered"][0] < everything["answered"][0]


@pytest.mark.parametrize("query", ["", "district", "category&department", "place&period"])
def test_M7_each_card_opens_a_list_of_as_many_rows_as_its_figure(client, app, query):
    login(client, "head")
    ids = _ids(app)
    parts = [PERIOD if "period" not in query else "start=2026-03-01&end=2026-08-31"]
    parts += [f"{k}={ids[k]}" for k in query.split("&") if k in ids]
    found = cards(_dashboard(client, "&".join(parts)))
    assert set(found) == set(CARDS)
    for name, (figure, url) in found.items():
        assert url, name
        listed = record_count(client.get(url).get_data(as_text=True))
        assert listed == figure, (name, url)
    assert found["registered"][0] > 0


@pytest.fixture
def scoped_reader(app):
    """The demo clerk's twin: a Clerk bound to the same reception place, who
    may also open the dashboard (an extra FAB role granting only that)."""
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role("Dashboard reader") or sm.add_role("Dashboard reader")
        sm.add_permission_role(role, sm.find_permission_view_menu("can_read", "Analytics"))
        user = sm.find_user(username="clerk_dashboard")
        if user is None:
            user = sm.add_user("clerk_dashboard", "Панель", "Тексеру", "cd@qabyldau.local", [sm.find_role("Clerk"), role],
                               DEMO_PASSWORD)
        else:
            user.roles = [sm.find_role("Clerk"), role]
        place = db.session.get(UserPlace, sm.find_user(username="clerk").id).place_id
        if db.session.get(UserPlace, user.id) is None:
            db.session.add(UserPlace(user_id=user.id, place_id=place))
        db.session.commit()
    yield place
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username="clerk_dashboard")
        user.roles = [sm.find_role("Clerk")]
        db.session.delete(sm.find_role("Dashboard reader"))
        db.session.commit()


def test_M7_a_scoped_clerk_sees_their_place_on_the_cards_and_in_the_lists(client, app, scoped_reader):
    login(client, "head")
    head = cards(_dashboard(client, PERIOD))
    login(client, "clerk_dashboard")
    for query in (PERIOD, f"{PERIOD}&district={_ids(app)['district']}"):
        found = cards(_dashboard(client, query))
        for name, (figure, url) in found.items():
            assert record_count(client.get(url).get_data(as_text=True)) == figure, (query, name)
    found = cards(_dashboard(client, PERIOD))
    with app.app_context():
        own = db.session.execute(select(func.count()).where(Appeal.reception_place_id == scoped_reader)).scalar_one()
    assert found["registered"][0] == own < head["registered"][0]
    # another place named in the URL shows nothing of it: the scope stays
    with app.app_context():
        other = db.session.execute(select(ReceptionPlace.id).where(ReceptionPlace.id != scoped_reader)
                                   .order_by(ReceptionPlace.id).limit(1)).scalar_one()
    assert cards(_dashboard(client, f"{PERIOD}&place={other}"))["registered"][0] == 0


def _district_links(body: str) -> tuple[list[str], list[tuple[str, int]]]:
    chart = body.split('id="chart-map"', 1)[1].split('class="panel panel-default chart"', 1)[0]
    areas = [html.unescape(u) for u in re.findall(r'<area shape="poly" coords="[\d,]+" href="([^"]+)"', chart)]
    cells = [(html.unescape(u), int(re.sub(r"\D", "", v)))
             for u, v in re.findall(r'<td class="text-right"><a href="([^"]+)">([\d\s\xa0\u202f]+)</a>', chart)]
    return areas, cells


def test_M7_2_each_district_of_the_map_opens_its_appeals(client, app):
    login(client, "head")
    areas, cells = _district_links(_dashboard(client, PERIOD))
    with app.app_context():
        districts = db.session.execute(select(func.count()).select_from(District)).scalar_one()
    assert len(areas) == len(cells) == districts
    assert set(areas) == {url for url, _n in cells}  # a tile and its table row open the same list
    for url, figure in cells[:3]:
        assert record_count(client.get(url).get_data(as_text=True)) == figure


def test_M7_2_a_district_filter_leaves_the_others_out_of_the_map(client, app):
    login(client, "head")
    district = _ids(app)["district"]
    body = _dashboard(client, f"{PERIOD}&district={district}")
    areas, cells = _district_links(body)
    assert len(areas) == len(cells) == 1  # the others are neither linked nor listed as 0
    with app.app_context():
        n = db.session.execute(select(func.count()).where(Appeal.district_id == district)).scalar_one()
    assert cells[0][1] == n == record_count(client.get(cells[0][0]).get_data(as_text=True))


def test_M7_table_figures_open_lists_of_as_many_rows(client, app):
    """A sample of every chart's linked figures: section × district, topic,
    month × term, department × term, ground, channel, place, calls."""
    login(client, "head")
    body = _dashboard(client, f"{PERIOD}&district={_ids(app)['district']}")
    checked = 0
    for chunk in body.split('id="chart-')[1:]:
        name = chunk.split('"', 1)[0]
        cells = [(html.unescape(u), int(re.sub(r"\D", "", v))) for u, v in
                 re.findall(r'<td class="text-right"><a href="([^"]+)">([\d\s\xa0\u202f]+)</a>', chunk)]
        assert cells, name
        for url, figure in cells[:: max(1, len(cells) // 2)][:2]:
            assert record_count(client.get(url).get_data(as_text=True)) == figure, (name, url)
            checked += 1
    assert checked >= 20


def test_drill_down_filters_refuse_bad_values_without_an_error(client):
    login(client, "head")
    body = _dashboard(client, PERIOD)
    url = cards(body)["registered"][1]
    assert "_flt_" in url
    used = sorted(set(re.findall(r"_flt_(\d)_(\w+)=", "&".join(u for _f, u in cards(body).values()))))
    used += [("2", "category"), ("2", "official"), ("5", "status"), ("8", "due_on")]  # section, department, extension, running
    for bad in ("2026-13-45", "\x00", str(2**63)):
        for index, column in used:
            r = client.get(f"/{'surveycallview' if column == 'called_at' or column == 'satisfaction' else 'appealview'}/list/",
                           query_string={f"_flt_{index}_{column}": bad})
            assert r.status_code == 200, (column, index, bad)
    r = client.get("/appealview/list/", query_string={"_flt_4_registered_on": "garbage"})
    assert record_count(r.get_data(as_text=True)) == 0
    r = client.get("/surveycallview/list/", query_string={"_flt_2_outcome": str(2**63), "_flt_4_called_at": "x"})
    assert r.status_code == 200 and record_count(r.get_data(as_text=True)) == 0


@pytest.mark.parametrize("query", ["district=9223372036854775808", "department=abc", "category=%00", "place=-5",
                                   "start=2026-02-30", "end=" + "9" * 400, "department=1&district=1&place=1&category=1"])
def test_dashboard_bad_filters_show_a_page_not_an_error(client, query):
    login(client, "head")
    assert client.get(f"/dashboard/?{query}").status_code == 200
    assert client.get(f"/dashboard/chart/compliance_department.csv?{query}").status_code == 200


def test_R29_the_overdue_card_counts_what_the_deadline_filter_lists(client, app):
    """'Overdue now' is of the period's appeals: a period before the demo's
    backlog has none, whatever the district."""
    login(client, "head")
    with app.app_context():
        first = db.session.execute(select(func.min(Appeal.registered_on))).scalar_one()
    before = first - timedelta(days=40)
    found = cards(_dashboard(client, f"start={before}&end={first - timedelta(days=1)}"))
    assert all(found[k][0] == 0 for k in CARDS)
    found = cards(_dashboard(client, PERIOD))  # every appeal registered: the quick filter's own list
    assert found["overdue"][0] == record_count(client.get("/appealview/list/?_flt_4_due_on=1").get_data(as_text=True))


@pytest.mark.parametrize("least,thin", [(1, 0), (10**6, 2)])
def test_R29_R38_a_share_card_of_too_few_cases_is_greyed_and_says_so(client, app, monkeypatch, least, thin):
    monkeypatch.setitem(app.config, "SATISFACTION_MIN_ANSWERS", least)
    login(client, "head")
    body = _dashboard(client, f"{PERIOD}&place={_ids(app)['place']}")
    kpis = body.split('id="kpi"', 1)[1].split('id="chart-', 1)[0]
    assert kpis.count('class="qab-kpi qab-kpi-thin"') == kpis.count('class="qab-thin-mark"') == thin
