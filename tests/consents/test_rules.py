"""The rules that consent per purpose changes: who is named in public, who may be mentored, who reads a team's
space. Under the age of consent both the guardian's consent and the young person's own agreement count."""

from __future__ import annotations

import pytest

from app import db, policy
from app.consents import services
from tests.consents.conftest import build, family
from tests.factories import create_team, create_user, record_consents

ALL = ("mentoring", "showcase", "photos")


@pytest.mark.parametrize(("purposes", "own", "showcase", "mentoring"), [
    (ALL, ALL, True, True),
    (ALL, (), False, False),                       # the guardian's yes does not speak for the young person
    (("mentoring",), ALL, False, True),            # each purpose on its own
    (("showcase",), ("showcase",), True, False),
    ((), ALL, False, False),                       # taking part only
])
def test_under_the_age_of_consent_both_answers_count(purposes, own, showcase, mentoring):
    _guardian, minor = family(purposes, own)
    assert policy.has_consent(minor) and policy.can_submit(minor)
    assert policy.can_appear_publicly(minor) is showcase
    assert policy.has_purpose_consent(minor, "mentoring") is mentoring


def test_without_consent_to_taking_part_no_other_purpose_counts():
    minor = create_user(age=14, country="FR", consent="given")
    record = services.standing(minor, "participation", "guardian")
    record.withdrawn_at, record.withdrawn_by_id = record.given_at, minor.id
    db.session.flush()
    assert not policy.has_consent(minor) and not policy.can_submit(minor)
    assert not any(policy.has_purpose_consent(minor, purpose) for purpose in ("participation", *ALL))
    assert not policy.can_appear_publicly(minor)


def test_of_age_joining_counts_as_agreeing_until_the_person_withdraws():
    person = create_user(age=16, country="CA")  # 13 is the consent age in Canada outside Québec
    assert policy.can_appear_publicly(person) and policy.can_appear_in_photos(person)
    services.withdraw(person, person, "showcase", given_as="self", reason="Not my name, please.")
    assert not policy.can_appear_publicly(person)
    assert policy.can_appear_in_photos(person)  # each purpose on its own
    services.give(person, person, "showcase", given_as="self")
    assert policy.can_appear_publicly(person)


def test_a_team_may_be_mentored_once_every_member_under_the_age_of_consent_may():
    adult = create_user(age=30)
    _g1, ready = family(name="Ana Ready")
    _g2, waiting = family(purposes=("showcase",), name="Wil Waiting")
    assert policy.team_may_be_mentored(create_team(adult, ready))
    assert not policy.team_may_be_mentored(create_team(adult, ready, waiting))
    assert policy.team_may_be_mentored(create_team(adult))


def test_a_mentor_may_not_mentor_a_team_whose_minor_may_not_be_mentored():
    scene = build(purposes=("showcase",))
    assert not policy.may_mentor(scene.mentor, scene.team)
    assert not policy.is_team_mentor(scene.mentor, scene.team)
    assert not policy.can_view_team_space(scene.mentor, scene.team)
    record_consents(scene.minor, ("mentoring",), guardian=scene.guardian)
    assert policy.is_team_mentor(scene.mentor, scene.team)


def test_the_guardian_of_a_minor_member_reads_the_space_but_does_not_post(scene):
    assert policy.is_guardian_of(scene.guardian, scene.minor)
    assert policy.can_view_team_space(scene.guardian, scene.team)
    assert not policy.can_post_in_team_space(scene.guardian, scene.team)
    assert not policy.can_view_team_space(scene.other_guardian, scene.team)
    assert not policy.can_view_team_details(scene.guardian, scene.team)


def test_a_guardian_reads_no_longer_once_consent_to_taking_part_is_withdrawn(scene):
    services.withdraw(scene.guardian, scene.minor, "participation", given_as="guardian")
    assert not policy.can_view_team_space(scene.guardian, scene.team)


def test_a_guardian_reads_no_longer_once_the_child_is_old_enough(scene):
    scene.minor.birth_date = scene.minor.birth_date.replace(year=scene.minor.birth_date.year - 2)  # now 16
    db.session.flush()
    assert not policy.can_view_team_space(scene.guardian, scene.team)
    assert not policy.can_manage_consents_of(scene.guardian, scene.minor)
    assert policy.can_view_consents_of(scene.guardian, scene.minor)
