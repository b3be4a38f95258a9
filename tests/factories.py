"""Factories: build valid records with one call, overriding only what a test cares about."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlalchemy import select

from app import db
from app.accounts.models import GuardianConsent, RoleGrant, User
from app.accounts.passwords import hash_password
from app.db import utcnow
from app.teams.models import Membership, Team

PASSWORD = "correct horse battery"  # noqa: S105
_PASSWORD_HASH: str | None = None
_counter = itertools.count(1)


def password_hash() -> str:
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = hash_password(PASSWORD)
    return _PASSWORD_HASH


def birth_date_for(age: int) -> date:
    today = date.today()
    try:
        return today.replace(year=today.year - age) - timedelta(days=30)
    except ValueError:  # 29 February
        return today.replace(year=today.year - age, day=28) - timedelta(days=30)


ALL_PURPOSES = ("participation", "mentoring", "showcase", "photos")


def create_user(*roles: str, email: str | None = None, name: str | None = None, age: int = 25,
                country: str = "CA", region: str | None = None, confirmed: bool = True, locale: str = "en",
                consent: str | None = None, guardian_email: str | None = None,
                purposes: tuple[str, ...] = ALL_PURPOSES, own: tuple[str, ...] | None = None) -> User:
    """A user with the given roles (youth by default); consent='given'|'requested'|'refused' adds a request.

    A given request also records consent per purpose: the guardian's for `purposes` (taking part always) and the
    young person's own agreement for `own` (the same purposes by default)."""
    n = next(_counter)
    user = User(
        email=email or f"person{n}@example.org", display_name=name or f"Person{n} Example",
        password_hash=password_hash(), birth_date=birth_date_for(age), country=country, region=region,
        locale=locale, timezone="America/Toronto", conduct_accepted_at=utcnow(),
        email_confirmed_at=utcnow() if confirmed else None,
    )
    user.role_grants.extend(RoleGrant(role=role) for role in (roles or ("youth",)))
    db.session.add(user)
    db.session.flush()
    if consent:
        db.session.add(GuardianConsent(minor_id=user.id, guardian_email=guardian_email or f"guardian{n}@example.org",
                                       state=consent, nonce="n" * 16,
                                       decided_at=utcnow() if consent != "requested" else None))
        db.session.flush()
        db.session.expire(user, ["consent_requests"])
    if consent == "given":
        record_consents(user, purposes, own=purposes if own is None else own)
    return user


def record_consents(user: User, purposes=ALL_PURPOSES, *, own=(), guardian: User | None = None) -> None:
    """Standing consent records, as the consent pages leave them: the guardian's for `purposes` (taking part
    always), the young person's own agreement for `own` (taking part is their sign-up, so never theirs); what
    already stands is kept."""
    from app.accounts.models import ConsentRecord

    standing = {(given_as, purpose) for given_as, purpose in db.session.execute(
        select(ConsentRecord.given_as, ConsentRecord.purpose).where(
            ConsentRecord.subject_id == user.id, ConsentRecord.withdrawn_at.is_(None)))}
    answers = [*(("guardian", purpose) for purpose in dict.fromkeys(("participation", *purposes))),
               *(("self", purpose) for purpose in dict.fromkeys(own) if purpose != "participation")]
    for given_as, purpose in (answer for answer in answers if answer not in standing):
        db.session.add(ConsentRecord(
            subject_id=user.id, purpose=purpose, given_as=given_as, wording_version="test", wording="I agree.",
            given_by_id=(guardian.id if guardian else None) if given_as == "guardian" else user.id))
    db.session.flush()


def create_team(lead: User | None = None, *members: User, name: str | None = None, country: str = "CA") -> Team:
    lead = lead or create_user()
    team = Team(name=name or f"Team {next(_counter)}", description="We make videos.", country=country,
                languages=["en", "fr"], lead_id=lead.id)
    team.memberships.append(Membership(user_id=lead.id))
    for member in members:
        team.memberships.append(Membership(user_id=member.id))
    db.session.add(team)
    db.session.flush()
    return team


