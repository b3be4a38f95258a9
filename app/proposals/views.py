"""Proposal pages: load → check → form → service → commit."""

from __future__ import annotations

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app import db, policy
from app.accounts.forms import EmptyForm
from app.caching import personal_page
from app.calls.models import THEMES, Call
from app.db import utcnow
from app.errors import render_error
from app.i18n import options
from app.ledger import services as ledger
from app.money import format_money
from app.proposals import diff, services
from app.proposals.forms import (
    AttachmentForm,
    ProposalForm,
    SensitivityForm,
    StartProposalForm,
    WithdrawForm,
    amount_text,
    without_row,
)
from app.proposals.labels import (
    ATTACHMENT_KIND_LABELS,
    AUDIT_ACTION_LABELS,
    BUDGET_CATEGORY_LABELS,
    FIELD_LABELS,
    THEME_LABELS,
)
from app.proposals.models import Attachment, Proposal
from app.proposals.sensitive import serve_or_warn
from app.proposals.workflow import STATE_LABELS, IllegalMove, NotAllowed
from app.security import safe_next
from app.teams.models import Membership, Team
from app.teams.services import teams_of
from app.uploads import UploadRejected, accepted_extensions, check_upload, upload_limits
from app.validation import ValidationFailed, flash_problems

bp = Blueprint("proposals", __name__, url_prefix="/proposals")

# Problems that belong to no field of the form, with the name the summary gives them.
GENERAL_LABELS = {
    "deadline": _l("Deadline"),
    "team": _l("Team"),
    "submitter": _l("You"),
    None: _l("Proposal"),
}
ROW_LABELS = {"budget_lines": _l("Budget line %(num)d"), "milestones": _l("Milestone %(num)d")}


@bp.errorhandler(NotAllowed)
def _not_allowed(_error):
    return render_error(403)


@bp.app_template_global()
def team_proposals(team: Team) -> list[Proposal]:
    """The proposals of a team, for its page."""
    return services.proposals_of_teams([team.id])


@bp.app_context_processor
def _labels():
    return {"PROPOSAL_STATE_LABELS": STATE_LABELS}


@bp.context_processor
def _helpers():
    return {
        "FIELD_LABELS": FIELD_LABELS, "THEME_LABELS": THEME_LABELS, "BUDGET_CATEGORY_LABELS": BUDGET_CATEGORY_LABELS,
        "ATTACHMENT_KIND_LABELS": ATTACHMENT_KIND_LABELS, "AUDIT_ACTION_LABELS": AUDIT_ACTION_LABELS,
        "ROW_LABELS": ROW_LABELS, "format_money": format_money,
    }


def _load(proposal_id: int) -> Proposal:
    proposal = db.session.scalar(
        select(Proposal).where(Proposal.id == proposal_id)
        .options(selectinload(Proposal.call), selectinload(Proposal.attachments),
                 selectinload(Proposal.team).selectinload(Team.memberships).selectinload(Membership.user)))
    if proposal is None:
        abort(404)
    return proposal


def _load_viewable(proposal_id: int) -> Proposal:
    proposal = _load(proposal_id)
    policy.require(policy.can_view_proposal(current_user, proposal))
    return proposal


# -- my proposals -----------------------------------------------------------------------------------
@bp.route("/")
@login_required
def index():
    return render_template("proposals/index.html", proposals=services.proposals_for(current_user),
                           calls=services.open_calls())


