"""The scope-and-privacy boundary, generated from the roles module.

The matrix: every role of ``app/security/roles.py`` × every surface that
presents an applicant (UI page and audit panel, REST get, list and pruned
list, CSV export, audit log, audit-log export, letter, survey work list) ×
every personal field. A field is shown in clear exactly when the role's
traits list it; every other role sees it masked or not at all. Then the
inference paths (filter, sort, search, lookup, ``_info``) and the
write-then-read paths an attacker would try. Runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Appeal,
    Applicant,
    AuditLog,
    Instruction,
    Job,
    Official,
    Protocol,
    ReceptionSession,
    SurveyCall,
    UserPlace,
)
from app.security.roles import PERSONAL_FIELDS, ROLES
from tests.conftest import login

USERS = {"Admin": "admin", "Manager": "manager", "Clerk": "clerk", "Responsible": "responsible",
         "Head": "head", "Official": "official", "Auditor": "auditor"}
assert set(USERS) == set(ROLES), "every role of the roles module is in the matrix"
FIELDS = sorted(PERSONAL_FIELDS)


def _user(app, username):
    return app.appbuilder.sm.find_user(username=username)


@pytest.fixture(scope="module")
def target(app):
    """An appeal at the clerk's place, addressed to the demo official and
    booked (its invitation letter applies), whose applicant has every
    personal field, plus an audit row of that applicant's change."""
    from app.domain.vocabulary import AppealStatus

    with app.app_context():
        place = db.session.get(UserPlace, _user(app, "clerk").id).place_id
        official = db.session.execute(
            select(Official.id).where(Official.user_id == _user(app, "official").id)).scalar_one()
        appeal = db.session.execute(
            select(Appeal).join(Applicant, Applicant.id == Appeal.applicant_id).where(
                Appeal.reception_place_id == place,
                Appeal.status.in_([AppealStatus.scheduled, AppealStatus.received]),
                Applicant.iin.is_not(None), Applicant.phone.is_not(None), Applicant.address.is_not(None),
            ).order_by(Appeal.id).limit(1)
        ).scalar_one()
        appeal.official_id = official  # addressed to the demo official: in their scope
        applicant = appeal.applicant
        applicant.email = applicant.email or f"citizen{applicant.id}@mail.kz"
        applicant.bin = applicant.bin or "100140011059"
        applicant.phone = "+7 701 555 12 34"
        db.session.commit()
        # an applicant of another place only (never linked to the clerk's place)
        mine = select(Appeal.applicant_id).where(Appeal.reception_place_id == place)
        foreign = db.session.execute(
            select(Applicant.id).where(Applicant.id.not_in(mine), Applicant.iin.is_not(None),
                                       Applicant.registered_place_id.is_distinct_from(place))
            .order_by(Applicant.id).limit(1)).scalar_one()
        values = {f: getattr(applicant, f) for f in FIELDS}
        return {"appeal": appeal.id, "applicant": applicant.id, "values": values, "place": place,
                "official": official, "foreign_applicant": foreign}


def _leaks(body: str, values: dict) -> set[str]:
    """The personal fields whose clear value is in ``body``."""
    found = set()
    if body[:1] in "{[":  # JSON escapes non-ASCII: compare the decoded text
        try:
            body = json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            pass
    for field, value in values.items():
        if value and (value in body or html.escape(value) in body or html.escape(value, quote=False) in body):
            found.add(field)
    return found


def _export(client, app, register: str, args: dict | None = None) -> str:
    r = client.post(f"/jobs/export/{register}/csv", data=args or {})
    if r.status_code != 302:
        return ""
    with app.app_context():
        job = db.session.execute(select(Job).where(Job.kind == "export").order_by(Job.created_at.desc())
                                 .limit(1)).scalar_one()
        job_id = job.id
    got = client.get(f"/jobs/download/{job_id}")
    return got.get_data(as_text=True) if got.status_code == 200 else ""


