"""Deleting an account: the person's data is erased; the records the law requires stay under a pseudonym.

The user row stays (grants, payments, reviews and the audit log point at it) but says nothing about the person:
"Former member · Ancien membre #<id>" (both languages, stored once), an address under the reserved .invalid
domain, no password that can match, a birth date
far in the past (so no age rule ever treats the row as a minor needing consent), no country, region or
organisation, no roles. What they wrote in teams' threads and proposals' comments reads "[erased · effacé]":
the threads keep their order. Their notices, preferences, sessions, recovery codes, mentor profile, pending
invitations and unfinished reviews go. Files they uploaded to a draft go (the team can upload again); files of
submitted proposals and of a project's evidence stay with the programme's records. Contributions keep their
amounts under the pseudonym; payee rows keep the money trail without the bank reference. Last, every text
column of every table is searched for their email address, full name and birth date (scrub.py).

Refused while the person leads a team whose funded project is under way, receives a team's grant money while
its project is under way, or is the only coordinator: someone has to take over first (blockers()).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from app import audit, db, jobs
from app.accounts.models import (
    ConsentRecord,
    ErasureRequest,
    GuardianConsent,
    RecoveryCode,
    RoleGrant,
    User,
    UserSession,
)
from app.calls.models import CallFunder
from app.db import utcnow
from app.ledger.models import Contribution, Grant
from app.mail.models import OutboxMessage
from app.mail.services import queue_email
from app.mentoring.models import (
    MatchRound,
    MentorConflict,
    MentorProfile,
    Mentorship,
    MentorVetting,
    ProposedMatch,
    RoundOverride,
)
from app.notices.models import Notification, NotificationPreference, ProposalComment
from app.payments.models import Disbursement, Payee
from app.privacy.scrub import Identity, scrub
from app.proposals.models import Attachment, Proposal
from app.reviews.models import ReviewAssignment
from app.teams.models import Invitation, Membership, Team
from app.teamspace.models import TeamMessage
from app.validation import ValidationFailed

PLACEHOLDER_BIRTH_DATE = date(1900, 1, 1)  # 120+ years: never a minor, never asked for consent
UNKNOWN_COUNTRY = "ZZ"  # ISO 3166 "unknown or unspecified"
UNUSABLE_PASSWORD = "!erased"  # noqa: S105 - not an argon2 hash: no password verifies against it
ERASED_BODY = "[erased · effacé]"  # stored once for readers of both languages
RUNNING_GRANTS = ("awarded", "active")  # money still to move, a project still to deliver


def pseudonym(user_id: int) -> str:
    """Stored once, for readers of both languages (like ERASED_BODY); the privacy pages show `shown_name`."""
    return f"Former member · Ancien membre #{user_id}"


def pseudonym_email(user_id: int) -> str:
    return f"erased-{user_id}@invalid"


def shown_name(user: User) -> str:
    """The name to show, in the reader's language for an erased account."""
    if user.erased_at is not None:
        return _("Former member #%(num)d", num=user.id)
    return user.display_name


def is_erased(user) -> bool:
    return getattr(user, "erased_at", None) is not None


# -- what stops it ----------------------------------------------------------------------------------
def blockers(user: User, *, own: bool = True) -> list:
    """Why the account cannot be deleted yet (empty when it can), worded for the person or for a coordinator."""
    problems = []
    led = db.session.scalars(select(Team.name).where(
        Team.lead_id == user.id,
        exists().where(Grant.team_id == Team.id, Grant.state.in_(RUNNING_GRANTS))).order_by(Team.name))
    for team in led:
        problems.append(
            _l("You lead “%(team)s”, whose funded project is under way: hand the lead to another member on the "
               "team's page first, or ask a coordinator if you are its only member.", team=team) if own else
            _l("This person leads “%(team)s”, whose funded project is under way: the lead must go to another "
               "member first.", team=team))
    paid = db.session.scalars(select(Team.name).join(Payee, Payee.team_id == Team.id).where(
        Payee.user_id == user.id,
        or_(exists().where(Grant.team_id == Team.id, Grant.state.in_(RUNNING_GRANTS)),
            exists().where(Disbursement.payee_id == Payee.id, Disbursement.state.in_(("pending", "failed")))))
        .order_by(Team.name))
    for team in paid:
        problems.append(
            _l("You receive the grant money of “%(team)s” while its project is under way: ask a coordinator to "
               "name another payee first.", team=team) if own else
            _l("This person receives the grant money of “%(team)s” while its project is under way: name another "
               "payee first.", team=team))
    if user.has_role("coordinator") and _coordinator_count() <= 1:
        problems.append(_l("You are the only coordinator: grant the role to someone else first.") if own else
                        _l("This person is the only coordinator."))
    return problems


