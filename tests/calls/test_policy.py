"""The call rules of app/policy.py, as tables."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from app import db, policy
from app.calls.models import CallFunder
from tests.factories import create_call, create_user


def _person(kind: str, call):
    if kind == "anonymous":
        return AnonymousUserMixin()
    if kind == "owner":
        return call.owner
    if kind == "co_funder":
        person = create_user("funder")
        call.funders.append(CallFunder(user_id=person.id))
        db.session.flush()
        return person
    role, _, state = kind.partition(":")
    return create_user(role, confirmed=state != "unconfirmed")


KINDS = ["anonymous", "youth", "guardian", "mentor", "funder", "funder:unconfirmed", "owner", "co_funder",
         "coordinator"]


@pytest.mark.parametrize(("kind", "expected"), list(zip(KINDS, [False, False, False, False, True, False, True, True,
                                                           True], strict=True)))
def test_can_create_call(kind, expected):
    assert policy.can_create_call(_person(kind, create_call())) is expected


@pytest.mark.parametrize(("kind", "expected"), list(zip(KINDS, [False, False, False, False, True, True, True, True,
                                                           True], strict=True)))
def test_can_see_managed_calls(kind, expected):
    assert policy.can_see_managed_calls(_person(kind, create_call())) is expected


@pytest.mark.parametrize("state", ["draft", "published", "closed", "archived"])
@pytest.mark.parametrize(("kind", "manages"), list(zip(KINDS, [False, False, False, False, False, False, True, True,
                                                          True], strict=True)))
def test_managing_viewing_and_editing_calls(kind, manages, state):
    call = create_call(create_user("funder"), state=state)
    person = _person(kind, call)
    assert policy.can_manage_call(person, call) is manages
    assert policy.can_move_call(person, call, "publish") is manages
    assert policy.can_edit_call(person, call) is (manages and state != "archived")
    assert policy.can_view_call(person, call) is (manages or state in ("published", "closed"))


@pytest.mark.parametrize("state", ["draft", "published", "closed", "archived"])
@pytest.mark.parametrize("kind", KINDS)
def test_only_coordinators_add_funders(kind, state):
    call = create_call(create_user("funder"), state=state)
    assert policy.can_add_call_funder(_person(kind, call), call) is (kind == "coordinator" and state != "archived")