def _surface(surface, client, jwt, app, t, username) -> str:
    a, ap = t["applicant"], t["appeal"]
    h = jwt(username)
    if surface == "ui_show":  # the page and its audit panel
        return client.get(f"/applicantview/show/{a}").get_data(as_text=True)
    if surface == "rest_get":
        return client.get(f"/api/v1/applicant/{a}", headers=h).get_data(as_text=True)
    if surface == "rest_list":
        return client.get(f"/api/v1/applicant/?q=(filters:!((col:id,opr:eq,value:{a})))",
                          headers=h).get_data(as_text=True)
    if surface == "rest_pruned":
        return client.get(f"/api/v1/applicant/?q=(columns:!(iin,bin,phone,email,address),"
                          f"filters:!((col:id,opr:eq,value:{a})))", headers=h).get_data(as_text=True)
    if surface == "export":
        return _export(client, app, "Applicant")
    if surface == "audit_log":
        return client.get(f"/auditlogview/list/?_flt_0_table_name=applicant&_flt_0_record_id={a}"
                          ).get_data(as_text=True)
    if surface == "audit_export":
        return _export(client, app, "AuditLog", {"_flt_0_table_name": "applicant", "_flt_0_record_id": str(a)})
    if surface == "letter":
        return client.get(f"/appeal-workflow/{ap}/letter/answer").get_data(as_text=True)
    if surface == "appeal_page":
        return client.get(f"/appealview/show/{ap}").get_data(as_text=True)
    raise AssertionError(surface)


SURFACES = ["ui_show", "rest_get", "rest_list", "rest_pruned", "export", "audit_log", "audit_export", "letter",
            "appeal_page"]


@pytest.mark.parametrize("role", list(USERS))
@pytest.mark.parametrize("surface", SURFACES)
def test_personal_fields_are_shown_in_clear_exactly_to_the_roles_whose_traits_list_them(
        client, jwt, app, target, role, surface):
    login(client, USERS[role])
    body = _surface(surface, client, jwt, app, target, USERS[role])
    leaked = _leaks(body, target["values"])
    allowed = ROLES[role].personal_fields
    assert leaked <= allowed, (role, surface, sorted(leaked - allowed))
    # those who may see it do see it where the surface presents it
    if surface in ("ui_show", "rest_get", "rest_list", "rest_pruned") and "read" in ROLES[role].grants.get("Applicant", ()):
        assert leaked == set(allowed) & set(target["values"]), (role, surface, leaked)


def test_matrix_size():
    """roles × surfaces × personal fields, for the closing note."""
    assert len(USERS) * len(SURFACES) * len(FIELDS) == 7 * 9 * 5


# --- inference: filter, sort, search, lookup, _info ---------------------------------
def _hidden_roles():
    return [r for r in USERS if "read" in ROLES[r].grants.get("Applicant", ()) and ROLES[r].personal_fields != PERSONAL_FIELDS]


@pytest.mark.parametrize("role", _hidden_roles())
@pytest.mark.parametrize("field", FIELDS)
def test_a_masked_field_can_be_neither_filtered_nor_sorted_over_rest(client, jwt, role, field):
    h = jwt(USERS[role])
    for opr in ("sw", "ct", "eq", "ew"):
        r = client.get(f"/api/v1/applicant/?q=(filters:!((col:{field},opr:{opr},value:'5')))", headers=h)
        assert r.status_code == 400, (role, field, opr, r.status_code)
    r = client.get(f"/api/v1/applicant/?q=(order_column:{field},order_direction:asc)", headers=h)
    assert r.status_code == 400, (role, field, "order")
    info = client.get("/api/v1/applicant/_info", headers=h).get_json()
    assert field not in info["filters"] and field not in info.get("order_columns", [])


@pytest.mark.parametrize("role", _hidden_roles())
def test_a_masked_field_is_not_in_the_ui_search_and_its_filter_and_sort_are_ignored(client, app, target, role):
    from tests.views.test_registers import record_count

    login(client, USERS[role])
    page = client.get("/applicantview/list/").get_data(as_text=True)
    assert 'name="iin"' not in page
    total = record_count(page)
    iin = target["values"]["iin"]
    for i in range(5):
        narrowed = record_count(client.get(f"/applicantview/list/?_flt_{i}_iin={iin[:3]}").get_data(as_text=True))
        assert narrowed == total, (role, i)
    # sorting by the ИИН would order the names by birth date: ignored
    by_iin = client.get("/applicantview/list/?_oc_ApplicantView=iin&_od_ApplicantView=asc").get_data(as_text=True)
    default = client.get("/applicantview/list/").get_data(as_text=True)
    names = lambda body: re.findall(r"/applicantview/show/(\d+)", body)  # noqa: E731
    assert names(by_iin) == names(default)
    with app.app_context():
        by_prefix = client.get(f"/lookup/applicant?q={iin[:6]}").get_json()["results"]
    assert all(r["id"] != target["applicant"] for r in by_prefix) or iin[:6] in str(by_prefix)


