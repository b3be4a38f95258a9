"""Consent pages: a young person's own agreements, a guardian's consents for their child, a person's history
for coordinators. load → check → form → service → commit."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import db, policy
from app.accounts.models import ConsentRecord, User
from app.consents import services, wording
from app.consents.forms import GiveForm, WithdrawForm
from app.validation import ValidationFailed, flash_problems

bp = Blueprint("consents", __name__, url_prefix="/consents")


@dataclass
class PurposeState:
    """One purpose as a page shows it: the newest answers of each giver, and whether it is in effect."""

    purpose: str
    label: object
    guardian: ConsentRecord | None
    own: ConsentRecord | None
    in_effect: bool
    wording: str

    @property
    def guardian_stands(self) -> bool:
        return self.guardian is not None and self.guardian.withdrawn_at is None

    @property
    def own_stands(self) -> bool:
        return self.own is not None and self.own.withdrawn_at is None


def _states(person: User, purposes, given_as: str) -> list[PurposeState]:
    latest = services.latest_records(person)
    return [PurposeState(purpose=purpose, label=wording.PURPOSE_LABELS[purpose],
                         guardian=latest.get((purpose, "guardian")), own=latest.get((purpose, "self")),
                         in_effect=_in_effect(person, purpose),
                         wording=wording.render(purpose, given_as, person)) for purpose in purposes]


def _in_effect(person: User, purpose: str) -> bool:
    """Whether the purpose is allowed now, as the rest of the portal sees it."""
    return {
        "participation": policy.has_consent,
        "mentoring": lambda someone: policy.has_consent(someone) and policy.has_purpose_consent(someone, "mentoring"),
        "showcase": policy.can_appear_publicly,
        "photos": policy.can_appear_in_photos,
    }[purpose](person)


def _purpose(purpose: str, allowed) -> str:
    if purpose not in allowed:
        abort(404)
    return purpose


def _own_purposes(user: User) -> tuple[str, ...]:
    return wording.OWN_PURPOSES if policy.needs_guardian_consent(user) else wording.OWN_PURPOSES_OF_AGE


# -- a young person's own agreements ----------------------------------------------------------------------
@bp.route("/")
@login_required
def index():
    own = _states(current_user, _own_purposes(current_user), "self") \
        if policy.can_manage_own_consents(current_user) else []
    guardian = _states(current_user, ("participation",), "guardian")[0] \
        if policy.needs_guardian_consent(current_user) else None
    return render_template("consents/index.html", own=own, guardian=guardian,
                           under_age=policy.needs_guardian_consent(current_user),
                           children=services.children_of(current_user), form=GiveForm())


@bp.route("/<purpose>/give", methods=["POST"])
@login_required
def give_own(purpose: str):
    policy.require(policy.can_manage_own_consents(current_user))
    purpose = _purpose(purpose, _own_purposes(current_user))
    if GiveForm().validate_on_submit():
        try:
            services.give(current_user, current_user, purpose, given_as="self")
        except ValidationFailed as error:
            flash_problems(error)
        else:
            db.commit()
            flash(_("Your agreement is recorded: %(purpose)s.", purpose=wording.PURPOSE_LABELS[purpose]), "success")
    return redirect(url_for("consents.index"))


@bp.route("/<purpose>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_own(purpose: str):
    policy.require(policy.can_manage_own_consents(current_user))
    purpose = _purpose(purpose, _own_purposes(current_user))
    state = _states(current_user, (purpose,), "self")[0]
    if not (state.own_stands or (not policy.needs_guardian_consent(current_user) and state.own is None)):
        flash(_("There is no agreement to withdraw for this purpose."), "info")
        return redirect(url_for("consents.index"))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(current_user, current_user, purpose, given_as="self", reason=form.reason.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("Your agreement is withdrawn: %(purpose)s. It stopped counting at once.",
                    purpose=wording.PURPOSE_LABELS[purpose]), "success")
            return redirect(url_for("consents.index"))
    return render_template("consents/withdraw.html", form=form, state=state, person=None,
                           back=url_for("consents.index"),
                           action=url_for("consents.withdraw_own", purpose=purpose)), 400 if form.errors else 200


# -- a guardian's consents for their child -------------------------------------------------------------------
def _load_child(minor_id: int) -> User:
    minor = db.session.get(User, minor_id)
    if minor is None:
        abort(404)
    policy.require(policy.can_view_consents_of(current_user, minor))
    return minor


@bp.route("/young-people/<int:minor_id>")
@login_required
def child(minor_id: int):
    minor = _load_child(minor_id)
    states = _states(minor, wording.PURPOSES, "guardian")
    teams = [team for team in services.teams_of(minor) if policy.can_view_team_space(current_user, team)]
    return render_template("consents/child.html", minor=minor, states=states, teams=teams, form=GiveForm(),
                           can_manage=policy.can_manage_consents_of(current_user, minor),
                           own_purposes=wording.OWN_PURPOSES)


@bp.route("/young-people/<int:minor_id>/<purpose>/give", methods=["POST"])
@login_required
def give_for(minor_id: int, purpose: str):
    minor = _load_child(minor_id)
    policy.require(policy.can_manage_consents_of(current_user, minor))
    purpose = _purpose(purpose, wording.PURPOSES)
    if GiveForm().validate_on_submit():
        try:
            services.give(current_user, minor, purpose, given_as="guardian")
        except ValidationFailed as error:
            flash_problems(error)
        else:
            db.commit()
            flash(_("Your consent is recorded: %(purpose)s.", purpose=wording.PURPOSE_LABELS[purpose]), "success")
    return redirect(url_for("consents.child", minor_id=minor.id))


@bp.route("/young-people/<int:minor_id>/<purpose>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_for(minor_id: int, purpose: str):
    minor = _load_child(minor_id)
    policy.require(policy.can_manage_consents_of(current_user, minor))
    purpose = _purpose(purpose, wording.PURPOSES)
    state = _states(minor, (purpose,), "guardian")[0]
    back = url_for("consents.child", minor_id=minor.id)
    if not state.guardian_stands:
        flash(_("There is no consent to withdraw for this purpose."), "info")
        return redirect(back)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(current_user, minor, purpose, given_as="guardian", reason=form.reason.data)
        except ValidationFailed as error:
            flash_problems(error, form)
        else:
            db.commit()
            flash(_("Your consent is withdrawn: %(purpose)s. It stopped counting at once.",
                    purpose=wording.PURPOSE_LABELS[purpose]), "success")
            return redirect(back)
    return render_template("consents/withdraw.html", form=form, state=state, person=minor, back=back,
                           action=url_for("consents.withdraw_for", minor_id=minor.id, purpose=purpose)), \
        400 if form.errors else 200


# -- coordinators: a person's history ------------------------------------------------------------------------
@bp.route("/people/<int:user_id>")
@login_required
def person(user_id: int):
    policy.require(policy.can_view_consent_history(current_user))
    person = db.session.get(User, user_id)
    if person is None:
        abort(404)
    records = services.history(person)
    withdrawers = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(
        {record.withdrawn_by_id for record in records if record.withdrawn_by_id})))} if records else {}
    return render_template("consents/person.html", person=person, records=records, withdrawers=withdrawers,
                           labels=wording.PURPOSE_LABELS, under_age=policy.needs_guardian_consent(person),
                           states={purpose: _in_effect(person, purpose) for purpose in wording.PURPOSES})
