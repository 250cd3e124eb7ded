"""A clerk's two most frequent tasks, counted in clicks and typings as the
issue measures them: registering an appeal for a citizen who walks in
(≤ 8) and finding an appeal by its number or the applicant's ИИН (≤ 2).
Choosing a value in a field counts one, typing a field's text one, a click
on a button or link one."""
import re

import pytest

from .journey import Journey

pytestmark = pytest.mark.e2e


class Counted:
    """The user's actions on the page, counted."""

    def __init__(self, page):
        self.page, self.n = page, 0

    def click(self, selector):
        self.n += 1
        self.page.click(selector)

    def type(self, selector, text):
        self.n += 1
        self.page.fill(selector, text)

    def choose(self, selector, value):
        self.n += 1
        self.page.select_option(selector, str(value))

    def press(self, selector, key="Enter"):
        self.n += 1
        self.page.press(selector, key)


def _choices(app):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Category, District, Official

    with app.app_context():
        return (db.session.execute(select(District.id).order_by(District.id)).scalars().first(),
                db.session.execute(select(Category.id).where(Category.parent_id.is_not(None))
                                   .order_by(Category.id)).scalars().first(),
                db.session.execute(select(Official.id).where(Official.active.is_(True))
                                   .order_by(Official.id)).scalars().first())


@pytest.mark.parametrize("lang", ["kk"])
def test_R25_a_walk_in_citizen_is_registered_in_at_most_8_actions(live_server, live_app, page, lang):
    district, category, official = _choices(live_app)
    j = Journey(page, live_server, live_app, lang, "clerk")
    j.login("clerk")
    user = Counted(page)
    with page.expect_navigation():
        user.click("#desk-actions a[href*='channel=by_hand']")
    j.check()
    assert page.eval_on_selector("select[name=district]", "el => el.value") in ("", "__None")  # nothing chosen for them
    user.type("#new_applicant_name", f"Жаяу Келген Азамат {lang}")
    user.choose("select[name=district]", district)
    user.choose("select[name=category]", category)
    user.choose("select[name=official]", official)
    user.type("textarea[name=substance]", f"Прошу принять по вопросу благоустройства двора ({lang})")
    user.choose("select[name=language]", lang)
    with page.expect_navigation():
        user.click("form [type=submit]")
    assert user.n <= 8, user.n
    assert re.search(r"/appealview/show/\d+$", page.url), page.url
    number = re.search(r"ЖТ-\d{4}-\d{6}", j.body()).group(0)
    assert f"Жаяу Келген Азамат {lang}" in j.body()
    j.check()

    # found again by its number from the navbar: type it, press Enter
    j.open("/")
    finder = Counted(page)
    finder.type("#q-global-search", number)
    with page.expect_navigation():
        finder.press("#q-global-search")
    assert finder.n <= 2 and re.search(r"/appealview/show/\d+$", page.url)
    assert number in j.body()


def test_an_appeal_is_found_by_the_applicants_iin_in_2_actions(live_server, live_app, page):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Appeal, Applicant
    from tests.security.test_scope_and_privacy import place_of

    place = place_of(live_app, "clerk")
    with live_app.app_context():
        a = db.session.execute(select(Appeal).join(Applicant).where(Appeal.reception_place_id == place,
                                                                    Applicant.iin.is_not(None))
                               .order_by(Appeal.id.desc()).limit(1)).scalar_one()
        number, iin = a.reg_number, a.applicant.iin
    j = Journey(page, live_server, live_app, "ru", "clerk")
    j.login("clerk")
    finder = Counted(page)
    finder.type("#q-global-search", iin)
    with page.expect_navigation():
        finder.press("#q-global-search")
    assert finder.n <= 2
    j.check()
    assert page.locator(f"#search-applicants a:has-text('{number}')").count() == 1


def test_the_search_box_suggests_as_the_clerk_types_and_the_arrows_choose(live_server, live_app, page):
    """Typing a name offers the applicants of the clerk's place at once
    (an accessible combobox: axe-core checks the open list); ↓ and Enter
    open the one chosen."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Appeal, Applicant
    from tests.security.test_scope_and_privacy import place_of

    place = place_of(live_app, "clerk")
    with live_app.app_context():
        applicant = db.session.execute(select(Applicant).join(Appeal, Appeal.applicant_id == Applicant.id)
                                       .where(Appeal.reception_place_id == place)
                                       .order_by(Applicant.id).limit(1)).scalar_one()
        name, pk = applicant.full_name, applicant.id
    j = Journey(page, live_server, live_app, "kk", "clerk")
    j.login("clerk")
    page.keyboard.press("/")
    page.keyboard.type(name, delay=20)
    page.wait_for_selector("#q-suggest [role=option]")
    assert page.get_attribute("#q-global-search", "aria-expanded") == "true"
    j.check()  # the open list passes axe-core too
    options = page.locator("#q-suggest [role=option]")
    target = next(i for i in range(options.count())
                  if options.nth(i).get_attribute("data-url") == f"/applicantview/show/{pk}")
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    assert page.get_attribute("#q-global-search", "aria-activedescendant") == f"q-suggest-{target}"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"/applicantview/show/{pk}")
    page.keyboard.press("/")
    page.keyboard.type("zz")
    page.keyboard.press("Escape")
    assert page.locator("#q-suggest").is_hidden()
