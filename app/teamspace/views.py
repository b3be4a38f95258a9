"""The team's space: threads, messages and the meeting log. load → check → form → service → commit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db, policy
from app.pagination import paginate
from app.teams.models import Membership, Team
from app.teamspace import services
from app.teamspace.forms import MeetingForm, MessageForm, ThreadForm
from app.teamspace.models import TeamThread
from app.validation import ValidationFailed, flash_problems

bp = Blueprint("teamspace", __name__, url_prefix="/teams/<int:team_id>/space")


def _page_number() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


def _load_team(team_id: int) -> Team:
    team = db.session.scalar(select(Team).where(Team.id == team_id)
                             .options(selectinload(Team.memberships).selectinload(Membership.user)))
    if team is None:
        abort(404)
    return team


def _load_viewable(team_id: int) -> Team:
    team = _load_team(team_id)
    policy.require(policy.can_view_team_space(current_user, team))
    return team


def _load_thread(team: Team, thread_id: int) -> TeamThread:
    thread = db.session.get(TeamThread, thread_id)
    if thread is None or thread.team_id != team.id:
        abort(404)  # another team's thread is not reachable through this team's address
    return thread


def _people(team: Team):
    """How authors are named: as on the proposal page, members' full names are for the team and coordinators
    (a mentor reads their first names); mentors and coordinators who write are named in full, with their role."""
    full_names = policy.can_view_team_details(current_user, team)
    mentor_ids = services.active_mentor_ids(team)
    member_ids = {membership.user_id for membership in team.memberships}

    def person(user) -> str:
        if user is None:
            return _("someone")
        return user.display_name if full_names or user.id not in member_ids else user.first_name

    def role_of(user) -> str | None:
        if user is None or user.id in member_ids:
            return None
        if user.id in mentor_ids:
            return _("mentor")
        return _("coordinator") if user.has_role("coordinator") else None

    return {"person": person, "role_of": role_of}


# -- the space: its threads ------------------------------------------------------------------------------
@bp.route("")
@login_required
def index(team_id: int):
    team = _load_viewable(team_id)
    return _space_page(team, ThreadForm(formdata=None))


def _space_page(team: Team, form: ThreadForm, status: int = 200):
    page = paginate(services.threads_query(team), _page_number(), current_app.config["PAGE_SIZE"])
    counts = services.message_counts([thread.id for thread in page.items])
    return render_template(
        "teamspace/index.html", team=team, page=page, counts=counts, form=form,
        can_post=policy.can_post_in_team_space(current_user, team),
        can_log=policy.can_log_meeting(current_user, team), **_people(team)), status


@bp.route("/threads", methods=["POST"])
@login_required
def start_thread(team_id: int):
    team = _load_team(team_id)
    policy.require(policy.can_post_in_team_space(current_user, team))
    form = ThreadForm()
    if form.validate_on_submit():
        try:
            thread = services.start_thread(current_user, team, form.title.data, form.body.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("Your thread is started."), "success")
            return redirect(url_for("teamspace.thread", team_id=team.id, thread_id=thread.id))
    return _space_page(team, form, 400)


# -- one thread -------------------------------------------------------------------------------------------
@bp.route("/threads/<int:thread_id>")
@login_required
def thread(team_id: int, thread_id: int):
    team = _load_viewable(team_id)
    thread = _load_thread(team, thread_id)
    if services.is_outside_coordinator(current_user, team):
        services.note_coordinator_opened(current_user, thread)
        db.commit()
    return _thread_page(team, thread, MessageForm(formdata=None))


def _thread_page(team: Team, thread: TeamThread, form: MessageForm, status: int = 200, page_number=None):
    page = paginate(services.messages_query(thread), page_number or _page_number(), services.MESSAGES_PER_PAGE)
    # Everyone who reads the space may report what they read: one answer for the whole page.
    can_report = bool(page.items) and policy.can_report_team_message(current_user, page.items[0])
    return render_template(
        "teamspace/thread.html", team=team, thread=thread, page=page, form=form, can_report=can_report,
        can_post=policy.can_post_in_team_space(current_user, team), **_people(team)), status


@bp.route("/threads/<int:thread_id>/messages", methods=["POST"])
@login_required
def post_message(team_id: int, thread_id: int):
    team = _load_team(team_id)
    policy.require(policy.can_post_in_team_space(current_user, team))
    thread = _load_thread(team, thread_id)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            message = services.post_message(current_user, thread, form.body.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            page = services.message_page(message)
            db.commit()
            flash(_("Your message is posted."), "success")
            return redirect(url_for("teamspace.thread", team_id=team.id, thread_id=thread.id,
                                    **({"page": page} if page > 1 else {})) + f"#message-{message.id}")
    # The reply form sits under the newest messages: show them again, with what was typed.
    return _thread_page(team, thread, form, 400, page_number=services.last_page(thread))


# -- the meeting log --------------------------------------------------------------------------------------
@bp.route("/meetings", methods=["GET", "POST"])
@login_required
def meetings(team_id: int):
    team = _load_viewable(team_id)
    can_log = policy.can_log_meeting(current_user, team)
    form = MeetingForm(formdata=None)
    status = 200
    if request.method == "POST":
        policy.require(can_log)
        form = MeetingForm()
        if form.validate_on_submit():
            try:
                services.log_meeting(current_user, team, met_on=form.met_on.data, minutes=form.minutes.data,
                                     topics=form.topics.data, next_steps=form.next_steps.data)
            except ValidationFailed as error:
                flash_problems(error, form)
            else:
                db.commit()
                flash(_("The meeting is logged. The team can read it here."), "success")
                return redirect(url_for("teamspace.meetings", team_id=team.id))
        status = 400
    elif can_log:
        form.met_on.data = services.today_for(current_user)
    page = paginate(services.meetings_query(team), _page_number(), current_app.config["PAGE_SIZE"])
    return render_template("teamspace/meetings.html", team=team, page=page, form=form, can_log=can_log,
                           today=services.today_for(current_user), **_people(team)), status