# -- starting ---------------------------------------------------------------------------------------
@bp.route("/new", methods=["GET", "POST"])
@login_required
def start():
    call = db.session.get(Call, request.args.get("call_id", type=int) or 0)
    if call is None:
        abort(404)
    policy.require(policy.can_view_call(current_user, call))
    now = utcnow()
    teams = services.teams_that_can_start(current_user, call, now)
    drafts = [draft for team in teams if (draft := services.open_draft(team, call)) is not None]
    form = StartProposalForm()
    form.team.choices = options((team.id, team.name) for team in teams)
    if request.method == "GET" and len(teams) == 1:
        form.team.data = teams[0].id
    status = 200
    if request.method == "POST":
        policy.require(bool(teams))
        if form.validate_on_submit():
            team = next((team for team in teams if team.id == form.team.data), None)
            if team is None:
                form.team.errors = [*form.team.errors, _("Choose one of your teams.")]
            else:
                try:
                    proposal = services.start_proposal(current_user, team, call, now)
                except ValidationFailed as error:
                    form.team.errors = [*form.team.errors, *(str(m) for _f, m in error.errors)]
                else:
                    db.commit()
                    flash(_("Your draft is started. Fill it in at your own pace: save it as often as you like."),
                          "success")
                    return redirect(url_for("proposals.edit", proposal_id=proposal.id))
        status = 400
    return render_template("proposals/start.html", call=call, form=form, teams=teams, drafts=drafts,
                           is_open=call.is_open(now), has_team=bool(teams_of(current_user))), status


# -- editing ----------------------------------------------------------------------------------------
def _form_data(proposal: Proposal) -> dict:
    currency = proposal.call.currency
    return {
        "lock_version": str(proposal.lock_version),
        "title": proposal.title, "summary": proposal.summary, "problem": proposal.problem,
        "approach": proposal.approach, "audience": proposal.audience,
        "expected_reach": "" if proposal.expected_reach is None else str(proposal.expected_reach),
        "themes": list(proposal.themes or []),
        "amount_requested": amount_text(proposal.amount_requested, currency),
        "budget_lines": [{"category": line.category, "description": line.description,
                          "amount": amount_text(line.amount, currency)} for line in proposal.budget_lines],
        "milestones": [{"title": m.title, "deliverable": m.deliverable, "due_date": m.due_date.isoformat(),
                        "tranche_amount": amount_text(m.tranche_amount, currency)} for m in proposal.milestones],
    }


def _prepare(form: ProposalForm, proposal: Proposal) -> ProposalForm:
    call = proposal.call
    form.themes.choices = options((theme, THEME_LABELS[theme]) for theme in THEMES)
    form.amount_requested.description = _(
        "In %(currency)s. This call awards at most %(max)s. It must equal the total of the budget and of the "
        "tranches.", currency=call.currency, max=format_money(call.max_award, call.currency))
    return form


def _stored_form(proposal: Proposal) -> ProposalForm:
    return _prepare(ProposalForm(formdata=None, data=_form_data(proposal)), proposal)


def _field_index(form: ProposalForm) -> dict:
    """Every field of the form by its id, the rows' fields included."""
    fields = {f.id: f for f in form if f.type not in ("FieldList", "CSRFTokenField")}
    for name in ("budget_lines", "milestones"):
        for entry in getattr(form, name):
            fields.update({f.id: f for f in entry.form})
    return fields


def _row_ids(form: ProposalForm, name: str) -> list[int]:
    """The form rows that were stored, in order: blank rows are not."""
    return [position for position, entry in enumerate(getattr(form, name)) if not entry.form.is_blank()]


def _attach(form: ProposalForm, errors: list[tuple[str | None, str]], stored_rows: bool) -> tuple[dict, list]:
    """Put each problem beside its field; return the problems of whole lists and those of no field.

    With stored_rows, row numbers in the problems count stored rows, which skip the blank rows of the form.
    """
    fields = _field_index(form)
    list_errors: dict[str, list[str]] = {}
    general: list[tuple[str | None, str]] = []
    for name, message in errors:
        if name in ("budget_lines", "milestones"):
            list_errors.setdefault(name, []).append(str(message))
            continue
        if name and stored_rows and (match := re.fullmatch(r"(budget_lines|milestones)-(\d+)-(\w+)", name)):
            rows = _row_ids(form, match.group(1))
            index = int(match.group(2))
            if index < len(rows):
                name = f"{match.group(1)}-{rows[index]}-{match.group(3)}"
        field = fields.get(name) if name else None
        if field is not None:
            field.errors = [*list(field.errors or []), str(message)]
        else:
            general.append((name, str(message)))
    return list_errors, general


