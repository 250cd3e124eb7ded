"""The workflow in the browser: one page per action (its form is the
confirmation), bulk actions with a per-appeal report, printable letters."""
from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.workflow import Action
from app.extensions import db
from app.labels import label
from app.models import Appeal, AppealEvent
from app.security.roles import can
from app.security.scope import as_id, get_visible, get_writable_or_abort, is_visible, scoped, write_clause
from app.services import appeals as appeal_service
from app.services.appeal_overview import letter_day, overview
from app.services.errors import Conflict, RuleViolation
from app.services.receptions import assign as assign_appeal
from app.services.receptions import assignable_users

from .feedback import flash_rule
from .workflow_forms import ACTION_HELP, ACTION_LABELS, FORMS, AssignForm, form_params

LETTERS = ("correction", "extension", "draft-refusal", "refusal", "left-without-consideration", "answer")
BULK_ACTIONS = (Action.extend, Action.withdraw)


def session_choices(appeal: Appeal, any_official: bool) -> list[tuple[int, str]]:
    """The sessions the appeal may be booked into (nothing pre-selected):
    the booking's own guard decides which (``appeals.bookable_sessions``)."""
    out = [(0, "—")]
    for s, free in appeal_service.bookable_sessions(appeal, any_official, may_override_official=any_official):
        mark = "" if s.official_id == appeal.official_id else " ⚠"
        kind = f" — {label(s.kind)}" if getattr(s.kind, "value", s.kind) == "video" else ""
        out.append((s.id, gettext(
            "%(day)s %(time)s — %(official)s — %(place)s (free %(free)s of %(capacity)s)",
            day=s.day.strftime("%d.%m.%Y"), time=s.starts_at.strftime("%H:%M"), official=s.official.full_name,
            place=s.place.name, free=free, capacity=s.capacity,
        ) + kind + mark))
    return out


def decider_choices(act: Action) -> list[tuple[int, str]]:
    """Officials a decision may be recorded for: for a refusal only those
    on whose behalf the office decides (R27)."""
    from app.domain.workflow import DECIDERS
    from app.models import Official

    stmt = scoped(select(Official).where(Official.active.is_(True)), Official).order_by(Official.full_name)
    if act is Action.refuse:
        stmt = stmt.where(Official.level.in_(list(DECIDERS)))
    return [(0, "—")] + [(o.id, f"{o.full_name} — {o.position_name}") for o in db.session.execute(stmt).scalars()]


def correction_reason(ticked, text) -> str:
    """R6: the letter names each requisite ticked, then what else the clerk wrote."""
    from app.services.appeal_overview import REQUISITE_LABELS

    items = [str(REQUISITE_LABELS[c]) for c in (ticked or []) if c in REQUISITE_LABELS]
    parts = [gettext("The appeal does not state: %(items)s.", items=", ".join(items))] if items else []
    if (text or "").strip():
        parts.append(text.strip())
    return " ".join(parts)


