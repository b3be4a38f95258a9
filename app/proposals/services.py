"""Proposal verbs: start, save a draft, submit, withdraw, attach files. They flush; the request commits."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit, db, jobs, policy
from app.accounts.age import age_on
from app.accounts.models import AuditEntry, User
from app.accounts.services import link
from app.calls.models import Call
from app.db import utcnow
from app.mail.services import queue_email
from app.money import format_money
from app.proposals import workflow
from app.proposals.models import Attachment, BudgetLine, PlannedMilestone, Proposal, ProposalVersion
from app.storage import get_storage
from app.teams.models import Membership, Team
from app.validation import ValidationFailed

# The text fields a team writes, in the order the form and the snapshot list them.
TEXT_FIELDS = ("title", "summary", "problem", "approach", "audience")
REQUIRED_TEXT_FIELDS = ("title", "summary", "problem", "approach")
EDITABLE_FIELDS = (*TEXT_FIELDS, "expected_reach", "themes", "amount_requested", "budget_lines", "milestones")
# Milestones are planned within this many years of the day the proposal is submitted.
PLAN_HORIZON_YEARS = 3


@dataclass(frozen=True)
class BudgetLineData:
    category: str
    description: str
    amount: int


@dataclass(frozen=True)
class MilestoneData:
    title: str
    deliverable: str
    due_date: date
    tranche_amount: int


class EditConflict(Exception):
    """Someone saved the proposal after this person opened it; `by` is who, when known."""

    def __init__(self, by: User | None = None):
        super().__init__("the proposal changed since it was opened")
        self.by = by


# -- starting ----------------------------------------------------------------------------------------
def teams_that_can_start(user: User, call: Call, now: datetime | None = None) -> list[Team]:
    now = now or utcnow()
    teams = db.session.scalars(
        select(Team).join(Membership).where(Membership.user_id == user.id)
        .options(selectinload(Team.memberships)).order_by(Team.name))
    return [team for team in teams if policy.can_start_proposal(user, team, call, now)]


def open_draft(team: Team, call: Call) -> Proposal | None:
    return db.session.scalar(select(Proposal).where(
        Proposal.team_id == team.id, Proposal.call_id == call.id, Proposal.state == "draft").limit(1))


def start_proposal(actor: User, team: Team, call: Call, now: datetime | None = None) -> Proposal:
    """A new, empty draft; a team keeps one draft per call at a time."""
    if not policy.can_start_proposal(actor, team, call, now or utcnow()):
        raise ValidationFailed([("team", _l("This team cannot start a proposal for this call."))])
    if open_draft(team, call) is not None:
        raise ValidationFailed([("team", _l("“%(team)s” already has a draft for this call. Continue that one: "
                                            "the link is below.", team=team.name))])
    proposal = Proposal(call_id=call.id, team_id=team.id, created_by_id=actor.id, themes=[])
    db.session.add(proposal)
    db.session.flush()
    audit.record(actor, "proposal.created", proposal)
    return proposal


# -- drafts ------------------------------------------------------------------------------------------
def current_values(proposal: Proposal) -> dict:
    """The editable fields as comparable Python values."""
    return {
        **{name: getattr(proposal, name) or "" for name in TEXT_FIELDS},
        "expected_reach": proposal.expected_reach,
        "themes": sorted(proposal.themes or []),
        "amount_requested": proposal.amount_requested or 0,
        "budget_lines": [BudgetLineData(line.category, line.description, line.amount)
                         for line in proposal.budget_lines],
        "milestones": [MilestoneData(m.title, m.deliverable or "", m.due_date, m.tranche_amount)
                       for m in proposal.milestones],
    }


def changed_fields(proposal: Proposal, values: dict) -> list[str]:
    current = current_values(proposal)
    return [name for name in EDITABLE_FIELDS if name in values and _normal(name, values[name]) != current[name]]


def _normal(name: str, value):
    if name in TEXT_FIELDS:
        return (value or "").strip()
    if name == "themes":
        return sorted(set(value or []))
    if name == "amount_requested":
        return value or 0
    return value


def last_editor(proposal: Proposal) -> User | None:
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.subject_type == "proposals", AuditEntry.subject_id == proposal.id,
                                 AuditEntry.action == "proposal.edited")
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc()).limit(1))
    return entry.actor if entry is not None else None


def save_draft(actor: User, proposal: Proposal, values: dict, lock_version: int | None) -> list[str]:
    """Store the values given (fields that failed to parse are simply absent) and record who changed what.

    Raises EditConflict when the proposal was saved by someone else since `lock_version` was read.
    """
    if not policy.can_edit_proposal(actor, proposal):
        raise workflow.NotAllowed("edit")
    if lock_version != proposal.lock_version:
        raise EditConflict(last_editor(proposal))
    changed = changed_fields(proposal, values)
    if not changed:
        return []
    for name in changed:
        value = _normal(name, values[name])
        if name == "budget_lines":
            proposal.budget_lines.clear()
            proposal.budget_lines.extend(
                BudgetLine(position=i, category=line.category, description=line.description.strip(),
                           amount=line.amount) for i, line in enumerate(value))
        elif name == "milestones":
            proposal.milestones.clear()
            proposal.milestones.extend(
                PlannedMilestone(position=i, title=m.title.strip(), deliverable=m.deliverable.strip(),
                                 due_date=m.due_date, tranche_amount=m.tranche_amount) for i, m in enumerate(value))
        else:
            setattr(proposal, name, value)
    # Touching the row makes the database check the lock even when only budget lines or milestones changed.
    proposal.updated_at = utcnow()
    audit.record(actor, "proposal.edited", proposal, fields=changed)
    db.session.flush()
    return changed


# -- submission --------------------------------------------------------------------------------------
def call_today(call: Call, now: datetime) -> date:
    return now.astimezone(ZoneInfo(call.timezone)).date()


def deadline_text(call: Call) -> str:
    """The deadline as the call states it: in the call's own time zone, named."""
    from app.calls.display import moment_in

    return moment_in(call.closes_at, call.timezone)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def plan_horizon(call: Call, now: datetime) -> date:
    return _add_years(call_today(call, now), PLAN_HORIZON_YEARS)


