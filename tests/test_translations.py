"""The kk, ru and en catalogues are complete and cover every string in the code."""
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.i18n_tools import untranslated

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", ["kk", "ru", "en", "fab/kk"])
def test_catalogue_is_complete_and_has_no_fuzzy_entry(path):
    po = ROOT / "babel" / path / "LC_MESSAGES" / "messages.po"
    assert untranslated(str(po)) == []
    with po.open("rb") as fh:
        fuzzy = [m.id for m in read_po(fh) if m.id and m.fuzzy]
    assert fuzzy == []


def test_every_string_in_the_code_is_in_the_catalogues(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel/babel.cfg",
         "-k", "lazy_gettext", "-k", "_l", "-k", "N_", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    for lang in ("kk", "ru", "en"):
        with (ROOT / "babel" / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            have = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
        assert wanted <= have, (lang, sorted(wanted - have)[:10])


def test_kazakh_ui_shows_kazakh(client, app):
    from tests.conftest import login

    login(client, "manager")
    client.get("/lang/kk")
    body = client.get("/appealview/list/").get_data(as_text=True)
    assert "Өтініш" in body or "өтініш" in body
    assert '<html lang="kk">' in body
