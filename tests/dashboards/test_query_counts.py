"""Each role's dashboard sends as many SQL statements with 12 proposals and projects as with 2: every number is
aggregated in SQL and every list is cut to a fixed length."""

from __future__ import annotations

from datetime import date, timedelta

from app import db
from app.calls.models import CallFunder
from app.ledger.balances import DISBURSEMENT
from app.teamspace.models import TeamMessage, TeamThread
from tests.conftest import sign_in
from tests.dashboards.conftest import disbursement, due_date_change, ledger, milestones_of, set_milestone
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

LATE = date.today() - timedelta(days=3)
SOON = date.today() + timedelta(days=5)


def _queries_at_two_sizes(client, count_queries, user, grow) -> tuple[int, int]:
    """The dashboard's statements after grow(2), then after growing to 12."""
    grow(2)
    db.commit()
    sign_in(client, user)
    client.get("/dashboard")  # the first request warms what is cached once per process
    few = count_queries(lambda: client.get("/dashboard"))
    grow(10)
    db.commit()
    many = count_queries(lambda: client.get("/dashboard"))
    assert client.get("/dashboard").status_code == 200
    return few, many


def _project(team, call, *, first_state: str = "planned", due: date = LATE):
    grant = create_project(team, call, amount=10_000)
    set_milestone(milestones_of(grant)[0], state=first_state, due=due)
    return grant


def test_the_member_s_dashboard(client, count_queries):
    yara = create_user(name="Yara Member")
    call = create_call()

    def grow(number: int) -> None:
        for _ in range(number):
            team = create_team(yara)
            create_mentorship(team, create_mentor())
            create_proposal(team, call, state="submitted")
            _project(team, call)
            thread = TeamThread(team_id=team.id, title="News", created_by_id=team.lead_id)
            thread.messages.append(TeamMessage(author_id=None, body="Hi"))
            db.session.add(thread)
        db.session.flush()

    few, many = _queries_at_two_sizes(client, count_queries, yara, grow)
    assert few == many, (few, many)


def test_the_mentor_s_dashboard(client, count_queries):
    mona = create_mentor(name="Mona Mentor", capacity=10)
    call = create_call()

    def grow(number: int) -> None:
        for _ in range(number):
            team = create_team()
            create_mentorship(team, mona)
            create_proposal(team, call, state="draft")
            _project(team, call, first_state="submitted")
        db.session.flush()

    few, many = _queries_at_two_sizes(client, count_queries, mona, grow)
    assert few == many, (few, many)


def test_the_funder_s_dashboard(client, count_queries):
    fatima = create_user("funder", name="Fatima Funder")

    def grow(number: int) -> None:
        for index in range(number):
            call = create_call(fatima, currency="EUR" if index % 2 else "CAD")
            shared = create_call()
            db.session.add(CallFunder(call_id=shared.id, user_id=fatima.id))
            proposal = create_proposal(create_team(), call, state="in_review")
            create_assignment(proposal, fatima)
            grant = _project(create_team(), shared)
            ledger(grant, DISBURSEMENT, 5_000)
        db.session.flush()

    few, many = _queries_at_two_sizes(client, count_queries, fatima, grow)
    assert few == many, (few, many)


def test_the_coordinator_s_dashboard(client, count_queries):
    cora = create_user("coordinator", name="Cora Coordinator")
    call = create_call()

    def grow(number: int) -> None:
        for index in range(number):
            team = create_team(country="FR" if index % 2 else "CA")
            create_proposal(team, call, state="submitted")
            late = _project(team, call)
            _project(team, call, due=SOON)
            _project(team, call, first_state="submitted")
            disbursement(late, "failed")
            due_date_change(milestones_of(late)[1])
            create_mentorship(team, create_mentor(capacity=1))
        db.session.flush()

    few, many = _queries_at_two_sizes(client, count_queries, cora, grow)
    assert few == many, (few, many)


def test_a_person_with_every_role_still_sends_a_fixed_number(client, count_queries):
    everyone = create_user("youth", "mentor", "funder", "coordinator", name="Eve Everything")
    create_mentor(everyone, capacity=10)
    call = create_call(everyone)

    def grow(number: int) -> None:
        for _ in range(number):
            team = create_team(everyone)
            create_mentorship(team, everyone)
            create_proposal(team, call, state="draft")
            _project(team, call, first_state="submitted")
        db.session.flush()

    few, many = _queries_at_two_sizes(client, count_queries, everyone, grow)
    assert few == many, (few, many)