ORDER_PROBES = [("AppealView", "applicant.iin"), ("AppealView", "applicant.phone"),
                ("SurveyCallView", "applicant.phone"), ("AuditLogView", "changes"), ("AppealEventView", "payload")]


@pytest.mark.parametrize("role,view,column", [
    (role, view, column) for role in ("Head", "Admin", "Auditor") for view, column in ORDER_PROBES
    if "read" in ROLES[role].grants.get(view.removesuffix("View"), ())])
def test_no_order_by_a_related_column_or_a_json_document(client, role, view, column):
    """An order by ``applicant.iin`` (or the audit's raw changes) would tell
    the masked values' order: such an order falls back to the newest first."""
    login(client, USERS[role])
    base = f"/{view.lower()}/list/"
    ids = lambda body: re.findall(r"/show/(\d+)", body)  # noqa: E731
    default = client.get(f"{base}?_oc_{view}=id&_od_{view}=desc")  # the order a refused column falls back to
    for direction in ("asc", "desc"):
        r = client.get(f"{base}?_oc_{view}={column}&_od_{view}={direction}")
        assert r.status_code == 200, (view, column, r.status_code)
        assert ids(r.get_data(as_text=True)) == ids(default.get_data(as_text=True)), (view, column, direction)


def test_manager_may_filter_by_iin(client, jwt, target):
    iin = target["values"]["iin"]
    r = client.get(f"/api/v1/applicant/?q=(filters:!((col:iin,opr:eq,value:'{iin}')))", headers=jwt("manager"))
    assert r.status_code == 200 and target["applicant"] in [x["id"] for x in r.get_json()["result"]]


@pytest.mark.parametrize("username", ["clerk", "official"])
def test_info_offers_only_related_records_in_scope(client, jwt, app, target, username):
    with app.app_context():
        foreign_name = db.session.get(Applicant, target["foreign_applicant"]).full_name
    info = client.get("/api/v1/appeal/_info?q=(add_columns:(applicant:(page_size:100)))", headers=jwt(username))
    assert info.status_code == 200
    values = {v["id"] for c in info.get_json()["add_columns"] if c["name"] == "applicant" for v in c.get("values", [])}
    assert target["foreign_applicant"] not in values
    if username == "official":  # no Applicant grant at all: no names
        assert values == set()
    assert foreign_name not in info.get_data(as_text=True) or username == "clerk"


# --- writes never widen reads ---------------------------------------------------------
def _body(app, **over):
    from tests.api.test_rest import _appeal_body

    return _appeal_body(app, **over)


def test_clerk_cannot_reach_a_foreign_applicant_by_naming_it_in_an_appeal(client, jwt, app, target):
    h = jwt("clerk")
    foreign = target["foreign_applicant"]
    assert client.get(f"/api/v1/applicant/{foreign}", headers=h).status_code == 404
    r = client.post("/api/v1/appeal/", json=_body(app, applicant=foreign, reception_place=target["place"]), headers=h)
    ghost = client.post("/api/v1/appeal/", json=_body(app, applicant=2**31 - 2, reception_place=target["place"]),
                        headers=h)
    assert r.status_code == ghost.status_code == 422
    # answered exactly as an id that does not exist
    assert r.get_json()["message"]["applicant"][0].replace(str(foreign), "N") == \
        ghost.get_json()["message"]["applicant"][0].replace(str(2**31 - 2), "N")
    assert client.get(f"/api/v1/applicant/{foreign}", headers=h).status_code == 404
    # PUT of the clerk's own appeal
    own = client.post("/api/v1/appeal/", json=_body(app, reception_place=target["place"], substance="Своё 8812",
                                                    applicant=target["applicant"]),
                      headers=h)
    assert own.status_code == 201, own.get_data(as_text=True)
    r = client.put(f"/api/v1/appeal/{own.get_json()['id']}", json={"applicant": foreign}, headers=h)
    assert r.status_code == 422
    assert client.get(f"/api/v1/applicant/{foreign}", headers=h).status_code == 404