def _coordinator_count() -> int:
    return db.session.scalar(select(func.count()).select_from(RoleGrant).join(User, User.id == RoleGrant.user_id)
                             .where(RoleGrant.role == "coordinator", User.erased_at.is_(None)))


# -- the erasure ------------------------------------------------------------------------------------
def erase_account(user: User, actor: User) -> None:
    """Erase the person's data (the actor is them, or a coordinator answering a guardian); raises
    ValidationFailed with the blockers. Flushes; the caller commits, then emails and file deletions run."""
    own = actor.id == user.id
    problems = blockers(user, own=own)
    if problems:
        raise ValidationFailed([(None, problem) for problem in problems])
    now = utcnow()
    identity = identity_of(user)
    address, locale = user.email, user.locale
    stored_keys: list[str] = []

    _leave_teams(user, actor, now, stored_keys)
    _forget_invitations(user)
    _erase_writing(user)
    _end_mentoring(user, actor, now)
    _forget_unfinished_reviews(user)
    db.session.execute(delete(CallFunder).where(CallFunder.user_id == user.id))
    _settle_consents(user, actor, now)
    _forget_personal_records(user)
    stored_keys += _forget_draft_uploads(user)
    _pseudonymise_money(user)
    _close_erasure_requests(user, actor, now)
    _pseudonymise(user, now)
    scrub([identity])
    audit.record(actor, "account.erased", user, by_coordinator=None if own else True)

    # Queued last, with the address captured before it was erased; the row goes once the email has left.
    message = queue_email(address, "privacy_account_erased", locale)
    jobs.enqueue(forget_sent_email, message.id)
    from app.proposals.services import delete_stored_file

    for key in stored_keys:
        jobs.enqueue(delete_stored_file, key)


def identity_of(user: User) -> Identity:
    first = user.first_name
    shared = db.session.scalar(select(func.count()).select_from(User).where(
        User.id != user.id, User.erased_at.is_(None),
        or_(func.lower(User.display_name) == first.lower(),
            func.lower(User.display_name).like(_prefix(first.lower()) + " %", escape="\\"))))
    references = db.session.scalars(select(Payee.bank_reference).where(
        Payee.user_id == user.id, Payee.bank_reference.is_not(None)))
    return Identity(email=user.email, name=user.display_name, first_name=None if shared else first,
                    birth_date=user.birth_date, replacement_name=pseudonym(user.id),
                    replacement_email=pseudonym_email(user.id),
                    extra=tuple((reference, "…") for reference in references))


def _prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _leave_teams(user: User, actor: User, now: datetime, stored_keys: list[str]) -> None:
    """The lead goes to the longest-standing other member; a team left with nobody is closed (below)."""
    from app.teams.services import hand_over_lead

    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)
                                     .options(selectinload(Membership.team).selectinload(Team.memberships)))
    for membership in list(memberships):
        team = membership.team
        others = sorted((m for m in team.memberships if m.user_id != user.id), key=lambda m: (m.joined_at, m.id))
        if team.lead_id == user.id and others:
            hand_over_lead(actor, team, others[0].user_id)
        team.memberships.remove(membership)
        db.session.flush()
        audit.record(actor, "team.member_erased", team, member_id=user.id)
        if not others:
            _close_empty_team(team, actor, now, stored_keys)


def _close_empty_team(team: Team, actor: User, now: datetime, stored_keys: list[str]) -> None:
    """Nobody is left: its drafts go (nobody else ever saw them), open invitations and mentorships end.
    What it submitted stays with the programme's records, under its name, led by the pseudonym."""
    drafts = db.session.scalars(select(Proposal).where(Proposal.team_id == team.id, Proposal.state == "draft")
                                .options(selectinload(Proposal.attachments)))
    for draft in drafts:
        stored_keys += [attachment.storage_key for attachment in draft.attachments]
        db.session.delete(draft)
    db.session.execute(update(Invitation).where(Invitation.team_id == team.id, Invitation.state == "pending")
                       .values(state="revoked", responded_at=now))
    db.session.execute(update(Mentorship).where(Mentorship.team_id == team.id,
                                                Mentorship.state.in_(("offered", "active")))
                       .values(state="ended", ended_at=now, ended_by_id=actor.id))
    db.session.flush()


def _forget_invitations(user: User) -> None:
    """Open invitations to the address go; answered ones stay as the team's history (the address is scrubbed)."""
    db.session.execute(delete(Invitation).where(Invitation.email == user.email, Invitation.state == "pending"))


