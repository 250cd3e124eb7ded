"""Lists that fit the screen (issue 16): each user's columns, density and
saved filters, through the real stack (test client, SQLite and PostgreSQL).
A masked personal field is never offered, shown or saved; hostile input is
a translated message, never a 500."""
from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from app.models import UserPreference
from tests.conftest import login
from tests.querycount import count_queries

LIST = "/appealview/list/"
PREFS = "/appealview/prefs"
APPLICANTS = "/applicantview/list/"
APPLICANT_PREFS = "/applicantview/prefs"


@pytest.fixture(autouse=True)
def _no_preferences(app):
    """Every test starts and ends with nobody's preferences saved."""
    def clear():
        with app.app_context():
            db.session.execute(delete(UserPreference))
            db.session.commit()
            app.extensions.get("q_preferences", {}).clear()

    clear()
    yield
    clear()


def as_user(app, username):
    return login(app.test_client(), username)


def header(body: str) -> list[str]:
    """The column headings of the list table (without the checkbox and buttons columns)."""
    thead = re.search(r"<thead>(.*?)</thead>", body, re.S).group(1)
    return [html.unescape(re.sub(r"<[^>]+>", "", th)).strip()
            for attrs, th in re.findall(r"<th([^>]*)>(.*?)</th>", thead, re.S)
            if "action_checkboxes" not in attrs and "col-md-1" not in attrs]


def labels(app, names, view="AppealView", lang="en") -> list[str]:
    from flask_babel import force_locale

    from app.views import appeals

    source = {"AppealView": appeals.APPEAL_LABELS, "ApplicantView": appeals.APPLICANT_LABELS}[view]
    with app.test_request_context(), force_locale(lang):
        return [str(source[n]) for n in names]


def ignored_text(app, n: int, lang: str = "ru") -> str:
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale(lang):
        return ngettext("%(num)d column this list does not offer you was ignored.",
                        "%(num)d columns this list does not offer you were ignored.", n)


def flashes(body: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", m)) for m in re.findall(
        r'<div class="alert[^"]*"[^>]*>(.*?)</div>', body, re.S))


def defaults():
    from app.views.appeals import AppealView

    return AppealView.default_list_columns


def user_id(username: str) -> int:
    from flask_appbuilder.security.sqla.models import User

    return db.session.execute(select(User.id).where(User.username == username)).scalar_one()


def saved(app, username: str) -> dict:
    with app.app_context():
        rows = db.session.execute(select(UserPreference.key, UserPreference.value)
                                  .where(UserPreference.user_id == user_id(username))).all()
        return dict(rows)


# --- the column chooser ------------------------------------------------------
def test_the_default_columns_are_the_ones_that_fit_and_the_chooser_offers_the_rest(app):
    clerk = as_user(app, "clerk")
    body = clerk.get(LIST + "?_l_=en").get_data(as_text=True)
    assert header(body) == labels(app, defaults())
    offered = re.findall(r'name="col" value="([^"]+)"', body)
    assert set(defaults()) < set(offered) and {"district", "channel", "reception_place", "assignee"} <= set(offered)
    checked = re.findall(r'name="col" value="([^"]+)" checked', body)
    assert checked == defaults()


def test_the_chooser_saves_and_the_list_shows_only_the_chosen_columns(app):
    clerk = as_user(app, "clerk")
    r = clerk.post(PREFS, data={"op": "columns", "col": ["status", "reg_number", "received_at"],
                                "q": "_flt_0_status=registered&page_AppealView=1"})
    assert r.status_code == 302
    assert urlsplit(r.headers["Location"]).path == LIST
    assert dict(parse_qsl(urlsplit(r.headers["Location"]).query)) == {"_flt_0_status": "registered",
                                                                     "page_AppealView": "1"}
    body = clerk.get(LIST + "?_l_=en").get_data(as_text=True)
    # in the list's own order, whatever order they were ticked in
    assert header(body) == labels(app, ["reg_number", "received_at", "status"])
    first_row = re.search(r"</thead>.*?<tr>(.*?)</tr>", body, re.S).group(1)
    assert len(re.findall(r"<td", first_row)) == 2 + 3  # checkbox, buttons, the three columns
    assert "Category" not in header(body)
    # back to the defaults
    clerk.post(PREFS, data={"op": "reset-columns"})
    assert header(clerk.get(LIST + "?_l_=en").get_data(as_text=True)) == labels(app, defaults())
    assert "columns:AppealView" not in saved(app, "clerk")


