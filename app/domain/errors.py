"""The one error the rules raise: which rule, a message code and its values.

The app layer turns ``code`` into a translated sentence
(``app/workflow_text.py``); the domain stays free of Flask-Babel.
"""
from __future__ import annotations


class WorkflowError(Exception):
    def __init__(self, rule: str, code: str, **params) -> None:
        super().__init__(f"{rule}: {code} {params}")
        self.rule = rule
        self.code = code
        self.params = params