def test_clerk_cannot_link_a_foreign_applicant_through_the_add_form(client, app, target):
    login(client, "clerk")
    with app.app_context():
        before = db.session.execute(select(func.count()).select_from(Appeal)).scalar_one()
        refs = _body(app)
    form = {"channel": "by_hand", "received_at": "2026-11-20 10:00:00", "applicant": str(target["foreign_applicant"]),
            "reception_place": str(target["place"]), "district": str(refs["district"]),
            "category": str(refs["category"]), "official": str(refs["official"]), "substance": "Форма 7731",
            "language": "ru"}
    r = client.post("/appealview/add", data=form, follow_redirects=True)
    assert r.status_code == 200
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Appeal)).scalar_one() == before
    assert client.get(f"/applicantview/show/{target['foreign_applicant']}").status_code == 404


def test_walking_applicant_ids_as_a_clerk_finds_nothing_outside_the_place(client, jwt, app, target):
    """Sequential ids: every foreign one answers like a missing one, on read and on write."""
    h = jwt("clerk")
    with app.app_context():
        ids = db.session.execute(select(Applicant.id).order_by(Applicant.id).limit(40)).scalars().all()
        from app.security.scope import is_visible

        with app.test_request_context():
            from flask import g

            g.user = _user(app, "clerk")
            visible = {i for i in ids if is_visible(Applicant, i)}
    leaks = 0
    for i in ids:
        got = client.get(f"/api/v1/applicant/{i}", headers=h).status_code
        wrote = client.post("/api/v1/appeal/", json=_body(app, applicant=i, reception_place=target["place"],
                                                             received_at="2030-01-01T10:00:00"), headers=h)
        if i in visible:
            assert got == 200
        else:
            leaks += got != 404
            leaks += wrote.status_code != 422 or "applicant" not in (wrote.get_json() or {}).get("message", {})
    assert leaks == 0


def test_import_never_links_an_applicant_outside_the_importers_scope(app, target):
    from flask import g

    from app.services.importer import import_rows

    with app.app_context():
        foreign = db.session.get(Applicant, target["foreign_applicant"])
        iin = foreign.iin
        with app.test_request_context():
            g.user = _user(app, "clerk")
            from app.models import Category, District, ReceptionPlace

            place = db.session.get(ReceptionPlace, target["place"])
            row = {"external_id": "EXT-SCOPE-1", "channel": "egov_portal", "received_at": "2026-11-20 10:00",
                   "applicant_full_name": "Импорт Тест", "applicant_iin": iin, "applicant_phone": "",
                   "applicant_address": "", "district": db.session.execute(select(District.kato).limit(1)).scalar(),
                   "category": db.session.execute(select(Category.code).where(Category.parent_id.is_not(None))
                                                  .limit(1)).scalar(),
                   "official": db.session.get(Official, target["official"]).full_name,
                   "reception_place": str(place.id), "substance": "Импорт по чужому ИИН", "language": "ru"}
            result = import_rows([row], _user(app, "clerk").id)
            db.session.commit()
        assert not result.errors, result.errors
        linked = db.session.execute(select(Appeal.applicant_id).where(Appeal.external_id == "EXT-SCOPE-1")).scalar_one()
        assert linked != foreign.id
        assert db.session.get(Applicant, linked).iin == iin


# --- scoped writes per role -----------------------------------------------------------
def _other_session(app, official_id, *, own: bool):
    with app.app_context():
        cond = ReceptionSession.official_id == official_id if own else ReceptionSession.official_id != official_id
        return db.session.execute(select(ReceptionSession.id).where(cond).order_by(ReceptionSession.id).limit(1)
                                  ).scalar_one()


def test_official_writes_protocols_only_for_own_sessions(client, jwt, app, target):
    h = jwt("official")
    other = _other_session(app, target["official"], own=False)
    own = _other_session(app, target["official"], own=True)
    r = client.post("/api/v1/protocol/", json={"session": other, "drawn_up_on": "2026-11-20", "summary": "x",
                                               "number": "П-ЧУЖОЙ-1"}, headers=h)
    assert r.status_code == 422
    r = client.post("/api/v1/protocol/", json={"session": own, "drawn_up_on": "2026-11-20", "summary": "x",
                                               "number": "П-СВОЙ-1"}, headers=h)
    assert r.status_code == 201, r.get_data(as_text=True)
    pid = r.get_json()["id"]
    r = client.put(f"/api/v1/protocol/{pid}", json={"session": other}, headers=h)
    assert r.status_code == 422
    with app.app_context():
        assert db.session.get(Protocol, pid).session_id == own


