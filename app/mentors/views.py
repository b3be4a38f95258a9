"""Pages of the mentors capability: load → check → form → service → commit."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db, policy
from app.accounts.forms import EmptyForm
from app.accounts.models import User
from app.calls.models import THEMES
from app.i18n import is_timezone, language_choices, options, timezone_choices
from app.mentoring.models import EXPERTISE, MAX_CAPACITY, VETTING_KINDS, MentorConflict
from app.mentors import services
from app.mentors.forms import ConflictForm, MentorProfileForm, TeamNeedsForm, VettingForm
from app.mentors.labels import EXPERTISE_LABELS, THEME_LABELS, VETTING_FILTER_LABELS, VETTING_KIND_LABELS
from app.teams.models import Membership, Team
from app.validation import ValidationFailed, flash_problems

bp = Blueprint("mentors", __name__)


@bp.context_processor
def _labels():
    return {"EXPERTISE_LABELS": EXPERTISE_LABELS, "VETTING_KIND_LABELS": VETTING_KIND_LABELS,
            "VETTING_FILTER_LABELS": VETTING_FILTER_LABELS, "MAX_CAPACITY": MAX_CAPACITY,
            "ADULT_AGE": current_app.config["ADULT_AGE"]}


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


def _expertise_choices():
    return options((code, EXPERTISE_LABELS[code]) for code in EXPERTISE)


# -- the mentor's own profile ----------------------------------------------------------------------
def _profile_choices(form: MentorProfileForm) -> None:
    form.expertise.choices = _expertise_choices()
    form.languages.choices = language_choices()
    form.timezone.choices = timezone_choices()
    form.preferred_themes.choices = options((theme, THEME_LABELS[theme]) for theme in THEMES)


def _profile_form(profile, formdata=None) -> MentorProfileForm:
    """The form filled from the saved profile, or with the person's own language and time zone to start."""
    if profile is not None:
        form = MentorProfileForm(formdata=formdata, obj=profile)
        if formdata is None:
            form.accept_conduct.data = False  # accepted again, knowingly, on every save
    else:
        form = MentorProfileForm(formdata=formdata)
        if formdata is None:
            form.languages.data = [current_user.locale]
            form.timezone.data = current_user.timezone if is_timezone(current_user.timezone or "") else "UTC"
    _profile_choices(form)
    return form


def _profile_page(form: MentorProfileForm, conflict_form: ConflictForm, profile, status: int = 200):
    return render_template("mentors/profile.html", form=form, conflict_form=conflict_form, profile=profile,
                           vetting=services.vetting_state(current_user),
                           conflicts=services.conflicts_of(current_user), action_form=EmptyForm()), status


