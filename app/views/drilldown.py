"""From a figure of the dashboard to the list it counts: the appeal list (or
the survey-call list) with FAB's ``_flt_<n>_<col>`` filters for the
dashboard's filters and the figure's own criteria. Every filter used applies
the clause the chart counted with (``app/services/selection.py``), and the
list has the same row scope, so the list shows the figure's number."""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app, url_for
from flask_appbuilder.models.sqla.filters import FilterEqual, FilterGreater

from app.fab.filters import (
    FilterAnsweredOnTime,
    FilterAtPlace,
    FilterExtendedAs,
    FilterInDistrict,
    FilterInSection,
    FilterOfDepartment,
    FilterOnOrAfter,
    FilterOnOrBefore,
    FilterRelationIdEqual,
    FilterTermMissed,
    FilterTermRunning,
)
from app.security.scope import current_user
from app.services import selection as S
from app.services.analytics import SATISFIED_FROM, Filters

from .appeals import AppealView, FilterOverdue
from .surveys import SurveyCallView

APPEAL_DIMENSIONS = {"district": ("district", FilterRelationIdEqual), "place": ("reception_place", FilterRelationIdEqual),
                     "section": ("category", FilterInSection), "department": ("official", FilterOfDepartment),
                     "category": ("category", FilterRelationIdEqual)}
CALL_DIMENSIONS = {"district": ("outcome", FilterInDistrict), "place": ("outcome", FilterAtPlace),
                   "section": ("outcome", FilterInSection), "department": ("outcome", FilterOfDepartment)}
TERMS = {"overdue": FilterOverdue, "on_time": FilterAnsweredOnTime, "late": FilterTermMissed,
         "running": FilterTermRunning}
ANSWERS = {"answered": 0, "satisfied": SATISFIED_FROM - 1}  # satisfaction > n (a score needs a reached call)
# criterion → (column, filter, value as the URL gives it)
APPEAL_VALUES = {"term": lambda v: ("due_on", TERMS[v], 1), "status": lambda v: ("status", FilterEqual, v),
                 "channel": lambda v: ("channel", FilterEqual, v), "ground": lambda v: ("refusal_ground", FilterEqual, v),
                 "extended": lambda v: ("status", FilterExtendedAs, v)}
CALL_VALUES = {"answer": lambda v: ("satisfaction", FilterGreater, ANSWERS[v])}


@dataclass(frozen=True)
class Target:
    """A list the dashboard's figures open: its view, the permission to read
    it, its date column and how each criterion filters it."""

    view: type
    permission: str
    day: str
    dimensions: dict
    values: dict


def _view(cls):
    return next((v for v in current_app.appbuilder.baseviews if isinstance(v, cls)), None)


class _Link:
    """The filters of one list URL, or no link when the list cannot say it."""

    def __init__(self, target: Target):
        self.view = _view(target.view)
        self.ok = self.view is not None and current_user() is not None and \
            current_app.appbuilder.sm.has_access("can_read", target.permission)
        self.args: list[tuple[str, str]] = []

    def add(self, column: str, cls, value) -> None:
        if not self.ok:
            return
        filters = self.view._filters._all_filters.get(column, [])
        index = next((i for i, flt in enumerate(filters) if type(flt) is cls), None)
        if index is None or index > 9:  # FAB reads one digit of ``_flt_<n>_``
            self.ok = False
            return
        self.args.append((f"_flt_{index}_{column}", str(value)))

    def url(self) -> str | None:
        if not self.ok:
            return None
        return url_for(f"{type(self.view).__name__}.list") + "?" + urlencode(self.args)


def _targets() -> dict[str, Target]:
    return {"appeals": Target(AppealView, "Appeal", "registered_on", APPEAL_DIMENSIONS, APPEAL_VALUES),
            "calls": Target(SurveyCallView, "SurveyCall", "called_at", CALL_DIMENSIONS, CALL_VALUES)}


def url(f: Filters, criteria: dict | None) -> str | None:
    """The list behind a figure counted under the dashboard's filters ``f``
    and the figure's ``criteria`` (see ``app.charts.catalog``); None: no link."""
    if criteria is None:
        return None
    target = _targets()[criteria.get("target", "appeals")]
    link = _Link(target)
    start, end = S.month_bounds(criteria["month"], f.start, f.end) if criteria.get("month") else (f.start, f.end)
    link.add(target.day, FilterOnOrAfter, start.isoformat())
    link.add(target.day, FilterOnOrBefore, end.isoformat())
    chosen = {**f.dimensions(), **{k: criteria[k] for k in target.dimensions if criteria.get(k)}}
    for name, value in chosen.items():
        link.add(*target.dimensions[name], value)
    for name, make in target.values.items():
        if criteria.get(name):
            link.add(*make(criteria[name]))
    return link.url()
