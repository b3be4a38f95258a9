"""Threads, messages and the meeting log of a team's space: what is kept, shown and who hears of it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import db
from app.db import utcnow
from app.teamspace import services
from app.teamspace.models import MeetingLog, TeamMessage, TeamThread
from tests.conftest import post, sign_in
from tests.factories import create_mentor, create_mentorship, create_team, create_user
from tests.teamspace.scene import audit_actions, build_scene, notices_of, thread_with_message


@pytest.fixture
def scene():
    return build_scene()


def _space(team) -> str:
    return f"/teams/{team.id}/space"


# -- the space's page ----------------------------------------------------------------------------------------
def test_the_space_says_who_reads_it_and_lists_threads_most_recently_active_first(client, scene):
    older = thread_with_message(scene.team, scene.lead, title="Budget questions")
    newer = thread_with_message(scene.team, scene.mentor, title="Next meeting")
    services.post_message(scene.minor, older, "A second message")
    db.commit()
    sign_in(client, scene.minor)
    page = client.get(_space(scene.team)).get_data(as_text=True)
    assert ("Everyone in the team, its mentors and the programme's coordinators can read this space. "
            "There are no private messages.") in page
    assert page.index("Budget questions") < page.index("Next meeting")
    assert newer.id and "Meeting log" in page
    assert 'name="title"' in page  # a member may start a thread


def test_the_team_page_links_to_the_space(client, scene):
    db.commit()
    sign_in(client, scene.lead)
    assert f'href="/teams/{scene.team.id}/space"' in client.get(f"/teams/{scene.team.id}").get_data(as_text=True)


def test_starting_a_thread_keeps_it_and_tells_the_team_and_its_mentor(client, scene, outbox):
    db.commit()
    sign_in(client, scene.mentor)
    response = post(client, f"{_space(scene.team)}/threads", {"title": "Feedback on your draft",
                                                               "body": "The **audience** part is strong."})
    assert response.status_code == 302
    thread = db.session.scalar(select(TeamThread).where(TeamThread.team_id == scene.team.id))
    assert response.headers["Location"] == f"/teams/{scene.team.id}/space/threads/{thread.id}"
    assert thread.title == "Feedback on your draft" and thread.created_by_id == scene.mentor.id
    assert [m.body for m in thread.messages] == ["The **audience** part is strong."]
    for member in (scene.lead, scene.minor):
        notices = notices_of(member, "team_message")
        assert len(notices) == 1
        assert notices[0].params["thread"] == "Feedback on your draft"
        assert notices[0].link == f"/teams/{scene.team.id}/space/threads/{thread.id}"
        assert len(outbox(member.email, "notice")) == 1
    assert notices_of(scene.mentor) == [] and notices_of(scene.coordinator) == []
    assert [e.subject_id for e in audit_actions("team_space.thread_started")] == [thread.id]


def test_a_thread_without_subject_or_message_comes_back_with_what_was_typed(client, scene):
    db.commit()
    sign_in(client, scene.lead)
    response = post(client, f"{_space(scene.team)}/threads", {"title": "", "body": "Keep these words"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Give the thread a subject." in page and "Keep these words" in page
    response = post(client, f"{_space(scene.team)}/threads", {"title": "A subject kept", "body": "  "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Write the first message." in page and 'value="A subject kept"' in page
    assert db.session.scalar(select(TeamThread).where(TeamThread.team_id == scene.team.id)) is None


def test_a_too_long_subject_is_refused(client, scene):
    db.commit()
    sign_in(client, scene.lead)
    response = post(client, f"{_space(scene.team)}/threads", {"title": "x" * 121, "body": "Hello"})
    assert response.status_code == 400
    assert "Use at most 120 characters." in response.get_data(as_text=True)


# -- a thread ---------------------------------------------------------------------------------------------------
def test_a_reply_is_shown_oldest_first_and_tells_the_others_but_not_coordinators(client, scene):
    thread = thread_with_message(scene.team, scene.mentor, body="First, from the mentor")
    db.commit()
    sign_in(client, scene.minor)
    response = post(client, f"{_space(scene.team)}/threads/{thread.id}/messages", {"body": "Then the reply"})
    assert response.status_code == 302
    message = db.session.scalar(select(TeamMessage).where(TeamMessage.body == "Then the reply"))
    assert response.headers["Location"].endswith(f"/threads/{thread.id}#message-{message.id}")
    page = client.get(f"{_space(scene.team)}/threads/{thread.id}").get_data(as_text=True)
    assert page.index("First, from the mentor") < page.index("Then the reply")
    assert len(notices_of(scene.mentor, "team_message")) == 1
    assert len(notices_of(scene.lead, "team_message")) == 2  # the thread's start, then the reply
    assert len(notices_of(scene.minor, "team_message")) == 1  # the thread's start only, not their own reply
    assert notices_of(scene.coordinator) == []
    db.session.refresh(thread)
    assert thread.last_posted_at == message.created_at


def test_a_mentor_whose_vetting_lapsed_is_not_told_of_messages(client, scene):
    unvetted = create_mentor(vetted=False, name="Uma Unvetted")
    create_mentorship(scene.team, unvetted)
    thread_with_message(scene.team, scene.lead)
    db.commit()
    assert notices_of(unvetted) == []
    assert len(notices_of(scene.mentor, "team_message")) == 1


def test_markdown_is_rendered_and_sanitised(client, scene):
    thread = thread_with_message(scene.team, scene.lead,
                                 body="**Bold** and <script>alert('x')</script> [a](javascript:alert(1))")
    db.commit()
    sign_in(client, scene.mentor)
    page = client.get(f"{_space(scene.team)}/threads/{thread.id}").get_data(as_text=True)
    assert "<strong>Bold</strong>" in page
    assert "<script>alert" not in page
    assert 'href="javascript' not in page


def test_a_reply_needs_words_and_keeps_them_when_too_long(client, scene):
    thread = thread_with_message(scene.team, scene.lead)
    db.commit()
    sign_in(client, scene.lead)
    response = post(client, f"{_space(scene.team)}/threads/{thread.id}/messages", {"body": ""})
    assert response.status_code == 400 and "Write a message first." in response.get_data(as_text=True)
    response = post(client, f"{_space(scene.team)}/threads/{thread.id}/messages", {"body": "y" * 5001})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Use at most 5000 characters." in page and "y" * 5001 in page


def test_another_teams_thread_is_not_found_through_this_team(client, scene):
    other_team = create_team(name="Other Team")
    foreign = thread_with_message(other_team, other_team.lead)
    db.commit()
    sign_in(client, scene.lead)
    assert client.get(f"{_space(scene.team)}/threads/{foreign.id}").status_code == 404
    assert post(client, f"{_space(scene.team)}/threads/{foreign.id}/messages", {"body": "Hi"}).status_code == 404
    assert client.get(f"{_space(scene.team)}/threads/999999").status_code == 404


def test_people_outside_the_space_cannot_post(client, scene):
    thread = thread_with_message(scene.team, scene.lead)
    db.commit()
    sign_in(client, scene.stranger)
    assert post(client, f"{_space(scene.team)}/threads", {"title": "Hi", "body": "Hi"}).status_code == 403
    assert post(client, f"{_space(scene.team)}/threads/{thread.id}/messages", {"body": "Hi"}).status_code == 403


def test_a_long_thread_is_paginated_and_a_reply_leads_to_the_last_page(client, scene):
    thread = thread_with_message(scene.team, scene.lead, body="Message 00")
    for number in range(1, 55):
        services.post_message(scene.lead, thread, f"Message {number:02d}")
    db.commit()
    sign_in(client, scene.minor)
    first = client.get(f"{_space(scene.team)}/threads/{thread.id}").get_data(as_text=True)
    assert "Message 00" in first and "Message 49" in first and "Message 50" not in first
    assert "Page 1 of 2" in first
    second = client.get(f"{_space(scene.team)}/threads/{thread.id}?page=2").get_data(as_text=True)
    assert "Message 54" in second and "Message 49" not in second
    response = post(client, f"{_space(scene.team)}/threads/{thread.id}/messages", {"body": "The newest"})
    assert "?page=2#message-" in response.headers["Location"]


def test_the_space_sends_as_many_queries_for_10_threads_as_for_2(client, scene, count_queries):
    for number in range(2):
        thread_with_message(scene.team, scene.lead, title=f"Thread {number}")
    db.commit()
    sign_in(client, scene.mentor)
    client.get(_space(scene.team))  # warm up: the first request loads templates
    few = count_queries(lambda: client.get(_space(scene.team)))
    for number in range(2, 10):
        thread = thread_with_message(scene.team, scene.minor if number % 2 else scene.mentor, title=f"Thread {number}")
        services.post_message(scene.lead, thread, "More")
    db.commit()
    many = count_queries(lambda: client.get(_space(scene.team)))
    page = client.get(_space(scene.team)).get_data(as_text=True)
    assert "Thread 9" in page and "Thread 0" in page
    assert few == many, (few, many)


def test_a_thread_sends_as_many_queries_for_10_messages_as_for_2(client, scene, count_queries):
    thread = thread_with_message(scene.team, scene.lead)
    services.post_message(scene.mentor, thread, "Two")
    db.commit()
    url = f"{_space(scene.team)}/threads/{thread.id}"
    sign_in(client, scene.minor)
    client.get(url)
    few = count_queries(lambda: client.get(url))
    for number in range(8):
        services.post_message(scene.minor if number % 2 else scene.coordinator, thread, f"More {number}")
    db.commit()
    many = count_queries(lambda: client.get(url))
    assert few == many, (few, many)


# -- the meeting log --------------------------------------------------------------------------------------------
def _meeting(**overrides):
    data = {"met_on": (date.today() - timedelta(days=2)).isoformat(), "minutes": "45",
            "topics": "We went through the **budget**.", "next_steps": "Send the new draft."}
    data.update(overrides)
    return data


def test_a_mentor_logs_a_meeting_the_team_is_told_and_reads_it(client, scene, outbox):
    db.commit()
    sign_in(client, scene.mentor)
    page = client.get(f"{_space(scene.team)}/meetings").get_data(as_text=True)
    assert "Log a meeting" in page
    response = post(client, f"{_space(scene.team)}/meetings", _meeting())
    assert response.status_code == 302
    meeting = db.session.scalar(select(MeetingLog).where(MeetingLog.team_id == scene.team.id))
    assert (meeting.minutes, meeting.mentor_id, meeting.next_steps) == (45, scene.mentor.id, "Send the new draft.")
    assert [e.subject_id for e in audit_actions("team_space.meeting_logged")] == [meeting.id]
    for member in (scene.lead, scene.minor):
        notices = notices_of(member, "meeting_logged")
        assert len(notices) == 1 and notices[0].link == f"/teams/{scene.team.id}/space/meetings"
        assert len(outbox(member.email, "notice")) == 1
    assert notices_of(scene.mentor) == [] and notices_of(scene.coordinator) == []
    sign_in(client, scene.minor)
    page = client.get(f"{_space(scene.team)}/meetings").get_data(as_text=True)
    assert "45 minutes" in page and "<strong>budget</strong>" in page and "Send the new draft." in page
    assert "Log a meeting" not in page


@pytest.mark.parametrize(("overrides", "message"), [
    ({"minutes": "3"}, "Give a length from 5 to 480 minutes (8 hours)."),
    ({"minutes": "500"}, "Give a length from 5 to 480 minutes (8 hours)."),
    ({"minutes": "an hour"}, "Give a length from 5 to 480 minutes (8 hours)."),
    ({"minutes": ""}, "Give a length from 5 to 480 minutes (8 hours)."),
    ({"met_on": (date.today() + timedelta(days=3)).isoformat()},
     "The meeting cannot be in the future: log it once it has taken place."),
    ({"met_on": ""}, "Enter the date of the meeting, like 2027-03-15."),
    ({"topics": "   "}, "Say what you talked about."),
])
def test_a_bad_meeting_comes_back_with_one_clear_message_and_what_was_typed(client, scene, overrides, message):
    db.commit()
    sign_in(client, scene.mentor)
    data = _meeting(**overrides)
    response = post(client, f"{_space(scene.team)}/meetings", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert page.count(message) == 2  # once in the summary, once beside the field
    assert "Send the new draft." in page
    if data["topics"].strip():
        assert "We went through the **budget**." in page
    if overrides.get("minutes"):
        assert f'value="{overrides["minutes"]}"' in page
    assert db.session.scalar(select(MeetingLog)) is None


def test_only_the_teams_mentors_log_meetings(client, scene):
    db.commit()
    for person in (scene.lead, scene.coordinator, scene.stranger):
        sign_in(client, person)
        assert post(client, f"{_space(scene.team)}/meetings", _meeting()).status_code == 403
    with pytest.raises(Exception):  # noqa: B017 - the service refuses too
        services.log_meeting(scene.lead, scene.team, met_on=date.today(), minutes=30, topics="x")


def test_today_in_the_mentors_zone_is_not_the_future():
    mentor = create_user("mentor")
    mentor.timezone = "Pacific/Kiritimati"  # UTC+14: its today is often UTC's tomorrow
    assert services.today_for(mentor) >= utcnow().date()
    mentor.timezone = "Nowhere/Invalid"
    assert services.today_for(mentor) == utcnow().date()


def test_the_meeting_log_is_newest_first_and_paginated(client, scene):
    for days in range(30):
        services.log_meeting(scene.mentor, scene.team, met_on=date.today() - timedelta(days=days), minutes=30,
                             topics=f"Topic {days:02d}")
    db.commit()
    sign_in(client, scene.lead)
    first = client.get(f"{_space(scene.team)}/meetings").get_data(as_text=True)
    assert first.index("Topic 00") < first.index("Topic 01") and "Topic 29" not in first
    assert "Topic 29" in client.get(f"{_space(scene.team)}/meetings?page=2").get_data(as_text=True)
