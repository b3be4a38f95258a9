"""Authorization matrix rows for data rights: one's own data, a guardian's erasure request, the coordinators' queue.

build(world) adds a minor whose guardian (the world's addressee) gave consent, and a pending erasure request the
addressee made for them. Everyone signed in may download their data and open the deletion page; an empty
deletion lacks the password (400). Only the consenting guardian may ask for the minor's data to be erased (an
empty request lacks its reason: 400); the queue and the decisions are for coordinators (empty forms: 400).
"""

from __future__ import annotations

from tests.authz import SIGNIN, cells, coordinators, everyone, row, signed_in


def build(world) -> None:
    from app import db
    from app.accounts.models import ErasureRequest, GuardianConsent
    from app.db import utcnow
    from tests.factories import create_user

    guardian = world.relations["addressee"]
    minor = create_user("youth", age=14, region="CA-QC")
    db.session.add(GuardianConsent(minor_id=minor.id, guardian_email=guardian.email, guardian_id=guardian.id,
                                   state="given", decided_at=utcnow(), nonce="f" * 16))
    db.session.flush()
    db.session.expire(minor, ["consent_requests"])
    world.erasure_minor = minor
    world.erasure_request = ErasureRequest(minor_id=minor.id, requested_by_id=guardian.id, reason="Matrix.")
    db.session.add(world.erasure_request)
    db.session.flush()


def _guardian_only(status):
    return cells(SIGNIN, 403, 403, 403, 403, 403, lead=403, member=403, addressee=status)


ROWS = [
    row("privacy.data", "GET", "/account/data", signed_in(200, lead=200, member=200, addressee=200)),
    row("privacy.export", "POST", "/account/data/export", signed_in(200, lead=200, member=200)),
    row("privacy.delete", "GET", "/account/delete", signed_in(200, lead=200, member=200)),
    row("privacy.delete", "POST", "/account/delete", signed_in(400, lead=400, member=400)),
    row("privacy.deleted", "GET", "/account/deleted", everyone(200)),
    row("privacy.request_erasure", "GET", lambda c: f"/privacy/minors/{c.erasure_minor.id}/erasure",
        _guardian_only(200)),
    row("privacy.request_erasure", "POST", lambda c: f"/privacy/minors/{c.erasure_minor.id}/erasure",
        _guardian_only(400)),
    row("privacy.requests", "GET", "/privacy/requests", coordinators(200)),
    row("privacy.request_page", "GET", lambda c: f"/privacy/requests/{c.erasure_request.id}", coordinators(200)),
    row("privacy.carry_out", "POST", lambda c: f"/privacy/requests/{c.erasure_request.id}/carry-out",
        coordinators(400)),
    row("privacy.refuse", "POST", lambda c: f"/privacy/requests/{c.erasure_request.id}/refuse", coordinators(400)),
]