def _summary(form: ProposalForm, list_errors: dict, general: list) -> list[dict]:
    """The problems in page order, each with the field it belongs to and a link to it."""
    items = []
    for field in form:
        if field.type == "CSRFTokenField":
            continue
        if field.type == "FieldList":
            for message in list_errors.get(field.name, []):
                items.append({"href": f"#{field.name}-heading", "label": FIELD_LABELS[field.name],
                              "message": message})
            for position, entry in enumerate(field, start=1):
                for sub in entry.form:
                    if sub.errors:
                        items.append({"href": f"#{sub.id}", "label": "{}: {}".format(
                            ROW_LABELS[field.name] % {"num": position}, sub.label.text),
                            "message": " ".join(str(e) for e in sub.errors)})
            continue
        if field.errors:
            href = f"#{field.id}-0" if field.type == "CheckboxListField" else f"#{field.id}"
            items.append({"href": href, "label": field.label.text, "message": " ".join(str(e) for e in field.errors)})
    for name, message in general:
        items.append({"href": None, "label": GENERAL_LABELS.get(name, GENERAL_LABELS[None]), "message": message})
    return items


def _edit_page(proposal: Proposal, form: ProposalForm, *, status: int = 200, list_errors: dict | None = None,
               general: list | None = None, conflict: dict | None = None, upload_form: AttachmentForm | None = None,
               focus: str | None = None):
    list_errors = list_errors or {}
    general = general or []
    upload_form = upload_form or AttachmentForm(formdata=None)
    return render_template(
        "proposals/edit.html", proposal=proposal, call=proposal.call, form=form, list_errors=list_errors,
        problems=_summary(form, list_errors, general), conflict=conflict, upload_form=upload_form,
        accepted=", ".join(sorted({ext for kind in ATTACHMENT_KIND_LABELS for ext in accepted_extensions(kind)})),
        limits=upload_limits(), focus=focus, action_form=EmptyForm(),
    ), status


def _refuse_edit(proposal: Proposal):
    """A team member reaching a proposal that can no longer change: say why, on the proposal's page."""
    if request.method == "POST" and request.form.get("action") == "submit":
        try:
            services.submit(current_user, proposal)
        except IllegalMove as error:
            flash_problems(error)
        except ValidationFailed:
            pass
        db.session.rollback()
    else:
        flash(_("This proposal is %(state)s: it can no longer be edited.", state=STATE_LABELS[proposal.state]),
              "error")
    return redirect(url_for("proposals.show", proposal_id=proposal.id))


@bp.route("/<int:proposal_id>/edit", methods=["GET", "POST"])
@login_required
def edit(proposal_id: int):
    proposal = _load_viewable(proposal_id)
    if not policy.can_edit_proposal(current_user, proposal):
        if policy.is_on_team(current_user, proposal):
            return _refuse_edit(proposal)
        abort(403)
    if request.method == "GET":
        return _edit_page(proposal, _stored_form(proposal))

    action = request.form.get("action", "save")
    formdata = request.form
    removed = re.fullmatch(r"remove-(budget_lines|milestones)-(\d+)", action)
    if removed:
        formdata = without_row(formdata, removed.group(1), int(removed.group(2)))
    form = _prepare(ProposalForm(formdata=formdata), proposal)

    if action in ("add-budget_lines", "add-milestones"):
        rows = getattr(form, action.removeprefix("add-"))
        entry = rows.append_entry()
        first = entry.form.description if action == "add-budget_lines" else entry.form.title
        return _edit_page(proposal, form, focus=first.id)
    if removed:
        flash(_("The line is taken out. Save the draft to keep this change."), "info")
        return _edit_page(proposal, form, focus=f"add-{removed.group(1)}")
    if action not in ("save", "submit"):
        abort(400)
    return _save(proposal, form, submitting=action == "submit")


