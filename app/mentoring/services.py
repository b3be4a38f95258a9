"""Matching rounds and mentorships: turn the database into the matcher's inputs, keep its answer, let a
coordinator override it, confirm it into offers, and move mentorships through their table. Nothing commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app import audit, db, policy
from app.accounts.age import age_on
from app.accounts.models import GuardianConsent, RoleGrant, User
from app.accounts.services import path_for
from app.db import utcnow
from app.mentoring import matching, workflow
from app.mentoring.models import (
    MatchRound,
    MentorConflict,
    MentorProfile,
    Mentorship,
    MentorVetting,
    ProposedMatch,
    RoundOverride,
    TeamNeeds,
)
from app.notices.services import notify
from app.proposals.models import Proposal
from app.teams.models import Membership, Team
from app.validation import ValidationFailed

OPEN_STATES = ("offered", "active")

HARD_RULE_MESSAGES = {
    matching.NO_SHARED_LANGUAGE: _l("they share no language"),
    matching.NEEDS_VETTED_MENTOR: _l("the team has a member under 18 and the mentor's vetting is missing or expired"),
    matching.CONFLICT: _l("the mentor has a conflict with the team (member, relative, declared conflict or ban)"),
    matching.CAPACITY: _l("the mentor has no room for another team"),
}


# -- the round's inputs -----------------------------------------------------------------------------
def utc_offset_minutes(zone: str, at: datetime | None = None) -> int:
    try:
        offset = (at or utcnow()).astimezone(ZoneInfo(zone)).utcoffset()
    except (KeyError, ValueError):
        return 0
    return int(offset.total_seconds() // 60) if offset is not None else 0


def open_mentorship_counts(mentor_ids: Iterable[int] | None = None) -> dict[int, int]:
    """Teams each mentor has or is offered, in one query."""
    query = (
        select(Mentorship.mentor_id, func.count())
        .where(Mentorship.state.in_(OPEN_STATES))
        .group_by(Mentorship.mentor_id)
    )
    if mentor_ids is not None:
        query = query.where(Mentorship.mentor_id.in_(set(mentor_ids)))
    return dict(db.session.execute(query).all())


def vetted_ids(user_ids: Iterable[int], today: date | None = None) -> set[int]:
    today = today or date.today()
    return set(
        db.session.scalars(
            select(MentorVetting.mentor_id).where(
                MentorVetting.mentor_id.in_(set(user_ids)),
                MentorVetting.checked_on <= today,
                MentorVetting.expires_on >= today,
            )
        )
    )


def _waiting() -> Select:
    """Teams that stated their needs and have no mentor, active or offered: the round is about them."""
    taken = select(Mentorship.team_id).where(Mentorship.state.in_(OPEN_STATES))
    return select(Team).join(TeamNeeds, TeamNeeds.team_id == Team.id).where(Team.id.not_in(taken))


def waiting_count() -> int:
    return db.session.scalar(select(func.count()).select_from(_waiting().subquery())) or 0


def waiting_teams() -> list[Team]:
    return list(
        db.session.scalars(
            _waiting()
            .options(selectinload(Team.memberships).selectinload(Membership.user))
            .order_by(Team.id)
        )
    )


def available_mentors() -> list[MentorProfile]:
    """Confirmed adult mentors who accept teams and have room left."""
    profiles = list(
        db.session.scalars(
            select(MentorProfile)
            .join(User, User.id == MentorProfile.user_id)
            .join(RoleGrant, (RoleGrant.user_id == User.id) & (RoleGrant.role == "mentor"))
            .where(MentorProfile.accepting_teams.is_(True), User.email_confirmed_at.is_not(None))
            .options(selectinload(MentorProfile.user))
            .order_by(MentorProfile.user_id)
        )
    )
    adult_age, today = current_app.config["ADULT_AGE"], date.today()
    profiles = [p for p in profiles if age_on(p.user.birth_date, today) >= adult_age]
    load = open_mentorship_counts(p.user_id for p in profiles)
    return [p for p in profiles if p.capacity - load.get(p.user_id, 0) > 0]


def _exclusions(teams: list[Team], round_: MatchRound | None) -> dict[int, set[int]]:
    """Mentors each team must never get: its members, their guardians, declared conflicts, earlier declines
    and this round's bans."""
    excluded = {team.id: {m.user_id for m in team.memberships} for team in teams}
    member_team = {m.user_id: team.id for team in teams for m in team.memberships}
    if member_team:
        for minor_id, guardian_id in db.session.execute(
            select(GuardianConsent.minor_id, GuardianConsent.guardian_id).where(
                GuardianConsent.minor_id.in_(member_team), GuardianConsent.guardian_id.is_not(None)
            )
        ):
            excluded[member_team[minor_id]].add(guardian_id)
    ids = list(excluded)
    pairs = db.session.execute(
        select(MentorConflict.team_id, MentorConflict.mentor_id).where(MentorConflict.team_id.in_(ids))
    ).all()
    pairs += db.session.execute(
        select(Mentorship.team_id, Mentorship.mentor_id).where(
            Mentorship.team_id.in_(ids), Mentorship.state == "declined"
        )
    ).all()
    if round_ is not None:
        pairs += [(o.team_id, o.mentor_id) for o in round_.overrides if o.kind == "ban"]
    for team_id, mentor_id in pairs:
        excluded.setdefault(team_id, set()).add(mentor_id)
    return excluded


