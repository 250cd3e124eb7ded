"""Topic suggestion in Chromium (issue 17.3): a clerk types the substance of
an appeal, sees up to three topics with their confidence under the topic
field — none chosen for them — and clicks one, which chooses that topic."""
import re

import pytest

from .conftest import save_screenshot
from .journey import Journey

pytestmark = pytest.mark.e2e


def _trained(app):
    """An active version on the live database's demo appeals; a sentence of a topic it knows."""
    from flask import g
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Appeal, Category
    from app.services import topic_suggest

    with app.test_request_context():
        g.user = None
        model = topic_suggest.train(system=True, TOPIC_MIN_APPEALS=50, TOPIC_MIN_PER_TOPIC=2).model
        from sqlalchemy import func

        # the topic's most frequent Kazakh sentence: one of the demo's, never a text another journey typed in
        text, language = db.session.execute(
            select(Appeal.substance, Appeal.language).where(Appeal.category_id == model.labels[0])
            .group_by(Appeal.substance, Appeal.language)
            .order_by((Appeal.language == "kk").desc(), func.count().desc()).limit(1)).one()
        topic = db.session.get(Category, model.labels[0])
        return text, getattr(language, "value", language), topic.id, topic.code


@pytest.mark.parametrize("lang", ["kk"])
def test_a_clerk_types_the_substance_sees_topics_and_chooses_one(live_server, live_app, page, lang):
    text, language, topic_id, code = _trained(live_app)
    j = Journey(page, live_server, live_app, lang, "clerk")
    j.login("clerk")
    j.open("/appealview/add")
    assert page.is_hidden("#q-topics")  # nothing typed, nothing suggested
    page.select_option("#language", language)
    page.fill("#substance", text)
    chips = page.locator("#q-topics .q-topic-chip")
    chips.first.wait_for()
    assert 1 <= chips.count() <= 3
    assert page.eval_on_selector("#category", "el => el.value") == "__None"  # never chosen for the clerk
    assert re.search(r"\d+ %", chips.first.inner_text())
    names = [chips.nth(i).get_attribute("aria-label") for i in range(chips.count())]
    assert all(n and "%" in n for n in names)  # each button says what it chooses, with the confidence
    assert page.get_attribute("#q-topics", "aria-live") == "polite"
    j.check()  # axe-core with the suggestions shown
    mine = page.locator(f"#q-topics .q-topic-chip[data-id='{topic_id}']")
    assert mine.count() == 1, (code, names)
    save_screenshot(page, f"topic-suggestion-{lang}.png")
    mine.click()
    assert page.eval_on_selector("#category", "el => el.value") == str(topic_id)
    assert mine.get_attribute("aria-pressed") == "true"
    assert code in page.inner_text("#s2id_category, .select2-container") or page.eval_on_selector(
        "#category", "el => el.options[el.selectedIndex].text").startswith(code)
