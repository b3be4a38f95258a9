"""Concerns: what can be reported, reporting it, closing a report, and the coordinators' queue.

A report names its subject as "<type>:<id>" (a team message, a proposal comment). Every kind of subject is
read through one Subject, so the moderation actions that come later (content warnings, removal, suspension,
appeals) act on that one shape, and are new moves in MOVES. Nothing here commits; the request does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload, selectinload

from app import audit, db, policy
from app.accounts.models import RoleGrant, User
from app.accounts.services import path_for
from app.db import utcnow
from app.notices.models import ProposalComment
from app.safety.forms import DETAIL_LIMIT, RESOLUTION_LIMIT
from app.safety.labels import CATEGORY_LABELS
from app.safety.models import CATEGORIES, REPORT_STATES, SUBJECT_TYPES, Report
from app.teams.models import Team
from app.teamspace.models import TeamMessage, TeamThread
from app.validation import ValidationFailed

EXCERPT_LENGTH = 160
_SUBJECT = re.compile(r"^(?P<type>[a-z_]+):(?P<id>[0-9]{1,18})$")
# (state, action) -> new state; the later moderation work adds its moves here.
MOVES = {("open", "close"): "closed"}


class BadSubject(ValueError):
    """The subject is not written "<type>:<id>" with a type that can be reported."""


class AlreadyReported(Exception):
    """The person already has an open report on this subject."""

    def __init__(self, report: Report):
        super().__init__(f"report {report.id} is still open")
        self.report = report


@dataclass
class Subject:
    """What a report is about, whatever its kind: its text, author, team and where it is read."""

    type: str
    id: int
    record: TeamMessage | ProposalComment
    team: Team
    author: User | None
    body: str
    created_at: datetime
    place: str  # the thread's or the proposal's title

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"

    @property
    def excerpt(self) -> str:
        return excerpt(self.body)

    def path(self) -> str:
        """Where the subject is read, in context (one query for a team message's page)."""
        if self.type == "team_message":
            from app.teamspace.services import message_page

            page = message_page(self.record)
            values = {"page": page} if page > 1 else {}
            return path_for("teamspace.thread", team_id=self.team.id, thread_id=self.record.thread_id,
                            **values) + f"#message-{self.id}"
        return path_for("proposals.show", proposal_id=self.record.proposal_id) + f"#comment-{self.id}"


def excerpt(text: str | None, length: int = EXCERPT_LENGTH) -> str:
    """The start of a text on one line, cut between words."""
    flat = " ".join((text or "").split())
    if len(flat) <= length:
        return flat
    cut = flat[:length].rsplit(" ", 1)[0] or flat[:length]
    return cut.rstrip(",.;:") + "…"


def parse_subject(text: str | None) -> tuple[str, int]:
    match = _SUBJECT.match((text or "").strip())
    if match is None or match["type"] not in SUBJECT_TYPES:
        raise BadSubject(text)
    return match["type"], int(match["id"])


def _message_subject(message: TeamMessage) -> Subject:
    return Subject("team_message", message.id, message, message.thread.team, message.author, message.body,
                   message.created_at, message.thread.title)


def _comment_subject(comment: ProposalComment) -> Subject:
    return Subject("proposal_comment", comment.id, comment, comment.proposal.team, comment.author, comment.body,
                   comment.created_at, comment.proposal.title or "")


def load_subjects(keys) -> dict[tuple[str, int], Subject]:
    """The subjects named by (type, id) pairs, one query per kind (whatever their number); gone ones are left out."""
    wanted: dict[str, set[int]] = {}
    for kind, number in keys:
        wanted.setdefault(kind, set()).add(number)
    found: dict[tuple[str, int], Subject] = {}
    if wanted.get("team_message"):
        messages = db.session.scalars(
            select(TeamMessage).where(TeamMessage.id.in_(wanted["team_message"]))
            .options(selectinload(TeamMessage.author), selectinload(TeamMessage.thread).selectinload(TeamThread.team)))
        found.update({("team_message", m.id): _message_subject(m) for m in messages})
    if wanted.get("proposal_comment"):
        from app.proposals.models import Proposal

        comments = db.session.scalars(
            select(ProposalComment).where(ProposalComment.id.in_(wanted["proposal_comment"]))
            .options(selectinload(ProposalComment.author),
                     # Only the proposal's title and team are shown: not its budget or milestones.
                     selectinload(ProposalComment.proposal).options(lazyload("*"), selectinload(Proposal.team))))
        found.update({("proposal_comment", c.id): _comment_subject(c) for c in comments})
    return found


def find_subject(text: str | None) -> Subject | None:
    """The subject "<type>:<id>" names; BadSubject when it is malformed, None when there is no such thing."""
    key = parse_subject(text)
    return load_subjects([key]).get(key)


def can_report(user, subject: Subject) -> bool:
    """You may report only what you can read."""
    if subject.type == "team_message":
        return policy.can_report_team_message(user, subject.record)
    return policy.can_report_comment(user, subject.record)


def open_report_by(reporter: User, subject: Subject) -> Report | None:
    return db.session.scalar(select(Report).where(
        Report.reporter_id == reporter.id, Report.subject_type == subject.type, Report.subject_id == subject.id,
        Report.state == "open").limit(1))


# -- verbs ----------------------------------------------------------------------------------------------------
def report(reporter: User, subject: Subject, category: str, detail: str | None = None) -> Report:
    """Record a concern and tell every coordinator; AlreadyReported when the person's earlier one is still open."""
    if not can_report(reporter, subject):
        raise ValidationFailed([(None, _l("You can only report what you can read."))])
    detail = (detail or "").strip()
    errors = []
    if category not in CATEGORIES:
        errors.append(("category", _l("Choose the kind of concern closest to what you saw.")))
    if len(detail) > DETAIL_LIMIT:
        errors.append(("detail", _l("Use at most %(num)d characters.", num=DETAIL_LIMIT)))
    if errors:
        raise ValidationFailed(errors)
    existing = open_report_by(reporter, subject)
    if existing is not None:
        raise AlreadyReported(existing)
    concern = Report(reporter_id=reporter.id, subject_type=subject.type, subject_id=subject.id,
                     team_id=subject.team.id, category=category, severity=CATEGORIES.index(category), detail=detail)
    try:
        with db.session.begin_nested():  # the unique index decides when two requests race past the check above
            db.session.add(concern)
            db.session.flush()
    except IntegrityError:
        existing = open_report_by(reporter, subject)
        if existing is None:
            raise
        raise AlreadyReported(existing) from None
    audit.record(reporter, "report.created", concern, subject_type=subject.type, subject_id=subject.id,
                 category=category, team=subject.team.id)
    _tell_coordinators(reporter, concern)
    return concern


def _tell_coordinators(reporter: User, concern: Report) -> None:
    from app.notices.services import notify

    path = path_for("safety.show", report_id=concern.id)
    for coordinator in coordinators():
        # The notice keeps its sentence's words: the category is written in the coordinator's language.
        with force_locale(coordinator.locale or "en"):
            category = str(CATEGORY_LABELS[concern.category])
        notify([coordinator], "concern_reported", None, actor=reporter, path=path, category=category)


def coordinators() -> list[User]:
    return list(db.session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                   .where(RoleGrant.role == "coordinator").order_by(User.id)))


