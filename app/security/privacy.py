"""The privacy presenter: every surface that shows a personal field — REST
schemas, list and show pages, exports, letters, work lists, the audit log
and audit panels, history payloads — asks ``present`` (or one of the
helpers built on it) and nothing else.

A role sees a personal field in clear when its traits list it
(``app.security.roles``); everyone else gets the masked form. A field a role
may not see is also one it may not filter, sort or search on
(``hidden_columns``), so that nothing can be inferred from a count or an
order.
"""
from __future__ import annotations

from app.security.roles import PERSONAL_FIELDS, sees_personal

# table → personal column → how it is masked
PERSONAL_COLUMNS: dict[str, dict[str, str]] = {
    "applicant": {"iin": "id", "bin": "id", "phone": "phone", "email": "email", "address": "address"},
}
assert all(set(cols) <= PERSONAL_FIELDS for cols in PERSONAL_COLUMNS.values())
MASK_KIND = {"iin": "id", "bin": "id", "phone": "phone", "email": "email", "address": "address"}


def _user(user):
    if user is not None:
        return user
    from app.security.scope import current_user

    return current_user()


def mask(value, kind: str = "id") -> str | None:
    """8503******12; +7 7** *** ** 45; a***@mail.kz; the address hidden."""
    if value in (None, ""):
        return value
    value = str(value)
    if kind == "id":
        return value[:4] + "*" * max(len(value) - 6, 0) + value[-2:]
    if kind == "phone":
        digits = [i for i, c in enumerate(value) if c.isdigit()]
        keep = set(digits[:2] + digits[-2:])
        return "".join(c if (not c.isdigit() or i in keep) else "*" for i, c in enumerate(value))
    if kind == "email":
        name, _, domain = value.partition("@")
        return (name[:1] + "***@" + domain) if domain else "***"
    return "***"


def table_of(model_or_table) -> str:
    return model_or_table if isinstance(model_or_table, str) else getattr(model_or_table, "__tablename__", "")


def personal_columns(model_or_table) -> dict[str, str]:
    return PERSONAL_COLUMNS.get(table_of(model_or_table), {})


def present(table, field: str, value, user=None):
    """``value`` of ``table.field`` as ``user`` (default: the logged-in user) may see it."""
    kind = personal_columns(table).get(field)
    if kind is None or value in (None, "") or sees_personal(_user(user), field):
        return value
    return mask(value, kind)


def personal(value, field: str, user=None):
    """An applicant's personal field (the Jinja filter ``|personal``)."""
    return present("applicant", field, value, user)


def hidden_columns(model_or_table, user=None) -> frozenset[str]:
    """The columns of the model that ``user`` may neither see, nor filter,
    sort or search on."""
    cols = personal_columns(model_or_table)
    if not cols:
        return frozenset()
    user = _user(user)
    return frozenset(c for c in cols if not sees_personal(user, c))


def present_changes(table: str, changes, user=None):
    """An audit row's ``{field: [old, new]}`` with personal fields presented."""
    if not isinstance(changes, dict):
        return changes
    hidden = hidden_columns(table, user)
    if not hidden:
        return changes
    kinds = personal_columns(table)
    out = {}
    for key, pair in changes.items():
        if key in hidden:
            values = pair if isinstance(pair, list) else [pair]
            masked = [mask(v, kinds[key]) if v not in (None, "") else v for v in values]
            out[key] = masked if isinstance(pair, list) else masked[0]
        else:
            out[key] = pair
    return out


APPEAL_REFERENCE = ("appeal_id", "appeal")
"""A payload's reference to another appeal (a link as the same question): its id and its number."""


def present_payload(payload, user=None):
    """A history event's payload: any personal key in it is presented as an
    applicant's field would be; a reference to another appeal the reader may
    not see (another place's, linked by the Manager) is masked, so the event
    names no appeal outside the reader's scope."""
    if not isinstance(payload, dict):
        return payload
    user = _user(user)
    if payload.get(APPEAL_REFERENCE[0]) is not None:
        from app.models import Appeal
        from app.security.scope import is_visible

        if not is_visible(Appeal, payload[APPEAL_REFERENCE[0]], user):
            payload = {k: ("***" if k in APPEAL_REFERENCE else v) for k, v in payload.items()}
    return {k: (mask(v, MASK_KIND[k]) if k in MASK_KIND and v not in (None, "") and not sees_personal(user, k)
                else present_payload(v, user) if isinstance(v, dict) else v)
            for k, v in payload.items()}
