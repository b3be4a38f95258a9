"""The demo proposals load on top of the demo people, teams and calls, through the same verbs as the pages."""

from __future__ import annotations

from sqlalchemy import select

from app import db
from app.accounts.models import User
from app.calls.models import Call
from app.demo import PEOPLE, demo_email, load_demo_data
from app.proposals.demo import load_demo_proposals
from app.proposals.models import Proposal
from app.teams.models import Team


def test_demo_proposals():
    load_demo_data()
    if not db.session.scalars(select(Proposal)).first():  # until app.demo calls it itself
        users = {key: db.session.scalar(select(User).where(User.email == demo_email(key))) for key, *_ in PEOPLE}
        calls = {"voices": db.session.scalar(select(Call).where(Call.title == "Voices Against Hate 2027"))}
        load_demo_proposals(users, list(db.session.scalars(select(Team))), calls)
        db.session.flush()
    proposals = {p.team.name: p for p in db.session.scalars(select(Proposal))}
    submitted = proposals["Les Voix du Quartier"]
    assert submitted.state == "submitted" and submitted.version == 1
    assert submitted.budget_total == submitted.tranche_total == submitted.amount_requested
    assert len(submitted.milestones) == 3
    draft = proposals["Counter-Narrative Collective"]
    assert draft.state == "draft" and draft.title == "Meme Breakers"
