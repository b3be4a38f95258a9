"""What can be reported or moderated, read through one shape whatever its kind.

A subject is named "<type>:<id>": a team message, a proposal comment, a proposal, a mentor's profile (the
MentorProfile's id) or a showcase page (the grant's id, the page's address: a page taken down and published
again is the same page, so a moderation decision stays with it). Reports, flags, moderation actions and content
statuses all point at subjects this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import lazyload, selectinload

from app import db, policy
from app.accounts.models import User
from app.accounts.services import path_for
from app.notices.models import ProposalComment
from app.safety.models import SUBJECT_TYPES
from app.teams.models import Team
from app.teamspace.models import TeamMessage, TeamThread

EXCERPT_LENGTH = 160
_SUBJECT = re.compile(r"^(?P<type>[a-z_]+):(?P<id>[0-9]{1,18})$")


class BadSubject(ValueError):
    """The subject is not written "<type>:<id>" with a type that can be reported."""


@dataclass
class Subject:
    """What a report, a flag or a decision is about: its text, who answers for it, its team and where it is read."""

    type: str
    id: int
    record: object
    team: Team | None
    author: User | None  # who wrote it; for a proposal or a showcase page, the team's lead, who answers for it
    body: str
    created_at: datetime
    place: str  # the thread's or the proposal's title, or the mentor's name

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
        if self.type == "proposal_comment":
            return path_for("proposals.show", proposal_id=self.record.proposal_id) + f"#comment-{self.id}"
        if self.type == "proposal":
            return path_for("proposals.show", proposal_id=self.id)
        if self.type == "mentor_profile":
            return path_for("mentors.show", user_id=self.record.user_id)
        return path_for("showcase.show", grant_id=self.id)


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


def _paragraphs(*parts: str | None) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


# -- one loader per kind: each reads every subject of its kind in one query -------------------------------
def _messages(ids) -> list[Subject]:
    messages = db.session.scalars(
        select(TeamMessage).where(TeamMessage.id.in_(ids))
        .options(selectinload(TeamMessage.author), selectinload(TeamMessage.thread).selectinload(TeamThread.team)))
    return [Subject("team_message", m.id, m, m.thread.team, m.author, m.body, m.created_at, m.thread.title)
            for m in messages]


def _comments(ids) -> list[Subject]:
    from app.proposals.models import Proposal

    comments = db.session.scalars(
        select(ProposalComment).where(ProposalComment.id.in_(ids))
        .options(selectinload(ProposalComment.author),
                 # Only the proposal's title and team are shown: not its budget or milestones.
                 selectinload(ProposalComment.proposal).options(lazyload("*"), selectinload(Proposal.team))))
    return [Subject("proposal_comment", c.id, c, c.proposal.team, c.author, c.body, c.created_at,
                    c.proposal.title or "") for c in comments]


def _proposals(ids) -> list[Subject]:
    from app.proposals.models import Proposal

    proposals = db.session.scalars(
        select(Proposal).where(Proposal.id.in_(ids))
        .options(lazyload("*"), selectinload(Proposal.team).selectinload(Team.lead)))
    return [Subject("proposal", p.id, p, p.team, p.team.lead,
                    _paragraphs(p.summary, p.problem, p.approach, p.audience), p.submitted_at or p.created_at,
                    p.title or "") for p in proposals]


def _profiles(ids) -> list[Subject]:
    from app.mentoring.models import MentorProfile

    profiles = db.session.scalars(
        select(MentorProfile).where(MentorProfile.id.in_(ids)).options(selectinload(MentorProfile.user)))
    return [Subject("mentor_profile", p.id, p, None, p.user, _paragraphs(p.bio, p.availability), p.updated_at,
                    p.user.display_name) for p in profiles]


def _showcase_pages(grant_ids) -> list[Subject]:
    from app.ledger.models import Grant
    from app.projects.models import Publication

    publications = db.session.scalars(
        select(Publication).where(Publication.grant_id.in_(grant_ids))
        .options(selectinload(Publication.grant).options(
            lazyload("*"), selectinload(Grant.team).selectinload(Team.lead),
            selectinload(Grant.proposal).options(lazyload("*")))))
    subjects = []
    for publication in publications:
        grant = publication.grant
        links = "\n".join(f"{item.get('label', '')}: {item.get('url', '')}" for item in publication.links or [])
        subjects.append(Subject("showcase_page", grant.id, publication, grant.team, grant.team.lead,
                                _paragraphs(publication.summary, links), publication.updated_at,
                                grant.proposal.title or ""))
    return subjects


LOADERS = {"team_message": _messages, "proposal_comment": _comments, "proposal": _proposals,
           "mentor_profile": _profiles, "showcase_page": _showcase_pages}
assert set(LOADERS) == set(SUBJECT_TYPES)


def load_subjects(keys) -> dict[tuple[str, int], Subject]:
    """The subjects named by (type, id) pairs, one query per kind (whatever their number); gone ones are left out."""
    wanted: dict[str, set[int]] = {}
    for kind, number in keys:
        wanted.setdefault(kind, set()).add(number)
    found: dict[tuple[str, int], Subject] = {}
    for kind, ids in wanted.items():
        if ids and kind in LOADERS:
            found.update({(subject.type, subject.id): subject for subject in LOADERS[kind](ids)})
    return found


def find_subject(text: str | None) -> Subject | None:
    """The subject "<type>:<id>" names; BadSubject when it is malformed, None when there is no such thing."""
    key = parse_subject(text)
    return load_subjects([key]).get(key)


def can_report(user, subject: Subject) -> bool:
    """You may report only what you can read."""
    rules = {
        "team_message": policy.can_report_team_message,
        "proposal_comment": policy.can_report_comment,
        "proposal": policy.can_report_proposal,
        "mentor_profile": policy.can_report_mentor_profile,
        "showcase_page": policy.can_report_showcase_page,
    }
    return rules[subject.type](user, subject.record)
