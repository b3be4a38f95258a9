"""Permission rules as tables: who (role, state) × rule → allowed or not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_login import AnonymousUserMixin

from app import db, policy
from app.accounts.models import GuardianConsent
from app.teams.models import Invitation
from tests.factories import create_team, create_user

ANONYMOUS = AnonymousUserMixin()


def _person(kind: str):
    """A user described by a short name, as used in the tables below."""
    if kind == "anonymous":
        return ANONYMOUS
    roles, _, state = kind.partition(":")
    return create_user(*roles.split("+"), confirmed=state != "unconfirmed")


# -- roles ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kind", "expected"), [
    ("youth", True),
    ("youth:unconfirmed", False),
    ("youth+mentor", True),
    ("guardian", False),
    ("mentor", False),
    ("funder", False),
    ("coordinator", False),
    ("anonymous", False),
])
def test_can_create_team(kind, expected):
    assert policy.can_create_team(_person(kind)) is expected


@pytest.mark.parametrize("rule", ["can_manage_roles", "can_view_outbox", "can_view_people"])
@pytest.mark.parametrize(("kind", "expected"), [
    ("coordinator", True),
    ("coordinator:unconfirmed", True),
    ("youth+coordinator", True),
    ("youth", False),
    ("guardian", False),
    ("mentor", False),
    ("funder", False),
    ("anonymous", False),
])
def test_coordinator_only_rules(rule, kind, expected):
    assert getattr(policy, rule)(_person(kind)) is expected


# -- teams ----------------------------------------------------------------------------------------
def _team_with(kind: str):
    """(user, team) where the user stands in the relation `kind` to the team."""
    lead = create_user("youth")
    member = create_user("youth")
    if kind == "anonymous":
        return ANONYMOUS, create_team(lead, member)
    if kind == "lead":
        return lead, create_team(lead, member)
    if kind == "lead:unconfirmed":
        lead = create_user("youth", confirmed=False)
        return lead, create_team(lead, member)
    if kind == "lead:alone":
        return lead, create_team(lead)
    if kind == "member":
        return member, create_team(lead, member)
    if kind == "outsider":
        return create_user("youth"), create_team(lead, member)
    if kind == "coordinator":
        return create_user("coordinator"), create_team(lead, member)
    raise AssertionError(kind)


TEAM_TABLE = {
    #                       lead   lead:unconf lead:alone member outsider coordinator anonymous
    "can_view_team":         (True, True, True, True, True, True, False),
    "can_view_team_details": (True, True, True, True, False, True, False),
    "can_edit_team":         (True, True, True, False, False, False, False),
    "can_invite":            (True, False, True, False, False, False, False),
    "can_hand_over_lead":    (True, True, False, False, False, False, False),
    "can_leave_team":        (False, False, False, True, False, False, False),
}
TEAM_KINDS = ("lead", "lead:unconfirmed", "lead:alone", "member", "outsider", "coordinator", "anonymous")


@pytest.mark.parametrize(("rule", "kind", "expected"), [
    pytest.param(rule, kind, expected, id=f"{rule}-{kind}")
    for rule, row in TEAM_TABLE.items() for kind, expected in zip(TEAM_KINDS, row, strict=True)
])
def test_team_rules(rule, kind, expected):
    user, team = _team_with(kind)
    assert getattr(policy, rule)(user, team) is expected


@pytest.mark.parametrize(("actor", "target", "expected"), [
    ("lead", "member", True),
    ("lead", "lead", False),            # the lead cannot be removed, not even by themselves
    ("lead", "outsider", False),        # nobody to remove
    ("member", "other_member", False),
    ("member", "member", False),        # leaving is a separate rule
    ("coordinator", "member", False),
    ("anonymous", "member", False),
])
def test_can_remove_member(actor, target, expected):
    lead = create_user("youth")
    member = create_user("youth")
    other_member = create_user("youth")
    team = create_team(lead, member, other_member)
    people = {"lead": lead, "member": member, "other_member": other_member, "outsider": create_user("youth"),
              "coordinator": create_user("coordinator"), "anonymous": ANONYMOUS}
    assert policy.can_remove_member(people[actor], team, people[target]) is expected


@pytest.mark.parametrize(("who", "state", "expected"), [
    ("addressee", "pending", True),
    ("addressee:unconfirmed", "pending", False),
    ("addressee", "accepted", False),
    ("addressee", "declined", False),
    ("addressee", "revoked", False),
    ("other_email", "pending", False),
    ("coordinator", "pending", False),
    ("anonymous", "pending", False),
])
def test_can_answer_invitation(who, state, expected):
    team = create_team()
    invitation = Invitation(team_id=team.id, email="invitee@example.org", state=state)
    user = {
        "addressee": lambda: create_user("youth", email="invitee@example.org"),
        "addressee:unconfirmed": lambda: create_user("youth", email="invitee@example.org", confirmed=False),
        "other_email": lambda: create_user("youth", email="someone@example.org"),
        "coordinator": lambda: create_user("coordinator"),
        "anonymous": lambda: ANONYMOUS,
    }[who]()
    assert policy.can_answer_invitation(user, invitation) is expected


@pytest.mark.parametrize(("who", "state", "expected"), [
    ("lead", "pending", True),
    ("lead", "accepted", False),
    ("lead", "revoked", False),
    ("member", "pending", False),
    ("coordinator", "pending", False),
    ("anonymous", "pending", False),
])
def test_can_revoke_invitation(who, state, expected):
    lead = create_user("youth")
    member = create_user("youth")
    team = create_team(lead, member)
    invitation = Invitation(team=team, team_id=team.id, email="invitee@example.org", state=state)
    user = {"lead": lead, "member": member, "coordinator": create_user("coordinator"), "anonymous": ANONYMOUS}[who]
    assert policy.can_revoke_invitation(user, invitation) is expected


# -- guardian consent -----------------------------------------------------------------------------
@pytest.mark.parametrize(("who", "state", "expected"), [
    ("adult_guardian", "requested", True),
    ("adult_guardian", "given", False),       # answered once, never again
    ("adult_guardian", "refused", False),
    ("adult_guardian:unconfirmed", "requested", False),
    ("minor_same_email", "requested", False),  # a 16-year-old cannot consent for anyone
    ("adult_other_email", "requested", False),
    ("the_minor", "requested", False),         # a request sent to the minor's own address
    ("anonymous", "requested", False),
])
def test_can_answer_consent(who, state, expected):
    minor = create_user("youth", age=13, region="CA-QC")
    consent = GuardianConsent(minor_id=minor.id, guardian_email="parent@example.org", state=state, nonce="x" * 16)
    if who == "the_minor":
        consent.guardian_email = minor.email
        user = minor
    else:
        user = {
            "adult_guardian": lambda: create_user("guardian", email="parent@example.org", age=40),
            "adult_guardian:unconfirmed": lambda: create_user("guardian", email="parent@example.org", age=40,
                                                              confirmed=False),
            "minor_same_email": lambda: create_user("youth", email="parent@example.org", age=16),
            "adult_other_email": lambda: create_user("guardian", email="other@example.org", age=40),
            "anonymous": lambda: ANONYMOUS,
        }[who]()
    assert policy.can_answer_consent(user, consent) is expected


@pytest.mark.parametrize(("age", "country", "region", "consent", "confirmed", "expected"), [
    (25, "CA", None, None, True, True),              # adult
    (25, "CA", None, None, False, False),            # adult, email not confirmed
    (13, "CA", "CA-QC", None, True, False),          # minor, no request yet
    (13, "CA", "CA-QC", "requested", True, False),
    (13, "CA", "CA-QC", "given", True, True),
    (13, "CA", "CA-QC", "refused", True, False),
    (13, "CA", "CA-QC", "given", False, False),      # consent does not replace a confirmed email
    (14, "CA", "CA-QC", None, True, True),           # 14 is the consent age in Québec
    (13, "CA", None, None, True, True),              # 13 is enough elsewhere in Canada
    (14, "FR", None, None, True, False),             # France: 15
    (15, "DE", None, "given", True, True),           # Germany: 16
    (15, "DE", None, "refused", True, False),
])
def test_can_submit(age, country, region, consent, confirmed, expected):
    user = create_user("youth", age=age, country=country, region=region, consent=consent, confirmed=confirmed)
    assert policy.can_submit(user) is expected
    assert policy.can_appear_publicly(user) is expected
    assert policy.can_show_member_publicly(user) is expected


def test_the_newest_consent_request_counts():
    user = create_user("youth", age=13, region="CA-QC", consent="given")
    assert policy.can_submit(user)
    first = user.consent_requests[0]
    db.session.add(GuardianConsent(minor_id=user.id, guardian_email="parent@example.org", state="refused",
                                   nonce="y" * 16, requested_at=first.requested_at + timedelta(minutes=1),
                                   decided_at=first.requested_at + timedelta(minutes=2)))
    db.session.flush()
    db.session.expire(user, ["consent_requests"])
    assert policy.consent_state(user) == "refused"
    assert not policy.can_submit(user)


@pytest.mark.parametrize(("consent", "expected"), [(None, True), ("requested", True), ("refused", True),
                                                    ("given", False)])
def test_can_request_consent_until_given(consent, expected):
    minor = create_user("youth", age=13, region="CA-QC", consent=consent)
    assert policy.can_request_consent(minor) is expected
    assert policy.can_request_consent(create_user("youth", age=30)) is False
    assert policy.can_request_consent(ANONYMOUS) is False


def test_is_adult_from_the_eighteenth_birthday():
    user = create_user("youth")
    user.birth_date = date(2000, 6, 15)
    assert policy.is_adult(user, today=date(2018, 6, 15))
    assert not policy.is_adult(user, today=date(2018, 6, 14))
    assert not policy.is_adult(ANONYMOUS, today=date(2018, 6, 15))


def test_require_aborts_with_403():
    from werkzeug.exceptions import Forbidden

    policy.require(True)
    with pytest.raises(Forbidden):
        policy.require(False)
