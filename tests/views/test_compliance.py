"""The compliance board (app/services/compliance.py, app/views/compliance.py):
each measured rule's figure today is the rows of the list it opens; each
measure fires on a case that breaks its rule; earlier figures are the daily
record's, summed over the reader's scope; the board is the Manager's and the
Head's, and no hostile value breaks it."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, time, timedelta
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from app.domain.vocabulary import (
    AppealStatus,
    ConsultationOutcome,
    DepartmentKind,
    InstructionStatus,
    OfficialLevel,
    SessionStatus,
)
from app.extensions import db
from app.models import (
    Appeal,
    AppealEvent,
    ComplianceCount,
    Consultation,
    Department,
    Instruction,
    MaterialsRequest,
    Official,
    ParticipationRequest,
    Protocol,
    ReceptionSession,
)
from app.services import compliance as C
from app.services.clock import local_to_utc, today
from tests.conftest import login
from tests.views.test_registers import record_count


def _user(name: str):
    from flask import current_app

    return current_app.appbuilder.sm.find_user(username=name)


def _board_rows(body: str) -> dict[str, str]:
    """measure key → its row of the board (HTML)."""
    return {m.group(1): m.group(0) for m in re.finditer(r'<tr data-measure="([a-z0-9_]+)".*?</tr>', body, re.S)}


def _today_link(row: str) -> tuple[str, int] | None:
    m = re.search(r'<a href="([^"]+)" data-count="(\d+)"', row)
    return (unescape(m.group(1)), int(m.group(2))) if m else None


# --- the figure and its list ---------------------------------------------------------------
@pytest.mark.parametrize("username", ["manager", "head"])
def test_every_figure_of_the_board_opens_a_list_of_exactly_its_cases(app, client, username):
    login(client, username)
    r = client.get("/compliance/")
    assert r.status_code == 200
    rows = _board_rows(r.get_data(as_text=True))
    assert set(rows) == set(C.BY_KEY)
    checked = 0
    for key, row in rows.items():
        link = _today_link(row)
        if link is None or C.BY_KEY[key].link is not None:
            continue
        url, count = link
        page = client.get(url)
        assert page.status_code == 200, (key, url)
        assert record_count(page.get_data(as_text=True)) == count, (key, url)
        checked += 1
    assert checked >= 6  # appeals, requests, instructions, consultations, receptions: each list answers


def test_a_measures_page_breaks_the_figure_down_by_place_and_official_and_each_part_opens_its_cases(app, client):
    login(client, "manager")
    body = client.get("/compliance/r29_overdue").get_data(as_text=True)
    total = int(re.search(r'id="compliance-total">.*?data-count="(\d+)"', body, re.S).group(1))
    assert total > 0, "the demo has overdue appeals"
    for table in ("compliance-places", "compliance-officials"):
        part = re.search(rf'id="{table}".*?</table>', body, re.S).group(0)
        links = [(unescape(u), int(n)) for u, n in re.findall(r'<a href="([^"]+)" data-count="(\d+)"', part)]
        assert sum(n for _, n in links) == total, table
        url, n = links[0]
        assert record_count(client.get(url).get_data(as_text=True)) == n


# --- each measure fires on the case its rule is about ---------------------------------------
def _any(model, *where):
    return db.session.execute(select(model).where(*where).order_by(model.id).limit(1)).scalar_one()


def _fires(key: str, make, user="manager") -> None:
    """``make()`` adds one case breaking the rule: the figure grows by one,
    and the case is in the list's rows; nothing is kept (rolled back)."""
    u = _user(user)
    before = C.today_figures(u)[key]
    case = make()
    db.session.flush()
    after = C.today_figures(u)[key]
    measure = C.BY_KEY[key]
    if measure.is_share:
        assert (after.base, after.count) == (before.base + 1, before.count), key
    else:
        assert after.count == before.count + 1, key
    if case is not None:
        rows = db.session.execute(select(measure.model.id).where(C.filter_clause(measure.model, key))).scalars().all()
        assert case.id in rows, key


def _running_appeal():
    return _any(Appeal, Appeal.status == AppealStatus.registered)


