"""Every role against every register, through the UI and the REST API:
expected allow or deny generated from ``app/security/roles.py``."""
import pytest

from app.security.roles import ROLES
from tests.conftest import login

USERS = {"Admin": "admin", "Manager": "manager", "Clerk": "clerk", "Responsible": "responsible",
         "Head": "head", "Official": "official", "Auditor": "auditor"}
# register → (UI view endpoint prefix, REST resource)
SURFACES = {
    "District": ("districtview", "district"),
    "Department": ("departmentview", "department"),
    "Official": ("officialview", "official"),
    "ReceptionPlace": ("receptionplaceview", "reception_place"),
    "Category": ("categoryview", "category"),
    "CalendarDay": ("calendardayview", "calendar_day"),
    "Applicant": ("applicantview", "applicant"),
    "Appeal": ("appealview", "appeal"),
    "AppealEvent": ("appealeventview", None),
    "ReceptionSession": ("receptionsessionview", "reception_session"),
    "Protocol": ("protocolview", "protocol"),
    "Instruction": ("instructionview", "instruction"),
    "SurveyCall": ("surveycallview", "survey_call"),
    "Consultation": ("consultationview", "consultation"),
    "HigherInstruction": ("higherinstructionview", "higher_instruction"),
    # files and notes are added on their owner's page (tests/views/test_attachments.py); their REST is read-only
    "Attachment": ("attachmentview", None),
    "AppealNote": ("appealnoteview", None),
    "AuditLog": ("auditlogview", None),
}
CASES = [(role, register) for role in USERS for register in SURFACES]


def test_every_register_of_the_roles_module_is_in_the_matrix():
    from app.security.roles import REGISTERS

    assert set(REGISTERS) <= set(SURFACES)


def granted(role, register, perm):
    return perm in ROLES[role].grants.get(register, ())


@pytest.mark.parametrize("role,register", CASES)
def test_ui_matrix(client, role, register):
    view, _ = SURFACES[register]
    login(client, USERS[role])
    r = client.get(f"/{view}/list/")
    assert (r.status_code == 200) == granted(role, register, "read"), (role, register, r.status_code)
    if register in ("AppealEvent", "AuditLog", "Attachment", "AppealNote"):
        return  # read-only registers (files and notes are added on their owner's page): no add page at all
    r = client.get(f"/{view}/add")
    assert (r.status_code == 200) == granted(role, register, "write"), (role, register, "add", r.status_code)


@pytest.mark.parametrize("role,register", [c for c in CASES if SURFACES[c[1]][1]])
def test_rest_matrix(client, jwt, role, register):
    _, resource = SURFACES[register]
    h = jwt(USERS[role])
    r = client.get(f"/api/v1/{resource}/", headers=h)
    assert (r.status_code == 200) == granted(role, register, "read"), (role, register, r.status_code)
    r = client.post(f"/api/v1/{resource}/", json={}, headers=h)
    if granted(role, register, "write"):
        assert r.status_code in (400, 422), (role, register, "post", r.status_code)
    else:
        assert r.status_code == 403, (role, register, "post", r.status_code)
    r = client.delete(f"/api/v1/{resource}/987654321", headers=h)
    assert r.status_code == (404 if granted(role, register, "delete") else 403), (role, register, "delete", r.status_code)


@pytest.mark.parametrize("role", list(USERS))
def test_workflow_action_matrix(client, jwt, role):
    r = client.post("/api/v1/appeal/987654321/withdraw", json={"reason": "x"}, headers=jwt(USERS[role]))
    assert r.status_code == (404 if granted(role, "Appeal", "write") else 403), (role, r.status_code)


@pytest.mark.parametrize("role", list(USERS))
def test_analytics_matrix(client, role):
    login(client, USERS[role])
    r = client.get("/analytics/districts")
    assert (r.status_code == 200) == granted(role, "Analytics", "read"), (role, r.status_code)


@pytest.mark.parametrize("role", list(USERS))
def test_every_menu_item_a_role_is_shown_opens_for_it(client, role):
    """Menus show only what the role may open: no menu item leads to a 403."""
    import re

    login(client, USERS[role])
    home = client.get("/").get_data(as_text=True)
    nav = home[home.find('class="navbar'):home.find("</nav>")]
    links = sorted({link for link in re.findall(r'href="(/[^"#]*)"', nav)
                    if not link.startswith(("/logout", "/lang/", "/static"))})
    assert links, role
    refused = [(link, code) for link in links if (code := client.get(link).status_code) != 200]
    assert refused == [], (role, refused)
