"""How long the portal keeps what it no longer needs, and `flask privacy purge`, which applies it.

Each rule finds what has outlived its purpose and removes it:
- declined and withdrawn proposals untouched for RETENTION_DECLINED_MONTHS (24) months, with their files;
- sessions ended (or unused) for RETENTION_SESSION_DAYS (90) days;
- recovery codes used more than RETENTION_SESSION_DAYS days ago, and leftovers of two-factor sign-in that was
  turned off (a day's grace for a set-up in progress);
- accounts whose email address was never confirmed, RETENTION_UNCONFIRMED_DAYS (30) days after sign-up, when
  nothing was done with them (no team, proposal, message, comment, money or recent sign-in): deleted outright,
  after the same search for their address and name in every table as an erasure;
- notices read more than RETENTION_NOTICE_DAYS (365) days ago;
- emails sent more than RETENTION_EMAIL_DAYS (90) days ago, and goodbye emails to erased accounts once sent
  or given up.
Grants, payments, the ledger, reviews that were submitted and the audit log are never purged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, or_, select
from sqlalchemy.orm import selectinload

from app import audit, db, jobs
from app.accounts.models import RecoveryCode, User, UserSession
from app.ledger.models import Contribution, Grant
from app.mail.models import OutboxMessage
from app.notices.models import Notification, ProposalComment
from app.payments.models import Payee
from app.privacy.erasure import pseudonym, pseudonym_email
from app.privacy.scrub import Identity, scrub
from app.proposals.models import Proposal
from app.teams.models import Membership, Team
from app.teamspace.models import TeamMessage

DEFAULTS = {
    "RETENTION_DECLINED_MONTHS": 24,
    "RETENTION_SESSION_DAYS": 90,
    "RETENTION_UNCONFIRMED_DAYS": 30,
    "RETENTION_NOTICE_DAYS": 365,
    "RETENTION_EMAIL_DAYS": 90,
}
SETUP_GRACE = timedelta(days=1)


def setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def months_before(moment: datetime, months: int) -> datetime:
    """The same day `months` earlier (the month's last day when the day does not exist then)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month + 1, day=day)
        except ValueError:
            day -= 1


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    find: Callable[[datetime], list]  # the rows (or ids) that have outlived their purpose
    remove: Callable[[list], None]
    label: Callable[[object], str]


# -- declined and withdrawn proposals ---------------------------------------------------------------
def _old_proposals(now: datetime) -> list[Proposal]:
    cutoff = months_before(now, setting("RETENTION_DECLINED_MONTHS"))
    return list(db.session.scalars(
        select(Proposal).where(Proposal.state.in_(("declined", "withdrawn")), Proposal.updated_at < cutoff,
                               ~exists().where(Grant.proposal_id == Proposal.id))
        .options(selectinload(Proposal.attachments)).order_by(Proposal.id)))


def _remove_proposals(proposals: list[Proposal]) -> None:
    from app.proposals.services import delete_stored_file

    for proposal in proposals:
        for attachment in proposal.attachments:
            jobs.enqueue(delete_stored_file, attachment.storage_key)
        db.session.delete(proposal)  # versions, comments, reviews and notices go with it (ON DELETE CASCADE)
    db.session.flush()


# -- sessions and recovery codes --------------------------------------------------------------------
def _old_sessions(now: datetime) -> list[int]:
    cutoff = now - timedelta(days=setting("RETENTION_SESSION_DAYS"))
    return list(db.session.scalars(select(UserSession.id).where(
        or_(UserSession.ended_at < cutoff, UserSession.last_seen_at < cutoff)).order_by(UserSession.id)))


def _old_codes(now: datetime) -> list[int]:
    cutoff = now - timedelta(days=setting("RETENTION_SESSION_DAYS"))
    two_factor_off = select(User.id).where(User.totp_enabled_at.is_(None))
    return list(db.session.scalars(select(RecoveryCode.id).where(or_(
        RecoveryCode.used_at < cutoff,
        and_(RecoveryCode.user_id.in_(two_factor_off), RecoveryCode.created_at < now - SETUP_GRACE)))
        .order_by(RecoveryCode.id)))


def _deleter(model) -> Callable[[list], None]:
    def remove(ids: list) -> None:
        for start in range(0, len(ids), 500):
            db.session.execute(delete(model).where(model.id.in_(ids[start:start + 500])))
    return remove


# -- unconfirmed accounts ---------------------------------------------------------------------------
def _idle_unconfirmed(now: datetime) -> list[User]:
    cutoff = now - timedelta(days=setting("RETENTION_UNCONFIRMED_DAYS"))
    person = User.id
    return list(db.session.scalars(select(User).where(
        User.email_confirmed_at.is_(None), User.erased_at.is_(None), User.created_at < cutoff,
        ~exists().where(Membership.user_id == person), ~exists().where(Team.lead_id == person),
        ~exists().where(Proposal.created_by_id == person), ~exists().where(TeamMessage.author_id == person),
        ~exists().where(ProposalComment.author_id == person), ~exists().where(Contribution.contributor_id == person),
        ~exists().where(Payee.user_id == person),
        ~exists().where(UserSession.user_id == person, UserSession.last_seen_at >= cutoff))
        .order_by(User.id)))


def _remove_accounts(users: list[User]) -> None:
    """Never confirmed, never used: nothing to keep under a pseudonym, so the row goes too."""
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient.in_([user.email for user in users])))
    scrub([Identity(email=user.email, name=user.display_name, first_name=None, birth_date=user.birth_date,
                    replacement_name=pseudonym(user.id), replacement_email=pseudonym_email(user.id))
           for user in users])
    for user in users:
        db.session.delete(user)
    db.session.flush()


