"""vetting_state: a check that covers today makes a mentor vetted (the last day included); it agrees with policy."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app import db, policy
from app.mentoring.models import MentorVetting
from app.mentors.services import vetting_state, vetting_states

TODAY = date(2027, 3, 15)


def _check(mentor, checked_on: date, expires_on: date, kind: str = "police_check") -> MentorVetting:
    vetting = MentorVetting(mentor_id=mentor.id, kind=kind, checked_on=checked_on, expires_on=expires_on)
    db.session.add(vetting)
    db.session.flush()
    return vetting


@pytest.fixture
def mentor(create_user):
    return create_user("mentor")


def test_no_check_means_not_vetted(mentor):
    state = vetting_state(mentor, TODAY)
    assert (state.status, state.vetting, state.until, state.is_vetted) == ("none", None, None, False)


def test_a_check_that_covers_today_makes_the_mentor_vetted(mentor):
    check = _check(mentor, TODAY - timedelta(days=100), TODAY + timedelta(days=30))

    state = vetting_state(mentor, TODAY)

    assert (state.status, state.vetting, state.until, state.is_vetted) == ("vetted", check, check.expires_on, True)


def test_a_check_expiring_today_still_counts(mentor):
    _check(mentor, TODAY - timedelta(days=365), TODAY)

    assert vetting_state(mentor, TODAY).status == "vetted"
    assert vetting_state(mentor, TODAY + timedelta(days=1)).status == "expired"


def test_an_expired_check_says_when_it_ended(mentor):
    _check(mentor, TODAY - timedelta(days=900), TODAY - timedelta(days=200))
    newest = _check(mentor, TODAY - timedelta(days=400), TODAY - timedelta(days=1))

    state = vetting_state(mentor, TODAY)

    assert (state.status, state.vetting, state.until) == ("expired", newest, TODAY - timedelta(days=1))


def test_the_check_that_lasts_longest_gives_the_date(mentor):
    _check(mentor, TODAY - timedelta(days=10), TODAY + timedelta(days=700))
    _check(mentor, TODAY - timedelta(days=5), TODAY + timedelta(days=90), kind="references")  # recorded later

    assert vetting_state(mentor, TODAY).until == TODAY + timedelta(days=700)


def test_a_check_dated_after_today_does_not_count_yet(mentor):
    _check(mentor, TODAY + timedelta(days=1), TODAY + timedelta(days=400))
    assert vetting_state(mentor, TODAY).status == "none"


def test_several_mentors_in_one_query(create_user, count_queries):
    vetted, expired, never = create_user("mentor"), create_user("mentor"), create_user("mentor")
    _check(vetted, TODAY - timedelta(days=1), TODAY + timedelta(days=1))
    _check(expired, TODAY - timedelta(days=9), TODAY - timedelta(days=2))
    states = {}

    assert count_queries(lambda: states.update(vetting_states([vetted.id, expired.id, never.id], TODAY))) == 1
    assert {user_id: state.status for user_id, state in states.items()} == {
        vetted.id: "vetted", expired.id: "expired", never.id: "none"}


@pytest.mark.parametrize("offset", [-59, -30, -1, 0, 1, 30])
def test_it_agrees_with_the_policy_rule(mentor, offset):
    """The pages and the safety rule (policy.is_vetted) must never disagree about who is vetted."""
    expires = TODAY + timedelta(days=offset)
    _check(mentor, TODAY - timedelta(days=60), expires)
    for day in (TODAY - timedelta(days=61), TODAY - timedelta(days=60), TODAY, expires, expires + timedelta(days=1)):
        assert vetting_state(mentor, day).is_vetted == policy.is_vetted(mentor, day), day
