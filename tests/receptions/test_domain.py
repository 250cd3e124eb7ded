"""Rules of rosters, receptions and instructions (pure domain)."""
from datetime import date

import pytest

from app.domain.errors import WorkflowError
from app.domain.receptions import (
    RosterEntry,
    check_acceptance,
    check_answer,
    check_month_has_receptions,
    check_new_deadline,
    check_reassignment,
    check_session,
    check_video_consent,
    rebooking_plan,
    roster_gaps,
)

OFFICIALS = [(1, "akim"), (2, "deputy_akim"), (3, "unit_head"), (4, "authorised_employee")]


def test_R7_officials_without_a_reception_in_the_month_are_listed():
    entries = [RosterEntry(1, "public_reception", date(2026, 12, 3)), RosterEntry(1, "reception_centre", date(2026, 12, 9)),
               RosterEntry(2, "public_reception", date(2026, 12, 4))]
    gaps = {g.official_id: g for g in roster_gaps(OFFICIALS, entries, 2026, 12)}
    assert 1 not in gaps
    assert gaps[3].public_reception and gaps[3].reception_centres
    assert gaps[4].public_reception  # R2 item 4: the office's authorised employees receive too


def test_R2_R7_district_akims_and_heads_of_other_bodies_are_not_R2_persons():
    officials = [(1, "akim", True), (5, "akim", False), (6, "unit_head", False)]  # 5, 6: a district akimat, a body
    gaps = {g.official_id for g in roster_gaps(officials, [], 2026, 12)}
    assert gaps == {1}


def test_R7_off_roster_and_after_meeting_receptions_are_not_the_roster():
    entries = [RosterEntry(2, "public_reception", date(2026, 12, 4), off_roster=True),
               RosterEntry(2, "reception_centre", date(2026, 12, 8))]
    gap = {g.official_id: g for g in roster_gaps(OFFICIALS, entries, 2026, 12)}[2]
    assert gap.public_reception and not gap.reception_centres


def test_R7_1_a_reception_centre_is_required_besides_the_public_reception():
    entries = [RosterEntry(2, "public_reception", date(2026, 12, 4))]
    gap = {g.official_id: g for g in roster_gaps(OFFICIALS, entries, 2026, 12)}[2]
    assert not gap.public_reception and gap.reception_centres


def test_R7_cancelled_sessions_and_other_months_do_not_count():
    entries = [RosterEntry(1, "public_reception", date(2026, 12, 3), cancelled=True),
               RosterEntry(1, "reception_centre", date(2027, 1, 9))]
    gap = {g.official_id: g for g in roster_gaps(OFFICIALS, entries, 2026, 12)}[1]
    assert gap.public_reception and gap.reception_centres


def test_R9_off_roster_receptions_are_deputy_akims_on_the_akims_order():
    check_session("off_roster", "deputy_akim", "№ 12-р", date(2026, 11, 1))
    with pytest.raises(WorkflowError) as e:
        check_session("off_roster", "unit_head", "№ 12-р", date(2026, 11, 1))
    assert e.value.rule == "R9"
    with pytest.raises(WorkflowError) as e:
        check_session("off_roster", "deputy_akim", "", None)
    assert e.value.code == "order_required"


def test_R7_receptions_after_a_meeting_with_the_population_are_the_akims():
    check_session("after_meeting", "akim", None, None)
    with pytest.raises(WorkflowError):
        check_session("after_meeting", "deputy_akim", None, None)


def test_R13_video_reception_needs_every_booked_applicants_consent():
    check_video_consent("video", [True, True])
    check_video_consent("regular", [False])
    with pytest.raises(WorkflowError) as e:
        check_video_consent("video", [True, False])
    assert e.value.rule == "R13"


def test_R14_only_the_video_mode_needs_consent():
    for kind in ("regular", "off_roster", "after_meeting"):
        check_video_consent(kind, [False, False])


