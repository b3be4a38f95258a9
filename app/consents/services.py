"""Consent per purpose: give it, withdraw it (with its effects, at once), and read what stands.

Reading is cheap by design: the policy asks about one person at a time, and the first question in a session
reads the records of every person the session has loaded, in one query, so a page that lists fifty people
asks the database once. The answer is dropped whenever a person's row is (re)loaded or a record changes.
Nothing here commits; the request does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, selectinload

from app import audit, db, policy
from app.accounts.models import ConsentRecord, GuardianConsent, RoleGrant, User
from app.accounts.services import path_for
from app.consents import wording
from app.db import utcnow
from app.validation import ValidationFailed

CACHE = "passerelle.consents"
CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True)
class Consents:
    """What stands for one person: purposes their guardian consents to, purposes they agree to themself, and
    purposes whose latest answer of their own is a withdrawal."""

    guardian: frozenset[str] = frozenset()
    own: frozenset[str] = frozenset()
    own_withdrawn: frozenset[str] = frozenset()


NONE = Consents()


# -- reading ------------------------------------------------------------------------------------------------
def _cache(session) -> dict[int, Consents]:
    return session.info.setdefault(CACHE, {})


def _loaded_user_ids(session) -> set[int]:
    """Ids of the people the session holds, read from identity keys (an expired row is not reloaded)."""
    ids = set()
    for key in list(session.identity_map.keys()):
        if key[0] is User and key[1]:
            ids.add(key[1][0])
    return ids


def _read(user_ids: Iterable[int]) -> dict[int, Consents]:
    ids = sorted(set(user_ids))
    rows: list = []
    for start in range(0, len(ids), CHUNK):
        rows += db.session.execute(
            select(ConsentRecord.subject_id, ConsentRecord.purpose, ConsentRecord.given_as,
                   ConsentRecord.withdrawn_at)
            .where(ConsentRecord.subject_id.in_(ids[start:start + CHUNK]))
            .order_by(ConsentRecord.given_at, ConsentRecord.id)).all()
    guardian: dict[int, set[str]] = {}
    own: dict[int, set[str]] = {}
    answered: dict[int, set[str]] = {}  # purposes the person has ever answered themself
    for subject_id, purpose, given_as, withdrawn_at in rows:
        if given_as == "guardian":
            if withdrawn_at is None:
                guardian.setdefault(subject_id, set()).add(purpose)
            continue
        answered.setdefault(subject_id, set()).add(purpose)
        if withdrawn_at is None:
            own.setdefault(subject_id, set()).add(purpose)
    # One standing record at most per purpose and giver: answered without one standing means withdrawn.
    withdrawn = {user_id: purposes - own.get(user_id, set()) for user_id, purposes in answered.items()}
    return {user_id: Consents(frozenset(guardian.get(user_id, ())), frozenset(own.get(user_id, ())),
                              frozenset(withdrawn.get(user_id, ()))) for user_id in ids}


def consents_of(user) -> Consents:
    """What stands for the person now; the first call reads everyone the session has loaded."""
    user_id = getattr(user, "id", None)
    if user_id is None:
        return NONE
    session = db.session
    cache = _cache(session)
    if user_id not in cache:
        wanted = {user_id} | (_loaded_user_ids(session) - set(cache))
        cache.update(_read(wanted))
    return cache[user_id]


def consents_for(users) -> dict[int, Consents]:
    """The bulk reader: what stands for each of these people, in one query for those not read yet."""
    session = db.session
    cache = _cache(session)
    ids = {user if isinstance(user, int) else user.id for user in users}
    missing = ids - set(cache)
    if missing:
        cache.update(_read(missing))
    return {user_id: cache[user_id] for user_id in ids}


def standing(user, purpose: str, given_as: str) -> ConsentRecord | None:
    """The record that stands for this person, purpose and giver, if any."""
    return db.session.scalar(select(ConsentRecord).where(
        ConsentRecord.subject_id == user.id, ConsentRecord.purpose == purpose, ConsentRecord.given_as == given_as,
        ConsentRecord.withdrawn_at.is_(None)))


def latest_records(user) -> dict[tuple[str, str], ConsentRecord]:
    """{(purpose, given_as): the newest record}, standing or withdrawn: what a page shows for each purpose."""
    latest: dict[tuple[str, str], ConsentRecord] = {}
    for record in db.session.scalars(select(ConsentRecord).where(ConsentRecord.subject_id == user.id)
                                     .order_by(ConsentRecord.given_at, ConsentRecord.id)):
        latest[record.purpose, record.given_as] = record
    return latest


def history(user) -> list[ConsentRecord]:
    """Every record about the person, newest first, with who gave and who withdrew each."""
    return list(db.session.scalars(
        select(ConsentRecord).where(ConsentRecord.subject_id == user.id)
        .options(selectinload(ConsentRecord.given_by))
        .order_by(ConsentRecord.given_at.desc(), ConsentRecord.id.desc())))


def forget(session=None) -> None:
    (session or db.session).info.pop(CACHE, None)


@event.listens_for(User, "load")
@event.listens_for(User, "refresh")
def _person_reloaded(target, _context, *_attrs) -> None:
    session = inspect(target).session
    if session is not None and CACHE in session.info:
        session.info[CACHE].pop(target.__dict__.get("id"), None)


@event.listens_for(Session, "after_flush")
def _records_written(session, _context) -> None:
    if CACHE in session.info and any(isinstance(obj, ConsentRecord)
                                     for obj in (*session.new, *session.dirty, *session.deleted)):
        forget(session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _transaction_ended(session, *_args) -> None:
    forget(session)


# -- who manages whose consent ---------------------------------------------------------------------------
def children_of(guardian) -> list[User]:
    """The young people whose consent request this person answered with yes, by name."""
    return list(db.session.scalars(
        select(User).join(GuardianConsent, GuardianConsent.minor_id == User.id)
        .where(GuardianConsent.guardian_id == guardian.id, GuardianConsent.state == "given")
        .order_by(User.display_name, User.id).distinct()))


def teams_of(user) -> list:
    from app.teams.models import Membership, Team

    return list(db.session.scalars(select(Team).join(Membership, Membership.team_id == Team.id)
                                   .where(Membership.user_id == user.id).order_by(Team.name, Team.id)))


# -- giving and withdrawing ------------------------------------------------------------------------------------
def give(actor: User, subject: User, purpose: str, *, given_as: str, method: str = "online") -> ConsentRecord:
    """Record consent for one purpose, with the wording shown now; giving what already stands changes nothing."""
    if purpose not in wording.PURPOSES or (given_as == "self" and purpose not in wording.OWN_PURPOSES):
        raise ValidationFailed([(None, _l("This consent cannot be given here."))])
    existing = standing(subject, purpose, given_as)
    if existing is not None:
        return existing
    if given_as == "guardian" and purpose != "participation" and standing(subject, "participation", "guardian") is None:
        raise ValidationFailed([(None, _l("Give consent to taking part first: the other purposes need it."))])
    text = wording.wording_for(purpose, given_as)
    record = ConsentRecord(subject_id=subject.id, purpose=purpose, given_as=given_as, given_by_id=actor.id,
                           wording_version=text.version, wording=wording.render(purpose, given_as, subject),
                           method=method, given_at=utcnow())
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "consent.given", record, person=subject.id, purpose=purpose, given_as=given_as,
                 method=method, version=text.version)
    return record


def withdraw(actor: User, subject: User, purpose: str, *, given_as: str, reason: str | None = None) -> list:
    """Withdraw consent for a purpose; it stops counting at once, and what it allowed stops with it.

    A guardian who withdraws consent to taking part withdraws every other purpose with it. Returns the records
    withdrawn."""
    reason = (reason or "").strip() or None
    record = standing(subject, purpose, given_as)
    if record is None and given_as == "self" and purpose in wording.OWN_PURPOSES_OF_AGE \
            and not policy.needs_guardian_consent(subject) and not _answered(subject, purpose):
        record = _joined_agreement(subject, purpose)
    if record is None:
        raise ValidationFailed([(None, _l("There is no consent to withdraw for this purpose."))])
    records = [record]
    if given_as == "guardian" and purpose == "participation":
        records += [other for other in db.session.scalars(select(ConsentRecord).where(
            ConsentRecord.subject_id == subject.id, ConsentRecord.given_as == "guardian",
            ConsentRecord.withdrawn_at.is_(None), ConsentRecord.id != record.id))]
    now = utcnow()
    for each in records:
        each.withdrawn_at, each.withdrawn_by_id, each.withdrawal_reason = now, actor.id, reason
    db.session.flush()
    for each in records:
        audit.record(actor, "consent.withdrawn", each, person=subject.id, purpose=each.purpose,
                     given_as=each.given_as)
    _apply_withdrawal(actor, subject, {each.purpose for each in records})
    return records


def _answered(subject: User, purpose: str) -> bool:
    return db.session.scalar(select(ConsentRecord.id).where(
        ConsentRecord.subject_id == subject.id, ConsentRecord.purpose == purpose,
        ConsentRecord.given_as == "self").limit(1)) is not None


def _joined_agreement(subject: User, purpose: str) -> ConsentRecord:
    """Someone old enough to consent alone agreed to be shown by joining; saying no records that agreement
    (given when they joined) so that it can be withdrawn like any other."""
    record = ConsentRecord(subject_id=subject.id, purpose=purpose, given_as="self", given_by_id=subject.id,
                           wording_version=wording.JOINED_VERSION, wording=wording.render(purpose, "self", subject),
                           method="online", given_at=subject.conduct_accepted_at or subject.created_at)
    db.session.add(record)
    db.session.flush()
    return record


def _apply_withdrawal(actor: User, subject: User, purposes: set[str]) -> None:
    """What a withdrawal stops, at once: the public pages of the person's projects, their team's mentors."""
    if "showcase" in purposes and not policy.can_appear_publicly(subject):
        _take_down_projects(actor, subject)
    if "mentoring" in purposes and policy.needs_guardian_consent(subject) \
            and not policy.has_purpose_consent(subject, "mentoring"):
        _tell_mentors(actor, subject)


def _take_down_projects(actor: User, subject: User) -> None:
    """Every published project of the person's teams leaves the showcase; each team's lead is told why."""
    from app.ledger.models import Grant
    from app.notices.services import notify
    from app.projects.models import Publication
    from app.showcase import services as showcase
    from app.teams.models import Membership

    publications = list(db.session.scalars(
        select(Publication).join(Grant, Grant.id == Publication.grant_id)
        .where(Publication.published.is_(True),
               Grant.team_id.in_(select(Membership.team_id).where(Membership.user_id == subject.id)))
        .options(selectinload(Publication.grant).selectinload(Grant.team))))
    for publication in publications:
        showcase.unpublish(actor, publication, reason="consent_withdrawn")
        grant = publication.grant
        lead = db.session.get(User, grant.team.lead_id)
        notify([lead], "showcase_consent_withdrawn", grant.proposal, actor=None,
               path=path_for("showcase.publish", grant_id=grant.id), team=grant.team.name)


def _tell_mentors(actor: User, subject: User) -> None:
    """The mentors of the person's teams can no longer open them; they and the coordinators are told."""
    from app.mentoring.models import Mentorship
    from app.notices.services import notify
    from app.teams.models import Membership

    mentorships = list(db.session.scalars(
        select(Mentorship).where(Mentorship.state.in_(("offered", "active")), Mentorship.team_id.in_(
            select(Membership.team_id).where(Membership.user_id == subject.id)))
        .options(selectinload(Mentorship.mentor), selectinload(Mentorship.team))))
    if not mentorships:
        return
    coordinators = list(db.session.scalars(
        select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(RoleGrant.role == "coordinator")))
    for mentorship in mentorships:
        team = mentorship.team
        notify([mentorship.mentor], "mentoring_consent_withdrawn", None, actor=None,
               path=path_for("mentoring.mine"), team=team.name)
        notify(coordinators, "mentoring_consent_withdrawn", None, actor=None,
               path=path_for("mentoring.team", team_id=team.id), team=team.name)