def submission_problems(proposal: Proposal, actor: User, now: datetime | None = None) -> list[tuple[str | None, str]]:
    """Everything that stops the proposal from being submitted, each named by the field to fix."""
    now = now or utcnow()
    call, team = proposal.call, proposal.team
    money = lambda cents: format_money(cents, call.currency)  # noqa: E731
    problems: list[tuple[str | None, str]] = []

    for name in REQUIRED_TEXT_FIELDS:
        if not (getattr(proposal, name) or "").strip():
            problems.append((name, _l("This field is required to submit.")))
    if not proposal.themes:
        problems.append(("themes", _l("Choose at least one theme.")))

    amount = proposal.amount_requested or 0
    if amount <= 0:
        problems.append(("amount_requested", _l("Enter the amount you ask for; it must be more than zero.")))
    elif amount > call.max_award:
        problems.append(("amount_requested", _l("This call awards at most %(max)s. Ask for that much or less.",
                                                max=money(call.max_award))))

    problems.extend(_budget_problems(proposal, amount, money))
    problems.extend(_milestone_problems(proposal, amount, money, call_today(call, now), plan_horizon(call, now)))

    if proposal.state == "changes_requested":
        pass  # the funders asked for changes after reading it: the answer is not bound by the call's deadline
    elif not (call.state == "published" and now < call.closes_at):
        problems.append(("deadline", _l("This call no longer takes proposals (%(deadline)s).",
                                        deadline=deadline_text(call))))
    elif now < call.opens_at:
        problems.append(("deadline", _l("This call is not open yet.")))
    problems.extend(_eligibility_problems(team, call, call_today(call, now)))

    if not policy.is_confirmed(actor):
        problems.append(("submitter", _l("Confirm your email address before you submit: open the link we sent you.")))
    elif not policy.can_submit(actor):
        problems.append(("submitter", _l("Your guardian has to give consent before you can submit.")))
    return problems


def _budget_problems(proposal: Proposal, amount: int, money) -> list[tuple[str, str]]:
    problems = []
    if not proposal.budget_lines:
        problems.append(("budget_lines", _l("Add at least one budget line.")))
    for i, line in enumerate(proposal.budget_lines):
        if not line.description.strip():
            problems.append((f"budget_lines-{i}-description", _l("Say what this money is for.")))
        if line.amount <= 0:
            problems.append((f"budget_lines-{i}-amount", _l("Enter an amount greater than zero.")))
    if proposal.budget_lines and amount > 0 and proposal.budget_total != amount:
        problems.append(("budget_lines", _l("The budget lines add up to %(total)s, but you ask for %(amount)s. "
                                            "They must be equal.", total=money(proposal.budget_total),
                                            amount=money(amount))))
    return problems


