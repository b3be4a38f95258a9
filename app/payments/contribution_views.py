"""A funder's contribution to a call's pool through Stripe Checkout."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import db, policy
from app.calls.models import Call
from app.ledger import services as ledger
from app.ledger.models import Contribution
from app.payments import contributions, gateway
from app.payments.csp import CHECKOUT_ORIGIN, allowing_form_to
from app.payments.forms import ContributeForm
from app.validation import ValidationFailed, flash_problems

bp = Blueprint("contributions", __name__, url_prefix="/payments")



def _call(call_id: int) -> Call:
    call = db.session.get(Call, call_id)
    if call is None:
        abort(404)
    policy.require(policy.can_contribute(current_user, call))
    return call


def _form(call: Call, formdata=None) -> ContributeForm:
    form = ContributeForm(formdata=formdata)
    form.amount.currency = call.currency
    form.amount.description = _("In %(currency)s, for example 250 or 1500.50.", currency=call.currency)
    return form


def _page(call: Call, form: ContributeForm | None, status: int = 200):
    online = gateway.enabled()
    mine = list(db.session.scalars(
        select(Contribution).where(Contribution.call_id == call.id, Contribution.contributor_id == current_user.id)
        .order_by(Contribution.created_at.desc(), Contribution.id.desc()).limit(20)))
    response = make_response(render_template(
        "payments/contribute.html", call=call, money=ledger.balances(call), online=online,
        form=(form or _form(call)) if online else None, mine=mine, limit=contributions.maximum(call.currency)),
        status)
    if online:
        response.headers["Content-Security-Policy"] = allowing_form_to(CHECKOUT_ORIGIN)
    return response


@bp.route("/calls/<int:call_id>/contribute", methods=["GET", "POST"])
@login_required
def contribute(call_id: int):
    call = _call(call_id)
    if request.method == "GET":
        return _page(call, None)
    if not gateway.enabled():
        # Nothing to pay online: the page says how to give by bank transfer instead.
        flash(_("Online payment is not available. See below how to give by bank transfer."), "error")
        return _page(call, None, status=400)
    form = _form(call, request.form)
    if form.validate():
        try:
            _contribution, checkout_url = contributions.start(current_user, call, form.amount.data)
        except ValidationFailed as error:
            db.session.rollback()  # no pending row for a checkout that never opened
            flash_problems(error, form)
        else:
            db.commit()
            return redirect(checkout_url, 303)
    return _page(db.session.get(Call, call_id), form, status=400)


@bp.route("/contributions/<int:contribution_id>/done")
@login_required
def done(contribution_id: int):
    """Where Stripe sends the funder back after paying: the pool is credited by the webhook, maybe not yet."""
    contribution = db.session.get(Contribution, contribution_id)
    if contribution is None:
        abort(404)
    # Only the person who gave sees this page (coordinators read every contribution in the call's ledger).
    policy.require(policy.can_view_contribution(current_user, contribution))
    return render_template("payments/contribution_done.html", contribution=contribution, call=contribution.call)
