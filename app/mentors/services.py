"""Mentor verbs (profile, conflicts, vetting) and team needs; they flush, the request commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import audit, db
from app.accounts.models import RoleGrant, User
from app.calls.models import THEMES
from app.db import utcnow
from app.i18n import WORKING_LANGUAGES, is_timezone
from app.mentoring.models import (
    EXPERTISE,
    MAX_CAPACITY,
    VETTING_KINDS,
    MentorConflict,
    MentorProfile,
    Mentorship,
    MentorVetting,
    TeamNeeds,
)
from app.pagination import Page, paginate
from app.teams.models import Team
from app.validation import ValidationFailed

BIO_MAX = 1000
AVAILABILITY_MAX = 200
REASON_MAX = 500
NOTE_MAX = 1000
OPEN_MENTORSHIP_STATES = ("offered", "active")
VETTING_FILTERS = ("vetted", "not_vetted")


# -- vetting state ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class VettingState:
    """'vetted' (a check covers today), 'expired' (only past checks) or 'none'; `vetting` is the check that says so."""

    status: str
    vetting: MentorVetting | None = None

    @property
    def until(self) -> date | None:
        return self.vetting.expires_on if self.vetting is not None else None

    @property
    def is_vetted(self) -> bool:
        return self.status == "vetted"


def vetting_states(user_ids, today: date | None = None) -> dict[int, VettingState]:
    """Each person's vetting state, in one query; the same rule as policy.is_vetted (expiring today is valid)."""
    today = today or date.today()
    ids = list(user_ids)
    states = {user_id: VettingState("none") for user_id in ids}
    if not ids:
        return states
    checks = db.session.scalars(
        select(MentorVetting).where(MentorVetting.mentor_id.in_(ids), MentorVetting.checked_on <= today)
        .order_by(MentorVetting.expires_on, MentorVetting.id))
    for check in checks:  # ordered by expiry: the last one seen per person expires last
        states[check.mentor_id] = VettingState("vetted" if check.expires_on >= today else "expired", check)
    return states


def vetting_state(user: User, today: date | None = None) -> VettingState:
    return vetting_states([user.id], today)[user.id]


def vetting_history(mentor: User) -> list[MentorVetting]:
    """Every check recorded for the mentor, newest first, with who recorded it."""
    return list(db.session.scalars(
        select(MentorVetting).where(MentorVetting.mentor_id == mentor.id)
        .options(selectinload(MentorVetting.recorded_by))
        .order_by(MentorVetting.checked_on.desc(), MentorVetting.recorded_at.desc(), MentorVetting.id.desc())))


def _valid_vetting_exists(today: date):
    return exists().where(MentorVetting.mentor_id == User.id, MentorVetting.checked_on <= today,
                          MentorVetting.expires_on >= today)


# -- the mentors list ------------------------------------------------------------------------------
@dataclass(frozen=True)
class MentorRow:
    user: User
    profile: MentorProfile | None
    vetting: VettingState
    load: int


def mentors_query(vetting_filter: str | None = None, term: str = "", today: date | None = None):
    """People holding the mentor role, by name; 'vetted' or 'not_vetted' (missing or expired) narrows it."""
    today = today or date.today()
    query = (select(User).join(RoleGrant, and_(RoleGrant.user_id == User.id, RoleGrant.role == "mentor"))
             .order_by(User.display_name, User.id))
    if vetting_filter == "vetted":
        query = query.where(_valid_vetting_exists(today))
    elif vetting_filter == "not_vetted":
        query = query.where(~_valid_vetting_exists(today))
    term = (term or "").strip()
    if term:
        like = f"%{term.lower()}%"
        query = query.where(or_(User.email.like(like), func.lower(User.display_name).like(like)))
    return query


def mentors_page(vetting_filter: str | None, page: int, per_page: int, term: str = "",
                 today: date | None = None) -> Page:
    """One page of mentors with profile, vetting state and load: a fixed number of queries whatever its length."""
    today = today or date.today()
    result = paginate(mentors_query(vetting_filter, term, today), page, per_page)
    ids = [user.id for user in result.items]
    profiles = {p.user_id: p for p in db.session.scalars(select(MentorProfile).where(MentorProfile.user_id.in_(ids)))} \
        if ids else {}
    states = vetting_states(ids, today)
    loads = current_loads(ids)
    result.items = [MentorRow(user, profiles.get(user.id), states[user.id], loads.get(user.id, 0))
                    for user in result.items]
    return result


def current_loads(user_ids) -> dict[int, int]:
    """How many teams each mentor mentors or is offered now."""
    ids = list(user_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Mentorship.mentor_id, func.count()).where(Mentorship.mentor_id.in_(ids),
                                                         Mentorship.state.in_(OPEN_MENTORSHIP_STATES))
        .group_by(Mentorship.mentor_id))
    return {mentor_id: count for mentor_id, count in rows}