@bp.route("/mentor/profile", methods=["GET", "POST"])
@login_required
def profile():
    policy.require(policy.can_edit_mentor_profile(current_user))
    existing = services.profile_of(current_user)
    form = _profile_form(existing, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.save_profile(
                current_user, expertise=form.expertise.data, languages=form.languages.data,
                timezone=form.timezone.data, capacity=form.capacity.data,
                accepting_teams=form.accepting_teams.data, availability=form.availability.data,
                bio=form.bio.data, preferred_themes=form.preferred_themes.data,
                conduct_accepted=form.accept_conduct.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("Your mentor profile is saved."), "success")
            return redirect(url_for("mentors.profile"))
    return _profile_page(form, ConflictForm(formdata=None), existing)


@bp.route("/mentor/conflicts", methods=["POST"])
@login_required
def declare_conflict():
    policy.require(policy.can_edit_mentor_profile(current_user))
    form = ConflictForm()
    if form.validate_on_submit():
        try:
            team = services.find_team(form.team.data)
            services.declare_conflict(current_user, team, form.reason.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("Noted: you will not be matched with “%(name)s”.", name=team.name), "success")
            return redirect(url_for("mentors.profile", _anchor="conflicts-heading"))
    existing = services.profile_of(current_user)
    return _profile_page(_profile_form(existing), form, existing, 400)


@bp.route("/mentor/conflicts/<int:conflict_id>/withdraw", methods=["POST"])
@login_required
def withdraw_conflict(conflict_id: int):
    policy.require(policy.can_edit_mentor_profile(current_user))
    # Only the mentor's own declarations are found: someone else's is "not found", not "forbidden".
    conflict = db.session.scalar(select(MentorConflict).where(MentorConflict.id == conflict_id,
                                                              MentorConflict.mentor_id == current_user.id))
    if conflict is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        name = conflict.team.name
        services.withdraw_conflict(current_user, conflict)
        db.commit()
        flash(_("Your declaration about “%(name)s” is withdrawn.", name=name), "info")
    return redirect(url_for("mentors.profile", _anchor="conflicts-heading"))


# -- coordinators: the mentors and their vetting ---------------------------------------------------
@bp.route("/mentors")
@login_required
def index():
    policy.require(policy.can_view_mentors(current_user))
    vetting = request.args.get("vetting")
    vetting = vetting if vetting in services.VETTING_FILTERS else None
    term = (request.args.get("q") or "").strip()[:100]
    page = services.mentors_page(vetting, _page_number(), current_app.config["PAGE_SIZE"], term=term)
    return render_template("mentors/index.html", page=page, vetting=vetting, term=term)


def _load_mentor(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or not user.has_role("mentor"):
        abort(404)
    return user


def _vetting_choices(form: VettingForm) -> None:
    form.kind.choices = options([("", _l("Choose the kind of check")),
                                 *((kind, VETTING_KIND_LABELS[kind]) for kind in VETTING_KINDS)])


def _mentor_page(mentor: User, form: VettingForm, status: int = 200):
    return render_template("mentors/show.html", mentor=mentor, form=form, profile=services.profile_of(mentor),
                           vetting=services.vetting_state(mentor), history=services.vetting_history(mentor),
                           load=services.current_load(mentor), conflicts=services.conflicts_of(mentor),
                           today=_today()), status


def _today() -> date:
    """The later of the server's day and the coordinator's own: a check done "today" in Tokyo is not refused."""
    zone = current_user.timezone if is_timezone(current_user.timezone or "") else "UTC"
    return max(date.today(), datetime.now(ZoneInfo(zone)).date())


@bp.route("/mentors/<int:user_id>")
@login_required
def show(user_id: int):
    policy.require(policy.can_view_mentors(current_user))
    mentor = _load_mentor(user_id)
    form = VettingForm(formdata=None)
    _vetting_choices(form)
    return _mentor_page(mentor, form)


@bp.route("/mentors/<int:user_id>/vetting", methods=["POST"])
@login_required
def record_vetting(user_id: int):
    policy.require(policy.can_record_vetting(current_user))
    mentor = _load_mentor(user_id)
    form = VettingForm()
    _vetting_choices(form)
    if form.validate_on_submit():
        try:
            services.record_vetting(current_user, mentor, kind=form.kind.data, checked_on=form.checked_on.data,
                                    expires_on=form.expires_on.data, note=form.note.data, today=_today())
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("The vetting of %(name)s is recorded.", name=mentor.display_name), "success")
            return redirect(url_for("mentors.show", user_id=mentor.id))
    return _mentor_page(mentor, form, 400)


# -- a team's needs --------------------------------------------------------------------------------
@bp.route("/teams/<int:team_id>/needs", methods=["GET", "POST"])
@login_required
def team_needs(team_id: int):
    team = db.session.scalar(select(Team).where(Team.id == team_id)
                             .options(selectinload(Team.memberships).selectinload(Membership.user)))
    if team is None:
        abort(404)
    policy.require(policy.can_edit_team_needs(current_user, team))
    needs = services.needs_of(team)
    form = TeamNeedsForm(formdata=request.form if request.method == "POST" else None, obj=needs)
    form.needs.choices = _expertise_choices()
    form.timezone.choices = timezone_choices()
    if needs is None and request.method == "GET":  # to start, the lead's time zone: the team's likeliest
        form.timezone.data = team.lead.timezone if is_timezone(team.lead.timezone or "") else "UTC"
    if request.method == "POST" and form.validate_on_submit():
        try:
            services.save_team_needs(current_user, team, needs=form.needs.data, timezone=form.timezone.data,
                                     note=form.note.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("The team's needs are saved. Coordinators use them to find the right mentor."), "success")
            return redirect(url_for("teams.show", team_id=team.id))
    return render_template("mentors/team_needs.html", team=team, form=form, needs=needs)
