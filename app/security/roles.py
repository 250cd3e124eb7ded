"""The roles of shared CONTRACT.md — the one place that names them.

A role is a set of **grants** (register → permissions, synced to FAB by
``flask --app run roles sync``) and **traits** (what it sees and where it may
act). Code outside this module never asks for a role's name: it asks
``sees_personal(user, field)``, ``read_scope(user)``, ``can(user, "assign")``
and the like. Adding a role is one entry in ``ROLES``.

Every register shares one stable permission name between its UI view and
its REST API: ``can_read``, ``can_write``, ``can_delete`` on the view-menu
named after the model (``Appeal``, ``District`` ...); menu access follows
from ``can_read``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

READ = ("read",)
WRITE = ("read", "write")
FULL = ("read", "write", "delete")

REGISTERS = (
    "District", "Department", "Official", "ReceptionPlace", "Category", "CalendarDay",
    "Applicant", "Appeal", "AppealEvent", "ReceptionSession", "Protocol", "Instruction",
    "SurveyCall", "Consultation", "HigherInstruction",
    "Attachment", "AppealNote",  # files of appeals, applicants, protocols; internal notes on an appeal
)
# Pages that are not registers (read only; a Manager acknowledges a systemic alert).
PAGES = ("Analytics", "AuditLog", "SystemicAlert", "Compliance")
PAGES = PAGES + ("TopicModel",)  # the topic suggestion's model: a Manager retrains it (17.3)
REFERENCE = ("District", "Department", "Official", "ReceptionPlace", "Category", "CalendarDay")

PERSONAL_FIELDS = frozenset({"iin", "bin", "phone", "email", "address"})
"""The applicant's personal data (ИИН/БИН, phone, e-mail, postal address)."""

# Row scopes (``app.security.scope`` turns each into a WHERE clause).
ALL = "all"            # every row
PLACE = "place"        # the rows of the user's reception place (``users set-place``)
OFFICIAL = "official"  # the user's own official record: own sessions, protocols, appeals
ASSIGNED = "assigned"  # appeals assigned to the user (a write scope)

# Capabilities a role may have beyond its grants.
CAPABILITIES = frozenset({
    "administer_security",    # FAB's Security menu: users and roles
    "override_official",      # book an appeal with another official than the one asked for
    "approve_roster_gaps",    # approve a month with R7 / R7-1 gaps, with a reason
    "run_monitor",            # launch the deadline monitor by hand
    "assign",                 # assign an appeal to an employee (R37)
    "assignee",               # may be assigned appeals
    "control_instructions",   # accept an executor's answer, send it back, move a deadline (R34-R35, R23)
    "record_decisions",       # record a decision taken on an official's behalf: a refusal (R27), a motivated extension (R30b)
    "control_higher_instructions",  # reminded of the terms of the instructions of higher bodies (M9)
    "control_terms",          # reminded of every appeal whose R29 term has passed, in their scope
    "open_attachments",       # open (download) an attached file: a scan carries every personal field in clear
    "systemic_alerts",        # told of each systemic-problem alert (M7.1): bell, e-mail
})


@dataclass(frozen=True)
class Role:
    """Grants and traits of one role."""

    grants: dict[str, tuple[str, ...]]
    personal_fields: frozenset[str] = frozenset()
    """Personal fields shown in clear (inside the role's scope); every other
    surface masks them and offers no filter, sort or search on them."""
    read_scope: str = ALL
    write_scope: str | None = None
    """Where writes are allowed, when narrower than ``read_scope``."""
    read_only: bool = False
    capabilities: frozenset[str] = frozenset()
    about: str = ""

    def __post_init__(self):
        assert self.personal_fields <= PERSONAL_FIELDS, self.personal_fields
        assert self.capabilities <= CAPABILITIES, self.capabilities - CAPABILITIES
        if self.read_only:
            assert all(p == READ for p in self.grants.values()), "a read-only role has write grants"
        if "open_attachments" in self.capabilities:
            assert self.personal_fields == PERSONAL_FIELDS, "a role that opens files sees all personal data"


