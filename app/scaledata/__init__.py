"""Synthetic data at scale (`flask demo scale --proposals N`): a whole programme in proportion to N proposals,
written with bulk Core inserts and explicit ids, for benchmarks and for trying the portal with a lot of data.

Deterministic for a seed: the same seed gives the same people, calls, proposals and money, dated relative to
the day it runs (so the open calls are open). It adds to what the database holds (ids continue from each
table's maximum) and leaves PostgreSQL's sequences after the last id written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from app import db
from app.accounts.passwords import hash_password
from app.db import utcnow
from app.scaledata import delivery, mentoring, people, programme
from app.scaledata.bulk import Ids, Writer, analyze, move_sequences
from app.scaledata.context import Person, Scale
from app.scaledata.sizes import Sizes

PASSWORD = "passerelle-scale"  # noqa: S105 - printed on purpose: every generated account shares it
__all__ = ["PASSWORD", "Loaded", "SignIn", "analyze", "load"]


@dataclass(frozen=True)
class SignIn:
    role: str
    email: str
    name: str
    note: str


@dataclass(frozen=True)
class Loaded:
    sizes: Sizes
    rows: dict[str, int]
    sign_ins: list[SignIn]
    # Ids the benchmark and the tests use: a call in review, one of its proposals, and the people below.
    reviewing_call_id: int
    proposal_id: int
    coordinator_id: int
    funder_id: int
    reviewer_id: int
    youth_id: int


def load(proposals: int, seed: int = 2016, password_hash: str | None = None) -> Loaded:
    """Write the data (flushes, never commits: the command commits)."""
    sizes = Sizes.for_proposals(proposals)
    ids = Ids()
    now = utcnow().replace(microsecond=0)
    scale = Scale(rng=random.Random(seed), now=now, ids=ids, out=Writer(ids),
                  password_hash=password_hash or hash_password(PASSWORD))
    people.add_staff(scale, sizes.coordinators, sizes.funders)
    people.add_mentors(scale, sizes.mentors)
    people.add_teams(scale, sizes.teams)
    mentoring.add_mentorships(scale)
    programme.add_calls(scale, sizes.phases(), sizes.proposals)
    delivery.add_contributions(scale)
    delivery.Delivery(scale).add_all()
    scale.out.flush()
    move_sequences(scale.out.counts)
    db.session.flush()
    return _summary(scale, sizes)


def _summary(scale: Scale, sizes: Sizes) -> Loaded:
    reviewing = max((c for c in scale.calls if c.phase == "reviewing"), key=lambda c: len(c.panel))
    in_review = [p for p in scale.proposals if p.call is reviewing and p.state == "in_review"]
    proposal = in_review[0] if in_review else next(p for p in scale.proposals if p.call is reviewing)
    funder = _person(scale.funders, reviewing.owner_id)
    others = {person: count for person, count in reviewing.load.items() if person != funder.id}
    reviewer = _person(scale.funders + scale.mentors, max(others, key=others.get) if others else funder.id)
    youth = proposal.team.lead
    mentor = next((m for m in scale.mentors if any(t.mentor_id == m.id for t in scale.teams)), scale.mentors[0])
    guardian = scale.guardians[0] if scale.guardians else None
    sign_ins = [
        SignIn("coordinator", scale.coordinators[0].email, scale.coordinators[0].name, "sees everything"),
        SignIn("funder", funder.email, funder.name, f"owns call {reviewing.id} (in review) and reviews for it"),
        SignIn("reviewer", reviewer.email, reviewer.name, f"reviews proposals of call {reviewing.id}"),
        SignIn("mentor", mentor.email, mentor.name, "mentors a team"),
        SignIn("youth", youth.email, youth.name, f"leads the team of proposal {proposal.id}"),
    ]
    if guardian is not None:
        sign_ins.append(SignIn("guardian", guardian.email, guardian.name, "consented for a minor"))
    return Loaded(sizes=sizes, rows=dict(scale.out.counts), sign_ins=sign_ins, reviewing_call_id=reviewing.id,
                  proposal_id=proposal.id, coordinator_id=scale.coordinators[0].id, funder_id=funder.id,
                  reviewer_id=reviewer.id, youth_id=youth.id)


def _person(candidates: list[Person], person_id: int) -> Person:
    return next(person for person in candidates if person.id == person_id)