def _team_themes(team_ids: list[int]) -> dict[int, set[str]]:
    themes: dict[int, set[str]] = {}
    for team_id, values in db.session.execute(
        select(Proposal.team_id, Proposal.themes).where(Proposal.team_id.in_(team_ids))
    ):
        themes.setdefault(team_id, set()).update(values or ())
    return themes


def round_inputs(round_: MatchRound | None = None):
    """The matcher's view of the world: (teams, mentors, requests by team id, offers by mentor id)."""
    # A team with a member under the age of consent who may not be mentored yet waits outside the round.
    teams = [team for team in waiting_teams() if policy.team_may_be_mentored(team)]
    profiles = available_mentors()
    needs = {
        n.team_id: n for n in db.session.scalars(select(TeamNeeds).where(TeamNeeds.team_id.in_([t.id for t in teams])))
    }
    excluded = _exclusions(teams, round_)
    themes = _team_themes([t.id for t in teams])
    adult_age, today = current_app.config["ADULT_AGE"], date.today()
    requests = {}
    for team in teams:
        stated = needs[team.id]
        requests[team.id] = matching.TeamRequest(
            id=team.id,
            needs=frozenset(n for n in stated.needs if n in matching.EXPERTISE),
            languages=frozenset(team.languages or ()),
            utc_offset_minutes=utc_offset_minutes(stated.timezone),
            has_minors=any(age_on(m.user.birth_date, today) < adult_age for m in team.memberships),
            themes=frozenset(t for t in themes.get(team.id, ()) if t in matching.THEMES),
            excluded_mentors=frozenset(excluded.get(team.id, ())),
        )
    load = open_mentorship_counts(p.user_id for p in profiles)
    vetted = vetted_ids(p.user_id for p in profiles)
    offers = {
        p.user_id: matching.MentorOffer(
            id=p.user_id,
            expertise=frozenset(e for e in p.expertise if e in matching.EXPERTISE),
            languages=frozenset(p.languages or ()),
            utc_offset_minutes=utc_offset_minutes(p.timezone),
            capacity=max(0, min(p.capacity - load.get(p.user_id, 0), matching.MAX_CAPACITY)),
            vetted=p.user_id in vetted,
            preferred_themes=frozenset(t for t in p.preferred_themes if t in matching.THEMES),
        )
        for p in profiles
    }
    return teams, profiles, requests, offers


