"""Withdrawal takes effect at once: the showcase forgets the project, the mentor loses the team; and a guardian
reads their child's team's threads without writing in them."""

from __future__ import annotations

from sqlalchemy import select

from app import db
from app.ledger.models import Grant
from app.projects.models import ProjectMilestone, Publication
from app.teamspace import services as space
from tests.conftest import post, sign_in
from tests.consents.conftest import audit_of, build, notices_of
from tests.factories import create_proposal
from tests.pages import text


def _withdraw_as_guardian(client, scene, purpose: str, reason: str = ""):
    sign_in(client, scene.guardian)
    return post(client, f"/consents/young-people/{scene.minor.id}/{purpose}/withdraw", {"reason": reason})


# -- the showcase ------------------------------------------------------------------------------------------------
def test_withdrawing_showcase_consent_removes_the_project_from_every_public_page_at_once(client, new_client, scene):
    public = new_client()
    page = public.get(f"/showcase/{scene.grant.id}")
    assert page.status_code == 200 and "Members Ines, Zoé" in text(page)
    assert "Voices Against Hate" in text(public.get("/showcase/"))
    db.commit()

    response = _withdraw_as_guardian(client, scene, "showcase", "She changed her mind.")

    assert response.status_code == 302
    assert public.get(f"/showcase/{scene.grant.id}").status_code == 404
    assert "Voices Against Hate" not in text(public.get("/showcase/"))
    assert "Voices Against Hate" not in text(new_client().get("/showcase/?theme=counter_narratives"))
    publication = db.session.scalar(select(Publication).where(Publication.grant_id == scene.grant.id))
    db.session.refresh(publication)
    assert publication.published is False
    [unpublished] = audit_of("showcase.unpublished")
    assert (unpublished.actor_id, unpublished.detail["reason"]) == (scene.guardian.id, "consent_withdrawn")
    [notice] = notices_of(scene.lead, "showcase_consent_withdrawn")
    assert notice.params["team"] == "Respect Lab"
    assert [entry.detail for entry in audit_of("consent.withdrawn")] == [
        {"person": scene.minor.id, "purpose": "showcase", "given_as": "guardian"}]


def test_the_young_persons_own_withdrawal_takes_the_project_down_too(client, new_client, scene):
    db.commit()
    sign_in(client, scene.minor)
    assert post(client, "/consents/showcase/withdraw").status_code == 302
    assert new_client().get(f"/showcase/{scene.grant.id}").status_code == 404


def test_published_again_the_project_no_longer_names_the_young_person(client, new_client, scene):
    db.commit()
    _withdraw_as_guardian(client, scene, "showcase")
    sign_in(client, scene.lead)
    response = post(client, f"/showcase/projects/{scene.grant.id}/publish", {
        "summary": "Weekly podcasts by teenagers.", "submit": "Publish"})
    assert response.status_code == 302
    page = text(new_client().get(f"/showcase/{scene.grant.id}"))
    assert "Zoé" not in page and "Ines and 1 more member" in page, page


def test_withdrawing_photos_leaves_the_showcase_alone(client, new_client, scene):
    db.commit()
    _withdraw_as_guardian(client, scene, "photos")
    assert new_client().get(f"/showcase/{scene.grant.id}").status_code == 200


# -- mentoring ----------------------------------------------------------------------------------------------------
def _mentor_pages(scene) -> list[str]:
    thread = space.start_thread(scene.lead, scene.team, "Plans", "Hello")
    draft = create_proposal(scene.team)
    milestone = db.session.scalar(select(ProjectMilestone).where(ProjectMilestone.grant_id == scene.grant.id)
                                  .order_by(ProjectMilestone.position).limit(1))
    return [f"/teams/{scene.team.id}/space", f"/teams/{scene.team.id}/space/threads/{thread.id}",
            f"/proposals/{draft.id}", f"/projects/{scene.grant.id}", f"/projects/milestones/{milestone.id}"]