def test_R29_an_appeal_past_its_term_is_counted_and_one_due_within_two_working_days_is_at_risk(app_ctx):
    def overdue():
        a = _any(Appeal, Appeal.status == AppealStatus.registered, Appeal.due_on >= today())
        a.answer_due_on = a.due_on = today() - timedelta(days=1)
        return a

    _fires("r29_overdue", overdue)

    def soon():
        a = _any(Appeal, Appeal.status == AppealStatus.registered, Appeal.due_on > today() + timedelta(days=10))
        a.answer_due_on = a.due_on = today()
        return a

    _fires("r29_due_soon", soon)


def _ids(key: str) -> set[int]:
    m = C.BY_KEY[key]
    return set(db.session.execute(select(m.model.id).where(C.filter_clause(m.model, key))).scalars())


def test_R30b_an_extension_the_applicant_was_not_told_of_in_three_working_days_is_counted(app_ctx):
    def late():
        a = _any(Appeal, Appeal.status == AppealStatus.registered, Appeal.extension_notice_due_on.is_(None))
        a.extension_decided_on, a.extension_notice_due_on = today() - timedelta(days=9), today() - timedelta(days=4)
        return a

    _fires("r30b_notice_late", late)
    a = _any(Appeal, Appeal.id.in_(_ids("r30b_notice_late")))
    a.extension_notified_on = today() - timedelta(days=5)  # told: the duty is met
    db.session.flush()
    assert a.id not in _ids("r30b_notice_late")


def _proposed(**over):
    a = _any(Appeal, Appeal.status == AppealStatus.registered)
    a.status, a.refusal_ground = AppealStatus.refusal_proposed, "out_of_competence"
    a.draft_sent_on = over.get("sent", today() - timedelta(days=10))
    a.objection_due_on = over.get("objection", today() - timedelta(days=5))
    a.hearing_recorded_on = None
    return a


def test_R32_a_hearing_not_recorded_after_the_objection_term_is_counted(app_ctx):
    _fires("r32_hearing_waiting", _proposed)
    a = _any(Appeal, Appeal.id.in_(_ids("r32_hearing_waiting")))
    a.hearing_recorded_on = today()
    db.session.flush()
    assert a.id not in _ids("r32_hearing_waiting")


def test_R32_a_draft_letter_dated_before_the_day_it_was_recorded_is_counted(app_ctx):
    def backdated():
        a = _proposed(sent=today() - timedelta(days=3), objection=today() + timedelta(days=3))
        db.session.add(AppealEvent(appeal_id=a.id, at=local_to_utc(datetime.combine(today(), time(10))),
                                   action="propose-refusal", from_status=AppealStatus.registered,
                                   to_status=AppealStatus.refusal_proposed, rule="R32", reason="", payload={}))
        return a

    _fires("r32_backdated", backdated)

    a = _proposed(sent=today(), objection=today() + timedelta(days=5))  # dated the day it is recorded: fine
    db.session.add(AppealEvent(appeal_id=a.id, at=local_to_utc(datetime.combine(today(), time(10))),
                               action="propose-refusal", from_status=AppealStatus.registered,
                               to_status=AppealStatus.refusal_proposed, rule="R32", reason="", payload={}))
    db.session.flush()
    assert a.id not in _ids("r32_backdated")


def test_R19_R20_participation_notices_and_reports_past_two_working_days_are_counted(app_ctx):
    dep = _any(Department)

    def untold():
        p = ParticipationRequest(appeal_id=_running_appeal().id, department_id=dep.id,
                                 requested_on=today() - timedelta(days=10))
        db.session.add(p)
        return p

    _fires("r19_notice_late", untold)

    def unreported():
        p = ParticipationRequest(appeal_id=_running_appeal().id, department_id=dep.id,
                                 requested_on=today() - timedelta(days=12), applicant_told_on=today() - timedelta(days=12),
                                 refused_on=today() - timedelta(days=10))
        db.session.add(p)
        return p

    _fires("r20_report_late", unreported)
    fresh = ParticipationRequest(appeal_id=_running_appeal().id, department_id=dep.id, requested_on=today())
    db.session.add(fresh)
    db.session.flush()
    assert fresh.id not in _ids("r19_notice_late")  # its 2 working days have not passed


