"""Sensitive attachments: marked by the team, opened after a warning, and only by the team, its mentors,
coordinators and assigned reviewers; the call's funders see that the file exists and is marked, no more."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app import db
from app.accounts.models import AuditEntry
from app.proposals.models import Attachment
from app.storage import get_storage
from tests.conftest import post
from tests.factories import create_assignment, create_mentor, create_mentorship, create_proposal, create_user
from tests.pages import text

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _attach(proposal, *, sensitive: bool = True, filename: str = "quotes.pdf") -> Attachment:
    stored = get_storage().save(io.BytesIO(PDF), filename=filename, content_type="application/pdf")
    attachment = Attachment(proposal_id=proposal.id, kind="pitch_deck", filename=filename,
                            content_type="application/pdf", size=stored.size, sha256=stored.sha256,
                            storage_key=stored.key, sensitive=sensitive)
    db.session.add(attachment)
    db.session.flush()
    return attachment


def _entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


@pytest.fixture
def submitted(team, call):
    return create_proposal(team, call, state="in_review")


def _served(response) -> bool:
    served = response.status_code == 200 and response.headers.get("Content-Disposition", "").startswith("attachment")
    response.close()
    return served


# -- marking -----------------------------------------------------------------------------------------
def test_the_upload_form_offers_the_mark_with_help(client, login, lead, team, call):
    draft = create_proposal(team, call)
    page = login(lead).get(f"/proposals/{draft.id}/edit")
    body = page.get_data(as_text=True)
    assert re.search(r'<input[^>]*id="sensitive"[^>]*type="checkbox"|<input[^>]*type="checkbox"[^>]*id="sensitive"',
                     body)
    assert '<label for="sensitive">This file is sensitive</label>' in body
    assert "quotes extremist material, shows the faces of minors" in text(page)


def test_a_file_uploaded_as_sensitive_is_marked_and_the_trail_says_so(client, login, lead, team, call):
    draft = create_proposal(team, call)
    login(lead)
    response = post(client, f"/proposals/{draft.id}/attachments",
                    {"kind": "pitch_deck", "sensitive": "y", "file": (io.BytesIO(PDF), "quotes.pdf")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    attachment = db.session.scalars(select(Attachment).where(Attachment.proposal_id == draft.id)).one()
    assert attachment.sensitive is True
    [entry] = _entries("proposal.attachment_added")
    assert entry.detail["sensitive"] is True and entry.detail["attachment"] == attachment.id
    assert "Sensitive" in text(client.get(f"/proposals/{draft.id}/edit"))


def test_a_file_uploaded_without_the_box_is_not_sensitive(client, login, lead, team, call):
    draft = create_proposal(team, call)
    login(lead)
    post(client, f"/proposals/{draft.id}/attachments", {"kind": "pitch_deck", "file": (io.BytesIO(PDF), "deck.pdf")},
         content_type="multipart/form-data")
    assert db.session.scalars(select(Attachment)).one().sensitive is False
    assert "sensitive" not in _entries("proposal.attachment_added")[0].detail


def test_the_team_marks_a_file_after_submitting_and_lifts_the_mark(client, login, mate, submitted):
    attachment = _attach(submitted, sensitive=False)
    login(mate)
    url = f"/proposals/{submitted.id}/attachments/{attachment.id}/sensitive"
    page = client.get(f"/proposals/{submitted.id}")
    assert "Mark “quotes.pdf” as sensitive" in text(page)

    marked = post(client, url, {"sensitive": "yes"}, follow_redirects=True)
    assert "“quotes.pdf” is marked sensitive" in text(marked)
    db.session.expire_all()
    assert attachment.sensitive is True
    assert "Lift the sensitive mark from “quotes.pdf”" in text(marked)

    lifted = post(client, url, {"sensitive": "no"}, follow_redirects=True)
    assert "“quotes.pdf” is no longer marked sensitive" in text(lifted)
    db.session.expire_all()
    assert attachment.sensitive is False
    assert [(e.actor_id, e.subject_id, e.detail["sensitive"], e.detail["attachment"])
            for e in _entries("proposal.attachment_sensitivity_changed")] == [
        (mate.id, submitted.id, True, attachment.id), (mate.id, submitted.id, False, attachment.id)]


def test_marking_twice_writes_one_entry(client, login, lead, submitted):
    attachment = _attach(submitted, sensitive=False)
    login(lead)
    url = f"/proposals/{submitted.id}/attachments/{attachment.id}/sensitive"
    post(client, url, {"sensitive": "yes"})
    post(client, url, {"sensitive": "yes"})
    assert len(_entries("proposal.attachment_sensitivity_changed")) == 1


def test_the_mark_goes_back_to_the_page_it_was_set_from_and_never_off_site(client, login, lead, submitted):
    attachment = _attach(submitted, sensitive=False)
    login(lead)
    url = f"/proposals/{submitted.id}/attachments/{attachment.id}/sensitive"
    back = post(client, url, {"sensitive": "yes", "next": f"/proposals/{submitted.id}#files-heading"})
    assert back.headers["Location"] == f"/proposals/{submitted.id}#files-heading"
    away = post(client, url, {"sensitive": "no", "next": "https://evil.example/"})
    assert "evil" not in away.headers["Location"]


def test_a_coordinator_may_mark_a_file_and_the_calls_funder_may_not(client, login, submitted, call):
    attachment = _attach(submitted, sensitive=False)
    url = f"/proposals/{submitted.id}/attachments/{attachment.id}/sensitive"
    assert post(login(call.owner), url, {"sensitive": "yes"}).status_code == 403
    assert post(login(create_user("youth")), url, {"sensitive": "yes"}).status_code == 403
    assert post(login(create_user("coordinator")), url, {"sensitive": "yes"}).status_code == 302
    db.session.expire_all()
    assert attachment.sensitive is True


def test_a_mark_without_a_value_is_refused(client, login, lead, submitted):
    attachment = _attach(submitted, sensitive=False)
    login(lead)
    url = f"/proposals/{submitted.id}/attachments/{attachment.id}/sensitive"
    assert post(client, url, {}).status_code == 400
    assert post(client, url, {"sensitive": "maybe"}).status_code == 400
    db.session.expire_all()
    assert attachment.sensitive is False


# -- the warning ---------------------------------------------------------------------------------------
def test_a_sensitive_file_shows_a_warning_first_and_opens_only_with_the_confirmation(client, login, lead, submitted):
    attachment = _attach(submitted)
    login(lead)
    url = f"/proposals/{submitted.id}/attachments/{attachment.id}"
    warning = client.get(url)
    assert warning.status_code == 200
    assert "Content-Disposition" not in warning.headers
    assert warning.headers["Content-Type"].startswith("text/html")
    page = text(warning)
    assert "A sensitive file" in page and "The team marked “quotes.pdf” as sensitive" in page
    body = warning.get_data(as_text=True)
    link = re.search(r'<a class="button button-primary" href="([^"]+)">Open the file</a>', body)
    assert link and link.group(1) == f"{url}?open=1"
    assert f'href="/proposals/{submitted.id}#files-heading"' in body

    opened = client.get(link.group(1))
    assert opened.status_code == 200 and opened.data == PDF
    assert opened.headers["Content-Disposition"].startswith("attachment;")
    opened.close()
    assert not _served(client.get(f"{url}?open=yes"))


def test_a_file_that_is_not_sensitive_opens_at_once(client, login, lead, submitted):
    attachment = _attach(submitted, sensitive=False)
    assert _served(login(lead).get(f"/proposals/{submitted.id}/attachments/{attachment.id}"))


# -- who may open it -------------------------------------------------------------------------------
def _requester(kind, submitted, call):
    if kind == "member":
        return submitted.team.members[-1]
    if kind == "coordinator":
        return create_user("coordinator")
    if kind == "team_mentor":
        mentor = create_mentor()
        create_mentorship(submitted.team, mentor)
        return mentor
    if kind == "offered_mentor":
        mentor = create_mentor()
        create_mentorship(submitted.team, mentor, state="offered")
        return mentor
    if kind == "call_funder":
        return call.owner
    if kind == "reviewer_accepted":
        return create_assignment(submitted, create_user("mentor"), state="accepted").reviewer
    if kind == "reviewer_submitted":
        return create_assignment(submitted, create_user("mentor"), state="submitted").reviewer
    if kind == "reviewer_not_yet_accepted":
        return create_assignment(submitted, create_user("mentor")).reviewer
    if kind == "reviewer_with_a_known_conflict":
        submitted.team.organisation = "Maison des jeunes"
        reviewer = create_user("mentor")
        reviewer.organisation = "Maison des Jeunes"
        return create_assignment(submitted, reviewer, state="accepted").reviewer
    if kind == "stranger":
        return create_user("youth")
    raise AssertionError(kind)


@pytest.mark.parametrize(("kind", "opens"), [
    ("member", True), ("coordinator", True), ("team_mentor", True), ("reviewer_accepted", True),
    ("reviewer_submitted", True), ("call_funder", False), ("offered_mentor", False),
    ("reviewer_not_yet_accepted", False), ("reviewer_with_a_known_conflict", False), ("stranger", False),
])
def test_who_opens_a_sensitive_attachment(client, login, submitted, call, kind, opens):
    from app import policy

    attachment = _attach(submitted)
    person = _requester(kind, submitted, call)
    db.session.flush()
    assert policy.can_open_attachment(person, attachment) is opens
    login(person)
    response = client.get(f"/proposals/{submitted.id}/attachments/{attachment.id}?open=1")
    assert _served(response) is opens
    if not opens:
        assert response.status_code == 403


@pytest.mark.parametrize("kind", ["call_funder", "member", "coordinator"])
def test_the_same_people_open_the_file_when_it_is_not_sensitive(client, login, submitted, call, kind):
    attachment = _attach(submitted, sensitive=False)
    login(_requester(kind, submitted, call))
    assert _served(client.get(f"/proposals/{submitted.id}/attachments/{attachment.id}"))


def test_an_assigned_reviewer_opens_it_from_the_review_page_after_the_warning(client, login, submitted, call):
    attachment = _attach(submitted)
    assignment = create_assignment(submitted, create_user("mentor"), state="accepted")
    login(assignment.reviewer)
    page = client.get(f"/reviews/{assignment.id}")
    assert "Download “quotes.pdf” (Pitch deck) Sensitive" in text(page)
    url = f"/reviews/{assignment.id}/attachments/{attachment.id}"
    warning = client.get(url)
    assert "A sensitive file" in text(warning) and f'href="/reviews/{assignment.id}"' in warning.get_data(as_text=True)
    assert _served(client.get(f"{url}?open=1"))


def test_a_funder_reviewing_a_call_they_manage_opens_it_as_a_reviewer(client, login, submitted, call):
    attachment = _attach(submitted)
    funder = call.owner
    login(funder)
    url = f"/proposals/{submitted.id}/attachments/{attachment.id}?open=1"
    assert client.get(url).status_code == 403
    create_assignment(submitted, funder, state="accepted")
    assert _served(client.get(url))


def test_the_calls_funder_sees_the_file_is_there_and_marked_but_no_link(client, login, submitted, call):
    attachment = _attach(submitted)
    _attach(submitted, sensitive=False, filename="deck.pdf")
    login(call.owner)
    page = client.get(f"/proposals/{submitted.id}")
    body, words = page.get_data(as_text=True), text(page)
    assert "quotes.pdf" in words and "Sensitive" in words
    assert "Only the team, its mentors, coordinators and assigned reviewers can open a sensitive file." in words
    assert f"/attachments/{attachment.id}\"" not in body
    assert "Download “deck.pdf”" in words
    assert "Mark “deck.pdf” as sensitive" not in words


def test_the_team_sees_the_link_and_the_tag(client, login, lead, submitted):
    attachment = _attach(submitted)
    page = login(lead).get(f"/proposals/{submitted.id}")
    assert f'href="/proposals/{submitted.id}/attachments/{attachment.id}"' in page.get_data(as_text=True)
    assert "Download “quotes.pdf” (Pitch deck, 0.0 MB) Sensitive" in text(page)