ROLES: dict[str, Role] = {
    "Admin": Role(
        grants={**dict.fromkeys(REGISTERS, READ), "CalendarDay": FULL, "Analytics": READ, "AuditLog": READ,
                "TopicModel": READ},
        capabilities=frozenset({"administer_security"}),
        about="Users, roles, settings and the calendar; reads everything else, never personal data.",
    ),
    "Manager": Role(
        grants={
            **dict.fromkeys(REGISTERS, FULL),
            "Appeal": WRITE,  # an appeal is never deleted: its history is append-only
            "Instruction": WRITE,  # nor an instruction: it leaves control only by an accepted answer (R34-R35)
            "Consultation": WRITE,  # nor a consultation: R38's sample is drawn from them
            "HigherInstruction": WRITE,  # nor an instruction of a higher body (M9)
            "Attachment": WRITE,  # nor a file: it is withdrawn, with a reason, and stays in the history
            "AppealNote": WRITE,  # notes are append-only
            "AppealEvent": READ,
            "CalendarDay": READ,
            "Analytics": READ,
            "AuditLog": READ,
            "SystemicAlert": WRITE,  # acknowledges an alert with a note (M7.1)
            "TopicModel": WRITE,  # sees the topic suggestion's accuracy, retrains it (17.3)
            "Compliance": READ,  # the compliance board
        },
        personal_fields=PERSONAL_FIELDS,
        capabilities=frozenset({"override_official", "approve_roster_gaps", "run_monitor", "assign",
                                "record_decisions", "control_instructions", "control_higher_instructions",
                                "control_terms",
                                "open_attachments", "systemic_alerts"}),
        about="The control department: all data, no user administration.",
    ),
    "Clerk": Role(
        grants={
            **dict.fromkeys(REFERENCE, READ),
            "Applicant": WRITE,
            "Appeal": WRITE,
            "AppealEvent": READ,
            "ReceptionSession": READ,
            "Protocol": READ,
            "Instruction": WRITE,  # the public-reception staff keep instructions under control (R34)
            "SurveyCall": WRITE,  # reception staff make the satisfaction calls (R38)
            "Consultation": WRITE,  # and give the consultations (M5.8)
            "Attachment": WRITE,  # scan the paper appeal, the signed letters, the authority documents (R10)
            "AppealNote": WRITE,
        },
        personal_fields=PERSONAL_FIELDS,
        read_scope=PLACE,
        capabilities=frozenset({"assign", "assignee", "control_instructions", "open_attachments"}),
        about="Registers appeals and runs the workflow at their own reception place; no deletes.",
    ),
    "Responsible": Role(
        grants={
            **dict.fromkeys(REFERENCE, READ),
            "Applicant": READ,
            "Appeal": WRITE,
            "AppealEvent": READ,
            "ReceptionSession": READ,
            "Protocol": READ,
            "Instruction": READ,
            "Attachment": WRITE,  # on the appeals assigned to them
            "AppealNote": WRITE,
        },
        personal_fields=PERSONAL_FIELDS,
        read_scope=PLACE,
        write_scope=ASSIGNED,
        capabilities=frozenset({"assignee", "record_decisions", "open_attachments"}),
        about="Reads their place; reviews, proposes refusals, extends and schedules the appeals assigned to them.",
    ),
    "Head": Role(
        grants={**dict.fromkeys(REGISTERS, READ), "Analytics": READ, "SystemicAlert": READ, "Compliance": READ},
        read_only=True,
        capabilities=frozenset({"systemic_alerts"}),
        about="Read-only lists, protocols and charts; no personal data beyond names.",
    ),
    "Official": Role(
        grants={
            "ReceptionSession": READ,
            "Protocol": WRITE,
            "Instruction": WRITE,
            "Appeal": READ,
            "Official": READ,
            "ReceptionPlace": READ,
            "Attachment": READ,  # which files their appeals and protocols have; opening one needs open_attachments
        },
        read_scope=OFFICIAL,
        about="Their own roster, sessions, the protocols of their sessions and the instructions on them.",
    ),
    "Auditor": Role(
        grants={**dict.fromkeys(REGISTERS, READ), "Analytics": READ, "AuditLog": READ, "SystemicAlert": READ},
        read_only=True,
        about="Reads every register and the audit log, never personal data; writes nothing.",
    ),
}

# FAB's own permissions every logged-in role needs (own profile, language,
# JWT login and refresh); a role that administers security gets every
# Security view.
COMMON = [
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_userinfo", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),
    ("can_get", "OpenApi"),  # the API's OpenAPI document
]
SECURITY_VIEWS = (
    "UserDBModelView", "RoleModelView", "PermissionModelView", "ViewMenuModelView",
    "PermissionViewModelView", "UserStatsChartView", "RegisterUserModelView",
    "List Users", "List Roles", "User's Statistics", "Base Permissions", "Views/Menus",
    "Permission on Views/Menus", "Security", "List Groups", "GroupModelView", "UserGroupModelView",
)


# --- traits of a user (the union over their roles) ------------------------------
@dataclass(frozen=True)
class Traits:
    personal_fields: frozenset[str] = frozenset()
    read_scopes: frozenset[str] = frozenset()
    write_scopes: frozenset[str] = frozenset()
    capabilities: frozenset[str] = frozenset()
    names: frozenset[str] = field(default=frozenset(), compare=False)


NO_TRAITS = Traits()


