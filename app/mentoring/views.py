"""Matching rounds for coordinators, offers for mentors, and each team's mentoring page:
load → check → form → service → commit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db, policy
from app.accounts.forms import EmptyForm
from app.accounts.models import User
from app.i18n import language_name, options
from app.mentoring import labels, services, workflow
from app.mentoring.forms import OverrideForm, ReasonForm
from app.mentoring.models import MatchRound, Mentorship, ProposedMatch, RoundOverride, TeamNeeds
from app.pagination import paginate
from app.teams.models import Membership, Team
from app.validation import ValidationFailed, flash_problems

bp = Blueprint("mentoring", __name__)


def _page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


@bp.app_context_processor
def _helpers():
    return {
        "reasons_text": labels.reasons_text,
        "EXPERTISE_LABELS": labels.EXPERTISE_LABELS,
        "UNMATCHED_LABELS": labels.UNMATCHED_LABELS,
        "OVERRIDE_LABELS": labels.OVERRIDE_LABELS,
        "MENTORSHIP_STATE_LABELS": workflow.STATE_LABELS,
        "ROUND_STATE_LABELS": labels.ROUND_STATE_LABELS,
        "language_name": language_name,
    }


# -- rounds -----------------------------------------------------------------------------------------
@bp.route("/mentoring/rounds")
@login_required
def rounds():
    policy.require(policy.can_run_matching(current_user))
    page = paginate(
        select(MatchRound)
        .options(selectinload(MatchRound.started_by))
        .order_by(MatchRound.started_at.desc(), MatchRound.id.desc()),
        _page_number(),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "mentoring/rounds.html",
        page=page,
        waiting=services.waiting_count(),
        available=len(services.available_mentors()),
        current=services.open_round(),
        form=EmptyForm(),
    )


@bp.route("/mentoring/rounds", methods=["POST"])
@login_required
def start_round():
    policy.require(policy.can_run_matching(current_user))
    if not EmptyForm().validate():
        abort(400)
    try:
        round_ = services.start_round(current_user)
    except ValidationFailed as error:
        db.session.rollback()
        flash_problems(error)
        return redirect(url_for("mentoring.rounds"))
    db.commit()
    flash(_("The round is solved. Check each match, change what you must, then confirm."), "success")
    return redirect(url_for("mentoring.round_page", round_id=round_.id))


def _load_round(round_id: int) -> MatchRound:
    round_ = db.session.get(MatchRound, round_id)
    if round_ is None:
        abort(404)
    return round_


def _override_form(match: ProposedMatch, names: dict[int, str], formdata=None) -> OverrideForm:
    form = OverrideForm(formdata=formdata, prefix=f"match-{match.id}")
    choices = [] if match.locked else [("lock", _("Keep this match: lock it for the next runs"))]
    choices.append(("ban", _("Never pair them in this round: ban the pair")))
    choices += [
        (
            f"swap-{mentor_id}",
            _("Give the team to %(name)s instead (score %(score)d)", name=names.get(mentor_id, "?"), score=score),
        )
        for mentor_id, score in match.alternates
    ]
    form.action.choices = options(choices)
    return form


def _round_page(round_: MatchRound, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    page = paginate(
        select(ProposedMatch)
        .where(ProposedMatch.round_id == round_.id)
        .options(selectinload(ProposedMatch.team), selectinload(ProposedMatch.mentor))
        .order_by(ProposedMatch.id),
        _page_number(),
        current_app.config["PAGE_SIZE"],
    )
    alternate_ids = {mentor_id for match in page.items for mentor_id, _score in match.alternates}
    names = (
        dict(db.session.execute(select(User.id, User.display_name).where(User.id.in_(alternate_ids))).all())
        if alternate_ids
        else {}
    )
    rows = [
        {
            "match": match,
            "form": forms.get(match.id) or _override_form(match, names),
            "alternates": [(names.get(mentor_id, "?"), score) for mentor_id, score in match.alternates],
        }
        for match in page.items
    ]
    unmatched_ids = [int(team_id) for team_id in round_.unmatched]
    unmatched = (
        list(db.session.scalars(select(Team).where(Team.id.in_(unmatched_ids)).order_by(Team.name)))
        if unmatched_ids
        else []
    )
    overrides = list(
        db.session.scalars(
            select(RoundOverride)
            .where(RoundOverride.round_id == round_.id)
            .options(
                selectinload(RoundOverride.team), selectinload(RoundOverride.mentor), selectinload(RoundOverride.actor)
            )
            .order_by(RoundOverride.id)
        )
    )
    return render_template(
        "mentoring/round.html",
        round=round_,
        page=page,
        rows=rows,
        unmatched=unmatched,
        overrides=overrides,
        action_form=EmptyForm(),
    ), status


@bp.route("/mentoring/rounds/<int:round_id>")
@login_required
def round_page(round_id: int):
    policy.require(policy.can_run_matching(current_user))
    return _round_page(_load_round(round_id))[0]


@bp.route("/mentoring/rounds/<int:round_id>/matches/<int:match_id>", methods=["POST"])
@login_required
def override(round_id: int, match_id: int):
    policy.require(policy.can_run_matching(current_user))
    round_ = _load_round(round_id)
    match = db.session.get(ProposedMatch, match_id)
    if match is None or match.round_id != round_.id:
        abort(404)
    names = dict(
        db.session.execute(
            select(User.id, User.display_name).where(
                User.id.in_([mentor_id for mentor_id, _score in match.alternates] or [0])
            )
        ).all()
    )
    form = _override_form(match, names, formdata=request.form)
    team_name, mentor_name = match.team.name, match.mentor.display_name
    if form.validate():
        kind, mentor_id = form.action.data, match.mentor_id
        if kind.startswith("swap-"):
            kind, mentor_id = "swap", int(kind.removeprefix("swap-"))
        try:
            services.override(
                round_, current_user, kind=kind, team_id=match.team_id, mentor_id=mentor_id, reason=form.reason.data
            )
        except ValidationFailed as error:
            db.session.rollback()
            flash_problems(error, form)
        else:
            db.commit()
            flash(
                _(
                    "Done for “%(team)s” (was with %(mentor)s); the round is solved again with your change.",
                    team=team_name,
                    mentor=mentor_name,
                ),
                "success",
            )
            return redirect(url_for("mentoring.round_page", round_id=round_.id))
    round_ = _load_round(round_id)
    return _round_page(round_, {match_id: form} if db.session.get(ProposedMatch, match_id) else {}, status=400)


@bp.route("/mentoring/rounds/<int:round_id>/<any(solve, confirm, discard):action>", methods=["POST"])
@login_required
def round_action(round_id: int, action: str):
    policy.require(policy.can_run_matching(current_user))
    round_ = _load_round(round_id)
    if not EmptyForm().validate():
        abort(400)
    try:
        if round_.state != "open":
            raise ValidationFailed([(None, _("This round is already closed."))])
        if action == "solve":
            services.solve(round_)
            message = _("The round is solved again, with your locks and bans kept.")
        elif action == "confirm":
            made = services.confirm(round_, current_user)
            message = _("The round is confirmed: %(num)d mentors are asked to accept their team.", num=len(made))
        else:
            services.discard(round_, current_user)
            message = _("The round is discarded; no one was told anything.")
    except ValidationFailed as error:
        db.session.rollback()
        flash_problems(error)
        return redirect(url_for("mentoring.round_page", round_id=round_id))
    db.commit()
    flash(message, "success")
    return redirect(url_for("mentoring.round_page", round_id=round_id))


# -- mentorships ------------------------------------------------------------------------------------
@bp.route("/mentoring/")
@login_required
def mine():
    mentorships = services.mentorships_of_mentor(current_user)
    policy.require(policy.can_edit_mentor_profile(current_user) or bool(mentorships))
    groups = {state: [m for m in mentorships if m.state == state] for state in ("offered", "active")}
    past = [m for m in mentorships if m.state in ("declined", "ended")]
    return render_template(
        "mentoring/mine.html",
        offered=groups["offered"],
        active=groups["active"],
        past=past,
        forms={m.id: ReasonForm(formdata=None, prefix=f"m{m.id}") for m in mentorships},
    )


def _load_team(team_id: int) -> Team:
    team = db.session.scalar(
        select(Team).where(Team.id == team_id).options(selectinload(Team.memberships).selectinload(Membership.user))
    )
    if team is None:
        abort(404)
    return team


@bp.route("/teams/<int:team_id>/mentoring")
@login_required
def team(team_id: int):
    team = _load_team(team_id)
    policy.require(policy.can_view_team_mentoring(current_user, team))
    mentorships = services.mentorships_of_team(team)
    needs = db.session.scalar(select(TeamNeeds).where(TeamNeeds.team_id == team.id))
    return render_template(
        "mentoring/team.html",
        team=team,
        needs=needs,
        current=[m for m in mentorships if m.state in services.OPEN_STATES],
        past=[m for m in mentorships if m.state not in services.OPEN_STATES],
        forms={m.id: ReasonForm(formdata=None, prefix=f"m{m.id}") for m in mentorships},
    )


DONE = {
    "accept": lambda m: _("You now mentor “%(team)s”. Say hello in the team's space.", team=m.team.name),
    "decline": lambda m: _(
        "You declined to mentor “%(team)s”. The coordinators will find the team another mentor.", team=m.team.name
    ),
    "withdraw": lambda m: _("The offer to %(mentor)s is withdrawn.", mentor=m.mentor.display_name),
    "end": lambda m: _(
        "The mentorship of %(mentor)s with “%(team)s” has ended.", mentor=m.mentor.display_name, team=m.team.name
    ),
}


@bp.route("/mentoring/mentorships/<int:mentorship_id>/<any(accept, decline, withdraw, end):action>", methods=["POST"])
@login_required
def move(mentorship_id: int, action: str):
    mentorship = db.session.get(Mentorship, mentorship_id)
    if mentorship is None:
        abort(404)
    allowed = {
        "accept": policy.can_answer_mentorship,
        "decline": policy.can_answer_mentorship,
        "withdraw": policy.can_cancel_offer,
        "end": policy.can_end_mentorship,
    }[action]
    back = request.form.get("next") or ""
    back = (
        back
        if back.startswith("/") and not back.startswith("//")
        else url_for("mentoring.team", team_id=mentorship.team_id)
    )
    if not allowed(current_user, mentorship):
        illegal = workflow.move_for(mentorship.state, action) is None
        if illegal and policy.is_party_to_mentorship(current_user, mentorship):
            flash(
                _(
                    "A mentorship that is %(state)s cannot be changed this way (%(action)s).",
                    state=workflow.STATE_LABELS[mentorship.state],
                    action=workflow.ACTION_LABELS[action],
                ),
                "error",
            )
            return redirect(back)
        abort(403)
    form = ReasonForm(prefix=f"m{mentorship.id}")
    if not form.validate():
        for message in form.reason.errors:
            flash(str(message), "error")
        return redirect(back)
    try:
        services.move(mentorship, action, current_user, form.reason.data)
    except ValidationFailed as error:
        db.session.rollback()
        flash_problems(error)
        return redirect(back)
    message = DONE[action](mentorship)
    db.commit()
    flash(message, "success")
    return redirect(back)
