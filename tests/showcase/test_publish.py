"""The team lead's side: the form (prefilled, with a preview of what the public will see), publishing, editing,
unpublishing, a coordinator's take-down, and bad input that keeps what was typed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import db
from app.accounts.models import AuditEntry
from app.projects.models import Publication
from app.showcase import services
from tests.conftest import post
from tests.factories import create_project, create_team, create_user
from tests.pages import field_error, input_value, text


@pytest.fixture
def project():
    lead = create_user(name="Ines Lavoie")
    mate = create_user(name="Omar Haddad")
    minor = create_user(name="Sami Tremblay", age=14, country="FR", consent="requested")
    unconfirmed = create_user(name="Uma Unverified", confirmed=False)
    team = create_team(lead, mate, minor, unconfirmed, name="Respect Lab")
    return create_project(team, state="active", approved=1, title="Voices Against Hate")


def _url(grant) -> str:
    return f"/showcase/projects/{grant.id}/publish"


def _publication(grant) -> Publication | None:
    return db.session.scalar(select(Publication).where(Publication.grant_id == grant.id))


def _form(summary="Weekly podcasts by teenagers.", links=(), **extra) -> dict:
    data = {"summary": summary, "submit": "1", **extra}
    for index, (label, url) in enumerate(links):
        data[f"links-{index}-label"], data[f"links-{index}-url"] = label, url
    return data


def _audit(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == action))


def test_the_form_is_prefilled_from_the_proposal_and_previews_what_the_public_sees(login, project):
    response = login(project.team.lead).get(_url(project))
    assert response.status_code == 200
    page = text(response)
    assert "Podcasts by teenagers." in response.get_data(as_text=True)  # the proposal's summary, to edit
    assert "Preview: what the public will see Voices Against Hate Podcasts by teenagers. Team Respect Lab " \
           "Members Ines, Omar and 2 more members" in page
    assert "Progress 1 of 2 milestones reached" in page
    assert "Named by first name only: Ines, Omar." in page
    assert "Sami is not named: under the age of consent, with no guardian's consent recorded yet." in page
    assert "Uma is not named: email address not confirmed yet." in page
    assert "Never shown: surnames, email addresses, the grant's amount, payments and who receives them." in page
    for number in range(1, 6):
        assert f'<label for="links-{number - 1}-url">Link {number} web address</label>' in \
            response.get_data(as_text=True)
    assert "Unpublish" not in page


def test_the_lead_publishes_and_the_public_sees_it(client, login, new_client, project):
    response = post(login(project.team.lead), _url(project), _form(
        summary="Weekly podcasts.\n\nMade in Montréal.",
        links=[("Our podcast", "https://podcasts.test/voices"), ("", ""), ("Our site", "http://voices.test")]))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/showcase/{project.id}"
    publication = _publication(project)
    assert publication.published and publication.published_by_id == project.team.lead_id
    assert publication.summary == "Weekly podcasts.\n\nMade in Montréal."
    assert publication.links == [{"label": "Our podcast", "url": "https://podcasts.test/voices"},
                                 {"label": "Our site", "url": "http://voices.test"}]
    assert _audit("showcase.published") == 1
    public = new_client().get(f"/showcase/{project.id}")
    assert "<p>Weekly podcasts.</p><p>Made in Montréal.</p>" in public.get_data(as_text=True)
    assert "Our podcast (podcasts.test) Our site (voices.test)" in text(public)
    assert "Voices Against Hate" in text(new_client().get("/showcase/"))


def test_the_preview_button_shows_the_typed_text_without_publishing(login, project):
    response = post(login(project.team.lead), _url(project), {
        "summary": "A brand new summary.", "links-0-label": "Clip", "links-0-url": "https://clips.test/1",
        "preview": "Update the preview"})
    assert response.status_code == 200
    assert "Preview: what the public will see Voices Against Hate A brand new summary." in text(response)
    assert "Clip (clips.test)" in text(response)
    assert _publication(project) is None


def test_editing_keeps_the_place_in_the_gallery_and_unpublishing_removes_it(login, new_client, project):
    client = login(project.team.lead)
    post(client, _url(project), _form())
    first = _publication(project).published_at
    page = text(client.get(_url(project)))
    assert "“Voices Against Hate” is in the showcase." in page and "Save the changes" in page
    response = post(client, _url(project), _form(summary="Season two is out."), follow_redirects=True)
    assert "The showcase page is updated." in text(response)
    db.session.expire_all()
    assert _publication(project).summary == "Season two is out."
    assert _publication(project).published_at == first
    assert _audit("showcase.updated") == 1

    response = post(client, f"/showcase/projects/{project.id}/unpublish", follow_redirects=True)
    assert "The project is no longer in the public showcase." in text(response)
    assert new_client().get(f"/showcase/{project.id}").status_code == 404
    db.session.expire_all()
    assert _publication(project).published is False
    assert _publication(project).summary == "Season two is out."  # kept for a later publication
    assert _audit("showcase.unpublished") == 1
    assert "Season two is out." in client.get(_url(project)).get_data(as_text=True)


def test_a_coordinator_takes_a_page_down_from_the_public_page(login, new_client, project, create_user):
    post(login(project.team.lead), _url(project), _form())
    coordinator = new_client()
    login_as = create_user("coordinator", name="Cora Quist")
    from tests.conftest import sign_in

    sign_in(coordinator, login_as)
    assert "Remove from the showcase" in text(coordinator.get(f"/showcase/{project.id}"))
    assert coordinator.get(_url(project)).status_code == 403  # the text is the team's to write
    response = post(coordinator, f"/showcase/projects/{project.id}/unpublish")
    assert response.status_code == 302 and response.headers["Location"] == "/showcase/"
    assert new_client().get(f"/showcase/{project.id}").status_code == 404
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "showcase.unpublished"))
    assert entry.actor_id == login_as.id and entry.detail["reason"] == "coordinator"


@pytest.mark.parametrize(("data", "field", "message"), [
    (_form(summary="   "), "summary", "Write a few sentences about the project for the public."),
    (_form(links=[("Clip", "javascript:alert(1)")]), "links-0-url",
     "Use an address that starts with https:// or http://."),
    (_form(links=[("Files", "ftp://files.test/a")]), "links-0-url",
     "Use an address that starts with https:// or http://."),
    (_form(links=[("Site", "voices.test")]), "links-0-url",
     "Use an address that starts with https:// or http://."),
    (_form(links=[("Site", "https://localhost")]), "links-0-url",
     "Enter a full web address, like https://example.org/our-video."),
    (_form(links=[("", "https://voices.test")]), "links-0-label", "Give the link a short text, like “Our video”."),
    (_form(links=[("Clip", "")]), "links-0-url", "Enter the web address the link opens."),
    (_form(links=[("x" * 81, "https://voices.test")]), "links-0-label", "Use at most 80 characters."),
    (_form(links=[("Clip", "https://voices.test/" + "a" * 500)]), "links-0-url", "Use at most 500 characters."),
    (_form(summary="x" * 2001), "summary", "Use at most 2000 characters."),
    (_form(summary="By Ines Lavoie and friends."), "summary",
     "Remove “Lavoie”: the showcase shows first names only, never surnames."),
    (_form(summary="Write to ines@mail.test"), "summary",
     "Remove “ines@mail.test”: the showcase never shows email addresses."),
    (_form(summary="Sami edits every episode."), "summary",
     "Remove “Sami”: this member cannot be named in public yet (see the preview)."),
    (_form(links=[("Omar Haddad's blog", "https://blog.test")]), "links-0-label",
     "Remove “Haddad”: the showcase shows first names only, never surnames."),
])
def test_bad_input_is_shown_beside_its_field_and_the_input_is_kept(login, project, data, field, message):
    response = post(login(project.team.lead), _url(project), data)
    assert response.status_code == 400
    assert field_error(response, field) == message
    assert message in text(response).split("problem to fix", 1)[1]  # listed in the summary at the top too
    for name, value in data.items():
        if name.startswith("links-") and value:
            assert input_value(response, name) == value
    if data["summary"].strip():
        assert data["summary"] in response.get_data(as_text=True)
    assert _publication(project) is None


def test_a_sixth_link_is_refused_with_a_message_and_all_six_are_kept(login, project):
    links = [(f"Clip {number}", f"https://clips.test/{number}") for number in range(6)]
    response = post(login(project.team.lead), _url(project), _form(links=links))
    assert response.status_code == 400
    assert "Add at most 5 links." in text(response)
    assert '<a href="#links">Links: Add at most 5 links.</a>' in response.get_data(as_text=True)
    assert input_value(response, "links-5-url") == "https://clips.test/5"
    assert _publication(project) is None


def test_a_double_click_publishes_once(login, project):
    client = login(project.team.lead)
    post(client, _url(project), _form())
    post(client, _url(project), _form())
    count = db.session.scalar(select(func.count(Publication.id)).where(Publication.grant_id == project.id))
    assert count == 1


def test_only_the_lead_of_an_active_or_completed_project_may_publish(login, new_client, project):
    from tests.conftest import sign_in

    for person in (project.team.memberships[1].user, create_user("coordinator"), create_user("funder")):
        client = new_client()
        sign_in(client, person)
        assert client.get(_url(project)).status_code == 403
        assert post(client, _url(project), _form()).status_code == 403
    awarded = create_project(create_team(create_user(name="Ari Awarded")), state="awarded")
    assert login(awarded.team.lead).get(_url(awarded)).status_code == 403
    assert new_client().get(_url(project)).status_code == 302  # to the sign-in page


def test_a_lead_waiting_for_consent_sees_the_preview_but_cannot_publish(login):
    minor_lead = create_user(name="Lou Petit", age=14, country="FR", consent="requested")
    grant = create_project(create_team(minor_lead), state="active")
    client = login(minor_lead)
    page = text(client.get(_url(grant)))
    assert "You can publish once your email address is confirmed" in page
    assert "Publish" not in page.replace("public", "")
    assert post(client, _url(grant), _form()).status_code == 403


def test_services_refuse_a_grant_that_is_not_in_delivery(project):
    project.state = "cancelled"
    with pytest.raises(services.ValidationFailed) as error:
        services.publish(project.team.lead, project, summary="Hello.", links=[])
    assert error.value.errors == [(None, "Only an active or completed project can be shown in the showcase.")]


@pytest.mark.parametrize(("url", "ok"), [
    ("https://www.youtube.com/watch?v=abc", True), ("http://voices.test/a b", False),
    ("HTTPS://VOICES.TEST", True), ("https://user:pw@voices.test", False), ("data:text/html,hi", False),
    ("https://[::1", False), ("//voices.test", False), ("https://voices.test.", True),
])
def test_url_rules(url, ok):
    assert (services.url_problem(url) is None) is ok
