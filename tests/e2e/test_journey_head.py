"""Head: opens the dashboard (in Kazakh too), narrows it to a district,
downloads the problem map as PNG; sees applicants without their ИИН."""
import re

import pytest

from . import a11y
from .journey import LANGS, PNG, Journey

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("lang", LANGS)
def test_M7_2_head_reads_the_dashboard_downloads_the_map_and_sees_no_IIN(live_server, live_app, page, lang):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Applicant, District

    with live_app.app_context():
        applicant = db.session.execute(
            select(Applicant).where(Applicant.iin.is_not(None)).order_by(Applicant.id).limit(1)).scalar_one()
        applicant_id, iin, applicant_name = applicant.id, applicant.iin, applicant.full_name
        district = db.session.execute(select(District).order_by(District.kato).limit(1)).scalar_one()
        district_id = district.id
        district_name = district.name_kk if lang == "kk" else district.name_ru

    j = Journey(page, live_server, live_app, lang, "head")
    j.login("head")
    j.open("/dashboard/")
    assert j.t("Heads' dashboard") in j.body()
    assert page.locator("#chart-map img").count() == 1
    page.wait_for_function("() => document.querySelector('#chart-map img').naturalWidth > 0")
    j.shot("1-dashboard")

    # Narrow to one district: the choice is kept and every chart follows it.
    page.select_option("#district", str(district_id))
    with page.expect_navigation():
        a11y.press(page, page.locator("#dashboard-filters [type=submit]"))
    j.check()
    assert f"district={district_id}" in page.url
    assert page.locator("#district option:checked").inner_text().strip() == district_name
    assert f"district={district_id}" in page.locator("#chart-map img").get_attribute("src")
    page.locator("#chart-map").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('#chart-map img').naturalWidth > 0")
    j.shot("2-filtered")

    # The problem map as PNG.
    with page.expect_download() as download:
        page.click("#chart-map .panel-heading a[href*='/chart/map.png']")
    data = open(download.value.path(), "rb").read()
    assert data.startswith(PNG) and len(data) > 5000
    assert download.value.suggested_filename.startswith("map-") and download.value.suggested_filename.endswith(".png")

    # Personal data: a Head sees the applicant's name, never the ИИН.
    j.open(f"/applicantview/show/{applicant_id}")
    assert applicant_name in j.body()
    assert iin not in page.content()
    assert re.search(r"\d{4}\*{6}\d{2}", j.body()), j.body()[:800]
    j.shot("3-applicant-masked")

    # The dashboard in Kazakh, chosen in the language menu.
    if lang != "kk":
        j.open("/dashboard/")
        j.switch_language("kk")
        j.lang = "kk"
        j.open("/dashboard/")
        assert j.t("Heads' dashboard") in j.body() and j.t("Heads' dashboard") != "Heads' dashboard"