class AppealWorkflowView(BaseView):
    """Routes under /appeal-workflow; rights are those of the Appeal register."""

    route_base = "/appeal-workflow"
    class_permission_name = "Appeal"
    method_permission_name = {"act": "write", "bulk": "write", "letter": "read", "assign": "write",
                              "link": "write", "unlink": "write"}
    default_view = "act"

    def _user_id(self):
        return getattr(getattr(g, "user", None), "id", None)

    @expose("/<int:pk>/<action>", methods=["GET", "POST"])
    @has_access
    def act(self, pk: int, action: str):
        try:
            act = Action(action)
        except ValueError:
            abort(404)
        appeal = get_writable_or_abort(Appeal, pk)
        form = FORMS[act]()
        is_manager = can(g.user, "override_official")
        if act is Action.schedule:
            form.session.choices = session_choices(appeal, any_official=is_manager)
        if hasattr(form, "decided_by"):
            form.decided_by.choices = decider_choices(act)
        if request.method == "GET":
            form.version.data = appeal.version
            if act is Action.request_correction:
                form.missing.data = overview(appeal)["missing_codes"]
            if act is Action.propose_refusal:
                prefill_repeat_refusal(form, appeal)
        elif form.validate_on_submit():
            if act is Action.request_correction:
                form.reason.data = correction_reason(form.missing.data, form.reason.data)
            params = form_params(form, act)
            try:
                version = int(form.version.data) if form.version.data else None
            except ValueError:
                version = None
            try:
                appeal_service.perform(pk, act.value, params, user_id=self._user_id(),
                                       expected_version=version, may_override_official=is_manager,
                                       may_record_decisions=can(g.user, "record_decisions"))
            except Conflict:
                flash(gettext("The appeal was changed by someone else: reload it and try again."), "danger")
            except RuleViolation as exc:
                flash_rule(exc)
            else:
                flash(gettext("Done: %(action)s.", action=str(ACTION_LABELS[act])), "success")
                return redirect(url_for("AppealView.show", pk=pk))
        return self.render_template(
            "qabyldau/appeal_action.html", appeal=appeal, form=form, action=act,
            title=ACTION_LABELS[act], help=ACTION_HELP[act],
        )

    @expose("/<int:pk>/assign", methods=["GET", "POST"])
    @has_access
    def assign(self, pk: int):
        appeal = get_writable_or_abort(Appeal, pk)
        if not can(g.user, "assign"):
            abort(403)
        form = AssignForm()
        # only employees who can see the appeal and may act on it
        form.assignee.choices = [(u.id, f"{u.first_name} {u.last_name} ({u.username})")
                                 for u in assignable_users(appeal)]
        if form.validate_on_submit():
            try:
                assign_appeal(pk, form.assignee.data, self._user_id())
            except RuleViolation as exc:
                flash_rule(exc)
            else:
                flash(gettext("The appeal is assigned."), "success")
                return redirect(url_for("AppealView.show", pk=pk))
        return self.render_template("qabyldau/appeal_action.html", appeal=appeal, form=form, action="assign",
                                    title=gettext("Assign to an employee"),
                                    help=gettext("R37: an appeal from a reception may not be assigned to an employee it was assigned to before."))

    @expose("/<int:pk>/link", methods=["POST"])
    @has_access
    def link(self, pk: int):
        """Link this appeal (one the user may change) to another they may see
        as the same question (R15; R37 then keeps the other's handlers off it)."""
        from app.services import similar

        appeal = get_writable_or_abort(Appeal, pk)
        try:
            other = similar.link(appeal.id, request.form.get("other"), g.user, request.form.get("note", ""))
        except LookupError:
            abort(404)
        except Conflict as exc:
            flash(str(exc.args[0]), "warning")
        else:
            number = db.session.get(Appeal, other.linked_id if other.appeal_id == appeal.id else other.appeal_id)
            flash(gettext("Linked with %(number)s as the same question.", number=number.reg_number), "success")
        return redirect(url_for("AppealView.show", pk=pk) + "#similar")

    @expose("/<int:pk>/unlink", methods=["POST"])
    @has_access
    def unlink(self, pk: int):
        from app.services import similar

        appeal = get_writable_or_abort(Appeal, pk)
        try:
            similar.unlink(appeal.id, request.form.get("other"), g.user)
        except LookupError:
            abort(404)
        flash(gettext("The link is removed; the history keeps it."), "success")
        return redirect(url_for("AppealView.show", pk=pk) + "#similar")

    @expose("/bulk/<action>", methods=["GET", "POST"])
    @has_access
    def bulk(self, action: str):
        try:
            act = Action(action)
        except ValueError:
            abort(404)
        if act not in BULK_ACTIONS:
            abort(404)
        raw = request.values.get("ids", "")
        ids = [pk for pk in (as_id(x) for x in raw.split(",")[:500]) if pk is not None]
        stmt = scoped(select(Appeal).where(Appeal.id.in_(ids)), Appeal)
        if (clause := write_clause(Appeal)) is not None:
            stmt = stmt.where(clause)  # only the appeals the user may act on
        appeals = db.session.execute(stmt.order_by(Appeal.id)).scalars().all()
        form = FORMS[act]()
        if hasattr(form, "decided_by"):
            form.decided_by.choices = decider_choices(act)
        results = None
        if request.method == "POST" and form.validate_on_submit():
            params = form_params(form, act)
            results = []
            for appeal_id, reg_number in [(a.id, a.reg_number) for a in appeals]:
                try:
                    appeal_service.perform(appeal_id, act.value, params, user_id=self._user_id(),
                                           may_record_decisions=can(g.user, "record_decisions"))
                    results.append((reg_number, True, gettext("Done"), ""))
                except RuleViolation as exc:
                    results.append((reg_number, False, str(exc.message), exc.rule))
                except (Conflict, LookupError):
                    results.append((reg_number, False, gettext("Changed by someone else meanwhile."), ""))
        return self.render_template(
            "qabyldau/appeal_bulk.html", appeals=appeals, form=form, action=act, ids=",".join(map(str, ids)),
            title=ACTION_LABELS[act], help=ACTION_HELP[act], results=results,
        )

    @expose("/<int:pk>/letter/<kind>")
    @has_access
    def letter(self, pk: int, kind: str):
        if kind not in LETTERS or as_id(pk) is None:
            abort(404)
        appeal = db.session.execute(
            select(Appeal).where(Appeal.id == pk).options(
                selectinload(Appeal.applicant), selectinload(Appeal.official), selectinload(Appeal.session)
            )
        ).scalar_one_or_none()
        if appeal is None or not is_visible(Appeal, pk):
            abort(404)
        events = db.session.execute(
            select(AppealEvent).where(AppealEvent.appeal_id == pk).order_by(AppealEvent.id)
        ).scalars().all()
        last = {e.action: e for e in events}
        if kind not in overview_letters(appeal, last):
            flash(gettext("This letter does not apply to the appeal in its present state."), "warning")
            return redirect(url_for("AppealView.show", pk=pk))
        lang = appeal.language.value if hasattr(appeal.language, "value") else appeal.language
        with force_locale(lang):
            return self.render_template(
                f"qabyldau/letters/{kind}.html", appeal=appeal, last=last, lang=lang,
                today=letter_day(kind, appeal, last),  # the day it was sent, not the day it is printed
            )