def create_call(owner: User | None = None, *, title: str | None = None, state: str = "published",
                pool: int = 2_000_000, max_award: int = 500_000, currency: str = "CAD", opens_in_days: int = -7,
                closes_in_days: int = 30, criteria: list[tuple[str, int, bool]] | None = None,
                funded: int | None = None, **fields):
    """A call with a rubric; amounts in cents. criteria: (title, weight, allow_not_applicable) tuples.

    The pool has received `funded` (the whole pool by default) as a bank transfer, so awards can be made."""
    from app.calls.models import Call, Criterion

    owner = owner or create_user("funder")
    now = utcnow()
    call = Call(title=title or f"Call {next(_counter)}", description="Projects that answer hate with facts.",
                themes=["counter_narratives"], currency=currency, pool_amount=pool, max_award=max_award,
                opens_at=now + timedelta(days=opens_in_days), closes_at=now + timedelta(days=closes_in_days),
                timezone="America/Toronto", state=state, owner_id=owner.id,
                published_at=now if state != "draft" else None, **fields)
    for position, (name, weight, allow_na) in enumerate(criteria or [("Impact", 2, False), ("Feasibility", 1, True)]):
        call.criteria.append(Criterion(position=position, title=name, weight=weight, allow_not_applicable=allow_na,
                                       description=f"How well the project does on {name.lower()}.",
                                       level_descriptors=["Weak", "Fair", "Good", "Very good", "Excellent"]))
    db.session.add(call)
    db.session.flush()
    funded = pool if funded is None else funded
    if funded:
        contribute(call, funded)
    return call


def contribute(call, amount: int, *, name: str = "Fondation Exemple", reference: str | None = None):
    """A completed bank-transfer contribution to the call's pool, with its ledger entry."""
    from app.ledger.balances import CONTRIBUTION
    from app.ledger.models import Contribution, LedgerEntry

    contribution = Contribution(call_id=call.id, contributor_name=name, amount=amount, currency=call.currency,
                                method="offline", state="completed", completed_at=utcnow(),
                                reference=reference or f"BANK-{next(_counter)}")
    db.session.add(contribution)
    db.session.flush()
    db.session.add(LedgerEntry(call_id=call.id, kind=CONTRIBUTION, amount=amount, currency=call.currency,
                               contribution_id=contribution.id, source_key=f"contribution:{contribution.id}",
                               reference=contribution.reference))
    db.session.flush()
    return contribution


