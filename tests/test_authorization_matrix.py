"""The authorization matrix: every route × every kind of person → the status they get.

Each row names an endpoint and a method, how to build its URL, and the answer each person gets when
sending minimal (valid-CSRF, otherwise empty) data. A route added to the app without a row here fails
`test_every_route_is_in_the_matrix`; a row for a route that is gone fails `test_matrix_lists_no_stale_route`.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app import db
from app.accounts.models import GuardianConsent
from app.mail.models import OutboxMessage
from app.teams.models import Invitation
from app.tokens import make_link_token
from tests.authz import (
    ADDRESSEE_EMAIL,
    BASE_ROLES,
    SIGNIN,
    VARIANTS,
    Row,
    accounts,
    admin,
    auditlog,
    calls,
    consents,
    core,
    decisions,
    health,
    impact,
    ledger,
    mentoring,
    mentors,
    notices,
    payments_contributions,
    payouts,
    privacy,
    projects,
    proposals,
    reviews,
    safety,
    search,
    showcase,
    teams,
    teamspace,
    twofactor,
)
from tests.clients import isolated_client
from tests.conftest import post, sign_in
from tests.factories import create_team, create_user

# Each capability's rows live in tests/authz/<capability>.py; add a module here when a capability is added.
CAPABILITIES = (accounts, core, health, admin, teams, calls, proposals, reviews, decisions, notices, mentoring, mentors,
                teamspace, safety, ledger, projects, payouts, payments_contributions, impact,
                showcase, search, twofactor, auditlog, consents, privacy)
MATRIX = [entry for module in CAPABILITIES for entry in module.ROWS]


CELLS = [
    pytest.param(entry, role, id=f"{entry.endpoint}-{entry.method}-{role}")
    for entry in MATRIX for role in (*BASE_ROLES, *VARIANTS) if role in entry.expected
]


def _world(role: str) -> SimpleNamespace:
    """Everything the URLs name: a team (led by someone else unless the requester is its lead),
    an invitation, a consent request, an outbox message, link tokens, and what each capability adds."""
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
    world = SimpleNamespace(
        role=role, team=team, lead=lead, member=member, other_member=other_member, invitation=invitation,
        message=message,
        relations={"anonymous": None, "lead": lead, "member": member, "addressee": addressee},
        invitation_token=make_link_token("invitation", {"invitation": invitation.id, "email": invitation.email}),
        consent_token=make_link_token("consent", {"consent": consent.id, "n": consent.nonce}),
        confirm_token=make_link_token("confirm", {"user": unconfirmed.id, "email": unconfirmed.email}),
        reset_token=make_link_token("reset", {"user": other_member.id, "h": other_member.password_hash[-16:]}),
    )
    for module in CAPABILITIES:
        if hasattr(module, "build"):
            module.build(world)
    world.requester = world.relations[role] if role in world.relations else create_user(role)
    return world


@pytest.mark.parametrize(("entry", "role"), CELLS)
def test_cell(app, entry: Row, role: str):
    ctx = _world(role)
    client = isolated_client(app)  # each request its own session, as on a server: a view's rollback stays its own
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
