"""The authorization matrix: every route × every kind of person → the status they get.

Each row names an endpoint and a method, how to build its URL, and the answer each person gets when
sending minimal (valid-CSRF, otherwise empty) data. A route added to the app without a row here fails
`test_every_route_is_in_the_matrix`; a row for a route that is gone fails `test_matrix_lists_no_stale_route`.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from app import db
from app.accounts.models import GuardianConsent
from app.mail.models import OutboxMessage
from app.teams.models import Invitation
from app.tokens import make_link_token
from tests.conftest import post, sign_in
from tests.factories import create_team, create_user

SIGNIN = "signin"  # a 302 to the sign-in page
BASE_ROLES = ("anonymous", "youth", "guardian", "mentor", "funder", "coordinator")
# Relations that matter on some routes: the requester leads the team, is a member, or is the person a
# link (invitation or consent request) was sent to.
VARIANTS = ("lead", "member", "addressee")
ADDRESSEE_EMAIL = "addressee@example.org"


def cells(anonymous, youth, guardian, mentor, funder, coordinator, *, lead=None, member=None, addressee=None):
    row = dict(zip(BASE_ROLES, (anonymous, youth, guardian, mentor, funder, coordinator), strict=True))
    row.update({name: value for name, value in (("lead", lead), ("member", member), ("addressee", addressee))
                if value is not None})
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


MATRIX = [
    # -- accounts ---------------------------------------------------------------------------------
    row("accounts.signup", "GET", "/signup", cells(200, 302, 302, 302, 302, 302)),
    row("accounts.signup", "POST", "/signup", cells(200, 302, 302, 302, 302, 302)),
    row("accounts.check_email", "GET", "/signup/check-email", everyone(200)),
    row("accounts.confirm_email", "GET", lambda c: f"/confirm/{c.confirm_token}", everyone(302)),
    row("accounts.resend_confirmation", "POST", "/confirm/resend", signed_in(302)),
    row("accounts.signin", "GET", "/signin", cells(200, 302, 302, 302, 302, 302)),
    row("accounts.signin", "POST", "/signin", cells(200, 302, 302, 302, 302, 302)),
    row("accounts.signout", "POST", "/signout", everyone(302)),
    row("accounts.forgot_password", "GET", "/password/forgot", everyone(200)),
    row("accounts.forgot_password", "POST", "/password/forgot", everyone(200)),
    row("accounts.reset_password", "GET", lambda c: f"/password/reset/{c.reset_token}", everyone(200)),
    row("accounts.reset_password", "POST", lambda c: f"/password/reset/{c.reset_token}", everyone(200)),
    row("accounts.profile", "GET", "/account", signed_in(200)),
    row("accounts.profile", "POST", "/account", signed_in(302)),  # missing fields keep their saved values
    row("accounts.change_password", "GET", "/account/password", signed_in(200)),
    row("accounts.change_password", "POST", "/account/password", signed_in(200)),
    row("accounts.consent", "GET", lambda c: f"/consent/{c.consent_token}",
        cells(200, 403, 403, 403, 403, 403, addressee=200)),
    row("accounts.consent", "POST", lambda c: f"/consent/{c.consent_token}",
        cells(200, 403, 403, 403, 403, 403, addressee=200)),
    row("accounts.resend_consent", "POST", "/consent/resend", signed_in(403)),  # adults need no consent
    # -- core -------------------------------------------------------------------------------------
    row("core.home", "GET", "/", everyone(200)),
    row("core.conduct", "GET", "/conduct", everyone(200)),
    row("core.set_language", "POST", "/language", everyone(302)),
    row("core.dashboard", "GET", "/dashboard", signed_in(200)),
    # -- admin ------------------------------------------------------------------------------------
    row("admin.people", "GET", "/admin/people", coordinators(200)),
    row("admin.change_role", "POST", lambda c: f"/admin/people/{c.other_member.id}/roles", coordinators(400)),
    row("admin.outbox", "GET", "/admin/outbox", coordinators(200)),
    row("admin.outbox_message", "GET", lambda c: f"/admin/outbox/{c.message.id}", coordinators(200)),
    row("admin.retry_message", "POST", lambda c: f"/admin/outbox/{c.message.id}/retry", coordinators(302)),
    # -- teams ------------------------------------------------------------------------------------
    row("teams.index", "GET", "/teams/", signed_in(200, lead=200, member=200)),
    row("teams.create", "GET", "/teams/new", cells(SIGNIN, 200, 403, 403, 403, 403)),
    row("teams.create", "POST", "/teams/new", cells(SIGNIN, 200, 403, 403, 403, 403)),
    row("teams.show", "GET", lambda c: f"/teams/{c.team.id}", signed_in(200, lead=200, member=200)),
    row("teams.edit", "GET", lambda c: f"/teams/{c.team.id}/edit", team_lead_only(200)),
    row("teams.edit", "POST", lambda c: f"/teams/{c.team.id}/edit", team_lead_only(200)),
    row("teams.invite", "POST", lambda c: f"/teams/{c.team.id}/invitations", team_lead_only(400)),
    row("teams.revoke", "POST", lambda c: f"/teams/{c.team.id}/invitations/{c.invitation.id}/revoke",
        team_lead_only(302)),
    row("teams.remove_member", "POST", lambda c: f"/teams/{c.team.id}/members/{c.other_member.id}/remove",
        team_lead_only(302)),
    row("teams.hand_over", "POST", lambda c: f"/teams/{c.team.id}/lead", team_lead_only(302)),
    row("teams.leave", "POST", lambda c: f"/teams/{c.team.id}/leave",
        cells(SIGNIN, 403, 403, 403, 403, 403, lead=403, member=302)),
    row("teams.invitation", "GET", lambda c: f"/teams/invitations/{c.invitation_token}",
        everyone(200, lead=200, member=200, addressee=200)),
    row("teams.answer_invitation", "POST", lambda c: f"/teams/invitations/{c.invitation_token}/accept",
        signed_in(403, lead=403, member=403, addressee=302)),
]

CELLS = [
    pytest.param(entry, role, id=f"{entry.endpoint}-{entry.method}-{role}")
    for entry in MATRIX for role in (*BASE_ROLES, *VARIANTS) if role in entry.expected
]


def _world(role: str) -> SimpleNamespace:
    """Everything the URLs name: a team (led by someone else unless the requester is its lead),
    an invitation, a consent request, an outbox message and link tokens."""
    lead = create_user("youth", name="Lena Lead")
    member = create_user("youth", name="Milo Member")
    other_member = create_user("youth", name="Omar Other")
    team = create_team(lead, member, other_member, name="Matrix Team")
    addressee = create_user("youth", email=ADDRESSEE_EMAIL, age=30)
    invitation = Invitation(team_id=team.id, email=ADDRESSEE_EMAIL, invited_by_id=lead.id)
    minor = create_user("youth", age=13, region="CA-QC")
    consent = GuardianConsent(minor_id=minor.id, guardian_email=ADDRESSEE_EMAIL, nonce="0123456789abcdef")
    message = OutboxMessage(recipient="someone@example.org", subject="Hello", body="Body", kind="test",
                            state="failed", attempts=8, last_error="OSError: down")
    unconfirmed = create_user("youth", confirmed=False)
    db.session.add_all([invitation, consent, message])
    db.session.flush()
    relations = {"anonymous": None, "lead": lead, "member": member, "addressee": addressee}
    requester = relations[role] if role in relations else create_user(role)
    return SimpleNamespace(
        requester=requester, team=team, other_member=other_member, invitation=invitation, message=message,
        invitation_token=make_link_token("invitation", {"invitation": invitation.id, "email": invitation.email}),
        consent_token=make_link_token("consent", {"consent": consent.id, "n": consent.nonce}),
        confirm_token=make_link_token("confirm", {"user": unconfirmed.id, "email": unconfirmed.email}),
        reset_token=make_link_token("reset", {"user": other_member.id, "h": other_member.password_hash[-16:]}),
    )


@pytest.mark.parametrize(("entry", "role"), CELLS)
def test_cell(app, entry: Row, role: str):
    ctx = _world(role)
    client = app.test_client()
    if ctx.requester is not None:
        sign_in(client, ctx.requester)
    url = entry.url(ctx)

    response = post(client, url) if entry.method == "POST" else client.open(url, method=entry.method)

    assert response.status_code < 500, f"{entry.method} {url} as {role} crashed"
    expected = entry.expected[role]
    if expected == SIGNIN:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/signin?next="), response.headers["Location"]
    else:
        assert response.status_code == expected, f"{entry.method} {url} as {role}"


def _app_routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_is_in_the_matrix(app):
    missing = _app_routes(app) - {entry.key for entry in MATRIX}
    assert not missing, f"routes without a row in the authorization matrix: {sorted(missing)}"


def test_matrix_lists_no_stale_route(app):
    stale = {entry.key for entry in MATRIX} - _app_routes(app)
    assert not stale, f"matrix rows for routes the app no longer has: {sorted(stale)}"


def test_every_row_covers_every_role():
    for entry in MATRIX:
        assert set(BASE_ROLES) <= set(entry.expected), entry.key
    assert len({entry.key for entry in MATRIX}) == len(MATRIX), "a route is listed twice"


def test_team_routes_have_lead_and_member_columns():
    for entry in MATRIX:
        if entry.endpoint.startswith("teams.") and entry.endpoint not in ("teams.create",):
            assert {"lead", "member"} <= set(entry.expected), entry.key
