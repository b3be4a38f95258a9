"""Concerns: reporting one, closing a report, and the coordinators' queue.

A report names its subject as "<type>:<id>" (app/safety/subjects.py reads every kind through one Subject), so
the moderation decisions (app/safety/moderation.py) act on that one shape. Nothing here commits; the request does.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import audit, db, policy
from app.accounts.models import RoleGrant, User
from app.accounts.services import path_for
from app.db import utcnow
from app.safety.forms import DETAIL_LIMIT, RESOLUTION_LIMIT
from app.safety.labels import CATEGORY_LABELS
from app.safety.models import CATEGORIES, REPORT_STATES, Report
from app.safety.subjects import (  # noqa: F401 - the Subject abstraction, used through this module too
    EXCERPT_LENGTH,
    BadSubject,
    Subject,
    can_report,
    excerpt,
    find_subject,
    load_subjects,
    parse_subject,
)
from app.validation import ValidationFailed

# (state, action) -> new state. Moderation decisions close a report too (app/safety/moderation.py); an upheld
# appeal against a dismissal opens it again.
MOVES = {("open", "close"): "closed", ("open", "decide"): "closed", ("closed", "reopen"): "open"}


class AlreadyReported(Exception):
    """The person already has an open report on this subject."""

    def __init__(self, report: Report):
        super().__init__(f"report {report.id} is still open")
        self.report = report


# The triage order: risk to a child or imminent harm first, then violent extremism or someone's personal
# details exposed, then hate speech, then the rest. Within a tier the oldest report comes first.
SEVERITY = {"child_risk": 0, "imminent_harm": 0, "violent_extremism": 1, "personal_details": 1, "hate_speech": 2,
            "harassment": 3, "spam": 3, "other": 3}
assert set(SEVERITY) == set(CATEGORIES)


def open_report_by(reporter: User, subject: Subject) -> Report | None:
    return db.session.scalar(select(Report).where(
        Report.reporter_id == reporter.id, Report.subject_type == subject.type, Report.subject_id == subject.id,
        Report.state == "open").limit(1))


# -- verbs ----------------------------------------------------------------------------------------------------
def report(reporter: User | None, subject: Subject, category: str, detail: str | None = None) -> Report:
    """Record a concern and tell every coordinator; AlreadyReported when the person's earlier one is still open.

    reporter is None for a visitor who is not signed in: only a public showcase page can be reported that way."""
    if not can_report(reporter, subject) or (reporter is None and subject.type != "showcase_page"):
        raise ValidationFailed([(None, _l("You can only report what you can read."))])
    detail = (detail or "").strip()
    errors = []
    if category not in CATEGORIES:
        errors.append(("category", _l("Choose the kind of concern closest to what you saw.")))
    if len(detail) > DETAIL_LIMIT:
        errors.append(("detail", _l("Use at most %(num)d characters.", num=DETAIL_LIMIT)))
    if errors:
        raise ValidationFailed(errors)
    existing = open_report_by(reporter, subject) if reporter is not None else None
    if existing is not None:
        raise AlreadyReported(existing)
    team_id = subject.team.id if subject.team is not None else None
    concern = Report(reporter_id=getattr(reporter, "id", None), subject_type=subject.type, subject_id=subject.id,
                     team_id=team_id, category=category, severity=SEVERITY[category], detail=detail)
    try:
        with db.session.begin_nested():  # the unique index decides when two requests race past the check above
            db.session.add(concern)
            db.session.flush()
    except IntegrityError:
        existing = open_report_by(reporter, subject) if reporter is not None else None
        if existing is None:
            raise
        raise AlreadyReported(existing) from None
    audit.record(reporter, "report.created", concern, subject_type=subject.type, subject_id=subject.id,
                 category=category, team=team_id, anonymous=True if reporter is None else None)
    _tell_coordinators(reporter, concern)
    return concern


def _tell_coordinators(reporter: User | None, concern: Report) -> None:
    from app.notices.services import notify

    path = path_for("safety.show", report_id=concern.id)
    for coordinator in coordinators():
        # The notice keeps its sentence's words: the category is written in the coordinator's language.
        with force_locale(coordinator.locale or "en"):
            category = str(CATEGORY_LABELS[concern.category])
            # A visitor who is not signed in is named as such (nobody's id, so nobody is left out as "the actor").
            actor = reporter or SimpleNamespace(id=None, first_name=str(_l("A visitor")))
        notify([coordinator], "concern_reported", None, actor=actor, path=path, category=category)


def coordinators() -> list[User]:
    return list(db.session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                   .where(RoleGrant.role == "coordinator").order_by(User.id)))


def _move(concern: Report, action: str) -> str:
    new_state = MOVES.get((concern.state, action))
    if new_state is None:
        raise ValidationFailed([(None, _l("This report is already closed."))])
    return new_state


def close_report(coordinator: User, concern: Report, resolution: str | None) -> Report:
    """Close a report with a note of what was checked and done, and no decision (a duplicate, say); the note is
    required. A decision about the content closes the report too, with a statement of reasons (moderation.py)."""
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