def traits_of_roles(names) -> Traits:
    """The traits of a user holding the roles ``names`` (unknown names add nothing).

    A user with several roles gets the union: each role's rows, each role's
    personal fields (inside that role's scope: ``scope.py``).
    """
    roles = [ROLES[n] for n in names if n in ROLES]
    return Traits(
        personal_fields=frozenset().union(*(r.personal_fields for r in roles)),
        read_scopes=frozenset(r.read_scope for r in roles),
        write_scopes=frozenset(r.write_scope or r.read_scope for r in roles),
        capabilities=frozenset().union(*(r.capabilities for r in roles)),
        names=frozenset(n for n in names if n in ROLES),
    )


def traits(user) -> Traits:
    """The traits of ``user`` (None: a visitor, no traits), cached on the user object."""
    if user is None or not getattr(user, "is_authenticated", True):
        return NO_TRAITS
    names = tuple(sorted(r.name for r in (getattr(user, "roles", None) or [])))
    cached = getattr(user, "_q_traits", None)
    if cached is not None and cached[0] == names:
        return cached[1]
    result = traits_of_roles(names)
    try:
        user._q_traits = (names, result)
    except AttributeError:  # a read-only stand-in
        pass
    return result


def can(user, capability: str) -> bool:
    assert capability in CAPABILITIES, capability
    return capability in traits(user).capabilities


def sees_personal(user, field_name: str) -> bool:
    """May ``user`` see this personal field (of a record inside their scope)?"""
    return field_name in traits(user).personal_fields


def roles_with(capability: str) -> tuple[str, ...]:
    """The role names having ``capability`` (to query users by role)."""
    return tuple(n for n, r in ROLES.items() if capability in r.capabilities)


SCOPE_TEXT = {
    ALL: "every row",
    PLACE: "their reception place",
    OFFICIAL: "their own official record",
    ASSIGNED: "appeals assigned to them",
}


def matrix_markdown() -> str:
    """docs/security.md: roles, their traits and the role × register matrix, generated from ROLES."""
    roles = list(ROLES)
    lines = [
        "# Roles and permissions",
        "",
        "Generated from `app/security/roles.py` by `flask --app run roles matrix`;",
        "a test fails when this file and the code disagree. Every role is one",
        "entry there: its grants and its traits. Code asks for traits (sees a",
        "personal field, scoped to a place, may assign), never for a role's name.",
        "",
        "## Traits",
        "",
        "| role | reads | writes | personal data in clear | read-only | capabilities | who |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, role in ROLES.items():
        writes = "—" if role.read_only else SCOPE_TEXT[role.write_scope or role.read_scope]
        personal = ", ".join(sorted(role.personal_fields)) or "none (masked)"
        caps = ", ".join(sorted(role.capabilities)) or "—"
        lines.append(f"| {name} | {SCOPE_TEXT[role.read_scope]} | {writes} | {personal} | "
                     f"{'yes' if role.read_only else 'no'} | {caps} | {role.about} |")
    lines += [
        "",
        "Row scopes (`app/security/scope.py`): *place* — the appeals registered at",
        "the user's reception place, their history, instructions, survey calls and",
        "participation requests, the applicants of those appeals or entered there,",
        "the sessions held there and their protocols; no place bound: nothing.",
        "*Official* — their own sessions, the protocols of those sessions and their",
        "instructions, the appeals addressed to them or booked into their sessions.",
        "*Assigned* — a write scope: workflow actions and edits only on the appeals",
        "assigned to the user (reading stays the place).",
        "",
        "Files and notes (`Attachment`, `AppealNote`) are seen where their owner",
        "is — the appeal, applicant or protocol — and added where the owner may be",
        "changed: `w` on `Attachment` (or `AppealNote`) and on the owner's register,",
        "inside the write scope. Neither is ever deleted: a file is withdrawn with",
        "a reason and stays listed; notes are append-only. Opening a file needs",
        "`open_attachments`: a scan carries every personal field in clear, so only",
        "a role that sees them all has it; the others see what was filed, when and",
        "by whom.",
        "",
        "The boundary: every related id a user sends (REST bodies, form fields,",
        "workflow parameters, import rows) is resolved by `scope.get_visible`, so an",
        "id outside the scope is answered exactly like one that does not exist.",
        "Every presentation of a personal field goes through",
        "`app/security/privacy.py::present`, and a field a role may not see is",
        "absent from its filters, sort orders, search forms, `_info` and lookups.",
        "",
        "## Grants",
        "",
        "`r` read (list, show, REST get/info), `w` write (add, edit, REST post/put,",
        "workflow actions), `d` delete. A role with `administer_security` also",
        "manages users and roles (FAB's Security menu).",
        "",
        "| register | " + " | ".join(roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for register in REGISTERS + PAGES:
        cells = []
        for role in roles:
            perms = ROLES[role].grants.get(register, ())
            cells.append("".join(p[0] for p in ("read", "write", "delete") if p in perms) or "—")
        lines.append(f"| {register} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
