"""Money and delivery: contributions to each pool, a grant per awarded proposal (tranches, ledger commitment,
project milestones as `app.projects.plan` lays them out), agreements, evidence, payments and public pages.

The ledger's invariants hold by construction: each call receives at least what it awards, and a grant is paid
only the tranches of milestones approved, never more than it was awarded."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale

from app.ledger.balances import AWARD, CONTRIBUTION, DISBURSEMENT
from app.ledger.models import Contribution, Grant, LedgerEntry, Tranche
from app.payments.models import Disbursement, Payee
from app.projects.agreements import default_body
from app.projects.models import (
    AgreementTemplate,
    DueDateChange,
    EvidenceSubmission,
    GrantAgreement,
    MilestoneEvent,
    MilestoneFeedback,
    ProjectMilestone,
    Publication,
)
from app.scaledata import words
from app.scaledata.context import CallRecord, ProposalRecord, Scale, TeamRecord


def _entry(scale: Scale, call: CallRecord, kind: str, amount: int, when: datetime, *, grant_id=None,
           contribution_id=None, source_key: str, reference=None, memo: str = "", actor_id=None) -> None:
    scale.out.add(LedgerEntry.__table__, {
        "id": scale.ids.one(LedgerEntry.__table__), "call_id": call.id, "grant_id": grant_id, "kind": kind,
        "amount": amount, "currency": call.currency, "contribution_id": contribution_id, "source_key": source_key,
        "reference": reference, "memo": memo, "actor_id": actor_id, "created_at": when})


def add_contributions(scale: Scale) -> None:
    """What reached each pool, in one to four bank transfers; an open call also has a Stripe checkout pending."""
    rng = scale.rng
    for call in scale.calls:
        if call.expected <= 0:
            continue
        parts = rng.randint(1, 4)
        unit = call.max_award // 100
        amounts = [call.expected // parts // unit * unit] * (parts - 1)
        amounts.append(call.expected - sum(amounts))
        for amount in amounts:
            contribution_id = scale.ids.one(Contribution.__table__)
            when = scale.between(call.opens_at - timedelta(days=20), min(call.closes_at, scale.now))
            reference = f"VIR-{call.id}-{contribution_id}"
            funder = rng.choice(scale.funders)
            scale.out.add(Contribution.__table__, {
                "id": contribution_id, "call_id": call.id, "contributor_id": funder.id,
                "contributor_name": rng.choice(words.FUNDERS), "amount": amount, "currency": call.currency,
                "method": "offline", "state": "completed", "stripe_session_id": None, "reference": reference,
                "recorded_by_id": scale.coordinators[0].id, "created_at": when, "completed_at": when})
            _entry(scale, call, CONTRIBUTION, amount, when, contribution_id=contribution_id,
                   source_key=f"contribution:{contribution_id}", reference=reference,
                   actor_id=scale.coordinators[0].id)
        if call.phase == "open":
            contribution_id = scale.ids.one(Contribution.__table__)
            scale.out.add(Contribution.__table__, {
                "id": contribution_id, "call_id": call.id, "contributor_id": call.owner_id,
                "contributor_name": rng.choice(words.FUNDERS), "amount": unit * 50, "currency": call.currency,
                "method": "stripe", "state": "pending", "stripe_session_id": f"cs_test_scale_{contribution_id}",
                "reference": None, "recorded_by_id": None, "created_at": scale.ago(1), "completed_at": None})


class Delivery:
    """Grants for every awarded proposal, with what their delivery has reached so far."""

    def __init__(self, scale: Scale) -> None:
        self.scale = scale
        self.templates: dict[int, tuple[int, str]] = {}  # call id -> (template id, body)
        self.payees: dict[int, int | None] = {}  # team id -> payee id
        with force_locale("en"):
            self.body = default_body()

    def add_all(self) -> None:
        for proposal in self.scale.proposals:
            if proposal.state == "awarded":
                self.grant(proposal)

    def _template(self, call: CallRecord) -> int:
        if call.id not in self.templates:
            template_id = self.scale.ids.one(AgreementTemplate.__table__)
            self.scale.out.add(AgreementTemplate.__table__, {
                "id": template_id, "call_id": call.id, "version": 1, "body": self.body, "created_by_id": None,
                "created_at": call.closes_at})
            self.templates[call.id] = (template_id, self.body)
        return self.templates[call.id][0]

    def _countersigner(self, team: TeamRecord) -> tuple[str, int] | None:
        """Who countersigns (and later receives the money): a guardian who consented, or an adult member."""
        if team.guardian_ids:
            return "guardian", team.guardian_ids[0]
        adults = [member.id for member in team.members if member.age >= 18]
        return ("organisation", adults[0]) if adults else None

    def _payee(self, team: TeamRecord) -> int | None:
        if team.id not in self.payees:
            who = self._countersigner(team)
            payee_id = None
            if who is not None:
                payee_id = self.scale.ids.one(Payee.__table__)
                self.scale.out.add(Payee.__table__, {
                    "id": payee_id, "team_id": team.id, "user_id": who[1], "kind": who[0],
                    "organisation": (team.organisation or "Sponsor") if who[0] == "organisation" else None,
                    "country": team.country, "stripe_account_id": None, "payouts_enabled": False,
                    "details_submitted": False, "requirements_due": [], "bank_reference": f"RIB-{team.id}-0042",
                    "chosen_by_id": team.lead.id, "created_at": self.scale.ago(200), "updated_at": self.scale.ago(200)})
            self.payees[team.id] = payee_id
        return self.payees[team.id]

    def grant(self, proposal: ProposalRecord) -> None:
        scale, rng, call, team = self.scale, self.scale.rng, proposal.call, proposal.team
        awarded_at = min(scale.now - timedelta(days=2), call.closes_at + timedelta(days=rng.randint(15, 40)))
        if call.phase == "reviewing":
            state = rng.choices(("awarded", "active"), weights=(0.4, 0.6))[0]
        else:  # projects last about a year: most of an older call's are done, a few still drag on
            done = 0.55 if call.closes_at > scale.now - timedelta(days=400) else 0.95
            state = rng.choices(("active", "completed"), weights=(1 - done, done))[0]
        signer = self._countersigner(team)
        if team.has_minor and signer is None:
            state = "awarded"  # nobody can countersign yet: the project waits
        activated = awarded_at + timedelta(days=rng.randint(2, 10)) if state != "awarded" else None
        plan = self._plan(proposal, state, activated)
        completed = max(approved for _m, _s, _sub, approved in plan) if state == "completed" else None
        grant_id = scale.ids.one(Grant.__table__)
        scale.out.add(Grant.__table__, {
            "id": grant_id, "proposal_id": proposal.id, "call_id": call.id, "team_id": team.id,
            "amount": proposal.amount, "currency": call.currency, "state": state, "awarded_by_id": call.owner_id,
            "awarded_at": awarded_at, "activated_at": activated, "completed_at": completed})
        _entry(scale, call, AWARD, proposal.amount, awarded_at, grant_id=grant_id, source_key=f"award:{grant_id}",
               memo=proposal.title, actor_id=call.owner_id)
        if activated is not None:
            self._agreement(grant_id, call, team, activated, signer)
        payee = self._payee(team) if activated is not None else None
        for position, (milestone, milestone_state, submitted, approved) in enumerate(plan, start=1):
            self._milestone(grant_id, proposal, position, milestone, milestone_state, submitted, approved, payee)
        if activated is not None and rng.random() < 0.4:
            scale.out.add(Publication.__table__, {
                "id": scale.ids.one(Publication.__table__), "grant_id": grant_id,
                "summary": f"{proposal.title}. Made by young people, for young people: see what they made and "
                           f"what they learnt along the way.",
                "links": [{"label": "Episode 1", "url": f"https://video.example.org/watch/{grant_id}"}],
                "published": rng.random() < 0.95, "published_by_id": team.lead.id,
                "published_at": activated + timedelta(days=30), "updated_at": activated + timedelta(days=30)})

    def _plan(self, proposal: ProposalRecord, state: str, activated: datetime | None):
        """(planned milestone, state, evidence sent at, approved at) in order: milestones are delivered one after
        the other, so nothing is approved after the first one still open."""
        scale, rng = self.scale, self.scale.rng
        plan, open_yet = [], False
        for milestone in proposal.milestones:
            due = datetime.combine(milestone[3], datetime.min.time(), tzinfo=scale.now.tzinfo)
            lateness = (scale.now - due).days
            if activated is None:
                milestone_state = "planned"
            elif state == "completed" or (not open_yet and lateness > 20 and rng.random() < 0.85):
                milestone_state = "approved"
            elif not open_yet and lateness > -20:
                milestone_state = rng.choices(("submitted", "changes_requested", "planned"), weights=(6, 1, 13))[0]
            else:
                milestone_state = "planned"
            open_yet = open_yet or milestone_state != "approved"
            submitted = approved = None
            if milestone_state != "planned":
                moment = max(activated + timedelta(days=1), min(due + timedelta(days=rng.randint(-10, 3)),
                                                                scale.now - timedelta(days=3)))
                submitted = moment
                approved = moment + timedelta(days=2) if milestone_state == "approved" else None
            plan.append((milestone, milestone_state, submitted, approved))
        return plan

    def _milestone(self, grant_id: int, proposal: ProposalRecord, position: int, milestone, state: str,
                   submitted: datetime | None, approved: datetime | None, payee: int | None) -> None:
        scale, rng, call = self.scale, self.scale.rng, proposal.call
        planned_id, title, deliverable, due, amount = milestone
        paid = approved is not None and payee is not None and rng.random() < 0.85
        tranche_id = scale.ids.one(Tranche.__table__)
        scale.out.add(Tranche.__table__, {
            "id": tranche_id, "grant_id": grant_id, "milestone_id": planned_id, "position": position,
            "title": title, "amount": amount,
            "state": "paid" if paid else "payable" if approved is not None else "planned"})
        milestone_id = scale.ids.one(ProjectMilestone.__table__)
        approver = scale.coordinators[0].id
        scale.out.add(ProjectMilestone.__table__, {
            "id": milestone_id, "grant_id": grant_id, "planned_id": planned_id, "tranche_id": tranche_id,
            "position": position, "title": title, "deliverable": deliverable, "original_due_date": due,
            "due_date": due, "state": state, "submitted_at": submitted, "approved_at": approved,
            "approved_by_id": approver if approved else None, "reminder_sent_at": None, "overdue_since": None})
        if submitted is not None:
            submission_id = scale.ids.one(EvidenceSubmission.__table__)
            scale.out.add(EvidenceSubmission.__table__, {
                "id": submission_id, "milestone_id": milestone_id, "number": 1,
                "report": f"## {title}\n\n{deliverable}. We worked on it every week and tested it with our audience.",
                "links": [f"https://video.example.org/watch/{milestone_id}"],
                "people_reached": rng.randint(20, 3000), "content_pieces": rng.randint(1, 12),
                "events_held": rng.randint(0, 4), "submitted_by_id": proposal.team.lead.id, "submitted_at": submitted})
            self._event(milestone_id, "submit", "planned", "submitted", proposal.team.lead.id, submitted)
            mentor = proposal.team.mentor_id
            if mentor is not None and rng.random() < 0.6:
                verdict = "concerns" if state == "submitted" and rng.random() < 0.3 else "sign_off"
                scale.out.add(MilestoneFeedback.__table__, {
                    "id": scale.ids.one(MilestoneFeedback.__table__), "milestone_id": milestone_id,
                    "submission_id": submission_id, "author_id": mentor, "verdict": verdict,
                    "body": "The audience numbers need a source." if verdict == "concerns" else "Well done.",
                    "created_at": submitted + timedelta(hours=20)})
            if approved is not None:
                self._event(milestone_id, "approve", "submitted", "approved", approver, approved)
            elif state == "changes_requested":
                self._event(milestone_id, "request_changes", "submitted", "changes_requested", approver,
                            submitted + timedelta(days=2), "Add the audience survey.")
        elif rng.random() < 0.03 and due >= scale.today:
            scale.out.add(DueDateChange.__table__, {
                "id": scale.ids.one(DueDateChange.__table__), "milestone_id": milestone_id, "current_date": due,
                "proposed_date": due + timedelta(days=30), "reason": "Our editor is away for exams.",
                "requested_by_id": proposal.team.lead.id, "requested_at": scale.ago(2), "state": "pending",
                "decided_by_id": None, "decided_at": None, "decision_note": ""})
        if paid:
            disbursement_id = scale.ids.one(Disbursement.__table__)
            when = approved + timedelta(days=3)
            scale.out.add(Disbursement.__table__, {
                "id": disbursement_id, "tranche_id": tranche_id, "grant_id": grant_id, "payee_id": payee,
                "amount": amount, "currency": call.currency, "method": "manual", "state": "paid",
                "stripe_transfer_id": None, "manual_reference": f"PAY-{disbursement_id}", "attempts": 1,
                "last_error": None, "next_attempt_at": None, "released_by_id": approver, "created_at": when,
                "paid_at": when})
            _entry(scale, call, DISBURSEMENT, amount, when, grant_id=grant_id,
                   source_key=f"disbursement:{disbursement_id}", memo=title, actor_id=approver)

    def _event(self, milestone_id: int, action: str, before: str, after: str, actor: int, when: datetime,
               reason: str = "") -> None:
        self.scale.out.add(MilestoneEvent.__table__, {
            "id": self.scale.ids.one(MilestoneEvent.__table__), "milestone_id": milestone_id, "action": action,
            "from_state": before, "to_state": after, "actor_id": actor, "reason": reason, "detail": {},
            "created_at": when})

    def _agreement(self, grant_id: int, call: CallRecord, team: TeamRecord, activated: datetime, signer) -> None:
        scale = self.scale
        needs = team.has_minor
        scale.out.add(GrantAgreement.__table__, {
            "id": scale.ids.one(GrantAgreement.__table__), "grant_id": grant_id, "template_id": self._template(call),
            "version": 1, "text_accepted": self.body, "accepted_by_id": team.lead.id,
            "accepted_at": activated - timedelta(days=1), "countersign_required": needs,
            "countersigned_by_id": signer[1] if needs else None, "countersigned_at": activated if needs else None,
            "countersigner_kind": signer[0] if needs else None,
            "countersigner_organisation": (team.organisation or "Sponsor") if needs and signer[0] == "organisation"
            else None})