REPEAT_GROUNDS = ("administrative_decision_exists", "court_act_in_force", "withdrawn")
"""R15 grounds 2, 3 and 5: those an earlier appeal on the same question can rest on."""


def prefill_repeat_refusal(form, appeal: Appeal) -> None:
    """"Propose a refusal" from the repeats panel (``?ground=…&earlier=<id>``):
    the ground and the earlier appeal's reference are filled in, the
    motivation is the worker's to write. The earlier appeal is one the user
    may see, of the same applicant; anything else fills nothing."""
    from app.services.repeats import same_person

    ground = request.args.get("ground")
    if ground in REPEAT_GROUNDS:
        form.ground.data = ground
    earlier = get_visible(Appeal, request.args.get("earlier"))
    if earlier is None or earlier.id == appeal.id or not db.session.execute(
            select(Appeal.id).where(Appeal.id == earlier.id, same_person(appeal.applicant))).first():
        return
    day = earlier.registered_on.strftime("%d.%m.%Y")
    # the reference goes into the letter: in the applicant's language, not the worker's
    with force_locale(getattr(appeal.language, "value", appeal.language) or "ru"):
        if ground == "withdrawn":
            parts = [gettext("withdrawal of appeal %(number)s of %(day)s", number=earlier.reg_number, day=day)]
        else:
            parts = [gettext("appeal %(number)s of %(day)s", number=earlier.reg_number, day=day)]
    if earlier.refusal_reference:
        parts.append(earlier.refusal_reference)
    form.reference.data = "; ".join(parts)[:255]


def overview_letters(appeal: Appeal, last: dict) -> list[str]:
    from app.services.appeal_overview import letters

    return letters(appeal, set(last))
