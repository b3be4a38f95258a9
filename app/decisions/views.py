"""Ranking and decision pages: load → check → form → service → commit."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.datastructures import Headers

from app import db, policy
from app.caching import personal_page
from app.calls.models import Call, CallFunder
from app.decisions import services
from app.decisions.forms import BulkForm, DecisionForm, FloorForm
from app.money import format_money
from app.proposals import workflow
from app.proposals.models import Proposal
from app.teams.models import Membership, Team
from app.validation import ValidationFailed, show_on_form

bp = Blueprint("decisions", __name__, url_prefix="/decisions")
# Lines per page of the ranking: each line in review carries its own decision form, so a page of twenty stays
# well under 100 KB of HTML however many proposals the call received.
LINES_PER_PAGE = 20


@bp.context_processor
def _helpers():
    return {"disagreement_text": services.disagreement_text, "suggestion_text": services.suggestion_text,
            "floor_text": services.floor_text}


def _done_message(action: str, proposal: Proposal) -> str:
    if action == "award":
        return _("“%(title)s” is awarded %(amount)s. The team has been told by email.", title=proposal.title,
                 amount=format_money(proposal.amount_awarded, proposal.call.currency))
    if action == "decline":
        return _("“%(title)s” is declined. The team has been told why by email.", title=proposal.title)
    return _("Changes are requested on “%(title)s”. The team has been told what to change by email.",
             title=proposal.title)


# -- loading ----------------------------------------------------------------------------------------
def _load_call(call_id: int) -> Call:
    call = db.session.scalar(select(Call).where(Call.id == call_id)
                             .options(selectinload(Call.funders).selectinload(CallFunder.user)))
    if call is None:
        abort(404)
    return call


def _load_proposal(proposal_id: int) -> Proposal:
    proposal = db.session.scalar(
        select(Proposal).where(Proposal.id == proposal_id)
        .options(selectinload(Proposal.call).selectinload(Call.funders),
                 selectinload(Proposal.team).selectinload(Team.memberships).selectinload(Membership.user)))
    if proposal is None:
        abort(404)
    return proposal


def _posted_floor(form) -> float:
    """The floor the page was showing when the form was sent; the default when it was tampered with."""
    try:
        return services.parse_floor(form.floor.data)
    except ValueError:
        return services.DEFAULT_FLOOR


# -- the page ---------------------------------------------------------------------------------------
def _decision_form(line: services.Line, currency: str, floor: float) -> DecisionForm:
    """No decision is chosen for the funder; the amount starts at what the team asked for."""
    proposal = line.proposal
    form = DecisionForm(formdata=None, prefix=f"decide-{proposal.id}",
                        data={"amount": proposal.amount_requested, "floor": services.floor_text(floor)})
    form.amount.currency = currency
    return form


def _bulk_form(floor: float, preselect: bool = False) -> BulkForm:
    return BulkForm(formdata=None, prefix="bulk", data={"action": "award" if preselect else None,
                                                        "floor": services.floor_text(floor)})


def _page_number() -> int:
    """The page of the ranking asked for: in the address, or sent back by the page's forms."""
    return request.values.get("page", 1, type=int) or 1


def _ranking_page(call: Call, floor: float, *, floor_form: FloorForm | None = None,
                  decision_forms: dict[int, DecisionForm] | None = None, general: dict[int, list[str]] | None = None,
                  bulk_form: BulkForm | None = None, bulk_problems: list | None = None,
                  selected: set[int] | None = None, preselect: bool = False, status: int = 200,
                  holding: int | None = None):
    # A page of lines: a call can receive thousands of proposals; the order and the suggestion cover them all.
    data = services.board(call, floor, page=_page_number(), per_page=LINES_PER_PAGE, holding=holding)
    if floor_form is None:
        floor_form = FloorForm(formdata=None, data={"floor": services.floor_text(floor)})
    decision_forms = dict(decision_forms or {})
    for line in data.lines:
        if line.decidable and line.proposal.id not in decision_forms:
            decision_forms[line.proposal.id] = _decision_form(line, call.currency, floor)
    if selected is None:
        selected = set(data.suggested_ids) if preselect else set()
    return render_template(
        "decisions/ranking.html", call=call, board=data, floor=floor, floor_form=floor_form,
        decision_forms=decision_forms, general=general or {}, bulk_form=bulk_form or _bulk_form(floor, preselect),
        bulk_problems=bulk_problems or [], selected=selected,
        decidable=[line for line in data.lines if line.decidable],
    ), status


@bp.route("/calls/<int:call_id>")
@login_required
@personal_page
def ranking(call_id: int):
    call = _load_call(call_id)
    policy.require(policy.can_view_ranking(current_user, call))
    floor_form = FloorForm(formdata=request.args)
    floor_form.validate()
    return _ranking_page(call, floor_form.value, floor_form=floor_form,
                         preselect=request.args.get("select") == "suggested")


def _back_to_ranking(call: Call, floor: float, anchor: str = "decisions-heading"):
    return redirect(url_for("decisions.ranking", call_id=call.id, floor=services.floor_text(floor),
                            page=_page_number() if _page_number() > 1 else None, _anchor=anchor))


