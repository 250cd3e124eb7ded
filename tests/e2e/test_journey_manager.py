"""Manager: extends a term by a motivated decision (refused beyond the
two-month cap, accepted within it), approves a month's roster after seeing
the R7 gaps, orders the quarterly report, follows its progress on the Jobs
page and downloads it."""
import re
from datetime import datetime, time, timedelta

import pytest

from tests.builders import decider_id
from tests.conftest import make_appeal

from . import a11y
from .journey import LANGS, XLSX, Journey, fmt

pytestmark = pytest.mark.e2e


def _month_with_a_planned_session(app, lang: str):
    """Three months ahead: one planned session at a reception centre (a
    centre per language, so each run approves its own roster); every other
    official falls short of R7 / R7-1."""
    from sqlalchemy import select

    from app.domain.vocabulary import PlaceKind, SessionKind, SessionStatus
    from app.extensions import db
    from app.models import Official, ReceptionPlace, ReceptionSession
    from app.services.calendar import working_calendar
    from app.services.clock import today
    from app.services.receptions import month_gaps

    with app.app_context():
        first = today().replace(day=1)
        for _ in range(3):
            first = (first + timedelta(days=32)).replace(day=1)
        centres = db.session.execute(select(ReceptionPlace).where(
            ReceptionPlace.kind == PlaceKind.reception_centre).order_by(ReceptionPlace.id)).scalars().all()
        n = ["ru", "kk", "en"].index(lang)
        place = centres[n]
        official = db.session.execute(select(Official).where(Official.user_id.is_not(None))).scalar_one()
        day = working_calendar().on_or_after(first + timedelta(days=7 + 7 * n))
        db.session.add(ReceptionSession(
            official=official, place=place, day=day, starts_at=time(10, 0), ends_at=time(12, 0), capacity=8,
            kind=SessionKind.regular, status=SessionStatus.planned))
        db.session.commit()
        return place.id, first, day, len(month_gaps(first.year, first.month))


@pytest.mark.parametrize("lang", LANGS)
def test_R30b_R7_R40_manager_extends_approves_the_roster_and_downloads_the_quarterly_report(
        live_server, live_app, page, lang):
    from app.domain.deadlines import motivated_extension_limit
    from app.extensions import db
    from app.models import Appeal
    from app.services.calendar import working_calendar
    from app.services.clock import today

    j = Journey(page, live_server, live_app, lang, "manager")
    appeal_id = make_appeal(live_app, datetime.now() - timedelta(days=2))
    with live_app.app_context():
        appeal = db.session.get(Appeal, appeal_id)
        cap = motivated_extension_limit(appeal.registered_on, working_calendar()).due
        this_year, quarter = today().year, (today().month - 1) // 3 + 1
    place_id, month, session_day, gaps = _month_with_a_planned_session(live_app, lang)
    assert gaps > 0

    j.login("manager")

    # 1. Extend by a motivated decision (R30b): never beyond two months from registration.
    j.open(f"/appealview/show/{appeal_id}")
    j.act(appeal_id, "extend")
    page.select_option("#kind", "motivated")
    page.fill("#until", (cap + timedelta(days=3)).isoformat())
    page.fill("#reason", "Решение заместителя акима № 45 о продлении срока")
    j.submit()
    alert = j.flash("danger")
    assert "R30b" in alert and fmt(cap) in alert, alert
    j.shot("1-extend-blocked")
    page.fill("#until", cap.isoformat())
    page.fill("#reason", "Решение заместителя акима № 45 о продлении срока")
    page.select_option("#decided_by", str(decider_id(live_app)))  # who decided (R30b)
    j.submit()
    page.wait_for_url(re.compile(rf".*/appealview/show/{appeal_id}$"))
    j.flash()
    terms = page.locator("#terms").inner_text()
    assert "R30b" in terms and fmt(cap) in terms, terms
    j.shot("2-extended")

    # 2. The month's roster: the R7 gaps first, approval only with a reason.
    key = f"{month.year}-{month.month:02d}"
    j.open(f"/roster/?place={place_id}&month={key}")
    gaps_panel = page.locator("#gaps")
    assert "R7" in gaps_panel.inner_text()
    assert gaps_panel.locator("tbody tr").count() == gaps
    assert fmt(session_day) in page.locator("#roster").inner_text()
    j.shot("3-roster-gaps")
    with page.expect_navigation():
        page.click("#approve-form [type=submit]")
    assert "R7" in j.flash("danger")
    assert page.locator("#approval").count() == 0
    page.fill("#override_reason", "Остальные должностные лица принимают в центрах приема по отдельному графику")
    with page.expect_navigation():
        a11y.press(page, page.locator("#approve-form [type=submit]"))
    assert j.t("The roster is approved.") in j.flash()
    assert page.locator("#approval").count() == 1
    assert j.t("Approved") in page.locator("#roster").inner_text()
    j.shot("4-roster-approved")

    # 3. The quarterly report (R40) as a background job, downloaded from the Jobs page.
    j.open("/reports/")
    page.select_option("#kind", "quarter")
    page.fill("#year", str(this_year))
    page.select_option("#part", str(quarter))
    page.select_option("#lang", "kk" if lang == "kk" else "ru")
    page.select_option("#format", "xlsx")
    j.check()
    j.shot("5-report-order")
    page.click("form [type=submit]")
    page.wait_for_url(re.compile(r".*/jobs/$"))
    j.check()
    row = page.locator("#jobs tbody tr").first
    page.wait_for_function("() => document.querySelector('#jobs tbody tr').dataset.status === 'finished'")
    assert j.t("Report") in row.inner_text() and j.t("Finished") in row.inner_text()
    bar = row.locator(".progress-bar")
    assert bar.get_attribute("aria-valuenow") == "100" and "100" in bar.inner_text()
    j.shot("6-report-ready")
    with page.expect_download() as download:
        row.locator("a[href*='/jobs/download/']").click()
    path = download.value.path()
    data = open(path, "rb").read()
    assert data.startswith(XLSX) and len(data) > 3000
    assert download.value.suggested_filename.endswith(".xlsx")
