"""The grant agreement: a template per call (versioned), the team lead's acceptance of the exact text, and the
countersignature of a guardian or the sponsoring organisation when the team has minors. Only a fully signed
agreement makes the project active."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit, db, policy
from app.calls.models import Call
from app.db import utcnow
from app.ledger.models import Grant
from app.notices.services import notify
from app.projects.models import AgreementTemplate, GrantAgreement
from app.validation import ValidationFailed

BODY_LIMIT = 20_000


def default_body() -> str:
    """The programme's standard agreement, in the current language; a call's funders may rewrite it."""
    return "\n\n".join([
        _("## Grant agreement"),
        _("By accepting this grant, the team commits to carry out the project as described in its proposal, "
          "milestone by milestone, and to use the money only for the budget it presented."),
        _("1. **Milestones.** For each milestone the team sends evidence of what it delivered: a short report, "
          "links and files, and how many people it reached. Each tranche is paid once its milestone is approved."),
        _("2. **Changes.** If a milestone cannot be delivered on time, the team asks to move its due date before "
          "it passes. Any other change to the project is agreed with the programme's coordinators first."),
        _("3. **Respect.** The project respects human rights, the dignity of every person and the programme's "
          "code of conduct. It never spreads hateful or violent content, even to answer it."),
        _("4. **Minors.** For a team with members under the age of consent, a guardian or the sponsoring "
          "organisation countersigns this agreement and receives the money on the team's behalf."),
        _("5. **Reporting.** Unspent money is returned to the programme if the project stops. The team may be "
          "asked to account for how the money was spent."),
    ])


def current_template(call: Call) -> AgreementTemplate:
    """The call's latest agreement, made from the standard text (in its owner's language) the first time."""
    template = db.session.scalar(select(AgreementTemplate).where(AgreementTemplate.call_id == call.id)
                                 .order_by(AgreementTemplate.version.desc()).limit(1))
    if template is None:
        with force_locale(call.owner.locale if call.owner else "en"):
            body = default_body()
        template = AgreementTemplate(call_id=call.id, version=1, body=body, created_by_id=None)
        db.session.add(template)
        db.session.flush()
    return template


def save_template(actor, call: Call, body: str) -> AgreementTemplate:
    """A new version; agreements already accepted keep the text they accepted."""
    body = (body or "").strip()
    if not body:
        raise ValidationFailed([("body", _l("Write the agreement's text."))])
    if len(body) > BODY_LIMIT:
        raise ValidationFailed([("body", _l("The text is too long: at most %(limit)s characters.",
                                            limit=BODY_LIMIT))])
    current = current_template(call)
    if current.body == body:
        return current
    latest = db.session.scalar(select(func.max(AgreementTemplate.version)).where(AgreementTemplate.call_id == call.id))
    template = AgreementTemplate(call_id=call.id, version=(latest or 0) + 1, body=body, created_by_id=actor.id)
    db.session.add(template)
    db.session.flush()
    audit.record(actor, "agreement.template_saved", call, version=template.version)
    return template


def agreement_of(grant: Grant) -> GrantAgreement | None:
    return db.session.scalar(select(GrantAgreement).where(GrantAgreement.grant_id == grant.id))


def accept(actor, grant: Grant, *, template_version: int, confirmed: bool) -> GrantAgreement:
    """The lead accepts the version they read; a newer version published meanwhile must be read first."""
    if grant.state != "awarded" or agreement_of(grant) is not None:
        raise ValidationFailed([(None, _l("This agreement has already been accepted."))])
    if not confirmed:
        raise ValidationFailed([("confirm", _l("Tick the box to say you have read and accept the agreement."))])
    template = current_template(grant.call)
    if template.version != template_version:
        raise ValidationFailed([(None, _l("The agreement was updated while you were reading it. Please read "
                                          "this version and accept it again."))])
    agreement = GrantAgreement(grant_id=grant.id, template_id=template.id, version=template.version,
                               text_accepted=template.body, accepted_by_id=actor.id, accepted_at=utcnow(),
                               countersign_required=policy.has_minors(grant.team))
    db.session.add(agreement)
    db.session.flush()
    audit.record(actor, "agreement.accepted", grant, version=template.version,
                 countersign_required=agreement.countersign_required)
    if agreement.countersign_required:
        notify(policy.countersigners(grant), "agreement_to_countersign", grant.proposal, actor=actor,
               path=f"/projects/{grant.id}/agreement")
    else:
        _activate(actor, grant)
    return agreement


def countersign(actor, grant: Grant, *, confirmed: bool) -> GrantAgreement:
    agreement = agreement_of(grant)
    if agreement is None or not agreement.countersign_required or agreement.countersigned_at is not None:
        raise ValidationFailed([(None, _l("There is nothing to countersign on this agreement."))])
    if not confirmed:
        raise ValidationFailed([("confirm", _l("Tick the box to say you have read the agreement and countersign "
                                               "it on the team's behalf."))])
    kind, organisation = policy.countersigner_capacity(actor, grant)
    agreement.countersigned_by_id, agreement.countersigned_at = actor.id, utcnow()
    agreement.countersigner_kind, agreement.countersigner_organisation = kind, organisation
    db.session.flush()
    audit.record(actor, "agreement.countersigned", grant, capacity=kind, organisation=organisation)
    _activate(actor, grant)
    return agreement


def _activate(actor, grant: Grant) -> None:
    grant.state, grant.activated_at = "active", utcnow()
    db.session.flush()
    audit.record(actor, "grant.activated", grant)
    notify(grant.team.members, "project_active", grant.proposal, actor=actor, path=f"/projects/{grant.id}")


def waiting_for(user, limit: int = 10) -> list[tuple[Grant, str]]:
    """Agreements that need this person now: ("accept", grant) for a lead, ("countersign", grant) for an adult
    who may countersign. Bounded, for the dashboard."""
    from app.accounts.models import GuardianConsent
    from app.payments.models import Payee
    from app.teams.models import Membership, Team

    to_accept = db.session.scalars(
        select(Grant).join(Team, Team.id == Grant.team_id)
        .where(Grant.state == "awarded", Team.lead_id == user.id,
               ~select(GrantAgreement.id).where(GrantAgreement.grant_id == Grant.id).exists())
        .order_by(Grant.awarded_at).limit(limit))
    guarded_teams = select(Membership.team_id).join(GuardianConsent, GuardianConsent.minor_id == Membership.user_id)\
        .where(GuardianConsent.guardian_id == user.id, GuardianConsent.state == "given")
    paid_teams = select(Payee.team_id).where(Payee.user_id == user.id)
    to_countersign = db.session.scalars(
        select(Grant).join(GrantAgreement, GrantAgreement.grant_id == Grant.id)
        .where(Grant.state == "awarded", GrantAgreement.countersign_required,
               GrantAgreement.countersigned_at.is_(None),
               Grant.team_id.in_(guarded_teams) | Grant.team_id.in_(paid_teams))
        .order_by(GrantAgreement.accepted_at).limit(limit))
    waiting = [(grant, "accept") for grant in to_accept]
    # The SQL finds candidates; the policy has the last word (a guardian whose child has come of age, a member).
    waiting += [(grant, "countersign") for grant in to_countersign if policy.can_countersign(user, grant)]
    return waiting[:limit]