def current_load(mentor: User) -> int:
    return current_loads([mentor.id]).get(mentor.id, 0)


# -- the profile -----------------------------------------------------------------------------------
def profile_of(user: User) -> MentorProfile | None:
    return db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == user.id))


def _unknown(values, allowed) -> bool:
    return not set(values) <= set(allowed)


def save_profile(mentor: User, *, expertise: list[str], languages: list[str], timezone: str, capacity: int | None,
                 accepting_teams: bool, availability: str, bio: str, preferred_themes: list[str],
                 conduct_accepted: bool) -> MentorProfile:
    """Create or update the mentor's profile; ticking the code of conduct is required every time it is saved."""
    expertise, languages, themes = list(expertise or []), list(languages or []), list(preferred_themes or [])
    availability, bio = (availability or "").strip(), (bio or "").strip()
    problems = []
    if not expertise:
        problems.append(("expertise", _l("Choose at least one area of expertise.")))
    elif _unknown(expertise, EXPERTISE):
        problems.append(("expertise", _l("Choose only areas from the list.")))
    if not languages:
        problems.append(("languages", _l("Choose at least one language.")))
    elif _unknown(languages, WORKING_LANGUAGES):
        problems.append(("languages", _l("Choose only languages from the list.")))
    if not is_timezone(timezone or ""):
        problems.append(("timezone", _l("Choose a time zone from the list.")))
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        problems.append(("capacity", capacity_message()))
    if len(availability) > AVAILABILITY_MAX:
        problems.append(("availability", _l("Use at most 200 characters.")))
    if len(bio) > BIO_MAX:
        problems.append(("bio", _l("Use at most 1000 characters.")))
    if _unknown(themes, THEMES):
        problems.append(("preferred_themes", _l("Choose only themes from the list.")))
    if not conduct_accepted:
        problems.append(("accept_conduct", _l("Accept the mentor code of conduct to mentor teams.")))
    if problems:
        raise ValidationFailed(problems)

    profile = profile_of(mentor)
    created = profile is None
    text_before = None if created else (profile.bio, profile.availability)
    if created:
        profile = MentorProfile(user_id=mentor.id)
    profile.expertise = [code for code in EXPERTISE if code in expertise]
    profile.languages = sorted(set(languages))
    profile.timezone = timezone
    profile.capacity = capacity
    profile.accepting_teams = bool(accepting_teams)
    profile.availability = availability
    profile.bio = bio
    profile.preferred_themes = [code for code in THEMES if code in themes]
    profile.conduct_accepted_at = profile.updated_at = utcnow()
    if created:
        try:
            with db.session.begin_nested():  # the same mentor saving twice at once
                db.session.add(profile)
        except IntegrityError:
            raise ValidationFailed([(None, _l("Your profile was saved a moment ago. Check it and save again."))]) \
                from None
    db.session.flush()
    audit.record(mentor, "mentor.profile_created" if created else "mentor.profile_updated", profile)
    if text_before != (profile.bio, profile.availability):  # flagged terms send new words to review; all stays visible
        from app.safety.terms import flag_if_matching

        flag_if_matching("mentor_profile", profile.id, f"{profile.bio}\n\n{profile.availability}", None)
    return profile


def capacity_message():
    return _l("Enter a number from %(low)d to %(high)d: how many teams you can mentor at the same time.",
              low=1, high=MAX_CAPACITY)


# -- conflicts -------------------------------------------------------------------------------------
_TEAM_ADDRESS = re.compile(r"/teams/(\d+)(?:[/?#]|$)")


def find_team(text: str) -> Team:
    """The team a mentor names: its exact name (case aside), or the address of its page when names repeat."""
    text = (text or "").strip()
    address = _TEAM_ADDRESS.search(text)
    if address:
        team = db.session.get(Team, int(address.group(1)))
        if team is None:
            raise ValidationFailed([("team", _l("No team has this address. Copy it again from the team's page."))])
        return team
    teams = list(db.session.scalars(select(Team).where(func.lower(Team.name) == text.lower()).limit(2)))
    if not teams:
        raise ValidationFailed([("team", _l("No team has this exact name. Check the spelling, or paste the "
                                            "address of the team's page."))])
    if len(teams) > 1:
        raise ValidationFailed([("team", _l("Several teams have this name. Paste the address of the team's page "
                                            "instead."))])
    return teams[0]


