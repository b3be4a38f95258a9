"""Team pages: load → check → form → service → commit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db, policy
from app.accounts.forms import EmptyForm
from app.accounts.models import User
from app.i18n import country_choices, language_choices, options
from app.teams import services
from app.teams.forms import HandOverForm, InviteForm, TeamForm
from app.teams.models import Invitation, Membership, Team
from app.tokens import LinkExpired, LinkInvalid
from app.validation import ValidationFailed, flash_problems, show_on_form

bp = Blueprint("teams", __name__, url_prefix="/teams")


def _load_team(team_id: int) -> Team:
    team = db.session.scalar(
        select(Team).where(Team.id == team_id)
        .options(selectinload(Team.memberships).selectinload(Membership.user))
    )
    if team is None:
        abort(404)
    return team


def _team_choices(form: TeamForm) -> None:
    form.country.choices = options([("", _l("Choose a country"))]) + country_choices()
    form.languages.choices = language_choices()


@bp.route("/")
@login_required
def index():
    return render_template("teams/index.html", teams=services.teams_of(current_user),
                           invitations=services.pending_invitations_for(current_user),
                           invitation_token=services.invitation_token)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    policy.require(policy.can_create_team(current_user))
    form = TeamForm()
    _team_choices(form)
    if request.method == "GET":
        form.country.data = current_user.country
        form.languages.data = [current_user.locale]
    if form.validate_on_submit():
        team = services.create_team(current_user, name=form.name.data, description=form.description.data,
                                    country=form.country.data, languages=form.languages.data)
        db.commit()
        flash(_("Your team “%(name)s” is created. Invite your teammates below.", name=team.name), "success")
        return redirect(url_for("teams.show", team_id=team.id))
    return render_template("teams/form.html", form=form, team=None)


@bp.route("/<int:team_id>")
@login_required
def show(team_id: int):
    team = _load_team(team_id)
    policy.require(policy.can_view_team(current_user, team))
    if not policy.can_view_team_details(current_user, team):
        visible = [m.user for m in team.memberships if policy.can_show_member_publicly(m.user)]
        return render_template("teams/public.html", team=team, visible=visible,
                               hidden_count=len(team.memberships) - len(visible))
    return _team_page(team, InviteForm())


def _set_new_lead_choices(form: HandOverForm, team: Team) -> None:
    form.new_lead.choices = options((m.user.id, m.user.display_name) for m in team.memberships
                                    if m.user_id != team.lead_id)


def _team_page(team: Team, invite_form: InviteForm, status: int = 200):
    """The members' page; the invite form is passed in so a failed invitation keeps what was typed."""
    invitations = []
    if policy.can_invite(current_user, team) or policy.is_coordinator(current_user):
        invitations = list(db.session.scalars(
            select(Invitation).where(Invitation.team_id == team.id, Invitation.state == "pending")
            .order_by(Invitation.created_at)))
    hand_over = HandOverForm()
    _set_new_lead_choices(hand_over, team)
    return render_template("teams/show.html", team=team, invitations=invitations, invite_form=invite_form,
                           hand_over_form=hand_over, action_form=EmptyForm()), status


@bp.route("/<int:team_id>/edit", methods=["GET", "POST"])
@login_required
def edit(team_id: int):
    team = _load_team(team_id)
    policy.require(policy.can_edit_team(current_user, team))
    form = TeamForm(obj=team)
    _team_choices(form)
    if form.validate_on_submit():
        services.update_team(current_user, team, name=form.name.data, description=form.description.data,
                             country=form.country.data, languages=form.languages.data)
        db.commit()
        flash(_("The team is saved."), "success")
        return redirect(url_for("teams.show", team_id=team.id))
    return render_template("teams/form.html", form=form, team=team)