def test_R7_R7_1_a_person_of_R2_with_no_reception_next_month_is_counted(app_ctx):
    office = _any(Department, Department.kind == DepartmentKind.akim_office)

    def newcomer():
        o = Official(full_name="Тестов Тест Тестович", position_ru="Заместитель акима", position_kk="Әкімнің орынбасары",
                     level=OfficialLevel(_any(Official, Official.department_id == office.id).level),
                     department_id=office.id, languages="kk,ru", active=True)
        db.session.add(o)
        return o

    _fires("r7_gaps", newcomer)


def test_R34_an_instruction_under_control_past_its_deadline_is_counted(app_ctx):
    def late():
        i = _any(Instruction, Instruction.status == InstructionStatus.open, Instruction.due_on >= today())
        i.due_on = today() - timedelta(days=1)
        return i

    _fires("r34_overdue", late)
    i = _any(Instruction, Instruction.id.in_(_ids("r34_overdue")))
    i.status, i.final_answer, i.answered_on = InstructionStatus.answered, "Ответ дан", today()
    db.session.flush()
    assert i.id not in _ids("r34_overdue")


def test_R31_a_request_for_materials_unanswered_past_its_due_date_is_counted(app_ctx):
    def late():
        m = MaterialsRequest(appeal_id=_running_appeal().id, department_id=_any(Department).id, subject="Материалы",
                             requested_on=today() - timedelta(days=9), due_on=today() - timedelta(days=2))
        db.session.add(m)
        return m

    _fires("r31_overdue", late)


def test_R38_a_declined_consultation_without_a_call_lowers_the_coverage_and_is_listed_as_missing(app_ctx):
    def declined():
        src = _any(Consultation)
        c = Consultation(given_at=datetime.combine(today(), time(9)), reception_place_id=src.reception_place_id,
                         district_id=src.district_id, channel=src.channel, category_id=src.category_id,
                         applicant_id=src.applicant_id, question="Вопрос", outcome=ConsultationOutcome.declined)
        db.session.add(c)
        return None

    _fires("r38_coverage", declined)
    missing = db.session.execute(
        select(Consultation.id).where(C.filter_clause(Consultation, "r38_coverage"))).scalars().all()
    newest = db.session.execute(select(Consultation.id).order_by(Consultation.id.desc()).limit(1)).scalar_one()
    assert newest in missing  # the list behind the figure: declined, not called


def test_R16_a_reception_cancelled_without_timely_notice_is_counted(app_ctx):
    def late():
        s = _any(ReceptionSession, ReceptionSession.status != SessionStatus.cancelled,
                 ReceptionSession.day <= today(), ReceptionSession.day > today() - timedelta(days=20))
        s.status, s.notice_late, s.cancel_reason = SessionStatus.cancelled, True, "Командировка"
        return s

    _fires("r16_late", late)


# --- the daily record -----------------------------------------------------------------------
def test_the_daily_record_is_todays_figures_and_earlier_days_are_read_from_it(app_ctx):
    manager = _user("manager")
    day = today()
    db.session.execute(delete(ComplianceCount))
    db.session.commit()
    C.take_snapshot(day)
    C.take_snapshot(day)  # taken again: the day's rows are replaced, not doubled
    now = C.today_figures(manager, day)
    recorded = C.history(manager, day)
    for key, fig in now.items():
        assert recorded[key][day].count == fig.count, key
    # what the record said 7 and 30 days ago (a day missing: the nearest earlier, up to 3 days)
    place = _any(Appeal).reception_place_id
    db.session.add_all([
        ComplianceCount(day=day - timedelta(days=7), measure="r29_overdue", place_id=place, count=11),
        ComplianceCount(day=day - timedelta(days=32), measure="r29_overdue", place_id=place, count=4),
    ])
    db.session.commit()
    row = next(r for r in C.board(manager, day) if r.measure.key == "r29_overdue")
    assert row.week_ago.count == 11 and row.month_ago.count == 4
    assert row.series[-1] == float(now["r29_overdue"].count) and row.series[-8] == 11.0
    assert C.sparkline(row.series)
    db.session.execute(delete(ComplianceCount).where(ComplianceCount.day < day))
    db.session.commit()


