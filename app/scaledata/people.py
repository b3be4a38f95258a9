"""People and teams: staff, funders, mentors (profiles and vetting), young people in teams of two to five, and
the guardians who consented for the minors among them."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app

from app.accounts.age import age_on, needs_guardian
from app.accounts.models import ConsentRecord, GuardianConsent, RoleGrant, User
from app.consents import wording
from app.mentoring.models import EXPERTISE, MentorProfile, MentorVetting, TeamNeeds
from app.scaledata import words
from app.scaledata.context import DOMAIN, Person, Scale, TeamRecord
from app.teams.models import Invitation, Membership, Team

# (country, region, locale, time zone, share of the young people living there)
PLACES = (
    ("CA", "CA-QC", "fr", "America/Toronto", 0.24),
    ("CA", "CA-ON", "en", "America/Toronto", 0.08),
    ("FR", None, "fr", "Europe/Paris", 0.20),
    ("US", None, "en", "America/Chicago", 0.15),
    ("SN", None, "fr", "Africa/Dakar", 0.10),
    ("MA", None, "fr", "Africa/Casablanca", 0.08),
    ("TN", None, "fr", "Africa/Tunis", 0.06),
    ("BE", None, "fr", "Europe/Brussels", 0.05),
    ("CH", None, "fr", "Europe/Zurich", 0.04),
)
LANGUAGES = {"fr": ["fr", "en"], "en": ["en", "es"]}
THEMES = ("counter_narratives", "digital_literacy", "intercultural_dialogue", "hate_speech", "inclusion")


def _birth_date(scale: Scale, age: int) -> date:
    """Someone who turned `age` between ten days and a year ago."""
    today = scale.today
    try:
        birthday = today.replace(year=today.year - age)
    except ValueError:  # 29 February
        birthday = today.replace(year=today.year - age, day=28)
    return birthday - timedelta(days=scale.rng.randint(10, 350))


def _place(scale: Scale):
    return scale.rng.choices(PLACES, weights=[p[4] for p in PLACES])[0]


def add_user(scale: Scale, kind: str, roles: tuple[str, ...], age: int, place=None, name: str | None = None,
             organisation: str | None = None) -> Person:
    country, region, locale, timezone, _share = place or _place(scale)
    user_id = scale.ids.one(User.__table__)
    name = name or words.person_name(scale.rng)
    birth = _birth_date(scale, age)
    joined = scale.ago(scale.rng.randint(30, 900))
    person = Person(id=user_id, email=f"{kind}{user_id}@{DOMAIN}", name=name, age=age_on(birth, scale.today),
                    country=country, region=region, locale=locale, timezone=timezone,
                    needs_consent=needs_guardian(birth, country, region, scale.today,
                                                 current_app.config["CONSENT_AGES"]))
    scale.out.add(User.__table__, {
        "id": user_id, "email": person.email, "display_name": name, "password_hash": scale.password_hash,
        "birth_date": birth, "country": country, "region": region, "organisation": organisation, "locale": locale,
        "timezone": timezone, "conduct_accepted_at": joined, "email_confirmed_at": joined, "created_at": joined,
        "session_version": 1})
    for role in roles:
        scale.out.add(RoleGrant.__table__, {"id": scale.ids.one(RoleGrant.__table__), "user_id": user_id,
                                            "role": role, "granted_by_id": None, "granted_at": joined})
    return person


def add_staff(scale: Scale, coordinators: int, funders: int) -> None:
    for _ in range(coordinators):
        scale.coordinators.append(add_user(scale, "coordinator", ("coordinator",), scale.rng.randint(28, 60),
                                           place=PLACES[0]))
    for _ in range(funders):
        scale.funders.append(add_user(scale, "funder", ("funder",), scale.rng.randint(30, 65),
                                      organisation=scale.rng.choice(words.FUNDERS)))


def add_mentors(scale: Scale, count: int) -> None:
    """Mentors with a profile; most hold a valid background check, some an expired one, a few none yet."""
    rng = scale.rng
    for _ in range(count):
        place = _place(scale)
        mentor = add_user(scale, "mentor", ("mentor",), rng.randint(22, 68), place=place)
        scale.mentors.append(mentor)
        scale.out.add(MentorProfile.__table__, {
            "id": scale.ids.one(MentorProfile.__table__), "user_id": mentor.id,
            "expertise": rng.sample(EXPERTISE[:-1], rng.randint(1, 3)), "languages": LANGUAGES[place[2]],
            "timezone": place[3], "capacity": rng.choice((1, 2, 2, 3, 3, 4, 5)), "accepting_teams": rng.random() < 0.9,
            "availability": "Evenings and some weekends.", "bio": f"{rng.choice(words.TOPICS).capitalize()} "
            f"maker who has coached youth projects in {rng.choice(words.PLACES)}.",
            "preferred_themes": rng.sample(THEMES, rng.randint(0, 2)), "conduct_accepted_at": scale.ago(200),
            "updated_at": scale.ago(rng.randint(1, 200))})
        draw = rng.random()
        if draw < 0.93:
            checked = scale.today - timedelta(days=rng.randint(20, 700))
            expires = checked + timedelta(days=730) if draw < 0.85 else scale.today - timedelta(days=rng.randint(1, 90))
            if expires <= checked:
                checked = expires - timedelta(days=730)
            scale.out.add(MentorVetting.__table__, {
                "id": scale.ids.one(MentorVetting.__table__), "mentor_id": mentor.id,
                "kind": rng.choice(("police_check", "vulnerable_sector_check", "references")),
                "checked_on": checked, "expires_on": expires, "note": "",
                "recorded_by_id": rng.choice(scale.coordinators).id, "recorded_at": scale.ago(rng.randint(1, 300))})
            if expires >= scale.today:
                scale.vetted.add(mentor.id)


def _consents(scale: Scale, minor: Person, guardian: Person, birth_text: str) -> None:
    """The guardian's yes (the request and its answer) and the consent records per purpose it stands for."""
    given = scale.ago(scale.rng.randint(20, 600))
    scale.out.add(GuardianConsent.__table__, {
        "id": scale.ids.one(GuardianConsent.__table__), "minor_id": minor.id, "guardian_email": guardian.email,
        "guardian_id": guardian.id, "state": "given", "requested_at": given - timedelta(days=2),
        "last_sent_at": given - timedelta(days=2), "decided_at": given, "text_version": "2026-11",
        "text_agreed": "Consent given online.", "reason": None, "nonce": f"{minor.id:032x}"[-32:]})
    purposes = ["participation", "mentoring", "showcase"] + (["photos"] if scale.rng.random() < 0.5 else [])
    for purpose in purposes:
        _record(scale, minor, purpose, "guardian", guardian.id, wording.GUARDIAN[purpose], given, birth_text)
        if purpose in wording.OWN:
            _record(scale, minor, purpose, "self", minor.id, wording.OWN[purpose], given, birth_text)