def conflicts_of(mentor: User) -> list[MentorConflict]:
    return list(db.session.scalars(
        select(MentorConflict).where(MentorConflict.mentor_id == mentor.id)
        .options(selectinload(MentorConflict.team)).order_by(MentorConflict.declared_at, MentorConflict.id)))


def declare_conflict(mentor: User, team: Team, reason: str) -> MentorConflict:
    """The mentor says they should not mentor this team; matching leaves the pair out."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([("reason", _l("Say briefly why, so coordinators understand."))])
    if len(reason) > REASON_MAX:
        raise ValidationFailed([("reason", _l("Use at most 500 characters."))])
    already = _l("You have already declared that you should not mentor “%(name)s”.", name=team.name)
    if db.session.scalar(select(MentorConflict.id).where(MentorConflict.mentor_id == mentor.id,
                                                         MentorConflict.team_id == team.id)):
        raise ValidationFailed([("team", already)])
    conflict = MentorConflict(mentor_id=mentor.id, team_id=team.id, reason=reason)
    try:
        with db.session.begin_nested():  # a double click
            db.session.add(conflict)
    except IntegrityError:
        raise ValidationFailed([("team", already)]) from None
    audit.record(mentor, "mentor.conflict_declared", team)
    return conflict


def withdraw_conflict(mentor: User, conflict: MentorConflict) -> None:
    if conflict.mentor_id != mentor.id:
        raise ValidationFailed([(None, _l("Only the mentor who declared it can withdraw this declaration."))])
    team = conflict.team
    db.session.delete(conflict)
    db.session.flush()
    audit.record(mentor, "mentor.conflict_withdrawn", team)


# -- vetting ---------------------------------------------------------------------------------------
def record_vetting(actor: User, mentor: User, *, kind: str, checked_on: date | None, expires_on: date | None,
                   note: str = "", today: date | None = None) -> MentorVetting:
    """A coordinator records a background check they saw; the newest unexpired one makes the mentor vetted."""
    today = today or date.today()
    note = (note or "").strip()
    problems = []
    if kind not in VETTING_KINDS:
        problems.append(("kind", _l("Choose the kind of check from the list.")))
    if checked_on is None:
        problems.append(("checked_on", _l("This field is required.")))
    elif checked_on > today:
        problems.append(("checked_on", _l("The date of the check cannot be in the future.")))
    if expires_on is None:
        problems.append(("expires_on", _l("This field is required.")))
    elif checked_on is not None and expires_on <= checked_on:
        problems.append(("expires_on", _l("The expiry date must come after the date of the check.")))
    if len(note) > NOTE_MAX:
        problems.append(("note", _l("Use at most 1000 characters.")))
    if not mentor.has_role("mentor"):
        problems.append((None, _l("Vetting can be recorded only for mentors.")))
    if problems:
        raise ValidationFailed(problems)
    vetting = MentorVetting(mentor_id=mentor.id, kind=kind, checked_on=checked_on, expires_on=expires_on,
                            note=note, recorded_by_id=actor.id)
    db.session.add(vetting)
    db.session.flush()
    audit.record(actor, "mentor.vetting_recorded", mentor, vetting_id=vetting.id, kind=kind,
                 checked_on=checked_on.isoformat(), expires_on=expires_on.isoformat())
    return vetting


# -- team needs ------------------------------------------------------------------------------------
def needs_of(team: Team) -> TeamNeeds | None:
    return db.session.scalar(select(TeamNeeds).where(TeamNeeds.team_id == team.id))


def save_team_needs(actor: User, team: Team, *, needs: list[str], timezone: str, note: str) -> TeamNeeds:
    needs, note = list(needs or []), (note or "").strip()
    problems = []
    if not needs:
        problems.append(("needs", _l("Choose at least one area where the team needs help.")))
    elif _unknown(needs, EXPERTISE):
        problems.append(("needs", _l("Choose only areas from the list.")))
    if not is_timezone(timezone or ""):
        problems.append(("timezone", _l("Choose a time zone from the list.")))
    if len(note) > NOTE_MAX:
        problems.append(("note", _l("Use at most 1000 characters.")))
    if problems:
        raise ValidationFailed(problems)
    record = needs_of(team)
    created = record is None
    if created:
        record = TeamNeeds(team_id=team.id)
    record.needs = [code for code in EXPERTISE if code in needs]
    record.timezone = timezone
    record.note = note
    record.updated_by_id = actor.id
    record.updated_at = utcnow()
    if created:
        try:
            with db.session.begin_nested():  # two members saving at the same moment
                db.session.add(record)
        except IntegrityError:
            raise ValidationFailed([(None, _l("Someone in the team saved the needs a moment ago. Check them and "
                                              "save again."))]) from None
    db.session.flush()
    audit.record(actor, "team.needs_saved", team)
    return record