def test_R23_official_instructs_only_on_appeals_received_at_the_protocols_session(client, jwt, app, target):
    from app.domain.vocabulary import AppealStatus

    h = jwt("official")
    with app.app_context():
        protocol = db.session.execute(
            select(Protocol).join(ReceptionSession, ReceptionSession.id == Protocol.session_id)
            .where(ReceptionSession.official_id == target["official"]).order_by(Protocol.id).limit(1)).scalar_one()
        received_here = db.session.execute(select(Appeal.id).where(
            Appeal.session_id == protocol.session_id, Appeal.status == AppealStatus.received)).scalars().first()
        elsewhere = db.session.execute(select(Appeal.id).where(
            Appeal.official_id == target["official"], Appeal.session_id.is_distinct_from(protocol.session_id))
        ).scalars().first()
        foreign = db.session.execute(select(Appeal.id).where(Appeal.official_id != target["official"])).scalars().first()
        before = db.session.execute(select(func.count()).select_from(Instruction)).scalar_one()
        pid = protocol.id
        from app.models import Department

        dept = db.session.execute(select(Department.id).order_by(Department.id)).scalars().first()
    body = {"protocol": pid, "text": "Дать ответ", "due_on": "2026-12-20", "assignee_department": dept}
    r = client.post("/api/v1/instruction/", json={**body, "appeal": foreign}, headers=h)
    assert r.status_code == 422  # not visible: as if it did not exist
    r = client.post("/api/v1/instruction/", json={**body, "appeal": elsewhere}, headers=h)
    assert r.status_code == 422 and r.get_json().get("rule") == "R23", r.get_json()
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Instruction)).scalar_one() == before
    if received_here is not None:
        r = client.post("/api/v1/instruction/", json={**body, "appeal": received_here}, headers=h)
        assert r.status_code == 201, r.get_data(as_text=True)
        assert client.get(f"/api/v1/instruction/{r.get_json()['id']}", headers=h).status_code == 200


def _assigned_and_unassigned(app):
    from app.domain.vocabulary import AppealStatus

    with app.app_context():
        user = _user(app, "responsible")
        place = db.session.get(UserPlace, user.id).place_id
        base = select(Appeal.id).where(Appeal.reception_place_id == place, Appeal.status == AppealStatus.registered)
        mine = db.session.execute(base.where(Appeal.assignee_id == user.id).order_by(Appeal.id)).scalars().first()
        other = db.session.execute(base.where(Appeal.assignee_id.is_(None)).order_by(Appeal.id)).scalars().first()
        return mine, other


def test_responsible_acts_only_on_appeals_assigned_to_them(client, jwt, app):
    mine, other = _assigned_and_unassigned(app)
    assert mine and other, "the demo assigns some appeals to the responsible worker"
    h = jwt("responsible")
    assert client.get(f"/api/v1/appeal/{other}", headers=h).status_code == 200  # reads the place
    r = client.post(f"/api/v1/appeal/{other}/extend", json={"kind": "complex", "until": "2099-01-01"}, headers=h)
    assert r.status_code == 403
    assert client.put(f"/api/v1/appeal/{other}", json={"substance": "чужое"}, headers=h).status_code == 403
    login(client, "responsible")
    assert client.get(f"/appeal-workflow/{other}/extend").status_code == 403
    assert client.get(f"/appeal-workflow/{mine}/extend").status_code == 200
    r = client.post(f"/api/v1/appeal/{mine}/request-correction", json={"reason": "Нет адреса"}, headers=h)
    assert r.status_code in (200, 422), r.get_data(as_text=True)
    assert r.status_code == 200 or r.get_json()["rule"]


def test_assign_offers_and_accepts_only_employees_who_can_see_and_act_on_the_appeal(client, jwt, app, target):
    h = jwt("manager")
    appeal = target["appeal"]
    with app.app_context():
        ids = {u: _user(app, u).id for u in ("head", "official", "clerk2", "clerk", "responsible", "auditor")}
    for who in ("head", "official", "clerk2", "auditor"):
        r = client.post(f"/api/v1/appeal/{appeal}/assign", json={"assignee": ids[who]}, headers=h)
        assert r.status_code == 422, (who, r.status_code)
    for ghost in (987654321, 2**31 - 1, 2**63):
        r = client.post(f"/api/v1/appeal/{appeal}/assign", json={"assignee": ghost}, headers=h)
        assert r.status_code in (400, 422), (ghost, r.status_code)
    assert client.post(f"/api/v1/appeal/{appeal}/assign", json={"assignee": ids["responsible"]},
                       headers=jwt("responsible")).status_code == 403
    login(client, "manager")
    page = client.get(f"/appeal-workflow/{appeal}/assign").get_data(as_text=True)
    options = set(re.findall(r'<option[^>]*value="(\d+)"', page))
    assert str(ids["clerk"]) in options and str(ids["responsible"]) in options
    assert not options & {str(ids[w]) for w in ("head", "official", "clerk2", "auditor")}