def create_proposal(team: Team | None = None, call=None, *, state: str = "draft", amount: int = 300_000,
                    title: str | None = None, tranches: list[int] | None = None):
    """A complete proposal: text, one budget line and milestones whose tranches add up to the amount."""
    from app.proposals.models import BudgetLine, PlannedMilestone, Proposal

    team = team or create_team()
    call = call or create_call()
    tranches = tranches or [amount // 2, amount - amount // 2]
    proposal = Proposal(call_id=call.id, team_id=team.id, title=title or f"Project {next(_counter)}",
                        summary="Podcasts by teenagers.", problem="Hate speech online.",
                        approach="Weekly episodes.", audience="Teenagers in Montréal.", expected_reach=2000,
                        themes=["counter_narratives"], amount_requested=amount, state=state,
                        version=0 if state == "draft" else 1, submitted_at=None if state == "draft" else utcnow(),
                        amount_awarded=amount if state == "awarded" else None, created_by_id=team.lead_id)
    proposal.budget_lines.append(BudgetLine(position=0, category="equipment", description="Microphones",
                                            amount=amount))
    for position, tranche in enumerate(tranches):
        proposal.milestones.append(PlannedMilestone(position=position, title=f"Step {position + 1}",
                                                    deliverable="Episodes online",
                                                    due_date=date.today() + timedelta(days=60 * (position + 1)),
                                                    tranche_amount=tranche))
    db.session.add(proposal)
    db.session.flush()
    if state == "awarded":  # as the award decision leaves it: a grant, and the commitment in the ledger
        from app.ledger.services import open_grant

        open_grant(None, proposal, amount)
    return proposal


def create_assignment(proposal, reviewer: User | None = None, *, state: str = "assigned",
                      scores: list[int | None] | None = None, recommendation: str = "fund", comment: str = "",
                      conflict_reason: str = "I know the team."):
    """A reviewer's assignment in any state; a submitted one scores the call's criteria in order (None = n/a)."""
    from app.reviews.models import CriterionScore, ReviewAssignment

    reviewer = reviewer or create_user("funder")
    now = utcnow()
    assignment = ReviewAssignment(proposal_id=proposal.id, reviewer_id=reviewer.id, state=state,
                                  due_at=proposal.call.review_deadline,
                                  accepted_at=now if state in ("accepted", "submitted") else None)
    if state == "conflict_declared":
        assignment.conflict_reason, assignment.conflict_declared_at = conflict_reason, now
    if state == "submitted":
        values = scores if scores is not None else [4] * len(proposal.call.criteria)
        assignment.scores = [CriterionScore(criterion_id=criterion.id, score=value, comment="")
                             for criterion, value in zip(proposal.call.criteria, values, strict=True)]
        assignment.recommendation, assignment.comment, assignment.submitted_at = recommendation, comment, now
    db.session.add(assignment)
    db.session.flush()
    return assignment


def create_mentor(user: User | None = None, *, vetted: bool = True, capacity: int = 2,
                  expertise: tuple[str, ...] = ("video",), languages: tuple[str, ...] = ("en", "fr"),
                  timezone: str = "America/Toronto", name: str | None = None, **fields) -> User:
    """A mentor with a profile; vetted=True adds a background check valid for a year, False adds none."""
    from app.mentoring.models import MentorProfile, MentorVetting

    user = user or create_user("mentor", name=name)
    db.session.add(MentorProfile(user_id=user.id, expertise=list(expertise), languages=list(languages),
                                 timezone=timezone, capacity=capacity, conduct_accepted_at=utcnow(), **fields))
    if vetted:
        today = date.today()
        db.session.add(MentorVetting(mentor_id=user.id, kind="police_check", checked_on=today - timedelta(days=30),
                                     expires_on=today + timedelta(days=335)))
    db.session.flush()
    return user


def create_mentorship(team: Team, mentor: User, *, state: str = "active"):
    from app.mentoring.models import Mentorship

    now = utcnow()
    mentorship = Mentorship(team_id=team.id, mentor_id=mentor.id, state=state, offered_at=now,
                            accepted_at=now if state in ("active", "ended") else None,
                            ended_at=now if state in ("declined", "ended") else None)
    db.session.add(mentorship)
    db.session.flush()
    return mentorship


def create_project(team: Team | None = None, call=None, *, state: str = "active", approved: int = 0,
                   reach: tuple[int, int, int] = (100, 2, 1), amount: int = 300_000, title: str | None = None,
                   published: bool = False, submitted: int = 0):
    """An awarded proposal's grant as delivery leaves it: `state` active (agreement signed) or completed, with
    its first `approved` milestones approved (each reporting `reach` = people, pieces, events) and the next
    `submitted` ones waiting for a decision. Rows are written directly, without the services' checks."""
    from app.ledger.services import grant_of
    from app.projects.models import EvidenceSubmission, ProjectMilestone, Publication

    proposal = create_proposal(team, call, state="awarded", amount=amount, title=title)
    grant = grant_of(proposal)
    now = utcnow()
    if state in ("active", "completed"):
        sign_agreement(grant)
    milestones = list(db.session.scalars(
        select(ProjectMilestone).where(ProjectMilestone.grant_id == grant.id).order_by(ProjectMilestone.position)))
    if state == "completed":
        approved = len(milestones)
    for index, milestone in enumerate(milestones):
        if index < approved + submitted:
            people, pieces, events = reach
            milestone.submissions.append(EvidenceSubmission(
                number=1, report="Done.", links=[], people_reached=people, content_pieces=pieces,
                events_held=events, submitted_by_id=proposal.team.lead_id))
            milestone.state, milestone.submitted_at = "submitted", now
        if index < approved:
            milestone.state, milestone.approved_at = "approved", now
            milestone.tranche.state = "payable"
    if state == "completed":
        grant.state, grant.completed_at = "completed", now
    if published:
        db.session.add(Publication(grant_id=grant.id, summary=proposal.summary, links=[],
                                   published_by_id=proposal.team.lead_id))
    db.session.flush()
    return grant


def sign_agreement(grant):
    """The grant's agreement accepted by the team's lead: the project is active and its money can be paid."""
    from app.projects.agreements import current_template
    from app.projects.models import GrantAgreement

    template = current_template(grant.call)
    db.session.add(GrantAgreement(grant_id=grant.id, template_id=template.id, version=template.version,
                                  text_accepted=template.body, accepted_by_id=grant.team.lead_id))
    grant.state, grant.activated_at = "active", utcnow()
    db.session.flush()
    return grant
