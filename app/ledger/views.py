"""The ledger pages: a call's money and a grant's money, and the form for a bank transfer received."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db, policy
from app.accounts.forms import EmptyForm
from app.calls.models import Call
from app.ledger import balances as rules
from app.ledger import services
from app.ledger.forms import ContributionForm
from app.ledger.models import Contribution, Grant, LedgerEntry
from app.money import format_money
from app.pagination import paginate
from app.validation import ValidationFailed, flash_problems

bp = Blueprint("ledger", __name__, url_prefix="/ledger")

KIND_LABELS = {
    rules.CONTRIBUTION: _l("Contribution received"),
    rules.REFUND: _l("Refund to a contributor"),
    rules.AWARD: _l("Award committed"),
    rules.AWARD_RELEASE: _l("Award released"),
    rules.DISBURSEMENT: _l("Paid to the team"),
    rules.DISBURSEMENT_REVERSAL: _l("Payment reversed"),
}
CONTRIBUTION_STATE_LABELS = {
    "pending": _l("waiting for the payment"),
    "completed": _l("received"),
    "expired": _l("expired"),
    "failed": _l("failed"),
}
METHOD_LABELS = {"stripe": _l("card or bank (Stripe)"), "offline": _l("bank transfer")}
TRANCHE_STATE_LABELS = {"planned": _l("planned"), "payable": _l("payable"), "paid": _l("paid")}


@bp.app_context_processor
def _labels():
    return {"LEDGER_KIND_LABELS": KIND_LABELS, "CONTRIBUTION_STATE_LABELS": CONTRIBUTION_STATE_LABELS,
            "CONTRIBUTION_METHOD_LABELS": METHOD_LABELS, "TRANCHE_STATE_LABELS": TRANCHE_STATE_LABELS}


def _page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _entries_page(**where):
    query = select(LedgerEntry).filter_by(**where).options(selectinload(LedgerEntry.actor),
                                                           selectinload(LedgerEntry.grant).selectinload(Grant.proposal))
    return paginate(query.order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc()), _page_number(),
                    current_app.config["PAGE_SIZE"])


def _contribution_form(call: Call, formdata=None) -> ContributionForm:
    form = ContributionForm(formdata=formdata)
    form.amount.currency = call.currency
    return form


def _call_page(call: Call, form: ContributionForm | None = None, status: int = 200):
    money = services.balances(call)
    grants = list(db.session.scalars(select(Grant).where(Grant.call_id == call.id)
                                     .options(selectinload(Grant.proposal), selectinload(Grant.team))
                                     .order_by(Grant.awarded_at, Grant.id)))
    contributions = list(db.session.scalars(select(Contribution).where(Contribution.call_id == call.id)
                                            .order_by(Contribution.created_at.desc(), Contribution.id.desc())))
    if form is None and policy.can_record_contribution(current_user, call):
        form = _contribution_form(call)
    return render_template("ledger/call.html", call=call, money=money, grants=grants, contributions=contributions,
                           page=_entries_page(call_id=call.id), form=form), status


@bp.route("/calls/<int:call_id>")
@login_required
def call(call_id: int):
    call = db.session.get(Call, call_id)
    if call is None:
        abort(404)
    policy.require(policy.can_view_call_ledger(current_user, call))
    return _call_page(call)


@bp.route("/calls/<int:call_id>/contributions", methods=["POST"])
@login_required
def record_contribution(call_id: int):
    call = db.session.get(Call, call_id)
    if call is None:
        abort(404)
    policy.require(policy.can_record_contribution(current_user, call))
    form = _contribution_form(call, request.form)
    if form.validate():
        try:
            services.record_offline_contribution(current_user, call, amount=form.amount.data,
                                                 contributor_name=form.contributor_name.data,
                                                 reference=form.reference.data, memo=form.memo.data or "")
        except ValidationFailed as error:
            db.session.rollback()
            flash_problems(error, form)
        else:
            amount = form.amount.data
            db.commit()
            flash(_("%(amount)s from %(name)s is credited to the pool.",
                    amount=format_money(amount, call.currency), name=form.contributor_name.data.strip()),
                  "success")
            return redirect(url_for("ledger.call", call_id=call.id))
    return _call_page(db.session.get(Call, call_id), form, status=400)


@bp.route("/grants/<int:grant_id>")
@login_required
def grant(grant_id: int):
    grant = db.session.scalar(select(Grant).where(Grant.id == grant_id)
                              .options(selectinload(Grant.tranches), selectinload(Grant.proposal)))
    if grant is None:
        abort(404)
    policy.require(policy.can_view_grant(current_user, grant))
    money = services.balances(grant.call).grant(grant.id)
    from app.payments.models import Disbursement
    from app.payments.payees import payee_of

    paid = {d.tranche_id: d for d in db.session.scalars(select(Disbursement).where(Disbursement.grant_id == grant.id))}
    return render_template("ledger/grant.html", grant=grant, money=money, page=_entries_page(grant_id=grant.id),
                           disbursements=paid, payee=payee_of(grant.team), action_form=EmptyForm())
