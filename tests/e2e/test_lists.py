"""Lists that fit the screen (issue 16), in Chromium: at 1366 px the appeal
list's default columns are all visible, the last one included; at 1024 px
the table scrolls inside its box instead of clipping the page; a column
chosen in the browser (with its CSRF token) stays chosen."""
import pytest

from . import a11y
from .journey import Journey

pytestmark = pytest.mark.e2e

GEOMETRY = """
() => {
  const box = document.querySelector("#qab-list .table-responsive");
  const heads = Array.from(box.querySelectorAll("thead th"));
  const last = heads[heads.length - 1].getBoundingClientRect();
  const b = box.getBoundingClientRect();
  return {lastRight: last.right, lastText: heads[heads.length - 1].innerText.trim(), boxRight: b.right,
          boxScroll: box.scrollWidth, boxClient: box.clientWidth,
          pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth,
          headers: heads.filter((h) => !h.matches(".action_checkboxes, .col-md-1"))
                        .map((h) => h.innerText.trim())};
}
"""


def _label(app, name: str, lang: str = "ru") -> str:
    from flask_babel import force_locale

    from app.views.appeals import APPEAL_LABELS

    with app.test_request_context(), force_locale(lang):
        return str(APPEAL_LABELS[name])


def test_the_appeal_list_fits_1366_px_and_scrolls_inside_its_box_at_1024_px(live_server, live_app, browser):
    from sqlalchemy import delete

    from app.extensions import db
    from app.models import UserPreference
    from app.views.appeals import AppealView

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ru-RU")
    page = context.new_page()
    try:
        journey = Journey(page, live_server, live_app, "ru", "manager")
        journey.login("manager")
        journey.open("/appealview/list/")

        at_1366 = page.evaluate(GEOMETRY)
        assert at_1366["headers"] == [_label(live_app, c) for c in AppealView.default_list_columns]
        assert at_1366["lastText"] == _label(live_app, "deadline")
        assert at_1366["lastRight"] <= at_1366["boxRight"] + 0.5, at_1366  # not cut by its box
        assert at_1366["lastRight"] <= at_1366["viewport"], at_1366
        assert at_1366["boxScroll"] <= at_1366["boxClient"], at_1366  # nothing to scroll to
        assert at_1366["pageWidth"] <= at_1366["viewport"], at_1366

        # a cut cell tells its whole text on hover
        cut = page.evaluate("""() => Array.from(document.querySelectorAll('#qab-list td[title]'))
                                 .map((td) => [td.title, td.scrollWidth > td.clientWidth])""")
        assert cut and all(whole for _, whole in cut), cut

        # the header stays on top while the rows scroll
        top = page.evaluate("""() => {
            const box = document.querySelector('#qab-list .table-responsive');
            box.scrollTop = 400;
            return [box.scrollTop, document.querySelector('#qab-list thead th:last-child').getBoundingClientRect().top,
                    box.getBoundingClientRect().top];
        }""")
        assert top[0] > 0 and abs(top[1] - top[2]) <= 2, top

        # more columns, chosen in the browser: the table grows inside its box, the page does not
        page.click("#qab-columns-toggle")
        a11y.check_page(page, "ru")  # every checkbox of the open menu is labelled
        for col in ("district", "channel", "reception_place", "received_at"):
            page.check(f"#qab-columns-form input[name=col][value={col}]")
        with page.expect_navigation():
            page.click("#qab-columns-form button[value=columns]")
        page.set_viewport_size({"width": 1024, "height": 768})
        at_1024 = page.evaluate(GEOMETRY)
        assert _label(live_app, "district") in at_1024["headers"]
        assert at_1024["boxScroll"] > at_1024["boxClient"], at_1024  # the table scrolls inside its box
        assert at_1024["pageWidth"] <= at_1024["viewport"], at_1024  # and the page is not wider than the screen
        page.evaluate("() => { document.querySelector('#qab-list .table-responsive').scrollLeft = 10000; }")
        scrolled = page.evaluate(GEOMETRY)
        assert scrolled["lastRight"] <= scrolled["boxRight"] + 0.5, scrolled  # the last column can be reached

        # remembered: the next visit shows the same columns
        page.goto(live_server + "/appealview/list/")
        assert page.evaluate(GEOMETRY)["headers"] == at_1024["headers"]
    finally:
        context.close()
        with live_app.app_context():
            db.session.execute(delete(UserPreference))
            db.session.commit()
