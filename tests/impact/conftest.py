"""A hand-computed world for the impact report: two calls in two currencies, five grants, every figure known.

Call A (CAD, managed by funder_a):
  p1  completed, CA, themes counter_narratives + hate_speech, 2 milestones approved at (100, 2, 1) each
      → reach 200 people, 4 pieces, 2 events; paid 150 000 + 150 000 cents
      m1 due 15 Jan 2026, evidence first sent 15 Jan 23:30 in Toronto (16 Jan 04:30 UTC): on time by the call's clock
      m2 originally due 1 Feb 2026, moved to 11 Feb, evidence first sent 6 Feb: on time against the moved date
  p2  active, FR, counter_narratives, 1 milestone approved; two submissions: the first (999, 9, 9) sent late on
      17 Jan for a 15 Jan due date, the second (50, 1, 0) counts → reach 50, 1, 0; late
      paid 100 000, reversed 100 000, paid 100 000 again → 100 000
  p3  cancelled, CA, 1 milestone approved at (1000, 10, 10): counts nowhere but money; its 300 000 award released
  p4  awarded (agreement not signed), CA, inclusion: funded, no reach, nothing approved
  awarded 300 000 + 200 000 + 300 000 − 300 000 + 300 000 = 800 000 CAD; paid 300 000 + 100 000 = 400 000 CAD
  approved milestones 3, on time 2
Call B (EUR, managed by funder_b only):
  q1  active, SN, intercultural_dialogue, 1 milestone approved at (30, 3, 2), on time; paid 50 000 of 100 000 EUR
Overall: funded 4, completed 1, reach 280 / 8 / 4 over 4 projects, approved 4, on time 3 (75 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app import db
from app.ledger import balances as rules
from app.ledger.services import record
from app.projects.models import EvidenceSubmission, ProjectMilestone
from tests.factories import create_call, create_project, create_team, create_user


@dataclass
class World:
    coordinator: object
    funder_a: object
    funder_b: object
    call_a: object
    call_b: object
    grants: dict


def milestones_of(grant) -> list[ProjectMilestone]:
    return list(db.session.scalars(select(ProjectMilestone).where(ProjectMilestone.grant_id == grant.id)
                                   .order_by(ProjectMilestone.position)))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def set_dates(milestone, *, due: date, sent: datetime, original: date | None = None) -> None:
    milestone.due_date, milestone.original_due_date = due, original or due
    milestone.submissions[0].submitted_at = sent
    milestone.submitted_at = sent
    milestone.approved_at = utc(2026, 3, 1, 12)  # long after: approval's date never decides "on time"


def project(call, *, country: str, themes: list[str], title: str, **options):
    grant = create_project(create_team(country=country), call, title=title, **options)
    grant.proposal.themes = themes
    db.session.flush()
    return grant


def build_world() -> World:
    coordinator = create_user("coordinator", name="Cora Coordinator")
    funder_a, funder_b = create_user("funder", name="Ada Funder"), create_user("funder", name="Bea Funder")
    call_a = create_call(funder_a, title="Voices Against Hate", currency="CAD")
    call_b = create_call(funder_b, title="Ponts numériques", currency="EUR", pool=1_000_000)

    p1 = project(call_a, country="CA", themes=["counter_narratives", "hate_speech"], title="Podcast",
                 state="completed", reach=(100, 2, 1))
    m1, m2 = milestones_of(p1)
    set_dates(m1, due=date(2026, 1, 15), sent=utc(2026, 1, 16, 4, 30))
    set_dates(m2, original=date(2026, 2, 1), due=date(2026, 2, 11), sent=utc(2026, 2, 6, 15))

    p2 = project(call_a, country="FR", themes=["counter_narratives"], title="Theatre", approved=1,
                 reach=(999, 9, 9), amount=200_000)
    (n1, _n2) = milestones_of(p2)
    set_dates(n1, due=date(2026, 1, 15), sent=utc(2026, 1, 17, 15))
    n1.submissions.append(EvidenceSubmission(number=2, report="Fixed.", links=[], people_reached=50,
                                             content_pieces=1, events_held=0, submitted_at=utc(2026, 1, 20, 15)))

    p3 = project(call_a, country="CA", themes=["counter_narratives"], title="Abandoned", approved=1,
                 reach=(1000, 10, 10))
    p3.state = "cancelled"
    p4 = project(call_a, country="CA", themes=["inclusion"], title="Newcomers", state="awarded")

    q1 = project(call_b, country="SN", themes=["intercultural_dialogue"], title="Radio", approved=1,
                 reach=(30, 3, 2), amount=100_000)
    set_dates(milestones_of(q1)[0], due=date(2026, 1, 10), sent=utc(2026, 1, 9, 12))
    db.session.flush()

    record(call_a, rules.DISBURSEMENT, 150_000, grant=p1)
    record(call_a, rules.DISBURSEMENT, 150_000, grant=p1)
    record(call_a, rules.DISBURSEMENT, 100_000, grant=p2)
    record(call_a, rules.DISBURSEMENT_REVERSAL, 100_000, grant=p2)
    record(call_a, rules.DISBURSEMENT, 100_000, grant=p2)
    record(call_a, rules.AWARD_RELEASE, 300_000, grant=p3)
    record(call_b, rules.DISBURSEMENT, 50_000, grant=q1)
    return World(coordinator, funder_a, funder_b, call_a, call_b, {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "q1": q1})


@pytest.fixture
def world() -> World:
    return build_world()
