"""Project pages: the list of projects, a project, its agreement, and each milestone's delivery."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db, policy
from app.calls.models import Call, CallFunder
from app.ledger.models import GRANT_STATES, Grant
from app.pagination import paginate
from app.payments.payees import payee_of
from app.projects import agreements, services, workflow
from app.projects.forms import (
    AcceptAgreementForm,
    AgreementTemplateForm,
    CountersignForm,
    DecisionForm,
    DueDateDecisionForm,
    DueDateForm,
    EvidenceForm,
    FeedbackForm,
)
from app.projects.labels import GRANT_STATE_LABELS, MILESTONE_EVENT_LABELS
from app.projects.models import DueDateChange, EvidenceFile, EvidenceSubmission, ProjectMilestone
from app.proposals.forms import SensitivityForm
from app.proposals.sensitive import serve_or_warn
from app.security import safe_next
from app.uploads import UploadRejected, accepted_extensions, check_upload, upload_limits
from app.validation import ValidationFailed, show_on_form

bp = Blueprint("projects", __name__, url_prefix="/projects")


@bp.app_context_processor
def _labels():
    return {"MILESTONE_STATE_LABELS": workflow.STATE_LABELS, "GRANT_STATE_LABELS": GRANT_STATE_LABELS,
            "MILESTONE_EVENT_LABELS": MILESTONE_EVENT_LABELS}


def _load_grant(grant_id: int) -> Grant:
    grant = db.session.get(Grant, grant_id)
    if grant is None:
        abort(404)
    return grant


def _load_milestone(milestone_id: int) -> ProjectMilestone:
    milestone = db.session.scalar(select(ProjectMilestone).where(ProjectMilestone.id == milestone_id).options(
        selectinload(ProjectMilestone.submissions).selectinload(EvidenceSubmission.files),
        selectinload(ProjectMilestone.submissions).selectinload(EvidenceSubmission.submitted_by),
        selectinload(ProjectMilestone.tranche),
        selectinload(ProjectMilestone.grant).selectinload(Grant.proposal),
        selectinload(ProjectMilestone.grant).selectinload(Grant.team)))
    if milestone is None:
        abort(404)
    policy.require(policy.can_view_project(current_user, milestone.grant))
    return milestone


# -- the list --------------------------------------------------------------------------------------
@bp.route("/")
@login_required
def index():
    policy.require(policy.can_view_projects(current_user))
    state = request.args.get("state")
    query = select(Grant).options(selectinload(Grant.proposal), selectinload(Grant.team), selectinload(Grant.call))
    if not policy.is_coordinator(current_user):
        managed = select(CallFunder.call_id).where(CallFunder.user_id == current_user.id)
        query = query.where((Grant.call_id.in_(managed)) | Grant.call_id.in_(
            select(Call.id).where(Call.owner_id == current_user.id)))
    if state in GRANT_STATES:
        query = query.where(Grant.state == state)
    query = query.order_by(Grant.awarded_at.desc(), Grant.id.desc())
    page = paginate(query, max(request.args.get("page", 1, type=int) or 1, 1), current_app.config["PAGE_SIZE"])
    return render_template("projects/index.html", page=page, state=state if state in GRANT_STATES else "",
                           states=GRANT_STATES)


# -- a project -------------------------------------------------------------------------------------
@bp.route("/<int:grant_id>")
@login_required
def show(grant_id: int):
    grant = _load_grant(grant_id)
    policy.require(policy.can_view_project(current_user, grant))
    return render_template("projects/show.html", grant=grant, milestones=services.milestones_of(grant),
                           agreement=agreements.agreement_of(grant), payee=payee_of(grant.team),
                           mentors=services.team_mentors(grant))


# -- the agreement ---------------------------------------------------------------------------------
def _agreement_page(grant: Grant, accept_form=None, countersign_form=None, status: int = 200):
    template = agreements.current_template(grant.call)
    agreement = agreements.agreement_of(grant)
    accept_form = accept_form or AcceptAgreementForm(formdata=None, version=template.version)
    return render_template("projects/agreement.html", grant=grant, template=template, agreement=agreement,
                           accept_form=accept_form, countersign_form=countersign_form or CountersignForm(formdata=None),
                           countersigners=policy.countersigners(grant) if agreement else []), status


@bp.route("/<int:grant_id>/agreement")
@login_required
def agreement(grant_id: int):
    grant = _load_grant(grant_id)
    policy.require(policy.can_view_project(current_user, grant))
    page = _agreement_page(grant)
    db.commit()  # the call's first template may just have been made from the standard text
    return page


@bp.route("/<int:grant_id>/agreement/accept", methods=["POST"])
@login_required
def accept_agreement(grant_id: int):
    grant = _load_grant(grant_id)
    policy.require(policy.can_view_project(current_user, grant) and policy.is_on_team(current_user, grant.proposal))
    form = AcceptAgreementForm()
    if not form.validate_on_submit():
        return _agreement_page(grant, accept_form=form, status=400)
    if not policy.can_accept_agreement(current_user, grant):
        if grant.state != "awarded":
            flash(_("This agreement has already been accepted."), "info")
            return redirect(url_for("projects.agreement", grant_id=grant.id))
        abort(403)
    try:
        version = int(form.version.data) if (form.version.data or "").isdigit() else -1
        signed = agreements.accept(current_user, grant, template_version=version, confirmed=form.confirm.data)
    except ValidationFailed as error:
        db.session.rollback()
        general = show_on_form(form, error)
        for message in general:
            flash(str(message), "error")
        return _agreement_page(grant, accept_form=form, status=400)
    needs_countersign = not signed.complete
    db.commit()
    if needs_countersign:
        flash(_("You accepted the agreement. A guardian or the sponsoring organisation now countersigns it; "
                "they have been told."), "success")
    else:
        flash(_("You accepted the agreement: the project is under way."), "success")
    return redirect(url_for("projects.show", grant_id=grant.id))


@bp.route("/<int:grant_id>/agreement/countersign", methods=["POST"])
@login_required
def countersign(grant_id: int):
    grant = _load_grant(grant_id)
    policy.require(policy.countersigner_capacity(current_user, grant)[0] is not None)
    form = CountersignForm()
    if not form.validate_on_submit():
        return _agreement_page(grant, countersign_form=form, status=400)
    try:
        agreements.countersign(current_user, grant, confirmed=form.confirm.data)
    except ValidationFailed as error:
        db.session.rollback()
        for message in show_on_form(form, error):
            flash(str(message), "error")
        return _agreement_page(grant, countersign_form=form, status=400)
    db.commit()
    flash(_("You countersigned the agreement: the project is under way."), "success")
    return redirect(url_for("projects.agreement", grant_id=grant.id))


@bp.route("/calls/<int:call_id>/agreement", methods=["GET", "POST"])
@login_required
def agreement_template(call_id: int):
    call = db.session.get(Call, call_id)
    if call is None:
        abort(404)
    policy.require(policy.can_edit_agreement_template(current_user, call))
    template = agreements.current_template(call)
    form = AgreementTemplateForm(body=template.body, milestone_approver=call.milestone_approver)
    if form.validate_on_submit():
        try:
            saved = agreements.save_template(current_user, call, form.body.data)
        except ValidationFailed as error:
            db.session.rollback()
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            if call.milestone_approver != form.milestone_approver.data:
                from app import audit

                audit.record(current_user, "call.milestone_approver_changed", call,
                             approver=form.milestone_approver.data)
                call.milestone_approver = form.milestone_approver.data
            db.commit()
            flash(_("The agreement is saved (version %(version)d).", version=saved.version), "success")
            return redirect(url_for("projects.agreement_template", call_id=call.id))
        return render_template("projects/agreement_template.html", call=call, form=form, template=template), 400
    db.commit()
    status = 400 if request.method == "POST" else 200
    return render_template("projects/agreement_template.html", call=call, form=form, template=template), status


# -- a milestone -----------------------------------------------------------------------------------
def _milestone_page(milestone: ProjectMilestone, *, evidence_form=None, feedback_form=None, decision_form=None,
                    due_form=None, due_decision_form=None, status: int = 200):
    latest = milestone.latest_submission
    evidence_form = evidence_form or EvidenceForm(formdata=None, **(_prefill(latest) if latest else {}))
    files = [file for submission in milestone.submissions for file in submission.files]
    return render_template(
        "projects/milestone.html", milestone=milestone, grant=milestone.grant, history=services.history(milestone),
        feedback=services.feedback_on(milestone), changes=services.due_date_changes(milestone),
        pending_change=services.pending_change(milestone), evidence_form=evidence_form,
        feedback_form=feedback_form or FeedbackForm(formdata=None), decision_form=decision_form or DecisionForm(
            formdata=None), due_form=due_form or DueDateForm(formdata=None),
        due_decision_form=due_decision_form or DueDateDecisionForm(formdata=None),
        extensions=accepted_extensions("evidence"), limit=upload_limits()["evidence"],
        sends_evidence=milestone.grant.state == "active" and workflow.move_for(milestone.state, "submit"),
        # Asked once for the page: who may open the sensitive files, and set or lift the mark.
        opens_sensitive=any(file.sensitive for file in files)
        and policy.can_open_sensitive_files(current_user, milestone.grant.team),
        marks_sensitive=bool(files) and policy.can_mark_sensitive(current_user, files[0]),
    ), status


def _prefill(submission: EvidenceSubmission) -> dict:
    """A resubmission starts from what the team sent last time."""
    return {"report": submission.report, "links": "\n".join(submission.links),
            "people_reached": submission.people_reached, "content_pieces": submission.content_pieces,
            "events_held": submission.events_held}


@bp.route("/milestones/<int:milestone_id>")
@login_required
def milestone(milestone_id: int):
    return _milestone_page(_load_milestone(milestone_id))


@bp.route("/milestones/<int:milestone_id>/evidence", methods=["POST"])
@login_required
def submit_evidence(milestone_id: int):
    milestone = _load_milestone(milestone_id)
    policy.require(policy.can_submit_evidence(current_user, milestone))
    form = EvidenceForm()
    uploads = [upload for upload in request.files.getlist(form.files.name) if upload and upload.filename]
    checked, copies, rejected = [], [], []
    valid = form.validate_on_submit()
    if valid:
        for upload in uploads:
            try:
                checked.append(check_upload(upload.stream, upload.filename, "evidence"))
                if checked[-1].stream is not upload.stream:
                    copies.append(checked[-1].stream)  # a spooled copy made by the checks
            except UploadRejected as problem:
                rejected.append(_("“%(name)s”: %(problem)s", name=upload.filename, problem=problem.message))
    if rejected:
        form.files.errors = [*rejected, _("Nothing was sent: choose the files again.")]
    if valid and not rejected:
        try:
            services.submit_evidence(
                current_user, milestone, report=form.report.data, links=(form.links.data or "").splitlines(),
                people_reached=form.people_reached.data, content_pieces=form.content_pieces.data,
                events_held=form.events_held.data, files=checked, sensitive=form.sensitive.data)
        except ValidationFailed as error:
            db.session.rollback()
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            db.commit()
            flash(_("Your evidence is sent. The approver decides next."), "success")
            return redirect(url_for("projects.milestone", milestone_id=milestone.id))
        finally:
            for copy in copies:
                copy.close()
    elif uploads and not rejected:
        form.files.errors = [*form.files.errors, _("Files are not kept when something else needs fixing: choose "
                                                   "them again.")]
    return _milestone_page(milestone, evidence_form=form, status=400)


def _attempt(form, verb, success, milestone: ProjectMilestone):
    """Validate, run the service verb, commit and go back to the milestone; None when the page must show the
    problems. `success` is the message, or a function of what the verb returned."""
    if not form.validate_on_submit():
        return None
    try:
        outcome = verb()
    except ValidationFailed as error:
        db.session.rollback()
        for message in show_on_form(form, error):
            flash(str(message), "error")
        return None
    message = success(outcome) if callable(success) else success
    db.commit()
    flash(message, "success")
    return redirect(url_for("projects.milestone", milestone_id=milestone.id))


@bp.route("/milestones/<int:milestone_id>/feedback", methods=["POST"])
@login_required
def give_feedback(milestone_id: int):
    milestone = _load_milestone(milestone_id)
    policy.require(policy.can_give_milestone_feedback(current_user, milestone))
    form = FeedbackForm()
    done = _attempt(form, lambda: services.give_feedback(current_user, milestone, verdict=form.verdict.data,
                                                         body=form.body.data),
                    _("Your feedback is recorded; the team and the approver can read it."), milestone)
    return done or _milestone_page(milestone, feedback_form=form, status=400)


def _decided(disbursement) -> str:
    if disbursement is not None:
        return _("The milestone is approved and its tranche is released to the payee.")
    return _("The milestone is approved: its tranche is payable and waits on the payouts page until the payee can "
             "receive it.")


@bp.route("/milestones/<int:milestone_id>/decision", methods=["POST"])
@login_required
def decide(milestone_id: int):
    milestone = _load_milestone(milestone_id)
    policy.require(policy.can_decide_milestone(current_user, milestone))
    form = DecisionForm()
    if form.decision.data == "request_changes":
        done = _attempt(form, lambda: services.request_changes(current_user, milestone, form.reason.data or ""),
                        _("The team is asked for changes."), milestone)
    else:
        done = _attempt(form, lambda: services.approve(current_user, milestone), _decided, milestone)
    return done or _milestone_page(milestone, decision_form=form, status=400)


@bp.route("/milestones/<int:milestone_id>/due-date", methods=["POST"])
@login_required
def request_due_date(milestone_id: int):
    milestone = _load_milestone(milestone_id)
    policy.require(policy.can_request_due_date_change(current_user, milestone))
    form = DueDateForm()
    done = _attempt(form, lambda: services.request_due_date_change(
        current_user, milestone, proposed=form.proposed_date.data, reason=form.reason.data),
        _("Your request is sent to the coordinators."), milestone)
    return done or _milestone_page(milestone, due_form=form, status=400)


@bp.route("/due-date-changes/<int:change_id>", methods=["POST"])
@login_required
def decide_due_date(change_id: int):
    change = db.session.get(DueDateChange, change_id)
    if change is None:
        abort(404)
    milestone = _load_milestone(change.milestone_id)
    policy.require(policy.can_decide_due_date_change(current_user, milestone))
    form = DueDateDecisionForm()
    done = _attempt(form, lambda: services.decide_due_date_change(
        current_user, change, accept=form.decision.data == "accept", note=form.note.data),
        _("The team is told of your answer."), milestone)
    return done or _milestone_page(milestone, due_decision_form=form, status=400)


@bp.route("/files/<int:file_id>")
@login_required
def evidence_file(file_id: int):
    stored = db.session.get(EvidenceFile, file_id)
    if stored is None:
        abort(404)
    milestone = _load_milestone(stored.submission.milestone_id)
    policy.require(policy.can_open_attachment(current_user, stored))
    return serve_or_warn(stored, back=url_for("projects.milestone", milestone_id=milestone.id)
                         + f"#submission-{stored.submission_id}-heading")


@bp.route("/files/<int:file_id>/sensitive", methods=["POST"])
@login_required
def mark_sensitive(file_id: int):
    stored = db.session.get(EvidenceFile, file_id)
    if stored is None:
        abort(404)
    milestone = _load_milestone(stored.submission.milestone_id)
    policy.require(policy.can_mark_sensitive(current_user, stored))
    form = SensitivityForm()
    if not form.validate_on_submit():
        abort(400)
    sensitive = form.sensitive.data == "yes"
    if services.mark_evidence_sensitive(current_user, stored, sensitive):
        db.commit()
        flash(_("“%(name)s” is marked sensitive: a warning comes first, and only the team, its mentors and "
                "coordinators can open it.", name=stored.filename) if sensitive
              else _("“%(name)s” is no longer marked sensitive.", name=stored.filename), "success")
    back = url_for("projects.milestone", milestone_id=milestone.id) + f"#submission-{stored.submission_id}-heading"
    return redirect(safe_next(form.next.data) if form.next.data else back)
