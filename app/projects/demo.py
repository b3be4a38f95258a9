"""Demo delivery: last year's call funded two projects. Les Voix du Quartier is under way (agreement accepted by
Léa and countersigned by Sami's mother, first milestone approved and paid, second waiting for a decision, third due
in a few days); the Counter-Narrative Collective finished its project with Marc's sign-offs. Both chose to appear
in the public showcase."""

from __future__ import annotations

from datetime import date, timedelta

from app import db
from app.calls.models import Call, CallFunder
from app.db import utcnow
from app.ledger import services as ledger
from app.payments import disbursements
from app.payments.models import Disbursement
from app.projects import agreements, services
from app.projects.models import ProjectMilestone, Publication
from app.proposals.models import BudgetLine, PlannedMilestone, Proposal


def _past_call(funder) -> Call:
    now = utcnow()
    call = Call(title="Voices Against Hate 2026", description="Last year's call: its projects are being delivered.",
                themes=["counter_narratives", "hate_speech", "digital_literacy"], min_age=13, max_age=25,
                countries=[], min_team_size=2, max_team_size=8, currency="CAD", pool_amount=1_200_000,
                max_award=600_000, opens_at=now - timedelta(days=420), closes_at=now - timedelta(days=330),
                timezone="America/Toronto", review_deadline=now - timedelta(days=300), state="closed",
                owner_id=funder.id, published_at=now - timedelta(days=420))
    call.funders.append(CallFunder(user_id=funder.id))
    db.session.add(call)
    db.session.flush()
    return call


def _award(call, team, title, summary, themes, steps, coordinator) -> tuple:
    amount = sum(tranche for _title, _due, tranche in steps)
    proposal = Proposal(call_id=call.id, team_id=team.id, title=title, summary=summary, problem=summary,
                        approach=summary, audience=summary, expected_reach=3000, themes=themes,
                        amount_requested=amount, amount_awarded=amount, state="awarded", version=1,
                        submitted_at=call.closes_at - timedelta(days=3), created_by_id=team.lead_id)
    proposal.budget_lines.append(BudgetLine(position=0, category="equipment", description=title, amount=amount))
    for position, (step, due, tranche) in enumerate(steps):
        proposal.milestones.append(PlannedMilestone(position=position, title=step, deliverable=step, due_date=due,
                                                    tranche_amount=tranche))
    db.session.add(proposal)
    db.session.flush()
    ledger.locked_call(call.id)
    grant = ledger.open_grant(coordinator, proposal, amount)
    return proposal, grant


def _milestones(grant) -> list[ProjectMilestone]:
    return services.milestones_of(grant)


def _deliver(milestone, lead, report, links, reach):
    people, pieces, events = reach
    services.submit_evidence(lead, milestone, report=report, links=links, people_reached=people,
                             content_pieces=pieces, events_held=events)


def load_demo_projects(users: dict, teams: dict) -> None:
    coordinator, funder = users["coordinator"], users["funder"]
    call = _past_call(funder)
    ledger.record_offline_contribution(coordinator, call, amount=1_200_000, contributor_name="Fondation Benali",
                                       reference="VIR-2025-0912", memo="The 2026 pool.")
    today = date.today()

    # Les Voix du Quartier: under way.
    _proposal, voices = _award(
        call, teams["voices"], "Balados du quartier",
        "Des balados où des jeunes de Montréal racontent comment ils répondent aux discours haineux en ligne.",
        ["counter_narratives", "hate_speech"],
        [("Trois premiers épisodes", today - timedelta(days=60), 200_000),
         ("Atelier dans deux écoles", today - timedelta(days=2), 200_000),
         ("Saison complète en ligne", today + timedelta(days=5), 100_000)], coordinator)
    template = agreements.current_template(call)
    agreements.accept(users["lea"], voices, template_version=template.version, confirmed=True)
    agreements.countersign(users["guardian"], voices, confirmed=True)
    first, second, _third = _milestones(voices)
    _deliver(first, users["lea"], "Nous avons publié **trois épisodes** : témoignages, un débat et une entrevue "
             "avec une chercheuse.", ["https://example.org/balados/episode-1"], (850, 3, 0))
    payment = services.approve(coordinator, first)
    if isinstance(payment, Disbursement):
        disbursements.record_manual_payment(coordinator, payment, "VIR-2026-0415")
    _deliver(second, users["lea"], "Deux ateliers d'écoute et de discussion, à l'école Saint-Laurent et au "
             "collège du Plateau.", [], (120, 0, 2))
    db.session.add(Publication(grant_id=voices.id, published_by_id=users["lea"].id,
                               summary="Des jeunes de Montréal racontent, en balado, comment ils répondent aux "
                                       "discours haineux en ligne.",
                               links=[{"label": "Écouter les épisodes", "url": "https://example.org/balados"}]))

    # The Counter-Narrative Collective: finished, with its mentor's sign-offs.
    _proposal, memes = _award(
        call, teams["collective"], "Meme Lab",
        "Short videos that take apart extremist memes, made with students from three high schools.",
        ["counter_narratives", "digital_literacy"],
        [("Workshop series", today - timedelta(days=150), 150_000),
         ("Video season", today - timedelta(days=40), 250_000)], coordinator)
    agreements.accept(users["jordan"], memes, template_version=template.version, confirmed=True)
    reports = [("Six workshops with 90 students; the memes they chose to take apart are listed in the report.",
                (90, 0, 6)),
               ("Twelve short videos, shared by the three schools; 4,100 views in the first month.", (4100, 12, 1))]
    for milestone, (report, reach) in zip(_milestones(memes), reports, strict=True):
        _deliver(milestone, users["jordan"], report, ["https://example.org/meme-lab"], reach)
        services.give_feedback(users["mentor1"], milestone, verdict="sign_off", body="Well documented.")
        payment = services.approve(coordinator, milestone)
        if isinstance(payment, Disbursement):
            disbursements.record_manual_payment(coordinator, payment, f"WIRE-{milestone.id:04d}")
    db.session.add(Publication(grant_id=memes.id, published_by_id=users["jordan"].id,
                               summary="Twelve short videos by high-school students that take apart extremist "
                                       "memes, with the workshops that made them.",
                               links=[{"label": "Watch the videos", "url": "https://example.org/meme-lab"}]))
    db.session.flush()