def _conflict(proposal_id: int, form: ProposalForm, values: dict, *, caught_by_database: bool = False):
    """Someone saved first: show what this person typed, unsaved, and what now differs."""
    if caught_by_database:
        db.session.rollback()  # the failed flush left the session unusable; nothing of this request is kept
    proposal = _load(proposal_id)
    if not policy.can_edit_proposal(current_user, proposal):
        return _refuse_edit(proposal)
    by = services.last_editor(proposal)
    differing = [str(FIELD_LABELS[name]) for name in services.changed_fields(proposal, values)]
    form.lock_version.data = str(proposal.lock_version)  # saving again now replaces their version, knowingly
    form.lock_version.raw_data = None
    return _edit_page(proposal, form, status=409,
                      conflict={"by": by.display_name if by is not None and by.id != current_user.id else None,
                                "fields": differing})


def _save(proposal: Proposal, form: ProposalForm, *, submitting: bool):
    form.validate()
    values, problems = form.read_values(proposal.call.currency)
    list_errors, general = _attach(form, list(problems.items()), stored_rows=False)
    lock_version = _int_or_none(form.lock_version.data)
    try:
        changed = services.save_draft(current_user, proposal, values, lock_version)
        saved_all = not _has_errors(form)
        if submitting and saved_all:
            services.submit(current_user, proposal)
    except services.EditConflict:
        return _conflict(proposal.id, form, values)
    except StaleDataError:
        return _conflict(proposal.id, form, values, caught_by_database=True)
    except IllegalMove as error:
        db.session.rollback()
        flash_problems(error)
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    except ValidationFailed as failed:
        db.commit()  # the draft itself is saved; only the submission waits
        list_errors, general = _attach(form, failed.errors, stored_rows=True)
        form.lock_version.data = str(proposal.lock_version)
        form.lock_version.raw_data = None
        flash(_("Your draft is saved, but not submitted yet: fix the problems listed below, then submit again."),
              "error")
        return _edit_page(proposal, form, status=400, list_errors=list_errors, general=general)
    db.commit()
    if submitting and saved_all:
        flash(_("Your proposal is submitted. Your team has been told by email."), "success")
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    if not saved_all:
        form.lock_version.data = str(proposal.lock_version)
        form.lock_version.raw_data = None
        if submitting:
            message = _("Not submitted: some of what you typed cannot be read. Fix the fields marked below. "
                        "Everything else is saved.")
        else:
            message = _("Your draft is saved, except the fields marked below: fix them, then save again.")
        flash(message, "error")
        return _edit_page(proposal, form, status=400, list_errors=list_errors, general=general)
    flash(_("Your draft is saved.") if changed else _("Your draft is saved; nothing had changed."), "success")
    return redirect(url_for("proposals.edit", proposal_id=proposal.id))


def _has_errors(form: ProposalForm) -> bool:
    return any(f.errors for f in _field_index(form).values())


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- reading ----------------------------------------------------------------------------------------
@bp.route("/<int:proposal_id>")
@login_required
@personal_page
def show(proposal_id: int):
    proposal = _load_viewable(proposal_id)
    return _show_page(proposal, WithdrawForm(formdata=None))


def _show_page(proposal: Proposal, withdraw_form: WithdrawForm, status: int = 200):
    versions = services.versions(proposal)
    changes = [(older, newer, diff.compare(older.content, newer.content))
               for older, newer in zip(versions, versions[1:], strict=False)]
    full_names = policy.can_view_team_details(current_user, proposal.team)
    trail = services.audit_trail(proposal, internal=policy.can_see_reviewer_names(current_user, proposal))
    grant = ledger.grant_of(proposal) if proposal.state == "awarded" else None
    return render_template(
        "proposals/show.html", proposal=proposal, call=proposal.call, team=proposal.team, versions=versions,
        grant=grant if grant is not None and policy.can_view_grant(current_user, grant) else None,
        project=grant if grant is not None and policy.can_view_project(current_user, grant) else None,
        changes=list(reversed(changes)), trail=trail, withdraw_form=withdraw_form,
        can_withdraw=policy.can_move(current_user, proposal, "withdraw"), action_form=EmptyForm(),
        person=lambda user: (user.display_name if full_names else user.first_name) if user else _("someone"),
    ), status


