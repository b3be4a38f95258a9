"""Funding call pages: load → check → form → service → commit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db, policy
from app.accounts.forms import EmptyForm
from app.caching import public_page
from app.calls import services, workflow
from app.calls.display import currency_choices
from app.calls.forms import LEVELS, MAX_CRITERIA, THEME_LABELS, AddFunderForm, CallForm, OpenCallForm, to_local
from app.calls.models import THEMES, Call, CallFunder
from app.db import utcnow
from app.i18n import country_choices, country_name, options, timezone_choices
from app.pagination import paginate
from app.teams.services import teams_of
from app.validation import ValidationFailed, show_on_form

bp = Blueprint("calls", __name__, url_prefix="/calls")


def _load_call(call_id: int) -> Call:
    call = db.session.scalar(
        select(Call).where(Call.id == call_id)
        .options(selectinload(Call.funders).selectinload(CallFunder.user), selectinload(Call.owner)))
    if call is None:
        abort(404)
    return call


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


# -- public pages ---------------------------------------------------------------------------------
@bp.route("/")
@public_page
def index():
    now = utcnow()
    page = paginate(services.public_calls_query(now), _page_number(), current_app.config["PAGE_SIZE"])
    return render_template("calls/index.html", page=page, now=now, is_finished=services.is_finished)


@bp.route("/<int:call_id>")
def show(call_id: int):
    call = _load_call(call_id)
    if not policy.can_view_call(current_user, call):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        abort(403)
    now = utcnow()
    return render_template("calls/show.html", call=call, now=now, finished=services.is_finished(call, now),
                           countries=[country_name(code) for code in call.countries],
                           proposal=_proposal_prompt(call, now))


def _proposal_prompt(call: Call, now) -> dict | None:
    """What a young person reading an open call is offered: a link to start, or what to do first."""
    if not (current_user.is_authenticated and current_user.has_role("youth") and call.is_open(now)):
        return None
    teams = teams_of(current_user)
    if not teams:
        return {"hint": _("Join or create a team to propose a project to this call."),
                "url": url_for("teams.index")}
    if not any(policy.can_start_proposal(current_user, team, call, now) for team in teams):
        return {"hint": _("Confirm your email address to propose a project."), "url": None}
    if "proposals.start" not in current_app.view_functions:
        return None  # proposals are not available yet on this installation
    return {"start": url_for("proposals.start", call_id=call.id)}


# -- managing -------------------------------------------------------------------------------------
@bp.route("/manage")
@login_required
def manage():
    policy.require(policy.can_see_managed_calls(current_user))
    page = paginate(services.managed_calls_query(current_user), _page_number(), current_app.config["PAGE_SIZE"])
    return render_template("calls/manage.html", page=page)


def _choices(form: CallForm) -> None:
    form.themes.choices = options((theme, THEME_LABELS[theme]) for theme in THEMES)
    form.countries.choices = country_choices()
    form.currency.choices = options([("", _l("Choose a currency"))]) + currency_choices()
    form.timezone.choices = timezone_choices()


def _rubric_button(form: CallForm) -> bool:
    """Handle "Add a criterion" and "Remove": True when the form must simply be shown again."""
    if form.add_criterion.data:
        if len(form.criteria.entries) >= MAX_CRITERIA:
            flash(_("A rubric can have at most %(num)d criteria.", num=MAX_CRITERIA), "error")
        else:
            form.criteria.append_entry()
        return True
    for entry in list(form.criteria.entries):
        if entry.form.remove.data:
            _drop(form, entry)
            if not form.criteria.entries:
                form.criteria.append_entry()
            return True
    return False


def _drop(form: CallForm, entry) -> None:
    form.criteria.entries.remove(entry)
    compact = getattr(form.criteria, "_compact_indices", None)
    if compact:  # renumber the rows so the page shows criterion-0, -1, ... again
        compact()


def _drop_blank_rows(form: CallForm) -> None:
    """Rows added but left empty are not criteria; they go away quietly when the call is saved."""
    for entry in list(form.criteria.entries):
        if entry.form.is_blank():
            _drop(form, entry)


def _fields(form: CallForm) -> services.CallFields:
    return services.CallFields(
        title=form.title.data, description=form.description.data, themes=form.themes.data,
        min_age=form.min_age.data, max_age=form.max_age.data, countries=form.countries.data or [],
        min_team_size=form.min_team_size.data, max_team_size=form.max_team_size.data,
        currency=form.currency.data, pool_amount=form.pool_amount.data, max_award=form.max_award.data,
        timezone=form.timezone.data, opens_at=form.utc["opens_at"], closes_at=form.utc["closes_at"],
        review_deadline=form.utc.get("review_deadline"), min_reviews=form.min_reviews.data,
        blind_review=form.blind_review.data,
        criteria=[services.CriterionFields(
            title=entry.form.title.data, description=entry.form.description.data, weight=entry.form.weight.data,
            allow_not_applicable=entry.form.allow_not_applicable.data,
            level_descriptors=[field.data or "" for field in entry.form.level_fields],
        ) for entry in form.criteria.entries],
    )


def _form_data(call: Call) -> dict:
    """A draft call as the form's starting values; times as wall-clock times of the call's zone."""
    return {
        "title": call.title, "description": call.description, "themes": call.themes, "min_age": call.min_age,
        "max_age": call.max_age, "countries": call.countries, "min_team_size": call.min_team_size,
        "max_team_size": call.max_team_size, "currency": call.currency, "pool_amount": call.pool_amount,
        "max_award": call.max_award, "timezone": call.timezone, "opens_at": to_local(call.opens_at, call.timezone),
        "closes_at": to_local(call.closes_at, call.timezone),
        "review_deadline": to_local(call.review_deadline, call.timezone), "min_reviews": call.min_reviews,
        "blind_review": call.blind_review,
        "criteria": [{
            "title": criterion.title, "description": criterion.description, "weight": criterion.weight,
            "allow_not_applicable": criterion.allow_not_applicable,
            **{f"level_{level + 1}": text for level, text in enumerate((criterion.level_descriptors or [])[:LEVELS])},
        } for criterion in call.criteria],
    }


def _save_call_form(form: CallForm, call: Call | None):
    """The POST of the full form: rubric buttons, validation, the service; None when the page is shown again."""
    if _rubric_button(form):
        return None
    _drop_blank_rows(form)
    if form.validate_on_submit():
        try:
            if call is None:
                call = services.create_call(current_user, _fields(form))
            else:
                services.update_call(current_user, call, _fields(form))
        except ValidationFailed as error:
            for message in show_on_form(form, error):
                flash(message, "error")
        else:
            db.commit()
            return call
    if not form.criteria.entries:
        form.criteria.append_entry()
    return None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    policy.require(policy.can_create_call(current_user))
    form = CallForm()
    _choices(form)
    if request.method == "GET":
        form.timezone.data = current_user.timezone
    else:
        call = _save_call_form(form, None)
        if call is not None:
            flash(_("The call “%(title)s” is saved as a draft. Publish it when it is ready.", title=call.title),
                  "success")
            return redirect(url_for("calls.manage_call", call_id=call.id))
    return render_template("calls/form.html", form=form, call=None)


@bp.route("/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit(call_id: int):
    call = _load_call(call_id)
    policy.require(policy.can_edit_call(current_user, call))
    if call.state != "draft":
        return _edit_published(call)
    form = CallForm(data=_form_data(call) if request.method == "GET" else None)
    _choices(form)
    if request.method == "POST" and _save_call_form(form, call) is not None:
        flash(_("The call is saved."), "success")
        return redirect(url_for("calls.manage_call", call_id=call.id))
    return render_template("calls/form.html", form=form, call=call)


def _edit_published(call: Call):
    """Published or closed: the description and the deadlines only; everything else stays as teams read it."""
    data = None
    if request.method == "GET":
        data = {"description": call.description, "closes_at": to_local(call.closes_at, call.timezone),
                "review_deadline": to_local(call.review_deadline, call.timezone)}
    form = OpenCallForm(data=data, zone=call.timezone, opens_at=call.opens_at)
    if form.validate_on_submit():
        try:
            services.update_open_call(current_user, call, description=form.description.data,
                                      closes_at=form.utc["closes_at"],
                                      review_deadline=form.utc.get("review_deadline"))
        except ValidationFailed as error:
            for message in show_on_form(form, error):
                flash(message, "error")
        else:
            db.commit()
            flash(_("The call is saved."), "success")
            return redirect(url_for("calls.manage_call", call_id=call.id))
    return render_template("calls/form_published.html", form=form, call=call)


@bp.route("/<int:call_id>/manage")
@login_required
def manage_call(call_id: int):
    call = _load_call(call_id)
    policy.require(policy.can_manage_call(current_user, call))
    return _manage_page(call, AddFunderForm())


def _manage_page(call: Call, funder_form: AddFunderForm, status: int = 200):
    problems = [message for _field, message in workflow.publishing_problems(call)] if call.state == "draft" else []
    return render_template("calls/call_manage.html", call=call, funder_form=funder_form, problems=problems,
                           actions=workflow.available_actions(call, current_user), action_form=EmptyForm(),
                           finished=services.is_finished(call)), status


@bp.route("/<int:call_id>/<any(publish, close, reopen, archive):action>", methods=["POST"])
@login_required
def move(call_id: int, action: str):
    call = _load_call(call_id)
    policy.require(policy.can_manage_call(current_user, call))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        workflow.transition(call, action, current_user)
    except workflow.NotAllowed:
        abort(403)
    except ValidationFailed as error:
        for _field, message in error.errors:
            flash(message, "error")
    else:
        db.commit()
        flash(str(workflow.DONE_MESSAGES[action]), "success")
    return redirect(url_for("calls.manage_call", call_id=call.id))


@bp.route("/<int:call_id>/funders", methods=["POST"])
@login_required
def add_funder(call_id: int):
    call = _load_call(call_id)
    policy.require(policy.can_add_call_funder(current_user, call))
    form = AddFunderForm()
    if form.validate_on_submit():
        try:
            funder = services.add_funder(current_user, call, form.email.data)
        except ValidationFailed as error:
            show_on_form(form, error)
        else:
            db.commit()
            flash(_("%(name)s now manages this call too.", name=funder.user.display_name), "success")
            return redirect(url_for("calls.manage_call", call_id=call.id))
    # Show the page again with the address kept and the problem beside the field.
    return _manage_page(call, form, 400)
