"""Team space verbs: start a thread, post a message, log a meeting; and the queries the pages read.

Nothing here commits; the request does, and the notices' emails leave after it through the outbox.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app import audit, db, policy
from app.accounts.models import User
from app.accounts.services import path_for
from app.db import utcnow
from app.i18n import is_timezone
from app.mentoring.models import Mentorship
from app.teams.models import Team
from app.teamspace.forms import MAX_MINUTES, MESSAGE_LIMIT, MIN_MINUTES, NOTE_LIMIT, TITLE_LIMIT
from app.teamspace.models import MeetingLog, TeamMessage, TeamThread
from app.validation import ValidationFailed

MESSAGES_PER_PAGE = 50


# -- who is around a team ------------------------------------------------------------------------------
def active_mentors(team: Team) -> list[User]:
    """The mentors with an accepted, not ended mentorship of the team (vetting is the policy's question)."""
    return list(db.session.scalars(
        select(User).join(Mentorship, Mentorship.mentor_id == User.id)
        .where(Mentorship.team_id == team.id, Mentorship.state == "active").order_by(User.id).distinct()))


def active_mentor_ids(team: Team) -> set[int]:
    return set(db.session.scalars(select(Mentorship.mentor_id).where(
        Mentorship.team_id == team.id, Mentorship.state == "active")))


def _readers(team: Team) -> list[User]:
    """The team's members and the mentors who may read its space now; coordinators are not told of every message."""
    mentors = [mentor for mentor in active_mentors(team) if policy.can_view_team_space(mentor, team)]
    return [*team.members, *mentors]


# -- threads and messages ----------------------------------------------------------------------------------
def _clean_body(body: str | None, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationFailed([(field, _l("Write a message first."))])
    if len(body) > MESSAGE_LIMIT:
        raise ValidationFailed([(field, _l("Use at most %(num)d characters.", num=MESSAGE_LIMIT))])
    return body


def _require_poster(author: User, team: Team) -> None:
    if not policy.can_post_in_team_space(author, team):
        raise ValidationFailed([(None, _l("You cannot write in this team's space."))])


def start_thread(author: User, team: Team, title: str, body: str) -> TeamThread:
    """A new thread with its first message; the team's members and mentors are told."""
    _require_poster(author, team)
    title = (title or "").strip()
    errors = []
    if not title:
        errors.append(("title", _l("Give the thread a subject.")))
    elif len(title) > TITLE_LIMIT:
        errors.append(("title", _l("Use at most %(num)d characters.", num=TITLE_LIMIT)))
    try:
        body = _clean_body(body)
    except ValidationFailed as error:
        errors.extend(error.errors)
    if errors:
        raise ValidationFailed(errors)
    now = utcnow()
    thread = TeamThread(team_id=team.id, title=title, created_by_id=author.id, created_at=now, last_posted_at=now)
    thread.messages.append(TeamMessage(author_id=author.id, body=body, created_at=now))
    db.session.add(thread)
    db.session.flush()
    audit.record(author, "team_space.thread_started", thread, team=team.id)
    from app.safety.terms import flag_if_matching  # flagged terms send it to review; it stays visible

    flag_if_matching("team_message", thread.messages[0].id, f"{title}\n\n{body}", team.id)
    _tell_readers(author, thread, team)
    return thread


def post_message(author: User, thread: TeamThread, body: str) -> TeamMessage:
    """A reply in a thread; the thread moves to the top of the space and the others are told."""
    team = thread.team
    _require_poster(author, team)
    body = _clean_body(body)
    now = utcnow()
    message = TeamMessage(thread_id=thread.id, author_id=author.id, body=body, created_at=now)
    db.session.add(message)
    thread.last_posted_at = now
    db.session.flush()
    audit.record(author, "team_space.message_posted", message, thread=thread.id, team=team.id)
    from app.safety.terms import flag_if_matching  # flagged terms send it to review; it stays visible

    flag_if_matching("team_message", message.id, body, team.id)
    _tell_readers(author, thread, team, message)
    return message


def _tell_readers(author: User, thread: TeamThread, team: Team, message: TeamMessage | None = None) -> None:
    from app.notices.services import notify

    page = message_page(message) if message is not None else 1
    path = path_for("teamspace.thread", team_id=team.id, thread_id=thread.id, **({"page": page} if page > 1 else {}))
    if message is not None:
        path += f"#message-{message.id}"
    notify(_readers(team), "team_message", None, actor=author, path=path, thread=thread.title, team=team.name)


def note_coordinator_opened(coordinator: User, thread: TeamThread) -> None:
    """Trust and safety: every time a coordinator outside the team reads one of its threads is on record."""
    audit.record(coordinator, "team_space.opened_by_coordinator", thread, team=thread.team_id)
    db.session.flush()


def is_outside_coordinator(user: User, team: Team) -> bool:
    """A coordinator reading as staff: neither a member nor one of the team's mentors."""
    return policy.is_coordinator(user) and not team.has_member(user) and not policy.is_team_mentor(user, team)


# -- meetings ---------------------------------------------------------------------------------------------
def today_for(user: User) -> date:
    """Today where the person is: a meeting this evening in Montréal is not "in the future" in UTC."""
    zone = getattr(user, "timezone", None)
    return datetime.now(ZoneInfo(zone if zone and is_timezone(zone) else "UTC")).date()


def log_meeting(mentor: User, team: Team, *, met_on: date | None, minutes: int | None, topics: str,
                next_steps: str | None = None, today: date | None = None) -> MeetingLog:
    """A mentor's note of a meeting with the team; the team's members are told."""
    if not policy.can_log_meeting(mentor, team):
        raise ValidationFailed([(None, _l("Only the team's mentors can log its meetings."))])
    today = today or today_for(mentor)
    topics, next_steps = (topics or "").strip(), (next_steps or "").strip()
    errors = []
    if met_on is None:
        errors.append(("met_on", _l("Enter the date of the meeting, like 2027-03-15.")))
    elif met_on > today:
        errors.append(("met_on", _l("The meeting cannot be in the future: log it once it has taken place.")))
    if minutes is None or not MIN_MINUTES <= minutes <= MAX_MINUTES:
        errors.append(("minutes", _l("Give a length from %(min)d to %(max)d minutes (8 hours).", min=MIN_MINUTES,
                                     max=MAX_MINUTES)))
    if not topics:
        errors.append(("topics", _l("Say what you talked about.")))
    elif len(topics) > NOTE_LIMIT:
        errors.append(("topics", _l("Use at most %(num)d characters.", num=NOTE_LIMIT)))
    if len(next_steps) > NOTE_LIMIT:
        errors.append(("next_steps", _l("Use at most %(num)d characters.", num=NOTE_LIMIT)))
    if errors:
        raise ValidationFailed(errors)
    meeting = MeetingLog(team_id=team.id, mentor_id=mentor.id, met_on=met_on, minutes=minutes, topics=topics,
                         next_steps=next_steps)
    db.session.add(meeting)
    db.session.flush()
    audit.record(mentor, "team_space.meeting_logged", meeting, team=team.id, met_on=met_on.isoformat(),
                 minutes=minutes)
    from app.notices.services import notify

    notify(team.members, "meeting_logged", None, actor=mentor, path=path_for("teamspace.meetings", team_id=team.id),
           team=team.name)
    return meeting


# -- what the pages read ----------------------------------------------------------------------------------
def threads_query(team: Team) -> Select:
    """The team's threads, most recently active first."""
    return (select(TeamThread).where(TeamThread.team_id == team.id)
            .options(selectinload(TeamThread.created_by))
            .order_by(TeamThread.last_posted_at.desc(), TeamThread.id.desc()))


def message_counts(thread_ids: list[int]) -> dict[int, int]:
    """How many messages each thread has: one query for a whole page of threads."""
    if not thread_ids:
        return {}
    rows = db.session.execute(select(TeamMessage.thread_id, func.count(TeamMessage.id))
                              .where(TeamMessage.thread_id.in_(thread_ids)).group_by(TeamMessage.thread_id))
    return {thread_id: count for thread_id, count in rows}


def messages_query(thread: TeamThread) -> Select:
    """A thread's messages, oldest first, with their authors."""
    return (select(TeamMessage).where(TeamMessage.thread_id == thread.id)
            .options(selectinload(TeamMessage.author))
            .order_by(TeamMessage.created_at, TeamMessage.id))


def message_page(message: TeamMessage) -> int:
    """The page of its thread a message is on."""
    before = db.session.scalar(select(func.count(TeamMessage.id)).where(
        TeamMessage.thread_id == message.thread_id, TeamMessage.id < message.id)) or 0
    return before // MESSAGES_PER_PAGE + 1


def last_page(thread: TeamThread) -> int:
    total = db.session.scalar(select(func.count(TeamMessage.id)).where(TeamMessage.thread_id == thread.id)) or 0
    return max(1, -(-total // MESSAGES_PER_PAGE))


def meetings_query(team: Team) -> Select:
    """The team's meeting log, newest meeting first."""
    return (select(MeetingLog).where(MeetingLog.team_id == team.id)
            .options(selectinload(MeetingLog.mentor))
            .order_by(MeetingLog.met_on.desc(), MeetingLog.id.desc()))
