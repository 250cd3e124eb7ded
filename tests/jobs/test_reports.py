"""R40 / M7.6: the report's PDF as printed — title block, who prepared it,
the notice of a period that is not over, tables that keep to the page,
charts two a page each with its figures, the signature block and
"page N of M", all in the language the report was ordered in.

The layout is tested on a bare Flask app with the panel's catalogues (no
database is needed, so it runs once); then the job's own PDF and the order
form, through the real stack."""
from datetime import date, datetime, timedelta
from functools import cache

import pytest
from flask_babel import force_locale, gettext

from app.charts import render
from app.charts.report import ChartBlock
from app.services.report_pdf import Prepared, period_text, prepared_text, to_pdf, unfinished_notice
from app.services.reports import Section, unfinished
from tests.pdf import images_per_page, pages, words

START, END = date(2026, 1, 1), date(2026, 3, 31)
PREPARED = Prepared(datetime(2026, 4, 2, 9, 30), "Гульнара Бекова", "Бас маман")


@pytest.fixture(scope="module")
def bare():
    from flask import Flask
    from flask_babel import Babel

    from config import Config

    flask_app = Flask(__name__)
    Babel(flask_app, default_translation_directories=Config.BABEL_TRANSLATION_DIRECTORIES)
    return flask_app


@cache
def _png() -> bytes:
    fig = render.bars("Түсу тәсілі бойынша өтініштер (R4)", ["Телефон", "Портал"], [("Өтініштер", [3, 5])])
    return render.to_bytes(fig, "png")


def _report(bare, lang="kk", charts=4, unfinished_=False, sections=None):
    with bare.test_request_context():
        blocks = [ChartBlock(_png(), [("Figure", f"total-{i}")]) for i in range(charts)]
        sections = sections or [Section("Түсу тәсілі бойынша өтініштер (R4)", ["Түсу тәсілі", "Өтініштер"],
                                        [["Телефон", 3], ["Портал", 5], ["Үлесі, %", 62.5]])]
        return to_pdf("Тоқсандық есеп: 2026 жылдың 1 тоқсаны", sections, lang, START, END, blocks,
                      ["Қорытынды."], PREPARED, unfinished_)


def _t(bare, lang, msgid, **kw):
    with bare.test_request_context(), force_locale(lang):
        return gettext(msgid, **kw)


def test_R40_the_pdf_shows_two_charts_a_page_each_with_its_figures(bare):
    data = _report(bare)
    per_page = images_per_page(data)
    assert sorted(per_page.values()) == [2, 2]
    text = pages(data)
    for i in range(4):  # each chart's figures on the page of that chart
        page = sorted(per_page)[i // 2]
        assert f"total-{i}" in text[page - 1]


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_R40_title_block_signature_and_page_numbers_in_the_reports_language(bare, lang):
    data = _report(bare, lang)
    text = pages(data)
    with bare.test_request_context(), force_locale(lang):
        period, prepared = period_text(START, END), prepared_text(PREPARED)
        signature = [gettext("Signature"), gettext("Position"), gettext("Date")]
    assert "01.01.2026 — 31.03.2026" in period and "02.04.2026 09:30 / Гульнара Бекова" in prepared
    assert "Тоқсандық есеп" in text[0] and period in text[0] and prepared in text[0]
    assert all(f"({s})" in text[-1] for s in signature) and "Бас маман" in text[-1] and "Гульнара Бекова" in text[-1]
    assert len(text) == 3
    for n, page in enumerate(text, start=1):
        assert _t(bare, lang, "Page %(page)s of %(pages)s", page=n, pages=len(text)) in page
        if n > 1:  # the running header: title and period
            assert "Тоқсандық есеп" in page and period in page
    assert "62,5" in text[0]  # numbers as the language writes them


def test_R40_a_period_not_over_says_so_on_the_first_page_and_a_finished_one_does_not(bare):
    with bare.test_request_context(), force_locale("kk"):
        notice = unfinished_notice(PREPARED.at)
    assert notice in pages(_report(bare, unfinished_=True))[0]
    assert not any(notice in p for p in pages(_report(bare, unfinished_=False)))


def test_R40_unfinished_is_a_period_ending_today_or_later():
    today = date(2026, 12, 1)
    assert unfinished(today, today) and unfinished(today + timedelta(days=30), today)
    assert not unfinished(today - timedelta(days=1), today)


def test_M7_6_a_wide_table_keeps_to_the_page_and_breaks_no_word(bare):
    executor = "Жетісу облысының энергетика және тұрғын үй-коммуналдық шаруашылығы басқармасы"
    columns = ["Тапсырманың нөмірі", "Кімнің тапсырмасы", "Түскен күні", "Орындаушы", "Мерзім", "Орындалған күні",
               "Орындалуы"]
    row = ["21-1214", "Президенттің көмекшісі — Өтініштермен жұмыс бөлімінің меңгерушісі", "29.12.2025", executor,
           "29.01.2026", "26.01.2026", "Мерзімі бұзылып орындалды"]
    data = _report(bare, charts=0, sections=[Section("Тапсырмалар және олардың орындалуы", columns, [row] * 12)])
    found = words(data)
    assert found and all(w["x0"] >= 0 and w["x1"] <= w["width"] and w["y1"] <= w["height"] for w in found)
    printed = {w["text"] for w in found}
    long_words = {w for text in columns + row for w in text.split() if len(w) > 6}
    assert long_words <= printed  # each word whole on one line, none broken


# --- through the real stack: the order form, the job, the file ------------------------------
def _order(client, app, **form):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Job

    r = client.post("/reports/", data=form, follow_redirects=True)
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "report").order_by(Job.created_at.desc())
                                 .limit(1)).scalar_one()
    return r, job


