"""Each locale renders the main pages with no untranslated string of ours
(and, in Kazakh, none of Flask-AppBuilder's either)."""
import html
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from app.extensions import db
from app.models import Appeal
from tests.conftest import login

ROOT = Path(__file__).resolve().parents[1]


def _english_strings(path: Path) -> set[str]:
    with path.open("rb") as fh:
        return {
            m.id for m in read_po(fh)
            if isinstance(m.id, str) and "%(" not in m.id and len(m.id) >= 8 and " " in m.id
        }


OURS = _english_strings(ROOT / "babel" / "en" / "LC_MESSAGES" / "messages.po")
FAB = {"Record Count", "Page size", "Search", "No records found", "Add a new record", "Edit record",
       "Show record", "Delete record", "User info", "Logout"}


def visible_text(body: str) -> str:
    body = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", body)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", html.unescape(body))


def main_pages(app):
    with app.app_context():
        appeal_id = db.session.execute(select(Appeal.id).order_by(Appeal.id).limit(1)).scalar_one()
    return ["/", "/appealview/list/", f"/appealview/show/{appeal_id}", f"/appeal-workflow/{appeal_id}/extend",
            "/applicantview/list/", "/receptionsessionview/list/", "/districtview/list/", "/analytics/districts",
            "/auditlogview/list/", "/appealview/add"]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_main_pages_have_no_untranslated_string(client, app, lang):
    login(client, "manager")
    client.get(f"/lang/{lang}")
    for url in main_pages(app):
        r = client.get(url)
        assert r.status_code == 200, url
        text = visible_text(r.get_data(as_text=True))
        leftovers = sorted(s for s in OURS if s in text)
        assert not leftovers, (lang, url, leftovers[:5])
        if lang == "kk":
            fab_left = sorted(s for s in FAB if re.search(rf"\b{re.escape(s)}\b", text))
            assert not fab_left, (url, fab_left)
        assert f'<html lang="{lang}">' in r.get_data(as_text=True)


def test_english_ui_is_english(client, app):
    login(client, "manager")
    client.get("/lang/en")
    text = visible_text(client.get("/appealview/list/").get_data(as_text=True))
    assert "Appeals" in text and "Working days left" in text
