"""Ledger verbs: every movement of money goes through `record`, which locks the call's row, derives the
balances from the entries and refuses an entry that would break an invariant. They flush; the request commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit, db
from app.calls.models import Call
from app.db import utcnow
from app.ledger import balances as rules
from app.ledger.models import Contribution, Grant, LedgerEntry, Tranche
from app.money import format_money
from app.proposals.models import Proposal
from app.validation import ValidationFailed

MAX_CONTRIBUTION = 100_000_000_00  # a hundred million in major units: anything above is a typing mistake

REFUSALS = {
    rules.NOT_POSITIVE: _l("Enter an amount greater than zero."),
    rules.POOL_EXCEEDED: _l("The pool does not hold enough money for this: %(available)s is available."),
    rules.OVERPAID: _l("This would pay the grant more than it was awarded."),
    rules.NEGATIVE_BALANCE: _l("This would take back more than the grant holds."),
    rules.NEEDS_GRANT: _l("This movement must name a grant."),
}


class LedgerRefused(ValidationFailed):
    """An entry that would break an invariant; `code` says which."""

    def __init__(self, code: str, call: Call, available: int, field: str = "amount"):
        super().__init__([(field, REFUSALS[code] % {"available": format_money(available, call.currency)})])
        self.code = code


def locked_call(call_id: int) -> Call:
    """The call's row, locked until the transaction ends: money decisions on one call queue behind each other."""
    return db.session.scalar(select(Call).where(Call.id == call_id).with_for_update())


def balances(call: Call) -> rules.Balances:
    """The call's balances from its entries: one aggregate query."""
    rows = db.session.execute(
        select(LedgerEntry.kind, LedgerEntry.grant_id, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.call_id == call.id).group_by(LedgerEntry.kind, LedgerEntry.grant_id))
    return rules.summarise(rules.Entry(kind, int(total), grant_id) for kind, grant_id, total in rows)


def record(call: Call, kind: str, amount: int, *, actor=None, grant: Grant | None = None,
           contribution: Contribution | None = None, source_key: str | None = None, reference: str | None = None,
           memo: str = "") -> LedgerEntry:
    """Write one entry if the invariants allow it. An entry whose source_key is already booked is returned as it
    is, so answering the same event twice books it once."""
    call = locked_call(call.id)
    if source_key is not None:
        existing = db.session.scalar(select(LedgerEntry).where(LedgerEntry.source_key == source_key))
        if existing is not None:
            return existing
    current = balances(call)
    entry = rules.Entry(kind, amount, grant.id if grant is not None else None)
    code = rules.violation(current, entry)
    if code is not None:
        raise LedgerRefused(code, call, current.available)
    row = LedgerEntry(call_id=call.id, grant_id=entry.grant_id, kind=kind, amount=amount, currency=call.currency,
                      contribution_id=contribution.id if contribution is not None else None, source_key=source_key,
                      reference=reference, memo=memo, actor_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    # Every movement of money is in the audit log too, whichever verb booked it: one place to follow money.
    audit.record(actor, f"ledger.{kind}", row, call=call.id, grant=row.grant_id, amount=amount,
                 currency=call.currency, contribution=row.contribution_id)
    return row


# -- money in ---------------------------------------------------------------------------------------
def record_offline_contribution(actor, call: Call, *, amount: int | None, contributor_name: str,
                                reference: str, memo: str = "") -> Contribution:
    """A bank transfer (or cheque) a coordinator has seen arrive: credited to the pool at once."""
    problems = []
    if amount is None or amount <= 0:
        problems.append(("amount", _l("Enter an amount greater than zero.")))
    elif amount > MAX_CONTRIBUTION:
        problems.append(("amount", _l("That amount is too large: check the number.")))
    if not (contributor_name or "").strip():
        problems.append(("contributor_name", _l("Say who sent the money.")))
    if not (reference or "").strip():
        problems.append(("reference", _l("Enter the reference of the transfer, as the bank statement shows it.")))
    if problems:
        raise ValidationFailed(problems)
    now = utcnow()
    contribution = Contribution(call_id=call.id, contributor_name=contributor_name.strip(), amount=amount,
                                currency=call.currency, method="offline", state="completed",
                                reference=reference.strip(), recorded_by_id=actor.id, completed_at=now)
    db.session.add(contribution)
    db.session.flush()
    record(call, rules.CONTRIBUTION, amount, actor=actor, contribution=contribution,
           source_key=f"contribution:{contribution.id}", reference=contribution.reference, memo=memo)
    audit.record(actor, "ledger.contribution_recorded", call, amount=amount, currency=call.currency,
                 reference=contribution.reference)
    return contribution


# -- grants -----------------------------------------------------------------------------------------
def open_grant(actor, proposal: Proposal, amount: int) -> Grant:
    """The award as a grant: a tranche per planned milestone and the commitment in the ledger.

    The caller (the award decision) holds the call's lock and has scaled the milestones' tranches already."""
    grant = Grant(proposal_id=proposal.id, call_id=proposal.call_id, team_id=proposal.team_id, amount=amount,
                  currency=proposal.call.currency, awarded_by_id=getattr(actor, "id", None))
    grant.tranches = [Tranche(milestone_id=m.id, position=index, title=m.title, amount=m.tranche_amount)
                      for index, m in enumerate(proposal.milestones, start=1)]
    db.session.add(grant)
    db.session.flush()
    record(proposal.call, rules.AWARD, amount, actor=actor, grant=grant, source_key=f"award:{grant.id}",
           memo=proposal.title)
    from app.projects.plan import plan_delivery  # delivery builds on the ledger, not the other way round

    plan_delivery(grant)
    return grant


def grant_of(proposal: Proposal) -> Grant | None:
    return db.session.scalar(select(Grant).where(Grant.proposal_id == proposal.id))
