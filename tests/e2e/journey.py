"""What every role journey needs: log in, speak a language, read the text
the app would show in that language, check each page, take the pictures
of the user guide (docs/guide/img/<lang>/<role>-<step>.png)."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from tests.conftest import DEMO_PASSWORD

from . import a11y
from .conftest import ARTIFACTS, ROOT

GUIDE_IMG = ROOT / "docs" / "guide" / "img"
# Every journey runs in each UI language (its guide pictures are taken in it).
LANGS = os.environ.get("QAB_E2E_LANGS", "ru kk en").split()

PNG = b"\x89PNG\r\n\x1a\n"
PDF = b"%PDF-"
XLSX = b"PK\x03\x04"


class Journey:
    """One user in one language on the live server."""

    def __init__(self, page, base: str, app, lang: str, role: str):
        self.page, self.base, self.app, self.lang, self.role = page, base, app, lang, role
        page.set_default_timeout(15_000)

    # -- text ------------------------------------------------------------
    def t(self, msgid: str, **params) -> str:
        """The app's own translation of ``msgid`` in this journey's language."""
        from flask_babel import force_locale, gettext

        with self.app.test_request_context(), force_locale(self.lang):
            return gettext(msgid, **params)

    def body(self) -> str:
        return self.page.inner_text("body")

    # -- navigation -----------------------------------------------------
    def login(self, username: str) -> None:
        page = self.page
        page.goto(self.base + "/login/")
        a11y.check_page(page, "ru")  # the default locale until the user picks one
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.click("[type=submit]")
        page.wait_for_url(re.compile(r".*/$"))
        if self.lang != "ru":
            self.switch_language(self.lang)
        a11y.check_page(page, self.lang)

    def switch_language(self, lang: str) -> None:
        """Through the language menu of the navbar, as a user does."""
        page = self.page
        page.click(".navbar .dropdown-toggle:has(.flag)")
        page.click(f".navbar a[href$='/lang/{lang}']")
        page.wait_for_load_state()
        assert page.evaluate("() => document.documentElement.lang") == lang

    def open(self, path: str) -> None:
        """Go to a page of the panel and check its accessibility basics."""
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == 200, (path, response and response.status)
        self.check()

    def check(self) -> None:
        a11y.check_page(self.page, self.lang)

    def submit(self, form: str = "#action-form") -> None:
        with self.page.expect_navigation():
            self.page.click(f"{form} [type=submit]")

    def act(self, appeal_id: int, action: str) -> None:
        """Open a workflow action from the appeal's "Actions" panel."""
        self.page.click(f"#actions a[href$='/{appeal_id}/{action}']")
        self.page.wait_for_url(re.compile(rf".*/appeal-workflow/{appeal_id}/{action}$"))
        self.page.wait_for_load_state()
        self.check()

    def type_date(self, selector: str, day) -> None:
        """Type an ISO date into a date-picker field, as a user does."""
        page = self.page
        if page.get_attribute(selector, "type") == "date":  # the browser's own date field
            page.fill(selector, day.isoformat())
            return
        page.fill(selector, "")
        page.click(selector)
        page.keyboard.type(day.isoformat())
        page.keyboard.press("Tab")
        assert page.input_value(selector) == day.isoformat()

    def pick(self, select_id: str, query: str, option: str) -> None:
        """Choose in a searchable select (select2 asking /lookup/<kind>)."""
        page = self.page
        page.click(f"#{select_id} + .select2 .select2-selection")
        page.fill(".select2-container--open .select2-search__field", query)
        page.click(f".select2-results__option:has-text('{option}')")

    def flash(self, kind: str = "success") -> str:
        alert = self.page.locator(f".alert-{kind}")
        assert alert.count() >= 1, f"no .alert-{kind} on {self.page.url}: {self.body()[:800]}"
        return alert.first.inner_text()

    # -- pictures -------------------------------------------------------
    def shot(self, step: str, full_page: bool = False) -> Path:
        """Into test-artifacts/guide/<lang>/, and into docs/guide/img/<lang>/
        for `make screenshots`."""
        name = f"{self.role}-{step}.png"
        out = ARTIFACTS / "guide" / self.lang
        out.mkdir(parents=True, exist_ok=True)
        path = out / name
        self.page.screenshot(path=str(path), full_page=full_page)
        if os.environ.get("QAB_UPDATE_SCREENSHOTS") == "1":
            dest = GUIDE_IMG / self.lang
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest / name)
        return path


def fmt(day) -> str:
    return day.strftime("%d.%m.%Y")
