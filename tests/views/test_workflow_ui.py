"""The workflow in the browser's stead: action pages, flashes naming the
rule, bulk reports, letters, deadline filters (SQLite and PostgreSQL)."""
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from app.domain.vocabulary import TERM_RUNNING_STATUSES, AppealStatus
from app.extensions import db
from app.models import Appeal, Applicant, ProtocolEntry
from tests.api.test_workflow_api import act, new_appeal, today
from tests.conftest import login
from tests.views.test_registers import record_count


def flashes(body: str) -> str:
    return " ".join(re.findall(r'(?s)class="alert[^"]*"[^>]*>(.*?)</div>', body))


def test_R32_refusing_too_early_in_the_browser_flashes_the_rule_and_changes_nothing(client, jwt, app):
    a = new_appeal(client, jwt, app)
    assert act(client, jwt, a["id"], "propose-refusal", ground="out_of_competence", motivation="вне компетенции").status_code == 200
    login(client, "manager")
    page = client.get(f"/appeal-workflow/{a['id']}/refuse")
    assert page.status_code == 200
    version = re.search(r'name="version"[^>]*value="(\d+)"', page.get_data(as_text=True)).group(1)
    r = client.post(f"/appeal-workflow/{a['id']}/refuse", data={"version": version}, follow_redirects=True)
    assert r.status_code == 200
    assert "R32" in flashes(r.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Appeal, a["id"]).status == AppealStatus.refusal_proposed
    # the appeal page shows "Refuse" disabled, with the reason and the rule, before anyone tries
    show = client.get(f"/appealview/show/{a['id']}").get_data(as_text=True)
    assert f"/appeal-workflow/{a['id']}/refuse" not in show
    assert re.search(r'<button[^>]*disabled[^>]*aria-describedby="blocked-refuse"', show)
    blocked = re.search(r'id="blocked-refuse">(.*?)</p>', show, re.S).group(1)
    assert "(R32)" in blocked


def _blocked_on_page(client, appeal_id: int, action: str) -> str | None:
    """The reason the appeal page gives for ``action`` shown disabled, or
    None when it is offered as a link."""
    show = client.get(f"/appealview/show/{appeal_id}").get_data(as_text=True)
    if re.search(rf'<button[^>]*disabled[^>]*aria-describedby="blocked-{action}"', show):
        assert f"/appeal-workflow/{appeal_id}/{action}\"" not in show
        return " ".join(re.search(rf'id="blocked-{action}">(.*?)</p>', show, re.S).group(1).split())
    assert f"/appeal-workflow/{appeal_id}/{action}\"" in show, action
    return None


def test_R6_R23_R35_actions_the_rules_block_today_are_shown_disabled_with_their_rule(client, jwt, app):
    """One check serves the guard and the page (``domain.workflow.BLOCKERS``):
    "Return" while the term to fix runs (R6), "Close" before the protocol
    records a decision (R23)."""
    a = new_appeal(client, jwt, app)
    login(client, "manager")
    fix_by = (today() + timedelta(days=20)).isoformat()
    r = act(client, jwt, a["id"], "request-correction", reason="нет адреса", fix_by=fix_by)
    assert r.status_code == 200, r.get_data(as_text=True)
    why = _blocked_on_page(client, a["id"], "return")
    assert why and "(R6)" in why
    assert _blocked_on_page(client, a["id"], "mark-corrected") is None  # not blocked: offered
    # the guard refuses what the page disabled, with the same rule
    refused = act(client, jwt, a["id"], "return", reason="не исправлено")
    assert refused.status_code == 422 and refused.get_json().get("rule") == "R6"
    # a received appeal with no decision in a protocol: "Close" is disabled, naming R23
    with app.app_context():
        received = db.session.execute(
            select(Appeal.id).where(Appeal.status == AppealStatus.received,
                                    ~select(1).where(ProtocolEntry.appeal_id == Appeal.id).exists())
            .order_by(Appeal.id).limit(1)).scalar_one_or_none()
    if received is None:
        from datetime import datetime

        from tests.conftest import make_appeal

        received = make_appeal(app, datetime(2026, 3, 2, 10, 0))
        with app.app_context():
            appeal = db.session.get(Appeal, received)
            appeal.status = AppealStatus.received
            db.session.commit()
    why = _blocked_on_page(client, received, "close")
    assert why and "(R23)" in why