def _milestone_problems(proposal: Proposal, amount: int, money, today: date, horizon: date) -> list[tuple[str, str]]:
    problems = []
    if not proposal.milestones:
        problems.append(("milestones", _l("Add at least one milestone.")))
    for i, milestone in enumerate(proposal.milestones):
        if not milestone.title.strip():
            problems.append((f"milestones-{i}-title", _l("Give this milestone a name.")))
        if milestone.due_date <= today:
            problems.append((f"milestones-{i}-due_date", _l("Choose a date after today.")))
        elif milestone.due_date > horizon:
            problems.append((f"milestones-{i}-due_date", _l(
                "Choose a date within %(years)d years, by %(date)s.", years=PLAN_HORIZON_YEARS,
                date=format_date(horizon, "long"))))
        if milestone.tranche_amount <= 0:
            problems.append((f"milestones-{i}-tranche_amount", _l("Enter the tranche paid for this milestone.")))
    if proposal.milestones and amount > 0 and proposal.tranche_total != amount:
        problems.append(("milestones", _l("The tranches add up to %(total)s, but you ask for %(amount)s. "
                                          "They must be equal.", total=money(proposal.tranche_total),
                                          amount=money(amount))))
    return problems


def _eligibility_problems(team: Team, call: Call, today: date) -> list[tuple[str, str]]:
    problems = []
    size = len(team.memberships)
    if not call.min_team_size <= size <= call.max_team_size:
        problems.append(("team", _l("This call takes teams of %(min)d to %(max)d people; “%(team)s” has %(size)d.",
                                    min=call.min_team_size, max=call.max_team_size, team=team.name, size=size)))
    if call.countries and team.country not in call.countries:
        problems.append(("team", _l("This call does not take teams from the country “%(team)s” is based in.",
                                    team=team.name)))
    for member in team.members:
        age = age_on(member.birth_date, today)
        if not call.min_age <= age <= call.max_age:
            problems.append(("team", _l("This call is for people aged %(min)d to %(max)d; %(name)s is %(age)d.",
                                        min=call.min_age, max=call.max_age, name=member.display_name, age=age)))
        if not policy.has_consent(member):
            problems.append(("team", _l("%(name)s is waiting for a guardian's consent; every minor in the team "
                                        "needs it before the team can submit.", name=member.display_name)))
    return problems


def snapshot(proposal: Proposal) -> dict:
    """Everything the team submitted, as plain JSON."""
    return {
        **{name: getattr(proposal, name) or "" for name in TEXT_FIELDS},
        "expected_reach": proposal.expected_reach,
        "themes": sorted(proposal.themes or []),
        "amount_requested": proposal.amount_requested,
        "currency": proposal.call.currency,
        "budget_lines": [asdict(BudgetLineData(line.category, line.description, line.amount))
                         for line in proposal.budget_lines],
        "milestones": [{"title": m.title, "deliverable": m.deliverable or "", "due_date": m.due_date.isoformat(),
                        "tranche_amount": m.tranche_amount} for m in proposal.milestones],
        "attachments": [{"kind": a.kind, "filename": a.filename} for a in proposal.attachments],
    }


def submit(actor: User, proposal: Proposal, now: datetime | None = None) -> ProposalVersion:
    """Check everything, move the proposal, freeze the version and tell the team; raises ValidationFailed."""
    now = now or utcnow()
    action = "resubmit" if proposal.state == "changes_requested" else "submit"
    if workflow.move_for(proposal.state, action) is None:
        workflow.transition(proposal, action, actor)  # raises IllegalMove with the reason
    problems = submission_problems(proposal, actor, now)
    if problems:
        raise ValidationFailed(problems)
    workflow.transition(proposal, action, actor)
    proposal.submitted_at = now
    proposal.version = (proposal.version or 0) + 1
    version = ProposalVersion(proposal_id=proposal.id, number=proposal.version, content=snapshot(proposal),
                              submitted_by_id=actor.id, submitted_at=now)
    db.session.add(version)
    db.session.flush()
    from app.safety.terms import flag_if_matching  # flagged terms send it to review; it stays visible

    flag_if_matching("proposal", proposal.id, "\n\n".join(
        [proposal.title or "", proposal.summary, proposal.problem, proposal.approach, proposal.audience]),
        proposal.team_id)
    url = link("proposals.show", proposal_id=proposal.id)
    for member in proposal.team.members:
        queue_email(member.email, "proposal_submitted", member.locale, proposal=proposal, team=proposal.team,
                    submitter=actor, member=member, version=version.number, url=url)
    return version


