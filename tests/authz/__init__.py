"""Pieces of the authorization matrix: each capability lists its routes in tests/authz/<capability>.py.

A module there defines ROWS (route × role → expected status) and may define build(world), which adds the
records its URLs need to the shared `world` namespace and may add requesters to `world.relations`
(for a variant column such as "call_funder"). tests/test_authorization_matrix.py gathers them all.
"""

from __future__ import annotations

from dataclasses import dataclass

SIGNIN = "signin"  # a 302 to the sign-in page
BASE_ROLES = ("anonymous", "youth", "guardian", "mentor", "funder", "coordinator")
# Relations that matter on some routes: the requester leads the team, is a member, is the person a link
# (invitation or consent request) was sent to, or is a funder who manages the call.
# team_mentor: an active, vetted mentor of the world's team (tests/authz/mentoring.py builds them).
VARIANTS = ("lead", "member", "addressee", "call_funder", "team_mentor")
ADDRESSEE_EMAIL = "addressee@example.org"


def cells(anonymous, youth, guardian, mentor, funder, coordinator, *, lead=None, member=None, addressee=None,
          call_funder=None, team_mentor=None):
    row = dict(zip(BASE_ROLES, (anonymous, youth, guardian, mentor, funder, coordinator), strict=True))
    variants = (("lead", lead), ("member", member), ("addressee", addressee), ("call_funder", call_funder),
                ("team_mentor", team_mentor))
    row.update({name: value for name, value in variants if value is not None})
    return row


def everyone(status, **variants):
    return cells(status, status, status, status, status, status, **variants)


def signed_in(status, **variants):
    return cells(SIGNIN, status, status, status, status, status, **variants)


def coordinators(status):
    return cells(SIGNIN, 403, 403, 403, 403, status)


def team_lead_only(lead_status):
    return cells(SIGNIN, 403, 403, 403, 403, 403, lead=lead_status, member=403)


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    url: callable
    expected: dict

    @property
    def key(self) -> tuple[str, str]:
        return self.endpoint, self.method


def row(endpoint, method, url, expected):
    return Row(endpoint, method, url if callable(url) else (lambda _ctx, url=url: url), expected)
