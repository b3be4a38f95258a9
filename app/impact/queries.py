"""The impact report's reads: a fixed handful of aggregate queries, however many projects the calls hold."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select

from app import db, policy
from app.calls.models import THEMES, Call, CallFunder
from app.impact import figures
from app.ledger import balances as ledger_rules
from app.ledger.models import Grant, LedgerEntry
from app.projects.models import EvidenceSubmission, ProjectMilestone
from app.proposals.models import Proposal
from app.teams.models import Team

MONEY_KINDS = (ledger_rules.AWARD, ledger_rules.AWARD_RELEASE, ledger_rules.DISBURSEMENT,
               ledger_rules.DISBURSEMENT_REVERSAL)


def _call_info(row) -> figures.CallInfo:
    return figures.CallInfo(id=row.id, title=row.title, currency=row.currency, timezone=row.timezone)


def calls_in_scope(user) -> list[figures.CallInfo]:
    """The calls the person's overall report covers: every call for coordinators, a funder's own calls otherwise.
    Drafts hold no grants, so they are left out."""
    query = (select(Call.id, Call.title, Call.currency, Call.timezone).where(Call.state != "draft")
             .order_by(Call.opens_at.desc(), Call.id.desc()))
    if not policy.is_coordinator(user):
        managed = select(CallFunder.call_id).where(CallFunder.user_id == user.id)
        query = query.where(or_(Call.owner_id == user.id, Call.id.in_(managed)))
    return [_call_info(row) for row in db.session.execute(query)]


def call_info(call: Call) -> figures.CallInfo:
    return figures.CallInfo(id=call.id, title=call.title, currency=call.currency, timezone=call.timezone)


def _approved_milestones(call_ids: list[int]):
    return (select(ProjectMilestone.id).join(Grant, Grant.id == ProjectMilestone.grant_id)
            .where(ProjectMilestone.state == "approved", Grant.call_id.in_(call_ids)))


def grant_rows(call_ids: list[int]) -> list[figures.GrantRow]:
    """Every grant of the calls, with the reach of the latest evidence of each of its approved milestones."""
    latest = (select(EvidenceSubmission.milestone_id, func.max(EvidenceSubmission.number).label("number"))
              .where(EvidenceSubmission.milestone_id.in_(_approved_milestones(call_ids)))
              .group_by(EvidenceSubmission.milestone_id).subquery())
    reach = (select(ProjectMilestone.grant_id.label("grant_id"),
                    func.sum(EvidenceSubmission.people_reached).label("people"),
                    func.sum(EvidenceSubmission.content_pieces).label("pieces"),
                    func.sum(EvidenceSubmission.events_held).label("events"))
             .join(latest, latest.c.milestone_id == ProjectMilestone.id)
             .join(EvidenceSubmission, and_(EvidenceSubmission.milestone_id == latest.c.milestone_id,
                                            EvidenceSubmission.number == latest.c.number))
             .group_by(ProjectMilestone.grant_id).subquery())
    rows = db.session.execute(
        select(Grant.call_id, Grant.state, Team.country, Proposal.themes, func.coalesce(reach.c.people, 0),
               func.coalesce(reach.c.pieces, 0), func.coalesce(reach.c.events, 0))
        .join(Team, Team.id == Grant.team_id).join(Proposal, Proposal.id == Grant.proposal_id)
        .outerjoin(reach, reach.c.grant_id == Grant.id)
        .where(Grant.call_id.in_(call_ids)).order_by(Grant.id))
    return [figures.GrantRow(call_id=call_id, state=state, country=country, themes=tuple(themes or ()),
                             people=int(people), pieces=int(pieces), events=int(events))
            for call_id, state, country, themes, people, pieces, events in rows]


def money_rows(call_ids: list[int]) -> list[figures.MoneyRow]:
    """The calls' award and payment entries, summed per grant, kind and currency."""
    rows = db.session.execute(
        select(LedgerEntry.call_id, LedgerEntry.currency, LedgerEntry.kind, LedgerEntry.grant_id,
               func.sum(LedgerEntry.amount))
        .where(LedgerEntry.call_id.in_(call_ids), LedgerEntry.kind.in_(MONEY_KINDS))
        .group_by(LedgerEntry.call_id, LedgerEntry.currency, LedgerEntry.kind, LedgerEntry.grant_id))
    return [figures.MoneyRow(call_id, currency, kind, grant_id, int(total))
            for call_id, currency, kind, grant_id, total in rows]


def milestone_rows(call_ids: list[int]) -> list[figures.MilestoneRow]:
    """The approved milestones of the calls' funded projects, with the moment their evidence was first sent."""
    first = (select(EvidenceSubmission.milestone_id, func.min(EvidenceSubmission.submitted_at).label("first"))
             .where(EvidenceSubmission.milestone_id.in_(_approved_milestones(call_ids)))
             .group_by(EvidenceSubmission.milestone_id).subquery())
    rows = db.session.execute(
        select(Grant.call_id, ProjectMilestone.due_date, first.c.first, ProjectMilestone.approved_at, Call.timezone)
        .join(Grant, Grant.id == ProjectMilestone.grant_id).join(Call, Call.id == Grant.call_id)
        .outerjoin(first, first.c.milestone_id == ProjectMilestone.id)
        .where(ProjectMilestone.state == "approved", Grant.state != "cancelled", Grant.call_id.in_(call_ids)))
    return [figures.MilestoneRow(call_id, due_date, first_submitted_at, approved_at, timezone)
            for call_id, due_date, first_submitted_at, approved_at, timezone in rows]


def impact_report(calls: list[figures.CallInfo], *, list_empty_calls: bool = False) -> figures.Report:
    """The report over the calls: three queries, whatever the number of projects. Calls with no grant are left
    out of the per-call rows unless asked for (a call's own report shows it even empty)."""
    ids = [call.id for call in calls]
    if not ids:
        return figures.report([], [], [], [], THEMES)
    grants = grant_rows(ids)
    with_grants = {grant.call_id for grant in grants}
    listed = [call for call in calls if list_empty_calls or call.id in with_grants]
    return figures.report(listed, grants, money_rows(ids), milestone_rows(ids), THEMES)
