"""Reporting a concern, the coordinators' queue, and deciding about a report. load → check → form → service → commit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import db, policy
from app.errors import render_error
from app.extensions import limiter
from app.pagination import paginate
from app.safety import appeals, moderation, services, terms
from app.safety.forms import ActionForm, CloseForm, ReportForm
from app.safety.labels import (
    APPEAL_STATE_LABELS,
    CATEGORY_LABELS,
    KIND_LABELS,
    KIND_SHORT_LABELS,
    RULE_LABELS,
    RULE_OF_CATEGORY,
    STATE_LABELS,
    SUBJECT_LABELS,
    VISIBILITY_LABELS,
)
from app.safety.models import REPORT_STATES, Report
from app.validation import ValidationFailed, show_on_form

bp = Blueprint("safety", __name__, url_prefix="/reports")
QUEUE_FLAGS = 10  # the oldest flags shown on the queue's page; the rest on their own page

LABELS = {"CATEGORY_LABELS": CATEGORY_LABELS, "REPORT_STATE_LABELS": STATE_LABELS, "SUBJECT_LABELS": SUBJECT_LABELS,
          "KIND_LABELS": KIND_LABELS, "KIND_SHORT_LABELS": KIND_SHORT_LABELS, "RULE_LABELS": RULE_LABELS,
          "VISIBILITY_LABELS": VISIBILITY_LABELS, "APPEAL_STATE_LABELS": APPEAL_STATE_LABELS}


@bp.app_context_processor
def _open_reports():
    """The open count for the coordinators' navigation: one query, and only when a template asks for it."""
    cache = {}

    def open_reports() -> int:
        if "n" not in cache:
            cache["n"] = services.open_count() if policy.can_view_reports(current_user) else 0
        return cache["n"]

    return {"open_reports": open_reports}


@bp.context_processor
def _labels():
    return LABELS


def _anonymous_limit() -> str:
    return current_app.config.get("ANONYMOUS_REPORT_LIMIT", "5 per hour")


def _subject_or_stop(text: str | None) -> services.Subject:
    """The subject a form names: sign-in first (but for a public showcase page), 400 with a message when
    malformed, 404 when gone, 403 when not readable."""
    if not current_user.is_authenticated and not (text or "").strip().startswith("showcase_page:"):
        abort(current_app.login_manager.unauthorized())
    try:
        subject = services.find_subject(text)
    except services.BadSubject:
        abort(make_response(render_error(400, _("The form does not say what is reported. Go back to the "
                                                "message and use its “Report” link again."))))
    if subject is None:
        abort(404)
    policy.require(services.can_report(current_user, subject))
    return subject


def _form_page(subject: services.Subject, form: ReportForm, status: int = 200):
    form.subject.data = subject.key
    return render_template("safety/new.html", subject=subject, form=form,
                           back=subject.path()), status


def _reporter():
    return current_user._get_current_object() if current_user.is_authenticated else None


# -- reporting ------------------------------------------------------------------------------------------------
@bp.route("/new")
def new():
    subject = _subject_or_stop(request.args.get("subject"))
    return _form_page(subject, ReportForm(formdata=None))


@bp.route("", methods=["POST"])
# A visitor who is not signed in may report a public page: a few reports an hour from one address, no more.
@limiter.limit(_anonymous_limit, methods=["POST"], exempt_when=lambda: current_user.is_authenticated)
def create():
    subject = _subject_or_stop(request.form.get("subject"))
    form = ReportForm()
    if form.validate_on_submit():
        try:
            services.report(_reporter(), subject, form.category.data, form.detail.data)
        except services.AlreadyReported:
            flash(_("You have already reported this. The coordinators have it and will look at it."), "info")
            return redirect(subject.path())
        except ValidationFailed as error:
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            db.commit()
            flash(_("Thank you: the coordinators have been told."), "success")
            return redirect(subject.path())
    return _form_page(subject, form, 400)


# -- the coordinators' queue ----------------------------------------------------------------------------------
@bp.route("")
@login_required
def index():
    policy.require(policy.can_view_reports(current_user))
    state = request.args.get("state", "open")
    if state not in REPORT_STATES:
        state = "open"
    page = paginate(services.reports_query(state), max(1, request.args.get("page", 1, type=int) or 1),
                    current_app.config["PAGE_SIZE"])
    flags = paginate(terms.flags_query(), 1, QUEUE_FLAGS) if state == "open" else None
    subjects = services.load_subjects(
        [(item.subject_type, item.subject_id) for item in page.items]
        + [(flag.subject_type, flag.subject_id) for flag in (flags.items if flags else [])])
    return render_template("safety/index.html", page=page, state=state, subjects=subjects, flags=flags,
                           open_appeals=appeals.open_count())


def _load_report(report_id: int) -> Report:
    policy.require(policy.can_view_reports(current_user))
    concern = db.session.get(Report, report_id)
    if concern is None:
        abort(404)
    return concern


def _action_form(concern: Report, formdata=None) -> ActionForm:
    form = ActionForm(formdata=formdata)
    if formdata is None:
        form.rule.data = RULE_OF_CATEGORY[concern.category]
    return form


def _report_page(concern: Report, form: CloseForm, action_form: ActionForm, status: int = 200):
    key = (concern.subject_type, concern.subject_id)
    subject = services.load_subjects([key]).get(key)
    decisions = moderation.actions_on(*key)
    return render_template("safety/show.html", report=concern, subject=subject, form=form, action_form=action_form,
                           context_path=subject.path() if subject is not None else None, decisions=decisions,
                           status=moderation.status_of(*key)), status


@bp.route("/<int:report_id>")
@login_required
def show(report_id: int):
    concern = _load_report(report_id)
    return _report_page(concern, CloseForm(formdata=None), _action_form(concern))


@bp.route("/<int:report_id>/close", methods=["POST"])
@login_required
def close(report_id: int):
    concern = _load_report(report_id)
    if concern.state != "open":
        flash(_("This report is already closed."), "info")
        return redirect(url_for("safety.show", report_id=concern.id))
    form = CloseForm()
    if form.validate_on_submit():
        try:
            services.close_report(current_user, concern, form.resolution.data)
        except ValidationFailed as error:
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            db.commit()
            flash(_("The report is closed."), "success")
            return redirect(url_for("safety.index"))
    return _report_page(concern, form, _action_form(concern), 400)


@bp.route("/<int:report_id>/act", methods=["POST"])
@login_required
def act(report_id: int):
    concern = _load_report(report_id)
    policy.require(policy.can_moderate(current_user))
    form = _action_form(concern, request.form)
    if form.validate_on_submit():
        key = (concern.subject_type, concern.subject_id)
        try:
            action = moderation.decide(current_user, kind=form.kind.data, reason=form.reason.data,
                                       rule=form.rule.data, warning=form.warning.data,
                                       subject=services.load_subjects([key]).get(key), report=concern)
        except ValidationFailed as error:
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            db.commit()
            flash(_("Decided: %(decision)s. The statement of reasons is sent.", decision=KIND_LABELS[action.kind])
                  if action.statement_sent_at else _("Decided: %(decision)s.", decision=KIND_LABELS[action.kind]),
                  "success")
            return redirect(url_for("moderation.decision", action_id=action.id))
    return _report_page(concern, CloseForm(formdata=None), form, 400)
