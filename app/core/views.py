"""Home, dashboard, language switch and the code of conduct."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import db, policy
from app.accounts.forms import EmptyForm, ResendConsentForm
from app.accounts.models import GuardianConsent
from app.accounts.services import consent_token, latest_consent
from app.caching import personal_page
from app.dashboards import panels as dashboard_panels
from app.projects import agreements
from app.security import safe_next
from app.teams import services as team_services

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    return render_template("core/home.html")


@bp.route("/conduct")
def conduct():
    return render_template("core/conduct.html")


@bp.route("/language/<lang>")
def choose_language(lang: str):
    """A visitor's switch is a link: their public pages then carry no form token, are the same for everyone in
    that language, and can be kept by caches. Only this browser's choice changes; a signed-in person's saved
    language wins over it, and they save theirs with the form below."""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect(safe_next(request.args.get("next"), "core.home"))


@bp.route("/language", methods=["POST"])
def set_language():
    form = EmptyForm()
    language = request.form.get("lang")
    if form.validate_on_submit() and language in current_app.config["LANGUAGES"]:
        session["lang"] = language
        if current_user.is_authenticated:
            current_user.locale = language
            db.commit()
    return redirect(safe_next(request.form.get("next"), "core.home"))


@bp.route("/dashboard")
@login_required
@personal_page
def dashboard():
    return render_dashboard()


def render_dashboard(consent_form: ResendConsentForm | None = None, status: int = 200):
    user = current_user
    consent = latest_consent(user) if policy.needs_guardian_consent(user) else None
    requests_to_answer = []
    if user.is_confirmed:
        requests_to_answer = list(db.session.scalars(
            select(GuardianConsent).where(GuardianConsent.guardian_email == user.email,
                                          GuardianConsent.state == "requested")
            .options(selectinload(GuardianConsent.minor))))
    consents_given = list(db.session.scalars(
        select(GuardianConsent).where(GuardianConsent.guardian_id == user.id, GuardianConsent.state == "given")
        .options(selectinload(GuardianConsent.minor))))
    return render_template(
        "core/dashboard.html",
        consent=consent,
        consent_form=consent_form or ResendConsentForm(),
        teams=team_services.teams_of(user),
        invitations=team_services.pending_invitations_for(user),
        invitation_token=team_services.invitation_token,
        consent_token=consent_token,
        requests_to_answer=requests_to_answer,
        consents_given=consents_given,
        action_form=EmptyForm(),
        dashboard=dashboard_panels.build(user, request.args),
        agreements_waiting=agreements.waiting_for(user),
    ), status
