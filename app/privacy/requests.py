"""A guardian's request that a minor's data be erased, and the coordinators' answer.

The guardian who gave consent asks, with a reason; every coordinator is emailed and the young person is told.
A coordinator carries it out (the same erasure as deleting one's own account, see erasure.py) or refuses it
with a note the guardian reads; the young person hears either way (when erased, by the goodbye email).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import audit, db, policy
from app.accounts.models import ErasureRequest, RoleGrant, User
from app.accounts.services import link
from app.db import utcnow
from app.mail.services import queue_email
from app.privacy.erasure import erase_account, is_erased
from app.validation import ValidationFailed


def pending_for(minor: User) -> ErasureRequest | None:
    return db.session.scalar(select(ErasureRequest).where(ErasureRequest.minor_id == minor.id,
                                                          ErasureRequest.state == "pending"))


def _already_waiting() -> ValidationFailed:
    return ValidationFailed([(None, _l("A request to erase this young person's data is already waiting for a "
                                       "coordinator."))])


def file_request(guardian: User, minor: User, reason: str) -> ErasureRequest:
    if not policy.can_request_erasure(guardian, minor):
        raise ValidationFailed([(None, _l("You cannot ask for this person's data to be erased."))])
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([("reason", _l("Say why, so the coordinators can act on it."))])
    if pending_for(minor) is not None:
        raise _already_waiting()
    request = ErasureRequest(minor_id=minor.id, requested_by_id=guardian.id, reason=reason)
    try:
        with db.session.begin_nested():  # two quick clicks: the partial unique index keeps one
            db.session.add(request)
    except IntegrityError:
        raise _already_waiting() from None
    audit.record(guardian, "privacy.erasure_requested", request, minor_id=minor.id)
    url = link("privacy.request_page", request_id=request.id)
    for coordinator in _coordinators():
        queue_email(coordinator.email, "privacy_erasure_requested", coordinator.locale, url=url)
    queue_email(minor.email, "privacy_erasure_requested_minor", minor.locale, minor=minor)
    return request


def _coordinators() -> list[User]:
    return list(db.session.scalars(select(User).join(RoleGrant, RoleGrant.user_id == User.id)
                                   .where(RoleGrant.role == "coordinator", User.erased_at.is_(None))
                                   .order_by(User.id)))


def people_of(request: ErasureRequest) -> tuple[User | None, User | None]:
    """(the young person, the guardian who asked): either may be gone."""
    ids = [i for i in (request.minor_id, request.requested_by_id) if i is not None]
    found = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return found.get(request.minor_id), found.get(request.requested_by_id)


def carry_out(coordinator: User, request: ErasureRequest) -> None:
    """Erase the young person's data (raises ValidationFailed with what stops it) and tell the guardian."""
    if not policy.can_decide_erasure_request(coordinator, request):
        raise ValidationFailed([(None, _l("This request has already been answered."))])
    minor, guardian = people_of(request)
    request_id = request.id
    if minor is not None and not is_erased(minor):
        erase_account(minor, coordinator)  # also marks every waiting request about them done
    request = db.session.get(ErasureRequest, request_id)
    if request.state == "pending":
        request.state, request.decided_at = "done", utcnow()
    request.decided_by_id = coordinator.id
    db.session.flush()
    audit.record(coordinator, "privacy.erasure_carried_out", request, minor_id=request.minor_id)
    if guardian is not None and not is_erased(guardian):
        queue_email(guardian.email, "privacy_erasure_done", guardian.locale)


def refuse(coordinator: User, request: ErasureRequest, note: str) -> None:
    if not policy.can_decide_erasure_request(coordinator, request):
        raise ValidationFailed([(None, _l("This request has already been answered."))])
    note = (note or "").strip()
    if not note:
        raise ValidationFailed([("note", _l("Say why: the guardian is sent this note."))])
    request.state, request.decided_at, request.decided_by_id, request.decision_note = (
        "refused", utcnow(), coordinator.id, note)
    db.session.flush()
    audit.record(coordinator, "privacy.erasure_refused", request, minor_id=request.minor_id)
    minor, guardian = people_of(request)
    if guardian is not None and not is_erased(guardian):
        queue_email(guardian.email, "privacy_erasure_refused", guardian.locale, note=note,
                    url=link("core.dashboard"))
    if minor is not None and not is_erased(minor):
        queue_email(minor.email, "privacy_erasure_refused_minor", minor.locale, minor=minor)
