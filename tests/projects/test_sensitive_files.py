"""Sensitive evidence: marked by the team when it sends it (or later), opened after a warning, and only by the
team, its mentors and coordinators. The call's funders, even when they approve the milestones, see that the
file is there and marked, no more."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from app import db, policy
from app.accounts.models import AuditEntry
from app.projects.models import EvidenceFile, EvidenceSubmission
from app.storage import get_storage
from tests.conftest import post
from tests.factories import create_mentor, create_mentorship, create_project, create_team, create_user
from tests.pages import text
from tests.projects.test_workflow import grant_milestone

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _evidence(**overrides):
    return {"report": "Four episodes are online.", "links": "", "people_reached": "250", "content_pieces": "4",
            "events_held": "1", **overrides}


def _entries(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _served(response) -> bool:
    served = response.status_code == 200 and response.headers.get("Content-Disposition", "").startswith("attachment")
    response.close()
    return served


@pytest.fixture
def grant():
    return create_project(create_team(create_user(name="Lea Lead"), create_user(name="Tom Teammate")))


def _file(grant, *, sensitive: bool = True, filename: str = "faces.pdf") -> EvidenceFile:
    milestone = grant_milestone(grant)
    submission = EvidenceSubmission(number=len(milestone.submissions) + 1, report="Done.", links=[],
                                    submitted_by_id=grant.team.lead_id)
    milestone.submissions.append(submission)
    milestone.state = "submitted"
    stored = get_storage().save(io.BytesIO(PDF), filename=filename, content_type="application/pdf")
    submission.files.append(EvidenceFile(filename=filename, content_type="application/pdf", size=stored.size,
                                         sha256=stored.sha256, storage_key=stored.key, sensitive=sensitive))
    db.session.flush()
    return submission.files[0]


# -- marking -----------------------------------------------------------------------------------------
def test_evidence_sent_as_sensitive_is_marked(login, grant):
    milestone = grant_milestone(grant)
    lead = login(grant.team.lead)
    form = lead.get(f"/projects/milestones/{milestone.id}")
    assert '<label for="sensitive">These files are sensitive</label>' in form.get_data(as_text=True)
    assert "quotes extremist material, shows the faces of minors" in text(form)
    files = [(io.BytesIO(PDF), "faces.pdf"), (io.BytesIO(PDF), "b.pdf")]
    sent = post(lead, f"/projects/milestones/{milestone.id}/evidence",
                {**_evidence(), "sensitive": "y", "files": files}, content_type="multipart/form-data",
                follow_redirects=True)
    assert "Your evidence is sent" in text(sent)
    files = db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)).all()
    assert [file.sensitive for file in files] == [True, True]
    [entry] = _entries("milestone.submitted")
    assert entry.detail["sensitive"] is True and entry.detail["files"] == 2
    assert "Download faces.pdf (" in text(sent) and "Sensitive" in text(sent)


def test_evidence_sent_without_the_box_is_not_sensitive(login, grant):
    milestone = grant_milestone(grant)
    post(login(grant.team.lead), f"/projects/milestones/{milestone.id}/evidence",
         {**_evidence(), "files": (io.BytesIO(PDF), "proof.pdf")}, content_type="multipart/form-data")
    assert db.session.scalar(select(EvidenceFile)).sensitive is False
    assert "sensitive" not in _entries("milestone.submitted")[0].detail


def test_the_team_marks_evidence_later_and_lifts_the_mark(client, login, grant):
    file = _file(grant, sensitive=False)
    teammate = grant.team.members[-1]
    login(teammate)
    page = client.get(f"/projects/milestones/{file.submission.milestone_id}")
    assert "Mark “faces.pdf” as sensitive" in text(page)
    url = f"/projects/files/{file.id}/sensitive"
    marked = post(client, url, {"sensitive": "yes"}, follow_redirects=True)
    assert "“faces.pdf” is marked sensitive: a warning comes first, and only the team, its mentors and " \
           "coordinators can open it." in text(marked)
    assert "Lift the sensitive mark from “faces.pdf”" in text(marked)
    post(client, url, {"sensitive": "no"})
    db.session.expire_all()
    assert file.sensitive is False
    assert [(e.actor_id, e.subject_type, e.detail["file"], e.detail["sensitive"])
            for e in _entries("milestone.evidence_sensitivity_changed")] == [
        (teammate.id, "project_milestones", file.id, True), (teammate.id, "project_milestones", file.id, False)]


def test_only_the_team_and_coordinators_may_set_the_mark(client, login, grant):
    file = _file(grant, sensitive=False)
    url = f"/projects/files/{file.id}/sensitive"
    mentor = create_mentor()
    create_mentorship(grant.team, mentor)
    assert post(login(grant.call.owner), url, {"sensitive": "yes"}).status_code == 403
    assert post(login(mentor), url, {"sensitive": "yes"}).status_code == 403
    assert post(login(create_user("coordinator")), url, {"sensitive": "yes"}).status_code == 302
    assert post(login(grant.team.lead), url, {}).status_code == 400
    db.session.expire_all()
    assert file.sensitive is True


# -- the warning ---------------------------------------------------------------------------------------
def test_sensitive_evidence_shows_a_warning_first(client, login, grant):
    file = _file(grant)
    login(grant.team.lead)
    url = f"/projects/files/{file.id}"
    warning = client.get(url)
    assert warning.status_code == 200 and "Content-Disposition" not in warning.headers
    body = warning.get_data(as_text=True)
    assert "The team marked “faces.pdf” as sensitive" in text(warning)
    link = re.search(r'href="([^"]+)">Open the file</a>', body)
    assert link and link.group(1) == f"{url}?open=1"
    assert f'href="/projects/milestones/{file.submission.milestone_id}#submission-{file.submission_id}-heading"' \
        in body
    assert _served(client.get(link.group(1)))


def test_evidence_that_is_not_sensitive_opens_at_once(client, login, grant):
    file = _file(grant, sensitive=False)
    assert _served(login(grant.team.lead).get(f"/projects/files/{file.id}"))


# -- who may open it -------------------------------------------------------------------------------
def _person(kind, grant):
    if kind == "member":
        return grant.team.members[-1]
    if kind == "team_mentor":
        mentor = create_mentor()
        create_mentorship(grant.team, mentor)
        return mentor
    if kind == "coordinator":
        return create_user("coordinator")
    if kind == "call_funder":
        return grant.call.owner
    if kind == "approving_funder":
        grant.call.milestone_approver = "funder"
        db.session.flush()
        return grant.call.owner
    if kind == "stranger":
        return create_user("funder")
    raise AssertionError(kind)


@pytest.mark.parametrize(("kind", "opens"), [
    ("member", True), ("team_mentor", True), ("coordinator", True),
    ("call_funder", False), ("approving_funder", False), ("stranger", False),
])
def test_who_opens_sensitive_evidence(client, login, grant, kind, opens):
    file = _file(grant)
    person = _person(kind, grant)
    assert policy.can_open_attachment(person, file) is opens
    response = login(person).get(f"/projects/files/{file.id}?open=1")
    assert _served(response) is opens
    if not opens:
        assert response.status_code == 403


@pytest.mark.parametrize("kind", ["member", "team_mentor", "coordinator", "call_funder", "approving_funder"])
def test_evidence_that_is_not_sensitive_opens_for_everyone_who_reads_the_project(client, login, grant, kind):
    file = _file(grant, sensitive=False)
    assert _served(login(_person(kind, grant)).get(f"/projects/files/{file.id}"))


def test_an_approving_funder_sees_the_file_is_there_and_marked_but_no_link(client, login, grant):
    file = _file(grant)
    funder = _person("approving_funder", grant)
    page = login(funder).get(f"/projects/milestones/{file.submission.milestone_id}")
    assert page.status_code == 200
    words = text(page)
    assert "faces.pdf" in words and "Sensitive" in words
    assert "Only the team, its mentors and coordinators can open a sensitive file." in words
    assert f"/projects/files/{file.id}\"" not in page.get_data(as_text=True)
    assert "Mark “faces.pdf” as sensitive" not in words and "Lift the sensitive mark" not in words


def test_the_milestone_page_asks_once_whatever_the_number_of_files(client, login, grant, count_queries):
    _file(grant)
    login(grant.call.owner)
    milestone_id = grant_milestone(grant).id
    one = count_queries(lambda: client.get(f"/projects/milestones/{milestone_id}"))
    for index in range(4):
        _file(grant, filename=f"more-{index}.pdf")
    many = count_queries(lambda: client.get(f"/projects/milestones/{milestone_id}"))
    assert many == one
