"""A small programme where every record has the word "Lumière" and every kind of searcher has a relation.

Calls: "Lumière A" (owned by funder_a, co-managed by co_funder), "Lumière B" (owned by funder_b).
Teams: A (Canada, a minor with consent, mentored by mentor_a), B (France, sponsored by "Maison Lumière"),
C (Senegal, the mentor_member belongs to it), M (a minor, its mentor is not vetted).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app import db
from app.accounts.models import GuardianConsent
from app.calls.models import CallFunder
from app.db import utcnow
from app.payments.models import Payee
from tests.factories import (
    create_assignment,
    create_call,
    create_mentor,
    create_mentorship,
    create_project,
    create_proposal,
    create_team,
    create_user,
)

WORD = "lumiere"


def _person(*roles, name: str, **fields):
    return create_user(*roles, name=f"{name} Lumière", **fields)


@pytest.fixture
def world():
    w = SimpleNamespace()
    w.coordinator = _person("coordinator", name="Coralie")
    w.funder_a, w.co_funder, w.funder_b = (_person("funder", name=n) for n in ("Fanny", "Corentin", "Bruno"))
    w.call_a = create_call(w.funder_a, title="Appel Lumière A")
    w.call_b = create_call(w.funder_b, title="Appel Lumière B")
    db.session.add(CallFunder(call_id=w.call_a.id, user_id=w.co_funder.id))
    db.session.flush()
    db.session.expire(w.call_a, ["funders"])

    w.minor = _person("youth", name="Mina", age=15, consent="given")
    w.team_a = create_team(_person("youth", name="Lina"), w.minor, name="Équipe Lumière A", country="CA")
    w.team_b = create_team(_person("youth", name="Bastien"), name="Équipe Lumière B", country="FR")
    w.team_b.organisation = "Maison Lumière"
    w.mentor_member = create_mentor(_person("mentor", "youth", name="Moussa"))
    w.team_c = create_team(_person("youth", name="Awa"), w.mentor_member, name="Équipe Lumière C", country="SN")
    w.team_m = create_team(_person("youth", name="Théo", age=14, consent="given"), name="Équipe Lumière M")

    w.a_draft = create_proposal(w.team_a, w.call_a, state="draft", title="Brouillon Lumière A")
    w.a_submitted = create_proposal(w.team_a, w.call_a, state="submitted", title="Podcast Lumière A")
    w.a_project = create_project(w.team_a, w.call_a, title="Projet Lumière A")
    w.b_review = create_proposal(w.team_b, w.call_b, state="in_review", title="Vidéo Lumière B")
    w.b_draft = create_proposal(w.team_b, w.call_b, state="draft", title="Brouillon Lumière B")
    w.c_review = create_proposal(w.team_c, w.call_a, state="in_review", title="Radio Lumière C")
    w.c_project = create_project(w.team_c, w.call_b, state="completed", title="Projet Lumière C")
    w.m_submitted = create_proposal(w.team_m, w.call_b, state="submitted", title="Théâtre Lumière M")

    w.mentor_a = create_mentor(_person("mentor", name="Marc"))
    create_mentorship(w.team_a, w.mentor_a)
    w.mentor_unvetted = create_mentor(_person("mentor", name="Ulysse"), vetted=False)
    create_mentorship(w.team_m, w.mentor_unvetted)
    w.mentor_offered = create_mentor(_person("mentor", name="Olive"))
    create_mentorship(w.team_a, w.mentor_offered, state="offered")
    w.mentor_ended = create_mentor(_person("mentor", name="Edith"))
    create_mentorship(w.team_a, w.mentor_ended, state="ended")

    w.reviewer = _person("mentor", name="Rita")
    w.review = create_assignment(w.b_review, w.reviewer, state="accepted")
    w.reviewer_conflict = _person("mentor", name="Cyril")
    create_assignment(w.b_review, w.reviewer_conflict, state="conflict_declared")
    w.reviewer_known = _person("mentor", name="Kim", )
    w.reviewer_known.organisation = "maison lumière "  # the sponsor of team B, written differently
    create_assignment(w.b_review, w.reviewer_known, state="accepted")
    w.reviewer_unopened = _person("funder", name="Ugo")
    create_assignment(w.b_review, w.reviewer_unopened, state="assigned")

    w.payee = _person("mentor", name="Paule", age=45)  # receives team C's money, so countersigns its agreement
    db.session.add(Payee(team_id=w.team_c.id, user_id=w.payee.id, kind="guardian", country="SN"))
    w.guardian = _person("mentor", name="Gaëlle", age=44)  # Mina's guardian: countersigns team A's agreement
    db.session.add(GuardianConsent(minor_id=w.minor.id, guardian_email=w.guardian.email, guardian_id=w.guardian.id,
                                   state="given", nonce="g" * 16, decided_at=utcnow()))
    w.youth = _person("youth", name="Yanis")
    db.session.flush()
    w.searchers = [w.coordinator, w.funder_a, w.co_funder, w.funder_b, w.mentor_member, w.mentor_a,
                   w.mentor_unvetted, w.mentor_offered, w.mentor_ended, w.reviewer, w.reviewer_conflict,
                   w.reviewer_known, w.reviewer_unopened, w.payee, w.guardian]
    return w