_TEXTS: dict[tuple[str, str], str] = {}


def _record(scale: Scale, minor: Person, purpose: str, given_as: str, given_by: int, text, given, birth: str):
    key = (purpose, given_as)
    if key not in _TEXTS:  # the wording rendered once, in English: only the name and birth date change
        _TEXTS[key] = str(text.text)
    scale.out.add(ConsentRecord.__table__, {
        "id": scale.ids.one(ConsentRecord.__table__), "subject_id": minor.id, "purpose": purpose,
        "given_as": given_as, "given_by_id": given_by, "wording_version": text.version,
        "wording": _TEXTS[key] % {"name": minor.name.split()[0], "birth": birth}, "method": "online",
        "given_at": given, "withdrawn_at": None, "withdrawn_by_id": None, "withdrawal_reason": None})


def _young_person(scale: Scale, place) -> Person:
    rng = scale.rng
    age = rng.choices((13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25),
                      weights=(4, 6, 8, 9, 9, 9, 9, 8, 8, 7, 6, 5, 4))[0]
    person = add_user(scale, "youth", ("youth",), age, place=place)
    scale.youth.append(person)
    if person.needs_consent:
        guardian = add_user(scale, "guardian", ("guardian",), rng.randint(36, 58), place=place,
                            name=f"{rng.choice(words.FIRST_NAMES)} {person.name.split(' ', 1)[1]}")
        scale.guardians.append(guardian)
        person.guardian_id = guardian.id
        _consents(scale, person, guardian, (scale.today - timedelta(days=365 * person.age)).isoformat())
    return person


def add_teams(scale: Scale, count: int) -> None:
    """Teams of two to five from one place; a few young people belong to two teams."""
    rng = scale.rng
    for number in range(1, count + 1):
        place = _place(scale)
        size = rng.choices((2, 3, 4, 5), weights=(3, 4, 3, 2))[0]
        members = [_young_person(scale, place) for _ in range(size)]
        if size < 5 and scale.teams and rng.random() < 0.08:  # someone from another team of the place joins too
            other = rng.choice(scale.teams)
            if other.country == place[0]:
                candidate = rng.choice(other.members)
                if candidate not in members:
                    members.append(candidate)
        adults = [m for m in members if m.age >= 18]
        lead = rng.choice(adults) if adults and rng.random() < 0.7 else members[0]
        team = TeamRecord(id=scale.ids.one(Team.__table__), lead=lead, members=members, country=place[0],
                          organisation=rng.choice(words.ORGANISATIONS) if rng.random() < 0.6 else None,
                          locale=place[2], timezone=place[3])
        created = scale.ago(rng.randint(60, 1000))
        scale.out.add(Team.__table__, {
            "id": team.id, "name": words.team_name(rng, number), "description": f"We make {rng.choice(words.TOPICS)} "
            f"to {rng.choice(words.AIMS)}.", "country": team.country, "languages": LANGUAGES[team.locale],
            "organisation": team.organisation, "lead_id": lead.id, "created_at": created})
        for position, member in enumerate(sorted(members, key=lambda m: m is not lead)):
            scale.out.add(Membership.__table__, {"id": scale.ids.one(Membership.__table__), "team_id": team.id,
                                                 "user_id": member.id,
                                                 "joined_at": created + timedelta(hours=position)})
        if rng.random() < 0.05:
            scale.out.add(Invitation.__table__, {
                "id": scale.ids.one(Invitation.__table__), "team_id": team.id,
                "email": f"invited{team.id}@{DOMAIN}", "invited_by_id": lead.id, "state": "pending",
                "created_at": scale.ago(rng.randint(1, 10)), "responded_at": None, "responder_id": None})
        scale.teams.append(team)


def add_team_needs(scale: Scale, team: TeamRecord) -> None:
    scale.out.add(TeamNeeds.__table__, {
        "id": scale.ids.one(TeamNeeds.__table__), "team_id": team.id,
        "needs": scale.rng.sample(EXPERTISE[:-1], scale.rng.randint(1, 2)), "timezone": team.timezone,
        "note": "We would love feedback on our scripts.", "updated_by_id": team.lead.id,
        "updated_at": scale.ago(scale.rng.randint(1, 60))})
