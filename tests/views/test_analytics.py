"""The heads' overview by district: SQL aggregates that match the rows."""

from sqlalchemy import func, select

from app.extensions import db
from app.models import Appeal, District
from tests.conftest import login


def test_M7_2_district_overview_counts_match_the_register(client, app):
    login(client, "head")
    r = client.get("/analytics/districts?start=2000-01-01&end=2100-01-01")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    with app.app_context():
        d = db.session.execute(select(District).where(District.kato == "331000000")).scalar_one()
        n = db.session.execute(select(func.count()).where(Appeal.district_id == d.id)).scalar_one()
        per_10k = round(n * 10000 / d.population, 1)
    row = body.split("331000000", 1)[1].split("</tr>", 1)[0]
    from babel.numbers import format_decimal

    # numbers follow the UI language (ru by default: decimal comma, spaced thousands)
    assert f">{format_decimal(n, locale='ru')}<" in row and f">{format_decimal(per_10k, locale='ru')}<" in row


def test_analytics_bad_dates_show_a_message_not_an_error(client):
    login(client, "head")
    r = client.get("/analytics/districts?start=31.12.2026&end=x")
    assert r.status_code == 200
    assert "alert-warning" in r.get_data(as_text=True)


def test_clerk_has_no_analytics(client):
    login(client, "clerk")
    assert client.get("/analytics/districts").status_code in (302, 403)
