"""Who receives a team's grant money: an adult, either a guardian of a member or a person acting for the team's
sponsoring organisation. With Stripe on they open a connected account through Stripe's hosted onboarding;
with Stripe off a coordinator records the reference of their bank details for manual payment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit, db, policy
from app.accounts.models import GuardianConsent, User
from app.accounts.services import path_for
from app.db import utcnow
from app.notices.services import notify
from app.payments import gateway
from app.payments.models import Disbursement, Payee
from app.teams.models import Team
from app.validation import ValidationFailed


def payee_of(team: Team) -> Payee | None:
    return db.session.scalar(select(Payee).where(Payee.team_id == team.id))


def guardians_of(team: Team) -> list[User]:
    """Adults who consented for a member of the team: the people a guardian payee is chosen from."""
    member_ids = [m.user_id for m in team.memberships]
    if not member_ids:
        return []
    return list(db.session.scalars(
        select(User).join(GuardianConsent, GuardianConsent.guardian_id == User.id)
        .where(GuardianConsent.minor_id.in_(member_ids), GuardianConsent.state == "given",
               User.erased_at.is_(None))  # an erased guardian can neither be paid nor be written to
        .distinct().order_by(User.display_name)))


def choose(actor: User, team: Team, *, kind: str, email: str | None = None, guardian_id: int | None = None,
           organisation: str | None = None) -> Payee:
    """Name the team's payee (or replace them while nothing is being paid to them)."""
    problems: list[tuple[str | None, str]] = []
    person = None
    if kind == "guardian":
        person = next((g for g in guardians_of(team) if g.id == guardian_id), None)
        if person is None:
            problems.append(("guardian", _l("Choose one of the guardians who gave consent for a member.")))
    elif kind == "organisation":
        if not (organisation or "").strip():
            problems.append(("organisation", _l("Name the organisation that receives the money.")))
        person = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
        if person is None:
            problems.append(("email", _l("No account uses this address: the organisation's contact needs a "
                                         "Passerelle account first.")))
        elif not (policy.is_confirmed(person) and policy.is_adult(person)):
            problems.append(("email", _l("The payee must be an adult whose email address is confirmed.")))
    else:
        problems.append(("kind", _l("Choose who receives the money.")))
    if problems:
        raise ValidationFailed(problems)
    payee = payee_of(team)
    if payee is not None and payee.user_id != person.id and _has_open_payment(payee):
        raise ValidationFailed([(None, _l("A payment to the current payee is still under way: change the payee "
                                          "once it is settled."))])
    if payee is None or payee.user_id != person.id:
        if payee is not None:
            db.session.delete(payee)
            db.session.flush()
        payee = Payee(team_id=team.id, user_id=person.id, country=person.country)
        db.session.add(payee)
    payee.kind = kind
    payee.organisation = organisation.strip() if kind == "organisation" else None
    payee.chosen_by_id, payee.updated_at = actor.id, utcnow()
    db.session.flush()
    audit.record(actor, "payee.chosen", team, payee_user_id=person.id, kind=kind)
    notify([person], "payee_chosen", None, actor=actor, path=path_for("payouts.payee", team_id=team.id),
           team=team.name)
    return payee


def _has_open_payment(payee: Payee) -> bool:
    return db.session.scalar(select(Disbursement.id).where(Disbursement.payee_id == payee.id,
                                                           Disbursement.state.in_(("pending", "failed")))
                             .limit(1)) is not None


def record_bank_reference(actor: User, payee: Payee, reference: str) -> None:
    """With Stripe off: where a coordinator pays this payee by hand (kept outside the portal; this names it)."""
    reference = (reference or "").strip()
    if not reference:
        raise ValidationFailed([("reference", _l("Enter the reference of the payee's bank details."))])
    payee.bank_reference, payee.updated_at = reference, utcnow()
    audit.record(actor, "payee.bank_reference_recorded", payee.team, payee_id=payee.id)


def onboarding_link(payee: Payee, *, refresh_url: str, return_url: str) -> str:
    """The Stripe-hosted page where the payee gives Stripe their identity and bank details.

    The account is created once (an idempotency key derived from the payee makes a retried request harmless)."""
    if payee.stripe_account_id is None:
        account = gateway.create_connected_account(
            email=payee.user.email, country=payee.country,
            kind="company" if payee.kind == "organisation" else "individual", reference=f"payee-{payee.id}",
            idempotency_key=f"passerelle-payee-{payee.id}-account")
        payee.stripe_account_id = account.id
        _apply(payee, account)
        db.session.flush()
    return gateway.create_account_link(payee.stripe_account_id, refresh_url=refresh_url, return_url=return_url)


def _apply(payee: Payee, account) -> None:
    payee.payouts_enabled = bool(account.payouts_enabled and account.transfers_active)
    payee.details_submitted = bool(account.details_submitted)
    payee.requirements_due = list(account.requirements_due)
    payee.updated_at = utcnow()


def refresh_from_stripe(account_id: str) -> str:
    """account.updated: re-read the account (events may arrive in any order) and keep what Stripe says now."""
    payee = db.session.scalar(select(Payee).where(Payee.stripe_account_id == account_id))
    if payee is None:
        return "unknown_account"
    _apply(payee, gateway.retrieve_account(account_id))
    return "payee_ready" if payee.payouts_enabled else "payee_not_ready"
