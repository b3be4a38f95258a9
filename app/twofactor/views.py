"""Two-factor pages: the code step of signing in, setting it up, turning it off, recovery codes, sessions."""

from __future__ import annotations

from types import SimpleNamespace

import segno
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from markupsafe import Markup, escape

from app import db, policy
from app.accounts.forms import EmptyForm
from app.accounts.models import UserSession
from app.extensions import limiter
from app.security import safe_next
from app.twofactor import services, sessions, totp
from app.twofactor.forms import DisableForm, RenewCodesForm, SetupForm, SignInCodeForm
from app.validation import ValidationFailed, show_on_form

bp = Blueprint("twofactor", __name__)

# What a person who must set up two-factor sign-in can still reach: the setup itself, signing out, the
# language switch, and what serves no person (static files, health checks).
OPEN_ENDPOINTS = frozenset({"static", "accounts.signout", "core.set_language", "core.choose_language",
                            "twofactor.setup", "twofactor.download_codes"})


def require_two_factor_setup():
    """Before every request: a coordinator or funder without two-factor sign-in goes to its setup first."""
    endpoint = request.endpoint or ""
    if endpoint in OPEN_ENDPOINTS or endpoint.startswith("health."):
        return None
    if not current_app.config.get("TWO_FACTOR_REQUIRED_ROLES"):
        return None
    if policy.needs_two_factor(current_user) and not policy.has_two_factor(current_user):
        return redirect(url_for("twofactor.setup"))
    return None


def _failed(response) -> bool:
    return response.status_code != 302


def _held_account_key() -> str:
    held = session.get(services.PENDING_KEY)
    return f"code:{held.get('user') if isinstance(held, dict) else '-'}"


def _no_store(response):
    """Pages showing recovery codes are never kept by the browser's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the second sign-in step ------------------------------------------------------------------------
@bp.route("/signin/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_held_account_key,
               deduct_when=_failed)
def challenge():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    held = services.held_sign_in()
    if held is None:
        flash(_("Sign in again: the code must follow the password within a few minutes."), "info")
        return redirect(url_for("accounts.signin"))
    user, pending = held
    form = SignInCodeForm()
    if form.validate_on_submit():
        if policy.is_suspended(user):
            services.drop_held_sign_in()
            services.record_failed_sign_in(user, "suspended")
            db.commit()
            flash(_("This account is suspended, so it cannot sign in. The message we sent you explains why and "
                    "how to appeal."), "error")
            return redirect(url_for("accounts.signin"))
        method = services.use_second_factor(user, form.code.data)
        if method is None:
            services.record_failed_sign_in(user, "code")
            db.commit()
            form.code.errors.append(str(services.WRONG_CODE))
        else:
            services.drop_held_sign_in()
            sessions.begin(user, remember=pending["remember"], two_factor=True, method=method)
            left = services.recovery_codes_left(user) if method == "recovery_code" else None
            db.commit()
            if left is not None:
                flash(ngettext("You signed in with a recovery code. %(num)d code is left: make new ones on your "
                               "account page.",
                               "You signed in with a recovery code. %(num)d codes are left: make new ones on "
                               "your account page.", left), "warning")
            return redirect(safe_next(pending["next"]))
    return render_template("twofactor/challenge.html", form=form)


# -- setting it up ----------------------------------------------------------------------------------
def qr_code(uri: str, label: str) -> Markup:
    """The otpauth address as an inline SVG QR code (no script, no data: URL), named for screen readers."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, light="#fff")  # only shapes: no text from the URI
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(named)  # noqa: S704  # nosec B704


@bp.route("/account/two-factor/setup", methods=["GET", "POST"])
@login_required
def setup():
    user = current_user._get_current_object()
    if policy.has_two_factor(user):
        flash(_("Two-factor sign-in is already on."), "info")
        return redirect(url_for("accounts.profile"))
    policy.require(policy.can_turn_on_two_factor(user))
    secret = services.setup_secret(user)
    db.commit()
    form = SetupForm()
    if form.validate_on_submit():
        try:
            codes = services.enable(user, form.code.data)
        except ValidationFailed as error:
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            db.commit()
            flash(_("Two-factor sign-in is on. Other devices were signed out: sign in there with a code."),
                  "success")
            return _no_store(Response(render_template("twofactor/recovery_codes.html", codes=codes,
                                                      first_time=True)))
    uri = totp.provisioning_uri(secret, user.email)
    return _no_store(Response(render_template(
        "twofactor/setup.html", form=form, required=policy.needs_two_factor(user),
        qr=qr_code(uri, _("QR code to scan with your authenticator app")), key=totp.grouped(secret))))