def test_mentoring_consent_withdrawn_ends_the_mentorships_access(client, new_client, scene):
    pages = _mentor_pages(scene)
    db.commit()
    mentor = new_client()
    sign_in(mentor, scene.mentor)
    assert [mentor.get(url).status_code for url in pages] == [200] * len(pages)

    assert _withdraw_as_guardian(client, scene, "mentoring").status_code == 302

    assert [mentor.get(url).status_code for url in pages] == [403] * len(pages)
    assert post(mentor, f"/teams/{scene.team.id}/space/meetings", {"minutes": "30"}).status_code == 403
    [told] = notices_of(scene.mentor, "mentoring_consent_withdrawn")
    assert told.params["team"] == "Respect Lab" and "Zoé" not in str(told.params)
    assert len(notices_of(scene.coordinator, "mentoring_consent_withdrawn")) == 1

    # Given again, the mentorship (kept, for the coordinators to decide on) opens the team again.
    sign_in(client, scene.guardian)
    assert post(client, f"/consents/young-people/{scene.minor.id}/mentoring/give").status_code == 302
    assert mentor.get(pages[0]).status_code == 200


def test_the_young_persons_own_withdrawal_of_mentoring_counts_too(client, new_client, scene):
    db.commit()
    sign_in(client, scene.minor)
    assert post(client, "/consents/mentoring/withdraw").status_code == 302
    mentor = new_client()
    sign_in(mentor, scene.mentor)
    assert mentor.get(f"/teams/{scene.team.id}/space").status_code == 403
    assert len(notices_of(scene.mentor, "mentoring_consent_withdrawn")) == 1


def test_a_team_waiting_for_mentoring_consent_stays_out_of_the_matching_round():
    from app.mentoring import services as mentoring
    from app.mentoring.models import TeamNeeds

    scene = build(purposes=("showcase",))
    db.session.add(TeamNeeds(team_id=scene.team.id, needs=["video"], timezone="UTC"))
    db.session.flush()
    _teams, _profiles, requests, _offers = mentoring.round_inputs()
    assert scene.team.id not in requests


# -- the guardian reads ------------------------------------------------------------------------------------------
def test_a_guardian_reads_the_childs_team_threads_but_cannot_write(client, scene):
    thread = space.start_thread(scene.mentor, scene.team, "Feedback on your draft", "The audience part is strong.")
    db.commit()
    sign_in(client, scene.guardian)
    child_page = text(client.get(f"/consents/young-people/{scene.minor.id}"))
    assert "Team space of Respect Lab" in child_page

    index = client.get(f"/teams/{scene.team.id}/space")
    assert index.status_code == 200 and "Feedback on your draft" in text(index)
    assert "Start a thread" not in text(index)
    page = client.get(f"/teams/{scene.team.id}/space/threads/{thread.id}")
    assert page.status_code == 200 and "The audience part is strong." in text(page)
    assert "Your reply" not in text(page) and 'name="body"' not in page.get_data(as_text=True)
    assert client.get(f"/teams/{scene.team.id}/space/meetings").status_code == 200

    assert post(client, f"/teams/{scene.team.id}/space/threads/{thread.id}/messages",
                {"body": "Hello from a parent"}).status_code == 403
    assert post(client, f"/teams/{scene.team.id}/space/threads", {"title": "Hi", "body": "Hi"}).status_code == 403
    assert client.get(f"/teams/{scene.team.id}").status_code in (200, 403)  # the team's public page at most


def test_another_guardian_reads_nothing(client, scene):
    db.commit()
    sign_in(client, scene.other_guardian)
    assert client.get(f"/teams/{scene.team.id}/space").status_code == 403
    assert client.get(f"/consents/young-people/{scene.minor.id}").status_code == 403


def test_grants_are_untouched_by_consent(scene):
    assert db.session.get(Grant, scene.grant.id).state == "active"