def test_the_record_is_summed_over_the_readers_scope_only(app_ctx):
    from app.security.scope import place_of

    clerk = _user("clerk")
    mine, other = place_of(clerk), _any(Appeal, Appeal.reception_place_id != place_of(clerk)).reception_place_id
    day = today() - timedelta(days=7)
    db.session.add_all([ComplianceCount(day=day, measure="r31_overdue", place_id=mine, count=2),
                        ComplianceCount(day=day, measure="r31_overdue", place_id=other, count=5)])
    db.session.commit()
    try:
        assert C.history(clerk)["r31_overdue"][day].count == 2
        assert C.history(_user("manager"))["r31_overdue"][day].count == 7
        assert C.history(None) == {}  # no reader: nothing
    finally:
        db.session.execute(delete(ComplianceCount).where(ComplianceCount.day == day))
        db.session.commit()


def test_todays_figures_follow_the_readers_scope(app_ctx):
    from app.security.scope import place_of

    clerk = _user("clerk")
    expected = db.session.execute(
        select(Appeal.id).where(C.r29_overdue(today()), Appeal.reception_place_id == place_of(clerk))).all()
    assert C.today_figures(clerk)["r29_overdue"].count == len(expected)
    assert C.today_figures(clerk)["r29_overdue"].count < C.today_figures(_user("manager"))["r29_overdue"].count


def test_the_snapshot_job_records_the_day(app, app_ctx):
    from app.jobs import launch

    db.session.execute(delete(ComplianceCount).where(ComplianceCount.day == today()))
    db.session.commit()
    job = launch("compliance_snapshot", {}, user_id=None)
    db.session.expire_all()
    assert job.status == "finished", job.error if hasattr(job, "error") else job
    assert db.session.execute(select(ComplianceCount).where(ComplianceCount.day == today())).first() is not None


# --- who sees it, and hostile input ---------------------------------------------------------
@pytest.mark.parametrize("username,status", [("manager", 200), ("head", 200), ("clerk", 403), ("official", 403),
                                             ("responsible", 403)])
def test_the_board_is_the_managers_and_the_heads(app, client, username, status):
    login(client, username)
    for url in ("/compliance/", "/compliance/r29_overdue", "/compliance/export.xlsx"):
        r = client.get(url)
        assert (r.status_code if r.status_code != 302 else 403) == status, url


def test_an_unknown_measure_or_format_is_404(app, client):
    login(client, "manager")
    for url in ("/compliance/nope", "/compliance/r29_overdue%00", "/compliance/export.pdf", "/compliance/" + "x" * 5000):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("value", ["r29_overdue:p9223372036854775808", "r29_overdue:p-1", "r29_overdue:x1",
                                   "\x00r29_overdue:p\x00", "nope", "r34_overdue", "r29_overdue:o" + "9" * 40, "", "'; --"])
def test_a_hostile_compliance_filter_value_matches_nothing_and_never_fails(app, client, value):
    login(client, "manager")
    from flask import current_app

    from app.views.appeals import AppealView

    with app.test_request_context():
        view = next(v for v in current_app.appbuilder.baseviews if isinstance(v, AppealView))
        idx = next(i for i, f in enumerate(view._filters._all_filters["due_on"])
                   if type(f).__name__ == "FilterComplianceMeasure")
    r = client.get("/appealview/list/", query_string={f"_flt_{idx}_due_on": value})
    assert r.status_code == 200
    assert record_count(r.get_data(as_text=True)) == 0