# -- notices and emails -----------------------------------------------------------------------------
def _old_notices(now: datetime) -> list[int]:
    cutoff = now - timedelta(days=setting("RETENTION_NOTICE_DAYS"))
    return list(db.session.scalars(select(Notification.id).where(Notification.read_at < cutoff)
                                   .order_by(Notification.id)))


def _old_emails(now: datetime) -> list[int]:
    cutoff = now - timedelta(days=setting("RETENTION_EMAIL_DAYS"))
    return list(db.session.scalars(select(OutboxMessage.id).where(or_(
        and_(OutboxMessage.state == "sent", OutboxMessage.sent_at < cutoff),
        and_(OutboxMessage.kind == "privacy_account_erased", OutboxMessage.state != "pending")))
        .order_by(OutboxMessage.id)))


RULES = (
    Rule("declined_proposals", "declined or withdrawn proposals past their retention", _old_proposals,
         _remove_proposals, lambda p: f"proposal {p.id}"),
    Rule("sessions", "ended or unused sessions", _old_sessions, _deleter(UserSession), lambda i: f"session {i}"),
    Rule("recovery_codes", "used or abandoned recovery codes", _old_codes, _deleter(RecoveryCode),
         lambda i: f"recovery code {i}"),
    Rule("unconfirmed_accounts", "accounts never confirmed nor used", _idle_unconfirmed, _remove_accounts,
         lambda u: f"account {u.id}"),
    Rule("read_notices", "notices read long ago", _old_notices, _deleter(Notification), lambda i: f"notice {i}"),
    Rule("sent_emails", "emails sent long ago", _old_emails, _deleter(OutboxMessage), lambda i: f"email {i}"),
)


def purge(now: datetime, *, dry_run: bool = False) -> dict[str, list[str]]:
    """{rule name: labels of what was (or, in a dry run, would be) removed}. Flushes; the caller commits."""
    found: dict[str, list[str]] = {}
    for rule in RULES:
        rows = rule.find(now)
        found[rule.name] = [rule.label(row) for row in rows]
        if rows and not dry_run:
            rule.remove(rows)
    if not dry_run:
        audit.record(None, "privacy.purged", None, **{name: len(labels) for name, labels in found.items()})
        db.session.flush()
    return found