def test_R16_rebooking_keeps_the_queue_order_across_sessions():
    plan, left = rebooking_plan([11, 12, 13, 14, 15], [(100, 2), (200, 0), (300, 2)])
    assert plan == {11: 100, 12: 100, 13: 300, 14: 300} and left == [15]


def test_R37_no_reassignment_to_a_previous_employee():
    check_reassignment([5, 6], 7)
    with pytest.raises(WorkflowError) as e:
        check_reassignment([5, 6], 5)
    assert e.value.rule == "R37"


def test_R35_and_R34_only_the_staffs_acceptance_removes_control():
    assert check_answer(" Ответ дан ") == "Ответ дан"
    with pytest.raises(WorkflowError) as e:
        check_answer("")
    assert e.value.rule == "R35"
    assert check_acceptance(True, "Ответ дан", by_executor=False, may_control=True) == "Ответ дан"
    for args, rule, code in [
        ((True, "Ответ", False, False), "R34", "may_not_control_instructions"),
        ((False, "Ответ", False, True), "R35", "instruction_off_control"),
        ((True, None, False, True), "R35", "no_executor_answer"),
        ((True, "Ответ", True, True), "R34", "executor_may_not_accept"),
    ]:
        with pytest.raises(WorkflowError) as e:
            check_acceptance(*args)
        assert (e.value.rule, e.value.code) == (rule, code)


def test_R23_an_instructions_deadline_moves_to_a_concrete_day_not_in_the_past():
    from datetime import date

    today = date(2026, 4, 6)
    assert check_new_deadline(date(2026, 4, 10), date(2026, 4, 20), today) == date(2026, 4, 20)
    for new, code in [(None, "due_on_required"), (date(2026, 4, 3), "due_on_in_past"),
                      (date(2026, 4, 10), "due_on_unchanged")]:
        with pytest.raises(WorkflowError) as e:
            check_new_deadline(date(2026, 4, 10), new, today)
        assert (e.value.rule, e.value.code) == ("R23", code)


def test_R31_the_dates_and_the_answer_of_a_request_for_materials():
    from datetime import date

    from app.domain.receptions import check_materials_request, materials_term

    today = date(2026, 4, 10)
    check_materials_request(date(2026, 4, 1), date(2026, 4, 8), None, None, today)
    for args, code in [
        ((date(2026, 4, 1), date(2026, 3, 31), None, None), "materials_due_before_request"),
        ((date(2026, 4, 11), date(2026, 4, 20), None, None), "materials_requested_in_future"),
        ((date(2026, 4, 1), date(2026, 4, 8), date(2026, 4, 9), " "), "materials_answer_required"),
        ((date(2026, 4, 1), date(2026, 4, 8), date(2026, 4, 11), "ответ"), "materials_answered_on_out_of_range"),
        ((date(2026, 4, 1), date(2026, 4, 8), date(2026, 3, 30), "ответ"), "materials_answered_on_out_of_range"),
    ]:
        with pytest.raises(WorkflowError) as e:
            check_materials_request(*args, today)
        assert (e.value.rule, e.value.code) == ("R31", code)
    assert materials_term(date(2026, 4, 8), None, today) == "overdue"
    assert materials_term(date(2026, 4, 10), None, today) == "open"
    assert materials_term(date(2026, 4, 8), date(2026, 4, 9), today) == "answered"


def test_R8_a_month_with_no_receptions_cannot_be_approved():
    cancelled = [RosterEntry(1, "public_reception", date(2026, 5, 4), cancelled=True)]
    off_roster = [RosterEntry(2, "public_reception", date(2026, 5, 5), off_roster=True)]
    another_month = [RosterEntry(1, "public_reception", date(2026, 6, 1))]
    for entries in ([], cancelled, off_roster, another_month):
        with pytest.raises(WorkflowError) as refused:
            check_month_has_receptions(entries, 2026, 5)
        assert (refused.value.rule, refused.value.code) == ("R8", "empty_roster")
    check_month_has_receptions(cancelled + [RosterEntry(3, "reception_centre", date(2026, 5, 20))], 2026, 5)