def test_the_board_exports_as_xlsx_and_csv_with_its_rows(app, client):
    login(client, "manager")
    body = client.get("/compliance/").get_data(as_text=True)
    overdue = _today_link(_board_rows(body)["r29_overdue"])[1]
    wb = load_workbook(io.BytesIO(client.get("/compliance/export.xlsx").data))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] and len(rows) > len(C.MEASURES)
    assert next(r for r in rows if r[0] == "R29" and not r[5] and not r[6])[2] == overdue
    text = client.get("/compliance/export.csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert {r[0] for r in table[1:]} >= {"R29", "R34", "R38"}


def test_the_board_speaks_kazakh_with_the_rules_words(app, client):
    login(client, "manager")
    client.get("/lang/kk")
    body = client.get("/compliance/").get_data(as_text=True)
    assert "Жеке қабылдау регламенті" in body and "жұмыс күн" in body
    client.get("/lang/ru")
    body = client.get("/compliance/").get_data(as_text=True)
    assert "Регламент личного приема" in body
    client.get("/lang/en")


def test_protocols_are_not_measured_so_their_list_has_no_compliance_filter(app):
    from flask import current_app

    from app.views.receptions import ProtocolView

    with app.test_request_context():
        view = next(v for v in current_app.appbuilder.baseviews if isinstance(v, ProtocolView))
        assert not any(type(f).__name__ == "FilterComplianceMeasure"
                       for flts in view._filters._all_filters.values() for f in flts)
    assert Protocol not in {m.model for m in C.MEASURES}


def test_R40_the_quarterly_report_carries_the_compliance_board(app, client):
    from tests.jobs.test_reports import _order

    login(client, "manager")
    board = _board_rows(client.get("/compliance/").get_data(as_text=True))
    overdue_instructions = _today_link(board["r34_overdue"])[1]
    with app.app_context():
        day = today()
    q = (day.month - 1) // 3 + 1
    _r, job = _order(client, app, kind="quarter", year=str(day.year), part=str(q), lang="ru", format="xlsx")
    assert job.status == "finished", job.error
    rows = list(load_workbook(job.result_path, read_only=True).active.iter_rows(values_only=True))
    r34 = [r for r in rows if r and r[0] == "R34"]
    assert len(r34) == 1 and overdue_instructions in r34[0]
    start = next(i for i, r in enumerate(rows) if r and r[0] == "R29" and isinstance(r[1], str))
    section = rows[start:start + len(C.MEASURES)]
    assert [r[0] for r in section] == [m.rule for m in C.MEASURES]  # every measure, in the board's order


def test_a_list_opened_from_the_board_says_in_words_which_cases_it_shows(app, client):
    login(client, "manager")
    client.get("/lang/ru")
    board = _board_rows(client.get("/compliance/").get_data(as_text=True))
    url, _n = _today_link(board["r34_overdue"])
    page = client.get(url).get_data(as_text=True)
    banner = re.sub(r"<[^>]+>", "", re.search(r'id="compliance-banner">(.*?)</div>', page, re.S).group(1))
    assert "R34" in banner and "Поручения на контроле с истёкшим сроком" in banner and "r34_overdue" not in banner
    parts = client.get("/compliance/r34_overdue").get_data(as_text=True)
    place_url = unescape(re.search(r'id="compliance-places".*?<a href="([^"]+)"', parts, re.S).group(1))
    place_banner = re.search(r'id="compliance-banner">(.*?)</div>', client.get(place_url).get_data(as_text=True),
                             re.S).group(1)
    assert "—" in place_banner  # the reception place it is of
    client.get("/lang/en")


def test_the_figures_words_agree_with_the_number_in_russian(app_ctx):
    from flask_babel import force_locale

    m = C.BY_KEY["r29_overdue"]
    with app_ctx.test_request_context(), force_locale("ru"):
        assert [m.amount(n) for n in (1, 43, 45, 11)] == ["обращение", "обращения", "обращений", "обращений"]
    with app_ctx.test_request_context(), force_locale("kk"):
        assert m.amount(43) == "өтініш"


def test_parallel_snapshots_of_one_day_record_it_once(app):
    from concurrent.futures import ThreadPoolExecutor

    with app.app_context():
        day = today()
        C.take_snapshot(day)
        once = db.session.execute(select(ComplianceCount.id).where(ComplianceCount.day == day)).all()

    def one(_):
        with app.app_context():
            return C.take_snapshot(day)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(4)))
    with app.app_context():
        rows = db.session.execute(select(ComplianceCount.id).where(ComplianceCount.day == day)).all()
    assert len(rows) == len(once)  # the cron job and the CLI at once: one day's record, never four
