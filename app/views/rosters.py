"""Rosters in the browser: the month grid with the R7 gaps and approval, the
bilingual printed roster (R8), cancelling and rebooking a session (R16),
instructions under control (R34-R35, M5.5)."""
from __future__ import annotations

from datetime import date

from flask import Response, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, DateField, DateTimeLocalField, SelectMultipleField, TextAreaField
from wtforms.validators import InputRequired, Optional

from app.domain.vocabulary import PlaceKind, SessionStatus
from app.extensions import db
from app.models import Instruction, ReceptionPlace, ReceptionSession
from app.security.roles import can
from app.security.scope import as_id, get_writable_or_abort, scoped
from app.services import receptions as R
from app.services.clock import now_local, today
from app.services.errors import RuleViolation
from app.services.roster_pdf import approval_of, approver, month_name, roster_pdf

from .feedback import flash_rule


def _month(arg: str | None) -> tuple[int, int]:
    now = today()
    try:
        year, month = (int(x) for x in (arg or "").split("-"))
        date(year, month, 1)
        return year, month
    except (ValueError, TypeError):
        nxt = date(now.year + (now.month == 12), now.month % 12 + 1, 1)  # plan next month by default
        return nxt.year, nxt.month


def _place(arg) -> ReceptionPlace:
    place = None
    pk = as_id(arg)
    place = db.session.get(ReceptionPlace, pk) if pk else None
    return place or db.session.execute(
        select(ReceptionPlace).where(ReceptionPlace.kind == PlaceKind.public_reception).order_by(ReceptionPlace.id)
    ).scalars().first()


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired()])
    told_at = DateTimeLocalField(_l("Reception staff told at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    illness = BooleanField(_l("Illness (told on the day)"))


class RebookForm(FlaskForm):
    targets = SelectMultipleField(_l("Move to the sessions"), coerce=int, validators=[InputRequired()])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("The executor's answer (R34)"), validators=[Optional()])


class ReworkForm(FlaskForm):
    reason = TextAreaField(_l("What is wrong with the answer"), validators=[Optional()])


class MoveDeadlineForm(FlaskForm):
    due_on = DateField(_l("New deadline"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[Optional()])


class RosterView(BaseView):
    route_base = "/roster"
    default_view = "month"
    class_permission_name = "ReceptionSession"
    method_permission_name = {"month": "read", "printable": "read", "pdf": "read", "approve": "write",
                              "cancel": "write", "rebook": "write"}

    @expose("/")
    @has_access
    def month(self):
        year, month = _month(request.args.get("month"))
        place = _place(request.args.get("place"))
        sessions = R.roster(place.id, year, month) if place else []
        approval = approval_of(place.id, year, month) if place else None
        return self.render_template(
            "qabyldau/roster.html", year=year, month=month, place=place, sessions=sessions,
            gaps=R.month_gaps(year, month), approval=approval,
            places=db.session.execute(select(ReceptionPlace).order_by(ReceptionPlace.id)).scalars().all(),
            can_write=self.appbuilder.sm.has_access("can_write", "ReceptionSession"),
            may_override_gaps=can(g.user, "approve_roster_gaps"),
        )

    @expose("/approve", methods=["POST"])
    @has_access
    def approve(self):
        year, month = _month(request.form.get("month"))
        place = _place(request.form.get("place"))
        try:
            R.approve_month(place.id, year, month, getattr(g.user, "id", None), can(g.user, "approve_roster_gaps"),
                            request.form.get("override_reason"))
        except RuleViolation as exc:
            flash_rule(exc)
        else:
            flash(gettext("The roster is approved."), "success")
        return redirect(url_for("RosterView.month", place=place.id, month=f"{year}-{month:02d}"))

    def _bilingual(self, place, year, month):
        sessions = [s for s in R.roster(place.id, year, month) if s.status != SessionStatus.cancelled]
        approval = approval_of(place.id, year, month)
        who = approver(approval) if approval else None
        texts = {"approved": approval is not None}
        if who:
            texts.update(approver_name=who.name, approver_position_kk=who.position_kk,
                         approver_position_ru=who.position_ru, approved_on=approval.approved_at.strftime("%d.%m.%Y"))
        for lang in ("kk", "ru"):
            with force_locale(lang):
                texts[f"approved_{lang}"] = gettext("Approved").upper()
                texts[f"draft_{lang}"] = gettext("Draft — not approved")
                texts[f"page_{lang}"] = gettext("Page %(page)s of %(pages)s", page="{page}", pages="{nb}")
                texts[f"title_{lang}"] = gettext("Schedule of personal reception of citizens — %(month)s %(year)s",
                                                 month=month_name(month, lang), year=year)
                texts[f"place_{lang}"] = place.localized_name(lang) + ", " + place.address
                texts[f"cols_{lang}"] = [gettext("Date"), gettext("Time"), gettext("Full name"), gettext("Position")]
                texts[f"footer_{lang}"] = gettext("Registration for the reception: at the public reception, by phone or on the e-Gov portal.")
        texts["columns"] = [f"{k} / {r}" if k != r else k for k, r in zip(texts["cols_kk"][:3], texts["cols_ru"][:3])]
        texts["columns"] += [texts["cols_kk"][3], texts["cols_ru"][3]]
        texts["footer"] = texts["footer_kk"] + "\n" + texts["footer_ru"]
        rows = [{"day": s.day.strftime("%d.%m.%Y"), "time": f"{s.starts_at:%H:%M}–{s.ends_at:%H:%M}",
                 "name": s.official.full_name, "position_kk": s.official.position_kk,
                 "position_ru": s.official.position_ru} for s in sessions]
        return texts, rows

    @expose("/print")
    @has_access
    def printable(self):
        year, month = _month(request.args.get("month"))
        place = _place(request.args.get("place"))
        texts, rows = self._bilingual(place, year, month)
        return self.render_template("qabyldau/roster_print.html", texts=texts, rows=rows, place=place,
                                    year=year, month=month)

    @expose("/pdf")
    @has_access
    def pdf(self):
        year, month = _month(request.args.get("month"))
        place = _place(request.args.get("place"))
        texts, rows = self._bilingual(place, year, month)
        response = Response(roster_pdf(texts, rows), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'attachment; filename="roster-{place.id}-{year}-{month:02d}.pdf"'
        return response

    @expose("/session/<int:pk>/cancel", methods=["GET", "POST"])
    @has_access
    def cancel(self, pk: int):
        session = get_writable_or_abort(ReceptionSession, pk)
        form = CancelForm()
        if request.method == "GET":
            form.told_at.data = now_local().replace(second=0, microsecond=0)
        elif form.validate_on_submit():
            try:
                R.cancel_session(pk, form.reason.data, form.told_at.data, form.illness.data, getattr(g.user, "id", None))
            except RuleViolation as exc:
                flash_rule(exc)
            else:
                refreshed = db.session.get(ReceptionSession, pk)
                if refreshed.notice_late:
                    flash(gettext("The official told the staff later than 2 working days before the reception (R16)."), "warning")
                flash(gettext("The session is cancelled: rebook its applicants."), "success")
                return redirect(url_for("RosterView.rebook", pk=pk))
        return self.render_template("qabyldau/session_form.html", session=session, form=form,
                                    title=gettext("Cancel the reception (R16)"), queue=R.session_queue(pk))

    @expose("/session/<int:pk>/rebook", methods=["GET", "POST"])
    @has_access
    def rebook(self, pk: int):
        session = get_writable_or_abort(ReceptionSession, pk)
        form = RebookForm()
        options = db.session.execute(
            scoped(select(ReceptionSession), ReceptionSession).where(ReceptionSession.day >= today(), ReceptionSession.id != pk,
                                           ReceptionSession.status != SessionStatus.cancelled,
                                           ReceptionSession.official_id == session.official_id)
            .order_by(ReceptionSession.day, ReceptionSession.starts_at).limit(50)
        ).scalars().all()
        form.targets.choices = [(s.id, str(s) + " — " + s.place.name) for s in options]
        if form.validate_on_submit():
            try:
                plan, left = R.rebook(pk, form.targets.data, getattr(g.user, "id", None))
            except RuleViolation as exc:
                flash_rule(exc)
            else:
                flash(gettext("%(moved)s applicant(s) rebooked; %(left)s still without a place.",
                              moved=len(plan), left=len(left)), "success" if not left else "warning")
                return redirect(url_for("ReceptionSessionView.show", pk=pk))
        return self.render_template("qabyldau/session_form.html", session=session, form=form,
                                    title=gettext("Rebook the applicants (R16, R12)"), queue=R.session_queue(pk))


class InstructionControlView(BaseView):
    route_base = "/instruction-control"
    default_view = "answer"
    class_permission_name = "Instruction"
    method_permission_name = {"answer": "write", "accept": "write", "rework": "write", "move_deadline": "write"}

    def _uid(self):
        return getattr(g.user, "id", None)

    def _form_page(self, pk: int, form, title, help_text, do, done: str):
        ins = get_writable_or_abort(Instruction, pk)
        if form.validate_on_submit():
            try:
                do(form)
            except RuleViolation as exc:
                flash_rule(exc)
            else:
                flash(done, "success")
                return redirect(url_for("InstructionView.show", pk=pk))
        return self.render_template("qabyldau/instruction_answer.html", ins=ins, form=form, title=title,
                                    help=help_text)

    @expose("/<int:pk>/answer", methods=["GET", "POST"])
    @has_access
    def answer(self, pk: int):
        return self._form_page(
            pk, AnswerForm(), gettext("Answer the instruction (R34)"),
            gettext("The executor's answer stays under control until the public-reception staff accept it."),
            lambda f: R.answer_instruction(pk, f.answer.data, self._uid()),
            gettext("The answer is recorded; the instruction stays under control until it is accepted."))

    @expose("/<int:pk>/accept", methods=["POST"])
    @has_access
    def accept(self, pk: int):
        get_writable_or_abort(Instruction, pk)
        try:
            R.accept_instruction(pk, self._uid(), can(g.user, "control_instructions"))
        except RuleViolation as exc:
            flash_rule(exc)
        else:
            flash(gettext("The instruction is taken off control."), "success")
        return redirect(url_for("InstructionView.show", pk=pk))

    @expose("/<int:pk>/rework", methods=["GET", "POST"])
    @has_access
    def rework(self, pk: int):
        return self._form_page(
            pk, ReworkForm(), gettext("Send back for rework (M5.5)"),
            gettext("An answer of poor quality goes back to the executor; the rework is counted."),
            lambda f: R.send_back_for_rework(pk, f.reason.data or "", self._uid(), can(g.user, "control_instructions")),
            gettext("Sent back for rework (M5.5)."))

    @expose("/<int:pk>/move-deadline", methods=["GET", "POST"])
    @has_access
    def move_deadline(self, pk: int):
        return self._form_page(
            pk, MoveDeadlineForm(), gettext("Move the deadline (R23)"),
            gettext("A recorded change of the instruction's deadline, with its reason, in the appeal's history."),
            lambda f: R.move_instruction_deadline(pk, f.due_on.data, f.reason.data or "", self._uid(),
                                                  can(g.user, "control_instructions")),
            gettext("The deadline is moved."))
