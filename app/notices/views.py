"""Comment threads on the proposal page, the notices list and the email preferences."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import db, policy
from app.accounts.forms import EmptyForm
from app.notices import services
from app.notices.forms import COMMENT_LABELS, comment_form, preferences_form
from app.notices.models import COMMENT_VISIBILITIES
from app.pagination import paginate
from app.proposals.models import Proposal
from app.validation import ValidationFailed

bp = Blueprint("notices", __name__, url_prefix="/notices")
PER_PAGE = 20

THREAD_HEADINGS = {"team": COMMENT_LABELS["team"], "internal": COMMENT_LABELS["internal"]}


@bp.context_processor
def _proposal_helpers():
    """A failed comment shows the proposal page again, which needs the proposal pages' helpers."""
    from app.proposals.views import _helpers

    return _helpers()


@bp.app_context_processor
def _unread():
    """The unread count for the navigation: one query, and only when a template asks for it."""
    cache = {}

    def unread_notices() -> int:
        if "n" not in cache:
            cache["n"] = services.unread_count(current_user) if current_user.is_authenticated else 0
        return cache["n"]

    return {"unread_notices": unread_notices}


@bp.app_template_global()
def comment_threads(proposal: Proposal) -> list[dict]:
    """The threads the signed-in person may read on this proposal, each with its form (kept after an error)."""
    failed = getattr(g, "failed_comment_form", None)
    threads = []
    for visibility in COMMENT_VISIBILITIES:
        if not policy.can_read_comments(current_user, proposal, visibility):
            continue
        form = failed[1] if failed and failed[0] == visibility else comment_form(visibility)
        threads.append({"visibility": visibility, "heading": THREAD_HEADINGS[visibility],
                        "comments": services.comments(proposal, visibility), "form": form,
                        "can_comment": policy.can_comment(current_user, proposal, visibility)})
    return threads


@bp.route("/proposals/<int:proposal_id>/comments", methods=["POST"])
@login_required
def add_comment(proposal_id: int):
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None:
        abort(404)
    visibility = request.form.get("visibility", "")
    policy.require(any(policy.can_comment(current_user, proposal, choice) for choice in COMMENT_VISIBILITIES))
    if visibility not in COMMENT_VISIBILITIES:
        abort(400)
    policy.require(policy.can_comment(current_user, proposal, visibility))
    form = comment_form(visibility, formdata=request.form)
    if form.validate():
        try:
            services.add_comment(current_user, proposal, visibility, form.body.data)
        except ValidationFailed as error:
            form.body.errors = [str(message) for _field, message in error.errors]
        else:
            db.commit()
            flash(_("Your comment is posted."), "success")
            return redirect(url_for("proposals.show", proposal_id=proposal.id) + f"#comments-{visibility}")
    g.failed_comment_form = (visibility, form)
    from app.proposals.forms import WithdrawForm
    from app.proposals.views import _show_page

    return _show_page(proposal, WithdrawForm(formdata=None), 400)


@bp.route("/")
@login_required
def index():
    page = paginate(services.notifications_query(current_user), request.args.get("page", 1, type=int), PER_PAGE)
    return render_template("notices/index.html", page=page, sentence=services.sentence, form=EmptyForm())


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    services.mark_all_read(current_user)
    db.commit()
    flash(_("Every notice is marked as read."), "info")
    return redirect(url_for("notices.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    current = services.preferences(current_user)
    if request.method == "POST":
        form = preferences_form(services.NOTICE_KINDS, current, formdata=request.form)
        services.save_preferences(current_user, {kind: form[kind].data for kind in services.NOTICE_KINDS})
        db.commit()
        flash(_("Your choices are saved."), "success")
        return redirect(url_for("notices.preferences"))
    form = preferences_form(services.NOTICE_KINDS, current)
    return render_template("notices/preferences.html", form=form, kinds=services.KIND_NAMES)