def test_the_choice_is_remembered_in_a_new_session(app):
    as_user(app, "clerk").post(PREFS, data={"op": "columns", "col": ["reg_number", "district"]})
    again = as_user(app, "clerk")  # another browser: a new session, nothing in memory for it
    assert header(again.get(LIST + "?_l_=en").get_data(as_text=True)) == labels(app, ["reg_number", "district"])


def test_one_users_choice_does_not_change_anothers_list(app):
    clerk, clerk2 = as_user(app, "clerk"), as_user(app, "clerk2")
    clerk.post(PREFS, data={"op": "columns", "col": ["reg_number", "status"]})
    clerk.post(PREFS, data={"op": "density", "density": "compact"})
    body2 = clerk2.get(LIST + "?_l_=en").get_data(as_text=True)
    assert header(body2) == labels(app, defaults())
    assert "qab-compact" not in body2
    body = clerk.get(LIST + "?_l_=en").get_data(as_text=True)
    assert header(body) == labels(app, ["reg_number", "status"])
    assert 'class="qab-list qab-compact"' in body
    assert saved(app, "clerk2") == {}


def test_a_masked_column_is_never_offered_nor_shown_to_a_role_that_may_not_see_it(app):
    head = as_user(app, "head")  # no personal data (roles.py)
    body = head.get(APPLICANTS).get_data(as_text=True)
    assert 'value="iin"' not in body and 'value="phone"' not in body
    r = head.post(APPLICANT_PREFS, data={"op": "columns", "col": ["full_name", "iin", "phone"]}, follow_redirects=True)
    assert r.status_code == 200
    assert header(r.get_data(as_text=True)) == labels(app, ["full_name"], "ApplicantView", "ru")
    assert ignored_text(app, 2) in flashes(r.get_data(as_text=True))
    assert saved(app, "head") == {"columns:ApplicantView": ["full_name"]}


def test_a_stored_masked_column_is_still_not_shown(app):
    """Read again at every use: a choice stored for a role that saw the
    field (or written by hand) shows nothing the user's role may not see."""
    with app.app_context():
        db.session.add(UserPreference(user_id=user_id("head"), key="columns:ApplicantView", value=["full_name", "iin"]))
        db.session.commit()
    body = as_user(app, "head").get(APPLICANTS + "?_l_=en").get_data(as_text=True)
    assert header(body) == labels(app, ["full_name"], "ApplicantView")


def test_a_role_that_sees_personal_data_may_add_it_to_the_applicants_list(app):
    clerk = as_user(app, "clerk")
    assert 'value="iin"' in clerk.get(APPLICANTS).get_data(as_text=True)
    clerk.post(APPLICANT_PREFS, data={"op": "columns", "col": ["full_name", "phone"]})
    body = clerk.get(APPLICANTS + "?_l_=en").get_data(as_text=True)
    assert header(body) == labels(app, ["full_name", "phone"], "ApplicantView")


def told_or_refused(r) -> bool:
    """A translated message above the list, or the app's own 400 page (a NUL
    byte in any form field: ``app._refuse_nul_in_forms``) — never a 500."""
    body = r.get_data(as_text=True)
    if r.status_code == 400:
        return "Traceback" not in body and 'lang="ru"' in body
    return r.status_code == 200 and bool(flashes(body).strip())