def _move(concern: Report, action: str) -> str:
    new_state = MOVES.get((concern.state, action))
    if new_state is None:
        raise ValidationFailed([(None, _l("This report is already closed."))])
    return new_state


def close_report(coordinator: User, concern: Report, resolution: str | None) -> Report:
    """Close a report with a note of what was checked and done; the note is required."""
    if not policy.can_view_reports(coordinator):
        raise ValidationFailed([(None, _l("Only coordinators close reports."))])
    new_state = _move(concern, "close")
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationFailed([("resolution", _l("Say what was done, for the record."))])
    if len(resolution) > RESOLUTION_LIMIT:
        raise ValidationFailed([("resolution", _l("Use at most %(num)d characters.", num=RESOLUTION_LIMIT))])
    concern.state, concern.closed_at, concern.closed_by_id = new_state, utcnow(), coordinator.id
    concern.resolution = resolution
    db.session.flush()
    audit.record(coordinator, "report.closed", concern, category=concern.category, team=concern.team_id)
    return concern


# -- the queue --------------------------------------------------------------------------------------------------
def reports_query(state: str = "open") -> Select:
    """Open reports most serious first, then oldest first; closed ones most recently closed first."""
    state = state if state in REPORT_STATES else "open"
    query = (select(Report).where(Report.state == state)
             .options(selectinload(Report.reporter), selectinload(Report.team), selectinload(Report.closed_by)))
    if state == "open":
        return query.order_by(Report.severity, Report.created_at, Report.id)
    return query.order_by(Report.closed_at.desc(), Report.id.desc())


def open_count() -> int:
    return db.session.scalar(select(func.count(Report.id)).where(Report.state == "open")) or 0
