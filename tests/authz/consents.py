"""Authorization matrix rows for consent per purpose.

build(world) adds world.consent_child: a 13-year-old in Québec whose consent request the addressee answered with
yes (taking part). A young person manages their own agreements (an adult one may still say no to being shown);
the guardian who consented manages the child's; coordinators read anyone's history.
"""

from __future__ import annotations

from tests.authz import SIGNIN, cells, row, signed_in


def build(world) -> None:
    from app import db
    from app.accounts.models import GuardianConsent
    from tests.factories import create_user, record_consents

    guardian = world.relations["addressee"]
    child = create_user("youth", age=13, region="CA-QC", name="Carla Child")
    db.session.add(GuardianConsent(minor_id=child.id, guardian_email="carla.parent@example.org",
                                   guardian_id=guardian.id, state="given", nonce="c" * 16))
    db.session.flush()
    record_consents(child, (), guardian=guardian)
    world.consent_child = child


def _youth(status):
    """Young people (an adult youth may withdraw being shown); other roles hold no agreement of their own."""
    return cells(SIGNIN, status, 403, 403, 403, 403, lead=status, member=status)


def _guardian(status):
    return cells(SIGNIN, 403, 403, 403, 403, 403, addressee=status)


def _child(c, rest: str = "") -> str:
    return f"/consents/young-people/{c.consent_child.id}{rest}"


ROWS = [
    row("consents.index", "GET", "/consents/", signed_in(200)),
    row("consents.give_own", "POST", "/consents/showcase/give", _youth(302)),
    row("consents.withdraw_own", "GET", "/consents/showcase/withdraw", _youth(200)),
    row("consents.withdraw_own", "POST", "/consents/showcase/withdraw", _youth(302)),
    row("consents.child", "GET", _child, _guardian(200)),
    row("consents.give_for", "POST", lambda c: _child(c, "/mentoring/give"), _guardian(302)),
    row("consents.withdraw_for", "GET", lambda c: _child(c, "/participation/withdraw"), _guardian(200)),
    row("consents.withdraw_for", "POST", lambda c: _child(c, "/participation/withdraw"), _guardian(302)),
    row("consents.person", "GET", lambda c: f"/consents/people/{c.consent_child.id}",
        cells(SIGNIN, 403, 403, 403, 403, 200)),
]