# -- one decision -----------------------------------------------------------------------------------
@bp.route("/proposals/<int:proposal_id>", methods=["POST"])
@login_required
def decide(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    policy.require(policy.can_decide(current_user, proposal))
    call = proposal.call
    form = DecisionForm(formdata=request.form, prefix=f"decide-{proposal.id}")
    form.amount.currency = call.currency
    floor = _posted_floor(form)
    if proposal.state != "in_review":  # decided meanwhile, perhaps in another tab: its form is gone from the page
        flash(_("“%(title)s” is %(state)s: only a proposal in review can be decided.", title=proposal.title,
                state=workflow.STATE_LABELS[proposal.state]), "error")
        return _back_to_ranking(call, floor)
    form.validate()  # parses the amount and checks lengths; the service says what else is missing
    action = form.decision.data
    if action != "award":
        form.amount.errors = []  # what is in the amount field matters only for an award
    amount = form.amount.data if isinstance(form.amount.data, int) else None
    suggestion = services.suggestion_for(call, floor)
    if not _has_errors(form):
        try:
            services.decide(current_user, proposal, action, justification=form.justification.data,
                            amount=amount, departure_reason=form.departure_reason.data, suggestion=suggestion)
        except workflow.NotAllowed:
            db.session.rollback()
            abort(403)
        except ValidationFailed as error:
            db.session.rollback()
            general = show_on_form(form, error)
            return _ranking_page(call, floor, decision_forms={proposal.id: form},
                                 general={proposal.id: [str(m) for m in general]}, status=400, holding=proposal.id)
        except StaleDataError:
            db.session.rollback()
            flash(_("The proposal changed while you were doing this. Look at it again, then try once more."),
                  "error")
            return _back_to_ranking(call, floor)
        db.commit()
        flash(_done_message(action, proposal), "success")
        return _back_to_ranking(call, floor)
    # Field errors first; then what the service would say about the fields still without one.
    problems = services.decision_problems(proposal, action, amount=amount, justification=form.justification.data,
                                          departure_reason=form.departure_reason.data, suggestion=suggestion)
    general = []
    for name, message in problems:
        target = getattr(form, name, None) if name else None
        if target is None:
            general.append(str(message))
        elif not target.errors and not (name == "amount" and action != "award"):
            target.errors = [message]
    return _ranking_page(call, floor, decision_forms={proposal.id: form}, general={proposal.id: general},
                         status=400, holding=proposal.id)


def _has_errors(form) -> bool:
    return any(f.errors for f in form)


# -- bulk -------------------------------------------------------------------------------------------
def _selected_ids() -> list[int]:
    ids = []
    for value in request.form.getlist("proposal"):
        try:
            ids.append(int(value))
        except ValueError:
            continue
    return ids


@bp.route("/calls/<int:call_id>/bulk", methods=["POST"])
@login_required
def bulk(call_id: int):
    call = _load_call(call_id)
    policy.require(policy.can_view_ranking(current_user, call))
    form = BulkForm(formdata=request.form, prefix="bulk")
    floor = _posted_floor(form)
    form.validate()
    ids = _selected_ids()
    data = services.board(call, floor)
    for line in data.lines:
        if line.proposal.id in ids:
            policy.require(policy.can_decide(current_user, line.proposal))
    problems: list[services.BulkProblem] = []
    if not ids:
        problems.append(services.BulkProblem(None, [_("Select at least one proposal in the table.")]))
    if form.action.data not in services.DECISIONS:
        form.action.errors = [*form.action.errors, _("Choose a decision for the selected proposals.")]
    if not (form.justification.data or "").strip() and not form.justification.errors:
        form.justification.errors = [_("Give a justification: each team reads it on their proposal's page and in "
                                       "an email.")]
    if problems or _has_errors(form):
        return _ranking_page(call, floor, bulk_form=form, bulk_problems=problems, selected=set(ids), status=400)
    try:
        result = services.decide_in_bulk(current_user, call, ids, form.action.data,
                                         justification=form.justification.data,
                                         departure_reason=form.departure_reason.data,
                                         suggestion=data.suggestion, order=[line.proposal.id for line in data.lines])
    except workflow.NotAllowed:
        db.session.rollback()
        abort(403)
    except services.BulkFailed as failed:
        db.session.rollback()
        for name, messages in failed.fields.items():
            getattr(form, name).errors = [*getattr(form, name).errors, *messages]
        return _ranking_page(call, floor, bulk_form=form, bulk_problems=failed.problems, selected=set(ids),
                             status=400)
    except StaleDataError:
        db.session.rollback()
        flash(_("The proposal changed while you were doing this. Look at it again, then try once more."),
              "error")
        return _back_to_ranking(call, floor)
    db.commit()
    count = len(result.decided)
    messages = {
        "award": ngettext("%(num)d proposal is awarded. Each team has been told by email.",
                          "%(num)d proposals are awarded. Each team has been told by email.", count),
        "decline": ngettext("%(num)d proposal is declined. Each team has been told why by email.",
                            "%(num)d proposals are declined. Each team has been told why by email.", count),
        "request_changes": ngettext(
            "Changes are requested on %(num)d proposal. Each team has been told by email.",
            "Changes are requested on %(num)d proposals. Each team has been told by email.", count),
    }
    flash(messages[form.action.data], "success")
    return _back_to_ranking(call, floor)


# -- the export -------------------------------------------------------------------------------------
@bp.route("/calls/<int:call_id>/export.csv")
@login_required
def export(call_id: int):
    call = _load_call(call_id)
    policy.require(policy.can_export_call(current_user, call))
    try:
        floor = services.parse_floor(request.args.get("floor"))
    except ValueError:
        floor = services.DEFAULT_FLOOR
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=services.export_filename(call))
    headers.set("Cache-Control", "no-store")
    return Response(services.export_csv(call, floor), headers=headers, content_type="text/csv; charset=utf-8")