def test_R5_action_success_redirects_to_the_appeal_with_its_history(client, jwt, app):
    a = new_appeal(client, jwt, app)
    login(client, "clerk")
    r = client.post(f"/appeal-workflow/{a['id']}/leave-without-consideration",
                    data={"reason": "Суть не изложена", "version": a["version"]})
    assert r.status_code == 302 and f"/appealview/show/{a['id']}" in r.headers["Location"]
    page = client.get(f"/appealview/show/{a['id']}").get_data(as_text=True)
    assert 'id="timeline"' in page and "R5" in page and "Суть не изложена" in page


def test_stale_form_version_is_reported_as_a_conflict(client, jwt, app):
    a = new_appeal(client, jwt, app)
    login(client, "manager")
    assert act(client, jwt, a["id"], "withdraw", reason="отозвано по телефону").status_code == 200
    r = client.post(f"/appeal-workflow/{a['id']}/leave-without-consideration",
                    data={"reason": "x", "version": a["version"]}, follow_redirects=True)
    with app.app_context():
        assert db.session.get(Appeal, a["id"]).status == AppealStatus.withdrawn
    assert "alert-danger" in r.get_data(as_text=True)


def test_R6_correction_form_lists_what_art_63_misses(client, jwt, app):
    with app.app_context():
        applicant = Applicant(kind="individual", full_name="Без Адреса Тестович", address=None)
        db.session.add(applicant)
        db.session.commit()
        applicant_id = applicant.id
    a = new_appeal(client, jwt, app, applicant=applicant_id)
    login(client, "manager")
    client.get("/lang/en")
    body = client.get(f"/appeal-workflow/{a['id']}/request-correction").get_data(as_text=True)
    assert "the postal address" in body
    # the requisites are a list to tick, the missing one ticked already
    assert re.search(r'<input[^>]*checked[^>]*value="postal_address"|<input[^>]*value="postal_address"[^>]*checked',
                     body)
    assert not re.search(r'<input[^>]*checked[^>]*value="substance"|<input[^>]*value="substance"[^>]*checked', body)
    show = client.get(f"/appealview/show/{a['id']}").get_data(as_text=True)
    assert 'id="missing"' in show
    with app.app_context():
        version = db.session.get(Appeal, a["id"]).version
    r = client.post(f"/appeal-workflow/{a['id']}/request-correction",
                    data={"missing": ["postal_address", "substance"], "reason": "Подпись неразборчива",
                          "fix_by": (date.today() + timedelta(days=10)).isoformat(), "version": version})
    assert r.status_code == 302, re.findall(r'alert-danger.*?</div>|help-block.*?</', r.get_data(as_text=True), re.S)
    with app.app_context():
        from sqlalchemy import select

        from app.models import AppealEvent

        event = db.session.execute(select(AppealEvent).where(AppealEvent.appeal_id == a["id"])
                                   .order_by(AppealEvent.id.desc()).limit(1)).scalar_one()
        assert event.action == "request-correction"
        assert "the postal address" in event.reason and "the substance of the question" in event.reason
        assert "Подпись неразборчива" in event.reason
    bad = client.post(f"/appeal-workflow/{a['id']}/request-correction",
                      data={"missing": ["../../etc"], "version": version + 1})
    assert bad.status_code == 200  # not a requisite: the form says so, nothing changes


def test_R30_bulk_extension_reports_each_appeal(client, jwt, app):
    from tests.api.test_workflow_api import limits, recent_received_at

    ok = new_appeal(client, jwt, app, received_at=recent_received_at())
    until, _ = limits(app, ok["registered_on"])
    done = new_appeal(client, jwt, app)
    assert act(client, jwt, done["id"], "withdraw", reason="отозвано").status_code == 200
    login(client, "manager")
    r = client.post("/appeal-workflow/bulk/extend", data={
        "ids": f"{ok['id']},{done['id']}", "kind": "complex", "until": until.isoformat(), "reason": "Сложный вопрос",
    })
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="bulk-results"' in body
    rows = re.findall(r'<tr class="(success|danger)"><td>([^<]+)</td>', body)
    assert ("success", ok["reg_number"]) in rows and ("danger", done["reg_number"]) in rows
    with app.app_context():
        assert db.session.get(Appeal, ok["id"]).due_on == until