def withdraw(actor: User, proposal: Proposal, reason: str | None = None) -> None:
    workflow.transition(proposal, "withdraw", actor, reason)
    db.session.flush()


# -- attachments -------------------------------------------------------------------------------------
def add_attachment(actor: User, proposal: Proposal, checked, *, sensitive: bool = False) -> Attachment:
    """Store a file that passed app.uploads.check_upload and attach it to the proposal."""
    if not policy.can_edit_proposal(actor, proposal):
        raise workflow.NotAllowed("attach")
    stored = get_storage().save(checked.stream, filename=checked.filename, content_type=checked.content_type)
    attachment = Attachment(proposal_id=proposal.id, kind=checked.kind, filename=checked.filename,
                            content_type=checked.content_type, size=stored.size, sha256=stored.sha256,
                            storage_key=stored.key, uploaded_by_id=actor.id, sensitive=bool(sensitive))
    # The proposal row itself is left alone: a file added by one teammate is no reason to refuse the form
    # another teammate is saving (see the optimistic lock in save_draft).
    proposal.attachments.append(attachment)
    db.session.flush()
    audit.record(actor, "proposal.attachment_added", proposal, kind=checked.kind, filename=checked.filename,
                 attachment=attachment.id, sensitive=True if sensitive else None)
    return attachment


def mark_attachment_sensitive(actor: User, attachment: Attachment, sensitive: bool) -> bool:
    """Mark the file sensitive or lift the mark, in any state of the proposal; False when nothing changed."""
    if not policy.can_mark_sensitive(actor, attachment):
        raise workflow.NotAllowed("mark_sensitive")
    if attachment.sensitive == sensitive:
        return False
    attachment.sensitive = sensitive
    db.session.flush()
    audit.record(actor, "proposal.attachment_sensitivity_changed", attachment.proposal, attachment=attachment.id,
                 kind=attachment.kind, sensitive=sensitive)
    return True


def remove_attachment(actor: User, proposal: Proposal, attachment: Attachment) -> None:
    if not policy.can_edit_proposal(actor, proposal):
        raise workflow.NotAllowed("detach")
    key = attachment.storage_key
    proposal.attachments.remove(attachment)
    db.session.flush()
    audit.record(actor, "proposal.attachment_removed", proposal, kind=attachment.kind, filename=attachment.filename)
    # The file goes only once the row is gone for good.
    jobs.enqueue(delete_stored_file, key)


def delete_stored_file(key: str) -> None:
    get_storage().delete(key)


# -- reading -----------------------------------------------------------------------------------------
def audit_trail(proposal: Proposal, *, internal: bool = False) -> list[AuditEntry]:
    """The proposal's history; who reviews it (review.* entries) is shown only to the call's managers."""
    query = select(AuditEntry).where(AuditEntry.subject_type == "proposals", AuditEntry.subject_id == proposal.id)
    if not internal:
        query = query.where(AuditEntry.action.not_like("review.%"))
    return list(db.session.scalars(
        query.options(selectinload(AuditEntry.actor)).order_by(AuditEntry.created_at, AuditEntry.id)))


def versions(proposal: Proposal) -> list[ProposalVersion]:
    return list(db.session.scalars(
        select(ProposalVersion).where(ProposalVersion.proposal_id == proposal.id)
        .options(selectinload(ProposalVersion.submitted_by)).order_by(ProposalVersion.number)))


def proposals_of_teams(team_ids: list[int]) -> list[Proposal]:
    if not team_ids:
        return []
    return list(db.session.scalars(
        select(Proposal).where(Proposal.team_id.in_(team_ids))
        .options(selectinload(Proposal.call), selectinload(Proposal.team))
        .order_by(Proposal.updated_at.desc(), Proposal.id.desc())))


def proposals_for(user: User) -> list[Proposal]:
    team_ids = list(db.session.scalars(select(Membership.team_id).where(Membership.user_id == user.id)))
    return proposals_of_teams(team_ids)


def open_calls(now: datetime | None = None) -> list[Call]:
    now = now or utcnow()
    return list(db.session.scalars(
        select(Call).where(Call.state == "published", Call.opens_at <= now, Call.closes_at > now)
        .order_by(Call.closes_at)))