@pytest.mark.parametrize("hostile", [str(2**63), "\x00", "x" * 10_000, "nope", "applicant.iin", "__class__", ""])
def test_hostile_column_names_are_ignored_with_a_translated_message(app, hostile):
    clerk = as_user(app, "clerk")
    r = clerk.post(PREFS, data={"op": "columns", "col": [hostile, "reg_number"]}, follow_redirects=True)
    assert told_or_refused(r)
    if r.status_code == 200:
        assert ignored_text(app, 1) in flashes(r.get_data(as_text=True))
        assert header(clerk.get(LIST + "?_l_=en").get_data(as_text=True)) == labels(app, ["reg_number"])
    before = saved(app, "clerk")
    # nothing but hostile names: nothing is saved
    r = clerk.post(PREFS, data={"op": "columns", "col": [hostile]}, follow_redirects=True)
    assert told_or_refused(r)
    assert saved(app, "clerk") == before


@pytest.mark.parametrize("form", [
    {"op": "nope"}, {}, {"op": "density", "density": "huge"}, {"op": "density", "density": "\x00"},
    {"op": "columns"}, {"op": "delete-filter", "name": str(2**63)},
    {"op": "columns", "col": "reg_number", "q": "\x00" * 9000 + "&_flt_0_status=registered"},
    {"op": "columns", "col": "nope", "q": "%00" * 3000 + "&_flt_0_status=registered"},
])
def test_a_request_the_tools_cannot_use_changes_nothing_and_is_told(app, form):
    clerk = as_user(app, "clerk")
    r = clerk.post(PREFS, data=form, follow_redirects=True)
    assert told_or_refused(r)
    if r.status_code == 200:
        assert urlsplit(r.request.url).path == LIST
    assert saved(app, "clerk") == {}


def test_the_tools_need_a_login_and_a_post(app):
    anonymous = app.test_client()
    r = anonymous.post(PREFS, data={"op": "density", "density": "compact"})
    assert r.status_code in (302, 401) and "/login" in r.headers.get("Location", "/login")
    assert as_user(app, "clerk").get(PREFS).status_code == 405


# --- saved filters -----------------------------------------------------------
FILTER_Q = "_flt_0_status=registered&_oc_AppealView=due_on&_od_AppealView=asc&psize_AppealView=10&page_AppealView=2"


def test_a_saved_filter_reopens_the_list_with_its_filter_order_and_page_size(app):
    clerk = as_user(app, "clerk")
    direct = clerk.get(LIST + "?" + FILTER_Q).get_data(as_text=True)
    r = clerk.post(PREFS, data={"op": "save-filter", "name": "  Мои зарегистрированные ", "q": FILTER_Q},
                   follow_redirects=True)
    body = r.get_data(as_text=True)
    assert "Мои зарегистрированные" in flashes(body)
    links = re.findall(r'<a href="([^"]+)" class="qab-saved-filter">([^<]+)</a>', body)
    assert [name for _, name in links] == ["Мои зарегистрированные"]
    url = html.unescape(links[0][0])
    assert urlsplit(url).path == LIST
    assert parse_qsl(urlsplit(url).query) == [("_flt_0_status", "registered"), ("_oc_AppealView", "due_on"),
                                             ("_od_AppealView", "asc"), ("psize_AppealView", "10")]
    reopened = clerk.get(url).get_data(as_text=True)
    assert record_count(reopened) == record_count(direct) > 0
    # saved under the same name: replaced, not doubled
    clerk.post(PREFS, data={"op": "save-filter", "name": "Мои зарегистрированные", "q": "_flt_0_status=closed"})
    assert len(saved(app, "clerk")["filters:AppealView"]) == 1
    # another user has no such filter
    assert 'class="qab-saved-filter"' not in as_user(app, "clerk2").get(LIST).get_data(as_text=True)
    # deleted
    r = clerk.post(PREFS, data={"op": "delete-filter", "name": "Мои зарегистрированные"}, follow_redirects=True)
    assert 'class="qab-saved-filter"' not in r.get_data(as_text=True)
    assert saved(app, "clerk") == {}