def test_R40_the_quarterly_pdf_in_kazakh_is_laid_out_and_signed_as_ordered(client, app):
    from tests.conftest import login

    login(client, "manager")
    q = (date.today().month - 1) // 3 + 1
    _r, job = _order(client, app, kind="quarter", year=str(date.today().year), part=str(q), lang="kk", format="pdf")
    assert job.status == "finished", job.error
    data = open(job.result_path, "rb").read()
    # the map, the terms, the channels, satisfaction: two charts a page
    assert sorted(images_per_page(data).values()) == [2, 2]
    text = pages(data)
    with app.test_request_context(), force_locale("kk"):
        manager = app.appbuilder.sm.find_user(username="manager").get_full_name()
        as_of = gettext("The period is not over: figures as of %(when)s (Almaty time).", when="@").split("@")[0]
        numbers = [gettext("Page %(page)s of %(pages)s", page=n, pages=len(text)) for n in range(1, len(text) + 1)]
        signature = gettext("Signature")
    title = " ".join(job.message.split())  # the job's message is the report's title
    assert title in text[0] and manager in text[0] and as_of.strip() in text[0]  # this quarter is not over
    assert all(n in page for n, page in zip(numbers, text)) and f"({signature})" in text[-1] and manager in text[-1]


def test_R40_M7_6_ordering_a_report_for_a_period_not_over_warns_and_the_report_says_so(client, app):
    import html

    from openpyxl import load_workbook

    from tests.conftest import login

    this_half = 1 if date.today().month <= 6 else 2
    with app.test_request_context(), force_locale("ru"):
        warning = gettext("The period is not over: the report shows the figures as of the moment it is prepared "
                          "(now %(when)s, Almaty time).", when="@").split("@")[0]
        notice = gettext("The period is not over: figures as of %(when)s (Almaty time).", when="@").split("@")[0]
    login(client, "manager")
    r, job = _order(client, app, kind="half", year=str(date.today().year), part=str(this_half), lang="ru",
                    format="xlsx")
    body = html.unescape(r.get_data(as_text=True))
    assert "alert-warning" in body and warning in body  # a warning, not an error: the report is prepared
    assert job.status == "finished", job.error
    head = [r[0] for r in load_workbook(job.result_path, read_only=True).active.iter_rows(max_row=4, values_only=True)]
    assert any(str(c).startswith(notice) for c in head)
    r, job = _order(client, app, kind="half", year=str(date.today().year - 1), part="1", lang="ru", format="xlsx")
    assert job.status == "finished" and warning not in html.unescape(r.get_data(as_text=True))
