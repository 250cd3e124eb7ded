"""axe-core on the key pages of every role, in Russian and Kazakh: no
critical or serious violation, one main landmark, one <h1> (tests/e2e/a11y.py).
The journeys run the same check on every page they visit; this test makes
sure each role's key pages are covered even where no journey goes."""
import re

import pytest

from . import a11y
from .journey import Journey

pytestmark = pytest.mark.e2e

APPEAL, ACTION = "appeal page", "action form"
KEY_PAGES = {
    "home": "/",
    "appeal list": "/appealview/list/",
    APPEAL: None,  # an appeal the role acts on, else the first of its list
    ACTION: None,  # the first workflow action of that appeal (never the assignment form)
    "appeal add form": "/appealview/add",
    "dashboard": "/dashboard/",
    "rosters": "/roster/",
    "protocols": "/protocolview/list/",
    "survey work list": "/surveys/worklist",
    "calendar": "/calendardayview/list/",
    "reports": "/reports/",
    "notifications": "/jobs/notifications",
    "jobs": "/jobs/",
}
# The key pages a role may not open (its menu does not offer them).
NOT_FOR = {
    "admin": {ACTION, "appeal add form"},
    "manager": set(),
    "clerk": {"dashboard", "reports"},
    "responsible": {"dashboard", "survey work list", "reports"},
    "head": {ACTION, "appeal add form"},
    "auditor": {ACTION, "appeal add form"},
    "official": {ACTION, "appeal add form", "dashboard", "survey work list", "calendar", "reports"},
}
ACTION_LINK = "#actions a[href*='/appeal-workflow/']:not([href$='/assign'])"


def _path(href: str) -> str:
    return re.sub(r"^https?://[^/]+", "", href)


def _first_appeal(j: Journey) -> str:
    """The first appeal of the role's own list, as a user finds it."""
    j.page.goto(j.base + "/appealview/list/")
    link = j.page.locator("a[href*='/appealview/show/']").first
    assert link.count(), f"{j.role} sees no appeal in the list"
    return _path(link.get_attribute("href"))


def _appeal_to_act_on(j: Journey) -> str:
    """A new appeal assigned to the user: in reach of every role that acts."""
    from datetime import datetime, timedelta

    from tests.conftest import make_appeal

    with j.app.app_context():
        user_id = j.app.appbuilder.sm.find_user(username=j.role).id
    return f"/appealview/show/{make_appeal(j.app, datetime.now() - timedelta(days=1), assignee_id=user_id)}"


@pytest.mark.parametrize("role", list(NOT_FOR))
def test_key_pages_of_every_role_pass_axe_core_in_kazakh(live_server, live_app, page, role):
    """Every failing page is reported, not only the first. Kazakh, the longest
    labels; the journeys run axe on every page they visit in ru, kk and en
    (kept to one language here for the suite's 15 minutes on 2 cores)."""
    skip = NOT_FOR[role]
    j = Journey(page, live_server, live_app, "ru", role)
    j.login(role)  # the login page and the home page are checked here
    appeal = _appeal_to_act_on(j) if ACTION not in skip else _first_appeal(j)
    failures = []
    for lang in ("kk",):
        if lang != j.lang:
            j.switch_language(lang)
            j.lang = lang
        for name, path in KEY_PAGES.items():
            if name in skip:
                continue
            if name == APPEAL:
                path = appeal
            elif name == ACTION:  # offered on the appeal page just checked
                link = page.locator(ACTION_LINK).first
                assert link.count(), f"no workflow action offered to {role} on {appeal}"
                path = _path(link.get_attribute("href"))
            try:
                j.open(path)
            except AssertionError as failure:
                failures.append(f"[{lang}] {name}: {failure}")
        response = page.goto(live_server + "/no-such-page")
        assert response is not None and response.status == 404
        try:
            j.check()
        except AssertionError as failure:
            failures.append(f"[{lang}] error page 404: {failure}")
    assert not failures, "\n\n".join(failures)


def test_the_check_fails_on_a_broken_page_naming_rule_nodes_and_url(page):
    """A page with FAB's old mistakes: the report names each rule, its nodes and the page."""
    page.set_content(
        '<html lang="ru"><head><title>t</title></head><body>'
        '<header role="header">Qabyldau</header>'
        '<p style="color:#aaa">Серый текст</p><a href="#" class="x"><i></i></a>'
        '</body></html>')
    with pytest.raises(AssertionError) as failure:
        a11y.check_axe(page)
    message = str(failure.value)
    for rule in ("aria-roles (critical)", "color-contrast (serious)", "link-name (serious)",
                 "landmark-one-main", "page-has-heading-one"):
        assert rule in message, message
    assert "      header  <header role=\"header\">" in message, message  # each rule's target nodes
    assert '      a  <a href="#" class="x">' in message, message
    assert page.url in message


def test_the_check_passes_a_page_with_landmarks_a_heading_and_contrast(page):
    page.set_content(
        '<html lang="ru"><head><title>t</title></head><body>'
        '<a class="skip" href="#main">К содержанию</a><header>Qabyldau</header>'
        '<main id="main"><h1>Обращения</h1><p>Текст <a href="#x">ссылка</a></p></main>'
        '</body></html>')
    a11y.check_axe(page)