def test_clerk_books_only_into_sessions_of_their_place_and_calls_only_about_their_appeals(client, jwt, app, target):
    from app.domain.vocabulary import AppealStatus
    from app.services.clock import today

    h = jwt("clerk")
    with app.app_context():
        foreign_session = db.session.execute(select(ReceptionSession.id).where(
            ReceptionSession.place_id != target["place"], ReceptionSession.day >= today())).scalars().first()
        appeal = db.session.execute(select(Appeal).where(
            Appeal.reception_place_id == target["place"], Appeal.status == AppealStatus.registered)).scalars().first()
        foreign_appeal = db.session.execute(select(Appeal).where(
            Appeal.reception_place_id != target["place"])).scalars().first()
        foreign_pair = (foreign_appeal.id, foreign_appeal.applicant_id)
        calls = db.session.execute(select(func.count()).select_from(SurveyCall)).scalar_one()
        appeal_id = appeal.id
    r = client.post(f"/api/v1/appeal/{appeal_id}/schedule", json={"session": foreign_session}, headers=h)
    ghost = client.post(f"/api/v1/appeal/{appeal_id}/schedule", json={"session": 2**31 - 2}, headers=h)
    assert r.status_code == ghost.status_code == 422 and r.get_json() == ghost.get_json()
    r = client.post("/api/v1/survey_call/", json={"appeal": foreign_pair[0], "applicant": foreign_pair[1],
                                                  "called_at": "2026-11-20T10:00:00", "outcome": "reached"},
                    headers=h)
    assert r.status_code == 422
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(SurveyCall)).scalar_one() == calls


def test_R2_an_edit_may_not_name_an_inactive_official(client, jwt, app, target):
    with app.app_context():
        active = db.session.execute(select(Official).where(Official.active.is_(True)).limit(1)).scalar_one()
        inactive = Official(full_name="Бывший Сотрудник Тестович", position_kk="Бұрынғы", position_ru="Бывший",
                            level=active.level, department_id=active.department_id, active=False)
        db.session.add(inactive)
        db.session.commit()
        inactive_id = inactive.id
    h = jwt("manager")
    own = client.post("/api/v1/appeal/", json=_body(app, substance="Неактивный 5531"), headers=h)
    r = client.put(f"/api/v1/appeal/{own.get_json()['id']}", json={"official": inactive_id}, headers=h)
    assert r.status_code == 422 and r.get_json()["rule"] == "R2"


# --- the Auditor: one entry in the roles module ---------------------------------------
def test_auditor_reads_every_register_and_the_audit_log_and_writes_nothing(client, jwt, app, target):
    from app.security.roles import REGISTERS

    spec = ROLES["Auditor"]
    assert spec.read_only and not spec.personal_fields
    assert set(spec.grants) >= set(REGISTERS) | {"AuditLog"}
    login(client, "auditor")
    assert client.get("/auditlogview/list/").status_code == 200
    assert client.get("/appealview/list/").status_code == 200
    assert client.get("/appealview/add").status_code in (302, 403)
    h = jwt("auditor")
    assert client.post("/api/v1/appeal/", json=_body(app), headers=h).status_code == 403
    assert client.post(f"/api/v1/appeal/{target['appeal']}/withdraw", json={"reason": "x"}, headers=h).status_code == 403
    assert client.put(f"/api/v1/applicant/{target['applicant']}", json={"full_name": "x"}, headers=h).status_code == 403


