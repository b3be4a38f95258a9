"""Assigning reviewers: current reviewers and load, the suggestion, assigning it, adding and removing by hand."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app import db
from app.accounts.models import RoleGrant
from app.reviews.models import ReviewAssignment
from tests.conftest import post
from tests.factories import create_assignment, create_call, create_proposal, create_user
from tests.pages import field_error, text


def _assignments(proposal=None) -> list[ReviewAssignment]:
    db.session.expire_all()
    query = select(ReviewAssignment).order_by(ReviewAssignment.id)
    if proposal is not None:
        query = query.where(ReviewAssignment.proposal_id == proposal.id)
    return list(db.session.scalars(query))


def _pairs(response) -> list[str]:
    return re.findall(r'<input type="hidden" name="pair" value="([^"]+)">', response.get_data(as_text=True))


def test_the_page_shows_reviewers_declared_conflicts_and_load(client, login, coordinator, call, team, submitted):
    proposal = submitted(team, title="Voices of Peace", state="in_review")
    busy = create_user("funder", name="Bea Busy")
    careful = create_user("mentor", name="Carl Careful")
    create_assignment(proposal, busy, state="accepted")
    create_assignment(proposal, careful, state="conflict_declared", conflict_reason="I coach their school's club.")
    create_assignment(submitted(state="in_review"), busy, state="submitted")

    response = login(coordinator).get(f"/reviews/calls/{call.id}/assignments")

    assert response.status_code == 200
    page = text(response)
    assert "Reviews per proposal, at least 2" in page
    assert "Reason: I coach their school's club." in page
    assert "Bea Busy 1 1 0" in page  # one to do, one submitted
    assert "Carl Careful 0 0 1" in page
    assert "1 review assigned — 1 more needed" in page  # the declared conflict does not count
    assert "Remove Bea Busy" in page and "Remove Carl Careful" not in page


def test_suggesting_and_assigning_as_suggested(client, login, outbox, coordinator, call, team, submitted):
    first = submitted(team, title="Voices of Peace", state="in_review")
    second = submitted(title="Open Mic", state="in_review")
    reviewers = [create_user("funder", name=f"Rev{n} Iewer") for n in range(3)]
    login(coordinator)
    query = "&".join(f"reviewers={r.id}" for r in reviewers)

    response = client.get(f"/reviews/calls/{call.id}/assignments?{query}&suggest=1")

    assert response.status_code == 200
    page = text(response)
    assert "Suggested assignments" in page and "Assign as suggested" in page
    pairs = _pairs(response)
    assert len(pairs) == 4 and {p.split(":")[0] for p in pairs} == {str(first.id), str(second.id)}
    assert not _assignments()  # a suggestion changes nothing by itself

    response = post(client, f"/reviews/calls/{call.id}/assignments/suggested", {"pair": pairs},
                    follow_redirects=True)

    assert "4 reviews are assigned." in text(response)
    assert len(_assignments(first)) == 2 and len(_assignments(second)) == 2
    loads = sorted(sum(1 for a in _assignments() if a.reviewer_id == r.id) for r in reviewers)
    assert loads == [1, 1, 2]
    emails = outbox(kind="review_assigned")
    assert len(emails) == 4
    message = next(m for m in emails if m.recipient == reviewers[0].email)
    assignment = next(a for a in _assignments() if a.reviewer_id == reviewers[0].id)
    assert f"/reviews/{assignment.id}" in message.body
    assert "Please submit your review by" in message.body
    assert "Voices of Peace" not in message.body and "Open Mic" not in message.body  # titles come after "no conflict"
    assert assignment.due_at == call.review_deadline


def test_a_suggestion_needs_reviewers(client, login, coordinator, call, submitted):
    submitted(state="in_review")
    response = login(coordinator).get(f"/reviews/calls/{call.id}/assignments?suggest=1")
    assert response.status_code == 400
    assert field_error(response, "reviewers") == "Choose at least one reviewer."


def test_the_suggestion_names_shortfalls_and_never_a_conflicted_reviewer(client, login, coordinator, call, team,
                                                                          lead, submitted):
    proposal = submitted(team, title="Voices of Peace", state="in_review")
    lead.role_grants.append(RoleGrant(role="mentor"))
    only = create_user("funder", name="Olga Only")
    db.session.flush()
    response = login(coordinator).get(f"/reviews/calls/{call.id}/assignments?reviewers={only.id}"
                                      f"&reviewers={lead.id}&suggest=1")
    page = text(response)
    assert "“Voices of Peace”: 1 review missing" in page
    assert "not enough of the chosen reviewers are free of a conflict" in page
    assert _pairs(response) == [f"{proposal.id}:{only.id}"]


def test_a_tampered_suggestion_assigns_nothing(client, login, coordinator, call, team, lead, submitted):
    proposal = submitted(team, title="Voices of Peace", state="in_review")
    lead.role_grants.append(RoleGrant(role="mentor"))
    honest = create_user("funder")
    colleague = create_user("funder", name="Col League")
    colleague.organisation = "Maison des Jeunes"
    team.organisation = "maison des jeunes "
    other_call_proposal = create_proposal(call=create_call(), state="in_review")
    youth = create_user("youth")
    db.session.flush()
    login(coordinator)
    url = f"/reviews/calls/{call.id}/assignments/suggested"

    for bad in (f"{proposal.id}:{lead.id}", f"{proposal.id}:{colleague.id}", f"{other_call_proposal.id}:{honest.id}",
                f"{proposal.id}:{youth.id}", f"{proposal.id}:999999"):
        response = post(client, url, {"pair": [f"{proposal.id}:{honest.id}", bad]}, follow_redirects=True)
        assert "Nothing was assigned" in text(response), bad
        assert not _assignments(), bad
    response = post(client, url, {"pair": [f"{proposal.id}:{colleague.id}"]}, follow_redirects=True)
    assert "Col League has a conflict of interest with this proposal: works for the organisation" in text(response)
    assert post(client, url, {"pair": ["1;2"]}).status_code == 400
    response = post(client, url, {"pair": [f"{proposal.id}:{honest.id}", f"{proposal.id}:{honest.id}"]})
    assert response.status_code == 302 and len(_assignments()) == 1  # the same pair twice is one assignment


def test_a_declared_conflict_cannot_be_assigned_again(client, login, coordinator, call, submitted):
    proposal = submitted(state="in_review")
    careful = create_user("mentor", name="Carl Careful")
    create_assignment(proposal, careful, state="conflict_declared", conflict_reason="Cousin")
    response = post(login(coordinator), f"/reviews/calls/{call.id}/assignments/suggested",
                    {"pair": [f"{proposal.id}:{careful.id}"]}, follow_redirects=True)
    assert "Carl Careful has a conflict of interest with this proposal: declared a conflict of interest (“Cousin”)" \
        in text(response)


def test_adding_a_reviewer_by_hand(client, login, outbox, coordinator, call, submitted):
    proposal = submitted(title="Voices of Peace", state="in_review")
    helper = create_user("mentor", name="Hugo Helper")
    response = post(login(coordinator), f"/reviews/proposals/{proposal.id}/reviewers",
                    {f"add-{proposal.id}-reviewer": str(helper.id)}, follow_redirects=True)
    assert "Hugo Helper now reviews “Voices of Peace”" in text(response)
    assert [a.reviewer_id for a in _assignments(proposal)] == [helper.id]
    assert [m.recipient for m in outbox(kind="review_assigned")] == [helper.email]
    # Once assigned, the person is no longer offered for this proposal.
    page = client.get(f"/reviews/calls/{call.id}/assignments").get_data(as_text=True)
    select_html = page[page.index(f'name="add-{proposal.id}-reviewer"'):]
    select_html = select_html[:select_html.index("</select>")]
    assert f'value="{helper.id}"' not in select_html


def test_a_conflicted_reviewer_added_by_hand_is_refused_with_the_reason(client, login, coordinator, call, team, lead,
                                                                        submitted):
    proposal = submitted(team, title="Voices of Peace", state="in_review")
    lead.role_grants.append(RoleGrant(role="mentor"))
    db.session.flush()
    login(coordinator)
    page = client.get(f"/reviews/calls/{call.id}/assignments").get_data(as_text=True)
    assert "Lina Lead (conflict: is a member of the team)" in page

    response = post(client, f"/reviews/proposals/{proposal.id}/reviewers",
                    {f"add-{proposal.id}-reviewer": str(lead.id)})

    assert response.status_code == 400
    assert field_error(response, f"add-{proposal.id}-reviewer") == \
        "Lina Lead has a conflict of interest with this proposal: is a member of the team."
    assert not _assignments()


def test_adding_someone_who_cannot_review_or_nobody(client, login, coordinator, call, submitted):
    proposal = submitted(state="in_review")
    youth = create_user("youth", name="Yan Youth")
    unconfirmed = create_user("funder", confirmed=False, name="Una Unconfirmed")
    login(coordinator)
    url = f"/reviews/proposals/{proposal.id}/reviewers"
    for value, message in ((str(youth.id), "Yan Youth cannot review"), (str(unconfirmed.id), "Una Unconfirmed cannot"),
                           ("", "Choose a reviewer."), ("abc", "Choose a reviewer from the list."),
                           ("999999", "Choose a reviewer from the list.")):
        response = post(client, url, {f"add-{proposal.id}-reviewer": value})
        assert response.status_code == 400, value
        assert message in field_error(response, f"add-{proposal.id}-reviewer"), value
    assert not _assignments()


def test_adding_a_reviewer_to_a_proposal_not_in_review(client, login, coordinator, call, submitted):
    proposal = submitted(state="submitted")
    response = post(login(coordinator), f"/reviews/proposals/{proposal.id}/reviewers",
                    {f"add-{proposal.id}-reviewer": str(create_user("mentor").id)}, follow_redirects=True)
    assert "Reviewers can be assigned only while the proposal is in review." in text(response)
    assert not _assignments()


def test_removing_an_assignment_not_yet_submitted(client, login, coordinator, call, submitted):
    proposal = submitted(title="Voices of Peace", state="in_review")
    waiting = create_assignment(proposal, create_user("funder", name="Wanda Waiting"))
    done = create_assignment(proposal, create_user("funder"), state="submitted")
    declared = create_assignment(proposal, create_user("funder"), state="conflict_declared")
    login(coordinator)

    response = post(client, f"/reviews/assignments/{waiting.id}/remove", follow_redirects=True)
    assert "Wanda Waiting no longer reviews “Voices of Peace”." in text(response)
    for kept in (done, declared):
        response = post(client, f"/reviews/assignments/{kept.id}/remove", follow_redirects=True)
        assert "stays on record" in text(response)
    assert {a.id for a in _assignments()} == {done.id, declared.id}


def test_assignment_is_for_coordinators_only(client, login, owner, call, reviewer, submitted):
    proposal = submitted(state="in_review")
    assignment = create_assignment(proposal, reviewer)
    for person in (owner, reviewer):
        login(person)
        assert client.get(f"/reviews/calls/{call.id}/assignments").status_code == 403
        assert post(client, f"/reviews/calls/{call.id}/assignments/suggested",
                    {"pair": [f"{proposal.id}:{person.id}"]}).status_code == 403
        assert post(client, f"/reviews/proposals/{proposal.id}/reviewers",
                    {f"add-{proposal.id}-reviewer": str(person.id)}).status_code == 403
        assert post(client, f"/reviews/assignments/{assignment.id}/remove").status_code == 403
    assert [a.id for a in _assignments()] == [assignment.id]


def test_the_page_sends_the_same_number_of_queries_for_3_or_12_proposals(client, login, coordinator, call, submitted,
                                                                          count_queries):
    reviewers = [create_user("funder") for _ in range(3)]
    login(coordinator)

    def add(n):
        for i in range(n):
            proposal = submitted(state="in_review")
            create_assignment(proposal, reviewers[i % 3])
            create_assignment(proposal, reviewers[(i + 1) % 3], state="submitted")

    url = f"/reviews/calls/{call.id}/assignments?" + "&".join(f"reviewers={r.id}" for r in reviewers) + "&suggest=1"
    add(3)
    few = count_queries(lambda: client.get(url))
    add(9)
    many = count_queries(lambda: client.get(url))
    assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 24
    assert 3 < few == many, (few, many)
