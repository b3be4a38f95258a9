"""Account pages: load → check → form → service → commit."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app import audit, db, policy
from app.accounts import services
from app.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    ProfileForm,
    ResendConsentForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
)
from app.accounts.models import GuardianConsent, User
from app.extensions import limiter
from app.i18n import country_choices, current_language, options, timezone_choices
from app.security import safe_next
from app.tokens import LinkExpired, LinkInvalid, read_link_token
from app.twofactor import services as two_factor
from app.twofactor import sessions as user_sessions
from app.validation import ValidationFailed, show_on_form

bp = Blueprint("accounts", __name__)


def _account_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))


def _failed(response) -> bool:
    return response.status_code != 302


def _profile_choices(form) -> None:
    from flask_babel import lazy_gettext as _l

    form.country.choices = options([("", _l("Choose a country"))]) + country_choices()
    form.timezone.choices = timezone_choices()


def _invitation_from(token: str | None):
    """The invitation a sign-up link carries, if it is still good."""
    if not token:
        return None
    from app.teams.services import load_invitation

    try:
        return load_invitation(token)
    except LinkInvalid:
        return None


def _consent_from(token: str | None) -> GuardianConsent | None:
    if not token:
        return None
    try:
        return load_consent(token)
    except LinkInvalid:
        return None


# -- sign-up and confirmation ---------------------------------------------------------------------
@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["EMAIL_LINK_LIMIT_PER_ADDRESS"], methods=["POST"],
               deduct_when=lambda response: response.status_code == 302)
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    invitation_token = request.args.get("invitation")
    consent_token = request.args.get("consent")
    invitation = _invitation_from(invitation_token)
    consent = _consent_from(consent_token)
    proven_email = invitation.email if invitation else consent.guardian_email if consent else None

    form = SignUpForm()
    _profile_choices(form)
    if request.method == "GET":
        form.locale.data = current_language()
        form.timezone.data = "UTC"
        if proven_email:
            form.email.data = proven_email
        if consent:
            form.account_type.data = "guardian"
    if form.validate_on_submit():
        try:
            user = services.register_user(
                display_name=form.display_name.data, email=form.email.data, password=form.password.data,
                birth_date=form.birth_date.data, country=form.country.data, region=form.region.data,
                locale=form.locale.data, timezone=form.timezone.data, account_type=form.account_type.data,
                guardian_email=form.guardian_email.data,
                email_already_proven=bool(proven_email and form.email.data == proven_email),
            )
        except ValidationFailed as error:
            for message in show_on_form(form, error):
                flash(message, "error")
        else:
            db.commit()
            if user is not None and user.is_confirmed:
                login_user(user)
                flash(_("Welcome to Passerelle, %(name)s.", name=user.first_name), "success")
                if invitation:
                    return redirect(url_for("teams.invitation", token=invitation_token))
                if consent:
                    return redirect(url_for("accounts.consent", token=consent_token))
                return redirect(url_for("core.dashboard"))
            return redirect(url_for("accounts.check_email"))
    return render_template("accounts/signup.html", form=form, invitation=invitation, consent=consent)


@bp.route("/signup/check-email")
def check_email():
    return render_template("accounts/check_email.html")


@bp.route("/confirm/<token>")
def confirm_email(token: str):
    try:
        payload = read_link_token("confirm", token, current_app.config["CONFIRMATION_MAX_AGE"])
    except LinkExpired:
        return _bad_link(_("This confirmation link has expired. Sign in and ask for a new one."))
    except LinkInvalid:
        return _bad_link(_("This confirmation link is not valid. Check that you copied all of it."))
    user = db.session.get(User, payload.get("user"))
    if user is None or not services.confirm_email(user, payload.get("email", "")):
        return _bad_link(_("This confirmation link is not valid. Check that you copied all of it."))
    db.commit()
    flash(_("Your email address is confirmed."), "success")
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    flash(_("You can sign in now."), "info")
    return redirect(url_for("accounts.signin"))


@bp.route("/confirm/resend", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["EMAIL_LINK_LIMIT_PER_ADDRESS"])
def resend_confirmation():
    from app.accounts.forms import EmptyForm

    form = EmptyForm()
    if form.validate_on_submit() and not current_user.is_confirmed:
        services.send_confirmation(current_user)
        db.commit()
        flash(_("We sent a new confirmation link to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("core.dashboard"))


def _bad_link(message: str):
    return render_template("accounts/bad_link.html", message=message), 400


# -- sign-in --------------------------------------------------------------------------------------
@bp.route("/signin", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["SIGNIN_LIMIT_PER_ACCOUNT"], methods=["POST"], key_func=_account_key,
               deduct_when=_failed)
def signin():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            two_factor.record_failed_sign_in(services.find_user_by_email(form.email.data), "password")
            db.commit()
            form.password.errors.append(_("The email address or password is not right."))
        elif policy.is_suspended(user):
            two_factor.record_failed_sign_in(user, "suspended")
            db.commit()
            form.password.errors.append(_("This account is suspended, so it cannot sign in. The message we sent "
                                          "you explains why and how to appeal."))
        elif user.totp_enabled_at is not None:
            # Not signed in yet: the code from the authenticator app (or a recovery code) comes first.
            db.commit()
            two_factor.hold_sign_in(user, remember=form.remember.data, next_url=request.args.get("next"))
            return redirect(url_for("twofactor.challenge"))
        else:
            two_factor.drop_held_sign_in()
            user_sessions.begin(user, remember=form.remember.data)
            db.commit()
            return redirect(safe_next(request.args.get("next")))
    return render_template("accounts/signin.html", form=form)


@bp.route("/signout", methods=["POST"])
def signout():
    from app.accounts.forms import EmptyForm

    if EmptyForm().validate_on_submit():
        row = user_sessions.current() if current_user.is_authenticated else None  # the loader finds the row
        if row is not None:
            user_sessions.end(row, current_user, actor=current_user, reason="signed_out")
            audit.record(current_user, "account.signed_out", current_user, session=row.id)
            db.commit()
        two_factor.drop_held_sign_in()
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("core.home"))


# -- passwords ------------------------------------------------------------------------------------
@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["EMAIL_LINK_LIMIT_PER_ADDRESS"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.commit()
        flash(_("If an account uses %(email)s, we have sent it a link to choose a new password. "
                "The link works for two hours.", email=form.email.data), "success")
        return redirect(url_for("accounts.signin"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        payload = read_link_token("reset", token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    except LinkExpired:
        return _bad_link(_("This link to reset your password has expired. Ask for a new one."))
    except LinkInvalid:
        return _bad_link(_("This link to reset your password is not valid."))
    user = db.session.get(User, payload.get("user"))
    if user is None or not services.reset_link_matches(user, payload):
        return _bad_link(_("This link has already been used. Ask for a new one if you still need it."))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data, reason="reset")
        except ValidationFailed as error:
            show_on_form(form, error)
        else:
            db.commit()
            logout_user()
            flash(_("Your password is changed. Sign in with your new password."), "success")
            return redirect(url_for("accounts.signin"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    _profile_choices(form)
    if request.method == "GET":
        form.region.data = current_user.region or ""
    if form.validate_on_submit():
        services.update_profile(current_user, display_name=form.display_name.data, country=form.country.data,
                                region=form.region.data, locale=form.locale.data, timezone=form.timezone.data)
        db.commit()
        from flask_babel import refresh

        refresh()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.password.data)
        except ValidationFailed as error:
            show_on_form(form, error)
        else:
            db.commit()
            # Keep this browser signed in with the new session version; others are signed out.
            login_user(current_user._get_current_object())
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)


# -- guardian consent -----------------------------------------------------------------------------
def load_consent(token: str) -> GuardianConsent:
    payload = read_link_token("consent", token, current_app.config["CONSENT_REQUEST_MAX_AGE"])
    consent = db.session.get(GuardianConsent, payload.get("consent"))
    if consent is None or consent.nonce != payload.get("n"):
        raise LinkInvalid()
    return consent


@bp.route("/consent/<token>", methods=["GET", "POST"])
def consent(token: str):
    try:
        consent = load_consent(token)
    except LinkExpired:
        return _bad_link(_("This consent link has expired. Ask the young person to send a new request "
                           "from their dashboard."))
    except LinkInvalid:
        return _bad_link(_("This consent link is not valid or has been replaced by a newer one."))
    if consent.state != "requested":
        return render_template("accounts/consent_answered.html", consent=consent)
    if not current_user.is_authenticated:
        return render_template("accounts/consent_signin.html", consent=consent, token=token)
    if current_user.email != consent.guardian_email:
        return render_template("accounts/consent_wrong_account.html", consent=consent), 403
    policy.require(policy.can_answer_consent(current_user, consent))
    from app.consents.forms import GuardianAnswerForm
    from app.consents.wording import render

    form = GuardianAnswerForm()
    for purpose in ("mentoring", "showcase", "photos"):
        form[purpose].description = render(purpose, "guardian", consent.minor)
    consent_text = render_template("accounts/_consent_text.html", minor=consent.minor)
    if form.validate_on_submit():
        give = form.decision.data == "give"
        purposes = form.purposes() if give else []
        # The request keeps everything agreed to, as read on this page; each purpose gets its own record too.
        text = "\n\n".join([consent_text, *(str(form[purpose].description) for purpose in purposes)])
        services.decide_consent(consent, current_user, give=give, text=text, reason=form.reason.data,
                                purposes=purposes)
        db.commit()
        if give:
            flash(_("Thank you. Your consent is recorded."), "success")
        else:
            flash(_("Your answer is recorded: you did not give consent."), "info")
        return redirect(url_for("core.dashboard"))
    return render_template("accounts/consent.html", form=form, consent=consent, consent_text=consent_text)


@bp.route("/consent/resend", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["EMAIL_LINK_LIMIT_PER_ADDRESS"])
def resend_consent():
    policy.require(policy.can_request_consent(current_user))
    from app.core.views import render_dashboard

    form = ResendConsentForm()
    if form.validate_on_submit():
        try:
            consent = services.resend_consent(current_user, form.guardian_email.data)
        except ValidationFailed as error:
            for message in show_on_form(form, error):
                flash(message, "error")
            return render_dashboard(consent_form=form, status=400)
        db.commit()
        flash(_("We sent the request to %(email)s.", email=consent.guardian_email), "success")
        return redirect(url_for("core.dashboard"))
    return render_dashboard(consent_form=form, status=400)