@bp.route("/account/two-factor/recovery-codes.txt", methods=["POST"])
@login_required
def download_codes():
    """The codes just shown, sent back by the page's form as a text file to keep (a data: link is blocked)."""
    EmptyForm().validate_on_submit()  # CSRF is checked for every POST before this runs
    codes = [code for code in request.form.getlist("code") if services.looks_like_recovery_code(code)]
    codes = codes[:services.RECOVERY_CODE_COUNT]
    if not codes:
        return redirect(url_for("accounts.profile"))
    body = render_template("twofactor/recovery_codes.txt", codes=codes)
    response = Response(body, mimetype="text/plain")
    response.headers["Content-Disposition"] = 'attachment; filename="passerelle-recovery-codes.txt"'
    return _no_store(response)


@bp.route("/account/two-factor/recovery-codes", methods=["GET", "POST"])
@login_required
def renew_codes():
    user = current_user._get_current_object()
    policy.require(policy.has_two_factor(user))
    form = RenewCodesForm()
    if form.validate_on_submit():
        try:
            codes = services.renew_recovery_codes(user, password=form.password.data)
        except ValidationFailed as error:
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            db.commit()
            flash(_("You have new recovery codes; the old ones no longer work."), "success")
            return _no_store(Response(render_template("twofactor/recovery_codes.html", codes=codes,
                                                      first_time=False)))
    return render_template("twofactor/renew_codes.html", form=form)


@bp.route("/account/two-factor/off", methods=["GET", "POST"])
@login_required
def disable():
    user = current_user._get_current_object()
    policy.require(policy.can_turn_off_two_factor(user))
    form = DisableForm()
    if form.validate_on_submit():
        try:
            services.disable(user, password=form.password.data, code=form.code.data)
        except ValidationFailed as error:
            db.commit()  # a recovery code used up on the way stays used
            for message in show_on_form(form, error):
                flash(str(message), "error")
        else:
            db.commit()
            flash(_("Two-factor sign-in is off."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("twofactor/disable.html", form=form, required=policy.needs_two_factor(user))


# -- sessions ---------------------------------------------------------------------------------------
@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):
    row = _load_session(session_id)
    user = current_user._get_current_object()
    policy.require(policy.can_end_session(user, row))
    if EmptyForm().validate_on_submit():
        sessions.end(row, user, actor=user, reason="ended_by_user")
        db.commit()
        flash(_("The session on %(device)s is ended.", device=sessions.describe_device(row.user_agent)), "success")
    return redirect(url_for("accounts.profile", _anchor="sessions"))


def _load_session(session_id: int) -> UserSession:
    row = db.session.get(UserSession, session_id)
    if row is None:
        abort(404)
    return row


@bp.route("/account/sessions/end-others", methods=["POST"])
@login_required
def end_other_sessions():
    if EmptyForm().validate_on_submit():
        sessions.sign_out_everywhere_else(current_user._get_current_object())
        db.commit()
        flash(_("You are signed out everywhere else. This device stays signed in."), "success")
    return redirect(url_for("accounts.profile", _anchor="sessions"))


def account_security() -> SimpleNamespace:
    """What the account page shows about signing in: two-factor status and the live sessions."""
    user = current_user._get_current_object()
    this = sessions.current()
    rows = sessions.active(user)
    return SimpleNamespace(
        two_factor=policy.has_two_factor(user),
        required=policy.needs_two_factor(user),
        codes_left=services.recovery_codes_left(user) if policy.has_two_factor(user) else None,
        sessions=[SimpleNamespace(row=row, device=sessions.describe_device(row.user_agent),
                                  place=sessions.describe_place(row.ip_address),
                                  this=this is not None and row.id == this.id) for row in rows],
    )