def _erase_writing(user: User) -> None:
    db.session.execute(update(TeamMessage).where(TeamMessage.author_id == user.id).values(body=ERASED_BODY))
    db.session.execute(update(ProposalComment).where(ProposalComment.author_id == user.id).values(body=ERASED_BODY))


def _end_mentoring(user: User, actor: User, now: datetime) -> None:
    """The profile and declared conflicts go; background checks stay as the safeguarding record, without notes."""
    db.session.execute(delete(MentorProfile).where(MentorProfile.user_id == user.id))
    db.session.execute(delete(MentorConflict).where(MentorConflict.mentor_id == user.id))
    db.session.execute(update(MentorVetting).where(MentorVetting.mentor_id == user.id).values(note=""))
    open_rounds = select(MatchRound.id).where(MatchRound.state == "open")
    db.session.execute(delete(ProposedMatch).where(ProposedMatch.mentor_id == user.id,
                                                   ProposedMatch.round_id.in_(open_rounds)))
    db.session.execute(delete(RoundOverride).where(RoundOverride.mentor_id == user.id,
                                                   RoundOverride.round_id.in_(open_rounds)))
    db.session.execute(update(Mentorship).where(Mentorship.mentor_id == user.id,
                                                Mentorship.state.in_(("offered", "active")))
                       .values(state="ended", ended_at=now, ended_by_id=actor.id))


def _forget_unfinished_reviews(user: User) -> None:
    """Submitted reviews are part of the decisions made; unfinished ones (and declared conflicts) go."""
    db.session.execute(delete(ReviewAssignment).where(ReviewAssignment.reviewer_id == user.id,
                                                      ReviewAssignment.state != "submitted"))


def _settle_consents(user: User, actor: User, now: datetime) -> None:
    """Consent given for this person stays as the record that it was given; the guardian's address goes with
    it, and links sent for it stop working. Their standing consents end now."""
    for consent in db.session.scalars(select(GuardianConsent).where(GuardianConsent.minor_id == user.id)):
        consent.guardian_email = f"erased-consent-{consent.id}@invalid"
        consent.nonce = secrets.token_hex(8)
    db.session.execute(update(ConsentRecord).where(ConsentRecord.subject_id == user.id,
                                                   ConsentRecord.withdrawn_at.is_(None))
                       .values(withdrawn_at=now, withdrawn_by_id=actor.id))


def _forget_personal_records(user: User) -> None:
    for model in (Notification, NotificationPreference, UserSession, RecoveryCode):
        db.session.execute(delete(model).where(model.user_id == user.id))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == user.email))


def _forget_draft_uploads(user: User) -> list[str]:
    attachments = list(db.session.scalars(select(Attachment).join(Proposal, Proposal.id == Attachment.proposal_id)
                                          .where(Attachment.uploaded_by_id == user.id, Proposal.state == "draft")))
    keys = [attachment.storage_key for attachment in attachments]
    for attachment in attachments:
        db.session.delete(attachment)
    return keys


def _pseudonymise_money(user: User) -> None:
    """Amounts, dates and Stripe ids stay (the ledger and the tax records need them); the name does not."""
    db.session.execute(update(Contribution).where(Contribution.contributor_id == user.id)
                       .values(contributor_name=pseudonym(user.id)))
    db.session.execute(update(Payee).where(Payee.user_id == user.id).values(bank_reference=None))


def _close_erasure_requests(user: User, actor: User, now: datetime) -> None:
    db.session.execute(update(ErasureRequest).where(ErasureRequest.minor_id == user.id,
                                                    ErasureRequest.state == "pending")
                       .values(state="done", decided_at=now, decided_by_id=actor.id))


def _pseudonymise(user: User, now: datetime) -> None:
    user.email = pseudonym_email(user.id)
    user.display_name = pseudonym(user.id)
    user.password_hash = UNUSABLE_PASSWORD
    user.birth_date = PLACEHOLDER_BIRTH_DATE
    user.country, user.region, user.organisation, user.timezone = UNKNOWN_COUNTRY, None, None, "UTC"
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.email_confirmed_at = None
    user.session_version += 1  # every signed-in browser and remember-me cookie stops working
    user.erased_at = now
    user.role_grants.clear()
    db.session.flush()


def forget_sent_email(message_id: int) -> None:
    """Job: once the goodbye email has left, its row (the old address) goes too; `flask privacy purge`
    removes it later if the email could not be sent now."""
    message = db.session.get(OutboxMessage, message_id)
    if message is not None and message.state == "sent":
        db.session.delete(message)
        db.commit()