def test_a_saved_filter_is_only_a_list_url_the_scope_still_applies(app):
    clerk, manager = as_user(app, "clerk"), as_user(app, "manager")
    clerk.post(PREFS, data={"op": "save-filter", "name": "Все", "q": "psize_AppealView=25"})
    url = html.unescape(re.search(r'<a href="([^"]+)" class="qab-saved-filter">',
                                  clerk.get(LIST).get_data(as_text=True)).group(1))
    assert 0 < record_count(clerk.get(url).get_data(as_text=True)) < record_count(manager.get(url).get_data(as_text=True))


@pytest.mark.parametrize("q", [
    "_flt_0_iin=8503",                    # a masked field (applicant list, as the head)
    "_flt_0_nope=1",                      # no such filter
    "_flt_5_kind=person",                 # no such condition on the column
    "_oc_ApplicantView=iin&_od_ApplicantView=asc",  # an order by a masked field
    "_oc_AppealView=district",            # another list's order
    "psize_ApplicantView=" + str(2**63),
    "psize_ApplicantView=0",
    "_flt_0_full_name=" + "x" * 10_000,
    "_flt_0_full_name=a%00b",
    "page_ApplicantView=2",               # nothing a filter keeps
])
def test_a_saved_filter_naming_a_masked_or_unknown_column_is_refused(app, q):
    head = as_user(app, "head")
    r = head.post(APPLICANT_PREFS, data={"op": "save-filter", "name": "x", "q": q}, follow_redirects=True)
    assert r.status_code == 200 and told_or_refused(r)
    assert 'class="qab-saved-filter"' not in r.get_data(as_text=True)
    assert saved(app, "head") == {}


def test_the_masked_filter_is_saved_for_a_role_that_sees_the_field(app):
    clerk = as_user(app, "clerk")  # the counter-test: the same filter, a role that sees ИИН
    clerk.post(APPLICANT_PREFS, data={"op": "save-filter", "name": "ИИН", "q": "_flt_0_iin=8503"})
    assert saved(app, "clerk")["filters:ApplicantView"] == [{"name": "ИИН", "args": [["_flt_0_iin", "8503"]]}]


@pytest.mark.parametrize("name", ["", "   ", "x" * 10_000, "a\x00b", "a\u202eb", str(2**63) * 10])
def test_a_saved_filter_needs_a_sane_name(app, name):
    clerk = as_user(app, "clerk")
    r = clerk.post(PREFS, data={"op": "save-filter", "name": name, "q": "_flt_0_status=registered"},
                   follow_redirects=True)
    assert told_or_refused(r)
    assert saved(app, "clerk") == {}


def test_the_number_of_saved_filters_is_bounded(app):
    from app.services.preferences import MAX_FILTERS

    clerk = as_user(app, "clerk")
    for i in range(MAX_FILTERS):
        clerk.post(PREFS, data={"op": "save-filter", "name": f"f{i}", "q": f"psize_AppealView={i + 1}"})
    r = clerk.post(PREFS, data={"op": "save-filter", "name": "one more", "q": "psize_AppealView=50"},
                   follow_redirects=True)
    assert "20" in flashes(r.get_data(as_text=True))
    assert len(saved(app, "clerk")["filters:AppealView"]) == MAX_FILTERS


