"""The key pages send as many SQL statements over a programme of 40 proposals as over one five times larger
(`flask demo scale`'s generator), and as many when the page's own lists grow: lists are cut to a page, numbers
are aggregated in SQL, and related rows come with the page's own few queries, never one query per row."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db, scaledata
from app.accounts.models import User
from app.notices.models import ProposalComment
from app.proposals.models import Proposal
from tests.conftest import sign_in
from tests.factories import create_assignment, create_user, password_hash

SMALL, LARGE = 40, 200


def _person(loaded, role: str) -> User:
    email = next(sign_in.email for sign_in in loaded.sign_ins if sign_in.role == role)
    return db.session.scalar(select(User).where(User.email == email))


def _statements(client, count_queries, user: User | None, url: str) -> int:
    if user is not None:
        sign_in(client, user)
    assert client.get(url).status_code == 200, url  # the first request warms what is cached once per process
    return count_queries(lambda: client.get(url))


# page -> (who reads it, None for an anonymous visitor; its address for a loaded programme)
PAGES = {
    "calls list": (None, lambda loaded: "/calls/"),
    "showcase": (None, lambda loaded: "/showcase/"),
    "reviewer's queue": ("reviewer", lambda loaded: "/reviews/"),
    "ranking": ("funder", lambda loaded: f"/decisions/calls/{loaded.reviewing_call_id}"),
    "coordinator's dashboard": ("coordinator", lambda loaded: "/dashboard"),
    "funder's dashboard": ("funder", lambda loaded: "/dashboard"),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_the_page_sends_the_same_statements_for_a_programme_five_times_larger(client, new_client, count_queries,
                                                                               page):
    role, address = PAGES[page]
    small = scaledata.load(SMALL, seed=1, password_hash=password_hash())
    db.commit()
    few = _statements(client, count_queries, role and _person(small, role), address(small))
    large = scaledata.load(LARGE, seed=2, password_hash=password_hash())  # added to the small programme
    db.commit()
    many = _statements(new_client(), count_queries, role and _person(large, role), address(large))
    assert few == many, (page, few, many)


def _discuss(proposal: Proposal, people: int) -> None:
    """Comments in both threads by people the page has not loaded yet, and one more submitted review each."""
    for _ in range(people):
        for visibility in ("team", "internal"):
            db.session.add(ProposalComment(proposal_id=proposal.id, author_id=create_user("mentor").id,
                                           visibility=visibility, body="What about the budget?"))
        create_assignment(proposal, create_user("funder"), state="submitted")
    db.session.flush()


@pytest.mark.parametrize("role", ["coordinator", "youth"])
def test_a_proposal_page_sends_the_same_statements_as_its_discussion_and_the_programme_grow(client, new_client,
                                                                                           count_queries, role):
    small = scaledata.load(SMALL, seed=1, password_hash=password_hash())
    proposal = db.session.get(Proposal, small.proposal_id)
    _discuss(proposal, 1)
    db.commit()
    url = f"/proposals/{proposal.id}"
    few = _statements(client, count_queries, _person(small, role), url)
    scaledata.load(LARGE, seed=2, password_hash=password_hash())
    _discuss(db.session.get(Proposal, small.proposal_id), 5)
    db.commit()
    many = _statements(new_client(), count_queries, _person(small, role), url)
    assert few == many, (role, few, many)