def test_list_action_redirects_to_the_bulk_form(client, jwt, app):
    a = new_appeal(client, jwt, app)
    login(client, "manager")
    r = client.post("/appealview/action_post", data={"action": "bulk_extend", "rowid": [str(a["id"])]})
    assert r.status_code == 302 and "/appeal-workflow/bulk/extend" in r.headers["Location"]


def test_R29_answer_letter_in_the_applicants_language_with_date_and_time(client, jwt, app):
    from tests.api.test_workflow_api import _session
    from tests.builders import fresh_official

    official = fresh_official(app)
    kk = new_appeal(client, jwt, app, language="kk", official=official)
    session_id, day = _session(app, kk["official"], days_ahead=35)
    assert act(client, jwt, kk["id"], "schedule", session=session_id).status_code == 200
    ru = new_appeal(client, jwt, app, language="ru", official=official)
    assert act(client, jwt, ru["id"], "schedule", session=session_id).status_code == 200
    login(client, "clerk")
    letter_kk = client.get(f"/appeal-workflow/{kk['id']}/letter/answer").get_data(as_text=True)
    letter_ru = client.get(f"/appeal-workflow/{ru['id']}/letter/answer").get_data(as_text=True)
    assert '<html lang="kk">' in letter_kk and '<html lang="ru">' in letter_ru
    assert day.strftime("%d.%m.%Y") in letter_kk and "09:00" in letter_kk
    from flask_babel import force_locale, gettext

    with app.test_request_context():
        with force_locale("kk"):
            heading_kk = gettext("Invitation to a personal reception")
        with force_locale("ru"):
            heading_ru = gettext("Invitation to a personal reception")
    assert heading_kk != heading_ru != "Invitation to a personal reception"
    assert heading_kk in letter_kk and heading_ru in letter_ru


def test_R6_a_letter_bears_the_day_it_was_sent_not_the_day_it_is_printed(client, jwt, app):
    a = new_appeal(client, jwt, app)
    with app.app_context():
        from app.services.clock import today

        sent = today() - timedelta(days=2)
        fix_by = today() + timedelta(days=10)
    assert act(client, jwt, a["id"], "request-correction", reason="Нет почтового адреса", fix_by=fix_by.isoformat(),
               sent_on=sent.isoformat()).status_code == 200
    login(client, "clerk")
    letter = client.get(f"/appeal-workflow/{a['id']}/letter/correction").get_data(as_text=True)
    ref = re.search(r'<p class="ref">(.*?)</p>', letter, re.S).group(1)
    assert sent.strftime("%d.%m.%Y") in ref
    assert (sent + timedelta(days=2)).strftime("%d.%m.%Y") not in ref


def test_letter_that_does_not_apply_is_refused_politely(client, jwt, app):
    a = new_appeal(client, jwt, app)
    login(client, "clerk")
    r = client.get(f"/appeal-workflow/{a['id']}/letter/refusal")
    assert r.status_code == 302
    assert client.get(f"/appeal-workflow/{a['id']}/letter/poem").status_code == 404


def test_overdue_filter_matches_the_register(client, app):
    login(client, "manager")
    with app.app_context():
        from app.views.appeals import AppealView

        view = next(v for v in app.appbuilder.baseviews if isinstance(v, AppealView))
        with app.test_request_context():
            url = {str(label): u for label, u in view.quick_filters()}
        expected = db.session.execute(
            select(func.count()).where(Appeal.status.in_(list(TERM_RUNNING_STATUSES)), Appeal.due_on < today())
        ).scalar_one()
    overdue_url = list(url.values())[0]
    body = client.get(overdue_url).get_data(as_text=True)
    assert record_count(body) == expected
    if expected:
        assert "label-danger" in body


