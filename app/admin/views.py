"""Coordinator pages: load → check → form → service → commit."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from app import db, policy
from app.accounts import services as account_services
from app.accounts.forms import EmptyForm
from app.accounts.models import ROLES, User
from app.admin.forms import PeopleSearchForm, RoleChangeForm
from app.mail.delivery import retry_now
from app.mail.models import OutboxMessage
from app.pagination import paginate
from app.validation import ValidationFailed

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@bp.route("/people")
@login_required
def people():
    policy.require(policy.can_view_people(current_user))
    search = PeopleSearchForm(request.args)
    query = select(User).order_by(User.display_name, User.id)
    term = (search.q.data or "").strip()
    if term:
        like = f"%{term.lower()}%"
        query = query.where(or_(User.email.like(like), User.display_name.ilike(like)))
    page = paginate(query, _page_number(), current_app.config["PAGE_SIZE"])
    return render_template("admin/people.html", page=page, search=search, roles=ROLES, form=RoleChangeForm(),
                           term=term)


@bp.route("/people/<int:user_id>/roles", methods=["POST"])
@login_required
def change_role(user_id: int):
    policy.require(policy.can_manage_roles(current_user))
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = RoleChangeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        if form.action.data == "grant":
            account_services.grant_role(current_user, user, form.role.data)
            message = _("%(name)s now has the %(role)s role.", name=user.display_name, role=role_label(form.role.data))
        else:
            account_services.revoke_role(current_user, user, form.role.data)
            message = _("%(name)s no longer has the %(role)s role.", name=user.display_name,
                        role=role_label(form.role.data))
    except ValidationFailed as error:
        for _field, text in error.errors:
            flash(text, "error")
    else:
        db.commit()
        flash(message, "success")
    return redirect(request.referrer if _same_site(request.referrer) else url_for("admin.people"))


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


def role_label(role: str) -> str:
    from app.core.labels import ROLE_LABELS

    return str(ROLE_LABELS[role])


@bp.route("/outbox")
@login_required
def outbox():
    policy.require(policy.can_view_outbox(current_user))
    state = request.args.get("state")
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if state in ("pending", "sent", "failed"):
        query = query.where(OutboxMessage.state == state)
    page = paginate(query, _page_number(), current_app.config["PAGE_SIZE"])
    return render_template("admin/outbox.html", page=page, state=state, form=EmptyForm())


@bp.route("/outbox/<int:message_id>")
@login_required
def outbox_message(message_id: int):
    policy.require(policy.can_view_outbox(current_user))
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render_template("admin/outbox_message.html", message=message, form=EmptyForm())


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@login_required
def retry_message(message_id: int):
    policy.require(policy.can_view_outbox(current_user))
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    if EmptyForm().validate_on_submit() and message.state != "sent":
        retry_now(message)
        db.commit()
        flash(_("The message is queued to be sent again."), "success")
    return redirect(url_for("admin.outbox_message", message_id=message.id))
