"""Reporting the other kinds of content: a proposal, a mentor's profile and a public showcase page (which a
visitor who is not signed in may report too, within a rate limit)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.mentoring.models import MentorProfile
from app.notices import services as notice_services
from app.safety.models import Report
from tests.conftest import csrf_token, post, sign_in
from tests.factories import create_call, create_mentor, create_project, create_proposal, create_user
from tests.teamspace.scene import build_scene, notices_of


@pytest.fixture
def scene():
    return build_scene()


def _reports() -> list[Report]:
    db.session.expire_all()
    return list(db.session.scalars(select(Report).order_by(Report.id)))


def _report(client, subject: str, category: str = "hate_speech", **kwargs):
    return post(client, "/reports", {"subject": subject, "category": category, "detail": ""}, **kwargs)


def test_a_funder_reports_a_submitted_proposal_from_its_page(client, scene):
    funder = create_user("funder")
    proposal = create_proposal(scene.team, create_call(funder), state="submitted", title="Echo Podcast")
    draft = create_proposal(scene.team, create_call(funder))
    db.commit()
    sign_in(client, funder)
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert f'href="/reports/new?subject=proposal:{proposal.id}"' in page
    form = client.get(f"/reports/new?subject=proposal:{proposal.id}").get_data(as_text=True)
    assert "Echo Podcast" in form and "Podcasts by teenagers." in form
    response = _report(client, f"proposal:{proposal.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"/proposals/{proposal.id}"
    [report] = _reports()
    assert (report.subject_type, report.subject_id, report.team_id) == ("proposal", proposal.id, scene.team.id)
    assert client.get(f"/reports/new?subject=proposal:{draft.id}").status_code == 403
    sign_in(client, scene.lead)  # the team does not report its own proposal from its page
    assert f"subject=proposal:{proposal.id}" not in client.get(f"/proposals/{proposal.id}").get_data(as_text=True)


def test_a_coordinator_reports_a_mentor_profile(client, scene):
    mentor = create_mentor(create_user("mentor", name="Bio Mentor"), bio="A bio to look at.")
    profile = db.session.scalar(select(MentorProfile).where(MentorProfile.user_id == mentor.id))
    db.commit()
    sign_in(client, scene.coordinator)
    assert f"subject=mentor_profile:{profile.id}" in client.get(f"/mentors/{mentor.id}").get_data(as_text=True)
    response = _report(client, f"mentor_profile:{profile.id}", "other")
    assert response.status_code == 302 and response.headers["Location"] == f"/mentors/{mentor.id}"
    [report] = _reports()
    assert (report.subject_type, report.team_id) == ("mentor_profile", None)
    assert "A bio to look at." in client.get(f"/reports/{report.id}").get_data(as_text=True)
    sign_in(client, scene.mentor)
    assert client.get(f"/reports/new?subject=mentor_profile:{profile.id}").status_code == 403


@pytest.fixture
def page(scene):
    grant = create_project(scene.team, create_call(), published=True, title="Voices Project")
    db.commit()
    return grant


def test_anyone_reports_a_public_showcase_page_even_signed_out(client, scene, page):
    html = client.get(f"/showcase/{page.id}").get_data(as_text=True)
    assert f'href="/reports/new?subject=showcase_page:{page.id}"' in html
    form = client.get(f"/reports/new?subject=showcase_page:{page.id}")
    assert form.status_code == 200 and "You are not signed in" in form.get_data(as_text=True)
    response = _report(client, f"showcase_page:{page.id}", "personal_details")
    assert response.status_code == 302 and response.headers["Location"] == f"/showcase/{page.id}"
    [report] = _reports()
    assert (report.reporter_id, report.subject_type, report.subject_id, report.team_id) == (
        None, "showcase_page", page.id, scene.team.id)
    [notice] = notices_of(scene.coordinator, "concern_reported")
    assert notice_services.sentence(notice) == (
        "A visitor reported a concern: Someone's personal details are exposed.")
    assert "(a visitor, or an account since deleted)" in _coordinator_page(client, scene, report)


def _coordinator_page(client, scene, report) -> str:
    sign_in(client, scene.coordinator)
    return client.get(f"/reports/{report.id}").get_data(as_text=True)


def test_a_visitor_needs_the_csrf_token_and_is_rate_limited(client, page):
    subject = f"showcase_page:{page.id}"
    response = client.post("/reports", data={"subject": subject, "category": "spam"})
    assert response.status_code == 400 and _reports() == []  # no token, no report
    token = csrf_token(client)
    statuses = [client.post("/reports", data={"csrf_token": token, "subject": subject, "category": "spam"}).status_code
                for _attempt in range(6)]
    assert statuses == [302] * 5 + [429]
    assert len(_reports()) == 5


def test_signed_in_people_are_not_held_by_the_visitors_limit(client, scene, page):
    sign_in(client, scene.stranger)
    # The second and later ones are "already reported" (a redirect with a message), never refused with a 429.
    assert [_report(client, f"showcase_page:{page.id}", "spam").status_code for _attempt in range(6)] == [302] * 6


def test_a_visitor_cannot_report_anything_else(client, scene):
    from tests.teamspace.scene import thread_with_message

    thread = thread_with_message(scene.team, scene.mentor)
    db.commit()
    for response in (client.get(f"/reports/new?subject=team_message:{thread.messages[0].id}"),
                     _report(client, f"team_message:{thread.messages[0].id}"), _report(client, "nonsense")):
        assert response.status_code == 302 and response.headers["Location"].startswith("/signin")
    assert _reports() == []


def test_a_page_taken_down_cannot_be_reported(client, scene, page):
    from app.showcase import services as showcase

    showcase.unpublish(scene.lead, showcase.publication_of(page))
    db.commit()
    assert client.get(f"/reports/new?subject=showcase_page:{page.id}").status_code == 403