# --- the statement budget of a list page --------------------------------------
def test_a_list_page_with_preferences_takes_no_more_statements_than_without(app):
    """Preferences are read once per session (and process), not per page."""
    clerk = as_user(app, "clerk")
    with app.app_context():
        engine = db.engine
    url = LIST + "?psize_AppealView=100"
    clerk.get(url)  # warm caches (permissions, menu, this session's preferences)
    with count_queries(engine) as plain:
        assert "qab-compact" not in clerk.get(url).get_data(as_text=True)
    clerk.post(PREFS, data={"op": "columns", "col": [*defaults(), "reception_place", "assignee", "district"]})
    clerk.post(PREFS, data={"op": "density", "density": "compact"})
    clerk.post(PREFS, data={"op": "save-filter", "name": "a", "q": "_flt_0_status=registered"})
    with count_queries(engine) as chosen:
        body = clerk.get(url).get_data(as_text=True)
    assert "qab-compact" in body and 'class="qab-saved-filter"' in body and "Responsible worker" in header(
        clerk.get(url + "&_l_=en").get_data(as_text=True))
    assert not any("user_preference" in str(q) for q in chosen)
    assert len(chosen) <= len(plain), "\n".join(" ".join(str(q).split())[:200] for q in chosen)


# --- the service's own checks ------------------------------------------------
def test_filter_args_keep_only_the_lists_own_arguments(app_ctx):
    from app.services.preferences import ListSpec, PreferenceRefused, filter_args

    spec = ListSpec("AppealView", ("reg_number", "status"), ("reg_number",),
                    filter_args=frozenset({"_flt_0_status"}), order_columns=frozenset({"reg_number"}))
    assert filter_args(spec, [("_flt_0_status", "registered"), ("page_AppealView", "3"), ("_l_", "kk"),
                              ("_oc_AppealView", "reg_number"), ("_od_AppealView", "desc")]) == [
        ["_flt_0_status", "registered"], ["_oc_AppealView", "reg_number"], ["_od_AppealView", "desc"]]
    for bad in [("_flt_1_status", "x"), ("_oc_AppealView", "status"), ("_od_AppealView", "up"),
                ("psize_AppealView", "101"), ("_flt_0_status", "a\x00")]:
        with pytest.raises(PreferenceRefused):
            filter_args(spec, [bad])


def record_count(body: str) -> int:
    m = re.search(r"<strong>[^<]*:\s*</strong>\s*([\d\s\xa0\u202f]+)", body)
    return int(re.sub(r"\D", "", m.group(1))) if m else 0


# --- exports follow the chosen columns -----------------------------------------
def _export_header(app, client, register: str, fmt: str = "csv") -> list[str]:
    import csv

    from app.models import Job

    r = client.post(f"/jobs/export/{register}/{fmt}", data={})
    assert r.status_code == 302
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "export").order_by(Job.created_at.desc(), Job.id.desc())
                                 .limit(1)).scalar_one()
        assert job.status == "finished", job.error
        with open(job.result_path, encoding="utf-8-sig") as fh:
            return next(csv.reader(fh, delimiter=";"))


def test_an_export_has_the_columns_the_user_chose_for_the_list(app):
    clerk = as_user(app, "clerk")
    clerk.get("/lang/en")
    before = _export_header(app, clerk, "AppealView")
    clerk.post(PREFS, data={"op": "columns", "col": ["status", "reg_number", "district"]})
    assert _export_header(app, clerk, "AppealView") == labels(app, ["reg_number", "district", "status"])
    clerk.post(PREFS, data={"op": "reset-columns"})
    assert _export_header(app, clerk, "AppealView") == before  # the list's export columns again


def test_a_masked_column_saved_behind_the_lists_back_is_not_exported(app):
    """A Head's stored choice naming the ИИН (written straight into the
    table, as an attacker would) still exports no ИИН column."""
    import json

    with app.app_context():
        db.session.add(UserPreference(user_id=user_id("head"), key="columns:ApplicantView",
                                      value=json.loads('["full_name", "iin", "phone"]')))
        db.session.commit()
    head = as_user(app, "head")
    head.get("/lang/en")
    got = _export_header(app, head, "ApplicantView")
    assert got == labels(app, ["full_name"], view="ApplicantView")
