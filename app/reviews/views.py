"""Screening, reviewer assignment and reviewing pages: load → check → form → service → commit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import db, policy
from app.accounts.forms import EmptyForm
from app.accounts.models import User
from app.caching import personal_page
from app.calls.models import Call, CallFunder
from app.db import utcnow
from app.i18n import options
from app.money import format_money
from app.pagination import paginate
from app.proposals import diff, workflow
from app.proposals.labels import ATTACHMENT_KIND_LABELS, BUDGET_CATEGORY_LABELS, FIELD_LABELS
from app.proposals.models import Attachment, Proposal
from app.proposals.sensitive import serve_or_warn
from app.proposals.services import snapshot
from app.reviews import services
from app.reviews.forms import (
    NOT_APPLICABLE,
    RECOMMENDATION_LABELS,
    AddReviewerForm,
    ConflictForm,
    DeclineForm,
    SuggestForm,
    read_scores,
    review_form,
)
from app.reviews.models import ReviewAssignment
from app.teams.models import Membership, Team
from app.validation import ValidationFailed, show_on_form

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

ASSIGNMENT_STATE_LABELS = {
    "assigned": _l("not opened yet"),
    "accepted": _l("being scored"),
    "conflict_declared": _l("conflict declared"),
    "submitted": _l("submitted"),
}
CHECK_LABELS = {"team": _l("Team"), "deadline": _l("Deadline")}
ROW_LABELS = {"budget_lines": _l("Budget line %(num)d"), "milestones": _l("Milestone %(num)d")}
DONE_MESSAGES = {
    "start_screening": _l("Screening of “%(title)s” has started."),
    "pass_to_review": _l("“%(title)s” is passed to review. Assign its reviewers on the assignments page."),
    "decline": _l("“%(title)s” is declined. The team has been told why by email."),
}
MAX_PAIRS = 5000


@bp.context_processor
def _helpers():
    return {
        "FIELD_LABELS": FIELD_LABELS, "BUDGET_CATEGORY_LABELS": BUDGET_CATEGORY_LABELS,
        "ATTACHMENT_KIND_LABELS": ATTACHMENT_KIND_LABELS, "ASSIGNMENT_STATE_LABELS": ASSIGNMENT_STATE_LABELS,
        "RECOMMENDATION_LABELS": RECOMMENDATION_LABELS, "SHORTFALL_LABELS": services.SHORTFALL_LABELS,
        "NOT_APPLICABLE": NOT_APPLICABLE, "format_money": format_money, "ACTION_LABELS": workflow.ACTION_LABELS,
    }


# -- loading ----------------------------------------------------------------------------------------
def _load_call(call_id: int) -> Call:
    call = db.session.scalar(select(Call).where(Call.id == call_id)
                             .options(selectinload(Call.funders).selectinload(CallFunder.user)))
    if call is None:
        abort(404)
    return call


def _proposal_of(call: Call, proposal_id: int) -> Proposal:
    proposal = db.session.scalar(
        select(Proposal).where(Proposal.id == proposal_id)
        .options(selectinload(Proposal.team).selectinload(Team.memberships).selectinload(Membership.user)))
    if proposal is None or proposal.call_id != call.id:
        abort(404)
    return proposal


def _load_assignment(assignment_id: int, *, lock: bool = False) -> ReviewAssignment:
    """With lock, the row stays locked until the commit: a double click cannot submit the same review twice."""
    query = select(ReviewAssignment).where(ReviewAssignment.id == assignment_id)
    if lock:
        query = query.with_for_update(of=ReviewAssignment)
    assignment = db.session.scalar(
        query.options(selectinload(ReviewAssignment.reviewer),
                 selectinload(ReviewAssignment.proposal).selectinload(Proposal.call),
                 selectinload(ReviewAssignment.proposal).selectinload(Proposal.attachments),
                 selectinload(ReviewAssignment.proposal).selectinload(Proposal.team)
                 .selectinload(Team.memberships).selectinload(Membership.user)))
    if assignment is None:
        abort(404)
    return assignment


def _page_number() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


# -- the reviewer's list ----------------------------------------------------------------------------
@bp.route("/")
@login_required
@personal_page
def queue():
    policy.require(policy.can_be_reviewer(current_user))
    page = paginate(services.assignments_of_query(current_user), _page_number(), current_app.config["PAGE_SIZE"])
    coordinate = services.calls_to_coordinate() if policy.is_coordinator(current_user) else []
    return render_template("reviews/queue.html", page=page, coordinate=coordinate)


# -- screening --------------------------------------------------------------------------------------
@dataclass
class Check:
    label: str
    message: str


def _check(name: str | None, message) -> Check:
    if name in FIELD_LABELS:
        label = FIELD_LABELS[name]
    elif name and (match := re.fullmatch(r"(budget_lines|milestones)-(\d+)-\w+", name)):
        label = ROW_LABELS[match.group(1)] % {"num": int(match.group(2)) + 1}
    else:
        label = CHECK_LABELS.get(name, _l("Proposal"))
    return Check(str(label), str(message))


def _decline_form(proposal_id: int, formdata=None) -> DeclineForm:
    """One form per proposal on the page, its fields prefixed so that ids stay unique (the page's own CSRF
    input protects it)."""
    if formdata is None:
        return DeclineForm(formdata=None, prefix=f"decline-{proposal_id}", meta={"csrf": False})
    return DeclineForm(prefix=f"decline-{proposal_id}", meta={"csrf": False})


def _screening_page(call: Call, forms: dict | None = None, status: int = 200):
    forms = forms or {}
    page = paginate(services.screening_query(call), _page_number(), current_app.config["PAGE_SIZE"])
    now = utcnow()
    rows = [{
        "proposal": proposal,
        "checks": [_check(name, message) for name, message in services.screening_checks(proposal, current_user, now)],
        "decline_form": forms.get(proposal.id) or _decline_form(proposal.id),
        "actions": workflow.available_actions(proposal, current_user),
    } for proposal in page.items]
    return render_template("reviews/screening.html", call=call, page=page, rows=rows,
                           action_form=EmptyForm()), status


@bp.route("/calls/<int:call_id>/screening")
@login_required
def screening(call_id: int):
    call = _load_call(call_id)
    policy.require(policy.can_screen(current_user, call))
    return _screening_page(call)


@bp.route("/calls/<int:call_id>/screening/<int:proposal_id>/<any(start_screening, pass_to_review, decline):action>",
          methods=["POST"])
@login_required
def screen(call_id: int, proposal_id: int, action: str):
    call = _load_call(call_id)
    policy.require(policy.can_screen(current_user, call))
    proposal = _proposal_of(call, proposal_id)
    back = redirect(url_for("reviews.screening", call_id=call.id, page=_page_number()))
    reason = None
    if action == "decline":
        form = _decline_form(proposal.id, request.form)
        if not form.validate():
            return _screening_page(call, {proposal.id: form}, 400)
        reason = form.reason.data
    try:
        services.screen(current_user, proposal, action, reason)
    except workflow.NotAllowed:
        abort(403)
    except ValidationFailed as error:  # an illegal move (IllegalMove) or a missing reason
        db.session.rollback()
        for _field, message in error.errors:
            flash(str(message), "error")
        return back
    except StaleDataError:
        db.session.rollback()
        flash(_("The proposal changed while you were doing this. Look at it again, then try once more."), "error")
        return back
    db.commit()
    flash(str(DONE_MESSAGES[action] % {"title": proposal.title}), "success")
    return back


# -- assignment -------------------------------------------------------------------------------------
def _reviewer_choices(proposal: Proposal, eligible: list[User], taken: set[int], mentor_ids: set[int]) -> list:
    """Everyone who could review, but not those already on the proposal; a known conflict is named in the
    option, and refused when chosen."""
    choices = [("", _("Choose a reviewer"))]
    info = services.proposal_info(proposal, mentor_ids)
    for user in eligible:
        if user.id in taken:
            continue
        reasons = services.known_conflicts(user, proposal, info)
        label = user.display_name
        if reasons:
            label = _("%(name)s (conflict: %(reasons)s)", name=user.display_name,
                      reasons=services.conflict_text(reasons))
        choices.append((str(user.id), label))
    return options(choices)


def _add_form(proposal_id: int, posted: bool = False) -> AddReviewerForm:
    if posted:
        return AddReviewerForm(prefix=f"add-{proposal_id}", meta={"csrf": False})
    return AddReviewerForm(formdata=None, prefix=f"add-{proposal_id}", meta={"csrf": False})


def _suggest_form(eligible: list[User], loads: dict[int, int]) -> SuggestForm:
    form = SuggestForm(formdata=request.args)
    form.reviewers.choices = options(
        (user.id, ngettext("%(name)s (%(num)d review in this call)", "%(name)s (%(num)d reviews in this call)",
                           loads.get(user.id, 0), name=user.display_name)) for user in eligible)
    return form


def _assignments_page(call: Call, *, suggest: bool = False, add_forms: dict | None = None, status: int = 200):
    add_forms = add_forms or {}
    page = paginate(services.in_review_query(call), _page_number(), current_app.config["PAGE_SIZE"])
    everything = services.assignments_for_call(call)
    by_proposal: dict[int, list[ReviewAssignment]] = {}
    for assignment in everything:
        by_proposal.setdefault(assignment.proposal_id, []).append(assignment)
    loads = services.load_per_reviewer(everything)
    eligible = services.eligible_reviewers()
    suggest_form = _suggest_form(eligible, {row.reviewer.id: row.total for row in loads})
    suggestion = None
    if suggest and suggest_form.validate():
        chosen_ids = set(suggest_form.reviewers.data)
        suggestion = _suggestion_view(call, services.suggest_assignments(
            call, [user for user in eligible if user.id in chosen_ids]), eligible, everything)
    elif suggest:
        status = 400
    rows = []
    mentors = services.mentor_ids_by_team(proposal.team_id for proposal in page.items)
    for proposal in page.items:
        current = by_proposal.get(proposal.id, [])
        form = add_forms.get(proposal.id) or _add_form(proposal.id)
        form.reviewer.choices = _reviewer_choices(proposal, eligible, {a.reviewer_id for a in current},
                                                  mentors.get(proposal.team_id, set()))
        counted = sum(1 for a in current if a.state != "conflict_declared")
        rows.append({"proposal": proposal, "assignments": current, "form": form, "reviews": counted,
                     "missing": max(call.min_reviews - counted, 0)})
    return render_template("reviews/assignments.html", call=call, page=page, rows=rows, loads=loads,
                           suggest_form=suggest_form, suggestion=suggestion, action_form=EmptyForm()), status


def _suggestion_view(call: Call, suggestion, eligible: list[User], assignments: list[ReviewAssignment]) -> dict:
    """The suggestion with names instead of ids, and the pairs the "Assign as suggested" form sends back."""
    titles = dict(db.session.execute(select(Proposal.id, Proposal.title)
                                     .where(Proposal.call_id == call.id, Proposal.state == "in_review")).all())
    names = {user.id: user.display_name for user in eligible}
    names.update({a.reviewer_id: a.reviewer.display_name for a in assignments})
    proposals = []
    for proposal_id in sorted({p for p, _r in suggestion.assignments}):
        proposals.append({"id": proposal_id, "title": titles.get(proposal_id, f"#{proposal_id}"),
                          "reviewers": [names.get(r, f"#{r}") for r in suggestion.for_proposal(proposal_id)],
                          "reviews": suggestion.reviews.get(proposal_id, 0)})
    return {
        "proposals": proposals,
        "pairs": [f"{p}:{r}" for p, r in suggestion.assignments],
        "shortfalls": [{"title": titles.get(s.proposal_id, f"#{s.proposal_id}"), "missing": s.missing,
                        "eligible": s.eligible, "reason": s.reason} for s in suggestion.shortfalls],
        "load": sorted(((names.get(r, f"#{r}"), load) for r, load in suggestion.load.items()),
                       key=lambda item: (-item[1], item[0])),
        "conflicted": [{"title": titles.get(c.proposal_id, f"#{c.proposal_id}"),
                        "name": names.get(c.reviewer_id, f"#{c.reviewer_id}"),
                        "reasons": services.conflict_text(c.reasons)} for c in suggestion.conflicted_existing],
        "chosen": [int(value) for value in request.args.getlist("reviewers") if value.isdigit()],
    }


@bp.route("/calls/<int:call_id>/assignments")
@login_required
def assignments(call_id: int):
    call = _load_call(call_id)
    policy.require(policy.can_assign_reviewers(current_user, call))
    return _assignments_page(call, suggest="suggest" in request.args or "reviewers" in request.args)


def _pairs(values: list[str]) -> list[tuple[int, int]]:
    pairs = []
    for value in values:
        match = re.fullmatch(r"(\d{1,12}):(\d{1,12})", value or "")
        if match is None:
            abort(400)
        pairs.append((int(match.group(1)), int(match.group(2))))
    return pairs


@bp.route("/calls/<int:call_id>/assignments/suggested", methods=["POST"])
@login_required
def apply_suggestion(call_id: int):
    call = _load_call(call_id)
    policy.require(policy.can_assign_reviewers(current_user, call))
    values = request.form.getlist("pair")
    if len(values) > MAX_PAIRS:
        abort(400)
    pairs = _pairs(values)
    chosen = [value for value in request.form.getlist("reviewers") if value.isdigit()]
    if not pairs:
        flash(_("There was nothing to assign."), "info")
        return redirect(url_for("reviews.assignments", call_id=call.id))
    try:
        created = services.apply_suggestion(current_user, call, pairs)
    except ValidationFailed as error:
        db.session.rollback()
        flash(_("Nothing was assigned: the call changed since the suggestion was made. Here is a new suggestion; "
                "check it, then assign again."), "error")
        for _field, message in error.errors:
            flash(str(message), "error")
        return redirect(url_for("reviews.assignments", call_id=call.id, reviewers=chosen, suggest=1))
    except StaleDataError:
        db.session.rollback()
        flash(_("The call changed while you were doing this. Look at it again, then try once more."), "error")
        return redirect(url_for("reviews.assignments", call_id=call.id))
    db.commit()
    flash(ngettext("%(num)d review is assigned. The reviewer has been told by email.",
                   "%(num)d reviews are assigned. The reviewers have been told by email.", len(created)), "success")
    return redirect(url_for("reviews.assignments", call_id=call.id))


def _load_proposal(proposal_id: int) -> Proposal:
    proposal = db.session.scalar(
        select(Proposal).where(Proposal.id == proposal_id)
        .options(selectinload(Proposal.call),
                 selectinload(Proposal.team).selectinload(Team.memberships).selectinload(Membership.user)))
    if proposal is None:
        abort(404)
    return proposal


@bp.route("/proposals/<int:proposal_id>/reviewers", methods=["POST"])
@login_required
def add_reviewer(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    call = proposal.call
    policy.require(policy.can_assign_reviewers(current_user, call))
    form = _add_form(proposal.id, posted=True)
    back = url_for("reviews.assignments", call_id=call.id, page=_page_number()) + f"#proposal-{proposal.id}"
    if form.validate():
        reviewer = db.session.get(User, int(form.reviewer.data)) if form.reviewer.data.isdigit() else None
        if reviewer is None:
            form.reviewer.errors = [*form.reviewer.errors, _("Choose a reviewer from the list.")]
        else:
            try:
                assignment = services.assign(current_user, proposal, reviewer)
            except ValidationFailed as error:
                db.session.rollback()
                for message in show_on_form(form, error):
                    flash(str(message), "error")
                if not form.reviewer.errors:
                    return redirect(back)
            else:
                db.commit()
                flash(_("%(name)s now reviews “%(title)s” and has been told by email.",
                        name=assignment.reviewer.display_name, title=proposal.title), "success")
                return redirect(back)
    if proposal.state != "in_review":
        flash(_("“%(title)s” is no longer in review.", title=proposal.title), "error")
        return redirect(back)
    return _assignments_page(call, add_forms={proposal.id: form}, status=400)


@bp.route("/assignments/<int:assignment_id>/remove", methods=["POST"])
@login_required
def remove_assignment(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    call = assignment.proposal.call
    policy.require(policy.can_assign_reviewers(current_user, call))
    name, title = assignment.reviewer.display_name, assignment.proposal.title
    try:
        services.unassign(current_user, assignment)
    except ValidationFailed as error:
        db.session.rollback()
        for _field, message in error.errors:
            flash(str(message), "error")
    else:
        db.commit()
        flash(_("%(name)s no longer reviews “%(title)s”.", name=name, title=title), "info")
    return redirect(url_for("reviews.assignments", call_id=call.id, page=_page_number())
                    + f"#proposal-{assignment.proposal_id}")


# -- reviewing --------------------------------------------------------------------------------------
def _content(proposal: Proposal) -> tuple[dict, list]:
    """What the reviewer reads: the version last submitted (the team may be editing the next one), and the
    live attachments it names, which can be downloaded."""
    latest = services.latest_version(proposal)
    content = latest.content if latest is not None else snapshot(proposal)
    live = {(a.kind, a.filename): a for a in proposal.attachments}
    files = [{"kind": item.get("kind"), "filename": item.get("filename"),
              "attachment": live.get((item.get("kind"), item.get("filename")))}
             for item in content.get("attachments") or []]
    return content, files


def _changes(assignment: ReviewAssignment, proposal: Proposal) -> dict | None:
    """What changed since the version this reviewer last read; for a reviewer new to a resubmitted proposal,
    what changed since the version before."""
    current = proposal.version or 0
    if current < 2:
        return None
    seen = services.seen_version(assignment)
    if seen is not None and seen >= current:
        return None
    older = seen if seen is not None else current - 1
    old_content, new_content = services.version_content(proposal, older), services.version_content(proposal, current)
    if old_content is None or new_content is None:
        return None
    return {"old": older, "new": current, "seen": seen is not None, "currency": new_content.get("currency"),
            "changes": diff.compare(old_content, new_content)}


def _review_view(assignment: ReviewAssignment, call: Call) -> dict:
    scores = {s.criterion_id: s for s in assignment.scores}
    return {"assignment": assignment, "mean": services.review_mean(assignment, call),
            "scores": [(criterion, scores.get(criterion.id)) for criterion in call.criteria]}


def _reviews_view(proposal: Proposal, own: ReviewAssignment | None = None) -> list[dict]:
    """Every submitted review, numbered in the order they came in; names only for those allowed to see them."""
    call = proposal.call
    names = policy.can_see_reviewer_names(current_user, proposal)
    views = []
    for number, review in enumerate(services.submitted_reviews(proposal), start=1):
        view = _review_view(review, call)
        view["own"] = own is not None and review.id == own.id
        view["label"] = review.reviewer.display_name if names else _("Reviewer %(num)d", num=number)
        views.append(view)
    return views


def _review_page(assignment: ReviewAssignment, *, conflict_form: ConflictForm | None = None, form=None,
                 status: int = 200):
    proposal = assignment.proposal
    call = proposal.call
    context = {"assignment": assignment, "proposal": proposal, "call": call, "blind": call.blind_review,
               "conflict_form": conflict_form or ConflictForm(formdata=None), "action_form": EmptyForm(),
               "known_conflicts": services.conflict_text_for_reviewer(services.known_conflicts(current_user, proposal))}
    context["readable"] = policy.can_read_for_review(current_user, assignment)
    context["heading"] = proposal.title if context["readable"] else _("Proposal #%(num)d", num=proposal.id)
    if context["readable"]:
        context["content"], context["files"] = _content(proposal)
        context["changes"] = _changes(assignment, proposal)
    if assignment.state == "accepted":
        context["form"] = form or review_form(call.criteria)
    if assignment.state == "submitted" and policy.can_read_for_review(current_user, assignment):
        context["own"] = _review_view(assignment, call)
        if policy.can_see_reviews(current_user, proposal, assignment):
            context["others"] = [view for view in _reviews_view(proposal, assignment) if not view["own"]]
            context["pending"] = sum(1 for other in services.assignments_for_proposal(proposal)
                                     if other.state in services.OPEN_STATES)
    return render_template("reviews/review.html", **context), status


@bp.route("/<int:assignment_id>")
@login_required
def show(assignment_id: int):
    assignment = _load_assignment(assignment_id)
    policy.require(policy.can_open_assignment(current_user, assignment))
    return _review_page(assignment)


@bp.route("/<int:assignment_id>/accept", methods=["POST"])
@login_required
def accept(assignment_id: int):
    assignment = _load_assignment(assignment_id, lock=True)
    policy.require(policy.can_open_assignment(current_user, assignment))
    try:
        services.accept(assignment)
    except ValidationFailed as error:
        db.session.rollback()
        for _field, message in error.errors:
            flash(str(message), "error")
    else:
        db.commit()
        flash(_("Thank you. Here is the proposal. Your scores are kept only when you submit the review."), "success")
    return redirect(url_for("reviews.show", assignment_id=assignment_id))


@bp.route("/<int:assignment_id>/conflict", methods=["POST"])
@login_required
def declare_conflict(assignment_id: int):
    assignment = _load_assignment(assignment_id, lock=True)
    policy.require(policy.can_open_assignment(current_user, assignment))
    if assignment.state not in services.OPEN_STATES:
        flash(_("This review can no longer be changed."), "error")
        return redirect(url_for("reviews.show", assignment_id=assignment_id))
    form = ConflictForm()
    if form.validate():
        try:
            services.declare_conflict(assignment, form.reason.data)
        except ValidationFailed as error:
            db.session.rollback()
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            db.commit()
            flash(_("Thank you for telling us. You will not see this proposal; the coordinators will ask someone "
                    "else."), "success")
            return redirect(url_for("reviews.show", assignment_id=assignment_id))
    return _review_page(assignment, conflict_form=form, status=400)


@bp.route("/<int:assignment_id>/score", methods=["POST"])
@login_required
def score(assignment_id: int):
    assignment = _load_assignment(assignment_id, lock=True)
    if policy.can_open_assignment(current_user, assignment) and assignment.state == "submitted":
        flash(_("Your review is already submitted; it can no longer be changed."), "error")
        return redirect(url_for("reviews.show", assignment_id=assignment_id))
    policy.require(policy.can_score(current_user, assignment))
    criteria = assignment.proposal.call.criteria
    form = review_form(criteria)
    if form.validate():
        scores, comments = read_scores(form, criteria)
        try:
            services.submit_review(assignment, scores=scores, comments=comments,
                                   recommendation=form.recommendation.data, comment=form.comment.data or "")
        except ValidationFailed as error:
            db.session.rollback()
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            db.commit()
            flash(_("Your review is submitted. Thank you."), "success")
            return redirect(url_for("reviews.show", assignment_id=assignment_id))
    else:
        flash(_("Your review is not submitted yet: fix the problems listed below. Everything you typed is kept."),
              "error")
    return _review_page(assignment, form=form, status=400)


@bp.route("/<int:assignment_id>/attachments/<int:attachment_id>")
@login_required
def attachment(assignment_id: int, attachment_id: int):
    assignment = _load_assignment(assignment_id)
    policy.require(policy.can_read_for_review(current_user, assignment))
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.proposal_id != assignment.proposal_id:
        abort(404)
    policy.require(policy.can_open_attachment(current_user, item))
    return serve_or_warn(item, back=url_for("reviews.show", assignment_id=assignment.id))


# -- every review of a proposal, for the people who decide ---------------------------------------------
@bp.route("/proposals/<int:proposal_id>")
@login_required
def proposal_reviews(proposal_id: int):
    proposal = _load_proposal(proposal_id)
    own = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.proposal_id == proposal.id,
                                                           ReviewAssignment.reviewer_id == current_user.id))
    policy.require(policy.can_see_reviews(current_user, proposal, own))
    managers = policy.can_see_reviewer_names(current_user, proposal)
    reviews = _reviews_view(proposal, own)
    means = [view["mean"] for view in reviews if view["mean"] is not None]
    return render_template("reviews/proposal_reviews.html", proposal=proposal, call=proposal.call,
                           reviews=reviews, managers=managers,
                           assignments=services.assignments_for_proposal(proposal) if managers else [],
                           average=sum(means) / len(means) if means else None)