@bp.route("/<int:proposal_id>/withdraw", methods=["POST"])
@login_required
def withdraw(proposal_id: int):
    proposal = _load_viewable(proposal_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _show_page(proposal, form, 400)
    try:
        services.withdraw(current_user, proposal, form.reason.data)
    except IllegalMove as error:
        db.session.rollback()
        flash_problems(error)
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    except StaleDataError:
        db.session.rollback()
        flash(_("The proposal changed while you were doing this. Look at it again, then try once more."), "error")
        return redirect(url_for("proposals.show", proposal_id=proposal.id))
    db.commit()
    flash(_("The proposal is withdrawn."), "info")
    return redirect(url_for("proposals.show", proposal_id=proposal.id))


# -- attachments ------------------------------------------------------------------------------------
@bp.route("/<int:proposal_id>/attachments", methods=["POST"])
@login_required
def upload_attachment(proposal_id: int):
    proposal = _load_viewable(proposal_id)
    policy.require(policy.can_edit_proposal(current_user, proposal))
    form = AttachmentForm()
    upload = request.files.get("file")
    if form.validate_on_submit():
        if upload is None or not upload.filename:
            form.file.errors = [*form.file.errors, _("Choose a file to upload.")]
        else:
            try:
                checked = check_upload(upload.stream, upload.filename, form.kind.data)
            except UploadRejected as rejected:
                form.file.errors = [*form.file.errors, str(rejected.message)]
            else:
                try:
                    services.add_attachment(current_user, proposal, checked, sensitive=form.sensitive.data)
                finally:
                    if checked.stream is not upload.stream:
                        checked.stream.close()  # a spooled copy made by the checks
                db.commit()
                flash(_("“%(name)s” is attached.", name=checked.filename), "success")
                return redirect(url_for("proposals.edit", proposal_id=proposal.id) + "#attachments-heading")
    return _edit_page(proposal, _stored_form(proposal), status=400, upload_form=form)


def _load_attachment(proposal: Proposal, attachment_id: int) -> Attachment:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.proposal_id != proposal.id:
        abort(404)
    return attachment


@bp.route("/<int:proposal_id>/attachments/<int:attachment_id>")
@login_required
def download_attachment(proposal_id: int, attachment_id: int):
    proposal = _load(proposal_id)
    attachment = _load_attachment(proposal, attachment_id)
    policy.require(policy.can_open_attachment(current_user, attachment))
    return serve_or_warn(attachment, back=url_for("proposals.show", proposal_id=proposal.id) + "#files-heading")


@bp.route("/<int:proposal_id>/attachments/<int:attachment_id>/sensitive", methods=["POST"])
@login_required
def mark_sensitive(proposal_id: int, attachment_id: int):
    proposal = _load(proposal_id)
    attachment = _load_attachment(proposal, attachment_id)
    policy.require(policy.can_mark_sensitive(current_user, attachment))
    form = SensitivityForm()
    if not form.validate_on_submit():
        abort(400)
    sensitive = form.sensitive.data == "yes"
    if services.mark_attachment_sensitive(current_user, attachment, sensitive):
        db.commit()
        flash(_("“%(name)s” is marked sensitive: a warning comes first, and only the team, its mentors, "
                "coordinators and assigned reviewers can open it.", name=attachment.filename) if sensitive
              else _("“%(name)s” is no longer marked sensitive.", name=attachment.filename), "success")
    back = url_for("proposals.show", proposal_id=proposal.id) + "#files-heading"
    return redirect(safe_next(form.next.data) if form.next.data else back)


@bp.route("/<int:proposal_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_attachment(proposal_id: int, attachment_id: int):
    proposal = _load_viewable(proposal_id)
    attachment = _load_attachment(proposal, attachment_id)
    policy.require(policy.can_edit_proposal(current_user, proposal))
    name = attachment.filename
    services.remove_attachment(current_user, proposal, attachment)
    db.commit()
    flash(_("“%(name)s” is removed.", name=name), "info")
    return redirect(url_for("proposals.edit", proposal_id=proposal.id) + "#attachments-heading")
