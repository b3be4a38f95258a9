"""Calls and what they receive: proposals in every state with their budgets, milestone plans, submitted versions
and history; reviewer panels, assignments and scores for the proposals that reached review; comments."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.accounts.models import AuditEntry
from app.calls.models import Call, CallFunder, Criterion
from app.notices.models import ProposalComment
from app.proposals.models import BudgetLine, PlannedMilestone, Proposal, ProposalVersion
from app.reviews.models import CriterionScore, ReviewAssignment
from app.scaledata import words
from app.scaledata.context import CallRecord, ProposalRecord, Scale, TeamRecord
from app.scaledata.sizes import CALL_STATE, STATE_MIX

# (currency, time zone, largest award in major units)
CURRENCIES = (("CAD", "America/Toronto", 10_000), ("EUR", "Europe/Paris", 8_000),
              ("USD", "America/New_York", 12_000), ("CHF", "Europe/Zurich", 9_000))
REVIEWED_STATES = ("in_review", "changes_requested", "awarded")
SUBMITTED_STATES = ("submitted", "screening", "in_review", "changes_requested", "awarded", "declined")
QUALITY = {"awarded": (4.1, 0.35), "declined": (2.7, 0.7), "changes_requested": (3.3, 0.5)}
THEMES = ("counter_narratives", "digital_literacy", "intercultural_dialogue", "hate_speech", "inclusion", "other")


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _split(scale: Scale, total: int, parts: int, unit: int) -> list[int]:
    """`parts` positive amounts, multiples of `unit` (the last takes the rest), that add up to `total`."""
    amounts, left = [], total
    for index in range(parts - 1):
        share = max(unit, round(total * scale.rng.uniform(0.2, 0.45) / unit) * unit)
        share = min(share, left - unit * (parts - 1 - index))
        amounts.append(share)
        left -= share
    amounts.append(left)
    return amounts


def _call_dates(scale: Scale, phase: str, age_rank: int) -> tuple[datetime, datetime, datetime | None]:
    """opens_at, closes_at and the review deadline for a call of this phase (older archived calls further back)."""
    if phase == "draft":
        opens = scale.now + timedelta(days=30)
        return opens, opens + timedelta(days=75), None
    if phase == "open":
        opens = scale.ago(scale.rng.randint(20, 45))
        return opens, scale.now + timedelta(days=scale.rng.randint(15, 60)), scale.now + timedelta(days=100)
    if phase == "reviewing":
        closes = scale.ago(scale.rng.randint(10, 40))
        return closes - timedelta(days=90), closes, scale.now + timedelta(days=scale.rng.randint(7, 21))
    closes = scale.ago(130 + 45 * age_rank)
    return closes - timedelta(days=90), closes, closes + timedelta(days=30)


def _plan(scale: Scale, phase: str, count: int, max_award: int) -> list[tuple[TeamRecord, str, int, float]]:
    """(team, state, amount requested, quality) for each proposal the call receives, one per team."""
    rng = scale.rng
    mix = STATE_MIX.get(phase)
    if not mix or count == 0:
        return []
    states = rng.choices(list(mix), weights=list(mix.values()), k=count)
    teams = rng.sample(scale.teams, min(count, len(scale.teams)))
    unit = max_award // 100
    plan = []
    for team, state in zip(teams, states, strict=False):
        amount = round(max_award * rng.uniform(0.25, 1.0) / unit) * unit
        mean, spread = QUALITY.get(state, (3.2, 0.7))
        plan.append((team, state, amount, _clamp(rng.gauss(mean, spread), 1.2, 4.9)))
    return plan


def _pool(scale: Scale, phase: str, plan, max_award: int) -> tuple[int, int]:
    """(pool, money the call should have received): always enough for what it awarded, and a margin."""
    awarded = sum(amount for _t, state, amount, _q in plan if state == "awarded")
    hoped = awarded + sum(amount for _t, state, amount, _q in plan if state == "in_review") * 0.15
    unit = max_award * 2
    pool = max(20 * max_award, int(hoped * 1.25 // unit + 1) * unit)
    if phase == "draft":
        return pool, 0
    if phase == "open":
        return pool, round(pool * scale.rng.uniform(0.3, 1.0) / unit) * unit or unit
    return pool, min(pool, max(int(hoped * 1.1), awarded + unit))


def add_calls(scale: Scale, phases: list[str], proposals: int) -> None:
    rng = scale.rng
    receiving = [phase for phase in phases if phase != "draft"]
    base, extra = divmod(proposals, len(receiving))
    archived_rank = 0
    for number, phase in enumerate(phases):
        currency, timezone, largest = CURRENCIES[number % len(CURRENCIES)]
        max_award = largest * 100
        count = 0 if phase == "draft" else base + (1 if extra > 0 else 0)
        if phase != "draft":
            extra -= 1
        plan = _plan(scale, phase, count, max_award)
        pool, received = _pool(scale, phase, plan, max_award)
        opens, closes, review_deadline = _call_dates(scale, phase, archived_rank)
        archived_rank += phase == "archived"
        owner, *others = rng.sample(scale.funders, min(len(scale.funders), rng.randint(2, 3)))
        call = CallRecord(
            id=scale.ids.one(Call.__table__), phase=phase, state=CALL_STATE[phase], currency=currency,
            timezone=timezone, opens_at=opens, closes_at=closes, review_deadline=review_deadline,
            min_reviews=rng.choice((2, 3)), max_award=max_award, owner_id=owner.id, funder_ids=[f.id for f in others],
            criteria=[])
        year = opens.year
        region = rng.choice(("Québec", "Francophonie", "West Africa", "North America", "Europe", "Maghreb"))
        scale.out.add(Call.__table__, {
            "id": call.id, "title": f"Voices Against Hate {year} — {region} ({number + 1})",
            "description": f"Small grants for youth-led digital projects in {region}: counter-narratives, critical "
                           f"thinking and intercultural dialogue, made by young people for their peers.",
            "themes": rng.sample(THEMES[:-1], 3), "min_age": 13, "max_age": 25, "countries": [],
            "min_team_size": 1, "max_team_size": 10, "currency": currency, "pool_amount": pool,
            "max_award": max_award, "opens_at": opens, "closes_at": closes, "timezone": timezone,
            "review_deadline": review_deadline, "min_reviews": call.min_reviews, "blind_review": rng.random() < 0.3,
            "milestone_approver": "coordinator" if rng.random() < 0.7 else "funder", "state": call.state,
            "owner_id": owner.id, "created_at": opens - timedelta(days=30),
            "published_at": None if phase == "draft" else opens - timedelta(days=5)})
        for position, (title, weight, allow_na) in enumerate(words.CRITERIA):
            criterion_id = scale.ids.one(Criterion.__table__)
            call.criteria.append((criterion_id, allow_na))
            scale.out.add(Criterion.__table__, {
                "id": criterion_id, "call_id": call.id, "position": position, "title": title,
                "description": f"How well the proposal does on {title.lower()}.", "weight": weight,
                "allow_not_applicable": allow_na, "level_descriptors": words.LEVELS})
        for funder_id in call.funder_ids:
            scale.out.add(CallFunder.__table__, {"id": scale.ids.one(CallFunder.__table__), "call_id": call.id,
                                                 "user_id": funder_id})
        call.expected = received
        scale.calls.append(call)
        received_here = [_proposal(scale, call, team, state, amount, quality) for team, state, amount, quality in plan]
        scale.proposals += received_here
        _reviews(scale, call, received_here)


def _audit(scale: Scale, actor_id: int | None, action: str, proposal_id: int, when: datetime, **detail) -> None:
    scale.out.add(AuditEntry.__table__, {
        "id": scale.ids.one(AuditEntry.__table__), "actor_id": actor_id, "action": action,
        "subject_type": "proposals", "subject_id": proposal_id, "detail": detail, "created_at": when})


def _move(scale: Scale, actor_id: int | None, action: str, proposal_id: int, when: datetime, before: str, after: str,
          reason: str | None = None) -> None:
    detail = {"from_state": before, "to_state": after}
    if reason:
        detail["reason"] = reason
    _audit(scale, actor_id, f"proposal.{action}", proposal_id, when, **detail)


def _proposal(scale: Scale, call: CallRecord, team: TeamRecord, state: str, amount: int,
              quality: float) -> ProposalRecord:
    rng = scale.rng
    proposal_id = scale.ids.one(Proposal.__table__)
    last = min(call.closes_at, scale.now)
    created = scale.between(call.opens_at, last - timedelta(days=2))
    withdrawn_draft = state == "withdrawn" and rng.random() < 0.5
    submitted = None if state == "draft" or withdrawn_draft else scale.between(created, last - timedelta(hours=1))
    reviewed = state in REVIEWED_STATES or (state == "declined" and call.phase != "open" and rng.random() < 0.7)
    text = words.proposal_text(rng, rng.choice(words.PLACES))
    themes, reach = rng.sample(THEMES[:-1], rng.randint(1, 2)), rng.choice((200, 500, 1000, 2500, 5000, 20000))
    lines = _split(scale, amount, rng.randint(2, 4), call.max_award // 100)
    budget = [(category, rng.choice(words.BUDGET_ITEMS[category]), line_amount)
              for category, line_amount in zip(rng.sample(list(words.BUDGET_ITEMS), len(lines)), lines, strict=True)]
    steps = sorted(rng.sample(range(len(words.MILESTONE_STEPS)), rng.randint(2, 4)))
    tranches = _split(scale, amount, len(steps), call.max_award // 100)
    first_due = call.closes_at.date() + timedelta(days=60)
    milestones = [(scale.ids.one(PlannedMilestone.__table__), *words.MILESTONE_STEPS[step],
                   first_due + timedelta(days=75 * index), tranche)
                  for index, (step, tranche) in enumerate(zip(steps, tranches, strict=True))]
    decided = min(scale.now, scale.between(submitted or created, last + timedelta(days=20)))
    scale.out.add(Proposal.__table__, {
        "id": proposal_id, "call_id": call.id, "team_id": team.id, **text,
        "expected_reach": reach, "themes": themes, "amount_requested": amount,
        "amount_awarded": amount if state == "awarded" else None, "state": state,
        "version": 0 if submitted is None else 1, "submitted_at": submitted, "created_by_id": team.lead.id,
        "created_at": created, "updated_at": decided, "lock_version": 1})
    for position, (category, description, line_amount) in enumerate(budget):
        scale.out.add(BudgetLine.__table__, {
            "id": scale.ids.one(BudgetLine.__table__), "proposal_id": proposal_id, "position": position,
            "category": category, "description": description, "amount": line_amount})
    for position, (milestone_id, title, deliverable, due, tranche) in enumerate(milestones):
        scale.out.add(PlannedMilestone.__table__, {
            "id": milestone_id, "proposal_id": proposal_id, "position": position, "title": title,
            "deliverable": deliverable, "due_date": due, "tranche_amount": tranche})
    if submitted is not None:
        scale.out.add(ProposalVersion.__table__, {
            "id": scale.ids.one(ProposalVersion.__table__), "proposal_id": proposal_id, "number": 1,
            "content": {**text, "expected_reach": reach, "themes": sorted(themes), "amount_requested": amount,
                        "currency": call.currency,
                        "budget_lines": [{"category": c, "description": d, "amount": a} for c, d, a in budget],
                        "milestones": [{"title": t, "deliverable": d, "due_date": due.isoformat(),
                                        "tranche_amount": a} for _i, t, d, due, a in milestones],
                        "attachments": []},
            "submitted_by_id": team.lead.id, "submitted_at": submitted})
    _history(scale, call, team, proposal_id, state, submitted, decided, reviewed)
    return ProposalRecord(id=proposal_id, call=call, team=team, state=state, title=text["title"], amount=amount,
                          submitted_at=submitted, quality=quality, reviewed=reviewed, milestones=milestones)


def _history(scale: Scale, call: CallRecord, team: TeamRecord, proposal_id: int, state: str, submitted, decided,
             reviewed: bool) -> None:
    """The audit trail the workflow would have written for the moves that led to the state."""
    if submitted is None:
        if state == "withdrawn":
            _move(scale, team.lead.id, "withdraw", proposal_id, decided, "draft", "withdrawn")
        return
    _move(scale, team.lead.id, "submit", proposal_id, submitted, "draft", "submitted")
    if state == "submitted":
        return
    coordinator = scale.rng.choice(scale.coordinators).id
    screened = submitted + (decided - submitted) / 3
    if state == "withdrawn":
        _move(scale, team.lead.id, "withdraw", proposal_id, decided, "submitted", "withdrawn",
              "We joined another programme.")
        return
    _move(scale, coordinator, "start_screening", proposal_id, screened, "submitted", "screening")
    if state == "screening":
        return
    if state == "declined" and not reviewed:
        _move(scale, coordinator, "decline", proposal_id, decided, "screening", "declined",
              "The project does not fit the call's themes.")
        return
    _move(scale, coordinator, "pass_to_review", proposal_id, screened + timedelta(hours=3), "screening", "in_review")
    if state in ("awarded", "declined", "changes_requested"):
        action = {"awarded": "award", "declined": "decline", "changes_requested": "request_changes"}[state]
        reason = {"award": "A strong, well-planned project.", "decline": "Other proposals scored higher.",
                  "request_changes": "Please make the budget match the second milestone."}[action]
        _move(scale, call.owner_id, action, proposal_id, decided, "in_review", state, reason)


def _panel(scale: Scale, call: CallRecord, reviewed: int) -> list[int]:
    """The call's funders, then other funders and vetted mentors: enough that each reads about 60 proposals."""
    size = max(4, -(-reviewed * call.min_reviews // 60))
    panel = [call.owner_id, *call.funder_ids]
    others = [f.id for f in scale.funders if f.id not in panel] + sorted(scale.vetted)
    panel += scale.rng.sample(others, min(len(others), max(0, size - len(panel))))
    return panel


def _reviews(scale: Scale, call: CallRecord, proposals: list[ProposalRecord]) -> None:
    rng = scale.rng
    reviewed = [p for p in proposals if p.reviewed]
    if not reviewed:
        return
    call.panel = _panel(scale, call, len(reviewed))
    bias = {reviewer: rng.gauss(0, 0.45) for reviewer in call.panel}
    coordinator = scale.coordinators[0].id
    for proposal in reviewed:
        reviewers = [r for r in rng.sample(call.panel, min(len(call.panel), call.min_reviews + 1))
                     if r != proposal.team.mentor_id][:call.min_reviews + (rng.random() < 0.1)]
        assigned = proposal.submitted_at + timedelta(days=3)
        for reviewer in reviewers:
            if proposal.state == "in_review":
                state = rng.choices(("submitted", "accepted", "assigned", "conflict_declared"),
                                    weights=(0.6, 0.15, 0.2, 0.05))[0]
            else:
                state = "submitted" if rng.random() < 0.97 else "conflict_declared"
            _assignment(scale, call, proposal, reviewer, state, assigned, bias[reviewer], coordinator)
        _comments(scale, call, proposal, reviewers)


def _assignment(scale: Scale, call: CallRecord, proposal: ProposalRecord, reviewer: int, state: str,
                assigned: datetime, bias: float, coordinator: int) -> None:
    rng = scale.rng
    assignment_id = scale.ids.one(ReviewAssignment.__table__)
    call.load[reviewer] = call.load.get(reviewer, 0) + 1
    opened = min(scale.now, assigned + timedelta(days=rng.randint(1, 5)))
    submitted = min(scale.now, opened + timedelta(days=rng.randint(1, 10))) if state == "submitted" else None
    scores = []
    if state == "submitted":
        for criterion_id, allow_na in call.criteria:
            value = None if allow_na and rng.random() < 0.05 else int(
                _clamp(round(proposal.quality + bias + rng.gauss(0, 0.6)), 1, 5))
            scores.append((criterion_id, value))
    given = [value for _c, value in scores if value is not None]
    mean = sum(given) / len(given) if given else 3
    scale.out.add(ReviewAssignment.__table__, {
        "id": assignment_id, "proposal_id": proposal.id, "reviewer_id": reviewer, "state": state,
        "assigned_by_id": coordinator, "assigned_at": assigned, "due_at": call.review_deadline,
        "reminder_sent_at": None,
        "conflict_reason": "I know one of the team members." if state == "conflict_declared" else None,
        "conflict_declared_at": opened if state == "conflict_declared" else None,
        "accepted_at": opened if state in ("accepted", "submitted") else None,
        "recommendation": None if submitted is None else
        ("fund" if mean >= 3.8 else "fund_with_changes" if mean >= 3 else "do_not_fund"),
        "comment": rng.choice(words.REVIEW_COMMENTS) if submitted else "", "submitted_at": submitted})
    for criterion_id, value in scores:
        scale.out.add(CriterionScore.__table__, {"id": scale.ids.one(CriterionScore.__table__),
                                                 "assignment_id": assignment_id, "criterion_id": criterion_id,
                                                 "score": value, "comment": ""})


def _comments(scale: Scale, call: CallRecord, proposal: ProposalRecord, reviewers: list[int]) -> None:
    """About half the reviewed proposals carry a comment or three: with the team, or among reviewers."""
    rng = scale.rng
    for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
        internal = rng.random() < 0.4
        if internal:
            author, body = rng.choice([*reviewers, scale.coordinators[0].id]), rng.choice(words.COMMENTS_INTERNAL)
        else:
            authors = [proposal.team.lead.id, scale.coordinators[0].id] + ([proposal.team.mentor_id]
                                                                          if proposal.team.mentor_id else [])
            author, body = rng.choice(authors), rng.choice(words.COMMENTS_TEAM)
        scale.out.add(ProposalComment.__table__, {
            "id": scale.ids.one(ProposalComment.__table__), "proposal_id": proposal.id, "author_id": author,
            "visibility": "internal" if internal else "team", "body": body,
            "created_at": scale.between(proposal.submitted_at, scale.now)})
