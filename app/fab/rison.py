"""FAB validates the ``q`` (rison) argument of every REST call with
``jsonschema.validate``, which first checks the *schema itself* against the
meta-schema — a third of a simple GET's time. FAB's schemas are constants,
so here each is checked once and its validator kept; the instance is still
validated on every request, with the same errors FAB expects."""
from __future__ import annotations

import threading
import types

import jsonschema

_validators: dict[int, tuple[object, object]] = {}
_lock = threading.Lock()


def validate(instance, schema, *args, **kwargs):
    if args or kwargs:  # a call shape FAB does not use: the library's own
        return jsonschema.validate(instance, schema, *args, **kwargs)
    hit = _validators.get(id(schema))
    if hit is None or hit[0] is not schema:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        hit = (schema, cls(schema))  # the schema is kept, so its id is not reused
        with _lock:
            _validators[id(schema)] = hit
    error = jsonschema.exceptions.best_match(hit[1].iter_errors(instance))
    if error is not None:
        raise error


def install() -> None:
    """Point FAB's REST module at this ``validate`` (once per process)."""
    import flask_appbuilder.api as fab_api

    if getattr(fab_api.jsonschema, "__name__", "") == __name__:
        return
    shim = types.SimpleNamespace(validate=validate, ValidationError=jsonschema.ValidationError)
    shim.__name__ = __name__
    fab_api.jsonschema = shim