# -- rounds -----------------------------------------------------------------------------------------
def open_round() -> MatchRound | None:
    return db.session.scalar(select(MatchRound).where(MatchRound.state == "open").limit(1))


def start_round(actor: User) -> MatchRound:
    """One open round at a time: starting again returns the open one, solved afresh."""
    round_ = open_round()
    if round_ is None:
        if not waiting_count():
            raise ValidationFailed(
                [(None, _l("No team is waiting for a mentor: a team enters a round once it states what it needs."))]
            )
        round_ = MatchRound(started_by_id=actor.id)
        db.session.add(round_)
        db.session.flush()
        audit.record(actor, "matching.round_started", round_)
    solve(round_)
    return round_


def _locks(round_: MatchRound) -> dict[int, int]:
    """The latest lock or swap per team wins; a later ban of that very pair lifts it."""
    locks: dict[int, int] = {}
    for override in round_.overrides:
        if override.kind in ("lock", "swap"):
            locks[override.team_id] = override.mentor_id
        elif locks.get(override.team_id) == override.mentor_id:
            del locks[override.team_id]
    return locks


def solve(round_: MatchRound) -> matching.RoundResult:
    """Run the matcher with the round's locks and bans and keep its answer in place of the previous one."""
    _teams, _profiles, requests, offers = round_inputs(round_)
    locks = {team: mentor for team, mentor in _locks(round_).items() if team in requests and mentor in offers}
    result = matching.match(requests.values(), offers.values(), locked=locks.items())
    round_.matches.clear()
    db.session.flush()
    for found in result.matches:
        round_.matches.append(
            ProposedMatch(
                team_id=found.team_id,
                mentor_id=found.mentor_id,
                score=found.score,
                locked=found.locked,
                reasons=[_reason_data(r) for r in found.reasons],
                alternates=[list(pair) for pair in result.alternates.get(found.team_id, ())],
            )
        )
    round_.unmatched = {str(team_id): code for team_id, code in result.unmatched.items()}
    round_.total_score = result.total_score
    round_.solved_at = utcnow()
    db.session.flush()
    return result


def _reason_data(reason: matching.Reason) -> dict:
    return {"kind": reason.kind, "values": list(reason.values), "hours": reason.hours}


def override(round_: MatchRound, actor: User, *, kind: str, team_id: int, mentor_id: int, reason: str) -> None:
    """Lock, ban or swap one pair, with a reason, then solve again. A hard rule is never overridden."""
    if round_.state != "open":
        raise ValidationFailed([(None, _l("This round is closed: start a new one to change matches."))])
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([("reason", _l("Say why: the reason is kept with the round."))])
    if kind not in ("lock", "ban", "swap"):
        raise ValidationFailed([("action", _l("Choose what to do with this match."))])
    if kind in ("lock", "swap"):
        _check_pair(round_, team_id, mentor_id)
    db.session.add(
        RoundOverride(
            round_id=round_.id, kind=kind, team_id=team_id, mentor_id=mentor_id, reason=reason, actor_id=actor.id
        )
    )
    db.session.flush()
    db.session.expire(round_, ["overrides"])
    audit.record(actor, f"matching.{kind}", round_, team_id=team_id, mentor_id=mentor_id, reason=reason)
    solve(round_)


def _check_pair(round_: MatchRound, team_id: int, mentor_id: int) -> None:
    _teams, _profiles, team_requests, offers = round_inputs(round_)
    team, mentor = team_requests.get(team_id), offers.get(mentor_id)
    if team is None:
        raise ValidationFailed([(None, _l("This team is no longer waiting for a mentor."))])
    if mentor is None:
        raise ValidationFailed([("action", _l("This mentor is no longer available: they are full, paused or gone."))])
    rule = matching.eligible(team, mentor)
    if rule is not None:
        raise ValidationFailed(
            [
                (
                    "action",
                    _l(
                        "This pair breaks a safety rule that no one can override: %(rule)s.",
                        rule=HARD_RULE_MESSAGES.get(rule, rule),
                    ),
                )
            ]
        )


