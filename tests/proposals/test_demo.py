"""The demo proposals load on top of the demo people, teams and calls, through the same verbs as the pages."""

from __future__ import annotations

from sqlalchemy import select

from app import db
from app.demo import load_demo_data
from app.proposals.models import Proposal


def test_demo_proposals():
    load_demo_data()
    # Last year's call holds the demo projects (app/projects/demo.py); these are this year's proposals.
    proposals = {p.team.name: p for p in db.session.scalars(select(Proposal))
                 if p.call.title != "Voices Against Hate 2026"}
    submitted = proposals["Les Voix du Quartier"]
    # Submitted, then screened into review by the demo reviews (app/reviews/demo.py).
    assert submitted.state == "in_review" and submitted.version == 1
    assert submitted.budget_total == submitted.tranche_total == submitted.amount_requested
    assert len(submitted.milestones) == 3
    draft = proposals["Counter-Narrative Collective"]
    assert draft.state == "draft" and draft.title == "Meme Breakers"