def test_awaiting_hearing_filter(client, jwt, app):
    a = new_appeal(client, jwt, app)
    assert act(client, jwt, a["id"], "propose-refusal", ground="returned_by_body", motivation="возвращено").status_code == 200
    login(client, "manager")
    with app.app_context():
        from app.views.appeals import AppealView

        view = next(v for v in app.appbuilder.baseviews if isinstance(v, AppealView))
        with app.test_request_context():
            urls = [u for _, u in view.quick_filters()]
        expected = db.session.execute(
            select(func.count()).where(Appeal.status == AppealStatus.refusal_proposed,
                                       Appeal.hearing_recorded_on.is_(None))
        ).scalar_one()
    body = client.get(urls[2]).get_data(as_text=True)
    assert record_count(body) == expected and a["reg_number"] in body


def test_head_sees_no_actions_and_cannot_post_one(client, jwt, app):
    a = new_appeal(client, jwt, app)
    login(client, "head")
    show = client.get(f"/appealview/show/{a['id']}").get_data(as_text=True)
    assert 'id="actions"' not in show and 'id="terms"' in show
    r = client.post(f"/appeal-workflow/{a['id']}/withdraw", data={"reason": "x"})
    assert r.status_code in (302, 403)
    with app.app_context():
        assert db.session.get(Appeal, a["id"]).status == AppealStatus.registered


def test_deadline_column_is_not_sortable_and_list_never_500s(client):
    login(client, "manager")
    assert client.get("/appealview/list/?_oc_AppealView=deadline&_od_AppealView=asc").status_code == 200


def test_concurrent_edit_in_the_form_is_detected_not_overwritten(client, jwt, app):
    a = new_appeal(client, jwt, app)
    login(client, "manager")
    form = client.get(f"/appealview/edit/{a['id']}").get_data(as_text=True)
    seen = re.search(r'name="expected_version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="expected_version"', form)
    seen_version = next(g for g in seen.groups() if g)
    assert act(client, jwt, a["id"], "extend", kind="complex", reason="сложный",
               until=a["due_on"]).status_code in (200, 422)
    client.put(f"/api/v1/appeal/{a['id']}", json={"substance": "Изменено другим"}, headers=jwt())
    with app.app_context():
        appeal = db.session.get(Appeal, a["id"])
        data = {"applicant": appeal.applicant_id, "district": appeal.district_id, "category": appeal.category_id,
                "official": appeal.official_id, "substance": "Моя правка", "language": "ru", "privilege": "",
                "expected_version": seen_version}
    r = client.post(f"/appealview/edit/{a['id']}", data=data, follow_redirects=True)
    assert "alert-danger" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Appeal, a["id"]).substance == "Изменено другим"


def test_R27_R33_the_refusal_form_offers_only_entitled_officials_and_needs_the_hearing(client, jwt, app):
    from app.domain.workflow import DECIDERS
    from app.models import Official
    from tests.builders import back_date_draft, decider_id

    a = new_appeal(client, jwt, app)
    assert act(client, jwt, a["id"], "propose-refusal", ground="out_of_competence", motivation="вне компетенции").status_code == 200
    back_date_draft(app, a["id"])
    login(client, "manager")
    client.get("/lang/ru")
    page = client.get(f"/appeal-workflow/{a['id']}/refuse").get_data(as_text=True)
    offered = {int(v) for v in re.findall(r'<option[^>]*value="(\d+)"', page)} - {0}
    with app.app_context():
        levels = {o.level for o in db.session.execute(select(Official).where(Official.id.in_(offered))).scalars()}
    assert offered and levels <= set(DECIDERS)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    r = client.post(f"/appeal-workflow/{a['id']}/refuse", data={"version": version, "decided_by": decider_id(app)},
                    follow_redirects=True)
    assert "R33" in flashes(r.get_data(as_text=True))  # no hearing record yet
    assert act(client, jwt, a["id"], "record-hearing", position="").status_code == 200
    page = client.get(f"/appeal-workflow/{a['id']}/refuse").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', page).group(1)
    r = client.post(f"/appeal-workflow/{a['id']}/refuse", data={"version": version, "decided_by": "0"},
                    follow_redirects=True)
    assert "R27" in flashes(r.get_data(as_text=True))
    r = client.post(f"/appeal-workflow/{a['id']}/refuse", data={"version": version, "decided_by": decider_id(app)},
                    follow_redirects=True)
    with app.app_context():
        refused = db.session.get(Appeal, a["id"])
        assert refused.status == AppealStatus.refused and refused.refusal_decided_by_id == decider_id(app)
    letter = client.get(f"/appeal-workflow/{a['id']}/letter/refusal").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Official, decider_id(app)).full_name in letter


