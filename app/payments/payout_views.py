"""Payees and the payment of tranches: load → check → form → service → commit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db, policy
from app.accounts.forms import EmptyForm
from app.i18n import options
from app.ledger.models import Grant, Tranche
from app.money import format_money
from app.pagination import paginate
from app.payments import disbursements, gateway, payees
from app.payments.csp import CONNECT_ORIGIN, allowing_form_to
from app.payments.models import Disbursement, Payee
from app.payments.payout_forms import PayeeForm, ReferenceForm
from app.teams.models import Membership, Team
from app.validation import ValidationFailed, flash_problems

WAITING_SHOWN = 50

bp = Blueprint("payouts", __name__, url_prefix="/payouts")

STATE_LABELS = {"pending": _l("waiting"), "paid": _l("paid"), "failed": _l("failed"), "cancelled": _l("cancelled")}
METHOD_LABELS = {"stripe": _l("Stripe transfer"), "manual": _l("bank transfer by hand")}


@bp.app_context_processor
def _labels():
    return {"PAYOUT_STATE_LABELS": STATE_LABELS, "PAYOUT_METHOD_LABELS": METHOD_LABELS}


# -- the coordinators' list -------------------------------------------------------------------------
@bp.route("/")
@login_required
def index():
    policy.require(policy.can_manage_payouts(current_user))
    query = disbursements.open_payouts().options(
        selectinload(Disbursement.grant).selectinload(Grant.proposal), selectinload(Disbursement.grant)
        .selectinload(Grant.team), selectinload(Disbursement.payee).selectinload(Payee.user),
        selectinload(Disbursement.tranche))
    page = paginate(query, max(request.args.get("page", 1, type=int) or 1, 1), current_app.config["PAGE_SIZE"])
    # Bounded: a coordinator releases these as payees get ready; the grant pages hold the rest.
    waiting = list(db.session.scalars(disbursements.awaiting_release().options(
        selectinload(Tranche.grant).selectinload(Grant.team), selectinload(Tranche.grant)
        .selectinload(Grant.proposal)).limit(WAITING_SHOWN + 1)))
    return render_template("payments/payouts.html", page=page, action_form=EmptyForm(),
                           waiting=waiting[:WAITING_SHOWN], more_waiting=len(waiting) > WAITING_SHOWN,
                           forms={d.id: ReferenceForm(formdata=None, prefix=f"d{d.id}") for d in page.items},
                           stripe_on=gateway.enabled())


def _load_disbursement(disbursement_id: int) -> Disbursement:
    disbursement = db.session.get(Disbursement, disbursement_id)
    if disbursement is None:
        abort(404)
    return disbursement


def _back(default: str) -> str:
    target = request.form.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


@bp.route("/tranches/<int:tranche_id>/release", methods=["POST"])
@login_required
def release(tranche_id: int):
    policy.require(policy.can_manage_payouts(current_user))
    tranche = db.session.get(Tranche, tranche_id)
    if tranche is None:
        abort(404)
    back = _back(url_for("ledger.grant", grant_id=tranche.grant_id))
    if not EmptyForm().validate():
        abort(400)
    try:
        disbursement = disbursements.release(current_user, tranche)
    except ValidationFailed as error:
        db.session.rollback()
        flash_problems(error)
        return redirect(back)
    method, amount, currency = disbursement.method, disbursement.amount, disbursement.currency
    db.commit()
    if method == "stripe":
        flash(_("%(amount)s is on its way to the payee through Stripe.", amount=format_money(amount, currency)),
              "success")
    else:
        flash(_("%(amount)s is released: pay it by bank transfer, then record the payment on the payouts page.",
                amount=format_money(amount, currency)), "success")
    return redirect(back)


@bp.route("/<int:disbursement_id>/retry", methods=["POST"])
@login_required
def retry(disbursement_id: int):
    policy.require(policy.can_manage_payouts(current_user))
    disbursement = _load_disbursement(disbursement_id)
    if not EmptyForm().validate():
        abort(400)
    try:
        disbursements.retry(current_user, disbursement)
    except ValidationFailed as error:
        db.session.rollback()
        flash_problems(error)
        return redirect(url_for("payouts.index"))
    db.commit()
    flash(_("The transfer is being tried again."), "success")
    return redirect(url_for("payouts.index"))


@bp.route("/<int:disbursement_id>/paid", methods=["POST"])
@login_required
def paid_by_hand(disbursement_id: int):
    policy.require(policy.can_manage_payouts(current_user))
    disbursement = _load_disbursement(disbursement_id)
    form = ReferenceForm(prefix=f"d{disbursement.id}")
    try:
        if not form.validate():
            raise ValidationFailed([(None, _("Enter the reference of the payment, as the bank shows it."))])
        disbursements.record_manual_payment(current_user, disbursement, form.reference.data)
    except ValidationFailed as error:
        if disbursement.state == "paid":  # Stripe paid it after all: keep what we learnt
            db.commit()
        else:
            db.session.rollback()
        flash_problems(error)
        return redirect(url_for("payouts.index"))
    db.commit()
    flash(_("The payment is recorded."), "success")
    return redirect(url_for("payouts.index"))


# -- payees -----------------------------------------------------------------------------------------
def _load_team(team_id: int) -> Team:
    team = db.session.scalar(select(Team).where(Team.id == team_id)
                             .options(selectinload(Team.memberships).selectinload(Membership.user)))
    if team is None:
        abort(404)
    return team


def _payee_form(team: Team, formdata=None) -> PayeeForm:
    form = PayeeForm(formdata=formdata)
    form.guardian.choices = options([("", _("Choose a guardian"))] +
                                    [(str(g.id), g.display_name) for g in payees.guardians_of(team)])
    return form


def _payee_page(team: Team, form: PayeeForm | None = None, status: int = 200):
    payee = payees.payee_of(team)
    can_choose = policy.can_choose_payee(current_user, team)
    if form is None and can_choose:
        form = _payee_form(team)
        if payee is not None:
            form.kind.data = payee.kind
            form.guardian.data = str(payee.user_id) if payee.kind == "guardian" else ""
            form.organisation.data, form.email.data = payee.organisation, payee.user.email
    response = make_response(render_template(
        "payments/payee.html", team=team, payee=payee, form=form if can_choose else None,
        reference_form=ReferenceForm(formdata=None), stripe_on=gateway.enabled()), status)
    if gateway.enabled():
        response.headers["Content-Security-Policy"] = allowing_form_to(CONNECT_ORIGIN)
    return response


@bp.route("/teams/<int:team_id>/payee", methods=["GET", "POST"])
@login_required
def payee(team_id: int):
    team = _load_team(team_id)
    current = payees.payee_of(team)
    policy.require(policy.can_view_payee(current_user, team, current))
    if request.method == "GET":
        return _payee_page(team)
    policy.require(policy.can_choose_payee(current_user, team))
    form = _payee_form(team, request.form)
    if form.validate():
        try:
            guardian_id = int(form.guardian.data) if (form.guardian.data or "").isdigit() else None
            chosen = payees.choose(current_user, team, kind=form.kind.data, guardian_id=guardian_id,
                                   organisation=form.organisation.data, email=form.email.data)
        except ValidationFailed as error:
            db.session.rollback()
            flash_problems(error, form)
        else:
            name = chosen.user.display_name
            db.commit()
            flash(_("%(name)s will receive the team's grant money.", name=name), "success")
            return redirect(url_for("payouts.payee", team_id=team.id))
    return _payee_page(_load_team(team_id), form, status=400)


@bp.route("/payees/<int:payee_id>/bank-reference", methods=["POST"])
@login_required
def bank_reference(payee_id: int):
    policy.require(policy.can_manage_payouts(current_user))
    payee = db.session.get(Payee, payee_id)
    if payee is None:
        abort(404)
    form = ReferenceForm()
    try:
        if not form.validate():
            raise ValidationFailed([(None, _("Enter the reference of the payee's bank details."))])
        payees.record_bank_reference(current_user, payee, form.reference.data)
    except ValidationFailed as error:
        db.session.rollback()
        flash_problems(error)
    else:
        db.commit()
        flash(_("The bank details reference is recorded: tranches can be paid by hand."), "success")
    return redirect(url_for("payouts.payee", team_id=payee.team_id))


@bp.route("/payees/<int:payee_id>/onboard", methods=["POST"])
@login_required
def onboard(payee_id: int):
    payee = db.session.get(Payee, payee_id)
    if payee is None or not gateway.enabled():
        abort(404)
    policy.require(policy.can_onboard_payee(current_user, payee))
    if not EmptyForm().validate():
        abort(400)
    back = url_for("payouts.onboarded", payee_id=payee.id, _external=True)
    try:
        link = payees.onboarding_link(payee, refresh_url=back, return_url=back)
    except gateway.GatewayError:
        db.session.rollback()
        flash(_("Stripe cannot be reached right now. Please try again in a few minutes."), "error")
        return redirect(url_for("payouts.payee", team_id=payee.team_id))
    db.commit()
    return redirect(link, code=303)


@bp.route("/payees/<int:payee_id>/onboarded")
@login_required
def onboarded(payee_id: int):
    """Where Stripe sends the payee back: ask Stripe how far they got, then show the payee page."""
    payee = db.session.get(Payee, payee_id)
    if payee is None or not gateway.enabled() or payee.stripe_account_id is None:
        abort(404)
    policy.require(policy.can_onboard_payee(current_user, payee))
    try:
        outcome = payees.refresh_from_stripe(payee.stripe_account_id)
    except gateway.GatewayError:
        db.session.rollback()
        outcome = None
    db.commit()
    if outcome == "payee_ready":
        flash(_("Your payment account is ready: the team's tranches will be paid to it."), "success")
    else:
        flash(_("Stripe still needs some information before it can pay you. You can continue at any time."),
              "error")
    return redirect(url_for("payouts.payee", team_id=payee.team_id))