@bp.route("/<int:team_id>/invitations", methods=["POST"])
@login_required
def invite(team_id: int):
    team = _load_team(team_id)
    policy.require(policy.can_invite(current_user, team))
    form = InviteForm()
    if form.validate_on_submit():
        try:
            services.invite(current_user, team, form.email.data)
        except ValidationFailed as error:
            show_on_form(form, error)
        else:
            db.commit()
            flash(_("We sent an invitation to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("teams.show", team_id=team.id))
    # Show the page again with the address kept and the problem beside the field.
    return _team_page(team, form, 400)


@bp.route("/<int:team_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@login_required
def revoke(team_id: int, invitation_id: int):
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.team_id != team_id:
        abort(404)
    policy.require(policy.can_revoke_invitation(current_user, invitation))
    if EmptyForm().validate_on_submit():
        services.revoke_invitation(current_user, invitation)
        db.commit()
        flash(_("The invitation to %(email)s is withdrawn.", email=invitation.email), "info")
    return redirect(url_for("teams.show", team_id=team_id))


@bp.route("/<int:team_id>/members/<int:user_id>/remove", methods=["POST"])
@login_required
def remove_member(team_id: int, user_id: int):
    team = _load_team(team_id)
    member = db.session.get(User, user_id)
    if member is None:
        abort(404)
    policy.require(policy.can_remove_member(current_user, team, member))
    if EmptyForm().validate_on_submit():
        services.remove_member(current_user, team, member)
        db.commit()
        flash(_("%(name)s is no longer in the team.", name=member.display_name), "info")
    return redirect(url_for("teams.show", team_id=team.id))


@bp.route("/<int:team_id>/lead", methods=["POST"])
@login_required
def hand_over(team_id: int):
    team = _load_team(team_id)
    policy.require(policy.can_hand_over_lead(current_user, team))
    form = HandOverForm()
    _set_new_lead_choices(form, team)
    if form.validate_on_submit():
        try:
            services.hand_over_lead(current_user, team, form.new_lead.data)
        except ValidationFailed as error:
            flash_problems(error)
        else:
            db.commit()
            flash(_("%(name)s now leads the team.", name=team.lead.display_name), "success")
    else:
        for message in form.new_lead.errors:
            flash(message, "error")
    return redirect(url_for("teams.show", team_id=team.id))


@bp.route("/<int:team_id>/leave", methods=["POST"])
@login_required
def leave(team_id: int):
    team = _load_team(team_id)
    policy.require(policy.can_leave_team(current_user, team))
    if EmptyForm().validate_on_submit():
        services.leave_team(current_user, team)
        db.commit()
        flash(_("You have left “%(name)s”.", name=team.name), "info")
        return redirect(url_for("teams.index"))
    return redirect(url_for("teams.show", team_id=team.id))


# -- invitations, reached by the link in the email ------------------------------------------------
def _invitation_or_error(token: str):
    try:
        return services.load_invitation(token), None
    except LinkExpired:
        return None, _("This invitation has expired. Ask the team lead to invite you again.")
    except LinkInvalid:
        return None, _("This invitation link is not valid. Check that you copied all of it.")


@bp.route("/invitations/<token>", methods=["GET"])
def invitation(token: str):
    invitation, problem = _invitation_or_error(token)
    if invitation is None:
        return render_template("accounts/bad_link.html", message=problem), 400
    return render_template("teams/invitation.html", invitation=invitation, token=token, form=EmptyForm())


@bp.route("/invitations/<token>/<any(accept, decline):answer>", methods=["POST"])
@login_required
def answer_invitation(token: str, answer: str):
    invitation, problem = _invitation_or_error(token)
    if invitation is None:
        return render_template("accounts/bad_link.html", message=problem), 400
    if invitation.state != "pending" and current_user.email == invitation.email:
        # A second click (or the back button) after answering: say so rather than "not allowed".
        flash(_("This invitation has already been answered or withdrawn."), "info")
        if invitation.team.has_member(current_user):
            return redirect(url_for("teams.show", team_id=invitation.team_id))
        return redirect(url_for("teams.index"))
    policy.require(policy.can_answer_invitation(current_user, invitation))
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        if answer == "accept":
            services.accept_invitation(current_user, invitation)
        else:
            services.decline_invitation(current_user, invitation)
    except ValidationFailed as error:
        flash_problems(error)
        return redirect(url_for("teams.index"))
    db.commit()
    if answer == "accept":
        flash(_("Welcome to “%(name)s”.", name=invitation.team.name), "success")
        return redirect(url_for("teams.show", team_id=invitation.team_id))
    flash(_("You declined the invitation to “%(name)s”.", name=invitation.team.name), "info")
    return redirect(url_for("teams.index"))