def test_no_module_outside_the_roles_module_names_a_role():
    """Code asks for traits; role names live in roles.py (and FAB's own
    public role, named by FAB's config)."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "app"
    pattern = re.compile(r"""["'](%s)["']""" % "|".join(ROLES))
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "roles.py" or "demo" in path.parts or path.as_posix().endswith("models/__init__.py"):
            continue  # the roles module; demo users; the models' export list (the Official model)
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#")[0]
            for _m in pattern.finditer(code):
                if "_l(" in code or "_(" in code or "gettext(" in code or "class_permission_name" in code \
                        or "permission_view" in code or "Lookup(" in code:
                    continue  # a label or a register's permission name, not a role
                offenders.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert offenders == []


def test_audit_rows_in_clear_for_the_manager_only(client, app, target):
    """The audit log keeps the values; the presenter masks them per role."""
    with app.app_context():
        row = db.session.execute(select(AuditLog).where(AuditLog.table_name == "applicant",
                                                        AuditLog.record_id == target["applicant"])
                                 .order_by(AuditLog.id.desc()).limit(1)).scalar_one()
        assert "phone" in row.changes
    login(client, "manager")
    assert "+7 701 555 12 34" in client.get(f"/auditlogview/show/{row.id}").get_data(as_text=True)
    for who in ("admin", "auditor"):
        login(client, who)
        body = client.get(f"/auditlogview/show/{row.id}").get_data(as_text=True)
        assert "+7 701 555 12 34" not in body and "+7 7** *** ** 34" in body, who


def test_exported_csv_is_masked_for_the_head(client, app, target):
    login(client, "head")
    text = _export(client, app, "Applicant")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) > 1
    assert not _leaks(text, target["values"])


@pytest.mark.parametrize("url", ["/appealview/show/9223372036854775808", "/applicantview/show/9223372036854775808",
                                 "/appeal-workflow/9223372036854775808/letter/answer",
                                 "/appealview/list/?_flt_0_district=9223372036854775808"])
def test_an_id_beyond_any_record_is_not_found_not_an_error(client, url):
    login(client, "manager")
    assert client.get(url).status_code in (200, 404)


def test_R38_a_call_about_an_appeal_is_a_call_to_its_applicant(client, jwt, app, target):
    with app.app_context():
        other = db.session.execute(select(Applicant.id).where(Applicant.id != target["applicant"])
                                   .order_by(Applicant.id).limit(1)).scalar_one()
        calls = db.session.execute(select(func.count()).select_from(SurveyCall)).scalar_one()
    body = {"appeal": target["appeal"], "called_at": "2026-11-20T10:00:00", "outcome": "reached"}
    r = client.post("/api/v1/survey_call/", json={**body, "applicant": other}, headers=jwt("manager"))
    assert r.status_code == 422 and r.get_json().get("rule") == "R38", r.get_json()
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(SurveyCall)).scalar_one() == calls
    r = client.post("/api/v1/survey_call/", json={**body, "applicant": target["applicant"]}, headers=jwt("manager"))
    assert r.status_code == 201, r.get_data(as_text=True)


def test_R23_no_instruction_on_a_closed_appeal_even_of_the_same_session(client, jwt, app):
    from app.domain.vocabulary import AppealStatus
    from app.models import Department

    with app.app_context():
        row = db.session.execute(
            select(Protocol.id, Appeal.id).join(Appeal, Appeal.session_id == Protocol.session_id)
            .where(Appeal.status == AppealStatus.closed).order_by(Appeal.id).limit(1)).one()
        dept = db.session.execute(select(Department.id).order_by(Department.id)).scalars().first()
    r = client.post("/api/v1/instruction/", json={"protocol": row[0], "appeal": row[1], "text": "Ещё", "due_on": "2026-12-20",
                                                  "assignee_department": dept}, headers=jwt("manager"))
    assert r.status_code == 422 and r.get_json().get("rule") == "R23", r.get_json()


def test_official_sees_the_appeals_booked_into_their_sessions(client, jwt, app, target):
    """An appeal addressed to another official but booked into one of the
    official's own sessions is theirs to receive and instruct on."""
    with app.app_context():
        own = db.session.execute(select(ReceptionSession.id).where(
            ReceptionSession.official_id == target["official"]).order_by(ReceptionSession.id).limit(1)).scalar_one()
        appeal_id, previous = db.session.execute(select(Appeal.id, Appeal.session_id).where(
            Appeal.official_id != target["official"]).order_by(Appeal.id).limit(1)).one()
    h = jwt("official")  # requests outside the app context above: each gets its own, as in production
    assert client.get(f"/api/v1/appeal/{appeal_id}", headers=h).status_code == 404

    def book(session_id):
        with app.app_context():
            db.session.get(Appeal, appeal_id).session_id = session_id
            db.session.commit()

    book(own)
    try:
        assert client.get(f"/api/v1/appeal/{appeal_id}", headers=h).status_code == 200
    finally:
        book(previous)
