"""Typed errors a service raises; views flash them, the API answers 422."""
from __future__ import annotations


class RuleViolation(Exception):
    """A rule of the regulation blocks the request.

    ``message`` is a translated (lazy) string; ``rule`` the rule ID.
    """

    def __init__(self, rule: str, message) -> None:
        super().__init__(str(message))
        self.rule = rule
        self.message = message


class Conflict(Exception):
    """Someone else changed the record since it was read (HTTP 409)."""
