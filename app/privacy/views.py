"""Data rights pages: load → check → form → service → commit."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import func, select

from app import db, policy
from app.accounts.models import ERASURE_STATES, ErasureRequest, User
from app.accounts.passwords import verify_password
from app.extensions import limiter
from app.pagination import paginate
from app.privacy import erasure
from app.privacy import requests as erasure_requests
from app.privacy.export import build_zip
from app.privacy.forms import CarryOutForm, DeleteAccountForm, ErasureRequestForm, ExportForm, RefuseForm
from app.privacy.labels import ERASURE_STATE_LABELS
from app.validation import ValidationFailed, flash_problems

bp = Blueprint("privacy", __name__)


@bp.app_context_processor
def _erasure_queue():
    """The waiting count for the coordinators' navigation: one query, only when a template asks for it."""
    cache = {}

    def pending_erasure_requests() -> int:
        if "n" not in cache:
            cache["n"] = db.session.scalar(select(func.count()).select_from(ErasureRequest).where(
                ErasureRequest.state == "pending")) if policy.can_handle_erasure_requests(current_user) else 0
        return cache["n"]

    return {"pending_erasure_requests": pending_erasure_requests}


@bp.context_processor
def _helpers():
    return {"shown_name": erasure.shown_name, "ERASURE_STATE_LABELS": ERASURE_STATE_LABELS}


def _failed(response) -> bool:
    return response.status_code != 302


# -- one's own data ---------------------------------------------------------------------------------
@bp.route("/account/data")
@login_required
def data():
    policy.require(policy.can_manage_own_data(current_user))
    return render_template("privacy/data.html", form=ExportForm())


@bp.route("/account/data/export", methods=["POST"])
@login_required
def export():
    policy.require(policy.can_manage_own_data(current_user))
    if not ExportForm().validate_on_submit():
        abort(400)
    stream, name = build_zip(current_user._get_current_object())
    db.commit()
    response = send_file(stream, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0,
                         etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ACCOUNT"], methods=["POST"], deduct_when=_failed)
def delete():
    policy.require(policy.can_manage_own_data(current_user))
    user = current_user._get_current_object()
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not verify_password(user.password_hash, form.password.data):
            form.password.errors.append(_("That is not your password."))
        else:
            try:
                erasure.erase_account(user, user)
            except ValidationFailed as error:
                flash_problems(error, form)
            else:
                language = user.locale
                db.commit()
                logout_user()
                session.clear()
                session["lang"] = language  # the goodbye page in the language they used
                return redirect(url_for("privacy.deleted"))
    status = 400 if request.method == "POST" else 200
    return render_template("privacy/delete.html", form=form, problems=erasure.blockers(user)), status


@bp.route("/account/deleted")
def deleted():
    return render_template("privacy/deleted.html")


# -- a guardian's request ---------------------------------------------------------------------------
def _minor_or_404(minor_id: int) -> User:
    minor = db.session.get(User, minor_id)
    if minor is None:
        abort(404)
    return minor


@bp.route("/privacy/minors/<int:minor_id>/erasure", methods=["GET", "POST"])
@login_required
def request_erasure(minor_id: int):
    minor = _minor_or_404(minor_id)
    policy.require(policy.can_request_erasure(current_user, minor))
    waiting = erasure_requests.pending_for(minor)
    form = ErasureRequestForm()
    if waiting is None and form.validate_on_submit():
        try:
            erasure_requests.file_request(current_user, minor, form.reason.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("Your request is sent. A coordinator will answer it, and we will email you."), "success")
            return redirect(url_for("core.dashboard"))
    status = 400 if request.method == "POST" else 200
    return render_template("privacy/request_erasure.html", minor=minor, form=form, waiting=waiting), status


# -- the coordinators' queue ------------------------------------------------------------------------
@bp.route("/privacy/requests")
@login_required
def requests():
    policy.require(policy.can_handle_erasure_requests(current_user))
    state = request.args.get("state", "pending")
    if state not in ERASURE_STATES:
        state = "pending"
    query = select(ErasureRequest).where(ErasureRequest.state == state)
    query = query.order_by(ErasureRequest.created_at, ErasureRequest.id) if state == "pending" else \
        query.order_by(ErasureRequest.decided_at.desc(), ErasureRequest.id.desc())
    page = paginate(query, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"])
    ids = {i for r in page.items for i in (r.minor_id, r.requested_by_id) if i is not None}
    people = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    return render_template("privacy/requests.html", page=page, state=state, people=people)


def _request_or_404(request_id: int) -> ErasureRequest:
    found = db.session.get(ErasureRequest, request_id)
    if found is None:
        abort(404)
    return found


def _request_page(erasure_request: ErasureRequest, *, carry_form=None, refuse_form=None, status: int = 200):
    minor, guardian = erasure_requests.people_of(erasure_request)
    problems = erasure.blockers(minor, own=False) if minor is not None and not erasure.is_erased(minor) else []
    return render_template("privacy/request.html", erasure_request=erasure_request, minor=minor, guardian=guardian,
                           problems=problems, carry_form=carry_form or CarryOutForm(formdata=None),
                           refuse_form=refuse_form or RefuseForm(formdata=None)), status


@bp.route("/privacy/requests/<int:request_id>")
@login_required
def request_page(request_id: int):
    policy.require(policy.can_handle_erasure_requests(current_user))
    return _request_page(_request_or_404(request_id))


@bp.route("/privacy/requests/<int:request_id>/carry-out", methods=["POST"])
@login_required
def carry_out(request_id: int):
    erasure_request = _request_or_404(request_id)
    policy.require(policy.can_decide_erasure_request(current_user, erasure_request))
    form = CarryOutForm()
    if form.validate_on_submit():
        try:
            erasure_requests.carry_out(current_user, erasure_request)
        except ValidationFailed as error:
            db.session.rollback()
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("The young person's data is erased. The guardian has been told."), "success")
            return redirect(url_for("privacy.requests"))
    return _request_page(_request_or_404(request_id), carry_form=form, status=400)


@bp.route("/privacy/requests/<int:request_id>/refuse", methods=["POST"])
@login_required
def refuse(request_id: int):
    erasure_request = _request_or_404(request_id)
    policy.require(policy.can_decide_erasure_request(current_user, erasure_request))
    form = RefuseForm()
    if form.validate_on_submit():
        try:
            erasure_requests.refuse(current_user, erasure_request, form.note.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("The request is refused. The guardian has been sent your note."), "success")
            return redirect(url_for("privacy.requests"))
    return _request_page(erasure_request, refuse_form=form, status=400)
