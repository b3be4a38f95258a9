"""Flags, statements of reasons, appeals and the list of flagged terms. load → check → form → service → commit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import db, policy
from app.accounts.forms import EmptyForm
from app.accounts.models import User
from app.pagination import paginate
from app.safety import appeals, moderation, services, statements, terms
from app.safety.forms import ActionForm, AppealDecisionForm, AppealForm, TermForm
from app.safety.labels import KIND_LABELS, TERM_LANGUAGE_LABELS
from app.safety.models import Appeal, ContentFlag, FlaggedTerm, ModerationAction
from app.safety.views import LABELS
from app.teams.models import Team
from app.validation import ValidationFailed, flash_problems, show_on_form

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


@bp.context_processor
def _labels():
    return {**LABELS, "TERM_LANGUAGE_LABELS": TERM_LANGUAGE_LABELS}


def _page_number() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _teams_of(items) -> dict[int, Team]:
    ids = {item.team_id for item in items if item.team_id}
    return {team.id: team for team in db.session.scalars(select(Team).where(Team.id.in_(ids)))} if ids else {}


# -- flags -------------------------------------------------------------------------------------------------------
@bp.route("/flags")
@login_required
def flags():
    policy.require(policy.can_moderate(current_user))
    reviewed = request.args.get("state") == "reviewed"
    page = paginate(terms.flags_query(reviewed), _page_number(), current_app.config["PAGE_SIZE"])
    subjects = services.load_subjects((flag.subject_type, flag.subject_id) for flag in page.items)
    return render_template("safety/flags.html", page=page, subjects=subjects, teams=_teams_of(page.items),
                           reviewed=reviewed)


def _load_flag(flag_id: int) -> ContentFlag:
    policy.require(policy.can_moderate(current_user))
    flag = db.session.get(ContentFlag, flag_id)
    if flag is None:
        abort(404)
    return flag


def _flag_action_form(formdata=None) -> ActionForm:
    form = ActionForm(formdata=formdata)
    form.kind.choices = [choice for choice in form.kind.choices if choice.value != "dismiss"]
    return form


def _flag_page(flag: ContentFlag, action_form: ActionForm, status: int = 200):
    key = (flag.subject_type, flag.subject_id)
    subject = services.load_subjects([key]).get(key)
    return render_template("safety/flag.html", flag=flag, subject=subject, action_form=action_form,
                           decisions=moderation.actions_on(*key), status=moderation.status_of(*key),
                           context_path=subject.path() if subject is not None else None,
                           review_form=EmptyForm()), status


@bp.route("/flags/<int:flag_id>")
@login_required
def flag(flag_id: int):
    return _flag_page(_load_flag(flag_id), _flag_action_form())


@bp.route("/flags/<int:flag_id>/act", methods=["POST"])
@login_required
def act_on_flag(flag_id: int):
    flag = _load_flag(flag_id)
    form = _flag_action_form(request.form)
    if form.validate_on_submit():
        key = (flag.subject_type, flag.subject_id)
        try:
            action = moderation.decide(current_user, kind=form.kind.data, reason=form.reason.data, rule=form.rule.data,
                                       warning=form.warning.data, subject=services.load_subjects([key]).get(key),
                                       flag=flag)
        except ValidationFailed as error:
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            db.commit()
            flash(_("Decided: %(decision)s.", decision=KIND_LABELS[action.kind]), "success")
            return redirect(url_for("moderation.decision", action_id=action.id))
    return _flag_page(flag, form, 400)


@bp.route("/flags/<int:flag_id>/reviewed", methods=["POST"])
@login_required
def flag_reviewed(flag_id: int):
    flag = _load_flag(flag_id)
    if EmptyForm().validate_on_submit():
        terms.mark_reviewed(current_user, flag)
        db.commit()
        flash(_("Marked as reviewed. The content stays as it is."), "success")
    return redirect(url_for("safety.index"))


# -- a decision: its statement of reasons, the appeal, and deciding the appeal ------------------------------------
def _load_action(action_id: int) -> ModerationAction:
    action = db.session.get(ModerationAction, action_id)
    if action is None:
        abort(404)
    return action


def _reader(action: ModerationAction, key: str | None) -> tuple[User | None, bool]:
    """Who reads the statement: (the person affected, when it is them, by sign-in or by the email's key; whether
    they came by the key). Anyone else must be a coordinator; someone signed out without a key signs in first."""
    if current_user.is_authenticated and current_user.id == action.affected_user_id:
        return current_user._get_current_object(), False
    if statements.key_opens(key, action):
        return db.session.get(User, action.affected_user_id), True
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())
    policy.require(policy.can_read_statement(current_user, action))
    return None, False


def _decision_page(action: ModerationAction, person: User | None, key: str | None, appeal_form: AppealForm,
                   decide_form: AppealDecisionForm, status: int = 200):
    subject = services.load_subjects([(action.subject_type, action.subject_id)]).get(
        (action.subject_type, action.subject_id)) if action.subject_type else None
    appeal = appeals.appeal_of(action)
    can_appeal = person is not None and appeals.appeal_problem(person, action) is None
    if can_appeal and key:
        appeal_form.key.data = key
    return render_template(
        "safety/decision.html", action=action, subject=subject, appeal=appeal, person=person,
        rule=moderation.rules_of([action]).get(action.id), deadline=statements.appeal_deadline(action),
        can_appeal=can_appeal, appeal_form=appeal_form, decide_form=decide_form,
        can_decide=appeal is not None and policy.can_decide_appeal(current_user, appeal),
        staff=policy.can_moderate(current_user)), status


@bp.route("/decisions/<int:action_id>")
def decision(action_id: int):
    action = _load_action(action_id)
    key = request.args.get("key")
    person, _by_key = _reader(action, key)
    return _decision_page(action, person, key, AppealForm(formdata=None), AppealDecisionForm(formdata=None))


@bp.route("/decisions/<int:action_id>/appeal", methods=["POST"])
def appeal(action_id: int):
    action = _load_action(action_id)
    key = request.form.get("key")
    person, by_key = _reader(action, key)
    if person is None:
        abort(403)  # a coordinator reads the statement, but only the person affected appeals
    form = AppealForm()
    if form.validate_on_submit():
        try:
            appeals.file_appeal(person, action, form.grounds.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("Your appeal is sent. Another coordinator will decide it, and you will be told why."), "success")
            return redirect(url_for("moderation.decision", action_id=action.id, **({"key": key} if by_key else {})))
    return _decision_page(action, person, key if by_key else None, form, AppealDecisionForm(formdata=None), 400)


@bp.route("/appeals")
@login_required
def appeal_queue():
    policy.require(policy.can_moderate(current_user))
    decided = request.args.get("state") == "decided"
    query = appeals.decided_appeals_query() if decided else appeals.open_appeals_query()
    page = paginate(query, _page_number(), current_app.config["PAGE_SIZE"])
    return render_template("safety/appeals.html", page=page, decided=decided)


@bp.route("/appeals/<int:appeal_id>/decide", methods=["POST"])
@login_required
def decide_appeal(appeal_id: int):
    policy.require(policy.can_moderate(current_user))
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        abort(404)
    action = appeal.action
    if appeal.state != "open":
        flash(_("This appeal has already been decided."), "info")
        return redirect(url_for("moderation.decision", action_id=action.id))
    # The coordinator who took the decision is refused here as in the service (the page offers them no form).
    policy.require(policy.can_decide_appeal(current_user, appeal))
    form = AppealDecisionForm()
    if form.validate_on_submit():
        try:
            appeals.decide_appeal(current_user, appeal, form.outcome.data, form.reason.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("The appeal is decided and the person is told."), "success")
            return redirect(url_for("moderation.decision", action_id=action.id))
    return _decision_page(action, None, None, AppealForm(formdata=None), form, 400)


# -- the list of flagged terms ------------------------------------------------------------------------------------
def _terms_page(form: TermForm, status: int = 200):
    return render_template("safety/terms.html", form=form, grouped=terms.terms_by_language(),
                           delete_form=EmptyForm()), status


@bp.route("/terms", methods=["GET", "POST"])
@login_required
def terms_list():
    policy.require(policy.can_manage_flagged_terms(current_user))
    if request.method == "GET":
        return _terms_page(TermForm(formdata=None))
    form = TermForm()
    if form.validate_on_submit():
        try:
            entry = terms.add_term(current_user, form.term.data, form.language.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("“%(term)s” is on the list: new content that uses it goes to review.", term=entry.term), "success")
            return redirect(url_for("moderation.terms_list"))
    return _terms_page(form, 400)


@bp.route("/terms/<int:term_id>/delete", methods=["POST"])
@login_required
def delete_term(term_id: int):
    policy.require(policy.can_manage_flagged_terms(current_user))
    entry = db.session.get(FlaggedTerm, term_id)
    if entry is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        term = entry.term
        terms.remove_term(current_user, entry)
        db.commit()
        flash(_("“%(term)s” is off the list.", term=term), "success")
    return redirect(url_for("moderation.terms_list"))