def confirm(round_: MatchRound, actor: User) -> list[Mentorship]:
    """Turn every proposed match into an offer to the mentor; each mentor and each team is told."""
    if round_.state != "open":
        raise ValidationFailed([(None, _l("This round is already closed."))])
    if not round_.matches:
        raise ValidationFailed([(None, _l("There is no match to confirm in this round."))])
    solve(round_)  # the world may have moved since the page was drawn: confirm what holds now
    made = []
    for proposed in round_.matches:
        mentorship = Mentorship(
            team_id=proposed.team_id,
            mentor_id=proposed.mentor_id,
            round_id=round_.id,
            offered_by_id=actor.id,
            reasons=proposed.reasons,
        )
        db.session.add(mentorship)
        made.append(mentorship)
    round_.state, round_.confirmed_at, round_.confirmed_by_id = "confirmed", utcnow(), actor.id
    db.session.flush()
    audit.record(actor, "matching.round_confirmed", round_, offers=len(made))
    for mentorship in made:
        _tell(mentorship, "mentorship_offered", actor)
    return made


def discard(round_: MatchRound, actor: User) -> None:
    if round_.state != "open":
        raise ValidationFailed([(None, _l("This round is already closed."))])
    round_.state = "discarded"
    audit.record(actor, "matching.round_discarded", round_)


# -- mentorships ------------------------------------------------------------------------------------
def _tell(mentorship: Mentorship, kind: str, actor: User | None, *, coordinators: bool = False) -> None:
    """The team (and coordinators, when asked) hear on the team's mentoring page; the mentor on their own."""
    team, mentor = mentorship.team, mentorship.mentor
    people = [m.user for m in team.memberships]
    if coordinators:
        people += list(
            db.session.scalars(
                select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(RoleGrant.role == "coordinator")
            )
        )
    params = {"mentor": mentor.display_name, "team": team.name}
    notify(people, kind, None, actor=actor, path=path_for("mentoring.team", team_id=team.id), **params)
    notify([mentor], kind, None, actor=actor, path=path_for("mentoring.mine"), **params)


def move(mentorship: Mentorship, action: str, actor: User, reason: str | None = None) -> None:
    """Accept, decline, withdraw or end, through the table; accepting re-checks the safety rule."""
    if action == "accept" and not policy.team_may_be_mentored(mentorship.team):
        raise ValidationFailed([(None, _l("A member of this team may not be mentored yet: their guardian's "
                                          "consent or their own agreement is missing."))])
    if action == "accept" and not policy.may_mentor(mentorship.mentor, mentorship.team):
        raise ValidationFailed(
            [
                (
                    None,
                    _l("This team has a member under 18: you can accept once a coordinator has recorded your vetting."),
                )
            ]
        )
    workflow.transition(mentorship, action, actor, reason)
    kind = {
        "accept": "mentorship_accepted",
        "decline": "mentorship_declined",
        "withdraw": "mentorship_ended",
        "end": "mentorship_ended",
    }[action]
    _tell(mentorship, kind, actor, coordinators=action == "decline")


def mentorships_of_team(team: Team) -> list[Mentorship]:
    return list(
        db.session.scalars(
            select(Mentorship)
            .where(Mentorship.team_id == team.id)
            .options(selectinload(Mentorship.mentor))
            .order_by(Mentorship.offered_at.desc(), Mentorship.id.desc())
        )
    )


def mentorships_of_mentor(mentor: User) -> list[Mentorship]:
    return list(
        db.session.scalars(
            select(Mentorship)
            .where(Mentorship.mentor_id == mentor.id)
            .options(selectinload(Mentorship.team))
            .order_by(Mentorship.offered_at.desc(), Mentorship.id.desc())
        )
    )