def test_the_history_and_the_audit_panel_show_local_times_and_translated_operations(client, jwt, app):
    """No UTC time and no raw "create" in a Kazakh page."""
    from app.models import AppealEvent
    from app.services.clock import fmt_local

    a = new_appeal(client, jwt, app)
    with app.app_context():
        at = db.session.execute(select(AppealEvent.at).where(AppealEvent.appeal_id == a["id"])).scalars().first()
    login(client, "manager")
    client.get("/lang/kk")
    page = client.get(f"/appealview/show/{a['id']}").get_data(as_text=True)
    with app.app_context():
        local = fmt_local(at)
    assert local in page.split('id="timeline"')[1]
    assert at.strftime("%d.%m.%Y %H:%M") != local  # Almaty is 5 hours ahead of UTC
    assert "(UTC)" not in page
    panel = page.split('id="timeline"')[1]  # one history: the events and the audit rows
    assert "R25" in panel and "create" not in panel and "update" not in panel
    log = client.get("/auditlogview/list/").get_data(as_text=True)
    assert ">create<" not in log and ">update<" not in log


def test_R13_R26_the_booking_form_offers_only_sessions_the_booking_allows_and_preselects_none(client, jwt, app):
    import re as _re

    from app.models import ReceptionSession
    from tests.api.test_workflow_api import _session
    from tests.builders import fresh_official

    official = fresh_official(app)  # a deputy akim: may receive by video
    a = new_appeal(client, jwt, app, official=official)  # no consent to a video reception
    ok_id, _ = _session(app, official, days_ahead=30)
    late_id, _ = _session(app, official, days_ahead=1)  # the reference note cannot be ready 5 working days before
    video_id, _ = _session(app, official, days_ahead=40)
    with app.app_context():
        db.session.get(ReceptionSession, video_id).kind = "video"
        db.session.commit()
    login(client, "clerk")
    page = client.get(f"/appeal-workflow/{a['id']}/schedule").get_data(as_text=True)
    offered = set(_re.findall(r'<option[^>]*value="(\d+)"', page))
    assert str(ok_id) in offered and str(late_id) not in offered and str(video_id) not in offered
    assert 'selected' not in _re.search(r'<select[^>]*id="session".*?</select>', page, _re.S).group(0)
    # the guard that hides them is the one that refuses them
    assert act(client, jwt, a["id"], "schedule", session=video_id).get_json()["rule"] == "R13"
    assert act(client, jwt, a["id"], "schedule", session=late_id).get_json()["rule"] == "R26"


def test_R37_my_work_a_responsible_worker_lists_the_appeals_assigned_to_them(client, app):
    login(client, "responsible")
    page = client.get("/appealview/list/").get_data(as_text=True)
    import re as _re

    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("ru"):
        label = gettext("Assigned to me")
    link = _re.search(r'href="([^"]+)"[^>]*>\s*' + _re.escape(label), page)
    assert link, "the quick filter is offered to one who may be assigned appeals"
    url = link.group(1).replace("&amp;", "&")
    mine = client.get(url).get_data(as_text=True)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="responsible").id
        assigned = db.session.execute(select(Appeal.reg_number).where(Appeal.assignee_id == user)).scalars().all()
        other = db.session.execute(select(Appeal.reg_number).where(Appeal.assignee_id.is_(None),
                                   Appeal.reception_place_id.in_(select(Appeal.reception_place_id).where(
                                       Appeal.assignee_id == user))).limit(1)).scalar_one()
    assert assigned and all(n in mine for n in assigned[:5]) and other not in mine
    login(client, "head")
    head_page = client.get("/appealview/list/").get_data(as_text=True)
    assert not _re.search(r'href="[^"]+"[^>]*>\s*' + _re.escape(label), head_page)
