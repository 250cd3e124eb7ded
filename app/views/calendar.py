"""The working-day calendar: the Admin's overrides, the year at a glance,
and changing a day — with the running appeals whose terms move shown
before anything is saved (DOMAIN.md §Calendar)."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.extensions import db
from app.fab.interface import QInterface
from app.models import CalendarDay
from app.security.scope import as_id
from app.services import calendar_changes
from app.services.calendar import year_overview
from app.services.clock import today

from .base import QModelView

PREVIEW_ROWS = 50


class CalendarDayView(QModelView):
    list_title = _l("Working-day calendar: overrides")
    show_title = _l("Calendar override")
    datamodel = QInterface(CalendarDay)
    class_permission_name = "CalendarDay"
    base_order = ("day", "desc")
    list_columns = ["day", "is_working", "note"]
    show_columns = ["day", "is_working", "note"]
    search_columns = ["day", "is_working", "note"]
    label_columns = {
        "day": _l("Date"),
        "is_working": _l("Working day"),
        "note": _l("Note (the act that moved the day)"),
    }
    list_template = "qabyldau/calendar_list.html"

    def render_template(self, template, **kwargs):
        """The list page also shows the year at a glance and answers
        "registered on D, when is the answer due (R29)?"."""
        if template == self.list_template:
            kwargs["term_check"] = term_check(request.args.get("term_from"))
            year = as_id(request.args.get("year")) or today().year
            year = year if 2000 <= year <= 2100 else today().year
            kwargs["year"], kwargs["year_rows"] = year, year_overview(year)
        return super().render_template(template, **kwargs)

    # Adding, changing and removing an override is one page, which shows the
    # appeals whose terms move before saving.
    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = CalendarChangeForm()
        if request.method == "GET":
            _prefill(form)
            return self._change_page(form)
        if not form.validate_on_submit():
            return self._change_page(form)
        day = form.day.data
        if not 2000 <= day.year <= 2100:
            form.day.errors = [gettext("Choose a date between 2000 and 2100.")]
            return self._change_page(form)
        working = {"working": True, "off": False, "national": None}[form.what.data]
        if working is None and not has_override(day):
            flash(gettext("There is no override on %(day)s: the national calendar already applies.",
                          day=day.strftime("%d.%m.%Y")), "warning")
            return self._change_page(form)
        if working is None and not self.appbuilder.sm.has_access("can_delete", "CalendarDay"):
            abort(403)
        change = calendar_changes.CalendarChange({day: working}, (form.note.data or "").strip())
        key = f"{day.isoformat()}|{form.what.data}"
        if request.form.get("step") != "save" or form.checked.data != key:
            form.checked.data = key
            return self._change_page(form, moves=calendar_changes.preview(change), previewed=True)
        moves = calendar_changes.save_override(change, getattr(g.user, "id", None))
        flash(ngettext("Calendar saved: the terms of %(num)s running appeal were recomputed.",
                       "Calendar saved: the terms of %(num)s running appeals were recomputed.", len(moves)),
              "success")
        return redirect(url_for("CalendarDayView.list", year=day.year))

    def _change_page(self, form, moves=None, previewed=False):
        return self.render_template(
            "qabyldau/calendar_change.html", form=form, moves=(moves or [])[:PREVIEW_ROWS],
            total=len(moves or []), previewed=previewed,
        )

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        return redirect(url_for("CalendarDayView.add", day=_override_day(pk)))

    @expose("/delete/<pk>", methods=["GET", "POST"])
    @has_access
    def delete(self, pk):
        return redirect(url_for("CalendarDayView.add", day=_override_day(pk), what="national"))


def term_check(raw: str | None) -> dict:
    """R29 answer term of an appeal registered on ``raw`` (ISO date; today
    when empty or malformed), with the explanation a clerk reads."""
    from app.domain.deadlines import answer_due
    from app.services.calendar import counting_rules, working_calendar
    from app.services.terms_text import explain

    try:
        start = date.fromisoformat(raw) if raw else today()
    except ValueError:
        start = today()
    term = answer_due(start, working_calendar(), counting_rules())
    return {"start": start, "due": term.due, "explanation": explain(term)}


WHAT = [("off", _l("Day off")), ("working", _l("Working day")),
        ("national", _l("As the national calendar has it (remove the override)"))]


class CalendarChangeForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired()])
    what = SelectField(_l("The day becomes"), choices=WHAT, validators=[InputRequired()])
    note = TextAreaField(_l("Note (the act that moved the day)"), validators=[Length(max=500)],
                         description=_l("Name the act: its number, date and what it moves."))
    checked = HiddenField()
    """The day and choice the preview was shown for: saving anything else shows a new preview."""


def _override_day(pk) -> str:
    """The ISO day of override #``pk`` (404 when there is none)."""
    row = db.session.get(CalendarDay, as_id(pk)) if as_id(pk) else None
    if row is None:
        abort(404)
    return row.day.isoformat()


def has_override(day: date) -> bool:
    return db.session.execute(select(CalendarDay.id).where(CalendarDay.day == day)).first() is not None


def _prefill(form) -> None:
    """``?day=`` (and ``?what=``): the form of that day, with its override if any."""
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return
    form.day.data = day
    existing = db.session.execute(select(CalendarDay).where(CalendarDay.day == day)).scalar_one_or_none()
    if existing is not None:
        form.what.data = "working" if existing.is_working else "off"
        form.note.data = existing.note
    if request.args.get("what") in {"off", "working", "national"}:
        form.what.data = request.args["what"]
